"""Bar charts drawn as SVG on the server: no script, no library, no network.

Each chart is a standalone, well-formed SVG document fragment with a ``<title>`` and a
``<desc>`` (named by ``aria-labelledby``), a ``<title>`` on every bar for pointer users,
and the numbers written next to the bars; the page puts a data table beside each chart
for screen readers and for print. Colours are presentation attributes that the
stylesheet may override through the classes, so inline ``style`` is never needed (CSP).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"
BAR_FILL = "#1d4e89"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    display: str | None = None  # the number as shown; str(value) by default
    css: str = ""  # an extra class, e.g. "adopted"
    fill: str = BAR_FILL

    @property
    def shown(self) -> str:
        if self.display is not None:
            return self.display
        return number(self.value)


def number(value: float) -> str:
    """A number as the reader's language writes it: "3.000", "0,49" in Vietnamese."""
    from babel.numbers import format_decimal
    from flask import has_request_context
    from flask_babel import get_locale

    locale = str(get_locale()) if has_request_context() else "vi"
    if float(value).is_integer():
        return format_decimal(int(value), locale=locale)
    return format_decimal(value, format="#,##0.##", locale=locale)


def _ticks(axis_max: float) -> int:
    """How many steps the axis has: whole steps for counts (never "1,25 opinions")."""
    if float(axis_max).is_integer():
        return next(d for d in (5, 4, 3, 2, 1) if int(axis_max) % d == 0)
    return 4


def _e(text: str) -> str:
    return escape(str(text), quote=True)


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        top = step * 10**exponent
        if top >= value:
            return float(top)
    return float(10 ** (exponent + 1))


def _open(chart_id: str, title: str, desc: str, width: int, height: int, css: str) -> list[str]:
    return [
        f'<svg xmlns="{SVG_NS}" class="chart {css}" id="{_e(chart_id)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{_e(chart_id)}-title {_e(chart_id)}-desc" '
        f'font-family="{_e(FONT)}" font-size="13">',
        f'<title id="{_e(chart_id)}-title">{_e(title)}</title>',
        f'<desc id="{_e(chart_id)}-desc">{_e(desc)}</desc>',
    ]


def horizontal_bars(chart_id: str, title: str, desc: str, bars: Sequence[Bar]) -> Markup:
    """Labels on the left, one bar per row, the value at the bar's end."""
    label_w, plot_w, value_w, row_h, pad = 190, 330, 70, 30, 10
    width = label_w + plot_w + value_w
    height = pad * 2 + row_h * max(len(bars), 1)
    top = max((b.value for b in bars), default=0) or 1
    out = _open(chart_id, title, desc, width, height, "chart-h")
    out.append(
        f'<line class="axis" x1="{label_w}" y1="{pad}" x2="{label_w}" '
        f'y2="{height - pad}" stroke="#5f6b7a" stroke-width="1"/>'
    )
    for i, bar in enumerate(bars):
        y = pad + i * row_h
        length = 0.0 if bar.value <= 0 else max(plot_w * bar.value / top, 2.0)
        out.append(f'<g class="bar {_e(bar.css)}">')
        out.append(f"<title>{_e(bar.label)}: {_e(bar.shown)}</title>")
        out.append(
            f'<text class="label" x="{label_w - 8}" y="{y + row_h / 2 + 4:.1f}" '
            f'text-anchor="end" fill="#1f2933">{_e(bar.label)}</text>'
        )
        out.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{length:.1f}" height="{row_h - 10}" '
            f'fill="{_e(bar.fill)}" rx="2"/>'
        )
        out.append(
            f'<text class="value" x="{label_w + length + 6:.1f}" y="{y + row_h / 2 + 4:.1f}" '
            f'fill="#1f2933">{_e(bar.shown)}</text>'
        )
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text and attribute went through _e


def vertical_bars(
    chart_id: str, title: str, desc: str, bars: Sequence[Bar], *, axis_label: str = ""
) -> Markup:
    """Columns over a labelled baseline, with a few horizontal grid lines."""
    left, right, top_pad, bottom = 44, 12, 16, 42
    col_w = 44
    plot_h = 180
    width = left + right + col_w * max(len(bars), 1)
    height = top_pad + plot_h + bottom
    axis_max = _nice_max(max((b.value for b in bars), default=0))
    base_y = top_pad + plot_h
    out = _open(chart_id, title, desc, width, height, "chart-v")
    # Counts: whole-number ticks when the axis is short (no "0.25 opinions").
    ticks = _ticks(axis_max)
    for t in range(ticks + 1):
        value = axis_max * t / ticks
        y = base_y - plot_h * t / ticks
        label = number(value)
        out.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#d9dee5" stroke-width="1"/>'
        )
        out.append(
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="#5f6b7a" font-size="11">{_e(label)}</text>'
        )
    for i, bar in enumerate(bars):
        x = left + i * col_w
        h = 0.0 if bar.value <= 0 else max(plot_h * bar.value / axis_max, 2.0)
        out.append(f'<g class="bar {_e(bar.css)}">')
        out.append(f"<title>{_e(bar.label)}: {_e(bar.shown)}</title>")
        out.append(
            f'<rect x="{x + 8}" y="{base_y - h:.1f}" width="{col_w - 16}" height="{h:.1f}" '
            f'fill="{_e(bar.fill)}" rx="2"/>'
        )
        if bar.value > 0:
            out.append(
                f'<text class="value" x="{x + col_w / 2}" y="{base_y - h - 4:.1f}" '
                f'text-anchor="middle" fill="#1f2933" font-size="11">{_e(bar.shown)}</text>'
            )
        out.append(
            f'<text class="label" x="{x + col_w / 2}" y="{base_y + 16}" text-anchor="middle" '
            f'fill="#1f2933" font-size="11">{_e(bar.label)}</text>'
        )
        out.append("</g>")
    out.append(
        f'<line class="axis" x1="{left}" y1="{base_y}" x2="{width - right}" y2="{base_y}" '
        f'stroke="#5f6b7a" stroke-width="1"/>'
    )
    if axis_label:
        out.append(
            f'<text class="axis-label" x="{left + (width - left - right) / 2}" '
            f'y="{height - 6}" text-anchor="middle" fill="#5f6b7a" font-size="11">'
            f"{_e(axis_label)}</text>"
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text and attribute went through _e
