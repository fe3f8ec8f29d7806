"""Journeys: a phone system drives a whole call with the real `py-zammad-cti`
client; an agent flags an abusive caller, reads the warning and ends the call,
a supervisor blocks the number, the next call is refused, the block expires."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token
from zammad_cti import CTIClient

from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from floor import protection_services, stats
from floor.models import AbuseFlag, CallerBlock, QueueCall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zammad_client(live_server_url, reference_data, phone_system) -> CTIClient:
    """The PyPI client, pointed at our endpoint exactly as at a Zammad's."""
    token = Token.objects.create(user=phone_system).key
    return CTIClient(url=f"{live_server_url}/api/cti/zammad/{token}/")


def agent_at_console(page, live_server_url, make_user, username, extension):
    agent = make_user(Role.AGENT, username=username, password="pw-zammad-1", first_name="민수", last_name="김")
    protection_services.agent_extension_set(agent=agent, extension=extension)
    login(page, live_server_url, username, "pw-zammad-1")
    page.wait_for_url("**/console/")
    page.locator("#qp-sign-in").click()
    expect(page.get_by_test_id("qp-state")).to_have_text("대기 중")
    return agent


def test_a_whole_call_from_py_zammad_cti_moves_the_console_and_the_days_figures(
    live_server_url, page, make_user, zammad_client
):
    agent_at_console(page, live_server_url, make_user, "zammad_agent", "2041")
    waiting = page.get_by_test_id("qp-waiting")
    expect(waiting).to_have_text("0")

    # newCall: the caller is in the queue
    assert zammad_client.new_call("01055550100", "120", "in", "ast-1714793400.7", queue="general") == {}
    expect(waiting).to_have_text("1")

    # answer, by the agent's extension: the screen pop fills the form in
    assert zammad_client.answer("01055550100", "120", "in", "ast-1714793400.7", answering_number="2041") == {}
    expect(page.get_by_test_id("qp-pop")).to_contain_text("010-****-0100")  # the banner masks it
    expect(page.locator("#f-caller-number")).to_have_value("010-5555-0100")
    expect(page.locator('input[name="phone_call_id"]')).to_have_value("ast-1714793400.7")
    expect(waiting).to_have_text("0")
    expect(page.get_by_test_id("qp-state")).to_have_text("통화 중")

    # hangup: after-call work, and the day's figures count the answered call
    assert zammad_client.hangup("01055550100", "120", "in", "ast-1714793400.7", "normalClearing", "2041") == {}
    expect(page.get_by_test_id("qp-state")).to_have_text("후처리")
    expect(page.locator("#qp-answered")).to_have_text("1")
    day = stats.wallboard_stats()
    assert (day["offered_today"], day["answered_today"], day["abandoned_today"]) == (1, 1, 0)
    screenshot(page, "console-zammad-call")


def test_an_agent_flags_an_abusive_call_and_a_supervisor_blocks_the_number(
    live_server_url, page, browser, make_user, zammad_client
):
    agent = agent_at_console(page, live_server_url, make_user, "abused_agent", "2050")
    zammad_client.new_call("010-7777-1234", "120", "in", "abuse-1")
    zammad_client.answer("010-7777-1234", "120", "in", "abuse-1", answering_number="2050")

    # the screen pop brings the abusive-caller panel, one button; Alt+X opens it from the form
    panel = page.get_by_test_id("protection-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#pp-form")).to_be_hidden()
    page.keyboard.press("Alt+x")
    expect(page.locator("input[name=kind][value=verbal_abuse]")).to_be_focused()
    page.get_by_label("위협").check()
    page.locator("#pp-note").fill("죽여버리겠다고 반복")
    page.locator("#pp-flag").click()

    # the warning script appears in Korean and English; one key records it was read
    warning = page.get_by_test_id("pp-warning")
    expect(warning.locator('.pp-script[data-kind="threat"] [lang="ko"]')).to_contain_text("위협에 해당")
    expect(warning.locator('.pp-script[data-kind="threat"] [lang="en"]')).to_contain_text("is a threat")
    expect(warning.locator('.pp-script[data-kind="verbal_abuse"]')).to_be_hidden()
    expect(page.locator("#pp-end")).to_be_disabled()
    screenshot(page, "console-abusive-caller-warning")
    page.keyboard.press("Alt+w")
    expect(page.locator("#pp-end")).to_be_enabled()
    page.keyboard.press("Alt+e")
    expect(page.get_by_test_id("pp-status")).to_contain_text("통화 종료를 기록했습니다")
    flag = AbuseFlag.objects.get()
    assert (flag.agent, flag.kind, flag.caller_number) == (agent, "threat", "01077771234")
    assert flag.warning_read_at and flag.ended_at and flag.warning_read_at <= flag.ended_at
    zammad_client.hangup("010-7777-1234", "120", "in", "abuse-1", "normalClearing", "2050")

    # a supervisor reviews the flag and blocks the number for 7 days
    make_user(Role.SUPERVISOR, username="abuse_super", password="pw-zammad-2")
    boss = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul").new_page()
    login(boss, live_server_url, "abuse_super", "pw-zammad-2")
    boss.get_by_role("link", name="악성 민원").click()
    row = boss.locator(f'tr[data-flag="{flag.pk}"]')
    expect(row).to_contain_text("010-****-1234")
    expect(row).to_contain_text("죽여버리겠다고 반복")
    expect(boss.get_by_test_id("flags-table")).not_to_contain_text("010-7777-1234")
    row.get_by_role("button", name="번호 차단").click()
    expect(boss.get_by_test_id("blocks-table")).to_contain_text("010-****-1234")
    expect(row.get_by_test_id("flag-blocked")).to_be_visible()
    block = CallerBlock.objects.get()
    assert block.number == "01077771234" and block.flag == flag and block.created_by.username == "abuse_super"
    assert 6.9 < (block.until - timezone.now()).total_seconds() / 86400 <= 7

    # the phone system's next newCall from the number is refused; the board counts it
    assert zammad_client.new_call("01077771234", "120", "in", "abuse-2") == {"action": "reject", "reason": "busy"}
    assert not QueueCall.objects.filter(call_id="abuse-2").exists()
    boss.reload()
    expect(boss.get_by_test_id("blocked-attempts")).to_contain_text("1")
    screenshot(boss, "abuse-review-blocked")

    # eight days pass and the block ends by itself (no job: "in force" is a query
    # condition). The server runs in another process, so instead of moving its
    # clock forward the test moves the block's times back by eight days.
    eight_days = timedelta(days=8)
    CallerBlock.objects.update(starts_at=F("starts_at") - eight_days, until=F("until") - eight_days)
    assert zammad_client.new_call("01077771234", "120", "in", "abuse-3") == {}
    assert QueueCall.objects.get(call_id="abuse-3").status == "waiting"
    boss.reload()
    expect(boss.get_by_test_id("blocks-count")).to_have_text("0")
    boss.context.close()


def test_the_review_page_is_refused_to_agents(live_server_url, page, make_user):
    make_user(Role.AGENT, username="nosy_agent", password="pw-zammad-3")
    login(page, live_server_url, "nosy_agent", "pw-zammad-3")
    assert page.goto(f"{live_server_url}/abuse/").status == 403
