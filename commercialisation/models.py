"""COMMERCIALISATION: marketplace and widgets, booking tests, iCal synchronisation.

iCal synchronisation keeps three tables:

* ``IcalExport`` — the secret token of a lodging's public calendar (its unavailable dates);
* ``IcalFeed`` — a calendar of another platform the lodging subscribes to, with its sync state;
* ``ImportedBlock`` — what a feed blocks on the planning. Imported blocks live outside
  ``reservations.Stay`` and its exclusion constraint on purpose: a platform's reservation that
  overlaps a booking file is kept and shown as a conflict instead of being refused or dropped.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from commercialisation.ical import feed_error_message
from common.colors import validate_widget_color
from comptes.models import Provider
from comptes.scoping import ScopedManager
from hebergements.models import Lodging
from reservations.models import BookingStatus

# A feed failing this many times in a row is flagged to the owner (page and one e-mail).
FAILURES_BEFORE_FLAG = 3
# "Synchronising…" is shown (and the page polls) at most this long after a request.
PENDING_FOR_AT_MOST = timedelta(minutes=5)
# What the last successful synchronisation found about a feed's content (``last_result["notice"]``).
NOTICE_EMPTY = "empty"  # the calendar has no event at all
NOTICE_OUTSIDE_WINDOW = "outside_window"  # it has events, none of them in the synchronised period


class Platform(models.TextChoices):
    AIRBNB = "airbnb", "Airbnb"
    BOOKING = "booking", "Booking.com"
    ABRITEL = "abritel", "Abritel / VRBO"
    GITES_DE_FRANCE = "gites_de_france", "Gîtes de France"
    GOOGLE = "google", _("Google Calendar")
    OTHER = "other", _("Other platform")


class IcalExport(models.Model):
    """The secret address of a lodging's calendar. Regenerating the token kills the old address."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    lodging = models.OneToOneField(Lodging, on_delete=models.CASCADE, related_name="ical_export")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    token_changed_at = models.DateTimeField(auto_now_add=True)
    # What the calendar shows, as a number: bumped (``services.export_touch``) in the transaction of
    # every change of what the feed shows (files, sale prohibitions, re-exported imported
    # reservations, the lodging's name or units, the token). ETag and Last-Modified derive from it,
    # so a conditional request is one indexed lookup by token; rendered bodies are cached by it.
    version = models.PositiveBigIntegerField(default=1, editable=False)
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("iCal export")
        verbose_name_plural = _("iCal exports")

    def __str__(self) -> str:
        return f"{self.lodging} export"


def _outside_window_note(result: dict) -> str:
    try:
        start = date_format(date.fromisoformat(result["window_start"]), "SHORT_DATE_FORMAT")
        end = date_format(date.fromisoformat(result["window_end"]), "SHORT_DATE_FORMAT")
    except (KeyError, TypeError, ValueError):
        return gettext("The calendar contains no event in the synchronised period.")
    text = gettext("The calendar contains no event in the synchronised period (from %(start)s to %(end)s).")
    return text % {"start": start, "end": end}


