"""Cross-validation folds, fold staging and the threshold curve (no Rasa needed)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from nlu.crossval import (
    PipelineResult,
    Prediction,
    choose_threshold,
    comparison_markdown,
    cost,
    folds_of,
    load,
    save,
    stage_fold,
    threshold_curve,
)
from nlu.examples import Example, parse_line, read_training
from nlu.paths import DATA


def test_folds_are_stratified_and_the_same_every_time() -> None:
    examples = read_training(DATA)
    folds = folds_of(examples, 5)
    assert folds == folds_of(examples, 5)
    assert folds != folds_of(examples, 5, seed=99)
    sizes = Counter(folds)
    assert max(sizes.values()) - min(sizes.values()) <= 2
    by_group: dict[tuple[str, str], Counter[int]] = {}
    for ex, fold in zip(examples, folds, strict=True):
        by_group.setdefault((ex.language, ex.intent), Counter())[fold] += 1
    for group, counts in by_group.items():
        assert max(counts.values()) - min(counts.get(f, 0) for f in range(5)) <= 1, group


def test_a_fold_is_staged_as_rasa_data_with_places(tmp_path: Path) -> None:
    train = [parse_line("busco albergue en [qro](location)", "shelter", "es")]
    test = [parse_line("hola", "greet", "es")]
    data, tests = stage_fold(tmp_path, train, test)
    staged = yaml.safe_load((data / "train.yml").read_text(encoding="utf-8"))
    assert staged["nlu"][0]["intent"] == "shelter"
    assert "[qro](location)" in staged["nlu"][0]["examples"]
    extras = yaml.safe_load((data / "extras.yml").read_text(encoding="utf-8"))
    assert any(block.get("lookup") == "location" for block in extras["nlu"])
    assert tests.read_text(encoding="utf-8") == '["hola"]'


def prediction(gold: str, intent: str, confidence: float, text: str = "x") -> Prediction:
    ranking = ((intent, confidence), (gold, 1 - confidence)) if gold != intent else ((intent, confidence),)
    return Prediction(Example(text, gold, "es"), 0, intent, confidence, ranking)


RESULT = PipelineResult(
    "toy",
    2,
    [
        prediction("asylum", "asylum", 0.95),
        prediction("asylum", "asylum", 0.8),
        prediction("travel", "asylum", 0.45),  # a wrong, unsure answer
        prediction("travel", "travel", 0.6),
        prediction("emergency", "emergency", 0.9, "nos van a matar"),
    ],
    [10.0, 12.0],
    [0.01, 0.02, 0.03],
)


def test_threshold_curve_and_choice() -> None:
    curve = threshold_curve(RESULT, lambda text: "matar" in text, 0.4, [0.3, 0.5, 0.7])
    low, mid, high = curve
    assert low.answered == 1.0 and low.accuracy == pytest.approx(3 / 4)
    assert mid.answered == pytest.approx(3 / 4) and mid.accuracy == 1.0
    assert mid.deferred_top3 == 1.0  # travel is second in the ranking offered
    assert high.answered == pytest.approx(2 / 4)
    # expected cost: 0.3 → 3 * 1/4 + 0 = 0.75; 0.5 → 0 + 1/4 = 0.25; 0.7 → 0 + 2/4 = 0.5
    assert cost(low) == pytest.approx(0.75) and cost(mid) == pytest.approx(0.25)
    assert high.deferred_top3 == 1.0 and cost(high) == pytest.approx(0.5)
    missed = replace(mid, deferred_top3=0.0)  # the buttons would not offer the right topic
    assert cost(missed) == pytest.approx(2 * 1 / 4)
    assert choose_threshold(curve).threshold == 0.5
    assert choose_threshold(curve, wrong_cost=0.1).threshold == 0.3  # wrong answers nearly free


def test_results_survive_a_round_trip_and_render(tmp_path: Path) -> None:
    path = tmp_path / "toy.json"
    save(RESULT, path)
    again = load(path)
    assert again.predictions == RESULT.predictions and again.train_seconds == RESULT.train_seconds
    table = comparison_markdown([again], None, 0.4)
    assert "| toy | 2 |" in table and "| 11 |" in table
