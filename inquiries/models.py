"""Calls and callers."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.languages import Language
from callcenter.phone_numbers import format_number, mask_number
from callcenter.workdays import operating_day, operating_day_window
from floor.selectors import shift_current

SUMMARY_MAX_LENGTH = 2000


class Caller(models.Model):
    """A citizen who contacted 120, keyed by the normalized phone number only."""

    number = models.CharField(_("phone number"), max_length=20, unique=True)
    first_contact_at = models.DateTimeField(_("first contact"), default=timezone.now)

    class Meta:
        verbose_name = _("caller")
        verbose_name_plural = _("callers")

    def __str__(self) -> str:
        return self.masked_number

    @property
    def masked_number(self) -> str:
        return mask_number(self.number)

    @property
    def formatted_number(self) -> str:
        return format_number(self.number)

    @property
    def subject(self) -> str:
        """How the access log names this person."""
        return f"caller:{self.number}"


class Call(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        INTERNET = "internet", _("Internet")
        VISIT = "visit", _("Walk-in visit")
        ONSITE = "onsite", _("On site")

    class Resolution(models.TextChoices):
        ANSWERED = "answered", _("Answered")
        REFERRED = "referred", _("Referred")
        TRANSFERRED = "transferred", _("Transferred")
        CALLBACK_NEEDED = "callback_needed", _("Callback needed")
        UNRESOLVED = "unresolved", _("Unresolved")

    class NumberStatus(models.TextChoices):
        KNOWN = "known", _("Number known")
        WITHHELD = "withheld", _("Number withheld")
        NONE = "none", _("No number")

    class Vulnerable(models.TextChoices):
        NONE = "", _("No")
        SENIOR = "senior", _("Senior")
        CHILD = "child", _("Child")
        DISABILITY = "disability", _("Disability")

    # No caller for a contact without a number (withheld, a walk-in, an internet
    # contact, a number the agent could not get): number_status says which.
    caller = models.ForeignKey(
        Caller, on_delete=models.PROTECT, related_name="calls", verbose_name=_("caller"), null=True, blank=True
    )
    number_status = models.CharField(
        _("caller's number"), max_length=10, choices=NumberStatus.choices, default=NumberStatus.KNOWN
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calls", verbose_name=_("agent")
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.KOREAN)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    category = models.ForeignKey(
        "knowledgebase.Category", on_delete=models.PROTECT, related_name="calls", verbose_name=_("category")
    )
    summary = models.TextField(_("summary"), validators=[MaxLengthValidator(SUMMARY_MAX_LENGTH)])
    notes = models.TextField(_("notes"), blank=True, validators=[MaxLengthValidator(10000)])
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=Resolution.choices, default=Resolution.ANSWERED
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (poor) to 5 (excellent)"),
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    vulnerable = models.CharField(
        _("vulnerable caller"), max_length=12, choices=Vulnerable.choices, blank=True, default=""
    )
    client_request_id = models.CharField(
        _("client request id"),
        max_length=64,
        null=True,
        blank=True,
        help_text=_("Sent by the client so a repeated request never logs the call twice (unique per agent)."),
    )
    # What the request that logged the call asked for (call_log's fingerprint):
    # a repeat of its client_request_id asking for something else is refused.
    request_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
    phone_call_id = models.CharField(
        _("phone-system call id"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("The id the phone system gave this call, when it came through the queue."),
    )
    faq_entries = models.ManyToManyField(
        "knowledgebase.FAQEntry",
        blank=True,
        related_name="calls",
        verbose_name=_("FAQ entries used"),
        help_text=_("Knowledge-base entries the agent used to answer this call."),
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [
            models.Index(fields=["agent", "-started_at"], name="call_agent_started"),
            models.Index(fields=["caller", "-started_at"], name="call_caller_started"),
            models.Index(fields=["category", "-started_at"], name="call_category_started"),
            # reports (reports/selectors.py): a month of logged calls grouped from the index alone
            models.Index(
                fields=["started_at", "agent", "category", "channel", "language", "resolution", "satisfaction", "id"],
                name="report_call_started",
            ),
        ]
        constraints = [
            # A known number has its caller; a withheld or missing one has none.
            models.CheckConstraint(
                condition=models.Q(number_status="known", caller__isnull=False)
                | (~models.Q(number_status="known") & models.Q(caller__isnull=True)),
                name="call_caller_matches_number_status",
            ),
            # An idempotency key is its sender's: another agent's same key logs another call.
            models.UniqueConstraint(fields=["agent", "client_request_id"], name="call_request_id_per_agent"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.masked_number} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def has_number(self) -> bool:
        return self.caller_id is not None

    @property
    def masked_number(self) -> str:
        """The number masked, or why there is none ("Number withheld", "No number")."""
        if self.caller_id is None:
            return str(self.get_number_status_display())
        return self.caller.masked_number

    @property
    def subject(self) -> str:
        """How the access log names the person: the caller, or the call itself without a number."""
        if self.caller_id is None:
            return f"call:{self.pk}"
        return self.caller.subject

    def clean(self) -> None:
        if self.ended_at and self.started_at and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": _("The call cannot end before it started.")})
        if self.summary is not None and not self.summary.strip():
            raise ValidationError({"summary": _("Write a short summary of the call.")})

    def correction_closes_at(self) -> datetime:
        """Until when the call's own agent may correct it: the end of the shift the
        call began in, or without one the end of its operating day (from
        OPERATING_DAY_STARTS, 08:00). Supervisors may correct it at any time."""
        current = shift_current(at=self.started_at)
        if current is not None:
            return current[2]
        return operating_day_window(operating_day(self.started_at))[1]

    @property
    def duration(self) -> timedelta | None:
        if self.ended_at is None:
            return None
        return self.ended_at - self.started_at

    @property
    def duration_text(self) -> str:
        """The length as minutes:seconds ("4:05"), or "" before the call ended."""
        if self.duration is None:
            return ""
        seconds = int(self.duration.total_seconds())
        return f"{seconds // 60}:{seconds % 60:02d}"


class CallEvent(models.Model):
    """The history of a call: who changed what, when, from what to what."""

    class Kind(models.TextChoices):
        CREATED = "created", _("logged")
        RESOLUTION = "resolution", _("resolution changed")
        CHANGED = "changed", _("details changed")

    # History is never deleted: a call with events cannot be deleted either.
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_value = models.CharField(max_length=64, blank=True)
    to_value = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("call event")
        verbose_name_plural = _("call events")

    def __str__(self) -> str:
        return f"{self.call_id} {self.kind} {self.from_value}→{self.to_value}"
