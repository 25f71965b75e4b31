"""Charts of the dashboard, drawn on the server as inline SVG: no JavaScript, no chart library, no
CDN. They scale with their container (``viewBox``), carry a ``<title>`` per bar, point and slice
(the value on hover and for screen readers), and the page shows the same figures in a table.

* ``month_chart``: bars or lines per month, one or two series (this period / a year earlier);
* ``donut_chart``: shares of a whole ("Origines de toutes vos réservations").

Geometry is computed with ``Decimal`` too: amounts never become floats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR, LINE = "bar", "line"
SERIES_COLOURS = ("#1f6f8b", "#c7ccd3")  # this period, the previous year
DONUT_COLOURS = ("#1f6f8b", "#8b5a2b", "#6b3fa0", "#2e8b57", "#d08c1f", "#98a2b3")

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 40


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal]
    colour: str


def _n(value: Decimal | int) -> str:
    """An SVG coordinate, one decimal."""
    return f"{Decimal(value).quantize(Decimal('0.1'))}"


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 × 10^k at least ``value`` (the top of the axis)."""
    if value <= 0:
        return Decimal(100)
    exponent = value.adjusted()
    base = Decimal(10) ** exponent
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= base * step:
            return (
                (base * step).quantize(Decimal(1), rounding=ROUND_CEILING) if exponent >= 0 else base * step
            )
    return base * 10


def axis_label(value: Decimal) -> str:
    return f"{formats.number_format(value, 0, force_grouping=True)} €"


def month_chart(
    *,
    labels: Sequence[str],
    tooltips: Sequence[str],
    series: Sequence[Series],
    kind: str = BAR,
    title: str,
    value_text: Callable[[Decimal], str],
) -> SafeString:
    """Bars (side by side per month) or lines, with a y axis in euros and four grid lines.

    ``labels`` are the short month names under the axis, ``tooltips`` the full ones."""
    count = len(labels)
    plot_w = Decimal(WIDTH - LEFT - RIGHT)
    plot_h = Decimal(HEIGHT - TOP - BOTTOM)
    top_value = nice_ceiling(max((v for s in series for v in s.values), default=Decimal(0)))
    slot = plot_w / max(count, 1)

    def y(value: Decimal) -> Decimal:
        return TOP + plot_h - (Decimal(value) / top_value) * plot_h

    parts = [
        f'<svg class="chart chart-{escape(kind)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for step in range(5):
        value = top_value * step / 4
        line_y = _n(y(value))
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{line_y}" y2="{line_y}" '
            f'stroke="#e3e8ed" stroke-width="1"/>'
            f'<text class="chart-axis" x="{LEFT - 6}" y="{line_y}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="11" fill="#5b6773">{escape(axis_label(value))}</text>'
        )
    for index, label in enumerate(labels):
        centre = LEFT + slot * index + slot / 2
        parts.append(
            f'<text class="chart-axis" x="{_n(centre)}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11" fill="#5b6773">{escape(label)}</text>'
        )

    if kind == LINE:
        for serie in series:
            points = [(LEFT + slot * index + slot / 2, y(value)) for index, value in enumerate(serie.values)]
            path = " ".join(f"{_n(px)},{_n(py)}" for px, py in points)
            parts.append(
                f'<polyline class="chart-line" points="{path}" fill="none" stroke="{serie.colour}" '
                f'stroke-width="2.5" stroke-linejoin="round"/>'
            )
            for (px, py), value, tooltip in zip(points, serie.values, tooltips, strict=True):
                parts.append(
                    f'<circle cx="{_n(px)}" cy="{_n(py)}" r="4" fill="{serie.colour}">'
                    f"<title>{escape(serie.label)} — {escape(tooltip)} : {escape(value_text(value))}</title>"
                    f"</circle>"
                )
    else:
        group = slot * Decimal("0.7")
        bar_w = group / max(len(series), 1)
        # The previous year drawn first (behind, on the left), this period on the right.
        ordered = list(reversed(series))
        for index in range(count):
            start = LEFT + slot * index + (slot - group) / 2
            for position, serie in enumerate(ordered):
                value = serie.values[index]
                top = y(value)
                height = TOP + plot_h - top
                parts.append(
                    f'<rect class="chart-bar" x="{_n(start + bar_w * position)}" y="{_n(top)}" '
                    f'width="{_n(bar_w * Decimal("0.92"))}" height="{_n(height)}" '
                    f'fill="{serie.colour}" rx="2">'
                    f"<title>{escape(serie.label)} — {escape(tooltips[index])} : "
                    f"{escape(value_text(value))}</title></rect>"
                )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        f'stroke="#98a2b3" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above goes through escape()


@dataclass(frozen=True)
class Slice:
    label: str
    value: int
    percent: Decimal
    colour: str


def donut_chart(*, slices: Sequence[Slice], title: str, centre: str, centre_small: str) -> SafeString:
    """A ring of ``slices`` (percentages of 100) around ``centre`` (the total)."""
    radius = Decimal("15.9155")  # circumference 100: a slice of p % is a dash of length p
    parts = [
        f'<svg class="chart chart-donut" viewBox="0 0 42 42" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<circle cx="21" cy="21" r="{radius}" fill="transparent" stroke="#e3e8ed" stroke-width="6"/>',
    ]
    offset = Decimal(25)  # start at 12 o'clock
    for piece in slices:
        if piece.percent <= 0:
            continue
        parts.append(
            f'<circle class="chart-slice" cx="21" cy="21" r="{radius}" fill="transparent" '
            f'stroke="{piece.colour}" stroke-width="6" '
            f'stroke-dasharray="{piece.percent} {Decimal(100) - piece.percent}" stroke-dashoffset="{offset}">'
            f"<title>{escape(piece.label)} : {piece.value} "
            f"({escape(formats.number_format(piece.percent, 1))} %)</title></circle>"
        )
        offset = (offset - piece.percent) % 100
    parts.append(
        f'<text x="21" y="20.5" text-anchor="middle" font-size="7" font-weight="700" fill="#1d2630">'
        f"{escape(centre)}</text>"
        f'<text x="21" y="26" text-anchor="middle" font-size="3.2" fill="#5b6773">'
        f"{escape(centre_small)}</text>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above goes through escape()
