"""Agents' phone extensions, and the protection of agents from abusive callers.

- `PhoneExtension`: the agent's extension on the phone system, so the phone
  system can name an agent by it (Zammad's `answeringNumber`).
- `AbuseFlag`: an agent marks the call they are on as abusive (verbal abuse,
  sexual harassment, threat, repeated nuisance) with a note; the flag records
  when the warning script was read and when the agent then ended the call
  (Occupational Safety and Health Act, article 41).
- `CallerBlock`: a supervisor blocks a number for a period; the phone
  system's next offers from it are refused. A block is never deleted: ending it
  early sets `ended_at`; one past `until` is no longer active (a query
  condition, no job ends it).

Re-exported by floor/models/__init__.py.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.phone_numbers import mask_number

EXTENSION_PATTERN = r"^[0-9A-Za-z*#+._-]{1,20}$"


class PhoneExtension(models.Model):
    """An agent's extension on the phone system (one each, unique)."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_extension", verbose_name=_("agent")
    )
    extension = models.CharField(
        _("extension"),
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(
                EXTENSION_PATTERN,
                _("An extension is 1 to 20 digits or letters (also * # + . _ -), e.g. 2041."),
                code="invalid_extension",
            )
        ],
        help_text=_("As the phone system names the agent's phone, e.g. 2041 or SIP/2041."),
    )

    class Meta:
        db_table = "inquiries_phoneextension"  # the table inquiries made (moved in floor 0001)
        ordering = ["extension"]
        verbose_name = _("phone extension")
        verbose_name_plural = _("phone extensions")

    def __str__(self) -> str:
        return f"{self.extension} {self.agent}"


class AbuseFlag(models.Model):
    """An agent's flag on an abusive call, and what was done about it."""

    class Kind(models.TextChoices):
        VERBAL_ABUSE = "verbal_abuse", _("Verbal abuse")
        SEXUAL_HARASSMENT = "sexual_harassment", _("Sexual harassment")
        THREAT = "threat", _("Threat")
        NUISANCE = "nuisance", _("Repeated nuisance")

    call = models.ForeignKey(
        "floor.QueueCall", on_delete=models.PROTECT, related_name="abuse_flags", verbose_name=_("call")
    )
    # The caller's number as the queue had it (normalized), kept on the flag so
    # the review list and a block need not reach into the queue.
    caller_number = models.CharField(_("caller number"), max_length=20)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="abuse_flags", verbose_name=_("agent")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(2000)])
    flagged_at = models.DateTimeField(_("flagged"), default=timezone.now, db_index=True)
    warning_read_at = models.DateTimeField(_("warning read"), null=True, blank=True)
    ended_at = models.DateTimeField(_("call ended by the agent"), null=True, blank=True)

    class Meta:
        db_table = "inquiries_abuseflag"  # the table inquiries made (moved in floor 0001)
        ordering = ["-flagged_at", "-id"]
        verbose_name = _("abusive-call flag")
        verbose_name_plural = _("abusive-call flags")
        constraints = [models.UniqueConstraint(fields=["call", "agent"], name="one_flag_per_call_and_agent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.masked_number} {self.flagged_at:%Y-%m-%d %H:%M}"

    @property
    def masked_number(self) -> str:
        return mask_number(self.caller_number)

    def clean(self) -> None:
        if self.ended_at and not self.warning_read_at:
            raise ValidationError({"ended_at": _("Read the warning to the caller before ending the call.")})


class CallerBlockQuerySet(models.QuerySet):
    def active(self, *, at=None) -> CallerBlockQuerySet:
        """Blocks in force at `at` (now): not ended early and not yet past `until`."""
        at = at or timezone.now()
        return self.filter(ended_at__isnull=True, until__gt=at, starts_at__lte=at)


class CallerBlock(models.Model):
    """A number the phone system's offers are refused from, until a moment."""

    number = models.CharField(_("phone number"), max_length=20, db_index=True)
    reason = models.TextField(_("reason"), validators=[MaxLengthValidator(500)])
    starts_at = models.DateTimeField(_("from"), default=timezone.now)
    until = models.DateTimeField(_("until"))
    flag = models.ForeignKey(
        AbuseFlag,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="blocks",
        verbose_name=_("flag"),
        help_text=_("The agent's flag this block answers, when there is one."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("blocked by")
    )
    created_at = models.DateTimeField(_("blocked at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended early at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    objects = CallerBlockQuerySet.as_manager()

    class Meta:
        db_table = "inquiries_callerblock"  # the table inquiries made (moved in floor 0001)
        ordering = ["-created_at", "-id"]
        verbose_name = _("caller block")
        verbose_name_plural = _("caller blocks")
        indexes = [models.Index(fields=["number", "until"], name="callerblock_number_until")]

    def __str__(self) -> str:
        return f"{self.masked_number} → {self.until:%Y-%m-%d %H:%M}"

    @property
    def masked_number(self) -> str:
        return mask_number(self.number)

    @property
    def subject(self) -> str:
        """How the access log names the person (as Caller.subject does)."""
        return f"caller:{self.number}"

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.ended_at is None and self.starts_at <= at < self.until

    def clean(self) -> None:
        if self.until and self.starts_at and self.until <= self.starts_at:
            raise ValidationError({"until": _("A block ends after it starts.")})


# What the agent reads to the caller when they flag a call, in Korean and in
# English whatever the console's language (the caller's language decides).
# Written with the centre's counsellor-protection guideline in mind: name the
# behaviour, say the call is recorded, say the call will end if it goes on.
WARNING_SCRIPTS: dict[str, dict[str, str]] = {
    AbuseFlag.Kind.VERBAL_ABUSE: {
        "ko": "고객님, 지금 하신 말씀은 상담사에 대한 폭언입니다. 이 통화는 녹음되고 있습니다. "
        "폭언이 계속되면 더 이상 상담을 이어갈 수 없어 통화를 종료하겠습니다.",
        "en": "Caller, what you just said is verbal abuse of the counsellor. This call is being recorded. "
        "If the abuse goes on, I cannot continue and will end this call.",
    },
    AbuseFlag.Kind.SEXUAL_HARASSMENT: {
        "ko": "고객님, 지금 하신 말씀은 성희롱에 해당합니다. 이 통화는 녹음되고 있으며 법에 따라 조치될 수 있습니다. "
        "계속하시면 통화를 종료하겠습니다.",
        "en": "Caller, what you just said is sexual harassment. This call is being recorded and may be dealt "
        "with under the law. If it goes on, I will end this call.",
    },
    AbuseFlag.Kind.THREAT: {
        "ko": "고객님, 지금 하신 말씀은 위협에 해당하며 경찰에 신고될 수 있습니다. 이 통화는 녹음되고 있습니다. "
        "계속하시면 통화를 종료하겠습니다.",
        "en": "Caller, what you just said is a threat and may be reported to the police. This call is being "
        "recorded. If it goes on, I will end this call.",
    },
    AbuseFlag.Kind.NUISANCE: {
        "ko": "고객님, 같은 내용의 반복 전화로 다른 시민의 상담이 어렵습니다. 이 통화는 녹음되고 있습니다. "
        "문의하실 내용이 없으시면 통화를 종료하겠습니다.",
        "en": "Caller, repeated calls like this keep other citizens from getting help. This call is being "
        "recorded. If you have no question for us, I will end this call.",
    },
}
