"""Charts drawn on the server as inline SVG: no script, nothing fetched, readable without them.

Each function returns the geometry a template draws. Every chart is shown beside a table
of the same figures, which is what a screen reader or a printout relies on; the SVG carries
an `aria-label` summary and a `<title>` on each bar for those who hover.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# GOV.UK colours with at least 3:1 contrast against white, for bars and their key.
PALETTE = ("#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#505a5f", "#912b88")
ROW = 30
BAR = 20
LABEL_WIDTH = 230
BAR_WIDTH = 320
VALUE_WIDTH = 70


def number(value: float | int | None) -> str:
    """A figure as the tables show it: whole numbers plain, others to one decimal place."""
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def bar_chart(label: str, rows: Sequence[tuple[str, float | int | None]]) -> dict[str, Any]:
    """Horizontal bars, one a row, scaled to the largest value; a missing value draws none."""
    # A negative figure (a meeting recorded as held before its alert) draws no bar; the
    # table still gives it.
    biggest = max((v for _, v in rows if v and v > 0), default=0)
    bars = []
    for i, (name, value) in enumerate(rows):
        width = round(BAR_WIDTH * max(value or 0, 0) / (biggest or 1), 1)
        y = i * ROW + (ROW - BAR) / 2
        bars.append(
            {
                "label": name,
                "value": number(value),
                "y": y,
                "text_y": y + BAR / 2 + 5,
                "width": max(width, 1 if value and value > 0 else 0),
                "value_x": LABEL_WIDTH + 8 + width + 6,
            }
        )
    return {
        "label": label,
        "width": LABEL_WIDTH + 8 + BAR_WIDTH + VALUE_WIDTH,
        "height": max(len(rows), 1) * ROW,
        "label_x": LABEL_WIDTH,
        "bar_x": LABEL_WIDTH + 8,
        "bar_height": BAR,
        "colour": PALETTE[0],
        "bars": bars,
        # Bars of nothing say nothing: the table alone says every figure is 0.
        "empty": not biggest,
    }


COLUMN_AREA = 220
COLUMN_TOP = 20
COLUMN_GAP = 8
AXIS_SPACE = 40
CHART_WIDTH = 620


def column_chart(
    label: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[int | float]]]
) -> dict[str, Any]:
    """Vertical columns, one per category (a month), each stacking the series' values."""
    totals = [sum(s[1][i] or 0 for s in series) for i in range(len(categories))]
    empty = not any(totals)
    biggest = max(totals, default=0) or 1
    step = (CHART_WIDTH - AXIS_SPACE) / max(len(categories), 1)
    width = max(step - COLUMN_GAP, 4)
    columns = []
    for i, category in enumerate(categories):
        x = AXIS_SPACE + i * step + COLUMN_GAP / 2
        top = COLUMN_TOP + COLUMN_AREA
        segments = []
        for n, (name, values) in enumerate(series):
            value = values[i] or 0
            height = round(COLUMN_AREA * value / biggest, 1)
            top -= height
            if value:
                segments.append(
                    {
                        "y": round(top, 1),
                        "height": height,
                        "colour": PALETTE[n % len(PALETTE)],
                        "title": f"{category}: {name} {number(value)}",
                    }
                )
        columns.append(
            {
                "x": round(x, 1),
                "centre": round(x + width / 2, 1),
                "label": category,
                # Two lines under the column ("Jan" over "2025"), so narrow columns fit.
                "label_lines": category.rsplit(" ", 1) if " " in category else [category],
                "total": number(totals[i]),
                "total_y": round(top - 4, 1),
                "segments": segments,
            }
        )
    return {
        "label": label,
        "width": CHART_WIDTH,
        "height": COLUMN_TOP + COLUMN_AREA + AXIS_SPACE,
        "baseline": COLUMN_TOP + COLUMN_AREA,
        "axis_label_y": COLUMN_TOP + COLUMN_AREA + 18,
        "column_width": round(width, 1),
        "columns": columns,
        "empty": empty,
        "key": [
            {"name": name, "colour": PALETTE[n % len(PALETTE)]}
            for n, (name, _) in enumerate(series)
        ]
        if len(series) > 1
        else [],
        # Month labels crowd each other beyond a year: show every other one then.
        "label_every": 1 if len(categories) <= 13 else 2,
    }
