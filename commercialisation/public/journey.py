"""The guest's booking journey: stay and occupants → options → details → summary → pré-réservation.

State lives in a ``BookingDraft`` keyed by a token in the URL. Nothing a guest posts is a price:
each step stores choices only, and ``draft_quote`` prices them again with the engine. Submission
hands them to ``reservations.services.booking_create`` (``online=True``), which quotes once more,
books the dates under the lodging's lock and stores the accepted terms; the guest's and the owner's
mails are queued in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from commercialisation.models import BookingDraft
from commercialisation.public import testmode
from commercialisation.public.catalogue import (
    MAX_NIGHTS,
    WIDGET,
    Channel,
    lodging_calendar,
    public_lodging,
    settings_of,
)
from common.money import format_money
from comptes.models import Civility
from hebergements.models import AgeBracket, Lodging, Supplement
from reservations import availability
from reservations.documents.mails import booking_internet_mail_queue, booking_owner_mail_queue
from reservations.models import Booking, BookingOrigin
from reservations.services import booking_create
from tarifs import engine

DRAFT_LIFETIME = timedelta(days=2)
CLIENT_FIELDS = (
    "civility",
    "last_name",
    "first_name",
    "address",
    "postcode",
    "city",
    "country",
    "phone1",
    "email",
)


def channel_of(draft: BookingDraft) -> Channel:
    origin = WIDGET if draft.widget else "internet"
    if draft.office_id is not None:
        return Channel(office=draft.office, origin=origin, color=draft.color)
    if draft.is_test:  # started from the signed link of "Tests de réservation"
        return Channel(
            provider=draft.provider,
            origin=origin,
            color=draft.color,
            test_token=testmode.sign_test_link(draft.provider),
        )
    return Channel(provider=draft.provider, origin=origin, color=draft.color)


def draft_get(token: str) -> BookingDraft | None:
    """The draft of a token, while it lives (two days)."""
    with scopes_disabled():
        return (
            BookingDraft.objects.select_related("provider", "office", "lodging", "booking")
            .filter(token=token, created_at__gte=timezone.now() - DRAFT_LIFETIME)
            .first()
        )


def draft_lodging(draft: BookingDraft) -> Lodging | None:
    """The draft's lodging if the guest may still book it (visible, provider in production)."""
    return public_lodging(channel_of(draft), draft.lodging_id)


@dataclass(frozen=True)
class Party:
    """The lodging's age brackets and optional supplements the steps offer."""

    brackets: list[AgeBracket]
    supplements: list[Supplement]


def party_of(lodging: Lodging) -> Party:
    with scopes_disabled():
        brackets = list(
            AgeBracket.objects.filter(provider_id=lodging.provider_id).order_by("position", "-age_max")
        )
        supplements = list(
            Supplement.objects.filter(
                provider_id=lodging.provider_id, lodgings=lodging, mandatory=False
            ).order_by("position", "pk")
        )
    return Party(brackets, supplements)


def _occupants(draft: BookingDraft) -> dict[int, int]:
    return {int(key): int(value) for key, value in draft.occupants.items() if int(value) > 0}


def _supplements(draft: BookingDraft) -> dict[int, int]:
    return {int(key): int(value) for key, value in draft.supplements.items() if int(value) > 0}


def draft_quote(
    draft: BookingDraft,
    *,
    lodging: Lodging | None = None,
    occupants: Mapping[int, int] | None = None,
    supplements: Mapping[int, int] | None = None,
    promo_code: str | None = None,
    now: datetime | None = None,
) -> engine.Quote:
    """The engine's quote of the draft (or of the draft with the choices given), with the public
    rules: booking delay, capacity, no stay in the past. Raises ``StayNotBookable``."""
    lodging = lodging or draft_lodging(draft)
    if lodging is None:
        raise engine.StayNotBookable(engine.Reason.INVALID, _("This lodging can no longer be booked online."))
    with scopes_disabled():
        return engine.quote_stay(
            lodging=lodging,
            arrival=draft.arrival,
            nights=draft.nights,
            occupants=_occupants(draft) if occupants is None else occupants,
            supplements=_supplements(draft) if supplements is None else supplements,
            promo_code=draft.promo_code if promo_code is None else promo_code,
            online=True,
            now=now or timezone.now(),
        )


def _refuse(field: str, error: engine.StayNotBookable) -> ValidationError:
    return ValidationError({field: error.message})


def _free(lodging: Lodging, arrival: date, nights: int) -> bool:
    with scopes_disabled():
        return availability.stay_is_sellable(
            lodging=lodging, arrival=arrival, departure=arrival + timedelta(days=nights)
        )


def dates_taken_message() -> str:
    return _("These dates have just been booked.")


class DatesTaken(ValidationError):
    """Another guest (or the owner) took the dates first: offer the guest other dates."""

    def __init__(self):
        super().__init__({"arrival": dates_taken_message()})


