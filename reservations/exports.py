"""Excel exports of SUIVI DES RÉSERVATIONS (written by ``common.xlsx``, row by row).

* ``bookings_response``: "Exporter en fichier Excel" of the files list, with the manual's columns
  (N° dossier, date de création, statut, contrat signé, relance arrhes/acompte, hébergements,
  suppléments, **règlements** — dates, amounts, refunds and transaction references —, occupants,
  relance du solde) and the totals as numbers. The client's contact details are added only when
  the owner asks for them (GDPR: an export carries no guest personal data by default).
* ``clients_response``: the "extraction excel du fichier client".

Both are registered as kinds of ``comptes.exports`` ("bookings", "clients"): up to
``stream_max_rows`` rows the view streams the workbook at once, above it is written by a Celery job
to the private storage, with its progress (``register_exports``, called by the app's ``ready``).

The ids of the files come through a server-side cursor; each chunk of ``EXPORT_CHUNK`` files is read
as plain values (``selectors.export_chunk``: five queries) and written before the next one, so 5 000
files never sit in memory at once (``benchmarks/dossiers_export.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import IO

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, QueryDict
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from common.masking import masked
from common.money import format_money
from common.xlsx import DATE, DATETIME, INTEGER, MONEY, MULTILINE, TEXT, Column, write_xlsx, xlsx_response
from comptes.exports import ExportKind, Progress, counted, register_export
from reservations import money, selectors
from reservations.models import BookingOrigin, BookingStatus, Client, PaymentMode
from reservations.selectors import ExportFile, export_chunk

EXPORT_CHUNK = 500

STATUS_LABELS = dict(BookingStatus.choices)
ORIGIN_LABELS = dict(BookingOrigin.choices)
MODE_LABELS = dict(PaymentMode.choices)


def _day(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def stays_text(file: ExportFile) -> str:
    """ "Petit coin de paradis (27/04/2024 - 04/05/2024)", one line per lodging."""
    return "\n".join(
        f"{stay['lodging__name']} ({_day(stay['arrival'])} - {_day(stay['departure'])})"
        for stay in file.stays
    )


def supplements_text(file: ExportFile) -> str:
    """ "Petit coin de paradis : Frais de ménage x 1 = 50,00 €"; global ones under "Suppléments globaux"."""
    lodging_of = {stay["pk"]: stay["lodging__name"] for stay in file.stays}
    lines = []
    for line in file.supplements:
        where = lodging_of.get(line["stay_id"], "") if line["stay_id"] else _("Global supplements")
        lines.append(f"{where} : {line['label']} x {line['quantity']} = {format_money(line['amount'])}")
    return "\n".join(lines)


def payments_text(file: ExportFile) -> str:
    """The "Règlements" column (NOUVEAUTE 2022): "- 04/03/2022 : 455,00 € (Chèque)", refunds and
    transaction references included, one line per payment."""
    lines = []
    for payment in file.payments:
        kind = str(MODE_LABELS.get(payment["mode"], payment["mode"]))
        if payment["amount"] < 0:
            kind = _("Refund, %(mode)s") % {"mode": kind}
        text = f"- {_day(payment['date'])} : {format_money(payment['amount'])} ({kind})"
        if payment["reference"]:
            text += " " + _("ref. %(reference)s") % {"reference": masked(payment["reference"])}
        if payment["note"]:
            text += f" — {payment['note']}"
        lines.append(text)
    return "\n".join(lines)


def occupants_text(file: ExportFile) -> str:
    """ "Petit coin de paradis : Adulte x 4, Enfant x 1", one line per lodging."""
    lines = []
    for stay in file.stays:
        people = ", ".join(
            f"{occupant['age_bracket__label_fr']} x {occupant['count']}" for occupant in stay["occupants"]
        )
        if people:
            lines.append(f"{stay['lodging__name']} : {people}")
    return "\n".join(lines)


def _status(values: dict) -> str:
    text = str(STATUS_LABELS.get(values["status"], values["status"]))
    return f"{text} ({_('test')})" if values["is_test"] else text


BOOKING_COLUMNS = [
    Column(gettext_lazy("File no."), INTEGER),
    Column(gettext_lazy("Created on"), DATETIME),
    Column(gettext_lazy("Status"), TEXT, width=12),
    Column(gettext_lazy("Signed contract"), TEXT, width=12),
    Column(gettext_lazy("Deposit payment reminder date"), DATE, width=16),
    Column(gettext_lazy("Lodgings"), MULTILINE),
    Column(gettext_lazy("Supplements"), MULTILINE),
    Column(gettext_lazy("Payments"), MULTILINE),
    Column(gettext_lazy("Occupants"), MULTILINE),
    Column(gettext_lazy("Balance payment reminder date"), DATE, width=16),
    Column(gettext_lazy("Arrival"), DATE),
    Column(gettext_lazy("Departure"), DATE),
    Column(gettext_lazy("Origin"), TEXT),
    Column(gettext_lazy("Promo code"), TEXT, width=12),
    Column(gettext_lazy("Total amount"), MONEY),
    Column(gettext_lazy("Total paid"), MONEY),
    Column(gettext_lazy("Balance"), MONEY),
]
CLIENT_COLUMNS = [
    Column(gettext_lazy("Client"), TEXT, width=24),
    Column(gettext_lazy("E-mail"), TEXT, width=26),
    Column(gettext_lazy("Phone"), TEXT, width=16),
    Column(gettext_lazy("Postcode"), TEXT, width=10),
    Column(gettext_lazy("City"), TEXT),
    Column(gettext_lazy("Opt-in"), TEXT, width=8),
]


def booking_columns(*, with_clients: bool) -> list[Column]:
    """The headers are lazy: they follow the request's language."""
    return BOOKING_COLUMNS + (CLIENT_COLUMNS if with_clients else [])


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def booking_row(file: ExportFile, *, with_clients: bool) -> list:
    values = file.values
    status = values["status"]
    balance = money.balance_of(values["total_amount"], values["paid_amount"])
    contract = pgettext("contract", "Received") if values["contract_signed_at"] else None
    row = [
        values["number"],
        values["created_at"],
        _status(values),
        contract or pgettext("contract", "Not received"),
        values["deposit_due_date"] if status == BookingStatus.OPTION else None,
        stays_text(file),
        supplements_text(file),
        payments_text(file),
        occupants_text(file),
        values["balance_due_date"] if status != BookingStatus.CANCELLED and balance > 0 else None,
        min((stay["arrival"] for stay in file.stays), default=None),
        max((stay["departure"] for stay in file.stays), default=None),
        str(ORIGIN_LABELS.get(values["origin"], values["origin"])),
        values["promo_code"],
        values["total_amount"],
        values["paid_amount"],
        balance,
    ]
    if with_clients:
        name = " ".join(part for part in (values["client__last_name"], values["client__first_name"]) if part)
        phone = values["client__phone1"] or values["client__phone2"] or values["client__phone3"]
        row += [
            name,
            values["client__email"],
            phone,
            values["client__postcode"],
            values["client__city"],
            _yes_no(values["client__optin"]),
        ]
    return row


