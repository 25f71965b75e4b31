"""Tenant isolation: every back-office URL, requested with provider A's object ids.

* logged out → the login page;
* logged in as provider B → 404 (or 403), never 200, never 500;
* logged in as provider A → never 404 or 500 (the ids are real).

Each URL keyword argument must be listed in ``OBJECT_IDS``: a new back-office URL with an unknown
argument fails this test until its isolation is covered.
"""

from __future__ import annotations

import pytest

from comptes.scoping import scopes_disabled
from tests import factories
from tests.backoffice import PARAM_IDS, back_office_patterns, url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant_a(settings, tmp_path):
    """Provider A with one object of every kind its back office shows."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return factories.make_rich_tenant()


def test_the_matrix_covers_back_office_urls():
    names = [name for name, _ in back_office_patterns()]
    assert "reservations:dashboard" in names and "comptes:contact" in names


def get(client, url):
    """GET ``url``, reading a streamed answer (an export holds a temporary file until it is read)."""
    response = client.get(url)
    if response.streaming:
        response.getvalue()
    return response


def test_every_back_office_url_is_isolated(client, tenant_a, other_provider):
    urls = [url_for(name, pattern, tenant_a) for name, pattern in back_office_patterns()]

    for url, _ in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url

    client.force_login(factories.owner_of(other_provider))
    for url, has_object in urls:
        response = get(client, url)
        if has_object:
            assert response.status_code in (403, 404), (
                f"{url} answered {response.status_code} to another tenant"
            )
        else:
            assert response.status_code in (200, 302), f"{url} answered {response.status_code}"

    client.force_login(factories.owner_of(tenant_a["provider"]))
    for url, _ in urls:
        response = get(client, url)
        assert response.status_code in (200, 302), url


def declared_id_params():
    from common.params import ID, POST_ID

    for name, pattern in back_office_patterns():
        for param, kind in getattr(pattern.callback, "query_params", {}).items():
            if kind in (ID, POST_ID):
                yield name, pattern, param, kind


def test_ids_in_query_strings_and_posted_buttons_are_isolated(client, tenant_a, other_provider):
    """``?lodging=<A's lodging>`` asked by B is a 404, not a page silently showing nothing."""
    from common.params import ID
    from comptes.models import AuditEntry

    declared = list(declared_id_params())
    assert {"lodging", "feed"} <= {param for *_, param, _kind in declared}
    with scopes_disabled():
        before = AuditEntry.objects.filter(provider=tenant_a["provider"]).count()
    for who, expected in ((other_provider, {404}), (tenant_a["provider"], {200, 302})):
        client.force_login(factories.owner_of(who))
        for name, pattern, param, kind in declared:
            assert param in PARAM_IDS, f"{name}: add '{param}' to PARAM_IDS so its isolation is tested"
            url, _ = url_for(name, pattern, tenant_a)
            value = PARAM_IDS[param](tenant_a)
            if kind == ID:
                response = get(client, f"{url}?{param}={value}")
            else:
                response = client.post(url, {param: value, "sync": "1", "remove": "1"})
            assert response.status_code in expected, f"{name} {kind} {param}: {response.status_code}"
            if who == other_provider:
                response = (
                    get(client, f"{url}?{param}=abc") if kind == ID else client.post(url, {param: "abc"})
                )
                assert response.status_code in (200, 302, 404), f"{name} {param}=abc"
        if who == other_provider:
            with scopes_disabled():
                assert AuditEntry.objects.filter(provider=tenant_a["provider"]).count() == before


def test_no_back_office_url_changes_another_tenants_object(client, tenant_a, other_provider):
    """POST (the verb of every change) with provider A's ids, as provider B: refused, nothing done."""
    from comptes.models import AuditEntry

    with scopes_disabled():
        before = AuditEntry.objects.filter(provider=tenant_a["provider"]).count()
    client.force_login(factories.owner_of(other_provider))
    for name, pattern in back_office_patterns():
        url, has_object = url_for(name, pattern, tenant_a)
        if not has_object:
            continue
        response = client.post(url, {"confirm": "1", "amount": "1", "label": "x"})
        assert response.status_code in (403, 404, 405), f"POST {url} answered {response.status_code}"
    with scopes_disabled():
        assert AuditEntry.objects.filter(provider=tenant_a["provider"]).count() == before


def test_every_provider_owned_model_refuses_an_unscoped_query(db):
    """Forgetting the tenant filter fails loudly instead of leaking rows."""
    from django.apps import apps
    from django_scopes.exceptions import ScopeError

    from comptes.models import Membership, Provider

    owned = [
        model
        for model in apps.get_models()
        if model is not Membership
        and any(field.name == "provider" and field.related_model is Provider for field in model._meta.fields)
    ]
    assert len(owned) >= 10
    for model in owned:
        with pytest.raises(ScopeError):
            list(model.objects.all())
        with scopes_disabled():
            list(model.objects.all()[:1])
