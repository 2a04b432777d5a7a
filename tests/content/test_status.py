"""`brujula content status`: per language, interface strings translated and answers reviewed /
draft / missing; answers not reviewed in the last 180 days."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.commands.content import content
from bot.languages import LANGUAGES, RELEASED
from content.answers import SOURCES
from content.status import content_status
from nlu.intents import TOPIC_INTENTS

ANSWER = (
    "intent: {intent}\nlanguage: {lang}\nstatus: {status}\nlast_reviewed: {when}\n"
    "reviewed_by: {who}\nsummary: x\nsources: [S1]\n"
)
HEADER = (
    'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n"X-Review-Status: {review}\\n"\n\n'
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    answers = tmp_path / "answers"

    def answer(intent: str, lang: str, status: str = "draft", when: str = "2026-11-23") -> None:
        who = "Ana (COMAR volunteer)" if status == "reviewed" else "null"
        path = answers / intent / f"{lang}.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ANSWER.format(intent=intent, lang=lang, status=status, when=when, who=who))

    answer("asylum", "es", "reviewed", "2026-10-01")
    answer("curp", "es", "draft", "2026-01-02")  # 325 days before "today": stale
    answer("health", "es", "reviewed", "2026-05-27")  # exactly 180 days: not stale yet
    answer("asylum", "mam", "draft")

    locales = tmp_path / "locales"
    locales.mkdir()
    (locales / "messages.pot").write_text(
        HEADER.format(review="") + 'msgid "Work"\nmsgstr ""\n\nmsgid "Money"\nmsgstr ""\n'
        '\nmsgid "Health"\nmsgstr ""\n\nmsgid "School"\nmsgstr ""\n'
    )
    for lang, body, review in (
        (
            "es",
            'msgid "Work"\nmsgstr "Trabajo"\n\nmsgid "Money"\nmsgstr "Dinero"\n\n'
            'msgid "Health"\nmsgstr "Salud"\n\nmsgid "School"\nmsgstr "Escuela"\n',
            "reviewed",
        ),
        ("mam", 'msgid "Work"\nmsgstr "Aq\'untl"\n\n#, fuzzy\nmsgid "Money"\nmsgstr "Tumin"\n', "draft"),
    ):
        po = locales / lang / "LC_MESSAGES" / "messages.po"
        po.parent.mkdir(parents=True)
        po.write_text(HEADER.format(review=review) + body)
    return tmp_path


def test_figures_per_language(tree: Path) -> None:
    report = content_status(
        intents=("asylum", "curp", "health", "work"),
        languages=["es", "mam", "otq"],
        today=date(2026, 11, 23),
        root=tree / "answers",
        sources=SOURCES,
        locales=tree / "locales",
    )
    es, mam, otq = report.languages
    assert (es.reviewed, es.draft, es.missing) == (("asylum", "health"), ("curp",), ("work",))
    assert (es.interface_translated, es.interface_total, es.interface_review) == (4, 4, "reviewed")
    assert (mam.reviewed, mam.draft) == ((), ("asylum",)) and len(mam.missing) == 3
    assert (mam.interface_translated, mam.interface_review) == (1, "draft")  # the fuzzy one does not count
    assert mam.interface_share == 0.25
    assert otq.missing == ("asylum", "curp", "health", "work") and otq.interface_review == "missing"
    assert [(s.intent, s.language, s.days) for s in report.stale] == [("curp", "es", 325)]

    data = report.to_json()
    first = data["languages"][0]  # type: ignore[index]
    assert first["answers"] == {
        "total": 4,
        "reviewed": 2,
        "draft": 1,
        "missing": 1,
        "reviewed_share": 0.5,
        "draft_share": 0.25,
        "missing_share": 0.25,
        "missing_intents": ["work"],
        "with_audio": [],
    }
    assert first["interface"] == {"translated": 4, "total": 4, "share": 1.0, "review": "reviewed"}
    assert data["stale"] == [{"intent": "curp", "language": "es", "last_reviewed": "2026-01-02", "days": 325}]


def test_the_command_reports_every_language_as_json() -> None:
    result = CliRunner().invoke(content, ["status", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    rows = {row["language"]: row for row in data["languages"]}
    assert list(rows) == list(LANGUAGES)
    for lang in RELEASED:
        assert rows[lang]["answers"]["missing"] == 0
        assert rows[lang]["interface"]["share"] == 1.0
        assert rows[lang]["answers"]["total"] == len(TOPIC_INTENTS)
    for lang in LANGUAGES:
        if lang not in RELEASED:
            assert rows[lang]["answers"]["reviewed"] == 0  # only a community reviewer marks them
            assert 0 <= rows[lang]["interface"]["share"] < 1


def test_the_command_prints_a_table_and_the_stale_answers() -> None:
    result = CliRunner().invoke(content, ["status", "--as-of", "2027-06-01"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].split() == [
        "language",
        "interface",
        "catalog",
        "reviewed",
        "draft",
        "missing",
        "audio",
    ]
    assert "Not reviewed in the last 180 days" in result.output
    assert "asylum/es.yml" in result.output


def test_the_command_does_not_call_drafts_reviewed() -> None:
    """`last_reviewed` is when the text was checked against its sources; `reviewed` is a person's
    sign-off. A table showing 0 reviewed must not end with "every answer was reviewed"."""
    as_of = ["--as-of", "2026-11-24"]
    data = json.loads(CliRunner().invoke(content, ["status", "--json", *as_of]).output)
    drafts = sum(row["answers"]["draft"] for row in data["languages"])
    result = CliRunner().invoke(content, ["status", *as_of])
    assert result.exit_code == 0, result.output
    assert "Every answer was reviewed" not in result.output
    if not data["stale"]:
        assert "Every answer was checked against its sources in the last 180 days." in result.output
    if drafts:
        assert f"{drafts} answers are drafts: no reviewer has marked them reviewed yet." in result.output


def test_validate_exits_zero_on_the_repository_content() -> None:
    result = CliRunner().invoke(content, ["validate"])
    assert result.exit_code == 0, result.output
