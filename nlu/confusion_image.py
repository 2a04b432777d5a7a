"""A confusion matrix as a self-contained SVG image (no plotting library needed in the app env).

Rows are the gold intents, columns the predicted ones; a cell's shade is the share of its row,
the number is the count. The diagonal is green, errors are red, so the confusions stand out.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

CELL = 26
LABEL_W = 120
HEADER_H = 120


def _shade(share: float, correct: bool) -> str:
    if share <= 0:
        return "#ffffff"
    strength = 0.15 + 0.85 * min(share, 1.0)
    base = (46, 139, 87) if correct else (200, 40, 40)
    r, g, b = (round(255 - (255 - c) * strength) for c in base)
    return f"#{r:02x}{g:02x}{b:02x}"


def confusion_svg(confusion: dict[tuple[str, str], int], labels: Sequence[str], title: str) -> str:
    """SVG text for the (gold, predicted) → count matrix over ``labels`` (in that order)."""
    labels = list(labels)
    for gold, predicted in confusion:
        for name in (gold, predicted):
            if name not in labels:
                labels.append(name)
    n = len(labels)
    width = LABEL_W + n * CELL + 20
    height = HEADER_H + n * CELL + 40
    rows = {g: sum(c for (gg, _), c in confusion.items() if gg == g) for g in labels}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="8" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<text x="8" y="{height - 10}" fill="#555">rows: gold intent · columns: predicted · '
        "shade: share of the row</text>",
    ]
    for j, name in enumerate(labels):
        x = LABEL_W + j * CELL + CELL / 2 + 4
        parts.append(
            f'<text x="{x:.0f}" y="{HEADER_H - 6}" transform="rotate(-60 {x:.0f} {HEADER_H - 6})">'
            f"{escape(name)}</text>"
        )
    for i, gold in enumerate(labels):
        y = HEADER_H + i * CELL
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + CELL * 0.65:.0f}" text-anchor="end">{escape(gold)}</text>'
        )
        for j, predicted in enumerate(labels):
            x = LABEL_W + j * CELL
            count = confusion.get((gold, predicted), 0)
            share = count / rows[gold] if rows[gold] else 0.0
            parts.append(
                f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" '
                f'fill="{_shade(share, gold == predicted)}" stroke="#dddddd"/>'
            )
            if count:
                colour = "#ffffff" if share > 0.55 else "#000000"
                parts.append(
                    f'<text x="{x + CELL / 2:.0f}" y="{y + CELL * 0.65:.0f}" text-anchor="middle" '
                    f'fill="{colour}">{count}</text>'
                )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
