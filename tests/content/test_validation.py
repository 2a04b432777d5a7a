"""Content validation, the CI gate: the real content passes, and each rule fails naming file and key."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.languages import LANGUAGES, RELEASED
from content.answers import ANSWERS, SOURCES
from content.catalogs import LOCALES
from content.problems import Problem
from content.validation import phone_numbers, validate, validate_answers, validate_catalogs
from nlu.intents import TOPIC_INTENTS

TODAY = date(2026, 11, 24)


def test_the_content_and_catalogs_in_the_repository_are_valid() -> None:
    problems = validate(intents=TOPIC_INTENTS, languages=list(LANGUAGES), released=RELEASED)
    assert problems == [], "\n" + "\n".join(str(p) for p in problems)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the answers, sources and catalogs to break."""
    shutil.copytree(ANSWERS, tmp_path / "answers")
    shutil.copy(SOURCES, tmp_path / "sources.yml")
    shutil.copytree(LOCALES, tmp_path / "locales", ignore=shutil.ignore_patterns("*.mo"))
    return tmp_path


def answers_problems(tree: Path) -> list[Problem]:
    return validate_answers(
        intents=TOPIC_INTENTS,
        languages=list(LANGUAGES),
        required=RELEASED,
        root=tree / "answers",
        sources=tree / "sources.yml",
        today=TODAY,
    )


def catalog_problems(tree: Path) -> list[Problem]:
    return validate_catalogs(released=RELEASED, locales=tree / "locales")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(str(p) for p in problems)
    return problems[0]


def test_the_copy_is_clean(tree: Path) -> None:
    assert answers_problems(tree) == [] and catalog_problems(tree) == []


def test_a_missing_released_language_fails_with_the_file(tree: Path) -> None:
    (tree / "answers" / "curp" / "ht.yml").unlink()
    problem = only(answers_problems(tree))
    assert problem.file.endswith("answers/curp/ht.yml") and "missing" in problem.message


def test_a_missing_indigenous_answer_is_not_a_fault(tree: Path) -> None:
    (tree / "answers" / "curp" / "nah.yml").unlink()
    assert answers_problems(tree) == []


@pytest.mark.parametrize(
    ("old", "new", "key", "fault"),
    [
        ("last_reviewed: 2026-11-23\n", "", "last_reviewed", "missing"),
        ("sources: [", "sources: [NOPE, ", "sources", "'NOPE' is not in content/sources.yml"),
        ("status: draft", "status: reviewed", "reviewed_by", "names who reviewed it"),
        ("last_reviewed: 2026-11-23", "last_reviewed: 2027-01-01", "last_reviewed", "in the future"),
        ("reviewed_by: null", "reviewed_by: null\nreviwed_on: 2026-11-23", "reviwed_on", "unknown key"),
        ("title: Pasos", "title: Pasos para pedir asilo en México", "sections[0]", "at most 20"),
        ("- key: steps", "- key: pasos", "sections[0]", "is not one of"),
        ("language: es", "language: en", "language", "does not match the file name"),
    ],
)
def test_each_rule_names_the_file_and_key(tree: Path, old: str, new: str, key: str, fault: str) -> None:
    edit(tree / "answers" / "asylum" / "es.yml", old, new)
    problems = answers_problems(tree)
    assert any(p.file.endswith("asylum/es.yml") and p.key == key and fault in p.message for p in problems), (
        "\n".join(str(p) for p in problems)
    )


def test_a_long_summary_fails(tree: Path) -> None:
    edit(tree / "answers" / "curp" / "en.yml", "summary: |-\n", "summary: |-\n  " + "word " * 150 + "\n")
    problem = only(answers_problems(tree))
    assert problem.key == "summary" and "at most 700" in problem.message


def test_a_phone_number_that_the_spanish_answer_lacks_is_an_invented_number(tree: Path) -> None:
    edit(tree / "answers" / "health" / "ht.yml", "800 911 2000", "800 911 2001")
    problem = only(answers_problems(tree))
    assert problem.file.endswith("health/ht.yml") and "8009112001" in problem.message


def test_an_emergency_message_that_drops_a_number_fails(tree: Path) -> None:
    edit(tree / "answers" / "emergency" / "nah.yml", "• 079, opción 1: cihuameh, violencia.\n", "")
    problem = only(answers_problems(tree))
    assert problem.file.endswith("emergency/nah.yml") and "079" in problem.message