def booking_rows(ids: QuerySet, *, with_clients: bool, chunk_size: int | None = None) -> Iterator[list]:
    """The rows of the files ``ids`` (a ``values_list("pk")`` queryset read through a server-side
    cursor), ``chunk_size`` files at a time."""
    size = chunk_size or EXPORT_CHUNK
    chunk: list[int] = []
    for pk in ids.iterator(chunk_size=size):
        chunk.append(pk)
        if len(chunk) == size:
            yield from (booking_row(file, with_clients=with_clients) for file in export_chunk(chunk))
            chunk = []
    if chunk:
        yield from (booking_row(file, with_clients=with_clients) for file in export_chunk(chunk))


def _bookings_sheet(bookings: QuerySet, *, with_clients: bool) -> dict:
    return {
        "title": pgettext("menu", "Files"),
        "columns": booking_columns(with_clients=with_clients),
        "rows": booking_rows(bookings, with_clients=with_clients),
        "footer": lambda count: [[], [_("Number of files"), count]],
    }


def bookings_response(*, bookings: QuerySet, with_clients: bool, filename: str) -> FileResponse:
    """The files of ``bookings`` (``selectors.bookings_for_export``) as an .xlsx attachment."""
    return xlsx_response(filename=filename, **_bookings_sheet(bookings, with_clients=with_clients))


