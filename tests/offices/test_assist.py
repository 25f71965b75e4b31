"""Assist mode (#16 item 4): office staff open one of their providers' back office read-only.

The banner on every page; one entry in the provider's log ("Journal des accès", which the owner
reads); nothing else written to any provider-owned table — every back-office URL POSTed to, and
every back-office page read, while a digest of every provider-owned table stays the same; payment
references masked; another office's provider out of reach.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection, transaction
from django.urls import reverse
from openpyxl import load_workbook

from comptes.assist import SESSION_KEY, STARTED, provider_owned_tables, written_table
from comptes.models import AuditEntry, ContractSettings, MailSettings, Membership, OfficeAuditEntry, Provider
from comptes.scoping import provider_scope, scopes_disabled
from comptes.services import payment_settings_update
from reservations.models import Payment
from reservations.services import payment_record
from tests import factories
from tests.backoffice import back_office_patterns, office_patterns, url_variants

pytestmark = pytest.mark.django_db

IBAN = "FR7630006000011234567890189"
REFERENCE = "CHQ-98765432"
ONLINE_ID = "acct_1A2B3C4D5E6F"


def make_staff(office, email):
    user = factories.make_user(email)
    with scopes_disabled():
        Membership.objects.create(user=user, office=office, role=Membership.Role.OFFICE_STAFF)
    return user


@pytest.fixture
def office():
    return factories.make_office("Ariège Pyrénées Tourisme", slug="ariege")


@pytest.fixture
def staff(office):
    return make_staff(office, "agent@ariege.example")


@pytest.fixture
def tenant(settings, tmp_path, office):
    """A provider of the office with one object of every kind its back office shows, a payment
    with a reference, an IBAN and an online payment identifier."""
    settings.MEDIA_ROOT = tmp_path / "media"
    objects = factories.make_rich_tenant()
    provider = objects["provider"]
    with scopes_disabled():
        Provider.objects.filter(pk=provider.pk).update(office=office)
        provider.refresh_from_db()
        ContractSettings.objects.filter(provider=provider).update(pay_by_transfer=True, iban=IBAN)
    from datetime import date
    from decimal import Decimal

    with provider_scope(provider):
        objects["referenced_payment"] = payment_record(
            booking=objects["booking"],
            date=date(2030, 6, 1),
            mode="cheque",
            amount=Decimal("10.00"),
            reference=REFERENCE,
            overpayment_accepted=True,
        )
        payment_settings_update(provider=provider, online_account_id=ONLINE_ID, active=True)
    return objects


def digest() -> dict[str, tuple]:
    """Row count and a hash of the content of every provider-owned table (every provider's rows)."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(provider_owned_tables()):
            content = "md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
            cursor.execute(f'SELECT count(*), {content} FROM "{table}" t')  # noqa: S608 (our own tables)
            result[table] = cursor.fetchone()
    return result


def assisting(client, staff, provider):
    client.force_login(staff)
    response = client.post(reverse("offices:assist_start", kwargs={"provider_pk": provider.pk}))
    assert response.status_code == 302, response
    return response


def test_the_owned_tables_and_the_statements_the_guard_reads():
    tables = provider_owned_tables()
    assert {
        "comptes_provider",
        "comptes_auditentry",
        "comptes_membership",
        "reservations_booking",
        "reservations_payment",
        "hebergements_lodging",
    } <= tables
    assert "comptes_user" not in tables and "django_session" not in tables
    assert "comptes_officeauditentry" not in tables
    assert written_table('INSERT INTO "reservations_payment" ("a") VALUES (1)') == "reservations_payment"
    assert written_table('  UPDATE "comptes_provider" SET "x" = 1') == "comptes_provider"
    assert written_table('DELETE FROM "tarifs_stayprice" WHERE 1') == "tarifs_stayprice"
    assert written_table('SELECT * FROM "reservations_payment" FOR UPDATE') is None


def test_staff_open_a_provider_read_only_with_one_entry_in_its_log(client, staff, tenant, office):
    provider = tenant["provider"]
    with scopes_disabled():
        before = AuditEntry.objects.filter(provider=provider).count()
    assert client.get(reverse("reservations:dashboard")).status_code == 302  # logged out

    # The button is on the provider's row and page; a GET does not start anything.
    client.force_login(staff)
    start = reverse("offices:assist_start", kwargs={"provider_pk": provider.pk})
    assert start in client.get(reverse("offices:provider_list")).content.decode()
    assert (
        start
        in client.get(
            reverse("offices:provider_detail", kwargs={"provider_pk": provider.pk})
        ).content.decode()
    )
    assert client.get(start).status_code == 405
    assert client.get(reverse("reservations:dashboard")).status_code == 404

    response = client.post(start)
    assert response.status_code == 302 and response["Location"] == reverse("reservations:dashboard")
    with scopes_disabled():
        entries = list(AuditEntry.objects.filter(provider=provider).order_by("id"))
        office_entry = OfficeAuditEntry.objects.get(office=office, action=STARTED)
    assert len(entries) == before + 1
    entry = entries[-1]
    assert entry.action == STARTED and entry.user == staff
    assert entry.data["staff"] == "agent@ariege.example" and entry.data["office"] == office.name
    assert office_entry.user == staff and office_entry.data["provider"] == provider.pk

    # The banner on every back-office page, and on the staff space's while it lasts.
    for name in ("reservations:dashboard", "reservations:planning", "hebergements:lodging_list"):
        page = client.get(reverse(name)).content.decode()
        assert 'data-testid="assist-banner"' in page, name
        assert "Vous consultez le compte de" in page and provider.account_name in page, name
        assert "en lecture seule" in page
    assert 'data-testid="assist-banner"' in client.get(reverse("offices:provider_list")).content.decode()

    # "Quitter": back to the provider's page; the back office is the staff's own again (none).
    response = client.post(reverse("offices:assist_exit"))
    assert response["Location"] == reverse("offices:provider_detail", kwargs={"provider_pk": provider.pk})
    assert SESSION_KEY not in client.session
    assert client.get(reverse("reservations:dashboard")).status_code == 404
    page = client.get(reverse("offices:provider_list")).content.decode()
    assert 'data-testid="assist-banner"' not in page
    with scopes_disabled():
        assert AuditEntry.objects.filter(provider=provider).count() == before + 1  # leaving writes none
        assert OfficeAuditEntry.objects.filter(office=office, action="offices.assist.ended").count() == 1


POSTED = {
    "confirm": "1",
    "amount": "1",
    "label": "x",
    "name": "x",
    "last_name": "x",
    "email": "x@example.com",
    "date": "2030-06-01",
    "mode": "cheque",
    "action": "activate",
    "online_account_id": "acct_x",
}


def test_no_post_to_any_back_office_url_writes_anything_in_assist_mode(client, staff, tenant):
    """Every back-office URL POSTed to (and PUT, PATCH, DELETE), as a form and as htmx: refused before
    the view runs, and no provider-owned row changes (not even in another provider's tables)."""
    provider = tenant["provider"]
    assisting(client, staff, provider)
    before = digest()
    patterns = list(back_office_patterns())
    assert len(patterns) >= 80
    dashboard = reverse("reservations:dashboard")
    for name, pattern in patterns:
        for url in url_variants(name, pattern, tenant):
            response = client.post(url, POSTED, HTTP_REFERER=f"http://testserver{dashboard}")
            assert response.status_code == 302 and response["Location"] == f"http://testserver{dashboard}", (
                f"POST {url} answered {response.status_code}"
            )
            response = client.post(url, POSTED, HTTP_HX_REQUEST="true")
            assert response.status_code == 403 and response["HX-Refresh"] == "true", url
            response = client.post(url, POSTED)  # no referer: the read-only page, with the banner
            assert response.status_code == 403, url
            assert "lecture seule" in response.content.decode(), url
            for method in (client.put, client.patch, client.delete):
                assert method(url).status_code == 403, url
    # The staff space's own POSTs too (creating a provider, switching to another one…): every one
    # but "Quitter" is refused before its view runs, whatever the ids.
    staff_patterns = list(office_patterns()) + list(office_patterns(attribute="administrator_required"))
    assert len(staff_patterns) >= 15
    for name, pattern in staff_patterns:
        if name == "offices:assist_exit":
            continue
        kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, provider.pk)
        url = reverse(name, kwargs=kwargs)
        assert client.post(url, POSTED).status_code == 403, url
    assert digest() == before
    client.get(dashboard)  # the messages of the refusals above are read
    contact = reverse("comptes:contact")
    response = client.post(contact, POSTED, HTTP_REFERER=f"http://testserver{contact}", follow=True)
    page = response.content.decode()
    assert "Lecture seule : vous consultez ce compte, rien n’a été enregistré." in page
    assert 'data-testid="assist-banner"' in page


