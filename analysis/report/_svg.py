"""Inline SVG bar charts (horizontal bars, optional confidence-interval whiskers)."""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any


def bar_chart(labels: Iterable[Any], values: Iterable[Any], *, lows: Sequence[Any] | None = None,
              highs: Sequence[Any] | None = None, secondary: Sequence[Any] | None = None, width: int = 640,
              percent: bool = True, legend: tuple[str, str] | None = None, title: str = "") -> str:
    """A horizontal bar chart as an ``<svg>`` string.

    ``values`` in 0–1 when ``percent``; ``lows``/``highs`` draw CI whiskers; ``secondary``
    draws a thin marker per bar (e.g. the unweighted estimate).  Labels are escaped.
    """
    labels = [str(v) for v in labels]
    values = [float(v) if v is not None and not _nan(v) else 0.0 for v in values]
    row, label_w, right = 24, 220, 70
    plot_w = width - label_w - right
    top = 22 if legend else 6
    height = top + row * len(labels) + 20
    scale_max = 1.0 if percent else max([*values, *(highs or [0])] or [1]) or 1.0
    if not percent:
        scale_max = _nice(scale_max)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="{escape(title)}">']
    if legend:
        parts.append(f'<rect x="{label_w}" y="4" width="12" height="10" class="bar"/>'
                     f'<text x="{label_w + 16}" y="13" class="small">{escape(legend[0])}</text>'
                     f'<line x1="{label_w + 200}" y1="3" x2="{label_w + 200}" y2="15" class="marker"/>'
                     f'<text x="{label_w + 206}" y="13" class="small">{escape(legend[1])}</text>')
    for tick in range(0, 5):
        x = label_w + plot_w * tick / 4
        text = f"{tick * 25}%" if percent else _short(scale_max * tick / 4)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 18}" class="grid"/>'
                     f'<text x="{x:.1f}" y="{height - 5}" class="small" text-anchor="middle">{text}</text>')
    for i, (label, value) in enumerate(zip(labels, values)):
        y = top + i * row
        bar = plot_w * min(value / scale_max, 1.0)
        # About 28 characters fit the 220-unit label column; the full label is in <title>.
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" class="label">'
                     f'<title>{escape(label)}</title>{escape(short)}</text>'
                     f'<rect x="{label_w}" y="{y + 5}" width="{bar:.1f}" height="{row - 10}" class="bar"/>')
        if lows is not None and highs is not None and not _nan(lows[i]) and not _nan(highs[i]):
            x1 = label_w + plot_w * min(float(lows[i]) / scale_max, 1.0)
            x2 = label_w + plot_w * min(float(highs[i]) / scale_max, 1.0)
            mid = y + row / 2
            parts.append(f'<line x1="{x1:.1f}" y1="{mid}" x2="{x2:.1f}" y2="{mid}" class="ci"/>'
                         f'<line x1="{x1:.1f}" y1="{mid - 5}" x2="{x1:.1f}" y2="{mid + 5}" class="ci"/>'
                         f'<line x1="{x2:.1f}" y1="{mid - 5}" x2="{x2:.1f}" y2="{mid + 5}" class="ci"/>')
        if secondary is not None and not _nan(secondary[i]):
            xs = label_w + plot_w * min(float(secondary[i]) / scale_max, 1.0)
            parts.append(f'<line x1="{xs:.1f}" y1="{y + 2}" x2="{xs:.1f}" y2="{y + row - 2}" class="marker"/>')
        shown = f"{value * 100:.0f}%" if percent else _short(value)
        end = label_w + plot_w + 6
        parts.append(f'<text x="{end}" y="{y + 16}" class="small">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _nan(value: Any) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _nice(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return float(step * exponent)
    return float(10 * exponent)


def _short(value: float) -> str:
    for unit, size in (("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:.1f}{unit}".replace(".0" + unit, unit)
    return f"{value:.0f}"
