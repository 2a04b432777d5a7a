"""Score the served model on the held-out set the way the product decides, and gate on thresholds.

``run`` sends every held-out message through a ``Classifier`` (the served model) and records what
the product would do with it: the model's intent, whether the safety net fired, whether the
message is treated as an emergency (safety net, or the model says ``emergency`` with at least the
engine's emergency confidence), the final intent as ``brujula nlu predict`` reports it, the
suggested language and the places found. ``summarise`` turns that into figures per language and
overall; ``failures`` compares them with ``nlu/evaluation.yml``. Nothing here trains anything.

The safety net and the language suggestion live in ``bot``; the caller passes them in as plain
functions, so this module does not import ``bot``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nlu.client import Classifier, Parse
from nlu.examples import LANGUAGES, Example
from nlu.metrics import EmergencyScores, Scores, emergency_scores, score
from nlu.paths import HERE

EVALUATION_CONFIG = HERE / "evaluation.yml"
ALL = "all"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Minimum figures on the held-out set; below any of them ``evaluate`` exits non-zero."""

    macro_f1: dict[str, float]  # per language and "all"
    emergency_recall: float
    max_emergency_false_positive_rate: float
    language_accuracy: float  # language suggestion on es/en/ht messages

    @classmethod
    def load(cls, path: Path = EVALUATION_CONFIG) -> Thresholds:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        minimum = data.get("minimum") or {}
        maximum = data.get("maximum") or {}
        return cls(
            macro_f1={str(k): float(v) for k, v in (minimum.get("macro_f1") or {}).items()},
            emergency_recall=float(minimum.get("emergency_recall", 1.0)),
            max_emergency_false_positive_rate=float(maximum.get("emergency_false_positive_rate", 1.0)),
            language_accuracy=float(minimum.get("language_accuracy", 0.0)),
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """One held-out message through the model and the product's rules."""

    example: Example
    parse: Parse
    safety_net: bool  # the phrase list fired
    flagged: bool  # the product answers with the emergency message
    final: str  # the intent as `brujula nlu predict` reports it (safety net applied)
    language: str | None  # the language suggestion
    places: tuple[str, ...] = ()  # canonical places the model found


@dataclass(frozen=True, slots=True)
class Section:
    """The figures for one language (or all of them)."""

    name: str
    product: Scores  # final intents (safety net applied) — what people get
    model: Scores  # the model alone
    emergency: EmergencyScores  # with the safety net, as the product decides
    model_emergency: EmergencyScores  # the model alone (emergency at the engine's confidence)
    language_accuracy: float
    not_flagged: int  # messages not treated as emergencies (the ones the threshold applies to)
    answered: int  # of those, answered directly (confidence ≥ threshold)
    answered_correct: int


@dataclass(frozen=True, slots=True)
class PlaceScores:
    expected: int  # annotated places in the held-out set
    found: int  # annotated places the model returned with the right canonical value
    returned: int  # places the model returned
    spurious: int  # places returned that were not annotated

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return (self.returned - self.spurious) / self.returned if self.returned else 1.0


@dataclass(frozen=True, slots=True)
class Report:
    sections: dict[str, Section]
    outcomes: list[Outcome]
    threshold: float
    places: PlaceScores
    safety_false_alarms_training: list[Example] = field(default_factory=list)
    training_negatives: int = 0
    model: str = ""

    @property
    def overall(self) -> Section:
        return self.sections[ALL]


async def run(
    examples: Sequence[Example],
    classifier: Classifier,
    *,
    danger: Callable[[str], bool],
    detect_language: Callable[[str], str | None],
    emergency_min_confidence: float,
    canonical_place: Callable[[str], str | None] = lambda value: value,
    concurrency: int = 4,
) -> list[Outcome]:
    """Every example through the classifier (a few at a time), in the examples' order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(example: Example) -> Outcome:
        async with gate:
            parse = await classifier.parse(example.text)
        fired = danger(example.text)
        flagged = fired or (parse.intent == "emergency" and parse.confidence >= emergency_min_confidence)
        final = "emergency" if fired else parse.intent
        places = tuple(
            sorted({p for p in (canonical_place(v) for v in parse.values("location")) if p is not None})
        )
        return Outcome(example, parse, fired, flagged, final, detect_language(example.text), places)

    return list(await asyncio.gather(*(one(ex) for ex in examples)))


def _section(name: str, outcomes: Sequence[Outcome], threshold: float, min_emergency: float) -> Section:
    gold = [o.example.intent for o in outcomes]
    final = [o.final for o in outcomes]
    model = [o.parse.intent for o in outcomes]
    model_flag = [o.parse.intent == "emergency" and o.parse.confidence >= min_emergency for o in outcomes]
    answered = [o for o in outcomes if not o.flagged and o.parse.confidence >= threshold]
    return Section(
        name=name,
        product=score(gold, final),
        model=score(gold, model),
        emergency=emergency_scores(gold, [o.flagged for o in outcomes], final),
        model_emergency=emergency_scores(gold, model_flag, model),
        language_accuracy=sum(o.language == o.example.language for o in outcomes) / len(outcomes),
        not_flagged=sum(not o.flagged for o in outcomes),
        answered=len(answered),
        answered_correct=sum(o.parse.intent == o.example.intent for o in answered),
    )


def score_places(outcomes: Sequence[Outcome], canonical_place: Callable[[str], str | None]) -> PlaceScores:
    expected = found = returned = spurious = 0
    for o in outcomes:
        wanted = {p for p in (canonical_place(s) for e, s in o.example.entities if e == "location") if p}
        expected += len(wanted)
        found += len(wanted & set(o.places))
        returned += len(o.places)
        spurious += len(set(o.places) - wanted)
    return PlaceScores(expected, found, returned, spurious)


def summarise(
    outcomes: Sequence[Outcome],
    *,
    threshold: float,
    emergency_min_confidence: float,
    canonical_place: Callable[[str], str | None] = lambda value: value,
    training: Sequence[Example] = (),
    danger: Callable[[str], bool] | None = None,
    model: str = "",
) -> Report:
    sections = {
        lang: _section(
            lang, [o for o in outcomes if o.example.language == lang], threshold, emergency_min_confidence
        )
        for lang in LANGUAGES
        if any(o.example.language == lang for o in outcomes)
    }
    sections[ALL] = _section(ALL, outcomes, threshold, emergency_min_confidence)
    negatives = [ex for ex in training if ex.intent != "emergency"]
    false_alarms = [ex for ex in negatives if danger is not None and danger(ex.text)]
    return Report(
        sections=sections,
        outcomes=list(outcomes),
        threshold=threshold,
        places=score_places(outcomes, canonical_place),
        safety_false_alarms_training=false_alarms,
        training_negatives=len(negatives),
        model=model,
    )


def failures(report: Report, thresholds: Thresholds) -> list[str]:
    """One line per figure below its minimum (or above its maximum); empty when all pass."""
    out: list[str] = []
    for name, minimum in sorted(thresholds.macro_f1.items()):
        section = report.sections.get(name)
        if section is None:
            out.append(f"macro-F1 {name}: no held-out examples")
        elif section.product.macro_f1 < minimum:
            out.append(f"macro-F1 {name}: {section.product.macro_f1:.3f} < {minimum:.2f}")
    emergency = report.overall.emergency
    if emergency.recall < thresholds.emergency_recall:
        out.append(f"emergency recall: {emergency.recall:.3f} < {thresholds.emergency_recall:.2f}")
    if emergency.false_positive_rate > thresholds.max_emergency_false_positive_rate:
        out.append(
            f"emergency false-positive rate: {emergency.false_positive_rate:.3f} "
            f"> {thresholds.max_emergency_false_positive_rate:.2f}"
        )
    if report.overall.language_accuracy < thresholds.language_accuracy:
        out.append(
            f"language suggestion accuracy: {report.overall.language_accuracy:.3f} "
            f"< {thresholds.language_accuracy:.2f}"
        )
    return out


def coverage_table(
    outcomes: Sequence[Outcome], thresholds: Sequence[float]
) -> list[tuple[float, float, float]]:
    """For each confidence threshold: share answered directly, and accuracy of those answers.

    Emergencies flagged by the product are left out: they are answered whatever the confidence.
    """
    pool = [o for o in outcomes if not o.flagged]
    rows = []
    for t in thresholds:
        answered = [o for o in pool if o.parse.confidence >= t]
        correct = sum(o.parse.intent == o.example.intent for o in answered)
        rows.append(
            (t, len(answered) / len(pool) if pool else 0.0, correct / len(answered) if answered else 1.0)
        )
    return rows
