"""Models of SUIVI DES RÉSERVATIONS: booking files, stays and sale prohibitions (``bookings``),
payment reminders (``reminders``)."""

from reservations.models.bookings import (
    Booking,
    BookingOrigin,
    BookingStatus,
    BookingSupplement,
    Client,
    Companion,
    DateRange,
    Formula,
    Payment,
    PaymentMode,
    PriceSource,
    SaleProhibition,
    Stay,
    StayLine,
    StayOccupant,
    stay_period,
)
from reservations.models.reminders import PaymentReminder

__all__ = [
    "Booking",
    "BookingOrigin",
    "BookingStatus",
    "BookingSupplement",
    "Client",
    "Companion",
    "DateRange",
    "Formula",
    "Payment",
    "PaymentMode",
    "PaymentReminder",
    "PriceSource",
    "SaleProhibition",
    "Stay",
    "StayLine",
    "StayOccupant",
    "stay_period",
]
