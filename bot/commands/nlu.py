"""`brujula nlu`: train, serve, query and evaluate the Rasa model."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import click

from bot.commands.support import load, maybe_start_nlu

ROOT = Path(__file__).resolve().parents[2]


@click.group()
def nlu() -> None:
    """The Rasa NLU model: train, serve, predict, evaluate."""


@nlu.command("train")
@click.option("--force", is_flag=True, help="Train even if the data did not change.")
def nlu_train(force: bool) -> None:
    """Train the model with `rasa train nlu` if its data or config changed."""
    import subprocess

    from nlu.training import train

    try:
        path, trained = train(force=force)
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        click.echo(f"brujula: training failed: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{'trained' if trained else 'up to date'}: {path}")


@nlu.command("serve")
def nlu_serve() -> None:
    """Serve the trained model on BRUJULA_NLU_URL (loopback) until Ctrl-C."""
    import time

    settings = load()
    service = maybe_start_nlu(settings)
    if service is None:
        click.echo(f"an NLU service already answers at {settings.nlu_url}")
        return
    click.echo(f"NLU service ready at {service.url}; Ctrl-C to stop.")
    try:
        while service.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()


def _canonical_place(value: str) -> str | None:
    from referrals.places import default_gazetteer

    place = default_gazetteer().by_name(value)
    return place.label if place is not None else None


def _danger(text: str) -> bool:
    from bot import safety

    return safety.check(text) is not None


@nlu.command("predict")
def nlu_predict() -> None:
    """JSON lines {"text": ...} in; intent, confidence, language and entities out.

    Text the model cannot read (empty, only emoji or digits, a script other than Latin) is
    `out_of_scope` with confidence 0 and `"hint": "language_menu"`; the safety net overrides the
    intent to `emergency` (with `"safety_net": true`) when it names a danger.
    """
    from bot.http_transport import AiohttpTransport
    from bot.language_id import detect
    from nlu.client import RasaNluClient
    from nlu.textguard import readable

    settings = load()
    service = maybe_start_nlu(settings)
    url = service.url if service is not None else settings.nlu_url

    async def go() -> None:
        client = RasaNluClient(url, http=AiohttpTransport(), timeout=30.0)
        try:
            for line in sys.stdin:
                if not line.strip():
                    continue
                try:
                    text = str(json.loads(line).get("text") or "")
                except (json.JSONDecodeError, AttributeError):
                    text = ""
                parse = await client.parse(text)
                entities = []
                for entity in parse.entities:
                    value = _canonical_place(entity.value) if entity.entity == "location" else entity.value
                    item = {"entity": entity.entity, "value": value or entity.value}
                    if item not in entities:
                        entities.append(item)
                result: dict[str, Any] = {
                    "text": text,
                    "intent": parse.intent,
                    "confidence": round(parse.confidence, 4),
                    "language": detect(text),
                    "entities": entities,
                }
                if not readable(text):
                    result["hint"] = "language_menu"
                if _danger(text) and result["intent"] != "emergency":
                    result["intent"], result["safety_net"] = "emergency", True
                sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
                sys.stdout.flush()
        finally:
            await client.aclose()

    try:
        asyncio.run(go())
    finally:
        if service is not None:
            service.stop()


@nlu.command("evaluate")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=ROOT / "reports",
    show_default=True,
    help="Where the Markdown report and confusion matrices go.",
)
@click.option(
    "--thresholds",
    "thresholds_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Gates (default nlu/evaluation.yml).",
)
def nlu_evaluate(out: Path, thresholds_file: Path | None) -> None:
    """Run the held-out set through the served model and report; exit 1 below the gates.

    Trains nothing. Starts an NLU service for the duration of the command when none answers at
    BRUJULA_NLU_URL. Writes reports/nlu-evaluation.md, .json and confusion matrices (SVG).
    """
    from bot.dialogue.engine import EMERGENCY_MIN_CONFIDENCE
    from bot.http_transport import AiohttpTransport
    from bot.language_id import detect
    from nlu.client import NluUnavailable, RasaNluClient
    from nlu.confusion_image import confusion_svg
    from nlu.evaluation import EVALUATION_CONFIG, Thresholds, failures, run, summarise
    from nlu.evaluation_report import console_summary, markdown
    from nlu.examples import read_heldout, read_training
    from nlu.intents import ALL_INTENTS
    from nlu.paths import DATA, HELDOUT

    settings = load()
    thresholds = Thresholds.load(thresholds_file or EVALUATION_CONFIG)
    heldout = read_heldout(HELDOUT)
    if not heldout:
        click.echo(f"brujula: no held-out examples under {HELDOUT}", err=True)
        sys.exit(2)
    service = maybe_start_nlu(settings)
    url = service.url if service is not None else settings.nlu_url

    async def go() -> tuple[Any, str]:
        client = RasaNluClient(url, http=AiohttpTransport(), timeout=30.0)
        try:
            model = await client.model_file() or "unknown"
            outcomes = await run(
                heldout,
                client,
                danger=_danger,
                detect_language=detect,
                emergency_min_confidence=EMERGENCY_MIN_CONFIDENCE,
                canonical_place=_canonical_place,
            )
            return outcomes, model
        finally:
            await client.aclose()

    try:
        outcomes, model = asyncio.run(go())
    except NluUnavailable as exc:
        click.echo(f"brujula: the NLU service did not answer: {exc}", err=True)
        sys.exit(2)
    finally:
        if service is not None:
            service.stop()

    report = summarise(
        outcomes,
        threshold=settings.nlu_threshold,
        emergency_min_confidence=EMERGENCY_MIN_CONFIDENCE,
        canonical_place=_canonical_place,
        training=read_training(DATA),
        danger=_danger,
        model=Path(model).name,
    )
    problems = failures(report, thresholds)
    out.mkdir(parents=True, exist_ok=True)
    images = []
    for name, section in report.sections.items():
        image = f"nlu-confusion-{name}.svg"
        title = f"Held-out confusion matrix ({name}, n={section.product.n})"
        (out / image).write_text(
            confusion_svg(section.product.confusion, ALL_INTENTS, title), encoding="utf-8"
        )
        images.append(image)
    (out / "nlu-evaluation.md").write_text(
        markdown(report, failures=problems, images=images, command="brujula nlu evaluate"), encoding="utf-8"
    )
    (out / "nlu-evaluation.json").write_text(
        json.dumps(
            {
                "model": report.model,
                "threshold": report.threshold,
                "failures": problems,
                "sections": {
                    name: {
                        "n": s.product.n,
                        "accuracy": s.product.accuracy,
                        "macro_f1": s.product.macro_f1,
                        "model_macro_f1": s.model.macro_f1,
                        "emergency_recall": s.emergency.recall,
                        "emergency_false_positive_rate": s.emergency.false_positive_rate,
                        "model_emergency_recall": s.model_emergency.recall,
                        "language_accuracy": s.language_accuracy,
                    }
                    for name, s in report.sections.items()
                },
                "outcomes": [
                    {
                        "language": o.example.language,
                        "gold": o.example.intent,
                        "intent": o.parse.intent,
                        "confidence": o.parse.confidence,
                        "final": o.final,
                        "safety_net": o.safety_net,
                        "flagged": o.flagged,
                        "detected_language": o.language,
                        "places": list(o.places),
                        "ranking": [list(r) for r in o.parse.ranking[:3]],
                    }
                    for o in report.outcomes
                ],
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    click.echo(console_summary(report, problems))
    click.echo(f"report: {out / 'nlu-evaluation.md'}")
    if problems:
        sys.exit(1)


@nlu.command("crossval")
@click.option(
    "--config",
    "configs",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A candidate pipeline (repeat to compare); default nlu/config.yml.",
)
@click.option("--folds", default=5, show_default=True, help="Number of folds.")
@click.option("--reuse", is_flag=True, help="Reuse saved fold predictions under reports/crossval/.")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "reports", show_default=True
)
def nlu_crossval(configs: tuple[Path, ...], folds: int, reuse: bool, out: Path) -> None:
    """Compare pipelines by k-fold cross-validation on the TRAINING data (never the held-out set).

    Writes reports/crossval.md (comparison, threshold curve) and the out-of-fold predictions.
    Trains k models per pipeline, one at a time (minutes each for DIET).
    """
    from bot.dialogue.engine import EMERGENCY_MIN_CONFIDENCE
    from nlu import crossval
    from nlu.paths import CONFIG

    results = []
    for config in configs or (CONFIG,):
        saved = out / "crossval" / f"{config.stem}.json"
        if reuse and saved.exists():
            result = crossval.load(saved)
        else:
            result = crossval.run_pipeline(config, k=folds, log=click.echo)
            crossval.save(result, saved)
        results.append(result)
    points = [round(0.05 * i, 2) for i in range(1, 20)]
    lines = [
        "# Cross-validation on the training data",
        "",
        f"{folds} folds stratified by language and intent (the same folds for every pipeline); "
        "macro-F1 of the model alone on the pooled out-of-fold predictions.",
        "",
        crossval.comparison_markdown(results, _danger, EMERGENCY_MIN_CONFIDENCE),
    ]
    for result in results:
        curve = crossval.threshold_curve(result, _danger, EMERGENCY_MIN_CONFIDENCE, points)
        best = crossval.choose_threshold(curve)
        lines += [
            f"## Threshold curve: {result.name}",
            "",
            f"Lowest expected cost (a wrong direct answer = {crossval.WRONG_ANSWER_COST:g} detours, "
            f"a detour without the right topic = {crossval.MISSED_DETOUR_COST:g}): "
            f"**{best.threshold:.2f}**.",
            "",
            "| threshold | answered directly | accuracy when answered | wrong direct answers "
            "| deferred with gold in top 3 | expected cost |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for p in curve:
            lines.append(
                f"| {p.threshold:.2f} | {100 * p.answered:.1f} % | {p.accuracy:.3f} | {100 * p.wrong:.1f} % "
                f"| {100 * p.deferred_top3:.1f} % | {crossval.cost(p):.3f} |"
            )
        lines.append("")
    out.mkdir(parents=True, exist_ok=True)
    (out / "crossval.md").write_text("\n".join(lines), encoding="utf-8")
    click.echo(crossval.comparison_markdown(results, _danger, EMERGENCY_MIN_CONFIDENCE))
    click.echo(f"report: {out / 'crossval.md'}")