def test_the_digest_sees_a_change(tenant):
    """The check above can fail: one changed column of one row changes the digest."""
    before = digest()
    with scopes_disabled():
        Payment.objects.filter(pk=tenant["payment"].pk).update(note="changed")
    assert digest() != before


def test_every_back_office_page_read_in_assist_mode_writes_nothing(client, staff, tenant):
    """Every back-office page (with each object of the tenant) answers, and nothing is written: a
    page that would create something lazily (a missing settings row) shows its defaults instead."""
    provider = tenant["provider"]
    with scopes_disabled():
        MailSettings.objects.filter(provider=provider).delete()  # a row a page creates when missing
    assisting(client, staff, provider)
    before = digest()
    for name, pattern in back_office_patterns():
        for url in url_variants(name, pattern, tenant):
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            assert response.status_code in (200, 302), f"GET {url} answered {response.status_code}"
    assert digest() == before
    with scopes_disabled():
        assert not MailSettings.objects.filter(provider=provider).exists()
    assert client.get(reverse("comptes:mail_settings")).status_code == 200


def test_the_staff_of_another_office_cannot_assist_and_a_forged_session_is_dropped(client, tenant):
    provider = tenant["provider"]
    other = factories.make_office("Autre office", slug="autre")
    intruder = make_staff(other, "agent@autre.example")
    with scopes_disabled():
        before = AuditEntry.objects.filter(provider=provider).count()
    client.force_login(intruder)
    assert (
        client.post(reverse("offices:assist_start", kwargs={"provider_pk": provider.pk})).status_code == 404
    )
    assert SESSION_KEY not in client.session

    session = client.session
    session[SESSION_KEY] = {"provider": provider.pk, "started": "2030-06-01T10:00:00+02:00"}
    session.save()
    assert client.get(reverse("reservations:dashboard")).status_code == 404
    booking = reverse("reservations:booking_detail", kwargs={"booking_pk": tenant["booking"].pk})
    assert client.get(booking).status_code == 404
    assert SESSION_KEY not in client.session
    with scopes_disabled():
        assert AuditEntry.objects.filter(provider=provider).count() == before

    # The owner of the provider: no staff URL, and a forged session changes nothing.
    owner = factories.owner_of(provider)
    client.force_login(owner)
    assert (
        client.post(reverse("offices:assist_start", kwargs={"provider_pk": provider.pk})).status_code == 404
    )
    session = client.session
    session[SESSION_KEY] = {"provider": provider.pk}
    session.save()
    assert 'data-testid="assist-banner"' not in client.get(reverse("reservations:dashboard")).content.decode()


