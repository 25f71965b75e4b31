"""Imported iCal blocks on the owner's planning (registered in ``CommercialisationConfig.ready``).

Platform reservations and availability blocks are drawn in their platform's colour with their
summary; one that clashes with a booking file is drawn in red as a conflict, with a link to the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from commercialisation.selectors import BlockView, imported_blocks
from hebergements.models import Lodging
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
        )
    return PlanningBlock(
        arrival=view.arrival,
        departure=view.departure,
        label=view.summary or view.platform_label,
        kind=PlanningBlock.IMPORTED,
        summary=tuple(lines),
        color=view.color,
    )


def imported_planning_blocks(
    lodgings: Sequence[Lodging], start: date, end: date
) -> dict[int, list[PlanningBlock]]:
    """The planning block source: every imported block of the lodgings shown, in one query."""
    return {
        lodging_id: [_planning_block(view) for view in views]
        for lodging_id, views in imported_blocks(lodgings, start, end).items()
    }
