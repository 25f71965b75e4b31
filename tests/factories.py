"""Test data builders: plain functions calling the real services, with scopes disabled."""

from __future__ import annotations

import itertools
from decimal import Decimal

from comptes.models import Membership, Office, Provider, User
from comptes.scoping import provider_scope, scopes_disabled
from comptes.services import provider_complete_setup, provider_create
from hebergements.models import Commune, Lodging, Supplement
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


# --- hebergements: photos, characteristics, supplements, age brackets ------------------------


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (800, 600), color: str = "#3b82a0") -> bytes:
    """A real image of the given format (JPEG, PNG, WEBP, GIF…), made with Pillow."""
    from io import BytesIO

    from PIL import Image

    mode = "RGBA" if fmt == "PNG" else "RGB"
    buffer = BytesIO()
    Image.new(mode, size, color).save(buffer, fmt)
    return buffer.getvalue()


def image_upload(name: str = "photo.jpg", fmt: str = "JPEG", size: tuple[int, int] = (800, 600), **kwargs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(fmt, "image/gif")
    return SimpleUploadedFile(name, image_bytes(fmt, size, **kwargs), content_type=content_type)


def characteristics(*codes: str) -> list:
    from hebergements.models import Characteristic

    found = {c.code: c for c in Characteristic.objects.filter(code__in=codes)}
    return [found[code] for code in codes]


def make_photos(owner, count: int = 1) -> list:
    """Photos of a lodging or of the structure (files under the current ``MEDIA_ROOT``)."""
    from hebergements.services import photos_add

    with provider_scope(owner.provider):
        return photos_add(owner=owner, uploads=[image_upload(f"photo{i}.jpg") for i in range(count)])


def make_supplement(provider: Provider, *, lodgings=(), **fields):
    from hebergements.services import supplement_create

    fields.setdefault("label", "Frais de ménage")
    fields.setdefault("mandatory", True)
    fields.setdefault("price", Decimal("50.00"))
    with provider_scope(provider):
        return supplement_create(provider=provider, lodgings=lodgings, **fields)


def age_brackets(provider: Provider) -> dict:
    """The provider's age brackets by French label (Adulte, Enfant, Bébé by default)."""
    from hebergements.models import AgeBracket

    with provider_scope(provider):
        return {bracket.label_fr: bracket for bracket in AgeBracket.objects.all()}


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


# --- tarifs -------------------------------------------------------------------------------------


def make_stay_prices(
    lodging: Lodging,
    *,
    start=None,
    end=None,
    nights: int = 7,
    price: Decimal | str = "350.00",
    weekdays=range(7),
):
    """Stay prices generated by the real service (default: 7-night stays of June 2024 at 350 €)."""
    from datetime import date

    from tarifs.services import stay_prices_generate

    with provider_scope(lodging.provider):
        return stay_prices_generate(
            provider=lodging.provider,
            lodging=lodging,
            periods=[(start or date(2024, 6, 1), end or date(2024, 6, 30))],
            nights=nights,
            weekdays=weekdays,
            initial_price=Decimal(price),
            commit=True,
        )


def make_promotion(lodging: Lodging, **fields):
    """A last-minute promotion (10 % if the stay starts in less than 7 days, valid in 2024)."""
    from datetime import date

    from tarifs.models import Promotion
    from tarifs.services import promotion_create

    fields.setdefault("kind", Promotion.Kind.LAST_MINUTE)
    fields.setdefault("percent", Decimal("10"))
    fields.setdefault("days", 7)
    fields.setdefault("valid_from", date(2024, 1, 1))
    fields.setdefault("valid_to", date(2024, 12, 31))
    with provider_scope(lodging.provider):
        return promotion_create(provider=lodging.provider, lodging=lodging, **fields)


def make_promo_code(lodging: Lodging, code: str = "ETE", **fields):
    """A promo code of the lodging's provider, valid in 2024–2031 on ``lodging`` (10 % by default)."""
    from datetime import date

    from tarifs.models import PromoCode

    fields.setdefault("internal_label", f"Code {code}")
    fields.setdefault("label", f"Code {code}")
    fields.setdefault("valid_from", date(2024, 1, 1))
    fields.setdefault("valid_to", date(2031, 12, 31))
    fields.setdefault("kind", PromoCode.Kind.PERCENT)
    fields.setdefault("value", Decimal("10"))
    with provider_scope(lodging.provider):
        promo = PromoCode(provider=lodging.provider, code=code, **fields)
        promo.full_clean()
        promo.save()
        promo.lodgings.set([lodging])
        return promo


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


def offer_supplement(lodging: Lodging, label: str, price: str, **options):
    """A supplement of the catalogue offered on ``lodging`` only (optional unless said otherwise)."""
    options.setdefault("mandatory", False)
    return make_supplement(lodging.provider, lodgings=[lodging], label=label, price=Decimal(price), **options)


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
    from reservations.services import OwnerPrice, booking_create

    provider = lodging.provider
    with provider_scope(provider):
        return booking_create(
            provider=provider,
            lodging=lodging,
            arrival=arrival,
            departure=departure,
            occupants=adults(provider, persons),
            owner_price=OwnerPrice(Decimal(price), Decimal(discount)),
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

    from reservations.services import payment_record, refund_record

    with provider_scope(booking.provider):
        if Decimal(amount) < 0:
            return refund_record(
                booking=booking, date=on or timezone.localdate(), mode=mode, amount=-Decimal(amount)
            )
        return payment_record(
            booking=booking,
            date=on or timezone.localdate(),
            mode=mode,
            amount=Decimal(amount),
            overpayment_accepted=True,
        )


# --- commercialisation (iCal synchronisation) ---------------------------------------------------


def make_booking_stay(
    lodging: Lodging, arrival, departure, *, status: str = "confirmed", client_name: str = "Ossipian"
):
    """The stay of a booking file of ``lodging`` in ``status``, made with the real services."""
    from reservations import services
    from reservations.models import Stay

    booking = make_booking(lodging, arrival, departure, last_name=client_name, first_name="")
    with provider_scope(lodging.provider):
        if status == "confirmed":
            services.booking_confirm(booking=booking)
        elif status == "paid":
            record_payment(booking, str(booking.total_amount))
        elif status == "cancelled":
            services.booking_cancel(booking=booking)
        return Stay.objects.get(booking=booking)


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


# --- reservations: documents and mails ----------------------------------------------------------


def make_example_provider(**contact) -> Provider:
    """The owner of the manual's example contract (Dupont Marie, 2 Boulevard du sud, 09000 FOIX),
    with the contract header "Hébergements - Place de marché"."""
    from comptes.models import ContractSettings

    contact.setdefault("number", 92750)
    contact.setdefault("email", "dupont.marie@test.com")
    contact.setdefault("last_name", "Dupont")
    contact.setdefault("first_name", "Marie")
    contact.setdefault("address", "2 Boulevard du sud")
    contact.setdefault("postcode", "09000")
    contact.setdefault("city", "FOIX")
    contact.setdefault("phone1", "0500000000")
    provider = make_provider(**contact)
    with scopes_disabled():
        ContractSettings.objects.filter(provider=provider).update(identity="Hébergements - Place de marché")
    return provider


def make_example_booking(
    provider: Provider,
    *,
    lodging: Lodging | None = None,
    number: int = 136,
    status: str = "confirmed",
    paid: Decimal | str = "0.00",
    client_email: str = "test@gmail.com",
    **fields,
):
    """The manual's example file n°136: Madame Dupont Marie, Petit coin de paradis from Saturday
    08/06/2024 to Saturday 15/06/2024, 350,00 + Frais de ménage 50,00 = 400,00, deposit (acompte)
    25 % → 87,50 due on 16/05/2024, balance 312,50 at arrival, security deposit 300,00.

    Made with the real services (created on 06/05/2024); ``fields`` overrides file fields (deposit
    kind, percentage…) before the amounts are computed again.
    """
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from reservations import services
    from reservations.models import Booking

    lodging = lodging or make_lodging(provider)
    with provider_scope(provider):
        if not Supplement.objects.filter(label="Frais de ménage", lodgings=lodging).exists():
            offer_supplement(lodging, "Frais de ménage", "50.00", mandatory=True)
        Provider.objects.filter(pk=provider.pk).update(booking_counter=number - 1)
        booking = services.booking_create(
            provider=provider,
            lodging=lodging,
            arrival=date(2024, 6, 8),
            departure=date(2024, 6, 15),
            occupants=adults(provider, 2),
            owner_price=services.OwnerPrice(Decimal("350.00")),
            is_test=fields.pop("is_test", False),
            today=date(2024, 5, 6),
            client_data={
                "civility": "mme",
                "last_name": "Dupont",
                "first_name": "Marie",
                "address": "Avenue de Paris",
                "postcode": "75000",
                "city": "Paris",
                "country": "France",
                "phone1": "0600000000",
                "email": client_email,
            },
        )
        created_at = fields.pop("created_at", datetime(2024, 5, 6, 11, 19, tzinfo=ZoneInfo("Europe/Paris")))
        Booking.objects.filter(pk=booking.pk).update(created_at=created_at, **fields)
        booking = services.booking_refresh(booking=Booking.objects.get(pk=booking.pk))
        if Decimal(paid):
            services.payment_record(
                booking=booking,
                date=date(2024, 5, 10),
                mode="cheque",
                amount=Decimal(paid),
                overpayment_accepted=True,
            )
        elif status == "confirmed":
            services.booking_confirm(booking=booking)
        if status == "cancelled":
            services.booking_cancel(booking=booking)
        return Booking.objects.select_related("client").get(pk=booking.pk)


# --- reservations: files list, dashboard, client file ---------------------------------------------


def make_file(
    lodging: Lodging,
    arrival,
    nights: int = 7,
    *,
    price: str = "350.00",
    created_at=None,
    origin: str = "local",
    is_test: bool = False,
    promo_code: str = "",
    client=None,
    today=None,
    **client_data,
):
    """A booking file made by ``booking_create`` (option), created at ``created_at`` (an aware
    datetime; the file's creation date is what the dashboard groups by)."""
    from datetime import timedelta

    from reservations.models import Booking
    from reservations.services import OwnerPrice, booking_create

    provider = lodging.provider
    client_data.setdefault("last_name", "Dupont")
    client_data.setdefault("first_name", "Marie")
    with provider_scope(provider):
        booking = booking_create(
            provider=provider,
            lodging=lodging,
            arrival=arrival,
            departure=arrival + timedelta(days=nights),
            occupants=adults(provider, 2),
            owner_price=OwnerPrice(Decimal(price)),
            client=client,
            client_data=None if client is not None else client_data,
            origin=origin,
            is_test=is_test,
            promo_code=promo_code,
            today=today,
        )
        if created_at is not None:
            Booking.objects.filter(pk=booking.pk).update(created_at=created_at)
            booking.created_at = created_at
    return booking


def cancel(booking):
    from reservations.services import booking_cancel

    with provider_scope(booking.provider):
        return booking_cancel(booking=booking)


def paris(year: int, month: int, day: int, hour: int = 12, minute: int = 0):
    """An aware datetime in the provider's time zone (Europe/Paris)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Paris"))


# --- every kind of object of one provider ----------------------------------------------------------


def make_rich_tenant(number: int = 11111, email: str = "a@example.com") -> dict:
    """A provider with one object of every kind its back office shows, by name (permission and
    hostile-input tests request every page with these ids)."""
    from datetime import date

    from comptes.scoping import scopes_disabled
    from tarifs.models import StayPrice

    provider = make_provider(number=number, email=email)
    lodging = make_lodging(provider)
    objects = {"provider": provider, "lodging": lodging}
    # hebergements
    objects["photo"], objects["second_photo"] = make_photos(lodging, 2)
    objects["supplement"] = make_supplement(provider, lodgings=[lodging])
    objects["age_bracket"] = age_brackets(provider)["Enfant"]
    # tarifs
    make_stay_prices(lodging, end=date(2024, 6, 8))
    with scopes_disabled():
        objects["stay_price"] = StayPrice.objects.get(lodging=lodging)
    objects["promotion"] = make_promotion(lodging)
    objects["promo_code"] = make_promo_code(lodging, code="RICHE")
    # reservations
    objects.update(_reservations_objects(lodging))
    # commercialisation
    objects["ical_feed"] = make_ical_feed(lodging)
    with scopes_disabled():
        from commercialisation.models import ImportedBlock

        objects["imported_block"] = ImportedBlock.objects.create(
            provider=provider,
            lodging=lodging,
            feed=objects["ical_feed"],
            uid="rich-1",
            summary="Reserved - Ossipian",
            arrival=date(2030, 10, 5),
            departure=date(2030, 10, 9),
        )
    # the Clévacances details of a file
    from reservations.services import booking_set_formula, companion_add, formula_create

    with provider_scope(provider):
        objects["formula"] = formula_create(provider=provider, name="Pension complète")
        booking_set_formula(booking=objects["booking"], formula=objects["formula"])
        objects["companion"] = companion_add(booking=objects["booking"], name="Lucie", age=41)
    # outgoing mail of a file
    with scopes_disabled():
        from comptes.mailing import mail_queue

        objects["mail"] = mail_queue(
            provider=provider,
            kind="test",
            to=["test@gmail.com"],
            subject="Votre réservation",
            text="Bonjour",
            related=objects["booking"],
        )
        from comptes.models import OutgoingMail

        failed = mail_queue(
            provider=provider,
            kind="test",
            to=["test@gmail.com"],
            subject="Relance",
            text="Bonjour",
            related=objects["booking"],
        )
        OutgoingMail.objects.filter(pk=failed.pk).update(
            status=OutgoingMail.Status.FAILED, last_error="refused"
        )
        objects["failed_mail"] = failed
    objects["export"] = make_export_job(provider)
    return objects


def make_export_job(provider: Provider, *, content: bytes = b"PK-xlsx", filename: str = "dossiers.xlsx"):
    """A finished export job with its file in the private storage (``comptes.exports``)."""
    from django.core.files.base import ContentFile

    from common.storage import private_storage
    from comptes.models import ExportJob

    with provider_scope(provider):
        name = private_storage().save(f"exports/{provider.number}/{filename}", ContentFile(content))
        return ExportJob.objects.create(
            provider=provider,
            kind="bookings",
            status=ExportJob.Status.DONE,
            filename=filename,
            file=name,
            size=len(content),
            total=1,
            done=1,
        )


def _reservations_objects(lodging) -> dict:
    """A booking file with its stay, a payment and a global supplement (reservations)."""
    from datetime import date
    from decimal import Decimal

    from comptes.scoping import provider_scope
    from reservations.models import Stay
    from reservations.services import booking_supplement_add

    booking = make_booking(lodging, date(2030, 7, 6), date(2030, 7, 13))
    payment = record_payment(booking, "62.50")
    with provider_scope(lodging.provider):
        stay = Stay.objects.get(booking=booking)
        supplement = booking_supplement_add(booking=booking, label="Frais", unit_price=Decimal("5.00"))
    # Other states a page shows differently: a cancelled file, a second card of the same client
    # (merge), a sale prohibition.
    cancelled = make_booking(
        lodging,
        date(2030, 8, 3),
        date(2030, 8, 10),
        last_name=booking.client.last_name,
        email="dup@example.com",
    )
    cancel(cancelled)
    with provider_scope(lodging.provider):
        from reservations.models import Client

        Client.objects.filter(pk=booking.client_id).update(email="dup@example.com")
    make_prohibition(lodging, date(2030, 9, 1), date(2030, 9, 8))
    return {
        "booking": booking,
        "payment": payment,
        "stay": stay,
        "booking_supplement": supplement,
        "client": booking.client,
        "cancelled_booking": cancelled,
    }


# --- guests: providers selling online ---------------------------------------------------------


def make_seller(office, number: int | None = None, **contact) -> Provider:
    """A provider of ``office`` in production, selling online with its terms of sale written."""
    from comptes.models import ProviderSettings

    provider = make_provider(office=office, number=number, **contact)
    with scopes_disabled():
        Provider.objects.filter(pk=provider.pk).update(status=Provider.Status.PRODUCTION)
        ProviderSettings.objects.filter(provider=provider).update(
            online_booking=True, terms_fr="Conditions générales de vente.", terms_en="Terms of sale."
        )
        provider.refresh_from_db()
    return provider


def make_priced_lodging(
    provider: Provider, name: str = "Petit coin de paradis", price: str = "350.00", **fields
):
    """A lodging with 7-night stays from every Saturday of July and August 2030."""
    from datetime import date

    lodging = make_lodging(provider, name=name, **fields)
    make_stay_prices(
        lodging, start=date(2030, 7, 1), end=date(2030, 8, 31), nights=7, price=price, weekdays=[5]
    )
    return lodging
