"""Services directory, referrals and their life cycle, follow-ups, Open311 API keys.

A referral hands a case to a service (a department, a partner desk, an
emergency line). It points at the call it came from; a citizen's request
through Open311 has no call and says so in `source` (referrals -> inquiries is
the only import direction).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from callcenter.phone_numbers import format_number, mask_number

REASON_MAX_LENGTH = 4000  # the Open311 description limit; one limit for both doors
PHONE_TEXT_MAX_LENGTH = 60


def _mask_free_text(text: str) -> str:
    """A phone number as typed, with every digit but the last four hidden."""
    digits = sum(char.isdigit() for char in text)
    hidden = max(digits - 4, 0)
    masked = []
    for char in text:
        if char.isdigit() and hidden:
            masked.append("*")
            hidden -= 1
        else:
            masked.append(char)
    return "".join(masked)


def _localized(ko: str, en: str) -> str:
    if (get_language() or "ko").startswith("en") and en:
        return en
    return ko


class Service(models.Model):
    """A place a case can be handed to. Admins keep the directory."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("City department")
        PARTNER = "partner", _("Partner desk")
        EMERGENCY = "emergency", _("Emergency")

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DEPARTMENT)
    description_ko = models.TextField(_("description (Korean)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True, help_text=_("Phone, address or e-mail."))
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    languages = models.CharField(
        _("languages"), max_length=40, default="ko", help_text=_("Language codes, comma separated (ko,en,zh,ja).")
    )
    accept_within = models.DurationField(
        _("must accept within"),
        default=timedelta(days=1),
        help_text=_("Whole days count working days (Monday to Friday, not public holidays); e.g. 1 day 00:00:00."),
    )
    urgent_accept_within = models.DurationField(_("must accept urgent cases within"), default=timedelta(minutes=30))
    is_active = models.BooleanField(_("offered for referrals"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="referral_services",
        verbose_name=_("partner desk users"),
        help_text=_("Users in the partner group who work this service's referrals."),
    )
    # Open311 GeoReport v2 publication
    open311_published = models.BooleanField(_("published on Open311"), default=False)
    service_code = models.CharField(_("Open311 service code"), max_length=40, unique=True, null=True, blank=True)
    keywords = models.CharField(_("Open311 keywords"), max_length=200, blank=True)
    group = models.CharField(_("Open311 group"), max_length=80, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    # Open311's discovery `changeset`: the directory's last change
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.open311_published and not self.service_code:
            raise ValidationError({"service_code": _("A service published on Open311 needs a service code.")})
        if self.service_code == "":
            self.service_code = None

    @property
    def name(self) -> str:
        return _localized(self.name_ko, self.name_en)

    @property
    def description(self) -> str:
        return _localized(self.description_ko, self.description_en)

    @property
    def is_emergency(self) -> bool:
        """112, 119 and the like: a referral to them is a warm transfer, done at once."""
        return self.kind == self.Kind.EMERGENCY

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    # An emergency service's referral: the agent put the caller through (warm
    # transfer) and the case is the service's now. Made so, never reached by a move.
    TRANSFERRED = "transferred", _("Transferred")


OPEN_STATUSES = (Status.NEW, Status.ACCEPTED, Status.SCHEDULED)

# THE transition table of a referral: the only place that says what may follow what.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.ACCEPTED, Status.DECLINED, Status.CANCELLED}),
    Status.ACCEPTED: frozenset({Status.SCHEDULED, Status.DECLINED, Status.CANCELLED}),
    Status.SCHEDULED: frozenset({Status.COMPLETED, Status.CANCELLED}),
    Status.COMPLETED: frozenset(),
    Status.DECLINED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.TRANSFERRED: frozenset(),
}

# The field a transition cannot go without.
REQUIRED_FOR: dict[str, str] = {
    Status.SCHEDULED: "scheduled_for",
    Status.COMPLETED: "outcome",
    Status.DECLINED: "reason",
}


class Referral(models.Model):
    class Source(models.TextChoices):
        CALL = "call", _("Call")
        OPEN311 = "open311", _("Open311 (internet)")

    class Priority(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.CALL)
    call = models.ForeignKey(
        "inquiries.Call",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("call"),
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("service"))
    reason = models.TextField(_("reason"), validators=[MaxLengthValidator(REASON_MAX_LENGTH)])
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    vulnerable = models.BooleanField(
        _("vulnerable caller"), default=False, help_text=_("A senior, a child or a person with a disability.")
    )
    # Contact details shared with the service (the caller's number for a call).
    contact_number = models.CharField(_("contact number"), max_length=20, blank=True)
    # Open311's `phone` is free text: what the citizen typed, when it is not a number we can normalize.
    contact_phone_text = models.CharField(_("contact phone (as given)"), max_length=PHONE_TEXT_MAX_LENGTH, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    consent = models.BooleanField(_("consent to share contact details"))
    consent_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )
    callback_preference = models.CharField(_("preferred callback time"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_made",
        verbose_name=_("referred by"),
    )
    created_at = models.DateTimeField(_("referred at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    accept_due_at = models.DateTimeField(_("must be accepted by"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    scheduled_for = models.DateTimeField(_("appointment"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True, validators=[MaxLengthValidator(REASON_MAX_LENGTH)])
    decline_reason = models.TextField(
        _("reason for declining"), blank=True, validators=[MaxLengthValidator(REASON_MAX_LENGTH)]
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Emergency services only (a warm transfer): who put the caller through, when, to which number,
    # and the service's own incident number when it gave one.
    transferred_at = models.DateTimeField(_("transferred at"), null=True, blank=True)
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transferred by"),
    )
    transferred_to = models.CharField(_("transferred to (number)"), max_length=40, blank=True)
    incident_number = models.CharField(_("incident number"), max_length=60, blank=True)
    # Open311 requests only
    address_string = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    long = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    token = models.UUIDField(_("Open311 token"), default=uuid.uuid4, unique=True, editable=False)
    api_key = models.ForeignKey(
        "referrals.Open311ApiKey",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("Open311 API key"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["service", "status", "-created_at"], name="referral_service_status"),
            models.Index(fields=["status", "accept_due_at"], name="referral_status_due"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.service} ({self.status})"

    def clean(self) -> None:
        if self.source == self.Source.CALL and self.call_id is None:
            raise ValidationError({"call": _("A referral from a call needs the call.")})
        if self.reason is not None and not self.reason.strip():
            raise ValidationError({"reason": _("Say why the case is referred.")})

    @property
    def pressing(self) -> bool:
        """Urgent or vulnerable: goes to the top of every list and onto the wallboard."""
        return self.priority == self.Priority.URGENT or self.vulnerable

    @property
    def acceptance_overdue(self) -> bool:
        return self.status == Status.NEW and self.accept_due_at is not None and self.accept_due_at < timezone.now()

    @property
    def contact_masked(self) -> str:
        if self.contact_number:
            return mask_number(self.contact_number)
        return _mask_free_text(self.contact_phone_text)

    @property
    def followup(self) -> FollowUp | None:
        """The call back owed to the citizen: the one still due, else the latest (a case may owe
        several: a missing person's guardian is called after each sighting)."""
        due = self.followups.filter(status=FollowUp.Status.DUE).order_by("due_at", "id").first()
        return due or self.followups.order_by("-created_at", "-id").first()

    @property
    def contact_formatted(self) -> str:
        return format_number(self.contact_number) if self.contact_number else self.contact_phone_text

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_number or self.contact_phone_text or self.contact_name)

    @property
    def subject(self) -> str:
        """How the access log names the person whose details these are."""
        if self.contact_number:
            return f"caller:{self.contact_number}"
        return f"referral:{self.pk}"


class ReferralEvent(models.Model):
    """The history of a referral: who, when, from, to, note."""

    class Kind(models.TextChoices):
        STATUS = "status", _("status changed")
        FOLLOWUP_DUE = "followup_due", _("follow-up due")
        FOLLOWUP_CLOSED = "followup_closed", _("follow-up closed")

    # History is never deleted: a referral with events (every referral) cannot be deleted.
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.STATUS)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")

    def __str__(self) -> str:
        return f"{self.referral_id} {self.kind} {self.from_status}→{self.to_status}"


class FollowUp(models.Model):
    """The centre's call back to the citizen once the service has completed."""

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        SOLVED = "solved", _("Problem solved")
        MORE_HELP = "more_help", _("Needs more help")
        UNREACHABLE = "unreachable", _("Could not reach")

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="followups")
    reason = models.CharField(
        _("what to call about"),
        max_length=300,
        blank=True,
        help_text=_("Empty when the service completed the case: its outcome says it."),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referral_followups",
        verbose_name=_("agent"),
        help_text=_("Who referred the case; any agent of the centre may call back."),
    )
    due_at = models.DateTimeField(_("call back by"), db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DUE, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(REASON_MAX_LENGTH)])
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        # reports: the follow-ups made in a range of operating days
        indexes = [models.Index(fields=["created_at", "referral"], name="report_followup_created")]

    def __str__(self) -> str:
        return f"follow-up of #{self.referral_id} ({self.status})"

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.DUE and self.due_at < timezone.now()


def _new_key() -> str:
    return secrets.token_urlsafe(24)


class Open311ApiKey(models.Model):
    """A key an Open311 client sends with `POST requests`. Managed in Django admin."""

    name = models.CharField(_("client"), max_length=120, help_text=_("Who uses this key (an app, a partner site)."))
    key = models.CharField(_("key"), max_length=64, unique=True, default=_new_key)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return self.name