def test_assisting_one_provider_reaches_no_other_providers_object(client, staff, tenant):
    """In assist mode the back office is the assisted provider's scope: another provider's ids
    (of the same office) are a 404, like for its owner."""
    office_provider = tenant["provider"]
    other = factories.make_provider(office=office_provider.office)
    other_lodging = factories.make_lodging(other)
    assisting(client, staff, other)
    assert (
        client.get(
            reverse("reservations:booking_detail", kwargs={"booking_pk": tenant["booking"].pk})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("hebergements:lodging_edit", kwargs={"lodging_pk": tenant["lodging"].pk})
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("hebergements:lodging_edit", kwargs={"lodging_pk": other_lodging.pk})).status_code
        == 200
    )


def test_an_administrator_may_assist_any_provider(client, tenant):
    root = factories.make_user("root@example.com", is_superuser=True, is_staff=True)
    provider = tenant["provider"]
    assisting(client, root, provider)
    page = client.get(reverse("reservations:dashboard")).content.decode()
    assert 'data-testid="assist-banner"' in page
    with scopes_disabled():
        entry = AuditEntry.objects.filter(provider=provider, action=STARTED).get()
        assert entry.user == root and entry.data["office"] == ""
        assert OfficeAuditEntry.objects.filter(office__isnull=True, action=STARTED).count() == 1


def test_payment_references_show_their_last_4_characters_only(client, staff, tenant):
    provider = tenant["provider"]
    booking = tenant["booking"]
    payment = tenant["referenced_payment"]
    pages = {
        "file": reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk}),
        "payment": reverse(
            "reservations:payment_edit", kwargs={"booking_pk": booking.pk, "payment_pk": payment.pk}
        ),
        "contract": reverse("comptes:contract_settings"),
        "secure payment": reverse("comptes:payment_settings"),
    }
    secrets = {
        "file": (REFERENCE, "••••5432"),
        "payment": (REFERENCE, "••••5432"),
        "contract": (IBAN, "••••0189"),
        "secure payment": (ONLINE_ID, "••••5E6F"),
    }

    # The owner sees them in full (so the checks below can fail).
    client.force_login(factories.owner_of(provider))
    for where, url in pages.items():
        secret, _masked = secrets[where]
        assert secret in client.get(url).content.decode(), where
    assert REFERENCE in _payments_column(client)

    assisting(client, staff, provider)
    for where, url in pages.items():
        secret, masked = secrets[where]
        page = client.get(url).content.decode()
        assert secret not in page and secret[-8:] not in page, where
        assert masked in page, where
    column = _payments_column(client)
    assert REFERENCE not in column and "••••5432" in column
    with scopes_disabled():
        assert Payment.objects.get(pk=payment.pk).reference == REFERENCE  # masked on the way out only


