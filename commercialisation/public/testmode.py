"""Test mode of a provider's booking site ("Tests de réservation").

While a provider is in test status its booking site answers 404 to the public; the owner reaches
it through a signed link from "Tests de réservation" (``/<lang>/site/<number>/essai/<token>/``).
The token is the provider's number signed with a timestamp (``django.core.signing``): it cannot be
made for another provider, and it expires. A journey started with it carries the test flag in its
draft, so the file it makes is a test file (its own number series, counted nowhere, mails to the
owner only).
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

from comptes.models import Provider

SALT = "openpro.booking-test"
LIFETIME = timedelta(days=7)


def sign_test_link(provider: Provider) -> str:
    """A fresh signed token for the provider's test site."""
    return signing.TimestampSigner(salt=SALT).sign(str(provider.number))


def is_valid_test_link(token: str, provider: Provider) -> bool:
    """Whether ``token`` was signed for this provider and is not expired."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=LIFETIME)
    except signing.BadSignature:
        return False
    return value == str(provider.number)
