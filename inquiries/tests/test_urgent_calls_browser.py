"""Journey: an agent logs an urgent call that nobody could settle yet; the supervisor's wallboard
counts and lists it on the "urgent open" tile at once; the agent corrects it to answered and it
leaves the tile."""

import pytest
from playwright.sync_api import expect

from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from inquiries.models import Call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_urgent_call_without_a_referral_shows_on_the_wallboard(
    live_server_url, page, browser, make_user, reference_data
):
    make_user(Role.SUPERVISOR, username="urgent_super", password="pw-urgent-super")
    make_user(Role.AGENT, username="urgent_agent", password="pw-urgent-agent")
    login(page, live_server_url, "urgent_super", "pw-urgent-super")
    page.wait_for_url("**/wallboard/")
    expect(page.locator("#wallboard")).to_have_attribute("data-live-state", "open")
    tile = page.get_by_test_id("tile-urgent_open")
    expect(tile.locator(".wb-value")).to_have_text("0")

    context = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul")
    console = context.new_page()
    login(console, live_server_url, "urgent_agent", "pw-urgent-agent")
    console.wait_for_url("**/console/")
    console.fill("#f-caller-number", "010-2345-6789")
    console.select_option("#f-category", "welfare")
    console.fill("#f-summary", "독거 어르신이 쓰러진 것 같다는 이웃의 전화, 주민센터 확인 중")
    console.select_option("#f-resolution", "callback_needed")
    console.check("#f-urgent")
    console.click("#call-save")
    console.locator(".toast").first.wait_for()
    call = Call.objects.get()

    # the wallboard counts it and says what it is, live
    item = tile.locator(f'li[data-call-id="{call.pk}"]')
    expect(item).to_contain_text("긴급 통화 · 복지 · 회신 필요")
    expect(tile.locator(".wb-value")).to_have_text("1")
    expect(tile).to_have_class("wb-tile wb-missed")
    assert "6789" not in tile.inner_text() and "어르신" not in tile.inner_text()  # no number, no summary
    screenshot(page, "wallboard-urgent-call")

    # a reload's snapshot still has it
    page.reload()
    expect(item).to_be_visible()
    expect(tile.locator(".wb-value")).to_have_text("1")

    # settled: the agent corrects the call on its page, and it leaves the tile
    console.goto(f"{live_server_url}/calls/{call.pk}/")
    console.select_option("#k-resolution", "answered")
    console.click("#correct-save")
    expect(item).to_have_count(0)
    expect(tile.locator(".wb-value")).to_have_text("0")
    context.close()
