"""The "Exporter en fichier Excel" workbook of "Voir les tarifs" (written by ``common.xlsx``).

Dates are real dates and amounts real numbers (so the owner can sort, filter and add them up in a
spreadsheet), headers are the words of the table on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from django.db.models import QuerySet
from django.http import FileResponse, QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.xlsx import (
    DATE,
    INTEGER,
    MONEY,
    XLSX_CONTENT_TYPE,
    Column,
    sheet_title,
    write_xlsx,
    xlsx_response,
)
from comptes.exports import ExportKind, Progress, counted, register_export
from hebergements.models import AgeBracket, Lodging
from tarifs.models import StayPrice

__all__ = ["XLSX_CONTENT_TYPE", "stay_prices_response"]


def _sheet(
    *, lodging: Lodging | None, stay_prices: QuerySet[StayPrice], brackets: Sequence[AgeBracket]
) -> dict:
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
            lodging_mode = row.mode != StayPrice.Mode.PER_PERSON  # by number of people: the smallest party
            yield [
                row.nights,
                row.arrival,
                row.departure,
                row.initial_price if lodging_mode else None,
                row.discount if lodging_mode else None,
                row.sale_price if lodging_mode else None,
            ] + [by_bracket.get(bracket.pk) for bracket in shown_brackets]

    return {
        "title": sheet_title(lodging.name if lodging else "", _("Stay prices")),
        "columns": columns,
        "rows": rows(),
        "footer": lambda count: [[], [_("Number of stay prices"), count]],
    }


def _filename(lodging: Lodging | None) -> str:
    return f"tarifs-{lodging.reference if lodging else 'vide'}.xlsx"


def stay_prices_response(
    *, lodging: Lodging | None, stay_prices: QuerySet[StayPrice], brackets: Sequence[AgeBracket]
) -> FileResponse:
    """The workbook of ``stay_prices`` as an attachment, written now."""
    return xlsx_response(
        filename=_filename(lodging), **_sheet(lodging=lodging, stay_prices=stay_prices, brackets=brackets)
    )


# --- Export kind (comptes.exports): at once, or as a background job above STREAM_MAX_ROWS -------

#: A year of 1- to 14-night stays is about 5 000 prices (written in well under a second).
STREAM_MAX_ROWS = 10000


def _filters(params: dict):
    from tarifs.forms import StayPriceFilterForm

    lodging = (
        Lodging.objects.active().filter(pk=params.get("lodging")).first() if params.get("lodging") else None
    )
    return lodging, StayPriceFilterForm(QueryDict(params.get("query", ""))).filters(lodging)


def _write(target: IO[bytes], params: dict, progress: Progress) -> int:
    from tarifs import selectors

    _lodging, filters = _filters(params)
    brackets = list(AgeBracket.objects.order_by("position", "-age_max"))  # as "Voir les tarifs"
    sheet = _sheet(
        lodging=filters.lodging, stay_prices=selectors.stay_prices_search(filters), brackets=brackets
    )
    sheet["rows"] = counted(sheet["rows"], progress)
    return write_xlsx(target, **sheet)


def _count(params: dict) -> int:
    from tarifs import selectors

    _lodging, filters = _filters(params)
    return selectors.stay_prices_search(filters).count()


def register_exports() -> None:
    register_export(
        ExportKind(
            code="stay_prices",
            label=gettext_lazy("Stay prices"),
            count=_count,
            write=_write,
            filename=lambda params: _filename(_filters(params)[1].lodging),
            stream_max_rows=STREAM_MAX_ROWS,
        )
    )
