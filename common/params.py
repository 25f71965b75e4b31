"""Query parameters: every page reads what it takes from the query string (and the few values posted
outside a form) through these helpers, so that a bad value is ignored, answered with the page's
default or a 404 — never a 500 — and an id of another tenant's object is a 404, not a silently empty
page.

A view declares what it reads with ``@query_params(...)``; the tests read the declarations to
request every page with hostile values and with another tenant's ids::

    @query_params(lodging=ID, debut=DATE)
    def planning_selection(request): ...
        lodging = object_param(request, "lodging", Lodging.objects.active())
        start = date_param(request, "debut") or today
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar
from urllib.parse import urlsplit

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, QueryDict
from django.utils.http import url_has_allowed_host_and_scheme

# Kinds of declared parameters (``POST_ID``: an id posted by a button outside any form).
ID, INT, DATE, TEXT, CHOICE, NEXT, FLAG = "id", "int", "date", "text", "choice", "next", "flag"
POST_ID = "post_id"

# Dates a page may show: anything else is a typing mistake or an attack (year 1 or 9999 overflow
# the date arithmetic of the planning and the lists).
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)
MAX_INT = 2**31 - 1

M = TypeVar("M", bound=Model)


def query_params(**declared: str) -> Callable:
    """Declare the parameters a view reads ({name: kind}); kept on the view as ``query_params``."""

    def decorate(view):
        view.query_params = {**getattr(view, "query_params", {}), **declared}
        return view

    return decorate


class UrlQuery:
    """The query string of a URL, readable by these helpers like a request's (e.g. the page an htmx
    request comes from: ``UrlQuery(request.htmx.current_url)``)."""

    def __init__(self, url: str):
        self.GET = QueryDict(urlsplit(url).query)
        self.POST = QueryDict()


def _raw(request: HttpRequest, name: str, source: str) -> str:
    data = request.POST if source == "POST" else request.GET
    value = data.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def clean_text(value: str, max_length: int = 200) -> str:
    """Text from a query string with NUL and other control characters removed, at most
    ``max_length`` characters."""
    return "".join(ch for ch in value if ch in "\t\n" or ord(ch) >= 32)[:max_length]


def text_param(request: HttpRequest, name: str, *, max_length: int = 200, source: str = "GET") -> str:
    return clean_text(_raw(request, name, source), max_length)


def search_param(request: HttpRequest, *, max_length: int = 100) -> str:
    """What a picker's search box sends: ``q``, or ``<field>_search`` (htmx pickers), cleaned."""
    for key, value in request.GET.items():
        if key == "q" or key.endswith("_search"):
            return clean_text(value.strip(), max_length)
    return ""


def int_param(
    request: HttpRequest,
    name: str,
    default: int | None = None,
    *,
    minimum: int = 0,
    maximum: int = MAX_INT,
    source: str = "GET",
) -> int | None:
    """An integer within ``[minimum, maximum]``, else ``default``."""
    value = _raw(request, name, source)
    if not value.isascii() or not value.lstrip("-").isdigit():
        return default
    number = int(value)
    return number if minimum <= number <= maximum else default


def parse_date(value: str | None) -> date | None:
    """An ISO date within the dates a page may show, else None."""
    try:
        day = date.fromisoformat(str(value)) if value else None
    except (TypeError, ValueError):
        return None
    return day if day is not None and EARLIEST <= day <= LATEST else None


def date_param(request: HttpRequest, name: str, default: date | None = None, *, source: str = "GET"):
    return parse_date(_raw(request, name, source)) or default


def object_param(request: HttpRequest, name: str, queryset: QuerySet[M], *, source: str = "GET") -> M | None:
    """The object whose id the parameter gives, within ``queryset`` (in the tenant's scope). Absent:
    None. Present but not an id of ``queryset`` (another tenant's, deleted, or not a number): 404."""
    value = _raw(request, name, source)
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or int(value) > 2**63 - 1:
        raise Http404
    found = queryset.filter(pk=int(value)).first()
    if found is None:
        raise Http404
    return found


def next_param(request: HttpRequest, default: str, *, name: str = "next") -> str:
    """A "come back to" address: a local path of this site only, else ``default``."""
    target = _raw(request, name, "POST") or _raw(request, name, "GET")
    if (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return clean_text(target, 2000)
    return default
