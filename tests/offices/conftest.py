from __future__ import annotations

import pytest

from comptes.models import Membership
from tests import factories


def make_staff(office, email):
    user = factories.make_user(email)
    Membership.objects.create(user=user, office=office, role=Membership.Role.OFFICE_STAFF)
    return user


@pytest.fixture
def office(db):
    return factories.make_office("Ariège Pyrénées Tourisme", slug="ariege")


@pytest.fixture
def other_office(db):
    return factories.make_office("Autre office", slug="autre")


@pytest.fixture
def staff_client(client, office):
    client.force_login(make_staff(office, "staff@ariege.example"))
    return client
