"""Server-side SVG line charts (Q19): no JavaScript, no CDN; the numbers are also shown as a table.

Floats are used only for pixel geometry; the figures printed on the chart come from the Decimals given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shebao.core.money import format_money

PALETTE = ["#0b5394", "#e69138", "#6aa84f", "#cc0000", "#674ea7", "#3d85c6"]
WIDTH, HEIGHT = 820, 280
LEFT, RIGHT, TOP, BOTTOM = 90, 20, 36, 48


@dataclass(frozen=True)
class Series:
    name: str
    values: list  # Decimal | int per label


def nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^k) that divides `span` into about `ticks` parts."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _fmt(value, money: bool) -> str:
    if money:
        return format_money(Decimal(str(value)))
    return f"{int(value):,}"


def _axis_label(value: float, money: bool) -> str:
    if money and value >= 10_000:
        text = f"{value / 10_000:,.2f}".rstrip("0").rstrip(".")
        return f"{text}万"
    return f"{value:,.0f}"


def line_chart(*, title: str, labels: list[str], series: list[Series], money: bool = True) -> SafeString:
    """An accessible SVG line chart: title, y grid with round ticks, x labels, one polyline per series,
    a legend, and a <title> tooltip on every point."""
    count = len(labels)
    values = [float(v or 0) for s in series for v in s.values]
    top_value = max(values, default=0)
    step = nice_step(top_value or 1)
    y_max = step * max(1, math.ceil((top_value or 1) / step))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / y_max

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="18" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    tick = 0.0
    while tick <= y_max + 1e-9:
        ty = y(tick)
        parts.append(f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" stroke="#d9e2ec"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="#616e7c">{_axis_label(tick, money)}</text>'
        )
        tick += step
    every = max(1, math.ceil(count / 12))
    for index, label in enumerate(labels):
        if index % every == 0:
            parts.append(
                f'<text x="{x(index):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="#616e7c">{escape(label)}</text>'
            )
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#9aa5b1"/>'
    )
    for number, item in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        # SVG pixel geometry only; the figures shown stay Decimal.
        heights = [float(v or 0) for v in item.values]
        points = [(x(i), y(h)) for i, h in enumerate(heights)]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        for (px, py), label, value in zip(points, labels, item.values, strict=True):
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"><title>{escape(item.name)} '
                f"{escape(label)}: {_fmt(value or 0, money)}</title></circle>"
            )
        legend_x = LEFT + number * 120
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT - 16}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="{HEIGHT - 7}">{escape(item.name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
