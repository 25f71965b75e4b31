"""Account services: open a provider account, update contact details and advanced parameters."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptes.audit import log_action, log_office_action
from comptes.models import (
    ContractSettings,
    DepositRule,
    MailSettings,
    Membership,
    Office,
    PaymentSettings,
    Provider,
    ProviderSettings,
    User,
)
from comptes.scoping import provider_scope
from comptes.validators import normalise_iban, plain_text, validate_bic, validate_iban, validate_logo


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
        for settings_model in (ProviderSettings, ContractSettings, MailSettings, PaymentSettings):
            settings_model.objects.create(provider=provider)
        for app_config in apps.get_app_configs():
            hook = getattr(app_config, "provider_created", None)
            if hook is not None:
                hook(provider)
    if owner is not None:
        Membership.objects.create(user=owner, provider=provider, role=Membership.Role.OWNER)
    return provider


def provider_update(*, provider: Provider, data: dict) -> Provider:
    """ "Modifier mes coordonnées", "Paramètres avancés": write these fields of the provider only.

    Only the given columns are written, so a counter (file or lodging numbers) raised by another
    request in the meantime is never put back.
    """
    for field, value in data.items():
        setattr(provider, field, value)
    provider.full_clean(exclude=["lodging_counter", "booking_counter"])
    provider.save(update_fields=list(data))
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


# --- PARAMÈTRES: Modalités de vente, Personnalisation des contrats / des mails, Paiement sécurisé ---

SALES_TERMS_FIELDS = (
    "deposit_kind",
    "deposit_percent",
    "use_proximity_rules",
    "booking_delay",
    "booking_delay_hour",
    "booking_delay_days",
    "online_booking",
    "terms_fr",
    "terms_en",
    "optin_enabled",
    "optin_text_fr",
    "optin_text_en",
    "optin_link",
    "privacy_enabled",
    "privacy_text_fr",
    "privacy_text_en",
    "privacy_link",
    "expired_options",
    "public_contact",
)
CONTRACT_DEADLINE_FIELDS = ("option_days", "balance_rule", "balance_days_before")
PAYMENT_MODE_FIELDS = (
    "pay_by_cheque",
    "pay_by_holiday_vouchers",
    "pay_by_transfer",
    "pay_by_card_phone",
    "pay_online",
)


def _apply(instance: models.Model, data: dict, fields) -> list[str]:
    """Copy ``fields`` from ``data`` onto ``instance``, owner texts as plain text; the changed names."""
    changed = []
    for name in fields:
        if name not in data:
            continue
        value = data[name]
        field = instance._meta.get_field(name)
        if isinstance(field, models.CharField | models.TextField):
            if isinstance(field, models.EmailField | models.URLField) or field.choices:
                value = (value or "").strip()
            else:
                value = plain_text(value)
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _full_clean(instance: models.Model, errors: dict, **kwargs) -> None:
    """``full_clean()``, its errors merged into ``errors`` (one dict for the whole page)."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)


def _settings_row(model, provider: Provider, *, lock: bool = False):
    queryset = model.objects.select_for_update() if lock else model.objects
    row = queryset.filter(provider=provider).first()
    if row is None:
        row = model.objects.create(provider=provider)
    return row