def draft_start(
    *,
    channel: Channel,
    lodging_id: int,
    arrival: date | None,
    nights: int | None,
    language: str,
    now: datetime | None = None,
) -> BookingDraft:
    """Open a journey for a stay chosen on the lodging's calendar (or the search results). The
    party starts as the lodging's minimum of adults; the stay must be free and priced."""
    now = now or timezone.now()
    lodging = public_lodging(channel, lodging_id)
    if lodging is None:
        raise ValidationError({"lodging": _("This lodging cannot be booked online.")})
    if arrival is None:
        raise ValidationError({"arrival": _("Choose an arrival date.")})
    if not nights or not 1 <= nights <= MAX_NIGHTS:
        raise ValidationError({"nights": _("Choose a length of stay.")})
    draft = BookingDraft(
        provider=lodging.provider,
        office=channel.office,
        lodging=lodging,
        arrival=arrival,
        nights=nights,
        language=language,
        widget=channel.widget,
        color=channel.color if channel.widget else "",
        is_test=channel.is_test,
    )
    party = party_of(lodging)
    if party.brackets:
        draft.occupants = {str(party.brackets[0].pk): max(1, lodging.capacity_min)}
    try:
        quote = draft_quote(draft, lodging=lodging, now=now)
    except engine.StayNotBookable as error:
        raise _refuse("arrival", error) from error
    if not _free(lodging, arrival, nights):
        raise DatesTaken
    draft.seen_total = quote.total
    with scopes_disabled():
        draft.save()
    return draft


def _save(draft: BookingDraft, quote: engine.Quote, step: str, *fields: str) -> None:
    draft.seen_total = quote.total
    draft.step = step
    with scopes_disabled():
        draft.save(update_fields=[*fields, "seen_total", "step", "updated_at"])


def _editable(draft: BookingDraft) -> None:
    if draft.booking_id is not None:
        raise ValidationError(_("This pre-booking has already been sent."))


def draft_stay_update(
    *, draft: BookingDraft, occupants: Mapping[int, int], now: datetime | None = None
) -> engine.Quote:
    """Step 1: the occupants by age bracket (the lodging's own brackets only, within capacity)."""
    _editable(draft)
    lodging = draft_lodging(draft)
    party = party_of(lodging) if lodging else Party([], [])
    known = {bracket.pk for bracket in party.brackets}
    if any(key not in known or count < 0 or count > 99 for key, count in occupants.items()):
        raise ValidationError({"occupants": _("Give the number of people of each age.")})
    chosen = {key: count for key, count in occupants.items() if count > 0}
    try:
        quote = draft_quote(draft, lodging=lodging, occupants=chosen, now=now)
    except engine.StayNotBookable as error:
        raise _refuse("occupants", error) from error
    draft.occupants = {str(key): count for key, count in chosen.items()}
    _save(draft, quote, BookingDraft.Step.OPTIONS, "occupants")
    return quote


def draft_options_update(
    *,
    draft: BookingDraft,
    supplements: Mapping[int, int],
    promo_code: str,
    now: datetime | None = None,
) -> engine.Quote:
    """Step 2: optional supplements with quantities, and a promo code (the engine says why one is
    refused; it applies to the lodging's price only)."""
    _editable(draft)
    lodging = draft_lodging(draft)
    party = party_of(lodging) if lodging else Party([], [])
    offered = {supplement.pk: supplement for supplement in party.supplements}
    errors: dict[str, str] = {}
    for key, quantity in supplements.items():
        supplement = offered.get(key)
        if supplement is None or quantity < 0 or quantity > (supplement.max_quantity or 1):
            errors["supplements"] = _("Choose a quantity offered for each option.")
    if errors:
        raise ValidationError(errors)
    chosen = {key: quantity for key, quantity in supplements.items() if quantity > 0}
    code = promo_code.strip().upper()
    try:
        quote = draft_quote(draft, lodging=lodging, supplements=chosen, promo_code=code, now=now)
    except engine.StayNotBookable as error:
        raise _refuse(
            "promo_code" if error.reason == engine.Reason.PROMO_CODE else "supplements", error
        ) from error
    draft.supplements = {str(key): quantity for key, quantity in chosen.items()}
    draft.promo_code = code
    _save(draft, quote, BookingDraft.Step.DETAILS, "supplements", "promo_code")
    return quote


