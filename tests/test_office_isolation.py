"""The office staff space's isolation, URL by URL: every ``@office_required`` view (walked from the
resolver, so the pages other apps add are covered as they come) requested with office X's ids

* logged out → the login page;
* as office Y's staff → 404, GET and POST, and nothing of X changes;
* as an owner (even one of X's providers) → 404 on every staff URL, GET and POST;
* as office X's staff → never 404 or 500 (the ids are real).

The administrators' screens (offices and their staff) answer 404 to staff and owners.
"""

from __future__ import annotations

import pytest

from commercialisation.models import ProductionRequest
from commercialisation.production import production_request_create
from comptes.models import AuditEntry, Membership, Provider
from comptes.scoping import provider_scope, scopes_disabled
from tests import factories
from tests.backoffice import office_patterns, office_url_for

pytestmark = pytest.mark.django_db


def make_staff(office, email):
    user = factories.make_user(email)
    with scopes_disabled():
        Membership.objects.create(user=user, office=office, role=Membership.Role.OFFICE_STAFF)
    return user


@pytest.fixture
def office_x():
    office = factories.make_office("Office X", slug="office-x")
    provider = factories.make_seller(office)
    with scopes_disabled():
        Provider.objects.filter(pk=provider.pk).update(status=Provider.Status.TEST)
        provider.refresh_from_db()
    with provider_scope(provider):
        request = production_request_create(provider=provider)
    from decimal import Decimal

    from tarifs.models import TouristTaxDepartmental
    from tarifs.tourist_tax import tourist_tax_rate_save

    rate = tourist_tax_rate_save(
        office=office, commune=factories.foix(), year=2026, category="3", rate=Decimal("1.00")
    )
    with scopes_disabled():
        departmental = TouristTaxDepartmental.objects.create(office=office, department="09", year=2026)
    return {
        "office": office,
        "provider": provider,
        "request": request,
        "rate": rate,
        "departmental": departmental,
        "staff": make_staff(office, "x@office.example"),
    }


@pytest.fixture
def office_y():
    office = factories.make_office("Office Y", slug="office-y")
    return {"office": office, "staff": make_staff(office, "y@office.example")}


def snapshot(objects):
    with scopes_disabled():
        provider = Provider.objects.get(pk=objects["provider"].pk)
        return (
            AuditEntry.objects.filter(provider=provider).count(),
            provider.status,
            provider.deactivated_at,
            ProductionRequest.objects.get(pk=objects["request"].pk).state,
        )


def test_the_walk_finds_the_staff_space():
    names = {name for name, _ in office_patterns()}
    assert {"offices:provider_list", "offices:provider_detail", "offices:production_decide"} <= names
    assert {"offices:office_list", "offices:office_staff"} <= {
        name for name, _ in office_patterns(attribute="administrator_required")
    }


POSTED = {
    "decision": "approve",
    "confirm_incomplete": "on",
    "reason": "x",
    "confirm": "1",
    "email": "new@example.com",
}


def test_every_staff_url_is_isolated_between_offices(client, office_x, office_y):
    urls = [office_url_for(name, pattern, office_x) for name, pattern in office_patterns()]
    assert len(urls) >= 10
    before = snapshot(office_x)

    for url, _ in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url

    client.force_login(office_y["staff"])
    for url, has_object in urls:
        get = client.get(url)
        if has_object:
            assert get.status_code == 404, f"GET {url} answered {get.status_code} to another office"
            post = client.post(url, POSTED)
            assert post.status_code == 404, f"POST {url} answered {post.status_code} to another office"
        else:
            assert get.status_code in (200, 302), f"GET {url} answered {get.status_code}"
            if get.streaming:  # the Excel export: office X's provider is not in it
                from io import BytesIO

                from openpyxl import load_workbook

                sheet = load_workbook(BytesIO(b"".join(get.streaming_content))).active
                cells = [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value]
                provider = office_x["provider"]
                assert str(provider.number) not in cells, url
                assert not any(provider.display_name in cell for cell in cells), url
            else:
                assert str(office_x["provider"].number) not in get.content.decode(), url
    assert snapshot(office_x) == before

    client.force_login(office_x["staff"])
    for url, _ in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 405), f"GET {url} answered {response.status_code}"
        if response.streaming:
            response.getvalue()


def test_an_owner_opens_no_staff_url(client, office_x):
    before = snapshot(office_x)
    client.force_login(factories.owner_of(office_x["provider"]))  # even a provider of office X
    patterns = list(office_patterns()) + list(office_patterns(attribute="administrator_required"))
    for name, pattern in patterns:
        url, _ = office_url_for(name, pattern, office_x)
        assert client.get(url).status_code == 404, url
        assert client.post(url, POSTED).status_code == 404, url
    assert snapshot(office_x) == before


def test_the_administrators_screens_refuse_staff(client, office_x):
    client.force_login(office_x["staff"])
    for name, pattern in office_patterns(attribute="administrator_required"):
        url, _ = office_url_for(name, pattern, office_x)
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Z", "slug": "z", "email": "z@example.com"}).status_code == 404, url
    with scopes_disabled():
        assert not Membership.objects.filter(user__email="z@example.com").exists()


def test_an_administrator_sees_only_the_providers_with_no_office_in_their_queue(client, office_x):
    root = factories.make_user("root@example.com", is_superuser=True, is_staff=True)
    alone = factories.make_provider()
    client.force_login(root)
    listing = client.get("/office/prestataires/").content.decode()
    assert f'data-number="{alone.number}"' in listing
    assert f'data-number="{office_x["provider"].number}"' not in listing
    url, _ = office_url_for(
        "offices:provider_detail", dict(office_patterns())["offices:provider_detail"], office_x
    )
    assert client.get(url).status_code == 404
