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


# --- reservations ---------------------------------------------------------------------------------


def price_for_stay(lodging: Lodging, arrival, nights: int, amount: str, discount: str = "0"):
    """A grid price for one stay (lodging, arrival, nights), as "Créer des tarifs" makes them."""
    from tarifs.models import StayPrice

    amount_, discount_ = Decimal(amount), Decimal(discount)
    with provider_scope(lodging.provider):
        return StayPrice.objects.create(
            provider=lodging.provider,
            lodging=lodging,
            arrival=arrival,
            nights=nights,
            initial_price=amount_,
            discount=discount_,
            sale_price=amount_ - discount_,
        )


def make_supplement(lodging: Lodging, label: str, price: str, **options):
    """A supplement of the catalogue offered on ``lodging`` (mandatory ones go on every stay)."""
    from hebergements.models import Supplement

    with provider_scope(lodging.provider):
        supplement = Supplement.objects.create(
            provider=lodging.provider, label=label, price=Decimal(price), **options
        )
        supplement.lodgings.add(lodging)
    return supplement


def adults(provider: Provider, count: int = 2) -> dict[int, int]:
    from hebergements.models import AgeBracket

    with provider_scope(provider):
        return {AgeBracket.objects.get(label_fr="Adulte").pk: count}


def make_booking(
    lodging: Lodging,
    arrival,
    departure,
    *,
    price: str = "250.00",
    discount: str = "0",
    persons: int = 2,
    last_name: str = "Dupont",
    first_name: str = "Marie",
    **client,
):
    """A booking file in option for one stay, created by the real service."""
    from reservations.services import booking_create

    provider = lodging.provider
    with provider_scope(provider):
        return booking_create(
            provider=provider,
            lodging=lodging,
            arrival=arrival,
            departure=departure,
            occupants=adults(provider, persons),
            lodging_price=Decimal(price),
            discount=Decimal(discount),
            client_data={"last_name": last_name, "first_name": first_name, **client},
        )


def make_prohibition(lodging: Lodging, arrival, departure):
    from reservations.services import sale_prohibition_create

    with provider_scope(lodging.provider):
        return sale_prohibition_create(
            provider=lodging.provider, lodging=lodging, arrival=arrival, departure=departure
        )


def record_payment(booking, amount: str, *, mode: str = "cheque", on=None):
    from django.utils import timezone

    from reservations.services import payment_record

    with provider_scope(booking.provider):
        return payment_record(
            booking=booking, date=on or timezone.localdate(), mode=mode, amount=Decimal(amount)
        )
