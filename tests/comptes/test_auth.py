import re

import pytest
from django.core import mail
from django.urls import reverse

from comptes.models import User
from tests.factories import PASSWORD, make_provider

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_login_by_email_lands_on_dashboard(client, provider):
    response = client.post(LOGIN, {"login": "dupont.marie@test.com", "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == reverse("reservations:dashboard")
    assert "Meublé - 92750" in response.text


def test_login_is_case_insensitive_on_the_email(client, provider):
    response = client.post(LOGIN, {"login": "Dupont.Marie@TEST.com", "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_password_shows_an_error_and_logs_nobody_in(client, provider):
    response = client.post(LOGIN, {"login": "dupont.marie@test.com", "password": "wrong-password"})
    assert response.status_code == 200
    assert "le mot de passe sont incorrects" in response.text
    assert "_auth_user_id" not in client.session


def test_stay_signed_in_ticked_keeps_a_long_session(client, provider):
    client.post(LOGIN, {"login": "dupont.marie@test.com", "password": PASSWORD, "remember": "on"})
    assert client.session.get_expire_at_browser_close() is False
    assert client.session.get_expiry_age() >= 60 * 60 * 24 * 30 - 5


def test_stay_signed_in_unticked_ends_with_the_browser(client, provider):
    client.post(LOGIN, {"login": "dupont.marie@test.com", "password": PASSWORD})
    assert client.session.get_expire_at_browser_close() is True


def test_login_page_shows_the_manual_words(client, db):
    response = client.get(LOGIN)
    assert "Rester connecté" in response.text
    assert "Mot de passe" in response.text


def test_logout_is_a_post(owner_client):
    assert owner_client.get(reverse("reservations:dashboard")).status_code == 200
    owner_client.post("/accounts/logout/")
    response = owner_client.get(reverse("reservations:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_login_is_rate_limited_after_repeated_failures(client, provider):
    for _ in range(5):
        client.post(LOGIN, {"login": "dupont.marie@test.com", "password": "nope"})
    response = client.post(LOGIN, {"login": "dupont.marie@test.com", "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, provider):
    response = client.post("/accounts/password/reset/", {"email": "dupont.marie@test.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(
        form_url, {"password1": "a-new-long-password-42", "password2": "a-new-long-password-42"}
    )
    assert response.status_code == 302
    assert User.objects.get(email="dupont.marie@test.com").check_password("a-new-long-password-42")


def test_password_reset_for_an_unknown_address_reveals_nothing(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) <= 1  # allauth may send an "unknown account" notice, never a reset link
    assert all("/password/reset/key/" not in message.body for message in mail.outbox)


def test_public_signup_is_closed(client, db):
    response = client.post(
        "/accounts/signup/",
        {"email": "x@example.com", "password1": "abcdefgh123!", "password2": "abcdefgh123!"},
    )
    assert not User.objects.filter(email="x@example.com").exists()
    assert response.status_code == 200


class TestCredentials:
    url = reverse("comptes:credentials")

    def test_change_email_needs_the_current_password(self, owner_client, provider):
        response = owner_client.post(
            self.url,
            {"change_email": "1", "email-current_password": "wrong", "email-new_email": "new@example.com"},
        )
        assert response.status_code == 200
        assert (
            "mot de passe actuel n’est pas correct" in response.text or "mot de passe actuel" in response.text
        )
        assert not User.objects.filter(email="new@example.com").exists()

    def test_change_email(self, owner_client, provider):
        response = owner_client.post(
            self.url,
            {"change_email": "1", "email-current_password": PASSWORD, "email-new_email": "New@Example.com"},
        )
        assert response.status_code == 302
        assert User.objects.filter(email="new@example.com").exists()
        owner_client.logout()
        assert owner_client.post(LOGIN, {"login": "new@example.com", "password": PASSWORD}).status_code == 302

    def test_change_email_refuses_an_address_already_used(self, owner_client, provider, other_provider):
        response = owner_client.post(
            self.url,
            {"change_email": "1", "email-current_password": PASSWORD, "email-new_email": "autre@example.com"},
        )
        assert response.status_code == 200
        assert User.objects.filter(email="dupont.marie@test.com").exists()

    def test_change_password_needs_the_current_password(self, owner_client, provider):
        data = {
            "change_password": "1",
            "password-current_password": "wrong",
            "password-new_password1": "another-long-pass-77",
            "password-new_password2": "another-long-pass-77",
        }
        response = owner_client.post(self.url, data)
        assert response.status_code == 200
        assert User.objects.get(email="dupont.marie@test.com").check_password(PASSWORD)

    def test_change_password_checks_the_confirmation_and_strength(self, owner_client, provider):
        data = {
            "change_password": "1",
            "password-current_password": PASSWORD,
            "password-new_password1": "another-long-pass-77",
            "password-new_password2": "different-pass-77",
        }
        assert owner_client.post(self.url, data).status_code == 200
        data["password-new_password1"] = data["password-new_password2"] = "1234"
        assert owner_client.post(self.url, data).status_code == 200
        assert User.objects.get(email="dupont.marie@test.com").check_password(PASSWORD)

    def test_change_password_keeps_the_session(self, owner_client, provider):
        data = {
            "change_password": "1",
            "password-current_password": PASSWORD,
            "password-new_password1": "another-long-pass-77",
            "password-new_password2": "another-long-pass-77",
        }
        assert owner_client.post(self.url, data).status_code == 302
        assert User.objects.get(email="dupont.marie@test.com").check_password("another-long-pass-77")
        assert owner_client.get(reverse("reservations:dashboard")).status_code == 200


def test_office_staff_lands_on_the_office_space(client, db):
    from comptes.models import Membership
    from tests.factories import make_office, make_user

    office = make_office()
    make_provider(office=office, last_name="Dupont")
    staff = make_user("staff@office.example")
    Membership.objects.create(user=staff, office=office, role=Membership.Role.OFFICE_STAFF)
    client.force_login(staff)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("offices:home")
    assert "Dupont" in response.text
    # Staff has no provider back office.
    assert client.get(reverse("reservations:dashboard")).status_code == 404
