"""Brújula's service taxonomy (``data/taxonomy.yml``) and the intent → categories map
(``data/intent_categories.yml``).

The taxonomy becomes one HSDS ``taxonomy`` row and one ``taxonomy_term`` row per code, with
stable ids (``uuid5(NAMESPACE_URL, "brujula:term:" + code)``). Terms carry the English name and
description (``language: en``) and the other languages in the profile extra ``translations``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import yaml

DATA: Final = Path(__file__).resolve().parent / "data"
TAXONOMY_FILE: Final = DATA / "taxonomy.yml"
INTENT_CATEGORIES_FILE: Final = DATA / "intent_categories.yml"

TAXONOMY_NAME: Final = "brujula-services"


def term_id(code: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "brujula:term:" + code))


def taxonomy_id(name: str = TAXONOMY_NAME) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "brujula:taxonomy:" + name))


@dataclass(frozen=True, slots=True)
class Term:
    code: str
    parent: str | None
    names: dict[str, str]  # language → name
    descriptions: dict[str, str]

    @property
    def id(self) -> str:
        return term_id(self.code)


@dataclass(frozen=True, slots=True)
class Taxonomy:
    name: str
    title: str
    version: str
    terms: tuple[Term, ...]

    @property
    def id(self) -> str:
        return taxonomy_id(self.name)

    def codes(self) -> set[str]:
        return {t.code for t in self.terms}

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """The HSDS ``taxonomy`` and ``taxonomy_term`` rows (English first, others translated)."""
        taxonomy = {
            "id": self.id,
            "name": self.title,
            "description": "Categories of services for people on the move in Mexico (Brújula).",
            "uri": None,
            "version": self.version,
        }
        terms = [term_row(t, self) for t in self.terms]
        return {"taxonomy": [taxonomy], "taxonomy_term": terms}


def term_row(term: Term, taxonomy: Taxonomy) -> dict[str, Any]:
    translations = {
        lang: {"name": name, "description": term.descriptions.get(lang, "")}
        for lang, name in sorted(term.names.items())
        if lang != "en"
    }
    return {
        "id": term.id,
        "code": term.code,
        "name": term.names["en"],
        "description": term.descriptions["en"],
        "parent_id": term_id(term.parent) if term.parent else None,
        "taxonomy": taxonomy.name,
        "language": "en",
        "taxonomy_id": taxonomy.id,
        "term_uri": None,
        "translations": translations,
    }


@lru_cache(maxsize=1)
def load_taxonomy(path: Path = TAXONOMY_FILE) -> Taxonomy:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    meta = data["taxonomy"]
    terms = tuple(
        Term(
            code=str(row["code"]),
            parent=row.get("parent"),
            names={str(k): str(v) for k, v in row["name"].items()},
            descriptions={str(k): str(v).strip() for k, v in row["description"].items()},
        )
        for row in data["terms"]
    )
    return Taxonomy(name=str(meta["id"]), title=str(meta["name"]), version=str(meta["version"]), terms=terms)


@lru_cache(maxsize=1)
def intent_categories(path: Path = INTENT_CATEGORIES_FILE) -> dict[str, tuple[str, ...]]:
    """Topic intent → taxonomy codes, closest first."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(intent): tuple(str(c) for c in codes) for intent, codes in data.items()}
