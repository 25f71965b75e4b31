"""The Clévacances details of a file ("Détail d'une réservation"): the formula chosen from the list
the owner keeps ("Pension complète"…), and the accompanying guests ("Accompagnants": name, age).

The file's type ("Pré-Réservation" / "Réservation") is not stored: it is read from the status
(``Booking.booking_type``), so it can never contradict it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comptes.audit import log_action
from comptes.models import Provider
from reservations.models import Booking, Companion, Formula, StayOccupant
from reservations.services.bookings import AlreadyDone, booking_lock

MAX_AGE = 120

# --- the formulas the owner offers (Paramètres) ---------------------------------------------------


def _check_name(provider: Provider, name: str, *, exclude: Formula | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the name of the formula.")})
    same = Formula.objects.filter(provider=provider, name__iexact=name)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise ValidationError({"name": _("You already have a formula with this name.")})
    return name


@transaction.atomic
def formula_create(*, provider: Provider, name: str, user=None) -> Formula:
    """ "Ajouter une formule" ("Pension complète", "Demi-pension", "Nuit et petit-déjeuner"…)."""
    formula = Formula(provider=provider, name=_check_name(provider, name))
    formula.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            formula.save()
    except IntegrityError as error:  # the same name added meanwhile
        raise ValidationError({"name": _("You already have a formula with this name.")}) from error
    log_action(provider, "formula.created", user=user, data={"name": formula.name})
    return formula


@transaction.atomic
def formula_rename(*, formula: Formula, name: str, user=None) -> Formula:
    """Rename a formula: the files that use it show the new name."""
    formula = Formula.objects.select_for_update().get(pk=formula.pk)
    before = formula.name
    formula.name = _check_name(formula.provider, name, exclude=formula)
    formula.full_clean(validate_constraints=False)
    formula.save(update_fields=["name"])
    log_action(formula.provider, "formula.renamed", user=user, data={"from": before, "to": formula.name})
    return formula


def formula_usage(formula: Formula) -> int:
    """How many files (cancelled ones included) use the formula."""
    return Booking.objects.filter(formula=formula).count()


@transaction.atomic
def formula_delete(*, formula: Formula, user=None) -> None:
    """Delete a formula no file uses; a formula in use is refused with the number of its files."""
    locked = Formula.objects.select_for_update().filter(pk=formula.pk).first()
    if locked is None:
        raise AlreadyDone(_("This formula is already deleted."))
    used = formula_usage(locked)
    if used:
        raise ValidationError(
            ngettext(
                "This formula is used by %(count)d file: choose another formula on it before "
                "deleting this one.",
                "This formula is used by %(count)d files: choose another formula on them before "
                "deleting this one.",
                used,
            )
            % {"count": used}
        )
    log_action(locked.provider, "formula.deleted", user=user, data={"name": locked.name})
    locked.delete()


@transaction.atomic
def booking_set_formula(*, booking: Booking, formula: Formula | None, user=None) -> Booking:
    """Choose the file's formula (or none)."""
    booking = booking_lock(booking)
    if formula is not None and formula.provider_id != booking.provider_id:
        raise ValidationError({"formula": _("Choose one of your formulas.")})
    if formula is not None and not Formula.objects.filter(pk=formula.pk).exists():
        raise ValidationError({"formula": _("This formula was deleted meanwhile.")})
    before = booking.formula.name if booking.formula_id else ""
    if booking.formula_id == (formula.pk if formula else None):
        return booking
    booking.formula = formula
    booking.save(update_fields=["formula", "updated_at"])
    log_action(
        booking,
        "booking.formula.changed",
        user=user,
        data={"from": before, "to": formula.name if formula else ""},
    )
    return booking


# --- accompanying guests --------------------------------------------------------------------------


def booking_persons(booking: Booking) -> int:
    """The occupants of the file's stays (the client included)."""
    return StayOccupant.objects.filter(stay__booking=booking).aggregate(total=Sum("count"))["total"] or 0


@transaction.atomic
def companion_add(*, booking: Booking, name: str, age: int | None, user=None) -> Companion:
    """ "Accompagnants": a person staying with the client. The client and the accompanying guests
    together are at most the file's occupants; an age is between 0 and 120."""
    booking = booking_lock(booking)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the name of the accompanying guest.")})
    if age is not None and not 0 <= age <= MAX_AGE:
        raise ValidationError({"age": _("Give an age between 0 and 120.")})
    persons = booking_persons(booking)
    if Companion.objects.filter(booking=booking).count() + 1 > persons - 1:
        raise ValidationError(
            {
                "name": ngettext(
                    "This file is for %(persons)d person, the client included: change the "
                    "occupants of the stay to add an accompanying guest.",
                    "This file is for %(persons)d persons, the client included: change the "
                    "occupants of the stay to add another accompanying guest.",
                    persons,
                )
                % {"persons": persons}
            }
        )
    companion = Companion(provider_id=booking.provider_id, booking=booking, name=name, age=age)
    companion.full_clean()
    companion.save()
    log_action(
        booking,
        "booking.companion.added",
        user=user,
        data={"name": name, "age": age},
    )
    return companion


@transaction.atomic
def companion_delete(*, companion: Companion, user=None) -> None:
    booking = booking_lock(companion.booking)
    locked = Companion.objects.select_for_update().filter(pk=companion.pk).first()
    if locked is None:
        raise AlreadyDone(_("This accompanying guest is already deleted."))
    log_action(booking, "booking.companion.deleted", user=user, data={"name": locked.name, "age": locked.age})
    locked.delete()
