"""Excel exports (.xlsx), written row by row: the one place that decides how a spreadsheet looks.

Every "Exporter en fichier Excel" of the back office goes through ``xlsx_response``:

* French headers in bold on the first row, frozen; one column type per column: dates are real
  dates (``DD/MM/YYYY``), date-times are in the provider's time zone (``DD/MM/YYYY HH:MM``),
  amounts are numbers with a euro format (``1 234,50 €`` in a French spreadsheet), so the owner
  can sort, filter and add them up;
* text cells go through ``spreadsheet_text``: control characters removed, a value that would start
  a formula (``= + - @``) written as quoted text, never evaluated;
* the workbook is openpyxl's *write-only* workbook, fed by any iterable (typically
  ``queryset.iterator(chunk_size=…)``): rows go to a temporary file as they come, never all in
  memory at once. The view writes the whole file inside the request (inside the provider's scope),
  then the response streams it from disk.

Usage::

    columns = [Column(_("File no."), INTEGER), Column(_("Created on"), DATETIME),
               Column(_("Total amount"), MONEY)]
    rows = ([b.number, b.created_at, b.total_amount] for b in queryset.iterator(chunk_size=500))
    return xlsx_response(filename="dossiers.xlsx", title=_("Files"), columns=columns, rows=rows)
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
MONEY_FORMAT = '#,##0.00 "€"'

TEXT, MULTILINE, INTEGER, DATE, DATETIME, MONEY = "text", "multiline", "integer", "date", "datetime", "money"
_FORMATS = {DATE: DATE_FORMAT, DATETIME: DATETIME_FORMAT, MONEY: MONEY_FORMAT}
_WIDTHS = {TEXT: 18, MULTILINE: 40, INTEGER: 10, DATE: 12, DATETIME: 17, MONEY: 13}


@dataclass(frozen=True)
class Column:
    """A column of an export: its header (French on screen) and the kind of its values."""

    header: str
    kind: str = TEXT
    width: float | None = None


def sheet_title(text: str, fallback: str = "Export") -> str:
    """A valid worksheet title (no ``[]:*?/\\``, at most 31 characters)."""
    title = re.sub(r"[\[\]:*?/\\]", " ", ILLEGAL_CHARACTERS_RE.sub("", str(text))).strip()
    return (title or fallback)[:31]


# Characters a spreadsheet would read as the start of a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> tuple[str, bool]:
    """The one place that cleans what reaches a spreadsheet cell as text: control characters other
    than tab and newline removed (openpyxl refuses them), and whether the cell must be written as
    text with the quote prefix — a value starting with ``= + - @``, a tab or a CR shows unchanged
    ("+33 6…" stays readable) but is never evaluated."""
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", value)
    return cleaned, cleaned.startswith(FORMULA_PREFIXES)


def _cell(sheet, value: Any) -> WriteOnlyCell:
    """A cell of ``value``; text goes through ``spreadsheet_text``."""
    if isinstance(value, str):
        text, quoted = spreadsheet_text(value)
        cell = WriteOnlyCell(sheet, value=text)
        if quoted:
            cell.data_type = "s"
            cell.quotePrefix = True
        return cell
    return WriteOnlyCell(sheet, value=value)


def _excel_value(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise TypeError("Money must never be a float.")
    if kind == DATETIME and isinstance(value, datetime):
        # Excel has no time zones: the provider's local time, as the screens show it.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if kind == DATE and isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if kind == MONEY and isinstance(value, Decimal):
        return value
    if kind in (TEXT, MULTILINE) and not isinstance(value, str | int | Decimal | date):
        return str(value)
    return value


def write_xlsx(
    target: IO[bytes],
    *,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    footer: Callable[[int], Iterable[Sequence[Any]]] | None = None,
) -> int:
    """Write one sheet to ``target`` (a binary file): the header row, then ``rows`` one at a time,
    then the rows ``footer(count)`` returns (their first cell in bold). Returns the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    for index, column in enumerate(columns, start=1):
        width = column.width or max(_WIDTHS.get(column.kind, 14), min(len(column.header) + 2, 45))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")

    header = []
    for column in columns:
        cell = _cell(sheet, str(column.header))
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    sheet.append(header)

    count = 0
    for row in rows:
        cells = []
        for column, value in zip(columns, row, strict=True):
            cell = _cell(sheet, _excel_value(value, column.kind))
            number_format = _FORMATS.get(column.kind)
            if number_format:
                cell.number_format = number_format
            cell.alignment = wrap if column.kind == MULTILINE else top
            cells.append(cell)
        sheet.append(cells)
        count += 1

    for extra in footer(count) if footer else ():
        cells = []
        for position, value in enumerate(extra):
            cell = _cell(sheet, value)
            if position == 0:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    workbook.save(target)
    return count


def xlsx_response(
    *,
    filename: str,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    footer: Callable[[int], Iterable[Sequence[Any]]] | None = None,
) -> FileResponse:
    """An attachment streamed from a temporary file written now (see the module's docstring).

    The server closes the response, which closes (and so deletes) the file; a test that does not
    read the response calls ``response.close()``."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed with the response
    try:
        write_xlsx(handle, title=title, columns=columns, rows=rows, footer=footer)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
