"""Going into production: the checklist the office checks, the owner's request, the decision.

* ``provider_checklists(providers)`` — for each provider, what the office will check before opening
  its lodgings to guests (contact details complete, a visible lodging with a description and a
  photo, stay prices in the coming 6 months, terms of sale written with online booking on, contract
  settings saved), each item a tick with the URL name of the page that fixes it. A constant number of
  queries whatever the number of providers: the staff list and the production queue use it too.
* ``production_request_create`` — "Demander le passage en production": stored with its time, the
  office told by mail (``Office.email``, else its staff; for a provider with no office, the
  administrators).
* ``production_request_decide`` — approve (the provider becomes publicly bookable, the owner is
  mailed) or refuse with a reason (mailed). Approving with an incomplete checklist needs an explicit
  confirmation, recorded with who decided.
* ``provider_back_to_test`` — staff switch a provider in production back to test.

Every change writes an audit entry on the provider's account.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commercialisation.models import ProductionRequest
from comptes.audit import log_action
from comptes.mailing import mail_queue
from comptes.models import ContractSettings, Membership, Provider, ProviderSettings, User
from comptes.scoping import scopes_disabled
from comptes.services import provider_status_set
from hebergements.models import Lodging, Photo
from hebergements.online import lodging_shown_q, settings_sell_online_q
from reservations.dashboard import SetupStep
from tarifs.models import StayPrice
from tarifs.selectors import prices_ahead_q

CHECKLIST_LABELS = {
    "contact": gettext_lazy("Contact details complete"),
    "lodging": gettext_lazy("At least one visible lodging with a description and a photo"),
    "prices": gettext_lazy("Stay prices in the coming 6 months"),
    "terms": gettext_lazy("Terms of sale (CGV) written and online booking on"),
    "contract": gettext_lazy("Contract settings saved"),
}
CHECKLIST_URLS = {
    "contact": "comptes:contact",
    "lodging": "hebergements:lodging_list",
    "prices": "tarifs:create",
    "terms": "comptes:sales_terms",
    "contract": "comptes:contract_settings",
}
CONTACT_FIELDS = ("last_name", "address", "postcode", "city", "phone1", "email")


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    done: bool
    url_name: str  # the owner's page that fixes it

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class Checklist:
    items: tuple[ChecklistItem, ...]

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)

    @property
    def total(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)


def provider_checklists(providers: Iterable[Provider], *, today: date | None = None) -> dict[int, Checklist]:
    """Each provider's checklist by id: four queries, whatever the number of providers."""
    providers = list(providers)
    ids = [provider.pk for provider in providers]
    today = today or timezone.localdate()
    with scopes_disabled():
        photos = Photo.objects.filter(lodging=OuterRef("pk"))
        with_lodging = set(
            Lodging.objects.filter(lodging_shown_q(), provider_id__in=ids)
            .exclude(description_fr="")
            .filter(Exists(photos))
            .values_list("provider_id", flat=True)
        )
        with_prices = set(
            StayPrice.objects.filter(prices_ahead_q(today), provider_id__in=ids).values_list(
                "provider_id", flat=True
            )
        )
        with_terms = set(
            ProviderSettings.objects.filter(settings_sell_online_q(), provider_id__in=ids).values_list(
                "provider_id", flat=True
            )
        )
        with_contract = set(
            ContractSettings.objects.filter(provider_id__in=ids, saved_at__isnull=False).values_list(
                "provider_id", flat=True
            )
        )
    result = {}
    for provider in providers:
        done = {
            "contact": all(str(getattr(provider, name) or "").strip() for name in CONTACT_FIELDS),
            "lodging": provider.pk in with_lodging,
            "prices": provider.pk in with_prices,
            "terms": provider.pk in with_terms,
            "contract": provider.pk in with_contract,
        }
        result[provider.pk] = Checklist(
            tuple(
                ChecklistItem(key, str(CHECKLIST_LABELS[key]), done[key], CHECKLIST_URLS[key])
                for key in CHECKLIST_LABELS
            )
        )
    return result


def provider_checklist(provider: Provider, *, today: date | None = None) -> Checklist:
    """The checklist of one provider ("Tests de réservation", the staff's provider page)."""
    return provider_checklists([provider], today=today)[provider.pk]


# The dashboard's "étapes à suivre" (manual, "Configurer son compte lors de la 1ère connexion"): the
# checklist's items under the manual's step numbers, then ETAPE 5, going into production.
SETUP_STEPS = (
    (1, "contact", gettext_lazy("Edit my contact details")),
    (2, "terms", gettext_lazy("Sales terms")),
    (2, "contract", gettext_lazy("Contract customisation")),
    (3, "lodging", gettext_lazy("Access to lodgings")),
    (4, "prices", gettext_lazy("Create prices")),
)


def dashboard_setup_steps(provider: Provider, today: date) -> Iterator[SetupStep]:
    """``reservations.dashboard`` source: each step ticked from the account's data, with its link."""
    checklist = {item.key: item for item in provider_checklist(provider, today=today)}
    for number, key, link_label in SETUP_STEPS:
        item = checklist[key]
        yield SetupStep(number, item.label, item.done, item.url, str(link_label))
    yield SetupStep(
        5,
        _("Make booking tests, then ask to go into production"),
        provider.in_production,
        reverse("commercialisation:booking_tests"),
        _("Booking tests"),
    )


