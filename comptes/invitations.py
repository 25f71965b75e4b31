"""Invitation links: the owner (or office staff member) created from the staff space sets their
password through a link mailed to them.

The token is the user's id and a digest of their password hash and invitation time, signed with a
timestamp (``django.core.signing``). It is **single-use** (setting the password changes the hash),
**expiring** (``INVITATION_MAX_AGE``, 7 days by default), and a new invitation ("Renvoyer
l'invitation") voids the previous links (it changes the invitation time).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from comptes.models import User

SALT = "openpro.invitation"


def max_age() -> timedelta:
    return getattr(settings, "INVITATION_MAX_AGE", timedelta(days=7))


def _digest(user: User) -> str:
    invited = user.invited_at.isoformat() if user.invited_at else ""
    return salted_hmac(SALT, f"{user.pk}|{user.password}|{invited}|{user.is_active}").hexdigest()[:32]


def invitation_token(user: User) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{user.pk}.{_digest(user)}")


def invitation_path(user: User) -> str:
    return reverse("comptes:invitation", kwargs={"token": invitation_token(user)})


def invitation_url(user: User) -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") + invitation_path(user)


def invitation_user(token: str) -> User | None:
    """The user a valid token invites, or ``None`` (tampered, expired, already used, replaced)."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age())
    except signing.BadSignature:
        return None
    pk, _dot, digest = value.partition(".")
    if not pk.isdigit():
        return None
    user = User.objects.filter(pk=int(pk), is_active=True).first()
    if user is None or not constant_time_compare(digest, _digest(user)):
        return None
    return user
