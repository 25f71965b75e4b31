from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import format_html

from reservations.history import describe

register = template.Library()


@register.filter
def price_short(value: Decimal | None) -> str:
    """A planning price: "50" for 50,00, "52,50" otherwise."""
    if value is None or value == "":
        return "-"
    if isinstance(value, float):
        raise TypeError("Money must never be a float.")
    if value == value.to_integral_value():
        return formats.number_format(value, 0)
    return formats.number_format(value, 2)


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