def test_an_emergency_message_that_does_not_lead_with_911_fails(tree: Path) -> None:
    path = tree / "answers" / "emergency" / "quc.yml"
    edit(path, "summary: |-\n", "summary: |-\n  " + "Jun. " * 45 + "\n")
    problems = answers_problems(tree)
    assert any(p.key == "summary" and "911" in p.message for p in problems)


def test_a_file_for_an_unknown_intent_or_language_fails(tree: Path) -> None:
    shutil.copy(tree / "answers" / "curp" / "es.yml", tree / "answers" / "curp" / "xx.yml")
    (tree / "answers" / "weather").mkdir()
    shutil.copy(tree / "answers" / "curp" / "es.yml", tree / "answers" / "weather" / "es.yml")
    problems = answers_problems(tree)
    assert {p.key for p in problems} == {"language", "intent"}


class TestCatalogs:
    def po(self, tree: Path, lang: str) -> Path:
        return tree / "locales" / lang / "LC_MESSAGES" / "messages.po"

    def test_an_untranslated_string_in_a_released_catalog_names_the_msgid(self, tree: Path) -> None:
        edit(self.po(tree, "ht"), 'msgstr "Lajan"', 'msgstr ""')
        problem = only(catalog_problems(tree))
        assert problem.file.endswith("ht/LC_MESSAGES/messages.po") and problem.key == "Money"
        assert "missing translation" in problem.message

    def test_a_fuzzy_string_in_a_released_catalog_names_the_msgid(self, tree: Path) -> None:
        edit(self.po(tree, "es"), 'msgid "Money"', '#, fuzzy\nmsgid "Money"')
        problem = only(catalog_problems(tree))
        assert problem.key == "Money" and "fuzzy" in problem.message

    def test_a_fuzzy_header_in_a_released_catalog_fails(self, tree: Path) -> None:
        edit(self.po(tree, "en"), 'msgid ""\nmsgstr ""', '#, fuzzy\nmsgid ""\nmsgstr ""')
        assert "header is marked fuzzy" in only(catalog_problems(tree)).message

    def test_a_new_msgid_in_the_template_is_missing_from_released_catalogs(self, tree: Path) -> None:
        pot = tree / "locales" / "messages.pot"
        pot.write_text(pot.read_text(encoding="utf-8") + '\nmsgid "Brand new"\nmsgstr ""\n', encoding="utf-8")
        problems = catalog_problems(tree)
        assert sorted(p.file.split("/")[-3] for p in problems) == sorted(RELEASED)
        assert {p.key for p in problems} == {"Brand new"}

    def test_draft_catalogs_may_be_incomplete(self, tree: Path) -> None:
        edit(self.po(tree, "nah"), 'msgstr "Tomin"', 'msgstr ""')
        assert catalog_problems(tree) == []

    def test_a_changed_placeholder_fails_in_any_catalog(self, tree: Path) -> None:
        edit(self.po(tree, "es"), "Dirección: {address}", "Dirección: {direccion}")
        problem = only(catalog_problems(tree))
        assert problem.key == "Address: {address}" and "placeholders" in problem.message

    def test_a_catalog_without_plural_forms_fails(self, tree: Path) -> None:
        po = self.po(tree, "otq")
        po.write_text(
            "\n".join(
                line for line in po.read_text(encoding="utf-8").splitlines() if "Plural-Forms" not in line
            ),
            encoding="utf-8",
        )
        assert "Plural-Forms" in only(catalog_problems(tree)).message

    def test_a_missing_released_catalog_fails(self, tree: Path) -> None:
        shutil.rmtree(tree / "locales" / "ht")
        assert "released language" in only(catalog_problems(tree)).message


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Llama al 911.", {"911"}),
        ("089: denuncia. 079, opción 1.", {"089", "079"}),
        ("Línea de la Vida, 800 911 2000, gratis", {"8009112000"}),
        ("800 5533 000: trata", {"8005533000"}),
        ("Locatel, 55 5658 1111 o *0311", {"5556581111", "*0311"}),
        ("+52 1 55 8012 9055", {"5580129055"}),
        ("de 9:00 a 18:00, 30 días, el 20 de enero de 2025, 1.5 km, 10 000 pesos", set()),
    ],
)
def test_phone_numbers_are_told_from_dates_times_and_amounts(text: str, numbers: set[str]) -> None:
    assert phone_numbers(text) == numbers
