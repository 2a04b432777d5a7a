"""K-fold cross-validation of candidate pipelines on the TRAINING data (never the held-out set).

``brujula nlu crossval --config nlu/pipelines/a.yml --config nlu/pipelines/b.yml`` splits
``nlu/data`` into k folds stratified by language and intent (seeded, so every pipeline sees the
same folds), trains each fold in the Rasa environment (``nlu.crossval_worker``), parses the
fold's test messages and pools the out-of-fold predictions. The pooled predictions are what
pipelines are compared on and what the low-confidence threshold is chosen from.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlu.examples import LANGUAGES, Example, read_training, to_rasa_yaml
from nlu.metrics import EmergencyScores, Scores, emergency_scores, score
from nlu.paths import DATA, RASA_VENV, ROOT, VAR, rasa_env
from nlu.training import places_training_data
from referrals.places import DATA as PLACES_FILE
from referrals.places import Gazetteer

WORKDIR = VAR / "nlu" / "crossval"


@dataclass(frozen=True, slots=True)
class Prediction:
    example: Example
    fold: int
    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class PipelineResult:
    name: str
    folds: int
    predictions: list[Prediction]
    train_seconds: list[float]  # per fold
    parse_seconds: list[float]  # per message, in-process

    def scores(self, language: str | None = None) -> Scores:
        chosen = [p for p in self.predictions if language is None or p.example.language == language]
        return score([p.example.intent for p in chosen], [p.intent for p in chosen])

    def emergency(
        self, danger: Callable[[str], bool] | None, min_confidence: float, language: str | None = None
    ) -> EmergencyScores:
        chosen = [p for p in self.predictions if language is None or p.example.language == language]
        flagged = [
            (danger is not None and danger(p.example.text))
            or (p.intent == "emergency" and p.confidence >= min_confidence)
            for p in chosen
        ]
        return emergency_scores([p.example.intent for p in chosen], flagged, [p.intent for p in chosen])


def folds_of(examples: Sequence[Example], k: int, seed: int = 13) -> list[int]:
    """A fold number per example, stratified by (language, intent), the same for every pipeline."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault((ex.language, ex.intent), []).append(i)
    rng = random.Random(seed)
    fold = [0] * len(examples)
    offset = 0
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for j, i in enumerate(members):
            fold[i] = (offset + j) % k
        offset += len(members)  # spread the remainders over the folds
    return fold


def _extra_blocks() -> list[dict[str, object]]:
    """Lookup tables, regexes and synonyms written by hand in nlu/data (everything but intents)."""
    blocks: list[dict[str, object]] = []
    for path in sorted(DATA.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        blocks += [b for b in data.get("nlu") or [] if "intent" not in b]
    return blocks


def stage_fold(directory: Path, train: Sequence[Example], test: Sequence[Example]) -> tuple[Path, Path]:
    data = directory / "data"
    data.mkdir(parents=True, exist_ok=True)
    for old in data.glob("*.yml"):
        old.unlink()
    (data / "train.yml").write_text(to_rasa_yaml(list(train)), encoding="utf-8")
    blocks = [*places_training_data(Gazetteer.load(PLACES_FILE))["nlu"], *_extra_blocks()]
    (data / "extras.yml").write_text(
        yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False, width=10_000),
        encoding="utf-8",
    )
    tests = directory / "tests.json"
    tests.write_text(json.dumps([ex.text for ex in test], ensure_ascii=False), encoding="utf-8")
    return data, tests


def run_pipeline(
    config: Path, *, k: int = 5, seed: int = 13, log: Callable[[str], None] = print
) -> PipelineResult:
    examples = read_training(DATA)
    fold = folds_of(examples, k, seed)
    python = RASA_VENV / "bin" / "python"
    predictions: list[Prediction] = []
    train_seconds: list[float] = []
    parse_seconds: list[float] = []
    for f in range(k):
        train = [ex for ex, g in zip(examples, fold, strict=True) if g != f]
        test = [ex for ex, g in zip(examples, fold, strict=True) if g == f]
        directory = WORKDIR / config.stem / f"fold{f}"
        data, tests = stage_fold(directory, train, test)
        out = directory / "predictions.json"
        started = time.monotonic()
        subprocess.run(
            [
                "nice",
                "-n",
                "10",
                str(python),
                "-m",
                "nlu.crossval_worker",
                str(config),
                str(data),
                str(tests),
                str(out),
            ],
            check=True,
            env=rasa_env(),
            cwd=str(ROOT),
            stdout=subprocess.DEVNULL,
            stderr=(directory / "worker.log").open("w"),
        )
        result = json.loads(out.read_text(encoding="utf-8"))
        train_seconds.append(float(result["train_seconds"]))
        parse_seconds += [float(s) for s in result["parse_seconds"]]
        for ex, pred in zip(test, result["predictions"], strict=True):
            ranking = tuple((str(n), float(c)) for n, c in pred["ranking"])
            predictions.append(Prediction(ex, f, pred["intent"], float(pred["confidence"]), ranking))
        log(
            f"{config.stem} fold {f + 1}/{k}: trained in {result['train_seconds']:.0f} s, "
            f"total {time.monotonic() - started:.0f} s"
        )
    return PipelineResult(config.stem, k, predictions, train_seconds, parse_seconds)