CLIENT_FILE_COLUMNS = [
    Column(gettext_lazy("Last name"), TEXT),
    Column(gettext_lazy("First name"), TEXT),
    Column(gettext_lazy("Company"), TEXT),
    Column(gettext_lazy("Civility"), TEXT, width=10),
    Column(gettext_lazy("Address"), TEXT, width=26),
    Column(gettext_lazy("Address (continued)"), TEXT),
    Column(gettext_lazy("Postcode"), TEXT, width=10),
    Column(gettext_lazy("City"), TEXT),
    Column(gettext_lazy("Country"), TEXT, width=12),
    Column(gettext_lazy("Phone 1"), TEXT, width=15),
    Column(gettext_lazy("Phone 2"), TEXT, width=15),
    Column(gettext_lazy("Phone 3"), TEXT, width=15),
    Column(gettext_lazy("E-mail"), TEXT, width=28),
    Column(gettext_lazy("Opt-in"), TEXT, width=8),
    Column(gettext_lazy("Number of files"), INTEGER),
    Column(gettext_lazy("Last file"), DATE),
    Column(gettext_lazy("Client since"), DATE),
]


def client_rows(clients: QuerySet[Client]) -> Iterator[list]:
    for client in clients.iterator(chunk_size=2000):
        yield [
            client.last_name,
            client.first_name,
            client.company,
            client.get_civility_display(),
            client.address,
            client.address2,
            client.postcode,
            client.city,
            client.country,
            client.phone1,
            client.phone2,
            client.phone3,
            client.email,
            _yes_no(client.optin),
            client.files or 0,
            client.last_file_at,
            client.created_at,
        ]


def _clients_sheet(clients: QuerySet[Client]) -> dict:
    return {
        "title": _("Clients"),
        "columns": CLIENT_FILE_COLUMNS,
        "rows": client_rows(clients),
        "footer": lambda count: [[], [_("Number of clients"), count]],
    }


def clients_response(*, clients: QuerySet[Client], filename: str) -> FileResponse:
    """The client file (``selectors.clients_for_export``): contact details, opt-in, files."""
    return xlsx_response(filename=filename, **_clients_sheet(clients))


# --- Export kinds (comptes.exports): the same workbooks, at once or as background jobs ----------


def booking_export_params(*, query: str, today: date, with_clients: bool) -> dict:
    """The parameters of a files export: the search's query string (the form reads it again in
    the job), the day it was asked (open files, relative dates) and the contact-details flag."""
    return {"query": query, "today": today.isoformat(), "with_clients": bool(with_clients)}


def _booking_ids(params: dict) -> QuerySet:
    from reservations.forms.suivi import BookingSearchForm

    form = BookingSearchForm(QueryDict(params.get("query", "")), promo_codes=selectors.promo_codes_used())
    if not form.is_valid():
        raise ValidationError(_("Correct the search criteria before exporting."))
    return selectors.bookings_for_export(form.filters(date.fromisoformat(params["today"])))


def _write_bookings(target: IO[bytes], params: dict, progress: Progress) -> int:
    sheet = _bookings_sheet(_booking_ids(params), with_clients=bool(params.get("with_clients")))
    sheet["rows"] = counted(sheet["rows"], progress)
    return write_xlsx(target, **sheet)


def _write_clients(target: IO[bytes], params: dict, progress: Progress) -> int:
    sheet = _clients_sheet(selectors.clients_for_export(params.get("q", "")))
    sheet["rows"] = counted(sheet["rows"], progress)
    return write_xlsx(target, **sheet)


#: About half a second of writing (``benchmarks/dossiers_export.py``: 5 000 files in 2.3 s); above,
#: the export is a background job.
BOOKINGS_STREAM_MAX_ROWS = 1000
CLIENTS_STREAM_MAX_ROWS = 2000


def register_exports() -> None:
    register_export(
        ExportKind(
            code="bookings",
            label=pgettext_lazy("menu", "Files"),
            count=lambda params: _booking_ids(params).count(),
            write=_write_bookings,
            filename=lambda params: f"dossiers-{params['today']}.xlsx",
            stream_max_rows=BOOKINGS_STREAM_MAX_ROWS,
        )
    )
    register_export(
        ExportKind(
            code="clients",
            label=gettext_lazy("Clients"),
            count=lambda params: selectors.clients_search(params.get("q", "")).count(),
            write=_write_clients,
            filename=lambda params: f"clients-{params['today']}.xlsx",
            stream_max_rows=CLIENTS_STREAM_MAX_ROWS,
        )
    )
