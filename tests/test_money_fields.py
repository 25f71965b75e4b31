"""Every amount field accepts what the app itself displays (issue #17, "Readable money"): one parser
(``common.money.parse_amount``, behind ``common.forms.MoneyField``) for "1 100,00" with a normal,
a no-break (U+00A0) or a narrow no-break (U+202F) space, "1100.00", "1100" and "1100,5"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from common.forms import MoneyField
from common.money import format_money, parse_amount
from comptes.scoping import provider_scope
from hebergements.models import Supplement
from reservations.models import Booking, Payment
from tests import factories

FORMATS = {
    "1 100,00": Decimal("1100.00"),  # normal space
    "1\u00a0100,00": Decimal("1100.00"),  # no-break space (what the app displays)
    "1\u202f100,00": Decimal("1100.00"),  # narrow no-break space (French typography)
    "1100.00": Decimal("1100.00"),
    "1100": Decimal("1100"),
    "1100,5": Decimal("1100.5"),
}


@pytest.mark.parametrize("text", list(FORMATS))
def test_the_parser_reads_each_format(text):
    assert parse_amount(text) == FORMATS[text]


def test_the_parser_reads_what_the_app_displays():
    for amount in (Decimal("1100.00"), Decimal("62.50"), Decimal("1234567.89"), Decimal("0.05")):
        assert parse_amount(format_money(amount)) == amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.100,00", "1100.00"), ("1,100.00", "1100.00"), ("−62,50", "-62.50"), (" 90 € ", "90")],
)
def test_the_parser_reads_the_other_usual_ways(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "1,1,1", "1.100.00", "12,", ",5", "1 1 0 0 , 0 0x", "--1"])
def test_the_parser_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_the_field_says_what_is_wrong():
    field = MoneyField(label="Montant")
    assert field.clean("1\u202f100,00") == Decimal("1100.00")
    with pytest.raises(Exception, match="nombre"):
        field.clean("douze")


ARRIVAL, DEPARTURE = date(2030, 7, 6), date(2030, 7, 13)


@pytest.mark.django_db
@pytest.mark.parametrize("text", list(FORMATS))
def test_a_payment_accepts_each_format(owner_client, provider, lodging, text):
    booking = factories.make_booking(lodging, ARRIVAL, DEPARTURE, price="2000.00")
    response = owner_client.post(
        reverse("reservations:payment_create", kwargs={"booking_pk": booking.pk}),
        {"date": "2030-06-01", "mode": "cheque", "amount": text, "note": ""},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    with provider_scope(provider):
        assert Payment.objects.get().amount == FORMATS[text]
        assert Booking.objects.get().paid_amount == FORMATS[text]


@pytest.mark.django_db
@pytest.mark.parametrize("text", list(FORMATS))
def test_a_supplement_price_accepts_each_format(owner_client, provider, lodging, text):
    response = owner_client.post(
        reverse("hebergements:supplement_create"),
        {
            "mandatory": "False",
            "label": "Ménage",
            "counts_toward_deposit": "False",
            "per_day": "False",
            "per_person": "False",
            "max_quantity": "1",
            "price": text,
            "lodgings": [lodging.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    with provider_scope(provider):
        assert Supplement.objects.get().price == FORMATS[text]
