"""The iCal synchronisation on the owner's planning and dashboard (registered in
``CommercialisationConfig.ready``).

Platform reservations and availability blocks are drawn in their platform's colour with their
summary; one that clashes with a booking file is drawn in red as a conflict, with a link to the file,
and listed in red on the dashboard with the calendars that no longer synchronise.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from commercialisation.models import (
    FAILURES_BEFORE_FLAG,
    IcalFeed,
    ImportedBlock,
    Platform,
    moved_blocks,
    unlinked_blocks,
)
from commercialisation.selectors import BlockView, failing_feeds, imported_blocks, open_conflicts
from common.lookups import IntArray
from comptes.models import Provider
from hebergements.models import Lodging
from reservations import availability
from reservations.dashboard import WARNING, DashboardAlert
from reservations.planning import PlanningBlock


def _planning_block(view: BlockView) -> PlanningBlock:
    lines = [view.feed_name or view.platform_label]
    if view.summary:
        lines.append(view.summary)
    if view.conflict:
        lines.append(_("Conflict with file no. %(number)s") % {"number": view.conflict_booking_number})
        return PlanningBlock(
            arrival=view.arrival,
            departure=view.departure,
            label=f"⚠ {view.platform_label}",
            kind=PlanningBlock.CONFLICT,
            url=reverse("reservations:booking_detail", kwargs={"booking_pk": view.conflict_booking_id}),
            link_label=_("See file no. %(number)s") % {"number": view.conflict_booking_number},
            summary=tuple(lines),
            legend=_("Conflict with a file"),
        )
    url = link_label = ""
    if view.can_become_file:  # "Créer le dossier": the file takes the block's place
        url = reverse("commercialisation:block_booking_create", kwargs={"block_pk": view.pk})
        link_label = _("Create the file")
    elif view.file_id is not None:  # made into a file, then moved by the platform
        lines.append(
            _("Dates moved by the platform since file no. %(number)s") % {"number": view.file_number}
        )
        url = reverse("reservations:booking_detail", kwargs={"booking_pk": view.file_id})
        link_label = _("See file no. %(number)s") % {"number": view.file_number}
    return PlanningBlock(
        arrival=view.arrival,
        departure=view.departure,
        label=view.summary or view.platform_label,
        kind=PlanningBlock.IMPORTED,
        url=url,
        link_label=link_label,
        summary=tuple(lines),
        tone=view.platform,
        legend=view.platform_label,
    )


def imported_planning_blocks(
    lodgings: Sequence[Lodging], start: date, end: date
) -> dict[int, list[PlanningBlock]]:
    """The planning block source: every imported block of the lodgings shown, in one query."""
    return {
        lodging_id: [_planning_block(view) for view in views]
        for lodging_id, views in imported_blocks(lodgings, start, end).items()
    }


def ical_alert_rows(provider: Provider, today: date):
    """The rows behind ``ical_dashboard_alerts``, for the badge's count: open conflicts (a partial
    index) and failing calendars."""
    return [
        ImportedBlock.objects.filter(provider=provider, in_conflict=True, departure__gt=today),
        IcalFeed.objects.filter(provider=provider, consecutive_failures__gte=FAILURES_BEFORE_FLAG),
        moved_reservations(provider, today),
    ]


def ical_dashboard_alerts(provider: Provider, today: date) -> list[DashboardAlert]:
    """Dashboard alerts (and the top bar's alert count): conflicts with a platform, in red, and
    calendars that no longer synchronise."""
    alerts = [
        DashboardAlert(
            message=_(
                "Conflict: %(platform)s blocks %(lodging)s from %(arrival)s to %(departure)s, "
                "over file no. %(number)s."
            )
            % {
                "platform": view.platform_label,
                "lodging": view.lodging_name,
                "arrival": formats.date_format(view.arrival, "SHORT_DATE_FORMAT"),
                "departure": formats.date_format(view.departure, "SHORT_DATE_FORMAT"),
                "number": view.conflict_booking_number,
            },
            url=reverse("reservations:booking_detail", kwargs={"booking_pk": view.conflict_booking_id}),
            link_label=_("See file no. %(number)s") % {"number": view.conflict_booking_number},
        )
        for view in open_conflicts(provider)
    ]
    alerts.extend(
        DashboardAlert(
            message=_("The calendar “%(feed)s” of %(lodging)s no longer synchronises.")
            % {"feed": feed.name, "lodging": feed.lodging.name},
            url=reverse("commercialisation:lodging_ical", kwargs={"lodging_pk": feed.lodging_id}),
            link_label=_("iCal synchronisation"),
            level=WARNING,
        )
        for feed in failing_feeds(provider)
    )
    alerts.extend(
        DashboardAlert(
            message=_(
                "%(platform)s moved the reservation of file no. %(number)s (%(lodging)s): it is now "
                "from %(arrival)s to %(departure)s. Move the file too."
            )
            % {
                "platform": str(Platform(block.feed.platform).label),
                "number": block.booking.number,
                "lodging": block.lodging.name,
                "arrival": formats.date_format(block.arrival, "SHORT_DATE_FORMAT"),
                "departure": formats.date_format(block.departure, "SHORT_DATE_FORMAT"),
            },
            url=reverse("reservations:booking_detail", kwargs={"booking_pk": block.booking_id}),
            link_label=_("See file no. %(number)s") % {"number": block.booking.number},
            level=WARNING,
        )
        for block in moved_reservations(provider, today).select_related("feed", "lodging", "booking")
    )
    return alerts


def moved_reservations(provider: Provider, today: date):
    """Platform reservations made into a file whose dates the platform has moved since (still to
    come): the owner is to move the file (``models.moved_blocks``)."""
    return ImportedBlock.objects.filter(moved_blocks(), provider=provider, departure__gt=today).order_by(
        "arrival", "id"
    )


def imported_units_taken(
    lodging_ids: Sequence[int], start: date, end: date
) -> dict[int, list[availability.Taken]]:
    """For ``reservations.availability``: each imported block (a platform's reservation or
    availability block) takes one unit of its lodging on its nights. One query."""
    taken: dict[int, list[availability.Taken]] = {pk: [] for pk in lodging_ids}
    rows = availability.overlapping(
        ImportedBlock.objects.filter(unlinked_blocks(), lodging_id__any=IntArray(lodging_ids)), start, end
    )
    for row in rows.values("lodging_id", "arrival", "departure"):
        taken[row["lodging_id"]].append(
            availability.Taken(row["arrival"], row["departure"], 1, availability.EXTERNAL)
        )
    return taken
