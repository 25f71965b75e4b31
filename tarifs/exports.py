"""The "Exporter en fichier Excel" workbook of "Voir les tarifs" (written by ``common.xlsx``).

Dates are real dates and amounts real numbers (so the owner can sort, filter and add them up in a
spreadsheet), headers are the words of the table on screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _

from common.xlsx import DATE, INTEGER, MONEY, XLSX_CONTENT_TYPE, Column, sheet_title, xlsx_response
from hebergements.models import AgeBracket, Lodging
from tarifs.models import StayPrice

__all__ = ["XLSX_CONTENT_TYPE", "stay_prices_response"]


def stay_prices_response(
    *, lodging: Lodging | None, stay_prices: QuerySet[StayPrice], brackets: Sequence[AgeBracket]
) -> FileResponse:
    """One sheet: a header row, one row per stay price (read in chunks), then the number of prices."""
    per_person = stay_prices.filter(mode=StayPrice.Mode.PER_PERSON).exists()
    shown_brackets = list(brackets) if per_person else []
    columns = [
        Column(_("Length (nights)"), INTEGER, width=14),
        Column(_("Start date"), DATE, width=14),
        Column(_("End date"), DATE, width=14),
        Column(_("Initial price"), MONEY, width=14),
        Column(_("Discount"), MONEY, width=14),
        Column(_("Sale price"), MONEY, width=14),
    ] + [
        Column(_("Sale price per occupant – %(bracket)s") % {"bracket": bracket.label_fr}, MONEY)
        for bracket in shown_brackets
    ]

    def rows():
        for row in stay_prices.iterator(chunk_size=1000):
            by_bracket = {line.age_bracket_id: line.sale_price for line in row.bracket_prices.all()}
            lodging_mode = row.mode == StayPrice.Mode.LODGING
            yield [
                row.nights,
                row.arrival,
                row.departure,
                row.initial_price if lodging_mode else None,
                row.discount if lodging_mode else None,
                row.sale_price if lodging_mode else None,
            ] + [by_bracket.get(bracket.pk) for bracket in shown_brackets]

    return xlsx_response(
        filename=f"tarifs-{lodging.reference if lodging else 'vide'}.xlsx",
        title=sheet_title(lodging.name if lodging else "", _("Stay prices")),
        columns=columns,
        rows=rows(),
        footer=lambda count: [[], [_("Number of stay prices"), count]],
    )
