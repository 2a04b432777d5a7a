"""Content review: an edit is checked like `brujula content validate` would, written atomically,
and audited before → after; a refused edit writes nothing."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.dialogue.menus import MENU_TOPICS
from bot.languages import LANGUAGES
from content.answers import ANSWERS, AnswerBook
from desk.answer_files import clean_text, dump, leading_comments, parse
from desk.audit import AuditEntry
from desk.content_review import (
    AnswerEdit,
    ContentPlace,
    EditRefused,
    SectionEdit,
    apply_edit,
    open_answer,
    save_answer,
)

TODAY = date(2026, 11, 30)


@pytest.fixture
def place(tmp_path: Path) -> ContentPlace:
    root = tmp_path / "answers"
    shutil.copytree(ANSWERS, root)
    return ContentPlace(root=root, intents=MENU_TOPICS, languages=tuple(LANGUAGES))


def _edit_of(place: ContentPlace, intent: str, language: str, **changes: object) -> AnswerEdit:
    current = open_answer(place, intent, language)
    assert current is not None
    answer = current.answer
    sections = tuple(SectionEdit(s.key, s.title, s.text) for s in answer.sections)
    base = AnswerEdit(summary=answer.summary, sections=sections)
    return AnswerEdit(
        summary=str(changes.get("summary", base.summary)),
        sections=changes.get("sections", base.sections),  # type: ignore[arg-type]
        mark_reviewed=bool(changes.get("mark_reviewed", False)),
    )


def _audit(db: Engine) -> list[AuditEntry]:
    with Session(db) as s:
        return list(s.exec(select(AuditEntry)))


def test_every_answer_file_is_rewritten_exactly_as_it_was_written() -> None:
    for path in sorted(ANSWERS.glob("*/*.yml")):
        text = path.read_text(encoding="utf-8")
        assert dump(parse(text), comments=leading_comments(text)) == text, path


def test_browser_text_is_cleaned() -> None:
    assert clean_text("  uno  \r\n\tdos \r\n") == "uno\n    dos"


def test_saving_unchanged_text_as_a_draft_changes_nothing(place: ContentPlace, db: Engine) -> None:
    current = open_answer(place, "asylum", "ht")
    assert current is not None
    edit = _edit_of(place, "asylum", "ht")
    assert apply_edit(current.text, edit, reviewer="Cora", today=TODAY) == current.text
    saved = save_answer(
        place, db, intent="asylum", language="ht", edit=edit, expected_digest=current.digest,
        actor="cora", reviewer="Cora", today=TODAY,
    )  # fmt: skip
    assert not saved.changed and _audit(db) == []


def test_a_reviewed_edit_is_written_audited_and_served_next(place: ContentPlace, db: Engine) -> None:
    current = open_answer(place, "asylum", "ht")
    assert current is not None
    new_summary = current.answer.summary + "\r\nSi w pa konn li, mande yon moun nan abri a li l pou ou.  "
    edit = _edit_of(place, "asylum", "ht", summary=new_summary, mark_reviewed=True)
    saved = save_answer(
        place, db, intent="asylum", language="ht", edit=edit, expected_digest=current.digest,
        actor="cora", reviewer="Cora  Méndez", today=TODAY,
    )  # fmt: skip
    assert saved.changed
    raw = parse(current.path.read_text(encoding="utf-8"))
    assert raw["status"] == "reviewed" and raw["reviewed_by"] == "Cora Méndez"
    assert raw["last_reviewed"] == TODAY
    assert raw["summary"].endswith("mande yon moun nan abri a li l pou ou.")
    assert current.path.read_text(encoding="utf-8").startswith(current.text.split("summary:")[0][:30])
    assert not list(current.path.parent.glob(".*.tmp"))  # the temporary file was renamed away

    (entry,) = _audit(db)
    assert (entry.actor, entry.action, entry.target) == (
        "cora",
        "content.review",
        "content/answers/asylum/ht.yml",
    )
    assert entry.before == current.text and entry.after == current.path.read_text(encoding="utf-8")
    # the assistant's next answer (the same AnswerBook class the engine uses)
    served = AnswerBook(place.root, check_every=0.0).get("asylum", ["ht"])
    assert served is not None and served.reviewed and "mande yon moun nan abri a" in served.summary


def test_a_draft_edit_keeps_the_last_review(place: ContentPlace, db: Engine) -> None:
    current = open_answer(place, "health", "en")
    assert current is not None
    edit = _edit_of(place, "health", "en", summary=current.answer.summary + " Ask at the shelter.")
    save_answer(
        place, db, intent="health", language="en", edit=edit, expected_digest=current.digest,
        actor="cora", reviewer="Cora", today=TODAY,
    )  # fmt: skip
    raw = parse(current.path.read_text(encoding="utf-8"))
    assert raw["status"] == "draft" and raw["last_reviewed"] == current.answer.last_reviewed
    assert _audit(db)[0].action == "content.edit"


@pytest.mark.parametrize(
    ("intent", "language", "change", "fault"),
    [
        # a phone number the Spanish answer does not have: never invent a number
        (
            "shelter",
            "ht",
            {"summary": "Rele 55 1234 5678 pou yon kabann."},
            "phone numbers not in the Spanish",
        ),
        ("asylum", "en", {"summary": "x" * 701}, "at most 700"),
        ("emergency", "en", {"summary": "Call the local police if you are in danger."}, "911"),
        ("asylum", "es", {"summary": ""}, "missing"),
    ],
)
def test_an_edit_that_would_break_the_content_is_refused_and_nothing_is_written(
    place: ContentPlace, db: Engine, intent: str, language: str, change: dict[str, str], fault: str
) -> None:
    current = open_answer(place, intent, language)
    assert current is not None
    edit = _edit_of(place, intent, language, **change)
    with pytest.raises(EditRefused) as refused:
        save_answer(
            place, db, intent=intent, language=language, edit=edit, expected_digest=current.digest,
            actor="cora", reviewer="Cora", today=TODAY,
        )  # fmt: skip
    assert any(fault in p.message or fault in p.key for p in refused.value.problems), refused.value.problems
    assert current.path.read_text(encoding="utf-8") == current.text
    assert _audit(db) == []


def test_a_section_title_must_fit_a_button(place: ContentPlace, db: Engine) -> None:
    current = open_answer(place, "curp", "es")
    assert current is not None
    first = current.answer.sections[0]
    edit = _edit_of(
        place, "curp", "es", sections=(SectionEdit(first.key, "Un título demasiado largo", first.text),)
    )
    with pytest.raises(EditRefused, match="at most 20"):
        save_answer(
            place, db, intent="curp", language="es", edit=edit, expected_digest=current.digest,
            actor="cora", reviewer="Cora", today=TODAY,
        )  # fmt: skip


def test_an_edit_of_a_file_changed_since_it_was_opened_is_refused(place: ContentPlace, db: Engine) -> None:
    opened = open_answer(place, "work", "es")
    assert opened is not None
    first = _edit_of(place, "work", "es", summary=opened.answer.summary + " Primera edición.")
    save_answer(
        place, db, intent="work", language="es", edit=first, expected_digest=opened.digest,
        actor="ana", reviewer="Ana", today=TODAY,
    )  # fmt: skip
    second = _edit_of(place, "work", "es", summary=opened.answer.summary + " Segunda edición.")
    with pytest.raises(EditRefused) as refused:
        save_answer(
            place, db, intent="work", language="es", edit=second, expected_digest=opened.digest,
            actor="cora", reviewer="Cora", today=TODAY,
        )  # fmt: skip
    assert refused.value.stale
    assert "Primera edición." in opened.path.read_text(encoding="utf-8")


def test_a_fault_already_in_another_file_does_not_block_an_edit(place: ContentPlace, db: Engine) -> None:
    other = place.root / "travel" / "en.yml"
    other.write_text(
        other.read_text(encoding="utf-8").replace("summary: |-\n", "summary: |-\n  " + "y" * 800 + "\n", 1)
    )
    current = open_answer(place, "travel", "ht")
    assert current is not None
    edit = _edit_of(place, "travel", "ht", summary=current.answer.summary + " Mande nan abri a.")
    saved = save_answer(
        place, db, intent="travel", language="ht", edit=edit, expected_digest=current.digest,
        actor="cora", reviewer="Cora", today=TODAY,
    )  # fmt: skip
    assert saved.changed


def test_unknown_topics_and_languages_are_not_files(place: ContentPlace) -> None:
    assert open_answer(place, "../etc", "es") is None
    assert open_answer(place, "asylum", "xx") is None
    assert open_answer(place, "asylum", "mam") is None  # no file yet
