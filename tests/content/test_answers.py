"""The answer files: every topic in es, en and ht, sourced and dated; the loader's rules; fallback
along the language chain; voice recordings; reload without restart."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from bot.languages import LANGUAGES, RELEASED
from content import AnswerBook
from content.answers import ANSWERS, SECTION_KEYS, SOURCES, ContentError, load_answer, load_sources
from nlu.intents import TOPIC_INTENTS

GOOD = (
    "intent: asylum\nlanguage: {lang}\nstatus: draft\nlast_reviewed: 2026-11-23\n"
    "summary: {summary}\nsources: [S1]\n"
)


@pytest.fixture(scope="module")
def book() -> AnswerBook:
    return AnswerBook()


def write(root: Path, intent: str, lang: str, text: str) -> Path:
    path = root / intent / f"{lang}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


@pytest.mark.parametrize("lang", RELEASED)
@pytest.mark.parametrize("intent", TOPIC_INTENTS)
def test_every_topic_has_a_sourced_dated_answer(book: AnswerBook, intent: str, lang: str) -> None:
    answer = book.get(intent, [lang])
    where = f"content/answers/{intent}/{lang}.yml"
    assert answer is not None, f"{where} is missing"
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


def test_emergency_answers_lead_with_911_in_every_language_that_has_one(book: AnswerBook) -> None:
    found = [a for a in book.all() if a.intent == "emergency"]
    assert {a.language for a in found} >= set(RELEASED)
    for answer in found:
        assert "911" in answer.summary[:200], answer.language


def test_answers_in_unreleased_languages_are_drafts_that_say_so() -> None:
    drafts = [p for p in ANSWERS.glob("*/*.yml") if p.stem not in RELEASED]
    assert drafts, "no indigenous-language answers"
    for path in drafts:
        assert path.stem in LANGUAGES, path
        text = path.read_text(encoding="utf-8")
        assert "status: draft" in text, f"{path}: only a community reviewer marks it reviewed"
        first = text.splitlines()[0]
        assert first.startswith("#") and "NOT REVIEWED" in first, f"{path}: needs the reviewer header"


def test_a_bad_source_key_names_the_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(GOOD.format(lang="es", summary="x").replace("[S1]", "[S999999]"))
    with pytest.raises(ContentError, match=r"bad\.yml \[sources\]: source 'S999999'"):
        load_answer(bad, load_sources())


def test_a_missing_review_date_names_the_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "es.yml"
    bad.write_text(GOOD.format(lang="es", summary="x").replace("last_reviewed: 2026-11-23\n", ""))
    with pytest.raises(ContentError, match=r"es\.yml \[last_reviewed\]: missing"):
        load_answer(bad, load_sources())


def test_broken_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "es.yml"
    bad.write_text("intent: asylum\nsummary: [unclosed\n")
    with pytest.raises(ContentError, match=r"es\.yml: not valid YAML .*line"):
        load_answer(bad, load_sources())


def test_a_file_must_sit_at_its_intent_and_language(tmp_path: Path) -> None:
    write(tmp_path, "curp", "es", GOOD.format(lang="es", summary="x"))  # says asylum, sits in curp/
    with pytest.raises(ContentError, match=r"curp/es\.yml \[intent\]"):
        AnswerBook(tmp_path, SOURCES)


class TestAudio:
    def test_a_recording_under_content_audio_is_attached(self, tmp_path: Path) -> None:
        audio = tmp_path / "audio" / "asylum"
        audio.mkdir(parents=True)
        (audio / "mam.ogg").write_bytes(b"OggS")
        write(
            tmp_path / "answers",
            "asylum",
            "mam",
            GOOD.format(lang="mam", summary="x") + "audio: asylum/mam.ogg\n",
        )
        book = AnswerBook(tmp_path / "answers", SOURCES)
        answer = book.get("asylum", ["mam"])
        assert answer is not None and answer.audio == audio / "mam.ogg"

    @pytest.mark.parametrize(
        ("value", "fault"),
        [
            ("asylum/missing.ogg", "content/audio/asylum/missing.ogg does not exist"),
            ("asylum/mam.mp3", "must be an .ogg or .opus file"),
            ("../../etc/passwd.ogg", "must be a path under content/audio/"),
            ("/tmp/x.ogg", "must be a path under content/audio/"),
        ],
    )
    def test_a_bad_recording_names_the_file_and_key(self, tmp_path: Path, value: str, fault: str) -> None:
        path = write(
            tmp_path / "answers", "asylum", "mam", GOOD.format(lang="mam", summary="x") + f"audio: {value}\n"
        )
        with pytest.raises(ContentError, match=rf"mam\.yml \[audio\]: {re.escape(fault)}"):
            load_answer(path, load_sources(), tmp_path / "audio")


class TestFallbackAlongTheChain:
    @pytest.fixture
    def root(self, tmp_path: Path) -> Path:
        root = tmp_path / "answers"
        (root / "asylum").mkdir(parents=True)
        shutil.copy(ANSWERS / "asylum" / "es.yml", root / "asylum" / "es.yml")
        write(root, "asylum", "mam", GOOD.format(lang="mam", summary="resumen corto"))
        return root

    def test_a_short_answer_carries_the_sections_of_the_next_language(self, root: Path) -> None:
        book = AnswerBook(root, SOURCES)
        answer = book.get("asylum", ["mam", "es"])
        assert answer is not None
        assert answer.language == "mam" and answer.summary == "resumen corto"
        assert [s.key for s in answer.sections] == ["steps", "documents", "where", "rights", "problems"]
        assert {s.language for s in answer.sections} == {"es"}
        assert answer.section("steps") is not None

    def test_sections_of_its_own_are_not_replaced(self, book: AnswerBook) -> None:
        answer = book.get("asylum", ["ht", "fr", "es"])
        assert answer is not None and answer.language == "ht"
        assert {s.language for s in answer.sections} == {""}

    def test_a_missing_language_falls_back_and_along_lists_the_chain(self, root: Path) -> None:
        book = AnswerBook(root, SOURCES)
        assert book.get("asylum", ["otq", "es"]).language == "es"  # type: ignore[union-attr]
        assert [a.language for a in book.along("asylum", ["mam", "otq", "es"])] == ["mam", "es"]
        assert book.get("curp", ["mam", "es"]) is None


def test_edits_are_picked_up_without_restart(tmp_path: Path) -> None:
    path = write(tmp_path / "answers", "asylum", "es", GOOD.format(lang="es", summary="primera versión"))
    book = AnswerBook(tmp_path / "answers", SOURCES, check_every=0.0)
    assert book.get("asylum", ["es"]).summary == "primera versión"  # type: ignore[union-attr]
    path.write_text(path.read_text().replace("primera", "segunda"))
    touch_later(path)
    assert book.get("asylum", ["es"]).summary == "segunda versión"  # type: ignore[union-attr]


def test_a_broken_edit_keeps_the_last_good_answer_and_says_why(tmp_path: Path) -> None:
    path = write(tmp_path / "answers", "asylum", "es", GOOD.format(lang="es", summary="buena"))
    book = AnswerBook(tmp_path / "answers", SOURCES, check_every=0.0)
    path.write_text(path.read_text().replace("status: draft", "status: maybe"))
    touch_later(path)
    assert book.get("asylum", ["es"]).summary == "buena"  # type: ignore[union-attr]
    assert book.last_error is not None and "[status]" in book.last_error
    path.write_text(path.read_text().replace("status: maybe", "status: draft").replace("buena", "arreglada"))
    touch_later(path)
    assert book.get("asylum", ["es"]).summary == "arreglada"  # type: ignore[union-attr]
    assert book.last_error is None


def test_a_new_file_is_picked_up_without_restart(tmp_path: Path) -> None:
    write(tmp_path / "answers", "asylum", "es", GOOD.format(lang="es", summary="es"))
    book = AnswerBook(tmp_path / "answers", SOURCES, check_every=0.0)
    assert book.get("asylum", ["nah"]) is None
    write(tmp_path / "answers", "asylum", "nah", GOOD.format(lang="nah", summary="nah"))
    assert book.get("asylum", ["nah"]).summary == "nah"  # type: ignore[union-attr]


def test_no_answer_file_is_outside_the_intent_contract() -> None:
    for path in ANSWERS.glob("*/*.yml"):
        assert path.parent.name in TOPIC_INTENTS, path
        assert path.stem in LANGUAGES, path
