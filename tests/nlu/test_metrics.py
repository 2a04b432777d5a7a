"""The evaluation figures on small cases worked out by hand."""

from __future__ import annotations

import pytest

from nlu.metrics import emergency_scores, score, top_confusions


def test_precision_recall_f1_and_macro_by_hand() -> None:
    gold = ["asylum", "asylum", "asylum", "travel", "travel", "emergency"]
    pred = ["asylum", "asylum", "travel", "travel", "asylum", "emergency"]
    s = score(gold, pred)
    asylum = s.intent("asylum")
    travel = s.intent("travel")
    assert asylum is not None and travel is not None
    assert asylum.precision == pytest.approx(2 / 3) and asylum.recall == pytest.approx(2 / 3)
    assert travel.precision == pytest.approx(1 / 2) and travel.recall == pytest.approx(1 / 2)
    assert s.accuracy == pytest.approx(4 / 6)
    assert s.macro_f1 == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    assert s.confusion[("asylum", "travel")] == 1


def test_an_intent_never_predicted_scores_zero_not_an_error() -> None:
    s = score(["money", "work"], ["work", "work"])
    money = s.intent("money")
    assert money is not None and money.precision == 0.0 and money.f1 == 0.0
    assert s.macro_f1 == pytest.approx((0 + 2 * 0.5 * 1 / 1.5) / 2)


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError):
        score(["a"], [])


def test_emergency_recall_and_false_positive_rate() -> None:
    gold = ["emergency", "emergency", "emergency", "health", "shelter", "violence", "greet"]
    flagged = [True, True, False, True, False, False, False]
    pred = ["emergency", "health", "out_of_scope", "emergency", "shelter", "violence", "greet"]
    e = emergency_scores(gold, flagged, pred)
    assert e.recall == pytest.approx(2 / 3)
    assert e.false_positive_rate == pytest.approx(1 / 4)
    assert e.missed_as_out_of_scope == 1


def test_missed_emergencies_come_first_among_confusions() -> None:
    gold = ["travel"] * 5 + ["emergency"]
    pred = ["asylum"] * 5 + ["family"]
    pairs = top_confusions(score(gold, pred))
    assert pairs[0] == ("emergency", "family", 1)
    assert pairs[1] == ("travel", "asylum", 5)