def phone_normalise(value: str, country: str = "FR") -> str:
    """A phone number in international format, or a ``ValidationError``."""
    try:
        number = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_("Enter a valid phone number.")) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def draft_details_update(
    *, draft: BookingDraft, data: Mapping[str, str], now: datetime | None = None
) -> None:
    """Step 3: the guest's details (civility, names, address, phone, e-mail), all checked here."""
    _editable(draft)
    values = {name: " ".join(str(data.get(name, "")).split())[:200] for name in CLIENT_FIELDS}
    errors: dict[str, str] = {}
    if values["civility"] and values["civility"] not in Civility.values:
        errors["civility"] = _("Choose a civility.")
    for name in ("last_name", "first_name", "address", "postcode", "city"):
        if not values[name]:
            errors[name] = _("This field is required.")
    limits = {"last_name": 100, "first_name": 100, "postcode": 12, "city": 100, "country": 100}
    for name, limit in limits.items():
        if len(values[name]) > limit:
            errors[name] = _("Ensure this value has at most %(limit)d characters.") % {"limit": limit}
    try:
        validate_email(values["email"])
    except ValidationError:
        errors["email"] = _("Enter a valid e-mail address.")
    try:
        values["phone1"] = phone_normalise(values["phone1"])
    except ValidationError as error:
        errors["phone1"] = error.messages[0]
    values["country"] = values["country"] or "France"
    if errors:
        raise ValidationError(errors)
    draft.client_data = values
    draft.step = BookingDraft.Step.SUMMARY
    with scopes_disabled():
        draft.save(update_fields=["client_data", "step", "updated_at"])


def terms_of(draft: BookingDraft) -> str:
    """The terms of sale the guest reads, in the journey's language (English falls back to
    French)."""
    sales = settings_of(draft.provider)
    return (sales.terms_en if draft.language == "en" else "") or sales.terms_fr


def _money(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


class TotalChanged(ValidationError):
    """The total is no longer the one the guest saw: show the new one before confirming."""


def draft_submit(
    *,
    draft: BookingDraft,
    accept_terms: bool,
    opt_in: bool,
    seen_total: str,
    now: datetime | None = None,
) -> Booking:
    """Step 4, "Pré-réserver": a file in option with origin internet, the dates blocked at once,
    the accepted terms stored; the guest's mail (notification or full PDF, as the owner chose) and
    the owner's. A total other than the one the guest was shown — changed since, or tampered
    with — is refused and the new total shown."""
    now = now or timezone.now()
    _editable(draft)
    if not accept_terms:
        raise ValidationError({"accept_terms": _("Please accept the terms of sale to book.")})
    if set(CLIENT_FIELDS) - set(draft.client_data):
        raise ValidationError(_("Please give your details first."))
    lodging = draft_lodging(draft)
    try:
        quote = draft_quote(draft, lodging=lodging, now=now)
    except engine.StayNotBookable as error:
        raise _refuse("__all__", error) from error
    if _money(seen_total) != quote.total:
        draft.seen_total = quote.total
        with scopes_disabled():
            draft.save(update_fields=["seen_total", "updated_at"])
        raise TotalChanged(
            _("The total of your stay is now %(total)s. Please check it and confirm again.")
            % {"total": format_money(quote.total, get_language() or "fr")}
        )
    sales = settings_of(draft.provider)
    client = {**draft.client_data, "optin": bool(opt_in and sales.optin_enabled)}
    if not _free(lodging, draft.arrival, draft.nights):
        raise DatesTaken
    try:
        booking = _book(draft, lodging, client, now)
    except ValidationError as error:
        if getattr(error, "error_dict", None) and error.message_dict.get("arrival") == [
            availability.dates_unavailable_message()
        ]:
            raise DatesTaken from error
        raise
    return booking


def _book(draft: BookingDraft, lodging: Lodging, client: dict, now: datetime) -> Booking:
    with scopes_disabled(), transaction.atomic():
        booking = booking_create(
            provider=draft.provider,
            lodging=lodging,
            arrival=draft.arrival,
            departure=draft.departure,
            occupants=_occupants(draft),
            client_data=client,
            supplements=_supplements(draft),
            promo_code=draft.promo_code,
            origin=BookingOrigin(channel_of(draft).origin),  # internet, or widget when framed
            is_test=draft.is_test,
            online=True,
            language=draft.language,
            terms_text=terms_of(draft),
            now=now,
        )
        booking_internet_mail_queue(booking=booking, language=draft.language)
        booking_owner_mail_queue(booking=booking)
        draft.booking = booking
        draft.step = BookingDraft.Step.DONE
        draft.save(update_fields=["booking", "step", "updated_at"])
    return booking


def other_arrivals(
    draft: BookingDraft, *, count: int = 3, now: datetime | None = None
) -> list[tuple[date, int]]:
    """Stays of the same length that are still free near the dates just taken (what the guest is
    offered instead)."""
    lodging = draft_lodging(draft)
    if lodging is None:
        return []
    first = max(draft.arrival - timedelta(days=14), timezone.localdate(now or timezone.now()))
    calendar = lodging_calendar(
        lodging, first, draft.arrival + timedelta(days=45), now=now, lengths={draft.nights}
    )
    found = []
    for day in calendar.values():
        for duration in day.durations:
            if duration.nights == draft.nights and day.day != draft.arrival:
                found.append((day.day, duration.nights))
    found.sort(key=lambda stay: abs((stay[0] - draft.arrival).days))
    return sorted(found[:count])
