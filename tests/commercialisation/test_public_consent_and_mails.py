"""What an internet pré-réservation asks and sends: the opt-in box (offered when configured, never
pre-ticked), the privacy text, the guest's mail as "Personnalisation des mails" says (full PDF or
notification, in the guest's language), the owner's mail with its copy address, and the hourly task
that cancels — or leaves flagged in "Mes relances" — an option left unpaid."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from comptes.models import MailSettings, Membership, OutgoingMail, ProviderSettings
from comptes.scoping import scopes_disabled
from reservations.models import Booking, BookingStatus
from tests.commercialisation.test_public import NOW, ORIGIN, book_to_summary, step_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("guests_today")]


def submit(client, draft, **extra):
    return client.post(
        step_url(draft, "recapitulatif"), {"accept_terms": "1", "total": "350.00", **extra}, **ORIGIN
    )


def test_the_opt_in_box_is_offered_unticked_and_only_a_ticked_box_is_stored(client, office, seller, paradis):
    with scopes_disabled():
        ProviderSettings.objects.filter(provider=seller).update(
            optin_enabled=True,
            optin_text_fr="J'accepte de recevoir les offres du gîte.",
            optin_text_en="I agree to receive the gîte's offers.",
            privacy_enabled=True,
            privacy_text_fr="Vos données servent à votre réservation.",
        )
    draft = book_to_summary(client, office, paradis)
    page = client.get(step_url(draft, "recapitulatif")).content.decode()
    (box,) = re.findall(r'<input type="checkbox" id="opt_in"[^>]*>', page)
    assert "checked" not in box
    assert "I agree to receive the gîte&#x27;s offers." in page
    assert "Vos données servent à votre réservation." in page  # no English text: the French one
    assert submit(client, draft).status_code == 302
    with scopes_disabled():
        assert Booking.objects.get().client.optin is False
        Booking.objects.all().delete()
    draft = book_to_summary(client, office, paradis)
    assert submit(client, draft, opt_in="1").status_code == 302
    with scopes_disabled():
        assert Booking.objects.get().client.optin is True


def test_no_opt_in_box_without_the_setting_and_a_forged_one_is_ignored(client, office, seller, paradis):
    draft = book_to_summary(client, office, paradis)
    assert 'id="opt_in"' not in client.get(step_url(draft, "recapitulatif")).content.decode()
    assert submit(client, draft, opt_in="1").status_code == 302
    with scopes_disabled():
        assert Booking.objects.get().client.optin is False


@pytest.mark.parametrize(
    ("mail", "attached"),
    [(MailSettings.InternetBookingMail.FULL_PDF, 1), (MailSettings.InternetBookingMail.NOTIFICATION, 0)],
)
def test_the_guest_gets_the_mail_the_owner_chose_in_their_language_and_the_owner_a_copy(
    client, office, seller, paradis, mail, attached
):
    with scopes_disabled():
        MailSettings.objects.filter(provider=seller).update(
            internet_booking_mail=mail, copy_to="secretariat@example.com"
        )
    draft = book_to_summary(client, office, paradis)  # an English journey
    assert submit(client, draft).status_code == 302
    with scopes_disabled():
        booking = Booking.objects.get()
        guest = OutgoingMail.objects.get(to=["claire@example.com"])
        owner = OutgoingMail.objects.get(to=[seller.email])
        assert (guest.language, guest.attachments.count()) == ("en", attached)
        assert guest.cc == [] and owner.cc == ["secretariat@example.com"]
    assert owner.language == "fr"
    assert booking.display_number in owner.subject
    assert "€350.00" in guest.body_text and "350,00" in owner.body_text


def test_the_hourly_task_cancels_an_unpaid_option_and_frees_its_dates(client, office, seller, paradis):
    from reservations.tasks import expired_options_run

    draft = book_to_summary(client, office, paradis)
    assert submit(client, draft).status_code == 302
    with scopes_disabled():
        booking = Booking.objects.get()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert expired_options_run() == 0  # not due yet
    late = booking.deposit_due_date + timedelta(days=1)
    with time_machine.travel(NOW.replace(year=late.year, month=late.month, day=late.day), tick=False):
        assert expired_options_run() == 1
    with scopes_disabled():
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CANCELLED
        assert sorted(
            OutgoingMail.objects.filter(kind__startswith="booking.option_expired").values_list(
                "kind", flat=True
            )
        ) == ["booking.option_expired", "booking.option_expired.owner"]
    # The dates are free again: another guest can pre-book the same week.
    draft = book_to_summary(client, office, paradis)
    assert submit(client, draft).status_code == 302


def test_a_flagged_option_waits_for_the_owner_in_mes_relances(client, office, seller, paradis):
    from reservations.tasks import expired_options_run, reminders_run

    with scopes_disabled():
        ProviderSettings.objects.filter(provider=seller).update(
            expired_options=ProviderSettings.ExpiredOptions.FLAG
        )
    draft = book_to_summary(client, office, paradis)
    assert submit(client, draft).status_code == 302
    with scopes_disabled():
        booking = Booking.objects.get()
    late = booking.deposit_due_date + timedelta(days=1)
    with time_machine.travel(NOW.replace(year=late.year, month=late.month, day=late.day), tick=False):
        assert expired_options_run() == 0
        reminders_run()  # the daily task that fills "Mes relances"
        with scopes_disabled():
            booking.refresh_from_db()
            assert booking.status == BookingStatus.OPTION
            owner = Membership.objects.get(provider=seller).user
        client.force_login(owner)
        page = client.get(reverse("reservations:reminder_list")).content.decode()
    assert reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk}) in page
    assert "Martin" in page
