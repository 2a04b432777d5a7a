"""Compiling the catalogs of every language, also those CLDR does not know (msgfmt semantics)."""

from __future__ import annotations

import gettext
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.languages import LANGUAGES
from content.catalogs import (
    LOCALES,
    TEMPLATE,
    CatalogError,
    compile_catalog,
    compile_to_bytes,
    headers,
    languages_with_catalogs,
    main,
    po_path,
    read_catalog,
    stats,
    update_all,
    update_catalog,
)

HEADER = (
    'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n'
    '"Plural-Forms: {plural}\\n"\n"X-Review-Status: draft\\n"\n\n'
)


def po(tmp_path: Path, body: str, lang: str = "mam", plural: str = "nplurals=1; plural=0;") -> Path:
    path = tmp_path / lang / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER.format(lang=lang, plural=plural) + body, encoding="utf-8")
    return path


def load(data: bytes) -> gettext.GNUTranslations:
    return gettext.GNUTranslations(io.BytesIO(data))


def test_the_template_holds_exactly_the_strings_of_the_code() -> None:
    """CI checks released catalogs against messages.pot; a stale template would hide a new string
    that no catalog translates. Run `make update-messages` when this fails."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = LOCALES.parent
    with (root / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    in_code = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(root, method_map, options_map)
    }
    in_template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_catalog(TEMPLATE) if m.id}
    assert sorted(in_code - in_template) == [], "in the code, missing from locales/messages.pot"
    assert sorted(in_template - in_code) == [], "in locales/messages.pot, no longer in the code"


def test_every_language_has_a_catalog() -> None:
    assert set(LANGUAGES) - {"en"} <= set(languages_with_catalogs())


@pytest.mark.parametrize("lang", languages_with_catalogs())
def test_every_catalog_compiles_and_keeps_its_plural_rule(lang: str) -> None:
    compiled = load(compile_to_bytes(po_path(lang)))
    declared = headers(po_path(lang))["plural-forms"]
    assert compiled.info()["plural-forms"] == declared
    assert compiled.info()["language"] == lang


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code in languages_with_catalogs()])
def test_the_registry_names_the_variety_its_catalog_is_written_in(lang: str) -> None:
    """Translators and reviewers read the variety in bot/languages.py and in the catalog header:
    they must name the same one (a Huasteca speaker must not be asked to review Puebla Nahuatl)."""
    declared = headers(po_path(lang)).get("x-language-variety")
    if declared is not None:
        assert LANGUAGES[lang].variety == declared


def test_a_language_cldr_does_not_know_compiles(tmp_path: Path) -> None:
    path = po(
        tmp_path,
        'msgid "Thank you."\nmsgstr "Chjonte."\n\n'
        'msgid "{n} day"\nmsgid_plural "{n} days"\nmsgstr[0] "{n} q\'ij"\n',
    )
    translations = load(compile_to_bytes(path))
    assert translations.gettext("Thank you.") == "Chjonte."
    # nplurals=1 from the catalog's header, not Babel's default rule (n != 1):
    assert translations.ngettext("{n} day", "{n} days", 5) == "{n} q'ij"


def test_fuzzy_and_empty_entries_are_left_out(tmp_path: Path) -> None:
    path = po(
        tmp_path,
        'msgid "Work"\nmsgstr "Aq\'untl"\n\n'
        '#, fuzzy\nmsgid "Money"\nmsgstr "Pwaq"\n\n'
        '#, fuzzy\nmsgid "See options"\nmsgstr "serves: {population}"\n\n'  # a bad fuzzy match
        'msgid "Health"\nmsgstr ""\n',
    )
    translations = load(compile_to_bytes(path))
    assert translations.gettext("Work") == "Aq'untl"
    assert translations.gettext("Money") == "Money"
    assert translations.gettext("See options") == "See options"
    assert translations.gettext("Health") == "Health"


def test_a_changed_placeholder_is_refused_naming_file_and_msgid(tmp_path: Path) -> None:
    path = po(tmp_path, '#, python-brace-format\nmsgid "Phone: {phone}"\nmsgstr "Teléfono: {telefono}"\n')
    with pytest.raises(CatalogError, match=r"mam/LC_MESSAGES/messages.po \[Phone: \{phone\}\]: placeholders"):
        compile_to_bytes(path)


def test_compile_writes_next_to_the_catalog_and_the_command_reports(tmp_path: Path) -> None:
    path = po(tmp_path, 'msgid "Work"\nmsgstr "Chak"\n', lang="quc")
    out = compile_catalog(path)
    assert out == path.with_suffix(".mo") and load(out.read_bytes()).gettext("Work") == "Chak"
    target = tmp_path / "elsewhere.mo"
    assert main(["compile", str(path), str(target)]) == 0 and target.exists()
    bad = po(tmp_path, 'msgid "In {place}"\nmsgstr "Pa {tinamit}"\n', lang="tzo")
    assert main(["compile", str(bad), str(tmp_path / "bad.mo")]) == 1
    assert main(["bogus"]) == 2
    assert not (tmp_path / "bad.mo").exists()


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
@pytest.mark.parametrize("lang", languages_with_catalogs())
def test_same_translations_as_gnu_msgfmt(tmp_path: Path, lang: str) -> None:
    reference = tmp_path / "reference.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(reference), str(po_path(lang))], check=True)
    ours = load(compile_to_bytes(po_path(lang)))
    theirs = load(reference.read_bytes())
    for message in read_catalog(TEMPLATE):
        if isinstance(message.id, str) and message.id:
            assert ours.gettext(message.id) == theirs.gettext(message.id), (lang, message.id)
    assert ours.info()["plural-forms"] == theirs.info()["plural-forms"]


def test_stats_count_translated_fuzzy_and_missing(tmp_path: Path) -> None:
    template = po(
        tmp_path / "t", 'msgid "Work"\nmsgstr ""\n\nmsgid "Money"\nmsgstr ""\n\nmsgid "Health"\nmsgstr ""\n'
    )
    path = po(tmp_path, 'msgid "Work"\nmsgstr "Chak"\n\n#, fuzzy\nmsgid "Money"\nmsgstr "Pwaq"\n')
    found = stats(path, read_catalog(template), "quc")
    assert (found.translated, found.total, found.fuzzy) == (1, 3, 1)
    assert found.missing == ("Money", "Health")
    assert found.review_status == "draft"
    assert round(found.share, 2) == 0.33


def test_the_indigenous_catalogs_are_drafts_with_a_reviewer_note() -> None:
    for lang, language in LANGUAGES.items():
        if language.released:
            continue
        path = po_path(lang)
        assert headers(path)["x-review-status"] == "draft", path
        assert "NOT REVIEWED" in path.read_text(encoding="utf-8").splitlines()[0], path


def test_compiled_catalogs_are_not_committed() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(LOCALES / "mam" / "LC_MESSAGES" / "messages.mo")],
        cwd=LOCALES.parent,
        check=False,
    )
    assert ignored.returncode == 0


def test_update_merges_the_template_and_keeps_every_header(tmp_path: Path) -> None:
    path = po(
        tmp_path,
        'msgid "Work"\nmsgstr "Aq\'untl"\n\nmsgid "Gone"\nmsgstr "X"\n\n'
        'msgid "Thank you!"\nmsgstr "Chjonte"\n',
    )
    before = headers(path)
    template = po(
        tmp_path / "t", 'msgid "Work"\nmsgstr ""\n\nmsgid "New"\nmsgstr ""\n\nmsgid "Thank you."\nmsgstr ""\n'
    )
    update_catalog(path, read_catalog(template))
    assert headers(path) == before  # Plural-Forms and X-Review-Status survive, unlike pybabel update
    merged = {m.id: m for m in read_catalog(path) if m.id}
    assert set(merged) == {"Work", "New", "Thank you."}
    assert merged["Work"].string == "Aq'untl" and not merged["Work"].fuzzy
    assert merged["New"].string == ""
    assert merged["Thank you."].fuzzy and merged["Thank you."].string == "Chjonte"  # to be checked
    assert load(compile_to_bytes(path)).gettext("Thank you.") == "Thank you."  # fuzzy is not served


def test_updating_the_repository_catalogs_changes_nothing(tmp_path: Path) -> None:
    copy = tmp_path / "locales"
    shutil.copytree(LOCALES, copy, ignore=shutil.ignore_patterns("*.mo"))
    update_all(copy)
    for path in copy.glob("*/LC_MESSAGES/messages.po"):
        original = LOCALES / path.relative_to(copy)
        assert path.read_text(encoding="utf-8") == original.read_text(encoding="utf-8"), original
