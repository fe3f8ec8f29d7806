"""안심 (safety): missing-person cases and pre-registered persons at risk.

A case is opened from the call that reports a missing child, a senior with
dementia who wandered off, or a person with a disability; the whole floor is
alerted, later callers' sightings are linked to it, and the guardian is called
back. A registration (사전등록) keeps a person's description with their
guardian's consent so a found person can be recognized. The data are sensitive
personal information (PIPA): consent, an access log for every view of
identifying details, pseudonymization after closing, deletion of registrations.

safety imports inquiries, referrals and knowledgebase; none of them imports safety.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.phone_numbers import format_number, mask_number

NOTE_MAX_LENGTH = 2000


class Kind(models.TextChoices):
    CHILD = "child", _("Missing child")
    DEMENTIA = "dementia", _("Senior with dementia")
    DISABILITY = "disability", _("Person with a disability")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Unknown")


class Described(models.Model):
    """Who the person is and what they look like: what a sighting is matched against."""

    kind = models.CharField(_("who"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True, validators=[MaxValueValidator(130)])
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    height_cm = models.PositiveSmallIntegerField(
        _("height (cm)"), null=True, blank=True, validators=[MinValueValidator(30), MaxValueValidator(250)]
    )
    build = models.CharField(_("build"), max_length=100, blank=True)
    clothing = models.CharField(_("clothing"), max_length=300, blank=True)
    marks = models.CharField(_("distinguishing marks"), max_length=300, blank=True)
    photo = models.ImageField(_("photo"), upload_to="safety/%Y/%m/", blank=True)
    guardian_number = models.CharField(_("guardian's number"), max_length=20, blank=True)
    consent = models.BooleanField(_("guardian's consent"), default=False)
    consent_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )
    # The description embedded by knowledgebase's embedder when it was saved (float32 bytes),
    # with the model's name: a sighting's words in other words still find it.
    embedding = models.BinaryField(null=True, blank=True, editable=False)
    embedding_model = models.CharField(max_length=100, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def guardian_masked(self) -> str:
        return mask_number(self.guardian_number) if self.guardian_number else ""

    @property
    def guardian_formatted(self) -> str:
        return format_number(self.guardian_number) if self.guardian_number else ""


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    FOUND = "found", _("Found")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# THE transition table of a case: the only place that says what may follow what.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.FOUND, Status.CLOSED, Status.CANCELLED}),
    Status.FOUND: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
}
# The floor is alerted while a case is in one of these; name, contact and photo are shown only then.
ACTIVE_STATUSES = (Status.OPEN, Status.FOUND)


class Case(Described):
    """A missing person, reported on a call."""

    call = models.ForeignKey(
        "inquiries.Call", on_delete=models.PROTECT, related_name="safety_cases", verbose_name=_("reporting call")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    last_seen_place = models.CharField(_("last seen where"), max_length=300)
    last_seen_at = models.DateTimeField(_("last seen when"))
    registration = models.ForeignKey(
        "safety.Registration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("pre-registration"),
    )
    handoff = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hand-off to the police"),
        help_text=_("The warm transfer of the report to 112; the guardian's call backs hang on it."),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    pseudonymized_at = models.DateTimeField(_("pseudonymized at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("missing-person case")
        verbose_name_plural = _("missing-person cases")
        indexes = [models.Index(fields=["status", "-opened_at"], name="safety_case_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def subject(self) -> str:
        """How the access log names the person whose details these are."""
        return f"safety-case:{self.pk}"


class CaseEvent(models.Model):
    """The history of a case: every status change, sighting and acknowledgement. Append-only."""

    class Kind(models.TextChoices):
        STATUS = "status", _("status changed")
        SIGHTING = "sighting", _("sighting linked")
        ACKNOWLEDGED = "acknowledged", _("alert acknowledged")
        PSEUDONYMIZED = "pseudonymized", _("pseudonymized")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.STATUS)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    note = models.TextField(blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)])

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.from_status}→{self.to_status}"


class Acknowledgement(models.Model):
    """An agent saw the floor's alert of a case in one status (the banner was dismissed).

    Once per user, case and status: when the case changes status (the person is
    found) that is new information, and the banner comes back for everybody
    until they acknowledge it again."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status acknowledged"),
        max_length=10,
        choices=[(s.value, s.label) for s in ACTIVE_STATUSES],
        default=Status.OPEN,
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "user", "status"], name="safety_ack_once_per_user_status")
        ]
        verbose_name = _("alert acknowledgement")
        verbose_name_plural = _("alert acknowledgements")

    def __str__(self) -> str:
        return f"{self.case_id} {self.user_id} {self.status} {self.at:%Y-%m-%d %H:%M}"


class Sighting(models.Model):
    """A later caller saw someone who may be the missing person."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sightings")
    call = models.ForeignKey(
        "inquiries.Call", on_delete=models.PROTECT, related_name="safety_sightings", verbose_name=_("call")
    )
    place = models.CharField(_("where"), max_length=300)
    seen_at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    followup = models.ForeignKey(
        "referrals.FollowUp",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guardian's call back"),
    )

    class Meta:
        ordering = ["-seen_at", "-id"]
        verbose_name = _("sighting")
        verbose_name_plural = _("sightings")

    def __str__(self) -> str:
        return f"{self.case_id} {self.place} {self.seen_at:%Y-%m-%d %H:%M}"


class Registration(Described):
    """사전등록: a person at risk, registered by their guardian through an agent.

    Kept until the guardian asks for its deletion or, unless renewed, for two
    years (then deleted by `manage.py safety_retention`); `review_on` is when the
    centre asks the guardian whether the description still holds.
    """

    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    renewed_at = models.DateTimeField(
        _("last renewed"), default=timezone.now, help_text=_("Two years after this without renewal it is deleted.")
    )
    review_on = models.DateField(_("review on"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("pre-registered person")
        verbose_name_plural = _("pre-registered persons")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def subject(self) -> str:
        return f"safety-registration:{self.pk}"


class RegistrationEvent(models.Model):
    """What happened to a registration, kept after it is deleted (without the person's data)."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("registered")
        CHANGED = "changed", _("changed")
        RENEWED = "renewed", _("renewed")
        DELETED = "deleted", _("deleted on request")
        EXPIRED = "expired", _("deleted after two years")

    registration_number = models.PositiveBigIntegerField(_("registration"), db_index=True)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("registration event")
        verbose_name_plural = _("registration events")

    def __str__(self) -> str:
        return f"{self.registration_number} {self.kind}"
