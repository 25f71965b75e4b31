"""Money: ``Decimal`` euros with two places, rounded half-up. Never a float."""

from __future__ import annotations

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
