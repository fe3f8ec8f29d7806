"""Journeys: a supervisor watches the wallboard move when the phone system posts
events; an agent gets a screen pop in the console."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from callcenter.models import AccessLog
from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def post_events(base_url: str, token: str, body) -> dict:
    request = urllib.request.Request(  # noqa: S310 (the test's own server)
        f"{base_url}/api/cti/events/",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


@pytest.fixture
def pbx_token(reference_data, phone_system) -> str:
    return Token.objects.create(user=phone_system).key


def test_supervisor_watches_the_wallboard_move(live_server_url, page, make_user, pbx_token):
    make_user(Role.SUPERVISOR, username="board_super", password="pw-board-1")
    login(page, live_server_url, "board_super", "pw-board-1")

    # supervisors land on the wallboard, in Korean
    page.wait_for_url("**/wallboard/")
    expect(page.get_by_role("heading", name="실시간 상황판")).to_be_visible()
    board = page.locator("#wallboard")
    expect(board).to_have_attribute("data-live-state", "open")
    waiting = page.get_by_test_id("tile-calls_waiting").locator(".wb-value")
    expect(waiting).to_have_text("0")

    # a caller enters the queue: the tile counts them
    now = timezone.now()
    offer = {
        "event": "call.offered",
        "call_id": "browser-1",
        "at": (now - timedelta(seconds=40)).isoformat(),
        "caller_number": "010-2345-6789",
        "queue": "general",
    }
    assert post_events(live_server_url, pbx_token, offer)["status"] == "applied"
    expect(waiting).to_have_text("1")
    expect(page.get_by_test_id("tile-offered_today").locator(".wb-value")).to_have_text("1")

    # they hang up after 40 s: the abandon rate misses its target and turns red
    abandon = {"event": "call.abandoned", "call_id": "browser-1", "at": now.isoformat()}
    assert post_events(live_server_url, pbx_token, abandon)["status"] == "applied"
    expect(waiting).to_have_text("0")
    abandon_tile = page.get_by_test_id("tile-abandon_rate")
    expect(abandon_tile.locator(".wb-value")).to_have_text("100.0%")
    expect(abandon_tile).to_have_attribute("data-missed", "true")
    expect(page.get_by_test_id("tile-calls_waiting")).to_have_attribute("data-missed", "false")
    screenshot(page, "wallboard-supervisor")

    # the same board in English
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Live wallboard")).to_be_visible()
    expect(page.get_by_test_id("tile-abandon_rate")).to_have_attribute("data-missed", "true")


def test_an_agent_refused_the_wallboard_page(live_server_url, page, make_user):
    make_user(Role.AGENT, username="board_agent", password="pw-board-2")
    login(page, live_server_url, "board_agent", "pw-board-2")
    response = page.goto(f"{live_server_url}/wallboard/")
    assert response.status == 403


def test_agent_gets_a_screen_pop_with_the_form_filled_in(live_server_url, page, make_user, pbx_token):
    make_user(Role.AGENT, username="pop_agent", password="pw-pop-1")
    login(page, live_server_url, "pop_agent", "pw-pop-1")
    page.wait_for_url("**/console/")

    # the agent signs in to the shift from the console and becomes available
    page.locator("#qp-sign-in").click()
    expect(page.get_by_test_id("qp-state")).to_have_text("대기 중")

    now = timezone.now()
    post_events(
        live_server_url,
        pbx_token,
        [
            {
                "event": "call.offered",
                "call_id": "pop-77",
                "at": (now - timedelta(seconds=9)).isoformat(),
                "caller_number": "010-5555-0100",
                "queue": "general",
            },
            {"event": "call.answered", "call_id": "pop-77", "at": now.isoformat(), "agent": "pop_agent"},
        ],
    )

    # the banner shows the number masked; the form gets it in full through the logged reveal
    expect(page.get_by_test_id("qp-pop")).to_contain_text("010-****-0100")
    expect(page.locator("#f-caller-number")).to_have_value("010-5555-0100")
    expect(page.locator('input[name="phone_call_id"]')).to_have_value("pop-77")
    assert AccessLog.objects.filter(
        user__username="pop_agent", subject="caller:01055550100", target="queuecall:pop-77"
    ).exists()
    expect(page.get_by_test_id("qp-state")).to_have_text("통화 중")
    screenshot(page, "console-screen-pop")

    # the call ends: after-call work, which the agent ends from the console
    post_events(
        live_server_url, pbx_token, {"event": "call.ended", "call_id": "pop-77", "at": timezone.now().isoformat()}
    )
    expect(page.get_by_test_id("qp-state")).to_have_text("후처리")
    page.locator("#qp-end-wrap").click()
    expect(page.get_by_test_id("qp-state")).to_have_text("대기 중")


def test_an_agent_long_in_after_call_work_stands_apart_on_the_wallboard(live_server_url, page, make_user):
    from floor.models import AgentState, AgentStatus

    make_user(Role.SUPERVISOR, username="acw_super", password="pw-acw-1")
    stuck = make_user(Role.AGENT, username="acw_stuck", first_name="오래")
    AgentStatus.objects.create(
        agent=stuck, state=AgentState.AFTER_CALL_WORK, since=timezone.now() - timedelta(minutes=10)
    )
    login(page, live_server_url, "acw_super", "pw-acw-1")
    page.wait_for_url("**/wallboard/")

    agent = page.locator('#wb-agents li[data-username="acw_stuck"]')
    expect(agent).to_have_class("wb-agent wb-agent-after_call_work wb-agent-overdue")
    expect(page.get_by_test_id("erlang-overdue")).to_contain_text("1")
    expect(page.locator("#v-erlang-staffed")).to_have_text("0")  # not counted as staffed
    expect(page.get_by_test_id("erlang-plan")).to_contain_text("30%")  # the shrinkage it plans with
    screenshot(page, "wallboard-after-call-work")
