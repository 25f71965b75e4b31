"""Test data builders: plain functions calling the real services, with scopes disabled."""

from __future__ import annotations

import itertools
from decimal import Decimal

from comptes.models import Membership, Office, Provider, User
from comptes.scoping import provider_scope, scopes_disabled
from comptes.services import provider_complete_setup, provider_create
from hebergements.models import Commune, Lodging
from hebergements.services import lodging_create

PASSWORD = "correct-horse-battery"
_numbers = itertools.count(10001)


def make_user(email: str, *, password: str = PASSWORD, **extra) -> User:
    return User.objects.create_user(email=email, password=password, **extra)


def make_office(name: str = "Ariège Pyrénées Tourisme", slug: str | None = None) -> Office:
    with scopes_disabled():
        return Office.objects.create(name=name, slug=slug or f"office-{next(_numbers)}")


def make_provider(
    *,
    number: int | None = None,
    email: str | None = None,
    setup_complete: bool = True,
    office: Office | None = None,
    **contact,
) -> Provider:
    """A provider with its owner user (login = ``email``, password ``PASSWORD``)."""
    number = number or next(_numbers)
    email = email or f"owner{number}@example.com"
    with scopes_disabled():
        owner = make_user(email)
        contact.setdefault("last_name", f"Owner{number}")
        provider = provider_create(number=number, email=email, owner=owner, office=office, **contact)
        if setup_complete:
            provider_complete_setup(provider=provider)
    return provider


def owner_of(provider: Provider) -> User:
    with scopes_disabled():
        return Membership.objects.get(provider=provider, role=Membership.Role.OWNER).user


def foix() -> Commune:
    return Commune.objects.get(insee_code="09122", postcode="09000")


def make_lodging(provider: Provider, **fields) -> Lodging:
    fields.setdefault("name", "Petit coin de paradis")
    fields.setdefault("description_fr", "Maison au calme.")
    fields.setdefault("capacity_min", 1)
    fields.setdefault("capacity_max", 4)
    fields.setdefault("security_deposit", Decimal("300.00"))
    fields.setdefault("commune", foix())
    with provider_scope(provider):
        return lodging_create(provider=provider, **fields)


# --- commercialisation (iCal synchronisation) ---------------------------------------------------
# Booking files and stays are inserted as plain rows: the booking services are built elsewhere.


def make_booking_stay(
    lodging: Lodging, arrival, departure, *, status: str = "confirmed", client_name: str = "Ossipian"
):
    """A booking file with one stay of ``lodging`` from ``arrival`` to ``departure`` (excluded)."""
    from django.db.models import F

    from reservations.models import Booking, Client, Stay

    provider = lodging.provider
    with provider_scope(provider):
        Provider.objects.filter(pk=provider.pk).update(booking_counter=F("booking_counter") + 1)
        number = Provider.objects.values_list("booking_counter", flat=True).get(pk=provider.pk)
        client = Client.objects.create(provider=provider, last_name=client_name)
        booking = Booking.objects.create(provider=provider, number=number, client=client, status=status)
        return Stay.objects.create(
            provider=provider,
            lodging=lodging,
            kind=Stay.Kind.BOOKING,
            booking=booking,
            arrival=arrival,
            departure=departure,
            active=status != "cancelled",
        )


def make_prohibition(lodging: Lodging, arrival, departure):
    """A sale prohibition ("blocage propriétaire") of ``lodging``."""
    from reservations.models import Stay

    with provider_scope(lodging.provider):
        return Stay.objects.create(
            provider=lodging.provider,
            lodging=lodging,
            kind=Stay.Kind.PROHIBITION,
            arrival=arrival,
            departure=departure,
        )


def make_ical_feed(lodging: Lodging, url: str | None = None, **fields):
    """A subscribed calendar, stored without synchronising it."""
    from commercialisation.models import IcalFeed, Platform

    fields.setdefault("platform", Platform.AIRBNB)
    fields.setdefault("name", "Airbnb")
    with provider_scope(lodging.provider):
        return IcalFeed.objects.create(
            provider=lodging.provider,
            lodging=lodging,
            url=url or f"https://www.airbnb.fr/calendar/ical/{next(_numbers)}.ics?s=secret",
            **fields,
        )