def pending_request(provider: Provider) -> ProductionRequest | None:
    with scopes_disabled():
        return ProductionRequest.objects.filter(
            provider=provider, state=ProductionRequest.State.REQUESTED
        ).first()


def latest_request(provider: Provider) -> ProductionRequest | None:
    with scopes_disabled():
        return ProductionRequest.objects.filter(provider=provider).order_by("-requested_at", "-id").first()


# --- mails -------------------------------------------------------------------------------------------


def _site() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def office_recipients(provider: Provider) -> list[str]:
    """Who is told of a production request: the office's address, else its staff; for a provider
    with no office, the administrators."""
    with scopes_disabled():
        if provider.office_id is not None:
            if provider.office.email:
                return [provider.office.email]
            return list(
                User.objects.filter(
                    memberships__office_id=provider.office_id,
                    memberships__role=Membership.Role.OFFICE_STAFF,
                    is_active=True,
                ).values_list("email", flat=True)
            )
        admins = list(User.objects.filter(is_superuser=True, is_active=True).values_list("email", flat=True))
    return admins + [address for _name, address in getattr(settings, "ADMINS", [])]


def _mail(
    *, provider: Provider, request: ProductionRequest, to: list[str], kind: str, template: str, subject: str
):
    context = {
        "provider": provider,
        "request": request,
        "site_url": _site(),
        "queue_url": _site() + reverse("offices:production_queue"),
        "tests_url": _site() + reverse("commercialisation:booking_tests"),
    }
    with translation.override("fr"):
        text = render_to_string(f"commercialisation/mail/{template}.txt", {**context, "subject": subject})
    if not to:
        return None
    return mail_queue(
        provider=provider,
        kind=kind,
        to=to,
        subject=subject,
        text=text,
        related=request,
        reply_to="",
    )


# --- request and decision -------------------------------------------------------------------------------


@transaction.atomic
def production_request_create(*, provider: Provider, user: User | None = None) -> ProductionRequest:
    """ "Demander le passage en production": one pending request at a time, refused once in
    production or deactivated."""
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    if provider.status == Provider.Status.PRODUCTION:
        raise ValidationError(_("Your lodgings are already in production."))
    if not provider.is_active:
        raise ValidationError(_("This account is deactivated."))
    if pending_request(provider) is not None:
        raise ValidationError(_("Your request has already been sent; the office will answer it."))
    request = ProductionRequest(
        provider=provider, requested_by=user if user and user.is_authenticated else None
    )
    request.full_clean()
    with scopes_disabled():
        request.save()
    log_action(provider, "production.requested", user=user, data={"request": request.pk})
    with translation.override("fr"):
        subject = _("Production request from %(account)s") % {"account": provider.account_name}
    _mail(
        provider=provider,
        request=request,
        to=office_recipients(provider),
        kind="production.requested",
        template="production_requested",
        subject=subject,
    )
    return request


class ChecklistIncomplete(ValidationError):
    """Approving while the checklist is incomplete: the decider must confirm."""


@transaction.atomic
def production_request_decide(
    *,
    request: ProductionRequest,
    approve: bool,
    user: User,
    reason: str = "",
    confirm_incomplete: bool = False,
) -> ProductionRequest:
    """Approve (the provider goes into production, the owner is mailed) or refuse with a reason
    (mailed). Raises ``ChecklistIncomplete`` when approving an incomplete checklist without
    ``confirm_incomplete``; ``ValidationError`` on ``reason`` when refusing without one."""
    with scopes_disabled():
        request = ProductionRequest.objects.select_for_update().select_related("provider").get(pk=request.pk)
    provider = request.provider
    if request.state != ProductionRequest.State.REQUESTED:
        raise ValidationError(_("This request has already been answered."))
    reason = " ".join((reason or "").split())
    checklist = provider_checklist(provider)
    if not approve and not reason:
        raise ValidationError({"reason": [_("Give the reason of the refusal: it is sent to the owner.")]})
    if approve and not checklist.complete and not confirm_incomplete:
        missing = ", ".join(item.label for item in checklist if not item.done)
        raise ChecklistIncomplete(
            _("The checklist is incomplete (%(missing)s). Confirm to approve anyway.") % {"missing": missing}
        )
    request.state = ProductionRequest.State.APPROVED if approve else ProductionRequest.State.REFUSED
    request.decided_at = timezone.now()
    request.decided_by = user
    request.reason = reason
    request.checklist_incomplete = not checklist.complete
    request.full_clean()
    with scopes_disabled():
        request.save()
    log_action(
        provider,
        "production.approved" if approve else "production.refused",
        user=user,
        data={"request": request.pk, "reason": reason, "checklist_incomplete": request.checklist_incomplete},
    )
    if approve:
        provider_status_set(provider=provider, status=Provider.Status.PRODUCTION, user=user)
    with translation.override("fr"):
        subject = (
            _("Your lodgings are now in production")
            if approve
            else _("Your production request was not accepted")
        )
    _mail(
        provider=provider,
        request=request,
        to=[provider.email],
        kind="production.approved" if approve else "production.refused",
        template="production_approved" if approve else "production_refused",
        subject=subject,
    )
    return request


@transaction.atomic
def provider_back_to_test(*, provider: Provider, user: User) -> Provider:
    """Staff switch a provider back to test: its public pages go offline (its test link works)."""
    if provider.status == Provider.Status.TEST:
        raise ValidationError(_("This provider is already in test."))
    return provider_status_set(provider=provider, status=Provider.Status.TEST, user=user)
