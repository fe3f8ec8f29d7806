"""Writes for the queue, agents' states and shifts.

Phone-system events come in through `phone_event_apply` (one event) after the
API layer has checked their shape; a malformed one is kept with
`phone_event_record_rejected`. Every applied change publishes the floor's new
figures to the wallboards (coalesced: at most about four pushes a second,
computed once at send time) and, for the agents concerned, a screen pop or
their new state on their own socket.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter import realtime
from callcenter.error_codes import ErrorCode as SharedCode
from callcenter.errors import ApplicationError, Conflict, IllegalTransition, error_body, validation_fields
from callcenter.inputs import json_storable, storable_text
from callcenter.phone_numbers import mask_number
from callcenter.workdays import operating_day, operating_day_window
from floor import stats
from floor.error_codes import ErrorCode
from floor.models import (
    AGENT_TRANSITIONS,
    AgentState,
    AgentStateChange,
    AgentStatus,
    FiguresVersion,
    PhoneEvent,
    QueueCall,
    Shift,
    ShiftAssignment,
    ShiftSession,
)
from floor.protection_selectors import caller_block_find
from floor.selectors import shift_current
from knowledgebase.models import Category

logger = logging.getLogger(__name__)

WALLBOARD_GROUP = "wallboard"
QUEUE_GROUP = "queue"

EVENT_TYPES = (
    "call.offered",
    "call.answered",
    "call.abandoned",
    "call.ended",
    "call.transferred",
    "agent.state",
)
# States an agent may choose for themself in the console ("end after-call
# work" is after_call_work -> available).
SELF_SERVICE_STATES = frozenset({AgentState.AVAILABLE, AgentState.BREAK})


def agent_group(*, user_id: int) -> str:
    return f"agent.{user_id}"


class OutOfOrder(Conflict):
    code = ErrorCode.OUT_OF_ORDER


class UnknownCall(Conflict):
    code = ErrorCode.UNKNOWN_CALL


class DuplicateCall(Conflict):
    code = ErrorCode.ALREADY_OFFERED


def _publish_floor() -> None:
    """After commit: the wallboards' and the consoles' queue figures."""
    # A burst of events becomes at most one push per window (the first at once),
    # its figures computed once when it is sent.
    window = settings.WALLBOARD_COALESCE_SECONDS
    transaction.on_commit(stats.floor_changed)
    realtime.publish("wallboard.updated", stats.wallboard_stats_fresh, groups=[WALLBOARD_GROUP], coalesce=window)
    realtime.publish("queue.updated", stats.queue_summary_fresh, groups=[QUEUE_GROUP], coalesce=window)


# --- phone events ---------------------------------------------------------------
@dataclass
class EventOutcome:
    """What became of one event: applied (201), duplicate (200) or rejected (4xx)."""

    status: str
    http_status: int
    event_id: int
    error: dict[str, Any] | None = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status, "event_id": self.event_id, "http_status": self.http_status}
        if self.error:
            body.update(self.error)
        return body


def dedupe_key(*, event: str, call_id: str, at: datetime, agent: str = "", state: str = "") -> str:
    """Same call_id, event and time (and for agent.state, agent and state) is the same event."""
    moment = at.astimezone(UTC).isoformat()
    raw = "|".join([event, call_id, moment, agent, state])
    return hashlib.sha256(raw.encode()).hexdigest()


def phone_event_record_rejected(
    *, body: Any, sender: AbstractBaseUser, http_status: int, code: str, message: str, fields: dict | None = None
) -> EventOutcome:
    """Keep an event the API refused (bad shape) for inspection, whatever bytes it
    holds: a body with text a JSON column cannot take is kept as its JSON text
    (`callcenter.inputs.json_storable`). Side effect: one PhoneEvent row."""
    plain = body if isinstance(body, dict) else {"value": body}
    answer = error_body(code, message, fields)  # escaped: it may quote what was sent
    record = PhoneEvent.objects.create(
        event=storable_text(str(plain.get("event", "")))[:32],
        call_id=storable_text(str(plain.get("call_id", "")))[:64],
        body=json_storable(plain),
        sender=sender,
        status=PhoneEvent.Status.REJECTED,
        http_status=http_status,
        error_code=code,
        error_message=answer["message"] if not fields else f"{answer['message']} {answer['fields']}",
    )
    return EventOutcome("rejected", http_status, record.pk, answer)


def phone_event_apply(
    *, data: dict[str, Any], body: dict[str, Any], sender: AbstractBaseUser, key: str | None = None
) -> EventOutcome:
    """Store one well-formed phone event, then apply it.

    Not one transaction on purpose: the event row is committed first so it
    survives whatever the applying does; the applying (queue, agent states,
    the event's dedupe key) is one transaction. A repeat of an applied event
    (same call_id, event, at) changes nothing and answers "duplicate"; an
    impossible or out-of-order one is kept as rejected with its error. An
    offer from a blocked number is kept as blocked and not queued. `key`: the
    dedupe key when the sender's format has its own (floor/zammad.py).
    Side effects: PhoneEvent row; QueueCall/AgentStatus/AgentStateChange rows;
    after commit, the wallboard and console pushes and the agent's screen pop.
    """
    event = data["event"]
    at: datetime = data["at"]
    call_id = data.get("call_id", "")
    agent = data.get("agent")
    key = key or dedupe_key(
        event=event,
        call_id=call_id,
        at=at,
        agent=agent.get_username() if agent and event == "agent.state" else "",
        state=data.get("state", "") if event == "agent.state" else "",
    )
    record = PhoneEvent.objects.create(event=event, call_id=call_id, at=at, body=body, sender=sender)
    # Whatever happens next, the stored event leaves "received": applied,
    # duplicate, or rejected with its answer (503 when the database stayed busy).
    for attempt in range(1, APPLY_ATTEMPTS + 1):
        # No look for a repeat first: the unique dedupe key decides (a repeat fails
        # the key's save, the block's first statement, and is told apart below).
        try:
            with transaction.atomic():
                record.dedupe_key = key
                record.status = PhoneEvent.Status.APPLIED
                record.http_status = 201
                record.save(update_fields=["dedupe_key", "status", "http_status"])
                blocked = _HANDLERS[event](data, at) == PhoneEvent.Status.BLOCKED
                if blocked:
                    record.status = PhoneEvent.Status.BLOCKED
                    record.http_status = 200
                    record.save(update_fields=["status", "http_status"])
                _publish_floor()
        except IntegrityError:
            # Either the event was applied before (a repeat, perhaps racing this
            # one) or another offer of the same call was.
            if PhoneEvent.objects.filter(dedupe_key=key).exists():
                return _finish(record, PhoneEvent.Status.DUPLICATE, 200)
            error = DuplicateCall(_("This call was already offered."))
            return _finish(record, PhoneEvent.Status.REJECTED, error.status, error)
        except ApplicationError as error:
            return _finish(record, PhoneEvent.Status.REJECTED, error.status, error)
        except ValidationError as error:  # a model check the API's shape check did not cover
            invalid = ApplicationError(
                _("Some fields are not valid."), code=SharedCode.INVALID, fields=validation_fields(error)
            )
            return _finish(record, PhoneEvent.Status.REJECTED, 400, invalid)
        except OperationalError as error:
            # A deadlock or serialization failure rolled the applying back (its
            # rows locks are in a fixed order, but a wrap-up touches a call a
            # call event has locked): apply it again from the start.
            if _transient(error) and attempt < APPLY_ATTEMPTS:
                logger.info("phone event %s: %s, applying it again (attempt %d)", record.pk, error, attempt + 1)
                continue
            logger.warning("phone event %s not applied: %s", record.pk, error)
            return _finish(record, PhoneEvent.Status.REJECTED, 503, DatabaseBusy())
        except Exception:
            # A bug must not sink the rest of the batch, nor leave the event "received".
            logger.exception("phone event %s could not be applied", record.pk)
            return _finish(record, PhoneEvent.Status.REJECTED, 500, ApplyFailed())
        if blocked:
            message = _("This number is blocked: refuse the call.")
            return EventOutcome("blocked", 200, record.pk, {"action": "reject", "message": message})
        return EventOutcome("applied", 201, record.pk)
    raise AssertionError("unreachable: the last attempt returns")


#: how often an event is applied when a deadlock or serialization failure undoes it
APPLY_ATTEMPTS = 5
#: deadlock detected, serialization failure (PostgreSQL); SQLite's "database is locked"
_TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})


def _transient(error: OperationalError) -> bool:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) in _TRANSIENT_SQLSTATES or "database is locked" in str(error)


class DatabaseBusy(ApplicationError):
    code = ErrorCode.BUSY
    status = 503

    def __init__(self):
        super().__init__(_("The event could not be applied now; send it again."))


class ApplyFailed(ApplicationError):
    code = SharedCode.SERVER_ERROR
    status = 500

    def __init__(self):
        super().__init__(_("Something went wrong on our side."))


def _finish(record: PhoneEvent, status: str, http_status: int, error: ApplicationError | None = None) -> EventOutcome:
    record.status = status
    record.http_status = http_status
    fields = ["status", "http_status"]
    if error is not None:
        record.error_code = error.code
        record.error_message = error.message
        fields += ["error_code", "error_message"]
    record.save(update_fields=fields)
    body = {"error": error.code, "message": error.message, "fields": error.fields} if error else None
    label = "duplicate" if status == PhoneEvent.Status.DUPLICATE else "rejected"
    return EventOutcome(label, http_status, record.pk, body)


def _queue_call_locked(call_id: str) -> QueueCall:
    try:
        return QueueCall.objects.select_for_update().get(call_id=call_id)
    except QueueCall.DoesNotExist:
        raise UnknownCall(_("No call with this call_id was offered.")) from None


def _seconds(later: datetime, earlier: datetime) -> float:
    return max(0.0, (later - earlier).total_seconds())


def _not_before(at: datetime, moment: datetime | None, message: str) -> None:
    if moment is not None and at < moment:
        raise OutOfOrder(message)


def _on_offered(data: dict, at: datetime) -> str | None:
    # A withheld number cannot be blocked (there is none to match).
    if data.get("caller_number") and caller_block_find(number=data["caller_number"], at=at) is not None:
        return PhoneEvent.Status.BLOCKED  # kept, answered "refuse", never queued
    # A second offer of the call fails the unique call_id (phone_event_apply answers 409).
    call = QueueCall(
        call_id=data["call_id"],
        caller_number=data.get("caller_number") or "",  # none when withheld
        language=data.get("language") or "ko",
        queue=data.get("queue") or "general",
        category=data.get("category"),
        offered_at=at,
    )
    call.full_clean(validate_unique=False)
    call.save()
    _past_day_touched(call)
    return None


def _require_status(call: QueueCall, *allowed: str) -> None:
    if call.status not in allowed:
        raise IllegalTransition(
            _("The call is %(status)s; this event cannot follow.") % {"status": call.get_status_display().lower()}
        )


def _on_answered(data: dict, at: datetime) -> None:
    call = _queue_call_locked(data["call_id"])
    _require_status(call, QueueCall.Status.WAITING)
    _not_before(at, call.offered_at, _("This event is older than the call's offer."))
    agent = data["agent"]
    call.status = QueueCall.Status.TALKING
    call.answered_at = at
    call.agent = agent
    call.wait_seconds = _seconds(at, call.offered_at)
    call.save(update_fields=["status", "answered_at", "agent", "wait_seconds"])
    _agent_force(agent, AgentState.ON_CALL, at, call=call)
    _screen_pop(call, agent)


def _on_abandoned(data: dict, at: datetime) -> None:
    call = _queue_call_locked(data["call_id"])
    _require_status(call, QueueCall.Status.WAITING)
    _not_before(at, call.offered_at, _("This event is older than the call's offer."))
    call.status = QueueCall.Status.ABANDONED
    call.ended_at = at
    call.wait_seconds = _seconds(at, call.offered_at)
    call.save(update_fields=["status", "ended_at", "wait_seconds"])


def _on_ended(data: dict, at: datetime) -> None:
    call = _queue_call_locked(data["call_id"])
    _require_status(call, QueueCall.Status.TALKING)
    _not_before(at, call.answered_at, _("This event is older than the call's answer."))
    call.status = QueueCall.Status.ENDED
    call.ended_at = at
    call.talk_seconds = _seconds(at, call.answered_at)
    call.handle_seconds = call.talk_seconds  # after-call work is added when it ends
    call.save(update_fields=["status", "ended_at", "talk_seconds", "handle_seconds"])
    if call.agent_id:
        status = _agent_status_locked(call.agent_id)
        if status.current_call_id == call.pk:
            _agent_move(status, AgentState.AFTER_CALL_WORK, at, AgentStateChange.Source.PHONE_SYSTEM, call=call)


def _on_transferred(data: dict, at: datetime) -> None:
    call = _queue_call_locked(data["call_id"])
    _require_status(call, QueueCall.Status.TALKING)
    _not_before(at, call.answered_at, _("This event is older than the call's answer."))
    agent = data["agent"]
    if call.agent_id == agent.pk:
        raise IllegalTransition(_("The call is already with this agent."))
    previous = call.agent
    # Both agents' rows, locked in one order (by id): two transfers between the
    # same agents in opposite directions would otherwise each hold the row the
    # other waits for.
    for someone in sorted({person.pk: person for person in (previous, agent) if person}.values(), key=_pk):
        _agent_status_locked(someone.pk, at)
    call.agent = agent
    call.transfers += 1
    call.save(update_fields=["agent", "transfers"])
    if previous is not None:
        status = _agent_status_locked(previous.pk)
        if status.current_call_id == call.pk:
            # The first agent's wrap-up is theirs; the call's handle time is the last agent's.
            _agent_move(status, AgentState.AFTER_CALL_WORK, at, AgentStateChange.Source.PHONE_SYSTEM)
    _agent_force(agent, AgentState.ON_CALL, at, call=call)
    _screen_pop(call, agent, transferred=True)


def _pk(user: AbstractBaseUser) -> int:
    return user.pk


def _on_agent_state(data: dict, at: datetime) -> None:
    status = _agent_status_locked(data["agent"].pk, at)
    _agent_transition(status, data["state"], at, AgentStateChange.Source.PHONE_SYSTEM)


_HANDLERS = {
    "call.offered": _on_offered,
    "call.answered": _on_answered,
    "call.abandoned": _on_abandoned,
    "call.ended": _on_ended,
    "call.transferred": _on_transferred,
    "agent.state": _on_agent_state,
}


def _screen_pop(call: QueueCall, agent: AbstractBaseUser, *, transferred: bool = False) -> None:
    payload = {
        "call_id": call.call_id,
        # masked: the console reveals it through the access-logged GET /api/queue/calls/{call_id}/caller/
        "caller_number": mask_number(call.caller_number) if call.caller_number else None,
        "number_withheld": not call.caller_number,
        "language": call.language,
        "queue": call.queue,
        "category": call.category.slug if call.category_id else None,
        "answered_at": call.answered_at,
        "wait_seconds": round(call.wait_seconds or 0, 1),
        "transferred": transferred,
    }
    realtime.publish("call.screen_pop", payload, groups=[agent_group(user_id=agent.pk)])


# --- agent states ---------------------------------------------------------------
def _agent_status_locked(agent_id: int, at: datetime | None = None) -> AgentStatus:
    """The agent's state row, locked until the transaction ends (one query when it exists)."""
    locked = AgentStatus.objects.select_for_update(of=("self",)).select_related("wrap_call")
    try:
        return locked.get(agent_id=agent_id)
    except AgentStatus.DoesNotExist:
        # A first-seen agent has been offline "since" the event that names them.
        since = at or timezone.now()
        status, _created = AgentStatus.objects.get_or_create(agent_id=agent_id, defaults={"since": since})
        return locked.get(pk=status.pk)


def _agent_transition(status: AgentStatus, to_state: str, at: datetime, source: str) -> AgentStatus:
    """A requested change, checked against the one transition table."""
    if to_state == status.state:
        return status
    if to_state not in AGENT_TRANSITIONS[status.state]:
        raise IllegalTransition(
            _("An agent cannot go from %(from)s to %(to)s.")
            % {"from": AgentState(status.state).label, "to": AgentState(to_state).label}
        )
    if at < status.since:
        raise OutOfOrder(_("This state change is older than the agent's current state."))
    return _agent_move(status, to_state, at, source)


def _agent_force(agent: AbstractBaseUser, to_state: str, at: datetime, *, call: QueueCall | None = None) -> None:
    """A state the phone system's call events imply (a fact, so not checked)."""
    status = _agent_status_locked(agent.pk, at)
    if status.state == to_state and status.current_call_id == (call.pk if call else None):
        return
    _agent_move(status, to_state, max(at, status.since), AgentStateChange.Source.PHONE_SYSTEM, call=call)


def _agent_move(
    status: AgentStatus, to_state: str, at: datetime, source: str, *, call: QueueCall | None = None
) -> AgentStatus:
    from_state = status.state
    AgentStateChange.objects.filter(agent_id=status.agent_id, ended_at__isnull=True).update(ended_at=at)
    if from_state == AgentState.AFTER_CALL_WORK and status.wrap_call is not None:
        wrapped = status.wrap_call
        wrapped.wrap_seconds = _seconds(at, status.since)
        wrapped.handle_seconds = (wrapped.talk_seconds or 0) + wrapped.wrap_seconds
        wrapped.save(update_fields=["wrap_seconds", "handle_seconds"])
    AgentStateChange.objects.create(
        agent_id=status.agent_id, from_state=from_state, to_state=to_state, at=at, source=source, call=call
    )
    status.state = to_state
    status.since = at
    status.current_call = call if to_state in (AgentState.RINGING, AgentState.ON_CALL) else None
    status.wrap_call = call if to_state == AgentState.AFTER_CALL_WORK else None
    # The agent and the call are rows this transaction read: their existence needs no query.
    status.full_clean(validate_unique=False, exclude=["agent", "current_call", "wrap_call"])
    status.save(update_fields=["state", "since", "current_call", "wrap_call"])
    realtime.publish(
        "agent.state_changed",
        {"state": to_state, "label": str(AgentState(to_state).label), "since": at},
        groups=[agent_group(user_id=status.agent_id)],
    )
    return status


@transaction.atomic
def agent_state_set(*, agent: AbstractBaseUser, state: str) -> AgentStatus:
    """An agent chooses their own state in the console (available, break;
    available also ends after-call work). Side effects: an AgentStateChange
    row, the wallboard push and the agent's own socket."""
    if state not in SELF_SERVICE_STATES:
        raise ApplicationError(
            _("Choose available or break."), code=SharedCode.INVALID, fields={"state": [_("Not allowed.")]}
        )
    status = _agent_status_locked(agent.pk)
    if status.state == AgentState.OFFLINE:
        raise IllegalTransition(_("Sign in to your shift first."))
    status = _agent_transition(status, state, timezone.now(), AgentStateChange.Source.CONSOLE)
    _publish_floor()
    return status


# --- shifts ---------------------------------------------------------------------
# --- shifts and the roster (Django admin) -------------------------------------------------
@transaction.atomic
def shift_save(*, shift: Shift) -> Shift:
    """Create or change a shift definition. Side effect: the wallboard's running shift and the
    day's figures per shift follow from the next push."""
    shift.full_clean()
    shift.save()
    return shift


@transaction.atomic
def shift_delete(*, shift: Shift) -> None:
    shift.delete()


@transaction.atomic
def shift_assignment_save(*, assignment: ShiftAssignment) -> ShiftAssignment:
    """Roster an agent for a shift on a day (or change it): their sign-in that day uses it."""
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def shift_assignment_delete(*, assignment: ShiftAssignment) -> None:
    assignment.delete()


def _rostered_shift(agent: AbstractBaseUser, now: datetime) -> Shift | None:
    """The agent's rostered shift running now (a night shift rostered yesterday,
    signed into after midnight, counts), else the one rostered today."""
    today = timezone.localdate(now)
    entries = list(
        ShiftAssignment.objects.filter(agent=agent, day__in=[today, today - timedelta(days=1)]).select_related("shift")
    )
    for entry in entries:
        start, end = entry.shift.window(entry.day)
        if start <= now < end:
            return entry.shift
    return next((entry.shift for entry in entries if entry.day == today), None)


@transaction.atomic
def shift_sign_in(*, agent: AbstractBaseUser) -> ShiftSession:
    """Start the agent's shift. Side effects: a ShiftSession row; the agent
    becomes available (an AgentStateChange row); the wallboard push."""
    if ShiftSession.objects.filter(agent=agent, signed_out_at__isnull=True).exists():
        raise Conflict(_("You are already signed in."), code=ErrorCode.ALREADY_SIGNED_IN)
    now = timezone.now()
    current = shift_current(at=now)
    shift = _rostered_shift(agent, now) or (current[0] if current else None)
    session = ShiftSession(agent=agent, shift=shift, signed_in_at=now)
    session.full_clean(validate_unique=False)
    session.save()
    status = _agent_status_locked(agent.pk)
    if status.state in (AgentState.OFFLINE, AgentState.BREAK):
        _agent_move(status, AgentState.AVAILABLE, max(now, status.since), AgentStateChange.Source.SHIFT)
    _publish_floor()
    return session


@transaction.atomic
def shift_sign_out(*, agent: AbstractBaseUser) -> ShiftSession:
    """End the agent's shift. Side effects: closes the ShiftSession; the
    agent goes offline (an AgentStateChange row); the wallboard push."""
    session = ShiftSession.objects.select_for_update().filter(agent=agent, signed_out_at__isnull=True).first()
    if session is None:
        raise Conflict(_("You are not signed in."), code=ErrorCode.NOT_SIGNED_IN)
    status = _agent_status_locked(agent.pk)
    if status.state in (AgentState.RINGING, AgentState.ON_CALL):
        raise IllegalTransition(_("Finish the call before signing out."))
    now = timezone.now()
    session.signed_out_at = now
    session.save(update_fields=["signed_out_at"])
    if status.state != AgentState.OFFLINE:
        _agent_move(status, AgentState.OFFLINE, max(now, status.since), AgentStateChange.Source.SHIFT)
    _publish_floor()
    return session


@transaction.atomic
def queue_call_categorize(*, call_id: str, category: Category) -> QueueCall | None:
    """The agent's log names the category of a queued call the phone menu did
    not. Side effect: QueueCall.category; the wallboard push."""
    call = QueueCall.objects.select_for_update().filter(call_id=call_id, category__isnull=True).first()
    if call is None:
        return None
    call.category = category
    call.save(update_fields=["category"])
    _past_day_touched(call)
    _publish_floor()
    return call


def figures_version_advance() -> None:
    """Past operating days' queue calls changed (a backfill, an import, a late
    offer or categorization): every process computes the wallboard's once-a-day
    figures again at its next push (stats.figures_version). Side effect: the
    one FiguresVersion row's counter, in the caller's transaction."""
    now = timezone.now()
    if not FiguresVersion.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now):
        FiguresVersion.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": now})


def _past_day_touched(call: QueueCall) -> None:
    """A call of an operating day before today's changes the daily figures' data."""
    if call.offered_at < operating_day_window(operating_day(timezone.now()))[0]:
        figures_version_advance()
