"""The phone queue, agents' states and shifts (the wallboard's data).

The phone system (PBX/ACD) reports events; each is kept as a `PhoneEvent`
row before anything else happens, then applied to a `QueueCall` (one per
call the queue saw) and to `AgentStatus` (one per agent, the state now).
Every agent state change writes an `AgentStateChange` row, which doubles as
the interval the agent spent in that state (for occupancy).

Re-exported by floor/models/__init__.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.languages import Language


class AgentState(models.TextChoices):
    OFFLINE = "offline", _("Offline")
    AVAILABLE = "available", _("Available")
    RINGING = "ringing", _("Ringing")
    ON_CALL = "on_call", _("On call")
    AFTER_CALL_WORK = "after_call_work", _("After-call work")
    BREAK = "break", _("Break")


# The agent state machine: the one table of allowed transitions. A change to
# the same state is a no-op, not a transition. Call events (answered, ended,
# transferred) move the agent too; they are facts from the phone system and
# are applied whatever this table says (see floor_services._agent_force).
AGENT_TRANSITIONS: dict[str, frozenset[str]] = {
    AgentState.OFFLINE: frozenset({AgentState.AVAILABLE, AgentState.BREAK}),
    AgentState.AVAILABLE: frozenset({AgentState.RINGING, AgentState.ON_CALL, AgentState.BREAK, AgentState.OFFLINE}),
    AgentState.RINGING: frozenset({AgentState.ON_CALL, AgentState.AVAILABLE, AgentState.OFFLINE}),
    AgentState.ON_CALL: frozenset({AgentState.AFTER_CALL_WORK, AgentState.AVAILABLE, AgentState.OFFLINE}),
    AgentState.AFTER_CALL_WORK: frozenset({AgentState.AVAILABLE, AgentState.BREAK, AgentState.OFFLINE}),
    AgentState.BREAK: frozenset({AgentState.AVAILABLE, AgentState.OFFLINE}),
}
# Logged in and not on break (DOMAIN.md: "staffed").
STAFFED_STATES = frozenset({AgentState.AVAILABLE, AgentState.RINGING, AgentState.ON_CALL, AgentState.AFTER_CALL_WORK})
# Time on calls, after-call work included (the numerator of occupancy).
BUSY_STATES = frozenset({AgentState.ON_CALL, AgentState.AFTER_CALL_WORK})


class PhoneEvent(models.Model):
    """One event as the phone system sent it, stored before it is applied."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        APPLIED = "applied", _("applied")
        DUPLICATE = "duplicate", _("duplicate")
        REJECTED = "rejected", _("rejected")
        # an offer from a blocked number (CallerBlock), refused on purpose
        BLOCKED = "blocked", _("blocked")

    event = models.CharField(_("event"), max_length=32, blank=True)
    call_id = models.CharField(_("call id"), max_length=64, blank=True, db_index=True)
    at = models.DateTimeField(_("event time"), null=True, blank=True)
    body = models.JSONField(_("body as received"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    # Set only on the applied copy: the unique index makes "accepted once"
    # hold under concurrency, while a rejected event can still be retried.
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    error_code = models.CharField(_("error"), max_length=40, blank=True)
    error_message = models.TextField(_("error message"), blank=True)

    class Meta:
        db_table = "inquiries_phoneevent"  # the table inquiries made (moved in floor 0001)
        ordering = ["-received_at", "-id"]
        verbose_name = _("phone event")
        verbose_name_plural = _("phone events")
        indexes = [models.Index(fields=["status", "-received_at"], name="phoneevent_status_received")]

    def __str__(self) -> str:
        return f"{self.event} {self.call_id} {self.status}"


class QueueCall(models.Model):
    """A call as the queue saw it: offered, then answered or abandoned, then ended."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        TALKING = "talking", _("Talking")
        ENDED = "ended", _("Ended")
        ABANDONED = "abandoned", _("Abandoned")

    call_id = models.CharField(_("phone-system call id"), max_length=64, unique=True)
    # Blank when the phone system reports the number withheld.
    caller_number = models.CharField(_("caller number"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.KOREAN)
    queue = models.CharField(_("queue"), max_length=32, default="general")
    category = models.ForeignKey(
        "knowledgebase.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("From the phone menu, or from the agent's log of the call."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.WAITING)
    offered_at = models.DateTimeField(_("offered"), db_index=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended or abandoned"), null=True, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="queue_calls",
        verbose_name=_("agent"),
    )
    # Seconds, kept on the row so the statistics are plain sums and averages.
    wait_seconds = models.FloatField(_("queue time (s)"), null=True, blank=True)
    talk_seconds = models.FloatField(_("talk time (s)"), null=True, blank=True)
    wrap_seconds = models.FloatField(_("after-call work (s)"), null=True, blank=True)
    handle_seconds = models.FloatField(_("handle time (s)"), null=True, blank=True)
    transfers = models.PositiveSmallIntegerField(_("transfers"), default=0)

    class Meta:
        db_table = "inquiries_queuecall"  # the table inquiries made (moved in floor 0001)
        ordering = ["-offered_at", "-id"]
        verbose_name = _("queued call")
        verbose_name_plural = _("queued calls")
        indexes = [
            # calls waiting now: a few rows, found without touching history
            models.Index(fields=["status", "offered_at"], name="queuecall_status_offered"),
            models.Index(fields=["category", "offered_at"], name="queuecall_category_offered"),
            # reports (reports/selectors.py): a month of queue calls grouped and counted from the
            # index alone, not from pages all over the table (bench/reports.py, docs/BENCHMARKS.md);
            # every column a report reads, the id too (PostgreSQL counts it)
            models.Index(
                fields=[
                    "offered_at",
                    "status",
                    "answered_at",
                    "wait_seconds",
                    "handle_seconds",
                    "category",
                    "language",
                    "agent",
                    "call_id",
                    "id",
                ],
                name="report_queuecall_offered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.status}"


class AgentStatus(models.Model):
    """An agent's state now (one row per agent who ever had a state)."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_status", verbose_name=_("agent")
    )
    state = models.CharField(_("state"), max_length=16, choices=AgentState.choices, default=AgentState.OFFLINE)
    since = models.DateTimeField(_("since"), default=timezone.now)
    current_call = models.ForeignKey(
        QueueCall, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("call")
    )
    # The call whose after-call work is running (its wrap time is added when it ends).
    wrap_call = models.ForeignKey(QueueCall, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        db_table = "inquiries_agentstatus"  # the table inquiries made (moved in floor 0001)
        verbose_name = _("agent state")
        verbose_name_plural = _("agent states")

    def __str__(self) -> str:
        return f"{self.agent} {self.state}"


class AgentStateChange(models.Model):
    """Every state change (who, when, from, to, why); until `ended_at` it is the
    interval the agent spent in `to_state`."""

    class Source(models.TextChoices):
        PHONE_SYSTEM = "phone_system", _("phone system")
        CONSOLE = "console", _("console")
        SHIFT = "shift", _("shift sign-in/out")

    # History is never deleted: deactivate an agent rather than delete them.
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_state = models.CharField(max_length=16, choices=AgentState.choices)
    to_state = models.CharField(max_length=16, choices=AgentState.choices)
    at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True, db_index=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    call = models.ForeignKey(QueueCall, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        db_table = "inquiries_agentstatechange"  # the table inquiries made (moved in floor 0001)
        ordering = ["at", "id"]
        verbose_name = _("agent state change")
        verbose_name_plural = _("agent state changes")

    def __str__(self) -> str:
        return f"{self.agent_id} {self.from_state}→{self.to_state} {self.at:%H:%M:%S}"


class Shift(models.Model):
    """A shift definition: today the day shift 08:00–19:00; a night shift may
    end the next morning (end earlier than start)."""

    name_ko = models.CharField(_("name (Korean)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"), help_text=_("Earlier than the start for a shift that ends the next day."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "inquiries_shift"  # the table inquiries made (moved in floor 0001)
        ordering = ["starts", "id"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")

    def __str__(self) -> str:
        return f"{self.name} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def clean(self) -> None:
        if self.starts == self.ends:
            raise ValidationError({"ends": _("A shift cannot end when it starts.")})

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "ko").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ko

    def window(self, day: date) -> tuple[datetime, datetime]:
        """Start and end of this shift when it starts on `day` (local time)."""
        tz = timezone.get_current_timezone()
        start = datetime.combine(day, self.starts, tzinfo=tz)
        end = datetime.combine(day, self.ends, tzinfo=tz)
        if end <= start:
            end += timedelta(days=1)
        return start, end


class ShiftAssignment(models.Model):
    """The roster: this agent works this shift on this day."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("shift"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_assignments", verbose_name=_("agent")
    )
    day = models.DateField(_("day"), db_index=True)

    class Meta:
        db_table = "inquiries_shiftassignment"  # the table inquiries made (moved in floor 0001)
        ordering = ["day", "shift", "agent"]
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster")
        constraints = [models.UniqueConstraint(fields=["shift", "agent", "day"], name="roster_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.shift} {self.agent}"


class ShiftSession(models.Model):
    """An agent's sign-in to sign-out."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_sessions", verbose_name=_("agent")
    )
    shift = models.ForeignKey(
        Shift, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions", verbose_name=_("shift")
    )
    signed_in_at = models.DateTimeField(_("signed in"), default=timezone.now, db_index=True)
    signed_out_at = models.DateTimeField(_("signed out"), null=True, blank=True)

    class Meta:
        db_table = "inquiries_shiftsession"  # the table inquiries made (moved in floor 0001)
        ordering = ["-signed_in_at"]
        verbose_name = _("shift sign-in")
        verbose_name_plural = _("shift sign-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["agent"], condition=models.Q(signed_out_at__isnull=True), name="one_open_session_per_agent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.signed_in_at:%Y-%m-%d %H:%M}"


class FiguresVersion(models.Model):
    """One row: a counter that any process moves on when past operating days' queue
    calls change (a backfill, an import, a late event or categorization).

    The wallboard's once-a-day figures (last week's calls per hour, each category's
    usual share) are kept per process for the day at this version
    (floor/stats.py): every process computes them again at its next push after a
    change, not only when the day turns (issue 13, item 6)."""

    version = models.PositiveBigIntegerField(_("version"), default=0)
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("figures version")
        verbose_name_plural = _("figures versions")

    def __str__(self) -> str:
        return f"{self.version}"
