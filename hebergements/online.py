"""Could a guest book this lodging on the internet? The one rule, and what is missing when not.

A lodging is "Visible sur internet avec autorisation de réservation" only when every point holds:

* ``visible`` — the lodging is visible on the internet and not archived (``lodging_shown_q``);
* ``prices`` — it has stay prices in the coming 6 months (a requirement ``tarifs`` registers here,
  ``register_online_requirement``: prices live above this app);
* ``online_booking`` / ``terms`` — its provider sells online, with terms of sale (CGV) written in
  French ("Modalités de vente"; ``provider_sells_q``);
* ``production`` — its provider is active and in production ("Tests de réservation", then the
  office's approval; ``provider_sells_q``).

The public side (``commercialisation.public.catalogue``) selects what guests see with the same
predicates, and the office's production checklist reads the same terms and prices rules; so the
status the owner reads, the catalogue and the checklist cannot disagree. Each missing point names
itself with the page that fixes it (``Missing.url``).

``online_statuses(lodgings, provider=…)`` computes the status of many lodgings of one provider in
one query (the provider's settings and every registered requirement as annotations): the lodging
list and the planning show it on every line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Expression, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from comptes.models import Provider
from comptes.scoping import scopes_disabled
from hebergements.models import Lodging

BOOKABLE, HIDDEN, INCOMPLETE = "bookable", "hidden", "incomplete"


def provider_sells_q(prefix: str = "", *, production: bool = True) -> Q:
    """Providers whose lodgings guests may book: active, selling online with terms of sale written
    (French at least) and — unless ``production=False`` (the test mode of "Tests de réservation") —
    in production. ``prefix``: the path to the provider (``"provider__"`` from a lodging)."""
    condition = Q(**{f"{prefix}deactivated_at__isnull": True}) & settings_sell_online_q(f"{prefix}settings__")
    if production:
        condition &= Q(**{f"{prefix}status": Provider.Status.PRODUCTION})
    return condition


def settings_sell_online_q(prefix: str = "") -> Q:
    """Provider settings that allow online booking: online booking on and CGV written."""
    return Q(**{f"{prefix}online_booking": True}) & ~Q(**{f"{prefix}terms_fr": ""})


def lodging_shown_q(prefix: str = "") -> Q:
    """Lodgings shown on the internet: visible, not archived."""
    return Q(**{f"{prefix}archived": False, f"{prefix}visibility": Lodging.Visibility.VISIBLE})


@dataclass(frozen=True)
class Missing:
    """One point that keeps guests from booking, with the page that fixes it."""

    key: str
    label: str
    url: str = ""
    link_label: str = ""


@dataclass(frozen=True)
class OnlineStatus:
    lodging_id: int
    shown: bool  # visible and not archived: the owner's own choice
    missing: tuple[Missing, ...]

    @property
    def bookable(self) -> bool:
        return not self.missing

    @property
    def state(self) -> str:
        if self.bookable:
            return BOOKABLE
        return INCOMPLETE if self.shown else HIDDEN

    @property
    def label(self) -> str:
        if self.bookable:
            return str(Lodging.Visibility.VISIBLE.label)
        if not self.shown:
            return str(Lodging.Visibility.HIDDEN.label)
        return _("Visible on the internet, not bookable yet")


@dataclass(frozen=True)
class Requirement:
    """A condition a lodging must meet, registered by an app above (``tarifs``: prices ahead).

    ``met(today)`` is a boolean expression on ``Lodging`` (an ``Exists``…), so every requirement
    is read in the one query of ``online_statuses``; ``missing(lodging_pk)`` says what to do."""

    key: str
    met: Callable[[date], Expression]
    missing: Callable[[int], Missing]


_requirements: list[Requirement] = []


def register_online_requirement(requirement: Requirement) -> Requirement:
    """Add a condition a lodging must meet to be bookable online (idempotent by key)."""
    if all(other.key != requirement.key for other in _requirements):
        _requirements.append(requirement)
    return requirement


def _provider_missing(row: dict, provider: Provider) -> list[Missing]:
    sales_terms = reverse("comptes:sales_terms")
    missing = []
    if not row["terms_fr"]:  # as settings_sell_online_q
        missing.append(
            Missing("terms", _("The terms of sale (CGV) are not written."), sales_terms, _("Write them"))
        )
    if not row["online_booking"]:
        missing.append(Missing("online_booking", _("Online booking is off."), sales_terms, _("Turn it on")))
    if not provider.is_active:
        missing.append(Missing("active", _("This account is deactivated.")))
    elif not provider.in_production:
        missing.append(
            Missing(
                "production",
                _("Your lodgings are not in production yet."),
                reverse("commercialisation:booking_tests"),
                _("Test, then ask for production"),
            )
        )
    return missing


def online_statuses(
    lodgings: Iterable[Lodging], *, provider: Provider, today: date | None = None
) -> dict[int, OnlineStatus]:
    """The status of each lodging (of ``provider``) by id: one query, whatever their number."""
    lodgings = list(lodgings)
    if not lodgings:
        return {}
    today = today or timezone.localdate()
    requirements = list(_requirements)
    with scopes_disabled():  # the lodgings given are the provider's
        rows = {
            row["pk"]: row
            for row in Lodging.objects.filter(pk__in=[lodging.pk for lodging in lodgings]).values(
                "pk",
                online_booking=F("provider__settings__online_booking"),
                terms_fr=F("provider__settings__terms_fr"),
                **{f"requirement_{index}": r.met(today) for index, r in enumerate(requirements)},
            )
        }
    result = {}
    for lodging in lodgings:
        row = rows.get(lodging.pk) or {"online_booking": False, "terms_fr": ""}
        missing = []
        shown = lodging.is_visible
        if lodging.archived:
            missing.append(
                Missing(
                    "archived",
                    _("This lodging is archived."),
                    reverse("hebergements:lodging_list") + "?archives=1",
                    _("Restore it"),
                )
            )
        elif not shown:
            missing.append(
                Missing(
                    "visible",
                    _("The lodging is not visible on the internet."),
                    reverse("hebergements:lodging_visibility", kwargs={"lodging_pk": lodging.pk}),
                    _("Change the visibility"),
                )
            )
        for index, requirement in enumerate(requirements):
            if not row.get(f"requirement_{index}"):
                missing.append(requirement.missing(lodging.pk))
        missing.extend(_provider_missing({**row, "terms_fr": row["terms_fr"] or ""}, provider))
        result[lodging.pk] = OnlineStatus(lodging.pk, shown, tuple(missing))
    return result


def online_status(lodging: Lodging, *, today: date | None = None) -> OnlineStatus:
    return online_statuses([lodging], provider=lodging.provider, today=today)[lodging.pk]


def with_online_status(lodgings: Iterable[Lodging], *, provider: Provider) -> list[Lodging]:
    """The lodgings, each with its ``online_status`` attached (for the list pages' templates)."""
    lodgings = list(lodgings)
    statuses = online_statuses(lodgings, provider=provider)
    for lodging in lodgings:
        lodging.online_status = statuses[lodging.pk]
    return lodgings
