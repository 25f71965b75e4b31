"""Words for the file's history: one sentence per audit entry (``comptes.audit``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.masking import masked
from common.money import format_money
from comptes.models import AuditEntry
from reservations.models import BookingStatus, PaymentMode


def _day(value: str) -> str:
    try:
        return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except (TypeError, ValueError):
        return value or "—"


def _money(value) -> str:
    try:
        return format_money(Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def _status(value: str) -> str:
    return str(BookingStatus(value).label) if value in BookingStatus.values else value


def _payment(data: dict, *, refund: bool = False) -> str:
    mode = str(PaymentMode(data["mode"]).label) if data.get("mode") in PaymentMode.values else ""
    amount = _money(str(abs(Decimal(str(data.get("amount") or 0))))) if refund else _money(data.get("amount"))
    text = f"{amount} — {mode} — {_day(data.get('date', ''))}"
    if data.get("reference"):
        text += " — " + _("ref. %(reference)s") % {"reference": masked(data["reference"])}
    return text


def _mail_document(data: dict) -> str:
    """The mail's name in the history: the document it carries ("Contrat"), else its subject."""
    names = {
        "booking.option": _("Booking proposal"),
        "booking.contract": _("Contract"),
        "booking.notification": _("Booking confirmation"),
        "booking.owner_notification": _("Notification to the owner"),
        "booking.reminder.deposit": _("Deposit reminder"),
        "booking.reminder.balance": _("Balance reminder"),
    }
    return str(names.get(data.get("kind", ""), data.get("subject") or _("mail")))


MAIL_SENTENCES = {
    "mail.queued": gettext_lazy("Mail “%(document)s” to %(to)s queued for sending"),
    "mail.sent": gettext_lazy("Mail “%(document)s” sent to %(to)s"),
    "mail.resent": gettext_lazy("Mail “%(document)s” sent again to %(to)s"),
    "mail.failed": gettext_lazy("Mail “%(document)s” to %(to)s could not be sent: %(error)s"),
    "mail.attempt_failed": gettext_lazy(
        "Mail “%(document)s” to %(to)s: attempt %(attempt)s failed (%(error)s), it will be tried again"
    ),
    "mail.attempt_interrupted": gettext_lazy(
        "Mail “%(document)s” to %(to)s: attempt %(attempt)s interrupted, it will be tried again"
    ),
}


def _mail(action: str, data: dict) -> str:
    return str(MAIL_SENTENCES[action]) % {
        "document": _mail_document(data),
        "to": ", ".join(data.get("to") or []) or "—",
        "error": data.get("error") or "—",
        "attempt": data.get("attempt") or 1,
    }


def describe(entry: AuditEntry) -> str:
    """ "Règlement ajouté : 62,50 € — Chèque — 11/04/2019"."""
    data = entry.data or {}
    action = entry.action
    if action == "booking.created":
        return _("File created: %(lodging)s from %(arrival)s to %(departure)s, total %(total)s") % {
            "lodging": data.get("lodging", ""),
            "arrival": _day(data.get("arrival", "")),
            "departure": _day(data.get("departure", "")),
            "total": _money(data.get("total", "0")),
        }
    if action == "booking.status.changed":
        return _("Status: %(from)s → %(to)s") % {
            "from": _status(data.get("from")),
            "to": _status(data.get("to")),
        }
    if action == "booking.payment.added":
        return _("Payment added: %(payment)s") % {"payment": _payment(data)}
    if action == "booking.payment.changed":
        return _("Payment changed: %(before)s → %(after)s") % {
            "before": _payment(data.get("from", {})),
            "after": _payment(data.get("to", {})),
        }
    if action == "booking.payment.deleted":
        amount = Decimal(str(data.get("amount") or 0))
        if amount < 0:
            return _("Refund deleted: %(payment)s") % {"payment": _payment(data, refund=True)}
        return _("Payment deleted: %(payment)s") % {"payment": _payment(data)}
    if action == "booking.refund.added":
        return _("Refund recorded: %(payment)s") % {"payment": _payment(data, refund=True)}
    if action in MAIL_SENTENCES:
        return _mail(action, data)
    if action in ("booking.supplement.added", "booking.supplement.deleted"):
        text = _("Global supplement added: %(label)s (%(amount)s)")
        if action.endswith("deleted"):
            text = _("Global supplement deleted: %(label)s (%(amount)s)")
        return text % {"label": data.get("label", ""), "amount": _money(data.get("amount", "0"))}
    if action == "booking.deposit.changed":
        before, after = data.get("from", {}), data.get("to", {})
        return _("Deposit changed: %(before)s %% → %(after)s %%") % {
            "before": formats.number_format(Decimal(before.get("percent", "0")), 2),
            "after": formats.number_format(Decimal(after.get("percent", "0")), 2),
        }
    if action == "booking.stay.changed":
        after = data.get("to", {})
        return _("Stay changed: %(lodging)s from %(arrival)s to %(departure)s, price %(price)s") % {
            "lodging": data.get("lodging", ""),
            "arrival": _day(after.get("arrival", "")),
            "departure": _day(after.get("departure", "")),
            "price": _money(after.get("price", "0")),
        }
    if action in ("booking.price.manual", "booking.price.platform"):
        price = Decimal(data.get("price") or "0") - Decimal(data.get("discount") or "0")
        values = {"lodging": data.get("lodging", ""), "price": _money(price)}
        if action == "booking.price.platform":
            return _("Platform’s amount for %(lodging)s: %(price)s") % values
        if data.get("grid_price"):
            grid = Decimal(data["grid_price"]) - Decimal(data.get("grid_discount") or "0")
            return _("Price typed by hand for %(lodging)s: %(price)s (grid: %(grid)s)") % {
                **values,
                "grid": _money(grid),
            }
        return _("Price typed by hand for %(lodging)s: %(price)s (no grid price)") % values
    if action == "booking.ical.created":
        return _("File made from the %(platform)s reservation of %(arrival)s to %(departure)s") % {
            "platform": data.get("platform", ""),
            "arrival": _day(data.get("arrival", "")),
            "departure": _day(data.get("departure", "")),
        }
    if action == "booking.formula.changed":
        return _("Formula: %(from)s → %(to)s") % {
            "from": data.get("from") or "—",
            "to": data.get("to") or "—",
        }
    if action in ("booking.companion.added", "booking.companion.deleted"):
        text = _("Accompanying guest added: %(name)s")
        if action.endswith("deleted"):
            text = _("Accompanying guest deleted: %(name)s")
        name = data.get("name", "")
        if data.get("age") is not None:
            name = _("%(name)s, %(age)s years old") % {"name": name, "age": data["age"]}
        return text % {"name": name}
    simple = {
        "booking.confirmed": _("Status set to confirmed by hand"),
        "booking.contract.received": _("Signed contract received"),
        "booking.reminders.changed": _("Reminder dates changed"),
        "booking.note.changed": _("Note changed"),
        "booking.internal_note.changed": _("Internal note changed"),
        "booking.client.changed": _("Client’s details changed"),
        "booking.cancelled": _("File cancelled"),
        "booking.deleted": _("File deleted"),
    }
    return simple.get(action, action)
