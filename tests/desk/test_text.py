"""Every string the desk shows goes through gettext and is translated in Spanish and Haitian Creole
— in the catalogs, or staged in ``desk/staged_messages.py`` until merged — placeholders kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from bot.i18n import is_translated
from content.catalogs import placeholders
from desk.staged_messages import MESSAGES, po_entries
from desk.text import DeskText, negotiate

DESK = Path(__file__).resolve().parents[2] / "desk"


def desk_msgids() -> set[str]:
    """What ``pybabel extract`` finds in ``desk/`` (Python and templates), as babel.cfg should say."""
    found = extract_from_dir(
        str(DESK),
        method_map=[("**.py", "python"), ("templates/**.html", "jinja2")],
        keywords={"_": None, "gettext": None},
    )
    return {message for _file, _line, message, _comments, _context in found if isinstance(message, str)}


def test_the_extraction_finds_the_desk_strings() -> None:
    ids = desk_msgids()
    assert len(ids) > 100
    assert {"Sign in", "Conversations waiting for a person", "Questions by topic and week"} <= ids


@pytest.mark.parametrize("language", ["es", "ht"])
def test_every_desk_string_is_translated_with_its_placeholders(language: str) -> None:
    missing = [
        m
        for m in sorted(desk_msgids())
        if not is_translated(language, m) and not MESSAGES.get(m, {}).get(language)
    ]
    assert missing == []
    for msgid in desk_msgids():
        staged = MESSAGES.get(msgid, {}).get(language)
        if staged:
            assert placeholders(staged) == placeholders(msgid), (language, msgid)
        values = {name: "X" for name in placeholders(msgid)}
        assert DeskText(language).gettext(msgid, **values), (language, msgid)  # raises on a foreign one


def test_staged_translations_are_only_for_strings_the_desk_uses() -> None:
    assert set(MESSAGES) <= desk_msgids()


def test_staged_translations_print_as_po_entries() -> None:
    if not MESSAGES:
        pytest.skip("everything is merged into locales/")
    msgid, texts = next(iter(MESSAGES.items()))
    assert f'msgid "{msgid}"\nmsgstr "{texts["es"]}"' in po_entries("es")
    assert f'msgid "{msgid}"\nmsgstr ""' in po_entries(None)
    assert f'msgid "{msgid}"\nmsgstr "{msgid}"' in po_entries("en")
    assert '#, python-brace-format\nmsgid "Conversation #{number}"' in po_entries("ht")


def test_interface_language_from_the_browser() -> None:
    assert negotiate("en-US,en;q=0.9") == "en"
    assert negotiate("fr-FR, ht;q=0.8") == "ht"
    assert negotiate("de") == "es" and negotiate("") == "es"
    assert DeskText("xx").language == "es"
    assert DeskText("es").gettext("Conversation #{number}", number=3) == "Conversación #3"
    assert DeskText("ht").gettext("Sign in") == "Konekte"
