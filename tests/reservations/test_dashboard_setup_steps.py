"""The dashboard's "Les étapes à suivre pour la configuration de votre compte" (manual, "Configurer
son compte lors de la 1ère connexion"): each step ticked from the account's data, with its link,
the block gone once every step is done."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comptes.models import Provider
from comptes.scoping import provider_scope, scopes_disabled
from comptes.services import contract_settings_update, sales_terms_update
from tests import factories

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reservations:dashboard")


def steps(html: str) -> dict[str, list[tuple[str, bool]]]:
    """{step number: [(link, done)…]} of the block."""
    found: dict[str, list[tuple[str, bool]]] = {}
    for done, number, href in re.findall(
        r'<li class="checklist-item (is-done|is-missing)" data-step="(\d)">.*?<a href="([^"]+)">', html, re.S
    ):
        found.setdefault(number, []).append((href, done == "is-done"))
    return found


def test_a_new_owner_sees_the_steps_with_their_links(owner_client, provider, lodging):
    html = owner_client.get(DASHBOARD).text
    assert 'data-testid="setup-steps"' in html
    assert "Les étapes à suivre pour la configuration de votre compte Open Pro" in html
    assert steps(html) == {
        "1": [(reverse("comptes:contact"), False)],  # the fixture's provider has no address yet
        "2": [(reverse("comptes:sales_terms"), False), (reverse("comptes:contract_settings"), False)],
        "3": [(reverse("hebergements:lodging_list"), False)],  # no photo yet
        "4": [(reverse("tarifs:create"), False)],
        "5": [(reverse("commercialisation:booking_tests"), False)],
    }
    assert "Étape 1" in html and "Étape 5" in html


def test_each_step_is_ticked_from_real_data_and_the_block_goes_when_all_are_done(
    owner_client, provider, lodging
):
    with scopes_disabled():
        Provider.objects.filter(pk=provider.pk).update(
            address="Boulevard du sud", postcode="09000", city="FOIX", phone1="0500000000"
        )
    factories.make_photos(lodging)
    today = timezone.localdate()
    factories.make_stay_prices(lodging, start=today + timedelta(days=7), end=today + timedelta(days=14))
    with provider_scope(provider):
        sales_terms_update(
            provider=provider, data={"online_booking": True, "terms_fr": "Conditions."}, rules=[]
        )
        contract_settings_update(provider=provider, deadlines={}, data={})
    ticked = steps(owner_client.get(DASHBOARD).text)
    assert [done for links in ticked.values() for _href, done in links] == [True] * 5 + [False]

    with scopes_disabled():
        Provider.objects.filter(pk=provider.pk).update(status=Provider.Status.PRODUCTION)
    html = owner_client.get(DASHBOARD).text
    assert 'data-testid="setup-steps"' not in html