@transaction.atomic
def sales_terms_update(
    *, provider: Provider, data: dict, rules: list[dict], user: User | None = None
) -> ProviderSettings:
    """ "Modalités de vente": deposit, proximity rules, booking delay, CGV, opt-in, privacy.

    ``rules`` is the whole new list of proximity rules (``days_before``, ``percent``): it replaces
    the stored one. Raises ``ValidationError`` keyed by field (``rules`` for the list) and saves
    nothing when any part is wrong.
    """
    settings = _settings_row(ProviderSettings, provider, lock=True)
    changed = _apply(settings, data, SALES_TERMS_FIELDS)
    errors: dict[str, list] = {}

    delay = settings.booking_delay
    if delay in (ProviderSettings.BookingDelay.SAME_DAY_UNTIL, ProviderSettings.BookingDelay.NEXT_DAY_UNTIL):
        if settings.booking_delay_hour is None:
            errors["booking_delay_hour"] = [_("Enter the latest time of booking.")]
    else:
        settings.booking_delay_hour = None
    if delay == ProviderSettings.BookingDelay.MIN_DAYS:
        if not settings.booking_delay_days:
            errors["booking_delay_days"] = [_("Enter a number of days of at least 1.")]
            settings.booking_delay_days = 0
    else:
        settings.booking_delay_days = 0

    if settings.online_booking and not settings.terms_fr:
        errors["terms_fr"] = [_("The terms of sale are mandatory for online booking.")]
    if settings.optin_enabled and not settings.optin_text_fr:
        errors["optin_text_fr"] = [_("Enter the text the guest must accept.")]
    if settings.privacy_enabled and not settings.privacy_text_fr:
        errors["privacy_text_fr"] = [_("Enter the information to show to the guest.")]

    new_rules = [DepositRule(provider=provider, **rule) for rule in rules]
    rule_errors = []
    for position, rule in enumerate(new_rules, start=1):
        try:
            rule.full_clean(validate_constraints=False)
        except ValidationError as error:
            for message in error.messages:
                rule_errors.append(_("Rule %(n)s: %(error)s") % {"n": position, "error": message})
    days = [rule.days_before for rule in new_rules]
    if len(days) != len(set(days)):
        rule_errors.append(_("Two rules have the same number of days."))
    if settings.use_proximity_rules and not new_rules:
        errors["use_proximity_rules"] = [_("Add at least one rule, or always use the default percentage.")]
    if rule_errors:
        errors["rules"] = rule_errors

    _full_clean(settings, errors)
    if errors:
        raise ValidationError(errors)

    settings.save()
    stored = [(rule.days_before, rule.percent) for rule in DepositRule.objects.order_by("days_before")]
    submitted = sorted((rule.days_before, rule.percent) for rule in new_rules)
    if stored != submitted:
        DepositRule.objects.filter(provider=provider).delete()
        DepositRule.objects.bulk_create(sorted(new_rules, key=lambda rule: rule.days_before))
        changed.append("rules")
    if changed:
        log_action(settings, "settings.sales_terms.updated", user=user, data={"changed": changed})
    return settings


@transaction.atomic
def contract_settings_update(
    *, provider: Provider, deadlines: dict, data: dict, user: User | None = None
) -> ContractSettings:
    """ "Personnalisation des contrats": deadlines (on ``ProviderSettings``) and parts 1 to 4.

    ``data["logo"]``: an uploaded file replaces the logo, ``False`` removes it, anything else keeps
    it. The replaced file is deleted from the storage once the transaction commits.
    """
    settings = _settings_row(ProviderSettings, provider, lock=True)
    contract = _settings_row(ContractSettings, provider, lock=True)
    deadlines = dict(deadlines)
    # An empty number of days is only wrong when the balance is due before arrival.
    balance_days_missing = "balance_days_before" in deadlines and deadlines["balance_days_before"] is None
    if balance_days_missing:
        del deadlines["balance_days_before"]
    changed = _apply(settings, deadlines, CONTRACT_DEADLINE_FIELDS)
    fields = [
        field.name
        for field in ContractSettings._meta.concrete_fields
        if field.name not in ("id", "provider", "logo")
    ]
    changed += _apply(contract, data, fields)
    errors: dict[str, list] = {}

    if settings.option_days < 1:
        errors["option_days"] = [_("Enter a number of days of at least 1.")]
    if settings.balance_rule == ProviderSettings.BalanceRule.DAYS_BEFORE and (
        balance_days_missing or settings.balance_days_before < 1
    ):
        errors["balance_days_before"] = [_("Enter a number of days of at least 1.")]

    old_logo_name = contract.logo.name if contract.logo else ""
    logo = data.get("logo")
    if isinstance(logo, UploadedFile):
        try:
            validate_logo(logo)
        except ValidationError as error:
            errors["logo"] = error.messages
        else:
            contract.logo = logo
            changed.append("logo")
    elif logo is False and old_logo_name:
        contract.logo = None
        changed.append("logo")

    if not any(getattr(contract, name) for name in PAYMENT_MODE_FIELDS):
        errors["pay_by_cheque"] = [_("Choose at least one payment mode.")]
    contract.iban = normalise_iban(contract.iban)
    contract.bic = contract.bic.replace(" ", "").upper()
    if contract.pay_by_transfer and not contract.iban:
        errors["iban"] = [_("Enter your IBAN to offer bank transfers.")]
    elif contract.iban:
        try:
            validate_iban(contract.iban)
        except ValidationError as error:
            errors["iban"] = error.messages
    if contract.bic:
        try:
            validate_bic(contract.bic)
        except ValidationError as error:
            errors["bic"] = error.messages
    if contract.pay_online and not _settings_row(PaymentSettings, provider).is_active:
        errors["pay_online"] = [_("Activate online payment first (Settings › Secure payment).")]
    if contract.arrival_from and contract.arrival_until and contract.arrival_until < contract.arrival_from:
        errors["arrival_until"] = [_("The end of the arrival time must be after its start.")]

    _full_clean(settings, errors)
    _full_clean(contract, errors)
    if errors:
        raise ValidationError(errors)

    settings.save()
    contract.saved_at = timezone.now()
    contract.save()
    new_logo_name = contract.logo.name if contract.logo else ""
    if old_logo_name and old_logo_name != new_logo_name:
        storage = contract.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo_name))
    if changed:
        log_action(contract, "settings.contract.updated", user=user, data={"changed": changed})
    return contract


