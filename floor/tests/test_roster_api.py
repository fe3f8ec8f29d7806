"""The roster's API: good, bad and hostile input, and the roles that may not."""

import json
from datetime import time, timedelta
from urllib.parse import quote

import pytest

from callcenter.permissions import Role
from callcenter.testing.hostile import HOSTILE_TEXT, HOSTILE_TIMES, WRONG_TYPES
from callcenter.workdays import operating_day
from floor import roster_services
from floor.models import ShiftAssignment
from floor.roster_selectors import week_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_shift(reference_data):
    return roster_services.shift_ensure(name_ko="주간", name_en="Day", starts=time(8, 0), ends=time(19, 0))


@pytest.fixture
def night_shift(reference_data):
    return roster_services.shift_ensure(name_ko="야간", name_en="Night", starts=time(19, 0), ends=time(8, 0))


@pytest.fixture
def monday():
    return week_start(day=operating_day()) + timedelta(days=7)


def assert_error_shape(response, status=400):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "message", "fields"}
    assert body["message"]
    return body


def test_the_week_as_the_grid_shows_it(api_as, supervisor, agent, day_shift, night_shift, monday):
    roster_services.roster_cell_set(agent=agent, day=monday + timedelta(days=2), shift=night_shift)
    answer = api_as(supervisor).get("/api/roster/", {"week": (monday + timedelta(days=3)).isoformat()})
    assert answer.status_code == 200
    week = answer.json()
    assert week["start"] == monday.isoformat()
    assert len(week["days"]) == 7
    assert {shift["name_en"] for shift in week["shifts"]} == {"Day", "Night"}
    row = next(row for row in week["rows"] if row["agent"] == agent.username)
    assert row["shifts"] == [None, None, night_shift.pk, None, None, None, None]
    assert row["signed_in"] is False