def save(result: PipelineResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "name": result.name,
                "folds": result.folds,
                "train_seconds": result.train_seconds,
                "parse_seconds": result.parse_seconds,
                "predictions": [
                    {
                        "language": p.example.language,
                        "intent_gold": p.example.intent,
                        "text": p.example.text,
                        "fold": p.fold,
                        "intent": p.intent,
                        "confidence": p.confidence,
                        "ranking": [list(r) for r in p.ranking],
                    }
                    for p in result.predictions
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )


def load(path: Path) -> PipelineResult:
    data = json.loads(path.read_text(encoding="utf-8"))
    predictions = [
        Prediction(
            Example(p["text"], p["intent_gold"], p["language"]),
            int(p["fold"]),
            p["intent"],
            float(p["confidence"]),
            tuple((str(n), float(c)) for n, c in p["ranking"]),
        )
        for p in data["predictions"]
    ]
    return PipelineResult(
        data["name"], int(data["folds"]), predictions, data["train_seconds"], data["parse_seconds"]
    )


@dataclass(frozen=True, slots=True)
class ThresholdPoint:
    threshold: float
    answered: float  # share of non-emergency messages answered directly
    accuracy: float  # accuracy of those direct answers
    wrong: float  # share of all non-emergency messages answered directly and wrongly
    deferred_top3: float  # of the deferred messages, share whose gold intent is in the top 3 offered


def threshold_curve(
    result: PipelineResult,
    danger: Callable[[str], bool] | None,
    min_confidence: float,
    points: Sequence[float],
) -> list[ThresholdPoint]:
    pool = [
        p
        for p in result.predictions
        if not (
            (danger is not None and danger(p.example.text))
            or (p.intent == "emergency" and p.confidence >= min_confidence)
        )
    ]
    curve = []
    for t in points:
        answered = [p for p in pool if p.confidence >= t]
        deferred = [p for p in pool if p.confidence < t]
        correct = sum(p.intent == p.example.intent for p in answered)
        top3 = sum(p.example.intent in [n for n, _ in p.ranking[:3]] for p in deferred)
        curve.append(
            ThresholdPoint(
                t,
                len(answered) / len(pool),
                correct / len(answered) if answered else 1.0,
                (len(answered) - correct) / len(pool),
                top3 / len(deferred) if deferred else 1.0,
            )
        )
    return curve


#: A wrong direct answer costs this many "did you mean" detours: the person may act on the wrong
#: procedure, while a detour costs one tap (and shows the right topic most of the time).
WRONG_ANSWER_COST = 3.0
#: A detour whose buttons miss the right topic costs this many useful detours: the person has to
#: open the menu or write again (but was not misled).
MISSED_DETOUR_COST = 2.0


def cost(point: ThresholdPoint, wrong_cost: float = WRONG_ANSWER_COST) -> float:
    """Expected cost per message: wrong direct answers weighted, plus detours (a detour that does
    not offer the right topic weighted by ``MISSED_DETOUR_COST``)."""
    deferred = 1.0 - point.answered
    detours = deferred * (point.deferred_top3 + MISSED_DETOUR_COST * (1.0 - point.deferred_top3))
    return wrong_cost * point.wrong + detours


def choose_threshold(
    curve: Sequence[ThresholdPoint], wrong_cost: float = WRONG_ANSWER_COST
) -> ThresholdPoint:
    """The threshold with the lowest expected cost (the lower threshold on a tie)."""
    return min(sorted(curve, key=lambda p: p.threshold), key=lambda p: round(cost(p, wrong_cost), 9))


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def comparison_markdown(
    results: Sequence[PipelineResult], danger: Callable[[str], bool] | None, min_confidence: float
) -> str:
    lines = [
        "| pipeline | folds | macro-F1 es | macro-F1 en | macro-F1 ht | macro-F1 all | accuracy "
        "| emergency recall (model / + safety net) | train s/fold (mean) | parse ms p50 / p95 (in-process) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        per_lang = " | ".join(f"{r.scores(lang).macro_f1:.3f}" for lang in LANGUAGES)
        overall = r.scores()
        model_only = r.emergency(None, min_confidence)
        with_net = r.emergency(danger, min_confidence)
        lines.append(
            f"| {r.name} | {r.folds} | {per_lang} | **{overall.macro_f1:.3f}** | {overall.accuracy:.3f} "
            f"| {model_only.recall:.3f} / {with_net.recall:.3f} | {statistics.mean(r.train_seconds):.0f} "
            f"| {1000 * percentile(r.parse_seconds, 50):.1f} / {1000 * percentile(r.parse_seconds, 95):.1f} |"
        )
    return "\n".join(lines) + "\n"
