"""`brujula nlu evaluate` and `brujula nlu predict` against a fake Rasa server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.commands.nlu import nlu
from nlu.examples import read_heldout
from nlu.paths import HELDOUT
from tests.nlu.fake_rasa import fake_rasa

GOLD = {ex.text: ex.intent for ex in read_heldout(HELDOUT)}


def oracle(text: str) -> tuple[str, float]:
    return GOLD.get(text, "out_of_scope"), 0.97


def always_health(text: str) -> tuple[str, float]:
    return "health", 0.9


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("BRUJULA_NLU_THRESHOLD", raising=False)
    return CliRunner()


def test_evaluate_passes_with_a_perfect_model_and_writes_the_report(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fake_rasa(oracle) as url:
        monkeypatch.setenv("BRUJULA_NLU_URL", url)
        result = runner.invoke(nlu, ["evaluate", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "all thresholds met" in result.output
    report = (tmp_path / "nlu-evaluation.md").read_text(encoding="utf-8")
    assert "All thresholds met." in report and "nlu-fake.tar.gz" in report
    assert (tmp_path / "nlu-confusion-all.svg").read_text(encoding="utf-8").startswith("<svg")
    figures = json.loads((tmp_path / "nlu-evaluation.json").read_text(encoding="utf-8"))
    assert figures["sections"]["all"]["macro_f1"] == 1.0
    assert figures["sections"]["all"]["emergency_recall"] == 1.0
    assert len(figures["outcomes"]) == len(GOLD)
    assert "text" not in figures["outcomes"][0]  # held-out texts stay in the Markdown only


def test_evaluate_exits_non_zero_below_the_gates(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fake_rasa(always_health) as url:
        monkeypatch.setenv("BRUJULA_NLU_URL", url)
        result = runner.invoke(nlu, ["evaluate", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "FAIL macro-F1 es" in result.output
    assert "**FAIL**" in (tmp_path / "nlu-evaluation.md").read_text(encoding="utf-8")


def test_predict_gives_defined_results_for_edge_inputs(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        {"text": "busco albergue en qro"},
        {"text": ""},
        {"text": "😀🙏😀"},
        {"text": "привет, мне нужна помощь"},
        {"text": "x" * 5000},
        {"text": "ayuda " * 1000},
        {"text": "nos tienen secuestrados en una bodega"},
        {"not text": 1},
    ]
    with fake_rasa(lambda text: ("shelter", 0.9)) as url:
        monkeypatch.setenv("BRUJULA_NLU_URL", url)
        stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\nnot json\n"
        result = runner.invoke(nlu, ["predict"], input=stdin)
    assert result.exit_code == 0, result.output
    outs = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(outs) == len(lines) + 1
    for out in outs:
        assert set(out) >= {"text", "intent", "confidence", "language", "entities"}
    assert outs[0]["intent"] == "shelter" and outs[0]["language"] == "es"
    for unreadable in (outs[1], outs[2], outs[3], outs[7], outs[8]):
        assert unreadable["intent"] == "out_of_scope" and unreadable["confidence"] == 0.0
    assert outs[2]["hint"] == "language_menu" and outs[3]["hint"] == "language_menu"
    assert outs[3]["language"] is None
    assert outs[4]["intent"] == "shelter"  # 5,000 characters: clipped, classified
    assert outs[6]["intent"] == "emergency" and outs[6]["safety_net"] is True