@transaction.atomic
def mail_settings_update(*, provider: Provider, data: dict, user: User | None = None) -> MailSettings:
    """ "Personnalisation des mails": footer, copy address, internet-booking mail, texts FR/EN."""
    mail = _settings_row(MailSettings, provider, lock=True)
    fields = [
        field.name for field in MailSettings._meta.concrete_fields if field.name not in ("id", "provider")
    ]
    changed = _apply(mail, data, fields)
    errors: dict[str, list] = {}
    if mail.footer == MailSettings.Footer.CUSTOM and not mail.footer_custom:
        errors["footer_custom"] = [_("Enter the text of your footer.")]
    languages = [code for code, _label in MailSettings.Language.choices if code in (mail.languages or [])]
    if not languages:
        errors["languages"] = [_("Choose at least one language.")]
    mail.languages = languages
    _full_clean(mail, errors)
    if errors:
        raise ValidationError(errors)
    mail.save()
    if changed:
        log_action(mail, "settings.mails.updated", user=user, data={"changed": changed})
    return mail


@transaction.atomic
def payment_settings_update(
    *, provider: Provider, online_account_id: str, active: bool, user: User | None = None
) -> PaymentSettings:
    """ "Paiement sécurisé": store the online payment identifier; activating needs one."""
    payment = _settings_row(PaymentSettings, provider, lock=True)
    was_active = payment.online_payment_active
    payment.online_account_id = (online_account_id or "").strip()
    payment.online_payment_active = active
    if active and not payment.online_account_id:
        raise ValidationError({"online_account_id": [_("Enter your identifier to activate online payment.")]})
    if active and not was_active:
        payment.activated_at = timezone.now()
    payment.full_clean()
    payment.save()
    if active != was_active:
        action = "settings.payment.activated" if active else "settings.payment.deactivated"
        log_action(payment, action, user=user, data={"account_id": payment.online_account_id})
    return payment


# --- the office's staff space: onboarding, status, deactivation, offices and their staff ---------


def email_in_use(email: str) -> bool:
    return User.objects.filter(email__iexact=(email or "").strip()).exists()


def _email_error() -> ValidationError:
    return ValidationError({"email": [_("An account already uses this e-mail address.")]})