class IcalFeed(models.Model):
    """A calendar of another platform (Airbnb, Booking.com…) imported into one lodging."""

    class State(models.TextChoices):
        NEW = "new", _("Never synchronised")
        PENDING = "pending", _("Synchronising…")
        OK = "ok", _("Up to date")
        ERROR = "error", _("Error")
        FAILING = "failing", _("Failing repeatedly")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    lodging = models.ForeignKey(
        Lodging, verbose_name=_("lodging"), on_delete=models.CASCADE, related_name="ical_feeds"
    )
    name = models.CharField(_("name"), max_length=100)
    platform = models.CharField(
        _("platform"), max_length=20, choices=Platform.choices, default=Platform.OTHER
    )
    url = models.CharField(_("calendar address (iCal)"), max_length=2000)
    reexport = models.BooleanField(
        _("send its reservations to the other platforms"),
        default=True,
        help_text=_(
            "Its reservations are included in the calendar exported to the other platforms, "
            "never in the one given back to this platform."
        ),
    )

    # Conditional requests and "do not re-parse an unchanged feed".
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    # Schedule and state.
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    sync_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True, editable=False)
    last_error_code = models.CharField(max_length=40, blank=True, editable=False)
    last_error_detail = models.CharField(max_length=500, blank=True, editable=False)
    last_error_status = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    failure_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_result = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("iCal feed")
        verbose_name_plural = _("iCal feeds")
        ordering = ["lodging_id", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["provider", "url"], name="ical_feed_unique_url")]

    def __str__(self) -> str:
        return self.name

    @property
    def state(self) -> str:
        if (
            self.sync_requested_at
            and (self.last_attempt_at is None or self.last_attempt_at < self.sync_requested_at)
            and timezone.now() - self.sync_requested_at < PENDING_FOR_AT_MOST
        ):
            return self.State.PENDING
        if self.last_attempt_at is None:
            return self.State.NEW
        if self.last_error_code:
            if self.consecutive_failures >= FAILURES_BEFORE_FLAG:
                return self.State.FAILING
            return self.State.ERROR
        return self.State.OK

    @property
    def state_label(self) -> str:
        return self.State(self.state).label

    @property
    def error_message(self) -> str:
        if not self.last_error_code:
            return ""
        return feed_error_message(self.last_error_code, status=self.last_error_status or "?")

    @property
    def result_notes(self) -> list[str]:
        """What the owner should know about the content the last successful synchronisation read."""
        result = self.last_result or {}
        notes = []
        notice = result.get("notice")
        if notice == NOTICE_EMPTY:
            notes.append(gettext("The calendar contains no event."))
        elif notice == NOTICE_OUTSIDE_WINDOW:
            notes.append(_outside_window_note(result))
        skipped = int(result.get("skipped") or 0)
        if skipped:
            notes.append(
                ngettext(
                    "%(n)s event ignored: it could not be read or is not supported.",
                    "%(n)s events ignored: they could not be read or are not supported.",
                    skipped,
                )
                % {"n": skipped}
            )
        return notes

    @property
    def is_flagged(self) -> bool:
        return self.consecutive_failures >= FAILURES_BEFORE_FLAG


