"""The evaluation as Markdown (``reports/nlu-evaluation.md``) and a short text summary for the console.

The report quotes held-out messages that went wrong: it is written under ``reports/`` (gitignored)
for the people who improve the training data — who must fix the *kind* of error, never copy the
held-out sentence into the training data.
"""

from __future__ import annotations

from collections.abc import Sequence

from nlu.evaluation import ALL, Outcome, Report, Section, coverage_table
from nlu.intents import ALL_INTENTS
from nlu.metrics import EMERGENCY, top_confusions

COVERAGE_POINTS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9)


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def _summary_rows(report: Report) -> list[str]:
    rows = [
        "| set | n | accuracy | macro-F1 | macro-F1 (model alone) | emergency recall | emergency FP rate "
        "| language id | answered directly (≥ threshold) | accuracy when answered |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in report.sections.items():
        answered_share = s.answered / max(s.not_flagged, 1)
        rows.append(
            f"| {name} | {s.product.n} | {s.product.accuracy:.3f} | **{s.product.macro_f1:.3f}** "
            f"| {s.model.macro_f1:.3f} | {s.emergency.caught}/{s.emergency.positives} "
            f"= {s.emergency.recall:.3f} | {s.emergency.false_alarms}/{s.emergency.negatives} "
            f"= {s.emergency.false_positive_rate:.3f} | {s.language_accuracy:.3f} "
            f"| {_pct(answered_share)} | {s.answered_correct / max(s.answered, 1):.3f} |"
        )
    return rows


def _intent_rows(report: Report) -> list[str]:
    langs = [name for name in report.sections if name != ALL]
    head = "| intent | precision | recall | F1 | n | " + " | ".join(f"F1 {lang}" for lang in langs) + " |"
    rows = [head, "|---|---:|---:|---:|---:|" + "---:|" * len(langs)]
    for intent in ALL_INTENTS:
        overall = report.overall.product.intent(intent)
        if overall is None:
            continue
        per_lang = []
        for lang in langs:
            s = report.sections[lang].product.intent(intent)
            per_lang.append(f"{s.f1:.2f}" if s else "–")
        rows.append(
            f"| {intent} | {overall.precision:.2f} | {overall.recall:.2f} | {overall.f1:.2f} "
            f"| {overall.support} | " + " | ".join(per_lang) + " |"
        )
    return rows


def _confusion_rows(section: Section, limit: int = 12) -> list[str]:
    pairs = top_confusions(section.product, limit)
    if not pairs:
        return ["No confusions."]
    rows = ["| gold | predicted as | count | why it matters |", "|---|---|---:|---|"]
    for gold, predicted, count in pairs:
        rows.append(f"| {gold} | {predicted} | {count} | {_why(gold, predicted)} |")
    return rows


def _why(gold: str, predicted: str) -> str:
    if gold == EMERGENCY:
        return "a person in danger not answered with the emergency message"
    if predicted == EMERGENCY:
        return "false alarm: emergency message instead of the answer"
    if {gold, predicted} == {"asylum", "travel"}:
        return "Mexican asylum vs. US asylum/travel: the wrong procedure"
    if {gold, predicted} == {"asylum", "regularization"}:
        return "COMAR vs. INM: the wrong office"
    if {gold, predicted} == {"violence", "emergency"} or predicted == "out_of_scope":
        return "the need is dismissed"
    if {gold, predicted} <= {"curp", "documents", "regularization"}:
        return "the wrong paper or office"
    return ""


def _outcome_row(o: Outcome) -> str:
    text = o.example.text.replace("|", "/")
    net = " (safety net)" if o.safety_net else ""
    return (
        f"| {o.example.language} | {o.example.intent} | {o.final}{net} | {o.parse.confidence:.2f} | {text} |"
    )


def markdown(report: Report, *, failures: Sequence[str], images: Sequence[str], command: str) -> str:
    overall = report.overall
    lines = [
        "# NLU evaluation on the held-out set",
        "",
        f"Model: `{report.model}` · command: `{command}` · low-confidence threshold: {report.threshold:.2f}",
        "",
        "Scored as the product decides: the model's intent, overridden to `emergency` when the "
        "safety net fires (as `brujula nlu predict` reports it). A message is *treated as an emergency* "
        "when the safety net fires or the model says `emergency` with at least the engine's emergency "
        "confidence. Macro-F1 averages over the intents with held-out examples in that set.",
        "",
        "## Gates",
        "",
        *(["All thresholds met."] if not failures else [f"- **FAIL** {f}" for f in failures]),
        "",
        "## Summary",
        "",
        *_summary_rows(report),
        "",
        "## Emergencies",
        "",
        f"- recall with the safety net: {overall.emergency.caught}/{overall.emergency.positives} "
        f"({overall.emergency.recall:.3f}); model alone: {overall.model_emergency.caught}/"
        f"{overall.model_emergency.positives} ({overall.model_emergency.recall:.3f})",
        f"- false alarms on non-emergency held-out messages: {overall.emergency.false_alarms}/"
        f"{overall.emergency.negatives} ({overall.emergency.false_positive_rate:.3f}); of those, by the "
        f"safety net: {sum(o.safety_net and o.example.intent != EMERGENCY for o in report.outcomes)}",
        f"- emergencies answered as `out_of_scope`: {overall.emergency.missed_as_out_of_scope}",
        f"- safety net false alarms on non-emergency *training* messages: "
        f"{len(report.safety_false_alarms_training)}/{report.training_negatives}",
        "",
    ]
    missed = [o for o in report.outcomes if o.example.intent == EMERGENCY and not o.flagged]
    alarms = [o for o in report.outcomes if o.example.intent != EMERGENCY and o.flagged]
    table_head = ["| lang | gold | final | confidence | message |", "|---|---|---|---:|---|"]
    if missed:
        lines += ["### Missed emergencies", "", *table_head, *(_outcome_row(o) for o in missed), ""]
    if alarms:
        lines += ["### False alarms (held-out)", "", *table_head, *(_outcome_row(o) for o in alarms), ""]
    if report.safety_false_alarms_training:
        lines += ["### Safety-net false alarms on training messages", "", "| lang | intent | message |"]
        lines += ["|---|---|---|"]
        lines += [
            f"| {ex.language} | {ex.intent} | {ex.text.replace('|', '/')} |"
            for ex in report.safety_false_alarms_training
        ]
        lines.append("")
    lines += ["## Confusion pairs that matter most", ""]
    for name, section in report.sections.items():
        lines += [f"### {name}", "", *_confusion_rows(section), ""]
    lines += ["## Per intent (overall, safety net applied)", "", *_intent_rows(report), ""]
    lines += [
        "## Confidence threshold",
        "",
        "Share of non-emergency messages the assistant answers directly at each threshold, and the "
        "accuracy of those answers (the rest get \u201cdid you mean\u2026\u201d buttons). The threshold "
        "itself is chosen by cross-validation on the training data (docs/NLU.md), not here.",
        "",
        "| threshold | answered directly | accuracy when answered |",
        "|---:|---:|---:|",
    ]
    for t, share, accuracy in coverage_table(report.outcomes, sorted({*COVERAGE_POINTS, report.threshold})):
        mark = " ←" if abs(t - report.threshold) < 1e-9 else ""
        lines.append(f"| {t:.2f}{mark} | {_pct(share)} | {accuracy:.3f} |")
    p = report.places
    lines += [
        "",
        "## Places (location entity, canonical values)",
        "",
        f"- recall {p.found}/{p.expected} = {p.recall:.3f}; precision {p.returned - p.spurious}/{p.returned} "
        f"= {p.precision:.3f}",
        "",
        "## Confusion matrices",
        "",
        *(f"![confusion matrix]({img})" for img in images),
        "",
        "## All errors",
        "",
        *table_head,
        *(_outcome_row(o) for o in report.outcomes if o.final != o.example.intent),
        "",
    ]
    return "\n".join(lines)


def console_summary(report: Report, failures: Sequence[str]) -> str:
    lines = []
    for name, s in report.sections.items():
        lines.append(
            f"{name:>3}: n={s.product.n:<4} accuracy={s.product.accuracy:.3f} "
            f"macro-F1={s.product.macro_f1:.3f} emergency recall={s.emergency.recall:.3f} "
            f"FP rate={s.emergency.false_positive_rate:.3f} language id={s.language_accuracy:.3f}"
        )
    for gold, predicted, count in top_confusions(report.overall.product, 5):
        lines.append(f"  confused: {gold} → {predicted} ×{count}")
    lines.append(
        f"places: recall={report.places.recall:.3f} precision={report.places.precision:.3f}; "
        f"safety net false alarms on training: {len(report.safety_false_alarms_training)}/"
        f"{report.training_negatives}"
    )
    lines += [f"FAIL {f}" for f in failures] or ["all thresholds met"]
    return "\n".join(lines)
