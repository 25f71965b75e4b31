"""The tourism office's staff space: its providers with their checklist, onboarding with invitation
mails, deactivation, the production queue, and the administrators' offices and staff."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from commercialisation.models import ProductionRequest
from commercialisation.production import production_request_create
from comptes.models import AuditEntry, Membership, Office, OutgoingMail, Provider, User
from comptes.scoping import provider_scope, scopes_disabled
from comptes.services import contract_settings_update, provider_update
from reservations.models import Booking
from tests import factories

pytestmark = pytest.mark.django_db

NOW = factories.paris(2030, 6, 1, 10)
ARRIVAL = date(2030, 7, 6)


@pytest.fixture(autouse=True)
def _today(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def office():
    office = factories.make_office("Ariège Pyrénées Tourisme", slug="ariege")
    with scopes_disabled():
        office.email = "referent@ariege.example"
        office.save()
    return office


@pytest.fixture
def staff(office):
    user = factories.make_user("agent@ariege.example")
    with scopes_disabled():
        Membership.objects.create(user=user, office=office, role=Membership.Role.OFFICE_STAFF)
    return user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def complete_provider(office, **contact):
    """A provider in test whose checklist is complete (what an owner does before asking)."""
    provider = factories.make_seller(office, **contact)
    with scopes_disabled():
        Provider.objects.filter(pk=provider.pk).update(status=Provider.Status.TEST)
        provider.refresh_from_db()
    lodging = factories.make_priced_lodging(provider)
    with provider_scope(provider):
        provider_update(
            provider=provider,
            data={
                "address": "1 rue du Pont",
                "postcode": "09000",
                "city": "Foix",
                "phone1": "05 61 00 00 00",
            },
        )
        contract_settings_update(provider=provider, deadlines={}, data={})
    factories.make_photos(lodging)
    return provider, lodging


def owner_login(client, email, password=factories.PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


# --- the list -----------------------------------------------------------------------------------------


def test_the_list_shows_the_offices_providers_with_their_checklist_figures_and_last_login(
    staff_client, office
):
    ready, lodging = complete_provider(office, company="Gîtes du Pont")
    fresh = factories.make_provider(office=office, company="Chalet neuf")
    elsewhere = factories.make_provider(office=factories.make_office(slug="ailleurs"), company="Ailleurs")
    factories.make_file(lodging, ARRIVAL, price="350.00")
    factories.make_file(lodging, ARRIVAL + timedelta(days=7), price="400.00")
    factories.cancel(factories.make_file(lodging, ARRIVAL + timedelta(days=14), price="999.00"))
    factories.make_file(lodging, ARRIVAL + timedelta(days=21), price="888.00", is_test=True)
    factories.make_file(lodging, date(2031, 7, 5), price="777.00")  # next season
    with scopes_disabled():
        User.objects.filter(email=ready.email).update(last_login=factories.paris(2030, 5, 30, 9, 15))

    page = staff_client.get(reverse("offices:provider_list"))
    text = page.content.decode()
    assert page.status_code == 200
    rows = dict(re.findall(r'<tr data-number="(\d+)">(.*?)</tr>', text, re.S))
    assert set(rows) == {str(ready.number), str(fresh.number)} and str(elsewhere.number) not in rows
    assert "5/5" in rows[str(ready.number)] and "750,00" in rows[str(ready.number)]  # 350 + 400
    assert "30/05/2030 09:15" in rows[str(ready.number)]
    assert "jamais" in rows[str(fresh.number)] and "0/5" in rows[str(fresh.number)]
    # The staff space has its own menu, not an owner's.
    assert reverse("offices:production_queue") in text and reverse("reservations:planning") not in text

    assert (
        str(ready.number)
        not in staff_client.get(reverse("offices:provider_list") + "?parametrage=incomplete").content.decode()
    )
    found = staff_client.get(reverse("offices:provider_list") + "?q=chalet").content.decode()
    assert f'data-number="{fresh.number}"' in found and f'data-number="{ready.number}"' not in found


def test_the_list_answers_in_a_constant_number_of_queries(
    staff_client, office, django_assert_max_num_queries
):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse("offices:provider_list")).status_code == 200
        return len(queries)

    for _ in range(3):
        complete_provider(office)
    few = count()
    for _ in range(12):
        factories.make_provider(office=office)
    with django_assert_max_num_queries(few):
        staff_client.get(reverse("offices:provider_list"))


def test_the_export_has_one_line_per_provider(staff_client, office):
    ready, lodging = complete_provider(office, company="Gîtes du Pont")
    factories.make_file(lodging, ARRIVAL, price="350.00")
    fresh = factories.make_provider(office=office)
    response = staff_client.get(reverse("offices:provider_export"))
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Numéro", "Nom", "Type")
    lines = {row[0]: row for row in rows[1:]}
    assert set(lines) == {ready.number, fresh.number}
    assert lines[ready.number][5] == "5/5" and lines[ready.number][8:] == (1, 350)
    assert lines[fresh.number][6]  # what is left to do


# --- onboarding -----------------------------------------------------------------------------------------

NEW = {
    "company": "Le Moulin de Foix",
    "kind": "meuble",
    "last_name": "Durand",
    "first_name": "Paul",
    "phone1": "05 61 11 22 33",
    "address": "2 chemin du Moulin",
    "postcode": "09000",
    "city": "Foix",
    "email": "Paul.Durand@Example.com",
}


def invitation_link(provider) -> str:
    with scopes_disabled():
        mail = OutgoingMail.objects.filter(provider=provider, kind="account.invitation").latest(
            "created_at", "id"
        )
    return re.search(r"(/invitation/[^\s]+/)", mail.body_text).group(1)


def test_staff_create_a_provider_whose_invitation_sets_the_password_and_opens_the_wizard(
    client, staff_client, staff, office
):
    response = staff_client.post(reverse("offices:provider_create"), NEW)
    assert response.status_code == 302
    with scopes_disabled():
        provider = Provider.objects.get(company="Le Moulin de Foix")
        owner = User.objects.get(email="paul.durand@example.com")
        mail = OutgoingMail.objects.get(kind="account.invitation")
        created = AuditEntry.objects.get(provider=provider, action="provider.created")
    assert (provider.office, provider.status, provider.kind, provider.email) == (
        office,
        Provider.Status.TEST,
        "meuble",
        "paul.durand@example.com",
    )
    assert Membership.objects.filter(user=owner, provider=provider, role="owner").exists()
    assert not owner.has_usable_password() and mail.to == ["paul.durand@example.com"]
    assert created.user == staff

    link = invitation_link(provider)
    client.logout()
    form = client.get(link)
    assert form.status_code == 200 and "paul.durand@example.com" in form.content.decode()
    weak = client.post(link, {"new_password1": "a", "new_password2": "b"})
    assert weak.status_code == 200 and 'id="id_new_password2_error"' in weak.content.decode()
    done = client.post(link, {"new_password1": "Moulin-de-Foix-2030", "new_password2": "Moulin-de-Foix-2030"})
    assert done.status_code == 302 and done["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("hebergements:wizard")  # first connection
    # Single use: the link no longer works once the password is set.
    client.logout()
    assert client.get(link).status_code == 404
    assert owner_login(client, "paul.durand@example.com", "Moulin-de-Foix-2030").status_code == 302


def test_an_email_already_used_is_refused_next_to_the_field_and_nothing_is_saved(staff_client, office):
    factories.make_user("paul.durand@example.com")
    with scopes_disabled():
        before = (Provider.objects.count(), User.objects.count(), OutgoingMail.objects.count())
    response = staff_client.post(reverse("offices:provider_create"), NEW)
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_email_error"><li>Un compte utilise déjà cette adresse e-mail.</li>' in text
    with scopes_disabled():
        assert (Provider.objects.count(), User.objects.count(), OutgoingMail.objects.count()) == before
    missing = staff_client.post(reverse("offices:provider_create"), {**NEW, "email": "", "company": ""})
    assert (
        'id="id_company_error"' in missing.content.decode()
        and 'id="id_email_error"' in missing.content.decode()
    )


def test_resending_the_invitation_voids_the_old_link_and_links_expire(client, staff_client, office):
    staff_client.post(reverse("offices:provider_create"), NEW)
    with scopes_disabled():
        provider = Provider.objects.get(company="Le Moulin de Foix")
    first = invitation_link(provider)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        response = staff_client.post(reverse("offices:provider_invite", kwargs={"provider_pk": provider.pk}))
        assert response.status_code == 302
        second = invitation_link(provider)
        assert first != second
        client.logout()
        assert client.get(first).status_code == 404
        assert client.get(second).status_code == 200
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        assert client.get(second).status_code == 404


def test_deactivating_stops_the_login_and_the_public_pages_and_deletes_nothing(client, staff_client, office):
    provider, lodging = complete_provider(office)
    with scopes_disabled():
        Provider.objects.filter(pk=provider.pk).update(status=Provider.Status.PRODUCTION)
    booking = factories.make_file(lodging, ARRIVAL)
    site = reverse("public:site_search", kwargs={"lang": "fr", "number": provider.number})
    assert client.get(site).status_code == 200
    owner = factories.owner_of(provider)
    from django.test import Client

    owner_browser = Client()
    owner_browser.force_login(owner)
    assert owner_browser.get(reverse("reservations:dashboard")).status_code == 200

    url = reverse("offices:provider_deactivate", kwargs={"provider_pk": provider.pk})
    assert staff_client.post(url).status_code == 302
    assert client.get(site).status_code == 404
    market = client.get(reverse("public:office_search", kwargs={"lang": "fr", "slug": office.slug}))
    assert lodging.name not in market.content.decode()
    refused = Client()
    response = owner_login(refused, owner.email)
    assert response.status_code == 200 or response["Location"] == reverse("account_inactive")
    assert "_auth_user_id" not in refused.session
    assert owner_browser.get(reverse("reservations:dashboard")).status_code == 302  # logged out
    with scopes_disabled():
        assert (
            Booking.objects.filter(pk=booking.pk).exists()
            and Provider.objects.filter(pk=provider.pk).exists()
        )
        assert AuditEntry.objects.filter(provider=provider, action="provider.deactivated").exists()

    staff_client.post(url, {"reactivate": "1"})
    assert client.get(site).status_code == 200
    assert owner_login(Client(), owner.email).status_code == 302


# --- the production queue ---------------------------------------------------------------------------


def ask(provider):
    with provider_scope(provider):
        return production_request_create(provider=provider, user=factories.owner_of(provider))


def decide(staff_client, request, **data):
    return staff_client.post(reverse("offices:production_decide", kwargs={"request_pk": request.pk}), data)


def test_approving_a_complete_request_opens_the_lodgings_and_mails_the_owner(
    client, staff_client, staff, office
):
    provider, lodging = complete_provider(office)
    request = ask(provider)
    queue = staff_client.get(reverse("offices:production_queue")).content.decode()
    assert f'data-number="{provider.number}"' in queue and "is-done" in queue
    market = reverse("public:office_search", kwargs={"lang": "fr", "slug": office.slug})
    assert lodging.name not in client.get(market).content.decode()

    assert decide(staff_client, request, decision="approve").status_code == 302
    with scopes_disabled():
        request.refresh_from_db()
        provider.refresh_from_db()
        mail = OutgoingMail.objects.get(kind="production.approved")
    assert provider.status == Provider.Status.PRODUCTION
    assert (request.state, request.decided_by, request.checklist_incomplete) == ("approved", staff, False)
    assert mail.to == [provider.email]
    assert lodging.name in client.get(market).content.decode()

    # Staff can switch it back to test: the marketplace no longer shows it.
    staff_client.post(reverse("offices:provider_to_test", kwargs={"provider_pk": provider.pk}))
    with scopes_disabled():
        provider.refresh_from_db()
    assert provider.status == Provider.Status.TEST and lodging.name not in client.get(market).content.decode()


def test_approving_an_incomplete_checklist_asks_for_a_confirmation_and_records_who(
    staff_client, staff, office
):
    provider = factories.make_seller(office)
    with scopes_disabled():
        Provider.objects.filter(pk=provider.pk).update(status=Provider.Status.TEST)
    request = ask(provider)
    response = decide(staff_client, request, decision="approve")
    assert response.status_code == 200
    assert 'id="id_confirm_incomplete_error"' in response.content.decode()
    with scopes_disabled():
        assert ProductionRequest.objects.get(pk=request.pk).state == "requested"
        assert Provider.objects.get(pk=provider.pk).status == Provider.Status.TEST
    assert decide(staff_client, request, decision="approve", confirm_incomplete="on").status_code == 302
    with scopes_disabled():
        request.refresh_from_db()
        assert Provider.objects.get(pk=provider.pk).status == Provider.Status.PRODUCTION
        entry = AuditEntry.objects.get(provider=provider, action="production.approved")
    assert request.checklist_incomplete and request.decided_by == staff and entry.user == staff


def test_refusing_needs_a_reason_which_is_mailed(client, staff_client, office):
    provider, _lodging = complete_provider(office)
    request = ask(provider)
    response = decide(staff_client, request, decision="refuse", reason="  ")
    assert response.status_code == 200 and 'id="id_reason_error"' in response.content.decode()
    assert (
        decide(
            staff_client, request, decision="refuse", reason="Ajoutez des photos de la chambre."
        ).status_code
        == 302
    )
    with scopes_disabled():
        request.refresh_from_db()
        mail = OutgoingMail.objects.get(kind="production.refused")
        provider.refresh_from_db()
    assert request.state == "refused" and provider.status == Provider.Status.TEST
    assert "Ajoutez des photos de la chambre." in mail.body_text and mail.to == [provider.email]
    # The owner sees the refusal and may ask again.
    client.force_login(factories.owner_of(provider))
    page = client.get(reverse("commercialisation:booking_tests")).content.decode()
    assert "Ajoutez des photos de la chambre." in page
    client.post(reverse("commercialisation:booking_tests_request"))
    with scopes_disabled():
        assert ProductionRequest.objects.filter(provider=provider, state="requested").count() == 1


def test_the_administrators_queue_decides_for_providers_with_no_office(client):
    root = factories.make_user("root@example.com", is_superuser=True, is_staff=True)
    provider, _lodging = complete_provider(None)
    request = ask(provider)
    client.force_login(root)
    queue = client.get(reverse("offices:production_queue")).content.decode()
    assert f'data-number="{provider.number}"' in queue
    assert decide(client, request, decision="approve").status_code == 302
    with scopes_disabled():
        assert Provider.objects.get(pk=provider.pk).status == Provider.Status.PRODUCTION


# --- administrators: offices and staff --------------------------------------------------------------


def test_an_administrator_creates_an_office_and_its_staff_who_get_an_invitation(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    root = factories.make_user("root@example.com", is_superuser=True, is_staff=True)
    client.force_login(root)
    response = client.post(
        reverse("offices:office_list"),
        {"name": "Office de Foix", "slug": "foix", "email": "contact@foix.example", "commission_rate": "3"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        office = Office.objects.get(slug="foix")
    assert office.commission_rate == Decimal("3")
    again = client.post(
        reverse("offices:office_list"), {"name": "Autre", "slug": "foix", "commission_rate": "3"}
    )
    assert again.status_code == 200 and 'id="id_slug_error"' in again.content.decode()

    url = reverse("offices:office_staff", kwargs={"office_pk": office.pk})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"email": "Agent@Foix.example", "full_name": "Anne Agent"}).status_code == 302
    staff = User.objects.get(email="agent@foix.example")
    assert Membership.objects.filter(user=staff, office=office, role="office_staff").exists()
    assert [message.to for message in mailoutbox] == [["agent@foix.example"]]
    link = re.search(r"(/invitation/[^\s]+/)", mailoutbox[0].body).group(1)
    used = client.post(url, {"email": "agent@foix.example"})
    assert 'id="id_email_error"' in used.content.decode()

    client.logout()
    done = client.post(link, {"new_password1": "Office-de-Foix-2030", "new_password2": "Office-de-Foix-2030"})
    assert done.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("offices:home")
