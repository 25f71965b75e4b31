from django import template

from common.masking import masked as _masked

register = template.Library()


@register.filter
def masked(value):
    """``{{ payment.reference|masked }}``: the last 4 characters only in assist mode."""
    return _masked(value)
