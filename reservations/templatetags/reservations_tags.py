from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import formats
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from common.money import format_money
from reservations.history import describe

register = template.Library()

MAX_LANES = 40  # as scripts/planning_grid_css.py


@register.filter
def price_short(value: Decimal | None) -> str:
    """A planning price in whole euros, rounded half-up ("180,50" → "181"), so it fits its day at
    every width; the exact price is in the cell's tooltip."""
    if value is None or value == "":
        return "-"
    if isinstance(value, float):
        raise TypeError("Money must never be a float.")
    return formats.number_format(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP), 0)


@register.filter
def audit_text(entry) -> str:
    return describe(entry)


@register.simple_tag
def hx_link(url: str, label: str, css: str = "button small", target: str = "#booking-body") -> str:
    """A link that htmx follows into ``target`` (the whole file by default); a plain link without JS."""
    return format_html(
        '<a class="{}" href="{}" hx-get="{}" hx-target="{}" hx-swap="outerHTML">{}</a>',
        css,
        url,
        url,
        target,
        label,
    )


# --- the planning grid ----------------------------------------------------------------------------
# Rendered in Python: 50 lodgings × 45 days × 3 rows is thousands of cells, ten times faster to
# write as strings than through template loops. Every dynamic text goes through ``escape``.


def _head_html(planning) -> str:
    cached = getattr(planning, "_head_html", None)
    if cached is not None:
        return cached
    parts = []
    if planning.compact:
        months = "".join(
            f'<div class="pl-month gs-{month.span}">{escape(month.label)}</div>' for month in planning.months
        )
        parts.append(
            '<div class="pl-row pl-months" aria-hidden="true"><div class="pl-label"></div>'
            f'<div class="pl-days">{months}</div></div>'
        )
    days = []
    for header in planning.headers:
        classes = "pl-day"
        if header.weekend:
            classes += " is-weekend"
        if header.today:
            classes += " is-today"
        if header.month_start:
            classes += " is-month-start"
        days.append(
            f'<div class="{classes}"><span>{escape(header.weekday)}</span> <span>{header.number}</span></div>'
        )
    parts.append(
        '<div class="pl-row pl-head" aria-hidden="true"><div class="pl-label"></div>'
        f'<div class="pl-days">{"".join(days)}</div></div>'
    )
    planning._head_html = "".join(parts)
    return planning._head_html


def _block_html(placed) -> str:
    block = placed.block
    classes = f"pl-block pl-{escape(block.kind)}"
    if placed.continues_before:
        classes += " continues-before"
    if placed.continues_after:
        classes += " continues-after"
    interactive = bool(block.url or block.summary)
    attrs = ' tabindex="0"' if interactive else ""
    attrs += f' data-kind="{escape(block.kind)}"'
    if block.booking_id:
        attrs += f' data-booking="{block.booking_id}"'
    label = f"✓ {escape(block.label)}" if block.check else escape(block.label)
    summary = ""
    if interactive:
        link = (
            f'<a class="button small primary" href="{escape(block.url)}">{escape(block.link_label)}</a>'
            if block.url
            else ""
        )
        lines = "".join(f"<p>{escape(line)}</p>" for line in block.summary)
        summary = f'<div class="pl-summary" role="tooltip">{link}{lines}</div>'
    if block.tone:
        classes += f" tone-{escape(block.tone)}"
    # Placement by classes (static/reservations/planning-grid.css): no inline style under the CSP.
    classes += f" gc-{placed.column} gs-{placed.span} gr-{min(placed.lane + 1, MAX_LANES)}"
    return f'<div class="{classes}"{attrs}>\n<span class="pl-block-label">{label}</span>{summary}</div>'


def _price_html(cell, compact: bool, language: str, cache: dict) -> str:
    price = cell.price
    if price is None:
        return '<div class="pl-price"></div>' if compact else '<div class="pl-price">-</div>'
    key = (price.nights, price.sale_price)
    if key not in cache:  # the same few prices repeat over thousands of cells
        title = ngettext("%(nights)s night: %(price)s", "%(nights)s nights: %(price)s", price.nights) % {
            "nights": price.nights,
            "price": format_money(price.sale_price, language),
        }
        if price.nights > 1 or price.nightly_price != price.nightly_price.to_integral_value():
            title += (
                " (" + _("%(price)s per night") % {"price": format_money(price.nightly_price, language)} + ")"
            )
        text = "" if compact else price_short(price.nightly_price)
        cache[key] = f'<div class="pl-price has-price" title="{escape(title)}">{text}</div>'
    return cache[key]


def _cell_html(cell) -> str:
    """A day of the "Réservations" row; a day with some units left is selectable like a free day."""
    selectable = "free" if cell.state == "partial" else cell.state
    return (
        f'<div class="pl-cell is-{cell.state}" data-day="{cell.day.isoformat()}"'
        f' data-state="{selectable}"></div>'
    )


def _units_html(cell) -> str:
    """A day of the "Unités libres" row of a lodging with stock: "2/3"."""
    title = ngettext(
        "%(free)d unit free out of %(capacity)d", "%(free)d units free out of %(capacity)d", cell.free
    ) % {"free": cell.free, "capacity": cell.capacity}
    full = " is-full" if cell.free == 0 else ""
    return f'<div class="pl-units{full}" title="{escape(title)}">{cell.free}/{cell.capacity}</div>'


@register.simple_tag
def planning_grid(planning, row) -> str:
    """The day headers, the "Réservations" row (free / booked / prohibited days under the blocks)
    and the "Prix nuitée" row of one lodging."""
    language = get_language() or "fr"
    bookings_label, prices_label = escape(_("Bookings")), escape(_("Nightly price"))
    cells = "".join(_cell_html(cell) for cell in row.cells)
    units_row = ""
    if row.with_stock:
        free_label = escape(_("Free units"))
        units_row = (
            f'<div class="pl-row pl-free"><div class="pl-label">{free_label}</div>'
            f'<div class="pl-days">{"".join(_units_html(cell) for cell in row.cells)}</div></div>'
        )
    blocks = "".join(_block_html(placed) for placed in row.blocks)
    if not hasattr(planning, "_price_cache"):
        planning._price_cache = {}
    prices = "".join(
        _price_html(cell, planning.compact, language, planning._price_cache) for cell in row.cells
    )
    return mark_safe(  # noqa: S308 - every dynamic part above is escaped
        f'<div class="planning-grid days-{planning.days} lanes-{min(row.lanes, MAX_LANES)}">'
        f"{_head_html(planning)}"
        f'<div class="pl-row pl-res"><div class="pl-label">{bookings_label}</div>'
        '<div class="pl-stack">'
        f'<div class="pl-days pl-cells" data-lodging="{row.lodging.pk}">{cells}</div>'
        f'<div class="pl-days pl-blocks">{blocks}</div></div></div>'
        f"{units_row}"
        f'<div class="pl-row pl-prices"><div class="pl-label">{prices_label}</div>'
        f'<div class="pl-days">{prices}</div></div>'
        "</div>"
    )
