"""The file's history speaks in sentences, never in codes (issue #17, "Words"): "mail.sent" becomes
"Mail « Contrat » envoyé à …", a refund and a transaction reference are said as such."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from comptes.mailing import mail_queue
from comptes.scoping import provider_scope
from tests import factories

pytestmark = pytest.mark.django_db


def history_lines(html: str) -> list[str]:
    block = re.search(r'<ul class="history">(.*?)</ul>', html, re.S).group(1)
    items = [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", block, re.S)]
    # The sentence, without its time (before) nor who did it (after).
    return [re.sub(r"\s*\([^()]*@[^()]*\)$", "", item.split("— ", 1)[1].strip()) for item in items]


def test_the_history_of_a_file_is_made_of_sentences(
    owner_client, provider, lodging, django_capture_on_commit_callbacks
):
    booking = factories.make_booking(lodging, date(2030, 7, 6), date(2030, 7, 13), price="350.00")
    owner_client.post(
        reverse("reservations:payment_create", kwargs={"booking_pk": booking.pk}),
        {"date": "2030-06-01", "mode": "virement", "amount": "100,00", "reference": "VIR-118", "note": ""},
    )
    owner_client.post(
        reverse("reservations:refund_create", kwargs={"booking_pk": booking.pk}),
        {"date": "2030-06-02", "mode": "virement", "amount": "20,00", "reference": "", "note": ""},
    )
    with django_capture_on_commit_callbacks(execute=True), provider_scope(provider):
        mail_queue(
            provider=provider,
            kind="booking.contract",
            to=["marie.dupont@gmail.com"],
            subject="Votre contrat",
            text="Bonjour",
            html="<p>Bonjour</p>",
            related=booking,
        )
    html = owner_client.get(reverse("reservations:booking_detail", kwargs={"booking_pk": booking.pk})).text
    lines = history_lines(html)
    assert lines[0] == "Mail « Contrat » envoyé à marie.dupont@gmail.com"
    assert lines[1] == "Mail « Contrat » à marie.dupont@gmail.com mis en file d’envoi"
    assert "Remboursement enregistré : 20,00\xa0€ — Virement — 02/06/2030" in lines
    assert "Règlement ajouté : 100,00\xa0€ — Virement — 01/06/2030 — réf. VIR-118" in lines
    assert not [line for line in lines if re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", line)]
