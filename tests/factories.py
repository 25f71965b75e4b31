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


# --- comptes: PARAMÈTRES pages ---------------------------------------------------------------


def settings_snapshot(provider: Provider) -> dict:
    """Every stored PARAMÈTRES value of ``provider`` (settings rows, proximity rules, audit count):
    compare two snapshots to prove that refused input saved nothing."""
    from django.forms.models import model_to_dict

    from comptes.models import (
        AuditEntry,
        ContractSettings,
        DepositRule,
        MailSettings,
        PaymentSettings,
        ProviderSettings,
    )

    with scopes_disabled():
        snapshot = {
            model.__name__: model_to_dict(model.objects.get(provider=provider))
            for model in (ProviderSettings, ContractSettings, MailSettings, PaymentSettings)
        }
        snapshot["ContractSettings"]["logo"] = str(snapshot["ContractSettings"]["logo"])
        snapshot["rules"] = list(
            DepositRule.objects.filter(provider=provider)
            .order_by("days_before")
            .values_list("days_before", "percent")
        )
        snapshot["audit"] = AuditEntry.objects.filter(provider=provider).count()
    return snapshot
