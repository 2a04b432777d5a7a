"""Languages and catalogs: each language named in itself, fallback chains, and gettext that never
breaks the conversation."""

from __future__ import annotations

import gettext
import os
import shutil
from pathlib import Path

import pytest

from bot.i18n import is_translated, reset, translations
from bot.languages import DEFAULT_LANGUAGE, LANGUAGES, RELEASED, chain
from content.catalogs import LOCALES, TEMPLATE, compile_catalog, placeholders, read_catalog

NOTE = "(This answer is not yet available in your language; here it is in the closest one.)"
INDIGENOUS = ("quc", "mam", "tzo", "nah", "otq")
MSGIDS = [m.id for m in read_catalog(TEMPLATE) if isinstance(m.id, str) and m.id]


@pytest.fixture(autouse=True)
def fresh_catalogs() -> None:
    reset()


def test_the_five_indigenous_languages_are_offered_by_their_own_names() -> None:
    assert {code: LANGUAGES[code].endonym for code in INDIGENOUS} == {
        "quc": "K'iche'",
        "mam": "Mam",
        "tzo": "Bats'i k'op (Tsotsil)",
        "nah": "Nahuatl / Mexicano",
        "otq": "Hñäñho (Otomí)",
    }
    for code in INDIGENOUS:
        assert not LANGUAGES[code].released
        assert LANGUAGES[code].variety, code
    assert RELEASED == ("es", "en", "ht")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("mam", ["mam", "es"]),
        ("nah", ["nah", "es"]),
        ("ht", ["ht", "fr", "es"]),
        ("en", ["en", "es"]),
        ("es", ["es"]),
        ("xx", ["xx", "es"]),
    ],
)
def test_fallback_chains_end_in_spanish(code: str, expected: list[str]) -> None:
    assert chain(code) == expected


@pytest.mark.parametrize("code", INDIGENOUS)
def test_an_untranslated_string_falls_back_to_spanish(code: str) -> None:
    t = translations(code)
    spanish = translations(DEFAULT_LANGUAGE)
    msgid = "Sorry, something went wrong on my side. Please try again, or choose a topic:"
    assert not is_translated(code, msgid)
    assert t.gettext(msgid) == spanish.gettext(msgid) != msgid


@pytest.mark.parametrize(
    ("code", "msgid", "expected"),
    [
        ("nah", "Money", "Tomin"),
        ("quc", "Thank you.", "Maltyox."),
        ("tzo", "School", "Chanob vun"),
        ("mam", "Work", "Aq'untl"),
        ("otq", "OK, I will write in English.", "✓ Hñäñho"),
    ],
)
def test_a_translated_string_is_used(code: str, msgid: str, expected: str) -> None:
    assert translations(code).gettext(msgid) == expected
    assert is_translated(code, msgid)


@pytest.mark.parametrize("code", [*RELEASED, *INDIGENOUS])
def test_switching_language_never_claims_english(code: str) -> None:
    """The confirmation names the chosen language: a fallback to Spanish would say "español"."""
    said = translations(code).gettext("OK, I will write in English.")
    if code != "en":
        assert is_translated(code, "OK, I will write in English."), code
        assert "English" not in said


@pytest.mark.parametrize("code", ["quc", "tzo", "nah"])
def test_the_fallback_note_is_in_the_language_where_it_is_drafted(code: str) -> None:
    assert is_translated(code, NOTE)
    assert translations(code).gettext(NOTE) != translations("es").gettext(NOTE)


@pytest.mark.parametrize("code", sorted({*LANGUAGES, "fr", "pt"} - {"en"}))
def test_every_translation_formats_with_the_msgids_placeholders(code: str) -> None:
    t = translations(code)
    for msgid in MSGIDS:
        values = {name: "X" for name in placeholders(msgid)}
        assert t.gettext(msgid).format(**values), (code, msgid)  # raises on a foreign placeholder


@pytest.mark.parametrize("code", INDIGENOUS)
def test_emergency_line_keeps_911_in_digits(code: str) -> None:
    assert "911" in translations(code).gettext("If you are in danger right now, call 911 (free, 24 hours).")


def copy_locales(tmp_path: Path) -> Path:
    target = tmp_path / "locales"
    shutil.copytree(LOCALES, target, ignore=shutil.ignore_patterns("*.mo"))
    return target


def test_a_po_newer_than_its_mo_is_read_directly(tmp_path: Path) -> None:
    locales = copy_locales(tmp_path)
    po = locales / "nah" / "LC_MESSAGES" / "messages.po"
    compile_catalog(po)
    assert translations("nah", locales).gettext("Money") == "Tomin"
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "Tomin"', 'msgstr "Tomin!"'), encoding="utf-8"
    )
    mo = po.with_suffix(".mo")
    os.utime(po, ns=(mo.stat().st_atime_ns, mo.stat().st_mtime_ns + 5_000_000_000))
    reset()
    assert translations("nah", locales).gettext("Money") == "Tomin!"


def test_a_broken_catalog_is_skipped_and_spanish_answers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    locales = copy_locales(tmp_path)
    po = locales / "quc" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgid "Phone: {phone}"\nmsgstr ""' in text
    po.write_text(
        text.replace('msgid "Phone: {phone}"\nmsgstr ""', 'msgid "Phone: {phone}"\nmsgstr "{numero}"')
    )
    t = translations("quc", locales)
    assert t.gettext("Phone: {phone}").format(phone="1") == "Teléfono: 1"
    assert "catalog skipped" in caplog.text and "quc" in caplog.text


def test_english_is_the_msgid_itself() -> None:
    assert isinstance(translations("en"), gettext.NullTranslations)
    assert translations("en").gettext("Money") == "Money"
    assert is_translated("en", "Money")
