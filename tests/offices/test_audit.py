"""Who did what: the staff's actions on a provider are in that provider's log (its history, also on
its page in the staff space); what concerns an office only is in the office's log ("Journal de
l'office"), which no other office sees."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from commercialisation.models import ProductionRequest
from commercialisation.production import production_request_create
from comptes.models import AuditEntry, Membership, OfficeAuditEntry, Provider
from comptes.scoping import provider_scope, scopes_disabled
from tests import factories

pytestmark = pytest.mark.django_db


def make_staff(office, email):
    user = factories.make_user(email)
    with scopes_disabled():
        Membership.objects.create(user=user, office=office, role=Membership.Role.OFFICE_STAFF)
    return user


def actions(provider) -> list[tuple[str, str | None]]:
    with scopes_disabled():
        return [
            (entry.action, entry.user.email if entry.user else None)
            for entry in AuditEntry.objects.filter(provider=provider).select_related("user").order_by("id")
        ]


def test_every_staff_action_on_a_provider_is_in_its_log(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    office = factories.make_office("Ariège Pyrénées Tourisme", slug="ariege")
    staff = make_staff(office, "agent@ariege.example")
    client.force_login(staff)

    response = client.post(
        reverse("offices:provider_create"),
        {"kind": "meuble", "company": "Gîte du Pont", "last_name": "Dupont", "email": "dupont@example.com"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        provider = Provider.objects.get(email="dupont@example.com")
    detail = {"provider_pk": provider.pk}
    client.post(reverse("offices:provider_invite", kwargs=detail))
    client.post(reverse("offices:provider_deactivate", kwargs=detail))
    client.post(reverse("offices:provider_deactivate", kwargs=detail), {"reactivate": "1"})
    with provider_scope(provider):
        refused = production_request_create(provider=provider)
    client.post(
        reverse("offices:production_decide", kwargs={"request_pk": refused.pk}),
        {"decision": "refuse", "reason": "Photos manquantes"},
    )
    with provider_scope(provider):
        approved = production_request_create(provider=provider)
    client.post(
        reverse("offices:production_decide", kwargs={"request_pk": approved.pk}),
        {"decision": "approve", "confirm_incomplete": "on"},
    )
    with scopes_disabled():
        assert ProductionRequest.objects.get(pk=approved.pk).state == ProductionRequest.State.APPROVED
    client.post(reverse("offices:provider_to_test", kwargs=detail))

    by_staff = [
        action
        for action, who in actions(provider)
        if who == "agent@ariege.example" and not action.startswith("mail.")  # its mails are too
    ]
    assert by_staff == [
        "provider.created",
        "provider.invited",
        "provider.invited",
        "provider.deactivated",
        "provider.reactivated",
        "production.refused",
        "production.approved",
        "provider.status",
        "provider.status",
    ]
    page = client.get(reverse("offices:provider_detail", kwargs=detail)).content.decode()
    # In sentences, not codes.
    for sentence in (
        "Compte désactivé",
        "Compte réactivé",
        "Passage en production refusé : ",
        "Passage en production accepté",
        "Statut : Test → Production",
        "Statut : Production → Test",
        "Invitation envoyée à ",
    ):
        assert sentence in page, sentence
    assert "provider.deactivated" not in page and "production.refused" not in page


def test_an_offices_own_actions_are_in_the_offices_log(client):
    root = factories.make_user("root@example.com", is_superuser=True, is_staff=True)
    client.force_login(root)
    response = client.post(
        reverse("offices:office_list"),
        {"name": "Office X", "slug": "office-x", "email": "x@office.example", "commission_rate": "3"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        office = OfficeAuditEntry.objects.get(action="office.created").office
    assert office.slug == "office-x"
    client.post(
        reverse("offices:office_staff", kwargs={"office_pk": office.pk}), {"email": "agent@x.example"}
    )
    with scopes_disabled():
        invited = OfficeAuditEntry.objects.get(office=office, action="office.staff.invited")
        staff = Membership.objects.get(office=office).user
    assert invited.user == root and invited.data == {"email": "agent@x.example"}

    client.force_login(staff)
    form = {"commune": factories.foix().pk, "year": "2026", "category": "3", "rate": "1.00"}
    assert client.post(reverse("offices:tourist_tax_create"), form).status_code == 302
    from tarifs.models import TouristTaxRate

    with scopes_disabled():
        rate = TouristTaxRate.objects.get(office=office)
    form["rate"] = "1.20"
    assert (
        client.post(reverse("offices:tourist_tax_edit", kwargs={"rate_pk": rate.pk}), form).status_code == 302
    )
    assert client.post(reverse("offices:tourist_tax_delete", kwargs={"rate_pk": rate.pk})).status_code == 302
    with scopes_disabled():
        logged = list(OfficeAuditEntry.objects.filter(office=office).order_by("id"))
    assert [entry.action for entry in logged] == [
        "office.created",
        "office.staff.invited",
        "office.tourist_tax.rate_created",
        "office.tourist_tax.rate_changed",
        "office.tourist_tax.rate_deleted",
    ]
    assert logged[3].user == staff and logged[3].data["rate"] == "1.20"
    assert logged[3].data["commune_name"] == "Foix"

    page = client.get(reverse("offices:office_log")).content.decode()
    assert "Journal de l’office" in page
    assert "Taux de taxe de séjour modifié" in page and "Foix 2026" in page
    assert page.count('data-action="office.') == 5

    # Another office's staff see none of it; an owner cannot open it.
    other = factories.make_office("Office Y", slug="office-y")
    client.force_login(make_staff(other, "agent@y.example"))
    page = client.get(reverse("offices:office_log")).content.decode()
    assert "Foix 2026" not in page and 'data-action="office.' not in page
    client.force_login(factories.owner_of(factories.make_provider(office=office)))
    assert client.get(reverse("offices:office_log")).status_code == 404


def test_the_office_log_answers_in_a_constant_number_of_queries(client, django_assert_max_num_queries):
    office = factories.make_office("Office X", slug="office-x")
    staff = make_staff(office, "agent@x.example")
    client.force_login(staff)
    from comptes.audit import log_office_action

    with django_assert_max_num_queries(12):
        client.get(reverse("offices:office_log"))
    with scopes_disabled():
        for n in range(80):
            log_office_action(office, "office.staff.invited", user=staff, data={"email": f"{n}@x.example"})
            log_office_action(
                office, "office.tourist_tax.rate_created", user=staff, data={"rate": str(Decimal(n))}
            )
    with django_assert_max_num_queries(12):
        page = client.get(reverse("offices:office_log")).content.decode()
    assert page.count('data-action="office.') == 50
