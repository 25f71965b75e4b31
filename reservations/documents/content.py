"""The booking file for the client ("Édition pour le client"): the option proposal or the contract,
then the description sheet of each lodging and the terms of sale, as a PDF made with WeasyPrint.

``contract_document`` gathers what the document says (one place for its rules: which title, which
payment lines, which legal sentences); the template ``reservations/documents/contract.html`` only
lays it out, in plain block layout (tables and blocks, no flexbox: WeasyPrint slows down badly with
nested flex containers). Owner texts are escaped by the template. Images come from the project's
storage only: ``local_url_fetcher`` refuses every network URL.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import unquote

from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from common.money import ZERO, format_money
from comptes.models import Civility, DepositKind, ProviderSettings
from comptes.selectors import ContractView, contract_settings_for
from hebergements.models import Lodging, Photo, Structure
from hebergements.selectors import characteristics_by_family
from reservations import money
from reservations.models import Booking, BookingStatus, BookingSupplement, Stay, StayOccupant
from reservations.tourist_tax import booking_tourist_tax_sentence

MEDIA_SCHEME = "media:"

# WeasyPrint reports each layout step at INFO level: keep the logs for real problems.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class DocumentError(Exception):
    """The document cannot be made (a resource outside the project's storage was asked for)."""


# --- What the document says ---------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    label: str
    amount: Decimal | None = None
    detail: str = ""


@dataclass(frozen=True)
class StayPart:
    stay: Stay
    heading: str
    dates: str
    lodging: Lodging
    type_label: str
    occupants: str
    lodging_price: Decimal
    discount: Decimal
    supplements: list[BookingSupplement]
    sheet_anchor: str


@dataclass(frozen=True)
class LodgingSheet:
    lodging: Lodging
    anchor: str
    type_label: str
    classification: str
    capacity: str
    address: str
    description: str
    families: list[tuple[str, list[str]]]
    photos: list[str]  # storage names, fetched through the "media:" scheme


@dataclass(frozen=True)
class ContractDocument:
    booking: Booking
    language: str
    settings: ContractView
    is_option: bool
    title: str
    place_date: str
    owner_lines: list[str]
    client_contact: list[str]
    client_address: list[str]
    stays: list[StayPart]
    global_supplements: list[BookingSupplement]
    total: Decimal
    payment_lines: list[Line]
    security_deposit: Decimal
    confirmation: str
    confirmation_warning: str
    payment_modes_title: str
    amount_due: Decimal
    state_text: str
    signature: str
    legal: list[str]
    registration_numbers: list[tuple[str, str]]
    sheets: list[LodgingSheet] = field(default_factory=list)
    structure_description: str = ""
    structure_photos: list[str] = field(default_factory=list)
    logo: str = ""
    tourist_tax_sentence: str = ""

    @property
    def show_payment_modes(self) -> bool:
        return self.amount_due > ZERO and bool(self.settings.payment_modes)


def _date(value: date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _long_date(value: date) -> str:
    """ "samedi 08 juin 2024" / "Saturday 08 June 2024"."""
    return formats.date_format(value, "l d F Y")


def stay_dates(arrival: date, departure: date) -> str:
    """ "du samedi 08 juin 2024 au samedi 15 juin 2024" (in the active language)."""
    return _("from %(start)s to %(end)s") % {"start": _long_date(arrival), "end": _long_date(departure)}


def stay_heading(arrival: date, departure: date) -> str:
    """ "SÉJOUR DU SAMEDI 08 JUIN 2024 AU SAMEDI 15 JUIN 2024" (in the active language)."""
    return (
        _("Stay from %(start)s to %(end)s") % {"start": _long_date(arrival), "end": _long_date(departure)}
    ).upper()


def _money(value: Decimal, language: str) -> str:
    return format_money(value, language)


def _civility(value: str) -> str:
    return {
        Civility.MADAME: pgettext("civility in a letter", "Mrs"),
        Civility.MONSIEUR: pgettext("civility in a letter", "Mr"),
    }.get(value, "")


def _occupants(occupants: list[StayOccupant]) -> str:
    return ", ".join(f"{item.age_bracket.label} x {item.count}" for item in occupants if item.count)


def _capacity(lodging: Lodging) -> str:
    if lodging.capacity_min == lodging.capacity_max:
        count = lodging.capacity_max
        return ngettext("%(counter)s person", "%(counter)s people", count) % {"counter": count}
    return _("from %(low)s to %(high)s people") % {"low": lodging.capacity_min, "high": lodging.capacity_max}


def _photo_names(photos) -> list[str]:
    return [(photo.thumbnail.name or photo.image.name) for photo in photos if photo.image]


def _lodging_sheet(lodging: Lodging, settings: ContractView, language: str) -> LodgingSheet:
    place = ""
    if lodging.commune is not None:
        place = f"{lodging.commune.postcode} {lodging.commune.name}"
    description = (lodging.description_en if language == "en" else "") or lodging.description_fr
    return LodgingSheet(
        lodging=lodging,
        anchor=f"lodging-{lodging.pk}",
        type_label=lodging.get_lodging_type_display(),
        classification=lodging.get_classification_display(),
        capacity=_capacity(lodging),
        address=" ".join(part for part in (lodging.address, place) if part),
        description=description,
        families=[
            (family.name, [item.name for item in items])
            for family, items in characteristics_by_family(lodging=lodging)
        ],
        photos=_photo_names(lodging.photos.all()) if settings.show_lodging_images else [],
    )


def _payment(
    booking: Booking, settings: ContractView, first_arrival: date | None, language: str
) -> tuple[list[Line], Decimal, str, str, str]:
    """The "INFORMATION SUR VOTRE PAIEMENT" lines, the amount still to pay now, the confirmation
    sentence, its warning and the title of the payment modes."""
    paid = booking.paid_amount
    is_arrhes = booking.deposit_kind == DepositKind.ARRHES
    balance = money.balance(booking)
    lines: list[Line] = []
    if balance <= ZERO:
        lines.append(Line(_("Stay paid in full"), paid))
        return lines, ZERO, "", "", ""

    if settings.balance_rule == ProviderSettings.BalanceRule.AT_ARRIVAL:
        balance_label = _("Balance to pay on your arrival")
    else:
        due = money.balance_due_date(booking, first_arrival)
        balance_label = _("Balance to pay before %(date)s") % {"date": _date(due)}

    deposit_due = money.deposit_left(booking)
    if paid > ZERO:
        lines.append(Line(_("Payments received"), paid))
    if deposit_due > ZERO:
        at_once = money.deposit_due_at_once(booking)
        deadline = "" if at_once else _date(booking.deposit_due_date)
        if at_once:
            label = (
                _("Arrhes to pay on receipt of this letter")
                if is_arrhes
                else _("Deposit to pay on receipt of this letter")
            )
        elif is_arrhes:
            label = (
                _("Arrhes to pay before %(date)s") % {"date": deadline} if deadline else _("Arrhes to pay")
            )
        else:
            label = (
                _("Deposit to pay before %(date)s") % {"date": deadline} if deadline else _("Deposit to pay")
            )
        lines.append(Line(label, deposit_due))
        lines.append(Line(balance_label, money.balance_after_deposit(booking)))
        amount = _money(deposit_due, language)
        if booking.status == BookingStatus.OPTION:
            if at_once:
                sentence = (
                    _(
                        "Your arrival is close: to confirm this booking, please return this letter duly "
                        "signed with your payment of %(amount)s on receipt."
                    )
                    if settings.request_signature
                    else _(
                        "Your arrival is close: to confirm this booking, please send us your payment of "
                        "%(amount)s on receipt."
                    )
                )
            elif settings.request_signature:
                sentence = _(
                    "To confirm this booking, please return this letter duly signed before %(date)s, "
                    "with your payment of %(amount)s."
                )
            else:
                sentence = _(
                    "To confirm this booking, please send us your payment of %(amount)s before %(date)s."
                )
            warning = (
                ""
                if at_once
                else _(
                    "After this date and without an answer from you, this proposal will be considered "
                    "declined."
                )
            )
        elif at_once:
            sentence = _("Please send us your payment of %(amount)s on receipt.")
            warning = ""
        else:
            sentence = _("Please send us your payment of %(amount)s before %(date)s.")
            warning = ""
        confirmation = sentence % {"date": deadline or "…", "amount": amount}
        title = _("Payment method of the arrhes") if is_arrhes else _("Payment method of the deposit")
        return lines, deposit_due, confirmation, warning, title

    lines.append(Line(balance_label, balance))
    return lines, balance, "", "", _("Payment method of the balance")


def _legal(booking: Booking) -> list[str]:
    """Code de la consommation: arrhes or acompte (L214-1), no withdrawal right (L221-28 12°)."""
    if booking.deposit_kind == DepositKind.ARRHES:
        kind = _(
            "The sums paid in advance are arrhes (article L214-1 of the French Consumer Code): if the "
            "client withdraws, they lose them; if the owner withdraws, they repay twice the amount."
        )
    else:
        kind = _(
            "The sums paid in advance are a down payment (acompte, article L214-1 of the French Consumer "
            "Code): this contract binds both parties and the full price of the stay is due."
        )
    withdrawal = _(
        "In accordance with article L221-28 12° of the French Consumer Code, this accommodation "
        "booked for a set date carries no right of withdrawal."
    )
    return [kind, withdrawal]


def contract_document(*, booking: Booking, language: str = "fr") -> ContractDocument:
    """Everything the option proposal / contract of ``booking`` says, in ``language``.

    Runs inside the provider's scope; call it with ``translation.override(language)`` active (as
    ``contract_html`` does) so that dates and words come out in the document's language.
    """
    provider = booking.provider
    settings = contract_settings_for(provider, language)
    language = settings.language
    client = booking.client
    stays = list(
        Stay.objects.filter(booking=booking)
        .select_related("lodging__commune")
        .prefetch_related(
            Prefetch("occupants", queryset=StayOccupant.objects.select_related("age_bracket")),
            Prefetch("lodging__photos", queryset=Photo.objects.order_by("-is_main", "position", "id")),
        )
        .order_by("arrival", "id")
    )
    supplements = list(BookingSupplement.objects.filter(booking=booking).order_by("id"))
    by_stay: dict[int, list[BookingSupplement]] = {}
    global_supplements = []
    for line in supplements:
        if line.stay_id:
            by_stay.setdefault(line.stay_id, []).append(line)
        else:
            global_supplements.append(line)

    is_option = booking.status == BookingStatus.OPTION
    if is_option:
        title = _("Booking proposal no. %(number)s") % {"number": booking.number}
    else:
        title = _("Contract no. %(number)s") % {"number": booking.number}

    city = (provider.city or "").upper()
    today = _date(timezone.localdate())
    place_date = _("%(city)s, on %(date)s") % {"city": city, "date": today} if city else today

    owner_place = " ".join(part for part in (provider.postcode, (provider.city or "").upper()) if part)
    owner_lines = [
        line
        for line in (
            provider.display_name,
            provider.address,
            owner_place,
            provider.country,
            _("Phone: %(phone)s") % {"phone": provider.phone1} if provider.phone1 else "",
            provider.email,
        )
        if line
    ]
    client_contact = [
        line
        for line in (
            _("Phone: %(phone)s") % {"phone": client.phone1} if client.phone1 else "",
            _("Mail: %(email)s") % {"email": client.email} if client.email else "",
        )
        if line
    ]
    client_place = " ".join(part for part in (client.postcode, client.city) if part)
    client_name = " ".join(part for part in (_civility(client.civility), client.display_name) if part)
    client_address = [
        line
        for line in (
            client.company,
            client_name,
            client.address,
            client.address2,
            client_place,
            client.country,
        )
        if line
    ]

    lodgings: dict[int, Lodging] = {}
    parts = []
    for stay in stays:
        lodgings.setdefault(stay.lodging_id, stay.lodging)
        parts.append(
            StayPart(
                stay=stay,
                heading=stay_heading(stay.arrival, stay.departure),
                dates=stay_dates(stay.arrival, stay.departure),
                lodging=stay.lodging,
                type_label=stay.lodging.get_lodging_type_display(),
                occupants=_occupants(list(stay.occupants.all())),
                lodging_price=stay.lodging_price,
                discount=stay.discount,
                supplements=by_stay.get(stay.pk, []),
                sheet_anchor=f"lodging-{stay.lodging_id}",
            )
        )
    first_arrival = stays[0].arrival if stays else None
    payment_lines, amount_due, confirmation, warning, modes_title = _payment(
        booking, settings, first_arrival, language
    )
    if booking.status == BookingStatus.PAID:  # decided by booking_refresh, like every state
        state = "paid"
    elif is_option:
        state = "option"
    else:
        state = "confirmed"

    structure = Structure.objects.filter(provider=provider).prefetch_related("photos").first()
    structure_description = ""
    structure_photos: list[str] = []
    if structure is not None:
        if settings.show_structure_description:
            structure_description = (
                structure.description_en if language == "en" else ""
            ) or structure.description_fr
        if settings.show_structure_images:
            structure_photos = _photo_names(structure.photos.all())

    return ContractDocument(
        booking=booking,
        language=language,
        settings=settings,
        is_option=is_option,
        title=title,
        place_date=place_date,
        owner_lines=owner_lines,
        client_contact=client_contact,
        client_address=client_address,
        stays=parts,
        global_supplements=global_supplements,
        total=booking.total_amount,
        payment_lines=payment_lines,
        security_deposit=sum((lodging.security_deposit for lodging in lodgings.values()), ZERO),
        confirmation=confirmation,
        confirmation_warning=warning,
        payment_modes_title=modes_title,
        amount_due=amount_due,
        state_text=settings.state_text(state),
        signature=settings.signature_text(option=is_option),
        legal=_legal(booking),
        registration_numbers=[
            (lodging.name, lodging.registration_number)
            for lodging in lodgings.values()
            if lodging.registration_number
        ],
        sheets=[_lodging_sheet(lodging, settings, language) for lodging in lodgings.values()],
        structure_description=structure_description,
        structure_photos=structure_photos,
        logo=settings.logo.name if settings.logo else "",
        tourist_tax_sentence=booking_tourist_tax_sentence(booking, language=language),
    )


# --- HTML and PDF -------------------------------------------------------------------------------


def render_contract(document: ContractDocument) -> str:
    """The HTML of a document built by ``contract_document`` (in its language)."""
    with translation.override(document.language):
        return render_to_string(
            "reservations/documents/contract.html", {"doc": document, "media_scheme": MEDIA_SCHEME}
        )


def contract_html(*, booking: Booking, language: str = "fr") -> str:
    with translation.override(language):
        return render_contract(contract_document(booking=booking, language=language))


def _read_media(url: str) -> tuple[bytes, str]:
    """The bytes of ``media:<storage name>``; any other URL (http, https, file, ftp…) is refused,
    so a document never reaches the network nor a file outside the project's storage."""
    if not url.startswith(MEDIA_SCHEME):
        raise DocumentError(f"Refused resource outside the project's storage: {url[:80]}")
    name = unquote(url[len(MEDIA_SCHEME) :])
    if not name or name.startswith("/") or ".." in name.split("/"):
        raise DocumentError(f"Refused storage name: {name[:80]}")
    with default_storage.open(name, "rb") as handle:
        content = handle.read()
    return content, mimetypes.guess_type(name)[0] or "application/octet-stream"


try:  # WeasyPrint ≥ 68: fetchers are URLFetcher objects
    from weasyprint.urls import URLFetcher, URLFetcherResponse
except ImportError:  # pragma: no cover - older WeasyPrint: a function returning a dict
    URLFetcher = None

if URLFetcher is not None:

    class LocalURLFetcher(URLFetcher):
        """WeasyPrint's resource loader restricted to the project's storage (``media:`` URLs)."""

        def fetch(self, url, headers=None):
            content, mime_type = _read_media(url)
            return URLFetcherResponse(url, body=content, headers={"Content-Type": mime_type})

    def local_url_fetcher():
        return LocalURLFetcher()

else:  # pragma: no cover

    def local_url_fetcher():
        def fetch(url, timeout=10, ssl_context=None):
            content, mime_type = _read_media(url)
            return {"string": content, "mime_type": mime_type}

        return fetch


def render_pdf(html: str) -> bytes:
    """HTML → PDF bytes (A4, fonts embedded, text selectable) with local resources only."""
    from weasyprint import HTML

    return HTML(string=html, base_url=MEDIA_SCHEME, url_fetcher=local_url_fetcher()).write_pdf()


def contract_pdf(*, booking: Booking, language: str = "fr") -> bytes:
    return render_pdf(contract_html(booking=booking, language=language))


def contract_filename(booking: Booking, language: str = "fr") -> str:
    with translation.override(language):
        if booking.status == BookingStatus.OPTION:
            stem = pgettext("file name", "booking-proposal")
        else:
            stem = pgettext("file name", "contract")
    return f"{stem}-{booking.number}.pdf"
