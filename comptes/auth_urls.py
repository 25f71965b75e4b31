"""The allauth pages the product uses: log in, log out, password reset.

Changing the e-mail or the password happens on "Identifiants de connexion" (which asks for the
current password); allauth's own management pages redirect there, and public sign-up is closed.
"""

from allauth.account import views as allauth_views
from django.urls import path, re_path, reverse_lazy
from django.views.generic import RedirectView

credentials = RedirectView.as_view(url=reverse_lazy("comptes:credentials"))

urlpatterns = [
    path("login/", allauth_views.login, name="account_login"),
    path("logout/", allauth_views.logout, name="account_logout"),
    path("inactive/", allauth_views.account_inactive, name="account_inactive"),
    path("signup/", allauth_views.signup, name="account_signup"),
    path("password/reset/", allauth_views.password_reset, name="account_reset_password"),
    path("password/reset/done/", allauth_views.password_reset_done, name="account_reset_password_done"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        allauth_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/key/done/",
        allauth_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    path("email/", credentials, name="account_email"),
    path("password/change/", credentials, name="account_change_password"),
    path("password/set/", credentials, name="account_set_password"),
]
