"""The client file ("fichier clients"): merging duplicate clients.

A phone booking, an online booking or a file typed again creates a new client each time; the owner
merges the cards that share an e-mail into one, so that the client's files are together.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from comptes.audit import log_action
from reservations.models import Booking, Client

# Contact fields a merge copies from a duplicate when the kept card leaves them empty.
FILLABLE_FIELDS = (
    "company",
    "civility",
    "first_name",
    "address",
    "address2",
    "postcode",
    "city",
    "country",
    "phone1",
    "phone2",
    "phone3",
    "fax",
)


@transaction.atomic
def client_merge_duplicates(*, client: Client, user=None) -> tuple[int, int]:
    """Merge every other client of the provider with the same e-mail (case ignored) into ``client``.

    In one transaction, with the cards locked: their files move to ``client``, the empty contact
    fields of ``client`` are completed from the duplicates (newest first), the opt-in is kept if any
    card had given it, the duplicates are deleted. One audit entry on the client, one on each moved
    file. Returns (cards merged, files moved). Raises ``ValidationError`` when there is nothing to
    merge.
    """
    if not client.email:
        raise ValidationError(_("This client has no e-mail: there is no duplicate to look for."))
    cards = list(
        Client.objects.select_for_update()
        .filter(email__iexact=client.email)
        .order_by("pk")  # a constant lock order: two merges never deadlock
    )
    kept = next((card for card in cards if card.pk == client.pk), None)
    if kept is None:
        raise ValidationError(_("This client no longer exists."))
    duplicates = sorted(
        (card for card in cards if card.pk != kept.pk), key=lambda c: c.created_at, reverse=True
    )
    if not duplicates:
        raise ValidationError(_("No other client has the e-mail %(email)s.") % {"email": client.email})

    filled = {}
    for name in FILLABLE_FIELDS:
        if getattr(kept, name):
            continue
        value = next((getattr(card, name) for card in duplicates if getattr(card, name)), "")
        if value:
            setattr(kept, name, value)
            filled[name] = value
    if not kept.optin and any(card.optin for card in duplicates):
        kept.optin = True
        filled["optin"] = True
    kept.full_clean()
    kept.save()

    moved = list(Booking.objects.select_for_update(no_key=True).filter(client__in=duplicates).order_by("pk"))
    Booking.objects.filter(pk__in=[booking.pk for booking in moved]).update(client=kept)
    for booking in moved:
        log_action(
            booking,
            "booking.client.changed",
            user=user,
            data={"merged_from": booking.client_id, "to": kept.pk, "client": kept.display_name},
        )
    log_action(
        kept,
        "client.merged",
        user=user,
        data={
            "merged": [
                {"id": card.pk, "name": card.display_name, "email": card.email} for card in duplicates
            ],
            "files": [booking.number for booking in moved],
            "filled": sorted(filled),
        },
    )
    Client.objects.filter(pk__in=[card.pk for card in duplicates]).delete()
    client.refresh_from_db()
    return len(duplicates), len(moved)
