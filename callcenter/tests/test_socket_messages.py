"""Every socket message has a dotted name, a row in docs/realtime.md, and the payload that row says.

The names: what services publish (an AST scan of every services module), what the sockets
send themselves (their snapshots, `session.ended`), what the pages' scripts listen for, and
what the table lists must agree. The payloads: each message is produced the way the console
produces it (the phone system's events through the API, a referral's life, a missing-person
case, a sign-out) and its keys compared with its row.
"""

from __future__ import annotations

import ast
import importlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from callcenter import realtime
from callcenter.permissions import Role

ROOT = Path(settings.BASE_DIR)
DOC = ROOT / "docs" / "realtime.md"
DOTTED = re.compile(r"^[a-z]+\.[a-z_]+$")


def documented() -> dict[str, str]:
    """message name -> its table row."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        found = re.match(r"^\| `([a-z_.]+)` \|", line)
        if found:
            rows[found.group(1)] = line
    return rows


def published_names() -> set[str]:
    """Dotted string constants handed to publish() or to a services module's own publishing helper."""
    names = set()
    for path in ROOT.rglob("services.py"):
        if ".venv" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = getattr(node.func, "attr", None) or getattr(node.func, "id", "")
            if "publish" not in func:
                continue
            for arg in [*node.args, *(keyword.value for keyword in node.keywords)]:
                for part in ast.walk(arg):  # a name may sit in a conditional: "a.b" if x else "a.c"
                    if isinstance(part, ast.Constant) and isinstance(part.value, str) and DOTTED.match(part.value):
                        names.add(part.value)
    return names


def consumers() -> list[type]:
    from callcenter.routing import websocket_urlpatterns

    found = []
    for pattern in websocket_urlpatterns:
        app = pattern.callback
        found.append(getattr(app, "consumer_class", None) or getattr(app, "cls", None))
    return [consumer for consumer in found if consumer is not None]


def test_every_name_is_dotted_and_in_the_one_table():
    table = documented()
    assert all(DOTTED.match(name) for name in table), [name for name in table if not DOTTED.match(name)]
    sent = published_names() | {realtime.SESSION_ENDED} | {consumer.SNAPSHOT for consumer in consumers()}
    assert sent <= set(table), sent - set(table)
    # every row is a message something sends (or, for snapshot.requested, the pages may send)
    assert set(table) - sent == {"snapshot.requested"}


def test_the_pages_scripts_listen_only_for_documented_messages():
    table = set(documented())
    heard = set()
    for path in (ROOT / "static" / "js").glob("*.js"):
        heard |= set(re.findall(r"""message\.type\s*[!=]==\s*["']([^"']+)["']""", path.read_text(encoding="utf-8")))
    assert heard, "the scan found no listeners"
    assert heard <= table, heard - table


# --- payloads --------------------------------------------------------------------------------
@pytest.fixture
def published(monkeypatch):
    """(event, payload as sent, groups) of every publish after commit."""
    module = importlib.import_module("callcenter.realtime.publish")
    sent: list[tuple[str, dict, tuple]] = []

    def deliver(event, payload, groups, coalesce):
        sent.append((event, payload() if callable(payload) else payload, groups))

    monkeypatch.setattr(module, "_deliver", deliver)
    return sent


def keys_of(published, name: str) -> set[str]:
    payloads = [payload for event, payload, _ in published if event == name]
    assert payloads, f"nothing published {name}"
    return set(payloads[-1])


def in_row(name: str, keys: set[str]) -> set[str]:
    """The keys the table's row for `name` does not mention."""
    row = documented()[name]
    return {key for key in keys if f"`{key}`" not in row}


WALLBOARD = {
    "generated_at",
    "operating_day",
    "day_starts",
    "calls_waiting",
    "calls_waiting_by_queue",
    "longest_wait_seconds",
    "oldest_waiting_since",
    "agents",
    "agents_staffed",
    "agents_after_call_work_overdue",
    "agent_list",
    "offered_today",
    "answered_today",
    "abandoned_today",
    "blocked_today",
    "service_level",
    "asa_seconds",
    "aht_seconds",
    "abandon_rate",
    "occupancy",
    "satisfaction",
    "calls_by_category",
    "surges",
    "calls_per_hour",
    "calls_per_hour_last_week",
    "erlang",
    "shift",
    "targets",
    "missed",
}
QUEUE = {"calls_waiting", "calls_waiting_by_queue", "longest_wait_seconds", "oldest_waiting_since", "generated_at"}
SCREEN_POP = {
    "call_id",
    "caller_number",
    "number_withheld",
    "language",
    "queue",
    "category",
    "answered_at",
    "wait_seconds",
    "transferred",
}


@pytest.mark.django_db
def test_the_floors_messages(published, make_user, api_as, django_capture_on_commit_callbacks):
    pbx = api_as(make_user(Role.PHONE_SYSTEM, username="pbx_schema"))
    make_user(Role.AGENT, username="agent_schema")
    now = timezone.now()
    offered = {
        "event": "call.offered",
        "call_id": "schema-1",
        "at": (now - timedelta(seconds=20)).isoformat(),
        "caller_number": "010-2345-6789",
        "queue": "general",
    }
    answered = {"event": "call.answered", "call_id": "schema-1", "at": now.isoformat(), "agent": "agent_schema"}
    for body in (offered, answered):
        with django_capture_on_commit_callbacks(execute=True):
            assert pbx.post("/api/cti/events/", body, format="json").status_code == 201

    assert keys_of(published, "wallboard.updated") == WALLBOARD
    assert keys_of(published, "queue.updated") == QUEUE
    assert keys_of(published, "agent.state_changed") == {"state", "label", "since"}
    assert keys_of(published, "call.screen_pop") == SCREEN_POP
    for name, keys in (
        ("wallboard.updated", WALLBOARD),
        ("queue.updated", QUEUE),
        ("agent.state_changed", {"state", "label", "since"}),
        ("call.screen_pop", SCREEN_POP),
    ):
        assert not in_row(name, keys), (name, in_row(name, keys))


