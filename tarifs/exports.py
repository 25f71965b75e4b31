"""The "Exporter en fichier Excel" workbook of "Voir les tarifs" (openpyxl).

Dates are real dates and amounts real numbers (so the owner can sort, filter and add them up in a
spreadsheet), headers are the words of the table on screen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from hebergements.models import AgeBracket, Lodging
from tarifs.models import StayPrice

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
MONEY_FORMAT = '#,##0.00 "€"'


def _sheet_title(lodging: Lodging | None) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", lodging.name if lodging else _("Stay prices")).strip()
    return (title or _("Stay prices"))[:31]


def stay_prices_workbook(
    *, lodging: Lodging | None, rows: Sequence[StayPrice], brackets: Sequence[AgeBracket]
) -> bytes:
    """One sheet: a header row, one row per stay price, then the number of prices."""
    per_person = any(row.mode == StayPrice.Mode.PER_PERSON for row in rows)
    shown_brackets = list(brackets) if per_person else []
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(lodging)
    headers = [
        _("Length (nights)"),
        _("Start date"),
        _("End date"),
        _("Initial price"),
        _("Discount"),
        _("Sale price"),
    ] + [_("Sale price per occupant – %(bracket)s") % {"bracket": b.label_fr} for b in shown_brackets]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        by_bracket = {line.age_bracket_id: line.sale_price for line in row.bracket_prices.all()}
        lodging_mode = row.mode == StayPrice.Mode.LODGING
        sheet.append(
            [
                row.nights,
                row.arrival,
                row.departure,
                row.initial_price if lodging_mode else None,
                row.discount if lodging_mode else None,
                row.sale_price if lodging_mode else None,
            ]
            + [by_bracket.get(bracket.pk) for bracket in shown_brackets]
        )
        line = sheet.max_row
        for column in (2, 3):
            sheet.cell(line, column).number_format = DATE_FORMAT
        for column in range(4, len(headers) + 1):
            sheet.cell(line, column).number_format = MONEY_FORMAT
    sheet.append([])
    sheet.append([_("Number of stay prices"), len(rows)])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(header) + 2)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
