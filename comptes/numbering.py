"""Per-provider gapless numbers: lodging references (OSMB-92750-3), booking files (n°131), and later
invoices and credit notes — each series its own counter.

``number_next`` takes the provider's counter row with a row lock held until the caller's transaction
ends, so two numbers are never the same and a rolled-back transaction uses no number. Never
``max() + 1``.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from comptes.models import Provider

# Series → the counter column of ``Provider``.
SERIES = {
    "lodging": "lodging_counter",
    "booking": "booking_counter",
    "booking_test": "test_booking_counter",
    "client": "client_counter",
}


def number_next(*, provider: Provider, series: str) -> int:
    """The provider's next number of ``series``, inside the caller's transaction.

    The UPDATE takes the row lock (``FOR NO KEY UPDATE`` strength: other transactions may still
    insert rows referencing the provider), so concurrent callers queue and each gets its own number.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next() must run inside the transaction that uses the number.")
    column = SERIES[series]
    Provider.objects.filter(pk=provider.pk).update(**{column: F(column) + 1})
    number = Provider.objects.filter(pk=provider.pk).values_list(column, flat=True).get()
    setattr(provider, column, number)
    return number