REFERRAL = {"referral", "from"}
URGENT = {
    "id",
    "service",
    "service_name_ko",
    "service_name_en",
    "status",
    "priority",
    "vulnerable",
    "reason",
    "created_at",
    "accept_due_at",
}


@pytest.mark.django_db
def test_the_referrals_messages(published, make_user, django_capture_on_commit_callbacks):
    from inquiries.tests.factories import CallFactory
    from referrals import services
    from referrals.tests.factories import ServiceFactory

    agent = make_user(Role.AGENT, username="agent_ref_schema")
    admin = make_user(Role.ADMIN, username="admin_ref_schema")
    service = ServiceFactory(slug="schema-legal", kind="partner")
    call = CallFactory(agent=agent)
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_create(
            call=call, service=service, reason="전세 사기", consent=True, actor=agent, priority="urgent"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_transition(referral=referral, actor=admin, to="accepted")
        services.referral_transition(
            referral=referral, actor=admin, to="scheduled", scheduled_for=timezone.now() + timedelta(days=1)
        )
        services.referral_transition(referral=referral, actor=admin, to="completed", outcome="상담 완료")
    followup = referral.followups.get() if hasattr(referral, "followups") else referral.followup
    with django_capture_on_commit_callbacks(execute=True):
        services.followup_complete(followup=followup, actor=agent, outcome="solved")

    for name, keys in (
        ("referral.created", REFERRAL),
        ("referral.updated", REFERRAL),
        ("referral.urgent", URGENT),
        ("followup.due", {"followup"}),
        ("followup.closed", {"followup"}),
    ):
        assert keys_of(published, name) == keys, name
        assert not in_row(name, keys), (name, in_row(name, keys))


@pytest.mark.django_db
def test_the_safety_messages(published, make_user, django_capture_on_commit_callbacks):
    from inquiries.tests.factories import CallFactory
    from referrals.tests.factories import ServiceFactory
    from safety import services

    agent = make_user(Role.AGENT, username="agent_safety_schema")
    ServiceFactory(slug=settings.SAFETY_HANDOFF_SERVICE, kind="emergency", contact="112")
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_open(
            call=CallFactory(agent=agent),
            actor=agent,
            kind="child",
            name="이영희",
            age=6,
            last_seen_place="서울숲",
            last_seen_at=timezone.now(),
            guardian_number="010-7777-1234",
            consent=True,
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transition(case=case, actor=agent, to="found")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transition(case=case, actor=agent, to="closed")
    for name in ("safety.case_opened", "safety.case_updated", "safety.case_closed"):
        assert keys_of(published, name) == {"case"}, name
        assert not in_row(name, {"case"})
        case_keys = {key for _, payload, _ in published if _ for key in payload.get("case", {})}
        assert {"id", "kind", "status", "last_seen_place", "last_seen_at", "sightings"} <= case_keys
        assert not {"name", "guardian_number"} & case_keys  # never a name or a number


@pytest.mark.django_db
def test_session_ended_has_no_payload(published, django_capture_on_commit_callbacks):
    from callcenter.services import sockets_end_for_session

    with django_capture_on_commit_callbacks(execute=True):
        sockets_end_for_session(session_key="k" * 32)
    assert [(event, payload) for event, payload, _ in published] == [("session.ended", {})]


@pytest.mark.django_db
def test_the_snapshots(make_user):
    rows = documented()
    supervisor = make_user(Role.SUPERVISOR, username="super_snap")
    agent = make_user(Role.AGENT, username="agent_snap")
    by_name = {consumer.SNAPSHOT: consumer for consumer in consumers()}
    assert set(by_name) == {"wallboard.snapshot", "agent.snapshot", "referrals.snapshot"}

    wallboard = by_name["wallboard.snapshot"]().snapshot(supervisor)
    assert set(wallboard) == WALLBOARD | {"urgent_referrals", "urgent_calls", "safety_cases"}
    assert "`urgent_referrals`" in rows["wallboard.snapshot"] and "`safety_cases`" in rows["wallboard.snapshot"]

    mine = by_name["agent.snapshot"]().snapshot(agent)
    assert set(mine) == {"me", "queue", "safety_cases", "safety_acknowledged"}
    assert set(mine["queue"]) == QUEUE
    assert not in_row("agent.snapshot", set(mine))

    desk = by_name["referrals.snapshot"]().snapshot(agent)
    assert set(desk) == {"referrals", "followups"}
    assert not in_row("referrals.snapshot", set(desk))


def test_a_sockets_frame_carries_the_documented_shape():
    by_name = {consumer.SNAPSHOT: consumer for consumer in consumers()}
    board = by_name["wallboard.snapshot"]()
    assert board.frame("wallboard.updated", '{"n":1}') == '{"type":"wallboard.updated","stats":{"n":1}}'
    assert board.frame("wallboard.snapshot", '{"n":1}') == '{"type":"wallboard.snapshot","stats":{"n":1}}'
    assert board.frame("referral.urgent", '{"n":1}') == '{"type":"referral.urgent","data":{"n":1}}'
    desk = by_name["referrals.snapshot"]()
    assert desk.frame("referral.created", "{}") == '{"type":"referral.created","data":{}}'
