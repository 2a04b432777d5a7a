"""Read Rasa NLU YAML (``nlu/data/<lang>/*.yml``, ``nlu/heldout/<lang>.yml``) into plain examples.

Pure Python and PyYAML only: imported both by the app (evaluation) and inside the Rasa
environment (cross-validation), so it must not import ``rasa`` or ``httpx``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

LANGUAGES = ("es", "en", "ht")

#: ``[surface text](entity)`` — the only entity markup the project uses.
ENTITY = re.compile(r"\[([^\]]+)\]\((\w+)\)")


@dataclass(frozen=True, slots=True)
class Example:
    text: str  # entity markup removed
    intent: str
    language: str
    entities: tuple[tuple[str, str], ...] = ()  # (entity, surface text) as annotated
    marked: str = ""  # the line as written, with entity markup (for Rasa training files)


def parse_line(line: str, intent: str, language: str) -> Example:
    entities = tuple((entity, surface) for surface, entity in ENTITY.findall(line))
    return Example(ENTITY.sub(r"\1", line), intent, language, entities, line)


def read_file(path: Path, language: str) -> list[Example]:
    """The intent examples of one Rasa YAML file (lookup and synonym blocks are skipped)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: list[Example] = []
    for block in data.get("nlu") or []:
        intent = block.get("intent")
        if not intent:
            continue
        for raw in str(block.get("examples") or "").splitlines():
            if raw.startswith("- "):
                line = raw[2:].strip()
                if line:
                    out.append(parse_line(line, str(intent), language))
    return out


def read_training(root: Path) -> list[Example]:
    """``root/<lang>/*.yml`` for every language, in a stable order."""
    out: list[Example] = []
    for language in LANGUAGES:
        for path in sorted((root / language).glob("*.yml")):
            out.extend(read_file(path, language))
    return out


def read_heldout(root: Path) -> list[Example]:
    """``root/<lang>.yml`` for every language, in a stable order."""
    out: list[Example] = []
    for language in LANGUAGES:
        path = root / f"{language}.yml"
        if path.exists():
            out.extend(read_file(path, language))
    return out


def to_rasa_yaml(examples: list[Example]) -> str:
    """Examples back to Rasa's YAML format (one block per intent, markup kept)."""
    by_intent: dict[str, list[str]] = {}
    for ex in examples:
        by_intent.setdefault(ex.intent, []).append(ex.marked or ex.text)
    blocks = [
        {"intent": intent, "examples": "".join(f"- {line}\n" for line in lines)}
        for intent, lines in by_intent.items()
    ]
    return yaml.safe_dump(
        {"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False, width=10_000
    )
