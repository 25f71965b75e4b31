"""Pages of long lists that cost the same whatever the history.

``paginate`` counts and pages on the plain query (an index scan, OFFSET included), then loads what
the rows show — subqueries, joins, prefetches — for the page's ids only, so page 40 of 50 000 rows
costs what page 1 does, and the rows skipped by OFFSET are never annotated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def paginate(
    queryset: QuerySet, number: int | str | None, per_page: int, rows: Callable[[list], Iterable]
) -> Page:
    """The page ``number`` of ``queryset`` (ordered); ``rows(ids)`` returns the objects to show for
    those primary keys (in any order: the page keeps the queryset's)."""
    page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    found = {row.pk: row for row in rows(ids)}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page
