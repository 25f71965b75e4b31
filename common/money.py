"""Money: ``Decimal`` euros with two places, rounded half-up. Never a float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_money(value: Decimal | int) -> Decimal:
    """Round to the cent, half-up (the rule of every line of a quote, invoice or file)."""
    if isinstance(value, float):
        raise TypeError("Money must never be a float.")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal | int) -> Decimal:
    return round_money(Decimal(amount) * Decimal(percent) / Decimal(100))


def format_money(value: Decimal | int | None, language: str = "fr") -> str:
    """``1234.5`` → ``"1 234,50 €"`` in French (narrow no-break spaces), ``"€1,234.50"`` in English."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        raise TypeError("Money must never be a float.")
    amount = round_money(Decimal(value))
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    if language.startswith("en"):
        return f"{sign}€{','.join(groups)}.{cents}"
    return f"{sign}{chr(0xA0).join(groups)},{cents}\xa0€"


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_AMOUNT = re.compile(r"[+-]?\d+(\.\d+)?")


def parse_amount(text: str) -> Decimal:
    """An amount as owners type it — and as the app itself shows it: "1 100,00" (normal,
    no-break or narrow no-break spaces between thousands), "1100.00", "1100", "1100,5", "90 €",
    "−62,50". When both a comma and a dot are present, the last one is the decimal separator
    ("1.100,00", "1,100.00"). Raises ``ValueError`` for anything else."""
    value = _SPACES.sub("", str(text)).replace("€", "").replace("\u2212", "-")
    if "," in value and "." in value:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        head, _sep, tail = value.rpartition(decimal_mark)
        value = head.replace(thousands, "") + "." + tail
    elif value.count(",") == 1:
        value = value.replace(",", ".")
    if not _AMOUNT.fullmatch(value):
        raise ValueError(f"Not an amount: {text!r}")
    return Decimal(value)
