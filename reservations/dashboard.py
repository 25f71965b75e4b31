"""The dashboard ("Tableau de bord"): its blocks as plain data, and an extension point for alerts.

``build_dashboard`` gathers every block in a constant number of queries (see
``reservations.selectors`` for each figure and the rules they share): revenue by month of
creation (bars or lines, an interval, the previous year for comparison), "Mon activité récente",
"Mes relances", "Origines de toutes vos réservations", "Prochaines arrivées", "Prochains départs",
"Dernières réservations", the alerts other apps register, and — until the account can sell —
the manual's "étapes à suivre" (``register_setup_source``).

Extension point (dependencies point one way: ``commercialisation`` knows ``reservations``, never the
reverse)::

    from reservations.dashboard import DashboardAlert, register_alert_source

    def ical_conflicts(provider, today):
        # one or two queries, whatever the number of lodgings
        return [DashboardAlert(message="Conflit iCal : Gîte 2, 12/08 → 15/08 (Airbnb)",
                               url=reverse("reservations:planning") + "?debut=2024-08-12",
                               link_label="Voir le planning")]

    register_alert_source(ical_conflicts)  # e.g. in AppConfig.ready()

A source is called once per dashboard render, inside the provider's scope, with the provider and
its today (Europe/Paris); it returns an iterable of ``DashboardAlert``. Alerts are listed at the top
of the dashboard, in red for level ``danger`` (the default), amber for ``warning``. A source that
raises is logged and skipped: one broken block never takes the dashboard down.

The top bar's badge, loaded by every back-office page, only counts: each source may register with
``count=`` a function returning the querysets whose rows are its alerts
(``register_alert_source(ical_conflicts, count=conflict_rows)``); ``alert_badge_count`` counts them
all, and the online files to finalise, in one query, cached per provider for a minute and forgotten
(``alert_badge_forget``) when a file or a sync changes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.cache import cache_delete, cache_get, cache_set
from common.money import format_money
from comptes.models import Provider
from reservations import charts, selectors
from reservations.planning import add_months

logger = logging.getLogger(__name__)

DANGER, WARNING, INFO = "danger", "warning", "info"


@dataclass(frozen=True)
class DashboardAlert:
    message: str
    url: str = ""
    link_label: str = ""
    level: str = DANGER


AlertSource = Callable[[Provider, date], Iterable[DashboardAlert]]
AlertRows = Callable[[Provider, date], Iterable[QuerySet]]
_alert_sources: list[AlertSource] = []
_alert_counts: dict[AlertSource, AlertRows] = {}


def register_alert_source(source: AlertSource, *, count: AlertRows | None = None) -> AlertSource:
    """Add a source of dashboard alerts (idempotent); ``count``: the querysets whose rows are its
    alerts, for the badge (without it, the badge builds the source's alerts to count them)."""
    if source not in _alert_sources:
        _alert_sources.append(source)
    if count is not None:
        _alert_counts[source] = count
    return source


def unregister_alert_source(source: AlertSource) -> None:
    if source in _alert_sources:
        _alert_sources.remove(source)
    _alert_counts.pop(source, None)


def collect_alerts(provider: Provider, today: date) -> list[DashboardAlert]:
    alerts: list[DashboardAlert] = []
    for source in list(_alert_sources):
        try:
            alerts.extend(source(provider, today))
        except Exception:
            logger.exception("Dashboard alert source %r failed", source)
    return alerts


# --- "Les étapes à suivre pour la configuration de votre compte" ----------------------------------


@dataclass(frozen=True)
class SetupStep:
    """One step of the manual's "étapes à suivre" (ETAPE 1, 2…), ticked from the account's data."""

    number: int
    label: str
    done: bool
    url: str
    link_label: str = ""


SetupSource = Callable[[Provider, date], Iterable[SetupStep]]
_setup_sources: list[SetupSource] = []


def register_setup_source(source: SetupSource) -> SetupSource:
    """Add a source of "étapes à suivre" (idempotent): ``commercialisation`` registers the steps it
    reads from the production checklist, so the dashboard and the office check the same things."""
    if source not in _setup_sources:
        _setup_sources.append(source)
    return source


def setup_steps(provider: Provider, today: date) -> list[SetupStep]:
    """The steps in the manual's order; empty once every one is done (the block disappears)."""
    steps = sorted(
        (step for source in list(_setup_sources) for step in source(provider, today)), key=lambda s: s.number
    )
    return steps if not all(step.done for step in steps) else []


@dataclass(frozen=True)
class AlertSummary:
    """What the top bar's alert icon counts: online files to finalise, and the registered alerts."""

    files: list
    file_count: int
    alerts: list[DashboardAlert]

    @property
    def count(self) -> int:
        return self.file_count + len(self.alerts)


BADGE_SECONDS = 60


def _badge_key(provider_id: int) -> str:
    return f"alert-badge:{provider_id}"


def _count_of(queryset: QuerySet) -> Subquery:
    """``SELECT count(*)`` of ``queryset`` as a subquery (to add several counts in one query)."""
    counted = queryset.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def alert_badge_count(*, provider: Provider, today: date) -> int:
    """What the top bar's icon shows: online files to finalise plus the registered alerts, counted
    in one query and cached per provider for ``BADGE_SECONDS``."""
    key = _badge_key(provider.pk)
    cached = cache_get(key)
    if cached is not None:
        return cached
    counts = {"files": _count_of(selectors.online_files_waiting())}
    uncounted = 0
    for index, source in enumerate(list(_alert_sources)):
        rows = _alert_counts.get(source)
        if rows is None:
            uncounted += len(list(source(provider, today)))
        else:
            for part, queryset in enumerate(rows(provider, today)):
                counts[f"source{index}_{part}"] = _count_of(queryset)
    figures = Provider.objects.filter(pk=provider.pk).annotate(**counts).values(*counts).first() or {}
    total = sum(figures.values()) + uncounted
    cache_set(key, total, BADGE_SECONDS)
    return total


def alert_badge_forget(provider_id: int) -> None:
    """Files or syncs changed what the badge counts: the next page counts again (after commit)."""
    transaction.on_commit(lambda: cache_delete(_badge_key(provider_id)))


def alert_summary(*, provider: Provider, today: date, limit: int = 50) -> AlertSummary:
    waiting = selectors.online_files_waiting()
    files = list(selectors.list_rows(waiting).order_by("-created_at", "-number")[:limit])
    return AlertSummary(files=files, file_count=waiting.count(), alerts=collect_alerts(provider, today))


# --- "Chiffre d'affaires par mois de prise de réservation" ------------------------------------------

MAX_MONTHS = 36


@dataclass(frozen=True)
class RevenueOptions:
    """ "Options avancées": the interval (first and last month), bars or lines, comparison."""

    first_month: date
    last_month: date
    kind: str = charts.BAR
    compare: bool = True

    @classmethod
    def default(cls, today: date) -> RevenueOptions:
        """The months of the current year, bars, compared with the previous year."""
        return cls(first_month=date(today.year, 1, 1), last_month=date(today.year, 12, 1))


def _month_label(month: date, several_years: bool) -> str:
    label = formats.date_format(month, "N")
    return f"{label} {month:%y}" if several_years and month.month == 1 else label


def revenue_chart(options: RevenueOptions) -> dict:
    months = selectors.revenue_by_month(
        first_month=options.first_month, last_month=options.last_month, compare=options.compare
    )
    several_years = options.first_month.year != options.last_month.year
    labels = [_month_label(figure.month, several_years) for figure in months]
    tooltips = [formats.date_format(figure.month, "F Y") for figure in months]
    period = (
        str(options.first_month.year)
        if not several_years
        else f"{options.first_month.year}–{options.last_month.year}"
    )
    series = [charts.Series(period, [figure.revenue for figure in months], charts.SERIES_COLOURS[0])]
    previous_label = ""
    if options.compare:
        previous_first = add_months(options.first_month, -12)
        previous_last = add_months(options.last_month, -12)
        previous_label = (
            str(previous_first.year)
            if previous_first.year == previous_last.year
            else f"{previous_first.year}–{previous_last.year}"
        )
        series.append(
            charts.Series(
                previous_label,
                [figure.previous_revenue or Decimal(0) for figure in months],
                charts.SERIES_COLOURS[1],
            )
        )
    total = sum((figure.revenue for figure in months), Decimal(0))
    previous_total = sum((figure.previous_revenue or Decimal(0) for figure in months), Decimal(0))
    return {
        "months": months,
        "series": series,
        "period_label": period,
        "previous_label": previous_label,
        "total": total,
        "previous_total": previous_total if options.compare else None,
        "svg": charts.month_chart(
            labels=labels,
            tooltips=tooltips,
            series=series,
            kind=options.kind,
            title=_("Revenue by month of booking"),
            value_text=format_money,
        ),
    }


# --- the whole page -----------------------------------------------------------------------------------


def origins_chart(shares: list[selectors.OriginShare]) -> dict:
    total = sum(share.count for share in shares)
    slices = [
        charts.Slice(
            share.label, share.count, share.percent, charts.DONUT_COLOURS[index % len(charts.DONUT_COLOURS)]
        )
        for index, share in enumerate(shares)
    ]
    return {
        "total": total,
        "slices": slices,
        "svg": charts.donut_chart(
            slices=slices,
            title=_("Origins of all your bookings"),
            centre=str(total),
            centre_small=ngettext("booking", "bookings", total),
        ),
    }


def build_dashboard(*, provider: Provider, today: date, options: RevenueOptions) -> dict:
    """Every block of the dashboard (plain data and SVG), in a constant number of queries."""
    activity = selectors.recent_activity(today=today)
    return {
        "today": today,
        "revenue": revenue_chart(options),
        "activity": activity,
        "today_count": activity["today"].count,
        "reminders": selectors.reminders(today=today),
        "origins": origins_chart(selectors.origin_shares()),
        "next_arrivals": selectors.upcoming_stays(moving="arrival", today=today),
        "next_departures": selectors.upcoming_stays(moving="departure", today=today),
        "latest": selectors.latest_bookings(),
        "alerts": collect_alerts(provider, today),
        "setup_steps": setup_steps(provider, today),
    }
