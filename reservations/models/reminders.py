"""Payment reminders ("Mes relances"): one row per file, kind and due date, never two."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptes.models import OutgoingMail, Provider
from comptes.scoping import ScopedManager


class PaymentReminder(models.Model):
    """A deposit or balance payment that was due and not received: shown to the owner on the
    dashboard ("Mes relances") and, when the owner asks for it, e-mailed to the client once.

    Unique on (booking, kind, due date): the daily task may run any number of times, a reminder
    is created — and mailed — once per due date. Moving the due date makes a new reminder
    possible once the new date has passed.
    """

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        BALANCE = "balance", _("Balance")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey(
        "reservations.Booking", on_delete=models.CASCADE, related_name="payment_reminders"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount due"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(_("created on"), default=timezone.now)
    mail = models.ForeignKey(OutgoingMail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "kind", "due_date"], name="payment_reminder_unique_due_date"
            )
        ]
        indexes = [models.Index(fields=["provider", "kind", "due_date"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_date:%d/%m/%Y}"
