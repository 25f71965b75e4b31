"""Services of SUIVI DES RÉSERVATIONS, by sub-domain: ``bookings`` (files, stays, global
supplements, cancel, delete), ``payments``, ``prohibitions`` (sale prohibitions), ``reminders``
(payment reminders) and ``clients`` (the client file). Callers may import the package: it names the
public functions of each module."""

from reservations.services.bookings import (
    AlreadyDone,
    OwnerPrice,
    PriceProposal,
    booking_cancel,
    booking_confirm,
    booking_contract_received,
    booking_create,
    booking_delete,
    booking_lock,
    booking_refresh,
    booking_supplement_add,
    booking_supplement_delete,
    booking_update_client,
    booking_update_deposit,
    booking_update_note,
    booking_update_reminders,
    not_bookable_error,
    quote_for_owner,
    stay_price_proposal,
    stay_update,
    test_bookings_delete,
)
from reservations.services.payments import (
    OVERPAYMENT,
    payment_delete,
    payment_record,
    payment_update,
    refund_record,
)
from reservations.services.prohibitions import sale_prohibition_create, sale_prohibition_remove

__all__ = [
    "AlreadyDone",
    "OwnerPrice",
    "PriceProposal",
    "booking_cancel",
    "booking_confirm",
    "booking_contract_received",
    "booking_create",
    "booking_delete",
    "booking_lock",
    "booking_refresh",
    "booking_supplement_add",
    "booking_supplement_delete",
    "booking_update_client",
    "booking_update_deposit",
    "booking_update_note",
    "booking_update_reminders",
    "not_bookable_error",
    "payment_delete",
    "payment_record",
    "payment_update",
    "refund_record",
    "OVERPAYMENT",
    "quote_for_owner",
    "sale_prohibition_create",
    "sale_prohibition_remove",
    "stay_price_proposal",
    "stay_update",
    "test_bookings_delete",
]
