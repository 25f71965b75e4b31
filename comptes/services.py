"""Account services: open a provider account, update contact details and advanced parameters."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from comptes.models import Membership, Office, Provider, ProviderSettings, User
from comptes.scoping import provider_scope


@transaction.atomic
def provider_create(
    *,
    number: int,
    last_name: str,
    email: str,
    kind: str = Provider.Kind.MEUBLE,
    office: Office | None = None,
    owner: User | None = None,
    **contact: str,
) -> Provider:
    """Open a provider account with its settings and every app's defaults (age brackets…).

    Each app that needs per-provider defaults exposes ``provider_created(provider)`` on its
    ``AppConfig``; they run here, in the same transaction, inside the new provider's scope.
    """
    provider = Provider(number=number, last_name=last_name, email=email, kind=kind, office=office, **contact)
    provider.full_clean()
    provider.save()
    with provider_scope(provider):
        ProviderSettings.objects.create(provider=provider)
        for app_config in apps.get_app_configs():
            hook = getattr(app_config, "provider_created", None)
            if hook is not None:
                hook(provider)
    if owner is not None:
        Membership.objects.create(user=owner, provider=provider, role=Membership.Role.OWNER)
    return provider


def provider_update_contact(*, provider: Provider, data: dict) -> Provider:
    """ "Modifier mes coordonnées": write the validated contact fields."""
    for field, value in data.items():
        setattr(provider, field, value)
    provider.full_clean()
    provider.save()
    return provider


def provider_complete_setup(*, provider: Provider) -> None:
    """The first-connection wizard is done: the back office opens."""
    if provider.setup_completed_at is None:
        provider.setup_completed_at = timezone.now()
        provider.save(update_fields=["setup_completed_at"])


def user_change_email(*, user: User, new_email: str) -> None:
    """Change the login e-mail (the caller has checked the current password)."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        user.email = new_email.lower()
        user.full_clean()
        user.save(update_fields=["email"])
        EmailAddress.objects.filter(user=user).delete()
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
