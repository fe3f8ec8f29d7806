"""Browser journey: an agent signs in, types a number, sees the history, logs the call by keyboard."""

import pytest

from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from inquiries.models import Call
from inquiries.services import call_log
from knowledgebase.models import Category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_logs_a_call_with_the_keyboard(page, live_server_url, make_user):
    agent = make_user(Role.AGENT, username="jieun", password="pw-jieun-1")
    call_log(
        agent=agent,
        caller_number="010-2345-6789",
        category=Category.objects.get(slug="water"),
        summary="지난주 녹물 신고, 수질검사 안내",
    )

    login(page, live_server_url, "jieun", "pw-jieun-1")
    page.wait_for_url(f"{live_server_url}/console/")
    assert page.locator("#f-caller-number").evaluate("el => el === document.activeElement")

    # the agent types the number as the caller says it: the history appears
    page.keyboard.type("+82 10 2345 6789")
    history = page.locator("#history-list li")
    history.first.wait_for()
    assert "녹물" in history.first.inner_text()
    assert "1" in page.locator("#history-status").inner_text()

    # Tab to the category, pick by typing, summary, then Enter saves
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the first category, 수도 (water)
    page.keyboard.press("Tab")
    page.keyboard.type("수질검사 결과 문의, 문자로 안내 예정")
    page.keyboard.press("Enter")

    saved = page.locator("#calls-today li").first
    saved.filter(has_text="수질검사 결과 문의").wait_for()
    assert "010-****-6789" in saved.inner_text()
    assert page.locator("#f-caller-number").input_value() == ""  # cleared for the next call
    assert page.locator("#f-caller-number").evaluate("el => el === document.activeElement")
    screenshot(page, "console-after-save")

    call = Call.objects.latest("id")
    assert (call.caller.number, call.category.slug, call.agent) == ("01023456789", "water", agent)
    assert call.ended_at is not None and call.ended_at >= call.started_at


def test_errors_appear_next_to_the_field_in_the_users_language(page, live_server_url, make_user):
    make_user(Role.AGENT, username="minjun", password="pw-minjun-1")
    login(page, live_server_url, "minjun", "pw-minjun-1")

    page.fill("#f-caller-number", "12")
    page.press("#f-caller-number", "Enter")

    error = page.locator("#error-caller_number")
    error.wait_for()
    assert "전화번호" in error.inner_text()
    assert page.locator("#f-caller-number").get_attribute("aria-invalid") == "true"
    assert page.locator("#error-category").is_visible()
    assert Call.objects.count() == 0

    # the same in English after switching the UI language
    page.click("button.lang-btn[value=en]")
    page.wait_for_load_state()
    page.fill("#f-caller-number", "12")
    page.press("#f-caller-number", "Enter")
    page.locator("#error-caller_number").wait_for()
    assert "Enter a phone number" in page.locator("#error-caller_number").inner_text()


def test_agent_logs_a_walk_in_without_a_number(page, live_server_url, make_user):
    agent = make_user(Role.AGENT, username="seoyeon", password="pw-seoyeon-1")
    login(page, live_server_url, "seoyeon", "pw-seoyeon-1")
    page.wait_for_url(f"{live_server_url}/console/")

    # a walk-in: the channel 방문 suggests "no number" and turns the number field off
    page.select_option("#f-channel", "visit")
    assert page.locator("#f-number-status").input_value() == "none"
    assert page.locator("#f-caller-number").is_disabled()
    assert "이력" in page.locator("#history-status").inner_text()
    page.select_option("#f-category", "water")
    page.fill("#f-summary", "방문 민원: 수도요금 감면 서류 안내")
    page.press("#f-summary", "Enter")

    saved = page.locator("#calls-today li").first
    saved.filter(has_text="수도요금 감면").wait_for()
    assert "번호 없음" in saved.inner_text()
    assert not page.locator("#f-caller-number").is_disabled()  # the next call has a number again
    screenshot(page, "console-walk-in")

    call = Call.objects.get(agent=agent)
    assert (call.caller, call.number_status, call.channel) == (None, "none", "visit")
