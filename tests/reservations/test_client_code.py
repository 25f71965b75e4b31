"""Clévacances details (issue #17 item 9): a client code per provider, "DUP-2" — three letters of the
name and the provider's client number, given once when the client is created."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from comptes.scoping import provider_scope
from reservations.models import Client
from tests import factories

pytestmark = pytest.mark.django_db


def test_each_new_client_gets_a_code_of_the_provider(owner_client, provider, lodging):
    first = factories.make_booking(lodging, date(2030, 7, 6), date(2030, 7, 13), last_name="Martin")
    second = factories.make_booking(lodging, date(2030, 7, 13), date(2030, 7, 20), last_name="Dupond")
    third = factories.make_booking(lodging, date(2030, 8, 3), date(2030, 8, 10), last_name="Éluard")
    with provider_scope(provider):
        codes = {client.last_name: client.code for client in Client.objects.all()}
    assert codes == {"Martin": "MAR-1", "Dupond": "DUP-2", "Éluard": "ELU-3"}
    # Another provider counts its own clients.
    other = factories.make_provider(number=11111, email="autre@test.com")
    elsewhere = factories.make_booking(factories.make_lodging(other), date(2030, 7, 6), date(2030, 7, 13))
    with provider_scope(other):
        assert Client.objects.get(pk=elsewhere.client_id).code == "DUP-1"

    html = owner_client.get(reverse("reservations:booking_detail", kwargs={"booking_pk": second.pk})).text
    assert '<dd data-testid="client-code">DUP-2</dd>' in html
    html = owner_client.get(reverse("reservations:client_detail", args=[first.client_id])).text
    assert '<dd data-testid="client-code">MAR-1</dd>' in html
    assert third.client_id != first.client_id
