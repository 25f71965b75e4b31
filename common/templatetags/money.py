from django import template
from django.utils.translation import get_language

from common.money import format_money

register = template.Library()


@register.filter(name="money")
def money_filter(value):
    """``{{ amount|money }}`` → "1 234,56 €" (French) / "€1,234.56" (English); refuses floats."""
    return format_money(value, get_language() or "fr")