class ImportedBlock(models.Model):
    """Nights a feed blocks on the planning: a platform's reservation, or an availability block."""

    class Kind(models.TextChoices):
        RESERVATION = "reservation", _("Reservation")
        UNAVAILABLE = "unavailable", _("Unavailable")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    lodging = models.ForeignKey(Lodging, on_delete=models.CASCADE, related_name="imported_blocks")
    feed = models.ForeignKey(IcalFeed, on_delete=models.CASCADE, related_name="blocks")
    uid = models.CharField(max_length=255)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RESERVATION)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    tentative = models.BooleanField(default=False)
    arrival = models.DateField(_("arrival"))
    departure = models.DateField(_("departure"))
    # Written by ``services.conflicts_refresh`` when a sync or a booking changes them (never computed
    # when a page is shown): a platform's reservation that overbooks the lodging with a file.
    in_conflict = models.BooleanField(default=False, editable=False)
    conflict_booking = models.ForeignKey(
        "reservations.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conflict_notified_at = models.DateTimeField(null=True, blank=True)
    # "Créer le dossier": the booking file made from this platform's reservation. While that file is
    # active, the file takes the nights (the block no longer counts, nor shows, nor clashes).
    booking = models.ForeignKey(
        "reservations.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("imported block")
        verbose_name_plural = _("imported blocks")
        ordering = ["arrival", "id"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "uid"], name="imported_block_unique_uid"),
            models.CheckConstraint(
                name="imported_block_departure_after_arrival", condition=Q(departure__gt=F("arrival"))
            ),
        ]
        indexes = [
            models.Index(fields=["lodging", "arrival"]),
            models.Index(fields=["provider", "departure"]),
            models.Index(
                fields=["provider", "departure"],
                condition=Q(in_conflict=True),
                name="imported_block_conflicts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.summary} {self.arrival:%d/%m/%Y}→{self.departure:%d/%m/%Y}"

    @property
    def nights(self) -> int:
        return (self.departure - self.arrival).days


def linkable_blocks() -> Q:
    """Imported blocks without an active booking file made from them: not made into one, or made
    into one that was cancelled since (the platform's reservation is still there)."""
    return Q(booking__isnull=True) | Q(booking__status=BookingStatus.CANCELLED)


def moved_blocks() -> Q:
    """Blocks made into a file whose dates the platform has moved since (a sync rewrote them): the
    file no longer covers them."""
    return (
        Q(booking__isnull=False)
        & ~Q(booking__status=BookingStatus.CANCELLED)
        & ~Q(booking__first_arrival=F("arrival"), booking__last_departure=F("departure"))
    )


def unlinked_blocks() -> Q:
    """Imported blocks that take their nights themselves: those without an active file, and those
    whose dates the platform moved away from their file's — until the owner moves the file too,
    the new nights are not sold twice (and the owner is told: ``planning.moved_reservations``)."""
    return linkable_blocks() | moved_blocks()


def _draft_token() -> str:
    return secrets.token_urlsafe(24)


class BookingDraft(models.Model):
    """A guest's booking journey in progress, kept on the server and keyed by an unguessable token
    in the URL — never in a cookie, so the journey works inside a cross-site iframe that may not
    store any. It holds what the guest chose, never a price: every step quotes the stay again with
    the price engine. ``seen_total`` is the total the guest was last shown, so a change (a price or
    a promotion that ended) is shown before the guest confirms."""

    class Step(models.TextChoices):
        STAY = "stay", _("Stay")
        OPTIONS = "options", _("Options")
        DETAILS = "details", _("Your details")
        SUMMARY = "summary", _("Summary")
        DONE = "done", _("Pre-booking sent")

    token = models.CharField(max_length=40, unique=True, default=_draft_token, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="booking_drafts")
    # The channel the guest came through: an office's marketplace, or the provider's own site.
    office = models.ForeignKey(
        "comptes.Office", null=True, blank=True, on_delete=models.CASCADE, related_name="booking_drafts"
    )
    lodging = models.ForeignKey(Lodging, on_delete=models.CASCADE, related_name="booking_drafts")
    arrival = models.DateField()
    nights = models.PositiveSmallIntegerField()
    occupants = models.JSONField(default=dict, blank=True)  # {age bracket id: count}
    supplements = models.JSONField(default=dict, blank=True)  # {optional supplement id: quantity}
    promo_code = models.CharField(max_length=30, blank=True)
    client_data = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=5, default="fr")
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.STAY)
    seen_total = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    booking = models.ForeignKey(
        "reservations.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Opened from a widget on another site (the file's origin is then "widget"): the steps keep the
    # widget's compact layout and colour (``rrggbb``, empty for the default colours).
    widget = models.BooleanField(default=False)
    color = models.CharField(max_length=6, blank=True, validators=[validate_widget_color])
    #: Started from the signed link of "Tests de réservation": the file it makes is a test file.
    is_test = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(provider="provider")

    class Meta:
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.lodging_id} {self.arrival} +{self.nights}"

    @property
    def departure(self) -> date:
        return self.arrival + timedelta(days=self.nights)


class ProductionRequest(models.Model):
    """ "Demander le passage en production": an owner asks the office to open their lodgings to
    guests. The office's staff (or, for a provider with no office, the administrators) approve or
    refuse it in their queue (``commercialisation.production``); who decided, when, and whether the
    checklist was complete then are kept."""

    class State(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("production request", "Requested")
        APPROVED = "approved", pgettext_lazy("production request", "Approved")
        REFUSED = "refused", pgettext_lazy("production request", "Refused")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="production_requests")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_at = models.DateTimeField(_("requested on"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    #: Approved although the checklist was incomplete (the decider confirmed it).
    checklist_incomplete = models.BooleanField(_("checklist incomplete when decided"), default=False)

    objects = ScopedManager(provider="provider")

    class Meta:
        verbose_name = _("production request")
        verbose_name_plural = _("production requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider"],
                condition=models.Q(state="requested"),
                name="production_request_one_pending_per_provider",
            ),
            models.CheckConstraint(
                name="production_request_decided_has_date",
                condition=models.Q(state="requested") | models.Q(decided_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} — {self.get_state_display()}"
