"""The agent's own state and shift from the console, the wallboard's HTTP reads, shifts, admin."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from callcenter.permissions import Role
from floor.models import AgentStateChange, AgentStatus, QueueCall, Shift, ShiftAssignment, ShiftSession
from floor.services import shift_current

pytestmark = pytest.mark.django_db


def test_agent_signs_in_takes_a_break_comes_back_and_signs_out(api_as, agent):
    client = api_as(agent)
    response = client.post("/api/agent/shift/", {"action": "sign_in"}, format="json")
    assert response.status_code == 200
    assert response.json()["me"]["state"] == "available" and response.json()["me"]["signed_in"] is True

    assert client.post("/api/agent/state/", {"state": "break"}, format="json").json()["me"]["state"] == "break"
    assert client.post("/api/agent/state/", {"state": "available"}, format="json").json()["me"]["state"] == "available"

    response = client.post("/api/agent/shift/", {"action": "sign_out"}, format="json")
    assert response.json()["me"]["state"] == "offline" and response.json()["me"]["signed_in"] is False
    session = ShiftSession.objects.get()
    assert session.signed_out_at is not None
    assert [c.to_state for c in AgentStateChange.objects.order_by("id")] == [
        "available",
        "break",
        "available",
        "offline",
    ]


def test_agent_ends_after_call_work_from_the_console(api_as, agent, post_event, clock):
    client = api_as(agent)
    client.post("/api/agent/shift/", {"action": "sign_in"}, format="json")
    now = timezone.now()
    post_event(
        {
            "event": "call.offered",
            "call_id": "w1",
            "at": (now - timedelta(seconds=50)).isoformat(),
            "caller_number": "01012345678",
        }
    )
    post_event(
        {"event": "call.answered", "call_id": "w1", "at": (now - timedelta(seconds=40)).isoformat(), "agent": "agent_a"}
    )
    post_event({"event": "call.ended", "call_id": "w1", "at": (now - timedelta(seconds=10)).isoformat()})
    assert AgentStatus.objects.get(agent=agent).state == "after_call_work"

    response = client.post("/api/agent/state/", {"state": "available"}, format="json")

    assert response.status_code == 200
    call = QueueCall.objects.get()
    assert call.wrap_seconds >= 10 and call.handle_seconds == pytest.approx(30 + call.wrap_seconds)


@pytest.mark.parametrize("body", [{"state": "on_call"}, {"state": "offline"}, {"state": ""}, {}])
def test_agent_may_only_choose_available_or_break(api_as, agent, body):
    client = api_as(agent)
    client.post("/api/agent/shift/", {"action": "sign_in"}, format="json")
    response = client.post("/api/agent/state/", body, format="json")
    assert response.status_code == 400
    assert "state" in response.json()["fields"]


def test_state_change_before_sign_in_is_409(api_as, agent):
    response = api_as(agent).post("/api/agent/state/", {"state": "available"}, format="json")
    assert response.status_code == 409


def test_signing_in_twice_and_out_without_sign_in_are_409(api_as, agent):
    client = api_as(agent)
    assert client.post("/api/agent/shift/", {"action": "sign_out"}, format="json").status_code == 409
    client.post("/api/agent/shift/", {"action": "sign_in"}, format="json")
    response = client.post("/api/agent/shift/", {"action": "sign_in"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "already_signed_in"
    assert client.post("/api/agent/shift/", {"action": "dance"}, format="json").status_code == 400


def test_cannot_sign_out_during_a_call(api_as, agent, post_event):
    client = api_as(agent)
    client.post("/api/agent/shift/", {"action": "sign_in"}, format="json")
    now = timezone.now()
    post_event({"event": "call.offered", "call_id": "x", "at": now.isoformat(), "caller_number": "01012345678"})
    post_event({"event": "call.answered", "call_id": "x", "at": now.isoformat(), "agent": "agent_a"})
    assert client.post("/api/agent/shift/", {"action": "sign_out"}, format="json").status_code == 409


def test_sign_in_uses_the_roster(api_as, agent):
    night = Shift.objects.create(name_ko="야간", name_en="Night", starts=time(19), ends=time(8))
    ShiftAssignment.objects.create(shift=night, agent=agent, day=timezone.localdate())
    api_as(agent).post("/api/agent/shift/", {"action": "sign_in"}, format="json")
    assert ShiftSession.objects.get().shift == night


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.PARTNER, Role.PHONE_SYSTEM])
def test_agent_endpoints_refuse_non_staff(api_as, make_user, role):
    client = api_as(make_user(role))
    expected = 200 if role == Role.SUPERVISOR else 403  # supervisors sit in for agents
    assert client.get("/api/agent/status/").status_code == expected


@pytest.mark.parametrize(("role", "status"), [(Role.SUPERVISOR, 200), (Role.ADMIN, 200), (Role.AGENT, 403)])
def test_wallboard_stats_api_is_for_supervisors_and_admins(api_as, make_user, role, status):
    response = api_as(make_user(role)).get("/api/wallboard/stats/")
    assert response.status_code == status
    if status == 200:
        assert "service_level" in response.json()


def test_daily_report_has_the_day_and_each_shift(api_as, supervisor):
    response = api_as(supervisor).get("/api/wallboard/daily/", {"date": "2026-05-04"})
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == "2026-05-04"
    assert body["day"]["offered"] == 0
    assert [s["name"] for s in body["shifts"]] == ["주간"]
    assert api_as(supervisor).get("/api/wallboard/daily/", {"date": "not-a-date"}).status_code == 400


def test_the_day_shift_exists_and_a_night_shift_runs_past_midnight(reference_data):
    day = Shift.objects.get(name_en="Day")
    assert (day.starts, day.ends) == (time(8), time(19))
    night = Shift.objects.create(name_ko="야간", name_en="Night", starts=time(19), ends=time(8))
    start, end = night.window(date(2026, 5, 4))
    assert (end - start) == timedelta(hours=13)
    tz = timezone.get_current_timezone()
    at_two = timezone.datetime(2026, 5, 5, 2, 0, tzinfo=tz)
    assert shift_current(at=at_two)[0] == night  # began the evening before
    at_noon = timezone.datetime(2026, 5, 5, 12, 0, tzinfo=tz)
    assert shift_current(at=at_noon)[0] == day


def test_admin_lists_the_queue_models(client, admin_user):
    client.force_login(admin_user)
    for model in ("shift", "shiftassignment", "phoneevent", "queuecall", "agentstatus", "agentstatechange"):
        assert client.get(f"/admin/floor/{model}/").status_code == 200, model


def test_supervisor_lands_on_the_wallboard(client, supervisor, agent):
    client.force_login(supervisor)
    assert client.get("/").url == "/wallboard/"
    page = client.get("/wallboard/")
    assert page.status_code == 200
    client.force_login(agent)
    assert client.get("/").url == "/console/"
    assert client.get("/wallboard/").status_code == 403


def test_admin_links_from_before_the_move_lead_to_the_floor(client, admin_user):
    """The floor's models were under /admin/inquiries/ before floor 0001: old links and bookmarks still work."""
    client.force_login(admin_user)
    response = client.get("/admin/inquiries/queuecall/?status=waiting")
    assert response.status_code == 301
    assert response["Location"] == "/admin/floor/queuecall/?status=waiting"
    assert client.get(response["Location"]).status_code == 200
    # the calls themselves stay where they were
    assert client.get("/admin/inquiries/call/").status_code == 200