def test_set_and_clear_a_cell(api_as, supervisor, agent, night_shift, monday):
    client = api_as(supervisor)
    answer = client.post(
        "/api/roster/cells/",
        {"agent": agent.username, "date": monday.isoformat(), "shift": night_shift.pk},
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json() == {"agent": agent.username, "date": monday.isoformat(), "shift": night_shift.pk}
    assert ShiftAssignment.objects.get(agent=agent).day == monday
    answer = client.post(
        "/api/roster/cells/", {"agent": agent.username, "date": monday.isoformat(), "shift": None}, format="json"
    )
    assert answer.json()["shift"] is None
    assert not ShiftAssignment.objects.exists()


def test_an_overlap_is_a_400_that_says_which_cell(api_as, supervisor, agent, night_shift, monday):
    early = roster_services.shift_ensure(name_ko="조조", name_en="Early", starts=time(7, 0), ends=time(16, 0))
    roster_services.roster_cell_set(agent=agent, day=monday, shift=night_shift)
    tuesday = (monday + timedelta(days=1)).isoformat()
    answer = api_as(supervisor).post(
        "/api/roster/cells/", {"agent": agent.username, "date": tuesday, "shift": early.pk}, format="json"
    )
    body = assert_error_shape(answer)
    assert body["error"] == "roster_overlap"
    assert f"{agent.username} {tuesday}" in body["fields"]
    assert ShiftAssignment.objects.count() == 1


def test_copy_a_week_and_fill_a_range(api_as, supervisor, agent, other_agent, day_shift, night_shift, monday):
    client = api_as(supervisor)
    last = monday - timedelta(days=7)
    answer = client.post(
        "/api/roster/fill/",
        {
            "agents": [agent.username, other_agent.username],
            "from": last.isoformat(),
            "to": (last + timedelta(days=6)).isoformat(),
            "shift": day_shift.pk,
        },
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["written"] == 14
    answer = client.post("/api/roster/copy-week/", {"from": last.isoformat(), "to": monday.isoformat()}, format="json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["written"] == 14
    assert body["week"]["start"] == monday.isoformat()
    assert ShiftAssignment.objects.filter(day__gte=monday).count() == 14


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/roster/cells/", {"agent": "nobody", "date": "2026-12-07", "shift": None}),
        ("/api/roster/cells/", {"agent": "AGENT", "date": "2026-13-45", "shift": None}),
        ("/api/roster/cells/", {"agent": "AGENT", "date": "DATE"}),
        ("/api/roster/cells/", {"agent": "AGENT", "date": "DATE", "shift": 2**63}),
        ("/api/roster/cells/", {"agent": "AGENT", "date": "DATE", "shift": 999999}),
        ("/api/roster/cells/", {"agent": "AGENT", "date": "0001-01-01", "shift": "SHIFT"}),
        ("/api/roster/copy-week/", {"from": "DATE", "to": "DATE"}),
        ("/api/roster/copy-week/", {"from": "DATE+1", "to": "DATE+7"}),  # not Mondays
        ("/api/roster/copy-week/", {"from": "DATE"}),
        ("/api/roster/fill/", {"agents": [], "from": "DATE", "to": "DATE", "shift": "SHIFT"}),
        ("/api/roster/fill/", {"agents": "AGENT", "from": "DATE", "to": "DATE", "shift": "SHIFT"}),
        ("/api/roster/fill/", {"agents": ["AGENT"], "from": "DATE+7", "to": "DATE", "shift": "SHIFT"}),
        ("/api/roster/fill/", {"agents": ["AGENT"], "from": "DATE", "to": "DATE+365", "shift": "SHIFT"}),
        ("/api/roster/fill/", {"agents": ["SUPERVISOR"], "from": "DATE", "to": "DATE", "shift": "SHIFT"}),
    ],
)
def test_bad_input_is_a_400_and_changes_nothing(api_as, supervisor, agent, day_shift, monday, path, body):
    names = {"AGENT": agent.username, "SUPERVISOR": supervisor.username}

    def fill(value):
        if isinstance(value, list):
            return [fill(item) for item in value]
        if value == "SHIFT":
            return day_shift.pk
        if isinstance(value, str) and value.startswith("DATE"):
            extra = int(value[5:] or 0) if "+" in value else 0
            return (monday + timedelta(days=extra)).isoformat()
        return names.get(value, value) if isinstance(value, str) else value

    answer = api_as(supervisor).post(path, {key: fill(value) for key, value in body.items()}, format="json")
    assert_error_shape(answer)
    assert not ShiftAssignment.objects.exists()


@pytest.mark.parametrize("value", [*HOSTILE_TEXT, *HOSTILE_TIMES, *WRONG_TYPES])
def test_hostile_values_in_every_field(api_as, supervisor, agent, day_shift, monday, value):
    client = api_as(supervisor)
    good = {"agent": agent.username, "date": monday.isoformat(), "shift": day_shift.pk}
    for name in good:
        if name == "shift" and value is None:
            continue  # null is a day off
        answer = client.post("/api/roster/cells/", json.dumps({**good, name: value}), content_type="application/json")
        assert_error_shape(answer)
        assert "\x00" not in answer.content.decode()
    week = (value if isinstance(value, str) else str(value)).encode("utf-8", "surrogatepass")
    answer = client.get("/api/roster/?week=" + quote(week))
    assert answer.status_code in (200, 400)
    if answer.status_code == 400:
        assert_error_shape(answer)
    assert not ShiftAssignment.objects.exists()


@pytest.mark.parametrize("role", [Role.AGENT, Role.PARTNER, Role.PHONE_SYSTEM])
def test_agents_and_partners_cannot_see_or_edit_the_roster(api_as, make_user, agent, day_shift, monday, role):
    client = api_as(make_user(role))
    assert_error_shape(client.get("/api/roster/"), status=403)
    cell = {"agent": agent.username, "date": monday.isoformat(), "shift": day_shift.pk}
    assert_error_shape(client.post("/api/roster/cells/", cell, format="json"), status=403)
    copy = {"from": (monday - timedelta(days=7)).isoformat(), "to": monday.isoformat()}
    assert_error_shape(client.post("/api/roster/copy-week/", copy, format="json"), status=403)
    fill = {"agents": [agent.username], "from": monday.isoformat(), "to": monday.isoformat(), "shift": day_shift.pk}
    assert_error_shape(client.post("/api/roster/fill/", fill, format="json"), status=403)
    assert not ShiftAssignment.objects.exists()


def test_without_sign_in_it_is_401(api, monday):
    assert_error_shape(api.get("/api/roster/"), status=401)


def test_admins_edit_the_roster_too(api_as, admin_user, agent, day_shift, monday):
    answer = api_as(admin_user).post(
        "/api/roster/cells/",
        {"agent": agent.username, "date": monday.isoformat(), "shift": day_shift.pk},
        format="json",
    )
    assert answer.status_code == 200


def test_the_page_shows_the_grid_to_supervisors_only(client, supervisor, agent, make_user, day_shift):
    # Seollal 2027 (6-9 February) is in the week of Monday 8 February
    client.force_login(supervisor)
    page = client.get("/roster/", {"week": "2027-02-08"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="roster-grid"' in html
    assert "설날" in html or "Korean New Year" in html
    assert agent.get_full_name() or agent.username in html
    assert client.get("/roster/", {"week": "2027-13-45"}).status_code == 400
    client.force_login(make_user(Role.AGENT))
    assert client.get("/roster/").status_code == 403
