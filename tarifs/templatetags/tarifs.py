from decimal import Decimal

from django import template
from django.utils.dateformat import format as date_format
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()


@register.filter
def stay_day(value, year_format: str = "Y") -> str:
    """``date(2020, 3, 7)`` → "sam. 07/03/2020" (the manual's lists of stays); "Sat 07/03/2020" in English."""
    if not value:
        return ""
    day = date_format(value, "D")
    if (get_language() or "fr").startswith("fr"):
        day = f"{day.lower()}."
    return f"{day} {date_format(value, f'd/m/{year_format}')}"


@register.filter
def percent_value(value) -> str:
    """``Decimal("12.50")`` → "12,5", ``Decimal("10.00")`` → "10" (a percentage as people write it)."""
    if value is None or value == "":
        return ""
    number = Decimal(value).normalize()
    places = max(0, -number.as_tuple().exponent)
    return number_format(number, decimal_pos=places)