def _payments_column(client) -> str:
    response = client.get(reverse("reservations:booking_export"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("Règlements")
    return "\n".join(str(row[column] or "") for row in rows[1:])


def test_the_owner_reads_who_consulted_the_account(client, staff, tenant, django_assert_max_num_queries):
    provider = tenant["provider"]
    assisting(client, staff, provider)
    client.post(reverse("offices:assist_exit"))
    owner_client = client.__class__()
    owner_client.force_login(factories.owner_of(provider))
    url = reverse("comptes:access_log")
    assert url in owner_client.get(reverse("reservations:dashboard")).content.decode()  # account menu
    page = owner_client.get(url).content.decode()
    assert "Journal des accès" in page
    assert "agent@ariege.example" in page and "Ariège Pyrénées Tourisme" in page

    with django_assert_max_num_queries(12):
        owner_client.get(url)
    with scopes_disabled():
        for _n in range(60):
            AuditEntry.objects.create(
                provider=provider,
                content_type=AuditEntry.objects.first().content_type,
                object_id=provider.pk,
                action=STARTED,
                user=staff,
                data={"staff": staff.email, "office": "Ariège Pyrénées Tourisme"},
            )
    with django_assert_max_num_queries(12):
        page = owner_client.get(url).content.decode()
    assert "Page 1 sur 2" in page
    # Another provider's owner sees none of it.
    other_client = client.__class__()
    other_client.force_login(factories.owner_of(factories.make_provider()))
    assert "agent@ariege.example" not in other_client.get(url).content.decode()


def test_the_guard_refuses_a_write_whatever_the_page(tenant):
    """Inside ``read_only()`` (every request in assist mode) a write to a provider-owned table never
    reaches the database, while the session and users' tables stay writable."""
    from comptes.assist import ReadOnlyRefused, is_read_only, read_only

    before = digest()
    provider = tenant["provider"]
    with read_only():
        assert is_read_only()
        # (each in a savepoint, as a service's transaction: the refusal rolls it back)
        with pytest.raises(ReadOnlyRefused), transaction.atomic(), scopes_disabled():
            Payment.objects.filter(pk=tenant["payment"].pk).update(note="changed")
        with pytest.raises(ReadOnlyRefused), transaction.atomic(), provider_scope(provider):
            AuditEntry.objects.filter(provider=provider).delete()
        factories.make_user("someone@example.com")  # not provider-owned
    assert not is_read_only()
    assert digest() == before


def test_a_consultation_ends_by_itself_after_an_hour(client, staff, tenant, office):
    import time_machine
    from django.utils import timezone

    provider = tenant["provider"]
    client.force_login(staff)
    began = timezone.now()
    with time_machine.travel(began, tick=False):
        client.post(reverse("offices:assist_start", kwargs={"provider_pk": provider.pk}))
    with time_machine.travel(began + timedelta(minutes=59), tick=False):
        page = client.get(reverse("reservations:planning"))
        assert page.status_code == 200 and 'data-testid="assist-banner"' in page.content.decode()
    with time_machine.travel(began + timedelta(minutes=61), tick=False):
        # Back to the provider's page of the staff space, which says so; the back office is the
        # staff's own again (none).
        response = client.get(reverse("reservations:planning"), follow=True)
        detail = reverse("offices:provider_detail", kwargs={"provider_pk": provider.pk})
        assert response.redirect_chain == [(detail, 302)]
        page = response.content.decode()
        assert client.get(reverse("reservations:planning")).status_code == 404
    assert SESSION_KEY not in client.session
    assert 'data-testid="assist-banner"' not in page
    assert (
        f"Votre consultation en lecture seule de {provider.account_name} a pris fin après 60 minutes." in page
    )
    with scopes_disabled():
        ended = OfficeAuditEntry.objects.get(office=office, action="offices.assist.ended")
    assert ended.data["expired"] is True and ended.data["minutes"] == 61 and ended.user == staff
