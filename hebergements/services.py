"""Lodging services."""

from __future__ import annotations

from django.db import transaction

from comptes.models import Provider
from hebergements.models import DEFAULT_AGE_BRACKETS, AgeBracket, Lodging, Structure


def provider_defaults_create(*, provider: Provider) -> None:
    """A new provider gets its structure and the default age brackets (Adulte, Enfant, Bébé)."""
    Structure.objects.get_or_create(
        provider=provider, defaults={"name": provider.company or provider.display_name}
    )
    if not AgeBracket.objects.exists():
        AgeBracket.objects.bulk_create(
            AgeBracket(provider=provider, label_fr=fr, label_en=en, age_min=low, age_max=high, position=i)
            for i, (fr, en, low, high) in enumerate(DEFAULT_AGE_BRACKETS)
        )


@transaction.atomic
def lodging_create(*, provider: Provider, characteristics=(), **fields) -> Lodging:
    """Create a lodging with the next reference number of its provider (never reused)."""
    locked = Provider.objects.select_for_update().get(pk=provider.pk)
    locked.lodging_counter += 1
    locked.save(update_fields=["lodging_counter"])
    provider.lodging_counter = locked.lodging_counter
    lodging = Lodging(provider=provider, number=locked.lodging_counter, **fields)
    lodging.full_clean()
    lodging.save()
    if characteristics:
        lodging.characteristics.set(characteristics)
    return lodging
