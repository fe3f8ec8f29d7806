"""Journey: a supervisor watches a night shift's wallboard across midnight (a test
clock in the browser server and in the browser): the day's and the shift's figures
carry on past 00:00, and start again at 08:00, when the operating day turns."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from floor import roster_services
from floor.models import ShiftAssignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SEOUL = ZoneInfo("Asia/Seoul")


def post_events(base_url: str, token: str, body) -> dict:
    request = urllib.request.Request(  # noqa: S310 (the test's own server)
        f"{base_url}/api/cti/events/",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def a_call(base_url: str, token: str, call_id: str, at: datetime, agent: str) -> None:
    """Offered, answered 6 s later by `agent`, ended 50 s later (the agent then in after-call work)."""
    events = [
        {"event": "call.offered", "call_id": call_id, "at": at.isoformat(), "caller_number": "010-2345-6789"},
        {"event": "call.answered", "call_id": call_id, "at": (at + timedelta(seconds=6)).isoformat(), "agent": agent},
        {"event": "call.ended", "call_id": call_id, "at": (at + timedelta(seconds=50)).isoformat()},
    ]
    for event in events:
        assert post_events(base_url, token, event)["status"] == "applied", event


def test_a_night_shifts_wallboard_across_midnight(live_server_url, server_clock, page, make_user, phone_system):
    # given: the night shift 19:00-08:00, an agent rostered on it on 2 February 2027
    roster_services.shift_ensure(name_ko="주간", name_en="Day", starts=time(8, 0), ends=time(19, 0))
    night = roster_services.shift_ensure(name_ko="야간", name_en="Night", starts=time(19, 0), ends=time(8, 0))
    evening = datetime(2027, 2, 2, 23, 57, 0, tzinfo=SEOUL)
    nightowl = make_user(Role.AGENT, username="night_owl", first_name="별", last_name="한")
    ShiftAssignment.objects.create(agent=nightowl, shift=night, day=evening.date())
    make_user(Role.SUPERVISOR, username="night_super", password="pw-night-1")
    token = Token.objects.create(user=phone_system).key
    # the server and the browser both at 23:59 on 2 February (the clocks run on from there);
    # each call below is reported after it ended, as a phone system does
    server_clock.set(evening + timedelta(minutes=2))
    page.clock.install(time=evening + timedelta(minutes=2))

    login(page, live_server_url, "night_super", "pw-night-1")
    page.wait_for_url("**/wallboard/")
    expect(page.locator("#wallboard")).to_have_attribute("data-live-state", "open")
    expect(page.get_by_test_id("wb-shift")).to_have_text("야간 19:00–08:00")
    offered = page.get_by_test_id("tile-offered_today").locator(".wb-value")

    # two calls before midnight
    a_call(live_server_url, token, "night-1", evening + timedelta(seconds=10), "night_owl")
    a_call(live_server_url, token, "night-2", evening + timedelta(minutes=1), "night_owl")
    expect(offered).to_have_text("2")
    expect(page.get_by_test_id("wb-shiftbar")).to_contain_text("인입 2 · 응답 2")

    # midnight passes: 00:00:20 on 3 February, a third call
    after_midnight = datetime(2027, 2, 3, 0, 0, 20, tzinfo=SEOUL)
    server_clock.set(after_midnight + timedelta(minutes=1))
    page.clock.set_system_time(after_midnight + timedelta(minutes=1))
    a_call(live_server_url, token, "night-3", after_midnight, "night_owl")
    # the day's and the shift's figures carry on: 3, not 1
    expect(offered).to_have_text("3")
    expect(page.get_by_test_id("wb-shiftbar")).to_contain_text("인입 3 · 응답 3")
    expect(page.get_by_test_id("wb-shift")).to_have_text("야간 19:00–08:00")
    agent_row = page.get_by_test_id("wb-agents").locator("li", has_text="별")
    expect(agent_row).to_contain_text("3")  # answered today
    screenshot(page, "wallboard-night-after-midnight")

    # a new page load (a snapshot, not a push) says the same, on a phone too
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#wallboard")).to_have_attribute("data-live-state", "open")
    expect(offered).to_have_text("3")
    expect(page.get_by_test_id("wb-shift")).to_have_text("야간 19:00–08:00")
    screenshot(page, "wallboard-night-390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the wallboard is {width} px wide at 390 px"
    page.set_viewport_size({"width": 1400, "height": 900})

    # 08:00:05: the operating day turns and the day shift begins; the night's figures stay with the night
    morning = datetime(2027, 2, 3, 8, 0, 5, tzinfo=SEOUL)
    server_clock.set(morning + timedelta(minutes=1))
    page.clock.set_system_time(morning + timedelta(minutes=1))
    a_call(live_server_url, token, "day-1", morning, "night_owl")
    expect(offered).to_have_text("1")
    expect(page.get_by_test_id("tile-calls_waiting").locator(".wb-value")).to_have_text("0")
    expect(page.get_by_test_id("tile-offered_today").locator(".wb-sub").first).to_contain_text("응답 1건")
    expect(page.get_by_test_id("wb-shift")).to_contain_text("주간 08:00–19:00")
    screenshot(page, "wallboard-next-morning")
