"""Content validation: every topic has an answer in es, en and ht, sourced, dated, within limits."""

from __future__ import annotations

import pytest

from content import AnswerBook
from content.answers import ANSWERS, SECTION_KEYS, load_answer, load_sources
from nlu.intents import TOPIC_INTENTS


@pytest.fixture(scope="module")
def book() -> AnswerBook:
    return AnswerBook()


@pytest.mark.parametrize("lang", ["es", "en", "ht"])
@pytest.mark.parametrize("intent", TOPIC_INTENTS)
def test_every_topic_has_a_sourced_dated_answer(book: AnswerBook, intent: str, lang: str) -> None:
    answer = book.get(intent, [lang])
    assert answer is not None, f"content/answers/{intent}/{lang}.yml is missing"
    where = f"content/answers/{intent}/{lang}.yml"
    assert answer.language == lang and answer.intent == intent, where
    assert len(answer.summary) <= 700, f"{where}: summary is {len(answer.summary)} characters"
    assert answer.sources, f"{where}: no sources"
    assert answer.last_reviewed is not None, f"{where}: no last_reviewed date"
    for section in answer.sections:
        assert section.key in SECTION_KEYS, f"{where}: section key {section.key}"
        assert len(section.title) <= 20, f"{where}: title {section.title!r} is over 20 characters"
        assert len(f"sec:{intent}:{section.key}".encode()) <= 64


@pytest.mark.parametrize("intent", TOPIC_INTENTS)
def test_languages_carry_the_same_sections_and_sources(book: AnswerBook, intent: str) -> None:
    es, en, ht = (book.get(intent, [lang]) for lang in ("es", "en", "ht"))
    assert es and en and ht
    keys = [s.key for s in es.sections]
    assert [s.key for s in en.sections] == keys and [s.key for s in ht.sections] == keys
    assert {s.key for s in es.sources} == {s.key for s in en.sources} == {s.key for s in ht.sources}


def test_emergency_answers_lead_with_911() -> None:
    book = AnswerBook()
    for lang in ("es", "en", "ht"):
        answer = book.get("emergency", [lang])
        assert answer is not None and "911" in answer.summary[:200], lang


def test_a_bad_source_key_names_the_file_and_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yml"
    bad.write_text("intent: asylum\nlanguage: es\nstatus: draft\nsummary: x\nsources: [S999999]\n")
    with pytest.raises(ValueError, match=r"bad\.yml: source 'S999999'"):
        load_answer(bad, load_sources())


def test_no_answer_file_is_outside_the_intent_contract() -> None:
    for path in ANSWERS.glob("*/*.yml"):
        assert path.parent.name in TOPIC_INTENTS, path


def test_edits_are_picked_up_without_restart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "answers" / "asylum"
    root.mkdir(parents=True)
    path = root / "es.yml"
    path.write_text(
        "intent: asylum\nlanguage: es\nstatus: draft\nlast_reviewed: 2026-11-23\n"
        "summary: primera versión\nsources: [S1]\n"
    )
    book = AnswerBook(tmp_path / "answers", check_every=0.0)
    assert book.get("asylum", ["es"]).summary == "primera versión"  # type: ignore[union-attr]
    path.write_text(path.read_text().replace("primera", "segunda"))
    import os

    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    assert book.get("asylum", ["es"]).summary == "segunda versión"  # type: ignore[union-attr]
