"""Zammad's generic CTI push API, translated into our phone events.

Phone systems that already speak Zammad's format (sipgate, placetel, many
Asterisk scripts, the `py-zammad-cti` client) post `newCall`, `answer` and
`hangup` with `from`, `to`, `direction`, `callId`, `user[]`, `queue`,
`cause` and `answeringNumber`. This module is an adapter, not a second
pipeline: each event becomes one of ours and goes through
`floor_services.phone_event_apply` (stored first, deduplicated, checked
against the same rules); only the translation lives here.

| Zammad | ours |
|---|---|
| newCall, direction in | call.offered (queue from `queue`); a blocked number: kept as blocked, answered reject |
| newCall, direction out | agent.state ringing for the agent dialling (`from` as extension, else `user[]`) |
| answer, in | call.answered by `answeringNumber` (extension, username, id), else `user[]` (full name) |
| answer, out | agent.state on_call |
| hangup, in, call talking | call.transferred when `cause=forwarded` names another agent, else call.ended |
| hangup, in, call waiting | call.abandoned (every cause: the caller never reached an agent) |
| hangup, out | agent.state after_call_work after an answer, available before one |

Zammad's events carry no time: an event happens when it is received. A
repeat is the same `callId`, event and `cause` (and, for `forwarded`, the
same target), so a phone system's retries are accepted once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from callcenter.error_codes import ErrorCode as SharedCode
from callcenter.errors import ApplicationError
from callcenter.phone_numbers import normalize_number
from floor import protection_selectors
from floor.error_codes import ErrorCode
from floor.models import AgentState, AgentStatus, PhoneEvent, QueueCall
from floor.services import EventOutcome, phone_event_apply, phone_event_record_rejected

EVENTS = ("newCall", "answer", "hangup")
DIRECTIONS = ("in", "out")
CAUSES = ("normalClearing", "busy", "cancel", "noAnswer", "congestion", "notFound", "forwarded")
MAX_CALL_ID = 250  # Zammad's limit
# What phone systems send for a withheld number.
WITHHELD = frozenset({"", "anonymous", "unknown", "private", "restricted", "withheld"})
ANONYMOUS = "anonymous"
# Zammad's answer to a newCall from a blocked number.
REJECT = {"action": "reject", "reason": "busy"}
_TEXT_FIELDS = ("event", "from", "to", "direction", "callId", "queue", "cause", "answeringNumber")


class MalformedEvent(ApplicationError):
    code = SharedCode.INVALID


@dataclass
class ZammadAnswer:
    """What to answer the phone system (`body`, always with 200) and what became of the event."""

    body: dict[str, Any]
    outcome: EventOutcome


def fields_of(data: Any) -> dict[str, Any]:
    """The posted fields as a plain dict: form data (a QueryDict, `user[]`
    repeated) or a JSON object. Raises MalformedEvent for anything else."""
    if hasattr(data, "getlist"):
        plain: dict[str, Any] = {}
        for key in data:
            values = data.getlist(key)
            plain[key] = values if key in ("user", "user[]") or len(values) > 1 else values[0]
        return plain
    if isinstance(data, Mapping):
        return dict(data)
    raise MalformedEvent(_("A Zammad CTI event is a JSON object or form fields."))


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise MalformedEvent(_("Some fields are not valid."), fields={name: [_("Give text.")]})
    return str(value).strip()


def _users(fields: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for key in ("user[]", "user"):
        value = fields.get(key)
        values = value if isinstance(value, list) else [value] if value is not None else []
        for item in values:
            if not isinstance(item, str):
                raise MalformedEvent(_("Some fields are not valid."), fields={key: [_("Give names as text.")]})
            names.append(item)
    return names


def _our_call_id(call_id: str) -> str:
    """Zammad allows 250 characters, our queue 64: longer ids are hashed (the same id, the same hash)."""
    if len(call_id) <= 64:
        return call_id
    return "zammad-" + hashlib.sha256(call_id.encode()).hexdigest()[:48]


def caller_number(raw: str) -> str:
    """The caller key of `from`: as our console reads numbers, or in Zammad's
    international form without the plus (821012345678); withheld ones are 'anonymous'."""
    if raw.lower() in WITHHELD:
        return ANONYMOUS
    try:
        return normalize_number(raw)
    except ValidationError:
        if raw.isascii() and raw.isdigit() and not raw.startswith("0"):
            try:
                return normalize_number("+" + raw)
            except ValidationError:
                pass
    raise MalformedEvent(_("Some fields are not valid."), fields={"from": [str(_("Not a phone number."))]})


def _queue(raw: str) -> str:
    return slugify(raw, allow_unicode=True)[:32] or "general"


def dedupe_key(*, event: str, call_id: str, cause: str, target: str) -> str:
    raw = "|".join(["zammad", event, call_id, cause, target])
    return hashlib.sha256(raw.encode()).hexdigest()


def _parse(fields: dict[str, Any]) -> dict[str, Any]:
    parsed = {name: _text(fields, name) for name in _TEXT_FIELDS}
    parsed["users"] = _users(fields)
    problems: dict[str, list[str]] = {}
    if parsed["event"] not in EVENTS:
        problems["event"] = [_("Give newCall, answer or hangup.")]
    if parsed["direction"] not in DIRECTIONS:
        problems["direction"] = [_("Give in or out.")]
    if not parsed["callId"]:
        problems["callId"] = [_("This field is required.")]
    elif len(parsed["callId"]) > MAX_CALL_ID:
        problems["callId"] = [_("At most 250 characters.")]
    if problems:
        raise MalformedEvent(_("Some fields are not valid."), fields=problems)
    return parsed


def zammad_event_receive(*, data: Any, sender: AbstractBaseUser) -> ZammadAnswer:
    """Translate one Zammad CTI event and apply it as ours. Side effects: those
    of phone_event_apply (a PhoneEvent row first, then the queue, agents'
    states, pushes), or one rejected PhoneEvent row. Raises MalformedEvent for
    a body that is not a Zammad event (nothing applied; the row is kept)."""
    fields = fields_of(data)
    try:
        parsed = _parse(fields)
        mapped = _translate(parsed)
    except MalformedEvent as error:
        outcome = phone_event_record_rejected(
            body=fields, sender=sender, http_status=400, code=error.code, message=error.message, fields=error.fields
        )
        call_id = fields.get("callId")
        _name_rejected(outcome, call_id=str(call_id) if isinstance(call_id, (str, int)) else "")
        raise
    if mapped is None:  # an agent we cannot tell
        outcome = phone_event_record_rejected(
            body=fields,
            sender=sender,
            http_status=409,
            code=ErrorCode.UNKNOWN_AGENT,
            message=_("No agent has this extension, username, id or full name."),
        )
        _name_rejected(outcome, call_id=parsed["callId"])
        return ZammadAnswer({}, outcome)
    data_ours, key = mapped
    if data_ours == BLOCKED_CALL_END:
        return ZammadAnswer({}, _record_blocked_call_end(fields, parsed, sender))
    outcome = phone_event_apply(data=data_ours, body=fields, sender=sender, key=key)
    refused = outcome.status == "blocked" or (
        outcome.status == "duplicate"
        and data_ours["event"] == "call.offered"
        and PhoneEvent.objects.filter(dedupe_key=key, status=PhoneEvent.Status.BLOCKED).exists()
    )
    return ZammadAnswer(dict(REJECT) if refused else {}, outcome)


def _name_rejected(outcome: EventOutcome, *, call_id: str) -> None:
    """A refused event's row carries Zammad's callId (as ours), so admin finds it by call id."""
    if call_id:
        PhoneEvent.objects.filter(pk=outcome.event_id).update(call_id=_our_call_id(call_id.strip()))


# _translate's word for the hangup of a call refused as blocked (nothing to apply)
BLOCKED_CALL_END = "blocked_call_end"


def _translate(parsed: dict[str, Any]) -> tuple[dict[str, Any] | str, str] | None:
    """Our event (or BLOCKED_CALL_END) and its dedupe key; None when the agent cannot be told."""
    event, direction, cause = parsed["event"], parsed["direction"], parsed["cause"]
    call_id = _our_call_id(parsed["callId"])
    at = timezone.now()
    target = parsed["answeringNumber"] if event == "hangup" and cause == "forwarded" else ""
    key = dedupe_key(event=event, call_id=parsed["callId"], cause=cause if event == "hangup" else "", target=target)
    base = {"call_id": call_id, "at": at}
    if direction == "out":
        agent = _outbound_agent(parsed)
        if agent is None:
            return None
        return {**base, "event": "agent.state", "agent": agent, "state": _outbound_state(event, agent)}, key
    if event == "newCall":
        number = caller_number(parsed["from"])
        return {**base, "event": "call.offered", "caller_number": number, "queue": _queue(parsed["queue"])}, key
    if event == "answer":
        agent = _answering_agent(parsed)
        if agent is None:
            return None
        return {**base, "event": "call.answered", "agent": agent}, key
    call = QueueCall.objects.filter(call_id=call_id).only("status", "agent_id", "answered_at").first()
    if call is None:
        if PhoneEvent.objects.filter(call_id=call_id, status=PhoneEvent.Status.BLOCKED).exists():
            return BLOCKED_CALL_END, key
        return {**base, "event": "call.abandoned"}, key  # refused by the rules: no such call
    if call.status == QueueCall.Status.TALKING:
        if cause == "forwarded":
            agent = _answering_agent(parsed)
            if agent is not None and agent.pk != call.agent_id:
                return {**base, "event": "call.transferred", "agent": agent}, key
        return {**base, "event": "call.ended"}, key
    if call.status == QueueCall.Status.WAITING or call.answered_at is None:
        return {**base, "event": "call.abandoned"}, key
    return {**base, "event": "call.ended"}, key  # after its end: a repeat, or refused by the rules


def _answering_agent(parsed: dict[str, Any]) -> AbstractBaseUser | None:
    return protection_selectors.agent_by_phone_name(value=parsed["answeringNumber"]) or (
        protection_selectors.agent_by_full_name(names=parsed["users"])
    )


def _outbound_agent(parsed: dict[str, Any]) -> AbstractBaseUser | None:
    """The agent dialling out: `from` (their extension), else `user[]`, else `answeringNumber`."""
    return (
        protection_selectors.agent_by_phone_name(value=parsed["from"])
        or protection_selectors.agent_by_full_name(names=parsed["users"])
        or protection_selectors.agent_by_phone_name(value=parsed["answeringNumber"])
    )


def _outbound_state(event: str, agent: AbstractBaseUser) -> str:
    if event == "newCall":
        return AgentState.RINGING
    if event == "answer":
        return AgentState.ON_CALL
    state = AgentStatus.objects.filter(agent=agent).values_list("state", flat=True).first()
    return AgentState.AVAILABLE if state == AgentState.RINGING else AgentState.AFTER_CALL_WORK


def _record_blocked_call_end(fields: dict[str, Any], parsed: dict[str, Any], sender: AbstractBaseUser) -> EventOutcome:
    """The phone system ends a call we told it to refuse: kept as blocked, nothing to apply."""
    record = PhoneEvent.objects.create(
        event="call.abandoned",
        call_id=_our_call_id(parsed["callId"]),
        at=timezone.now(),
        body=fields,
        sender=sender,
        status=PhoneEvent.Status.BLOCKED,
        http_status=200,
        error_message=_("The end of a call refused because its number is blocked."),
    )
    return EventOutcome("blocked", 200, record.pk)
