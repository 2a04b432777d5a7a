"""Classification figures from gold and predicted intents: accuracy, per-intent precision/recall/F1,
macro-F1, confusion counts, and the emergency figures that matter most.

Pure Python (no numpy, no sklearn) so that the app and the Rasa environment compute the same numbers.
Macro-F1 averages over the intents that have gold examples in the set being scored; a prediction
of an intent absent from the set still counts, as an error against the gold intent's recall.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

EMERGENCY = "emergency"


@dataclass(frozen=True, slots=True)
class IntentScore:
    intent: str
    precision: float
    recall: float
    f1: float
    support: int  # gold examples
    predicted: int  # examples predicted as this intent


@dataclass(frozen=True, slots=True)
class Scores:
    n: int
    accuracy: float
    macro_f1: float
    per_intent: tuple[IntentScore, ...]
    confusion: dict[tuple[str, str], int]  # (gold, predicted) → count, errors and hits

    def intent(self, name: str) -> IntentScore | None:
        return next((s for s in self.per_intent if s.intent == name), None)


@dataclass(frozen=True, slots=True)
class EmergencyScores:
    positives: int  # gold emergencies
    caught: int  # gold emergencies flagged as emergency
    negatives: int  # gold non-emergencies
    false_alarms: int  # non-emergencies flagged as emergency
    missed_as_out_of_scope: int  # gold emergencies answered as out_of_scope: the worst error

    @property
    def recall(self) -> float:
        return self.caught / self.positives if self.positives else 1.0

    @property
    def false_positive_rate(self) -> float:
        return self.false_alarms / self.negatives if self.negatives else 0.0


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def score(gold: Sequence[str], predicted: Sequence[str]) -> Scores:
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    confusion: Counter[tuple[str, str]] = Counter(zip(gold, predicted, strict=True))
    support = Counter(gold)
    predicted_count = Counter(predicted)
    per_intent = []
    for intent in sorted(support):
        hits = confusion[(intent, intent)]
        precision = _ratio(hits, predicted_count[intent])
        recall = _ratio(hits, support[intent])
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent.append(
            IntentScore(intent, precision, recall, f1, support[intent], predicted_count[intent])
        )
    n = len(gold)
    correct = sum(count for (g, p), count in confusion.items() if g == p)
    macro = sum(s.f1 for s in per_intent) / len(per_intent) if per_intent else 0.0
    return Scores(n, _ratio(correct, n), macro, tuple(per_intent), dict(confusion))


def emergency_scores(
    gold: Sequence[str], flagged: Sequence[bool], predicted: Sequence[str]
) -> EmergencyScores:
    """``flagged``: whether the product treats the message as an emergency (model or safety net)."""
    positives = caught = negatives = false_alarms = missed_oos = 0
    for g, f, p in zip(gold, flagged, predicted, strict=True):
        if g == EMERGENCY:
            positives += 1
            caught += int(f)
            missed_oos += int(not f and p == "out_of_scope")
        else:
            negatives += 1
            false_alarms += int(f)
    return EmergencyScores(positives, caught, negatives, false_alarms, missed_oos)


def top_confusions(scores: Scores, limit: int = 10) -> list[tuple[str, str, int]]:
    """The most frequent (gold, predicted) errors, emergencies missed first: they matter most."""
    errors = [(g, p, c) for (g, p), c in scores.confusion.items() if g != p]
    errors.sort(key=lambda e: (e[0] != EMERGENCY, -e[2], e[0], e[1]))
    return errors[:limit]
