"""Scoring the held-out set as the product decides, with a scripted classifier instead of Rasa."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nlu.client import Parse
from nlu.confusion_image import confusion_svg
from nlu.evaluation import Thresholds, coverage_table, failures, run, summarise
from nlu.evaluation_report import console_summary, markdown
from nlu.examples import Example, parse_line
from nlu.intents import ALL_INTENTS

EXAMPLES = [
    parse_line("necesito asilo en [tapachula](location)", "asylum", "es"),
    parse_line("quiero cruzar a estados unidos", "travel", "es"),
    parse_line("nos tienen secuestrados", "emergency", "es"),
    parse_line("mi bebe no respira", "emergency", "es"),
    parse_line("hello", "greet", "en"),
    parse_line("where is a shelter", "shelter", "en"),
    parse_line("bonjou", "greet", "ht"),
    parse_line("m bezwen travay", "work", "ht"),
]


class Scripted:
    """Answers from a table; unknown texts are out_of_scope."""

    def __init__(self, table: dict[str, Parse]) -> None:
        self.table = table

    async def parse(self, text: str) -> Parse:
        return self.table.get(text, Parse("out_of_scope", 0.2))


def danger(text: str) -> bool:
    return "secuestr" in text


def language(text: str) -> str | None:
    return "es" if "necesito" in text or "quiero" in text else "en"


TABLE = {
    "necesito asilo en tapachula": Parse("asylum", 0.95, entities=()),
    "quiero cruzar a estados unidos": Parse("asylum", 0.7),  # the confusion that matters
    "nos tienen secuestrados": Parse("violence", 0.8),  # model wrong, safety net right
    "mi bebe no respira": Parse("emergency", 0.9),
    "hello": Parse("greet", 0.99),
    "where is a shelter": Parse("shelter", 0.5),  # right but below the threshold
    "bonjou": Parse("greet", 0.97),
    "m bezwen travay": Parse("work", 0.9),
}


async def outcomes_for(table: dict[str, Parse], examples: list[Example] = EXAMPLES) -> list:  # type: ignore[type-arg]
    return await run(
        examples,
        Scripted(table),
        danger=danger,
        detect_language=language,
        emergency_min_confidence=0.4,
        canonical_place=lambda v: v.title(),
    )


async def test_safety_net_overrides_the_model_as_the_product_does() -> None:
    outcomes = await outcomes_for(TABLE)
    kidnap = next(o for o in outcomes if o.example.text == "nos tienen secuestrados")
    assert kidnap.parse.intent == "violence"
    assert kidnap.safety_net and kidnap.flagged and kidnap.final == "emergency"
    baby = next(o for o in outcomes if o.example.text == "mi bebe no respira")
    assert baby.flagged and not baby.safety_net


async def test_an_unsure_emergency_from_the_model_is_not_flagged() -> None:
    table = {**TABLE, "mi bebe no respira": Parse("emergency", 0.3)}
    report = summarise(await outcomes_for(table), threshold=0.55, emergency_min_confidence=0.4)
    assert report.overall.emergency.recall == pytest.approx(0.5)
    assert failures(report, Thresholds({}, 1.0, 1.0, 0.0)) == ["emergency recall: 0.500 < 1.00"]


async def test_figures_per_language_and_overall() -> None:
    report = summarise(await outcomes_for(TABLE), threshold=0.55, emergency_min_confidence=0.4)
    assert set(report.sections) == {"es", "en", "ht", "all"}
    es = report.sections["es"]
    assert es.product.n == 4 and es.product.accuracy == pytest.approx(3 / 4)
    assert es.model.accuracy == pytest.approx(2 / 4)  # the model alone misses the kidnapping
    assert report.sections["ht"].product.macro_f1 == pytest.approx(1.0)
    assert report.overall.emergency.recall == 1.0
    assert report.overall.emergency.false_positive_rate == 0.0
    assert report.sections["en"].language_accuracy == pytest.approx(1.0)
    assert report.sections["ht"].language_accuracy == 0.0
    # answered directly: 6 non-emergencies, "where is a shelter" (0.5) is below 0.55
    assert report.overall.not_flagged == 6 and report.overall.answered == 5
    assert report.places.expected == 1


async def test_gates_fail_below_thresholds_and_pass_above() -> None:
    report = summarise(await outcomes_for(TABLE), threshold=0.55, emergency_min_confidence=0.4)
    strict = Thresholds({"es": 0.95, "ht": 0.9, "xx": 0.5}, 1.0, 0.0, 0.9)
    problems = failures(report, strict)
    assert any(p.startswith("macro-F1 es:") for p in problems)
    assert "macro-F1 xx: no held-out examples" in problems
    assert any(p.startswith("language suggestion accuracy") for p in problems)
    assert not any(p.startswith("macro-F1 ht") for p in problems)
    assert failures(report, Thresholds({"ht": 0.9}, 1.0, 0.1, 0.5)) == []


async def test_report_names_the_confusions_and_missed_emergencies() -> None:
    table = {**TABLE, "mi bebe no respira": Parse("health", 0.9)}
    report = summarise(
        await outcomes_for(table), threshold=0.55, emergency_min_confidence=0.4, model="m.tar.gz"
    )
    text = markdown(report, failures=["emergency recall: 0.500 < 1.00"], images=["c.svg"], command="x")
    assert "**FAIL** emergency recall" in text
    assert "### Missed emergencies" in text and "mi bebe no respira" in text
    assert "| travel | asylum | 1 | Mexican asylum vs. US asylum/travel" in text
    assert "![confusion matrix](c.svg)" in text
    summary = console_summary(report, [])
    assert "confused: emergency → health ×1" in summary and "all thresholds met" in summary


async def test_coverage_table_leaves_emergencies_out() -> None:
    outcomes = await outcomes_for(TABLE)
    rows = dict((t, (share, acc)) for t, share, acc in coverage_table(outcomes, [0.0, 0.55, 0.99]))
    assert rows[0.0] == (1.0, pytest.approx(5 / 6))
    assert rows[0.55][0] == pytest.approx(5 / 6)
    assert rows[0.99][0] == pytest.approx(1 / 6)


def test_thresholds_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "gates.yml"
    path.write_text(
        "minimum:\n  macro_f1: {es: 0.9, all: 0.85}\n  emergency_recall: 1.0\n  language_accuracy: 0.8\n"
        "maximum:\n  emergency_false_positive_rate: 0.05\n",
        encoding="utf-8",
    )
    t = Thresholds.load(path)
    assert t.macro_f1 == {"es": 0.9, "all": 0.85}
    assert t.max_emergency_false_positive_rate == 0.05 and t.language_accuracy == 0.8


def test_project_gates_meet_the_issue() -> None:
    t = Thresholds.load()
    assert all(t.macro_f1[lang] >= 0.90 for lang in ("es", "en", "ht"))
    assert t.emergency_recall == 1.0


def test_confusion_matrix_is_valid_svg_with_counts() -> None:
    svg = confusion_svg(
        {("asylum", "asylum"): 7, ("asylum", "travel"): 2, ("x", "asylum"): 1}, ALL_INTENTS, "t"
    )
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    texts = [el.text for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "7" in texts and "2" in texts and "x" in texts
    assert 'fill="#ffffff"' in svg
