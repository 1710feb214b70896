"""
Chart geometry for the health pages, drawn as inline SVG by the templates.

Server-side SVG needs no script and no chart library: this module turns numbers into rectangles and
tick positions, and `templates/_charts.html` draws them with every label escaped. Each chart also
carries its numbers as a table, which the page offers beside the picture for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 56, 24, 12, 36
MAX_BAR = 48
MAX_X_LABELS = 12


@dataclass(frozen=True, slots=True)
class Tick:
    """A labelled position on an axis."""

    position: float
    text: str


@dataclass(frozen=True, slots=True)
class Bar:
    """One rectangle; `series` picks its colour, `label` is its tooltip."""

    x: float
    y: float
    width: float
    height: float
    series: int
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    """An SVG chart: its bars, axes and the table of the numbers it shows."""

    title: str
    width: int
    height: int
    bars: list[Bar]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    series: list[str]
    header: list[str]
    rows: list[list[str]]
    plot_left: float = LEFT
    plot_right: float = WIDTH - RIGHT
    plot_bottom: float = 0.0
    row_labels: list[Tick] = field(default_factory=list)
    """Category names written left of a horizontal chart's rows."""


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above `value` (an axis maximum)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def number_text(value: float) -> str:
    """`1,250` or `12.5`: whole numbers with separators, others with one decimal."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    height: int = 240,
) -> Chart:
    """Vertical bars: one group per category, one bar per series in each group."""
    names = list(series)
    top = nice_ceiling(max((v for values in series.values() for v in values), default=0))
    plot_height = height - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    bar_width = min(slot * 0.8 / max(len(names), 1), MAX_BAR)
    inset = (slot - bar_width * len(names)) / 2
    bars = []
    for index, category in enumerate(categories):
        for number, name in enumerate(names):
            value = series[name][index]
            bar_height = plot_height * value / top
            bars.append(
                Bar(
                    x=LEFT + index * slot + inset + number * bar_width,
                    y=TOP + plot_height - bar_height,
                    width=bar_width,
                    height=bar_height,
                    series=number,
                    label=f"{category}: {name} {number_text(value)}",
                )
            )
    every = math.ceil(len(categories) / MAX_X_LABELS) or 1
    x_ticks = [
        Tick(LEFT + (index + 0.5) * slot, category)
        for index, category in enumerate(categories)
        if index % every == 0
    ]
    return Chart(
        title=title,
        width=WIDTH,
        height=height,
        bars=bars,
        x_ticks=x_ticks,
        y_ticks=_value_ticks(top, TOP, plot_height),
        series=names,
        header=["", *names],
        rows=[
            [category, *(number_text(series[name][index]) for name in names)]
            for index, category in enumerate(categories)
        ],
        plot_bottom=TOP + plot_height,
    )


def range_chart(title: str, rows: Sequence[tuple[str, float, float]], *, unit: str) -> Chart:
    """Horizontal bars from low to high, one row per label (salary ranges by company)."""
    label_width = 180
    row_height = 24
    height = TOP + BOTTOM + row_height * max(len(rows), 1)
    top = nice_ceiling(max((high for _, _, high in rows), default=0))
    span = WIDTH - label_width - RIGHT
    bars = []
    for index, (label, low, high) in enumerate(rows):
        start = label_width + span * low / top
        bars.append(
            Bar(
                x=start,
                y=TOP + index * row_height + 4,
                width=max(span * high / top - (start - label_width), 2.0),
                height=row_height - 8,
                series=0,
                label=f"{label}: {unit} {_span_text(low, high)}",
            )
        )
    ticks = [
        Tick(label_width + span * fraction, number_text(top * fraction))
        for fraction in (0, 0.25, 0.5, 0.75, 1)
    ]
    return Chart(
        title=title,
        width=WIDTH,
        height=height,
        bars=bars,
        x_ticks=ticks,
        y_ticks=[],
        series=[unit],
        header=["company", unit],
        rows=[[label, _span_text(low, high)] for label, low, high in rows],
        plot_left=label_width,
        plot_bottom=height - BOTTOM,
        row_labels=[
            Tick(TOP + index * row_height + row_height / 2, _short(label))
            for index, (label, _, _) in enumerate(rows)
        ],
    )


def _value_ticks(top: float, offset: float, plot_height: float) -> list[Tick]:
    return [
        Tick(offset + plot_height * (1 - fraction), number_text(top * fraction))
        for fraction in (0, 0.5, 1)
    ]


def _span_text(low: float, high: float) -> str:
    return number_text(low) if low == high else f"{number_text(low)}–{number_text(high)}"


def _short(label: str, limit: int = 24) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