def provider_number_next() -> int:
    """The next provider number (providers are numbered across the whole application): taken under
    a transaction-level advisory lock, so two creations never race for the same one."""
    from django.db import connection
    from django.db.models import Max

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("provider_number_next() must run inside the transaction that uses it.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PROVIDER_NUMBER_LOCK])
    highest = Provider.objects.aggregate(highest=Max("number"))["highest"] or 0
    return max(highest + 1, FIRST_PROVIDER_NUMBER)


PROVIDER_NUMBER_LOCK = 7_250_001
FIRST_PROVIDER_NUMBER = 50_001


@transaction.atomic
def provider_onboard(
    *,
    office: Office | None,
    kind: str,
    company: str,
    last_name: str,
    email: str,
    first_name: str = "",
    phone1: str = "",
    address: str = "",
    postcode: str = "",
    city: str = "",
    user: User | None = None,
) -> Provider:
    """Staff create a provider and its owner's login, and mail the owner an invitation whose link
    sets the password and opens the first-connection wizard. An e-mail already used by an account is
    refused on ``email``; nothing is saved then."""
    email = (email or "").strip().lower()
    if email and email_in_use(email):
        raise _email_error()
    owner = User(email=email)
    owner.set_unusable_password()
    try:
        owner.full_clean()
    except ValidationError as error:
        raise ValidationError({"email": error.message_dict.get("email", error.messages)}) from error
    owner.save()
    contact = {
        "company": plain_text(company),
        "first_name": plain_text(first_name),
        "phone1": plain_text(phone1),
        "address": plain_text(address),
        "postcode": plain_text(postcode),
        "city": plain_text(city),
    }
    provider = provider_create(
        number=provider_number_next(),
        last_name=plain_text(last_name),
        email=email,
        kind=kind,
        office=office,
        owner=owner,
        **contact,
    )
    log_action(
        provider,
        "provider.created",
        user=user,
        data={"number": provider.number, "email": email, "office": office.pk if office else None},
    )
    invitation_send(user=owner, provider=provider, by=user)
    return provider


def provider_owner(provider: Provider) -> User | None:
    membership = (
        Membership.objects.filter(provider=provider, role=Membership.Role.OWNER)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return membership.user if membership else None


@transaction.atomic
def invitation_send(
    *, user: User, provider: Provider | None = None, office: Office | None = None, by: User | None = None
) -> None:
    """Mail ``user`` a new invitation link (the previous ones stop working). An owner's mail goes
    through the provider's outbox (history, retries); a staff member's through a task."""
    from comptes.invitations import invitation_url
    from comptes.mailing import mail_queue

    if user.has_usable_password() and user.last_login is not None:
        raise ValidationError(_("This person has already set their password and logged in."))
    user.invited_at = timezone.now()
    user.save(update_fields=["invited_at"])
    context = {"url": invitation_url(user), "provider": provider, "office": office}
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("fr"):
        subject = _("Your Open Pro account: choose your password")
        text = render_to_string("mails/invitation.txt", context)
    if provider is not None:
        mail_queue(
            provider=provider,
            kind="account.invitation",
            to=[user.email],
            subject=subject,
            text=text,
            related=provider,
            reply_to=provider.office.email if provider.office_id and provider.office.email else "",
            user=by,
        )
        log_action(provider, "provider.invited", user=by, data={"email": user.email})
    else:
        from common.tasks import enqueue_on_commit
        from comptes.tasks import staff_mail_send

        enqueue_on_commit(staff_mail_send, user.email, subject, text)


@transaction.atomic
def provider_deactivate(*, provider: Provider, user: User | None = None) -> Provider:
    """The owner can no longer log in (their sessions end too), the public pages go offline;
    nothing is deleted."""
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    if provider.deactivated_at is not None:
        raise ValidationError(_("This account is already deactivated."))
    provider.deactivated_at = timezone.now()
    provider.save(update_fields=["deactivated_at"])
    owners = User.objects.filter(memberships__provider=provider, memberships__role=Membership.Role.OWNER)
    owners.update(is_active=False)
    log_action(provider, "provider.deactivated", user=user)
    return provider


@transaction.atomic
def provider_reactivate(*, provider: Provider, user: User | None = None) -> Provider:
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    if provider.deactivated_at is None:
        raise ValidationError(_("This account is active."))
    provider.deactivated_at = None
    provider.save(update_fields=["deactivated_at"])
    owners = User.objects.filter(memberships__provider=provider, memberships__role=Membership.Role.OWNER)
    owners.update(is_active=True)
    log_action(provider, "provider.reactivated", user=user)
    return provider


@transaction.atomic
def provider_status_set(*, provider: Provider, status: str, user: User | None = None) -> Provider:
    """Test or production (the decision is the production queue's, ``commercialisation.production``)."""
    if status not in Provider.Status.values:
        raise ValidationError({"status": [_("Choose test or production.")]})
    previous = provider.status
    Provider.objects.filter(pk=provider.pk).update(status=status)
    provider.status = status
    if previous != status:
        log_action(provider, "provider.status", user=user, data={"from": previous, "to": status})
    return provider


@transaction.atomic
def office_create(
    *,
    name: str,
    slug: str,
    email: str = "",
    commission_rate=None,
    website: str = "",
    address: str = "",
    user: User | None = None,
) -> Office:
    """An administrator opens an office (its marketplace answers at ``/<lang>/marche/<slug>/``)."""
    office = Office(name=plain_text(name), slug=(slug or "").strip().lower(), email=(email or "").strip())
    office.website, office.address = (website or "").strip(), plain_text(address)
    if commission_rate is not None:
        office.commission_rate = commission_rate
    office.full_clean()
    office.save()
    log_office_action(
        office,
        "office.created",
        user=user,
        data={"name": office.name, "slug": office.slug, "commission_rate": str(office.commission_rate)},
    )
    return office


@transaction.atomic
def staff_create(*, office: Office, email: str, full_name: str = "", by: User | None = None) -> User:
    """An office staff member (one office per person), invited by mail to set a password."""
    email = (email or "").strip().lower()
    if email and email_in_use(email):
        raise _email_error()
    staff = User(email=email, full_name=plain_text(full_name))
    staff.set_unusable_password()
    staff.full_clean()
    staff.save()
    Membership.objects.create(user=staff, office=office, role=Membership.Role.OFFICE_STAFF)
    invitation_send(user=staff, office=office, by=by)
    log_office_action(office, "office.staff.invited", user=by, data={"email": staff.email})
    return staff


@transaction.atomic
def invitation_accept(*, user: User, password: str) -> User:
    """The invitation link's form: the password is set (which voids the link)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    provider = Provider.objects.filter(memberships__user=user).first()
    if provider is not None:
        log_action(provider, "provider.invitation_accepted", user=user, data={"email": user.email})
    return user
