"""Browser journeys of the console's small things: Esc asks first, the call's length,
"/" and Ctrl+K to the search, one 24-hour clock, and the screens at a phone's 390 px."""

import pytest
from playwright.sync_api import expect

from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from inquiries.models import Call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agent_page(page, live_server_url, make_user):
    make_user(Role.AGENT, username="jiho", password="pw-jiho-1")
    login(page, live_server_url, "jiho", "pw-jiho-1")
    page.wait_for_url(f"{live_server_url}/console/")
    return page


def test_esc_asks_before_clearing_and_keeps_the_screen_popped_call_unless_confirmed(agent_page):
    page = agent_page
    page.evaluate("window.DasanConsole.prefill({caller_number: '010-2345-6789', phone_call_id: 'pbx-77'})")
    page.fill("#f-summary", "단수 문의")
    questions = []

    # the agent says no: everything stays, the link to the phone call too
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.press("#f-summary", "Escape")
    assert page.locator("#f-summary").input_value() == "단수 문의"
    assert page.locator("input[name=phone_call_id]").input_value() == "pbx-77"
    assert "전화" in questions[0]  # it says the phone call's link would go

    # yes: the form is cleared
    page.once("dialog", lambda dialog: dialog.accept())
    page.press("#f-summary", "Escape")
    assert page.locator("#f-summary").input_value() == ""
    assert page.locator("input[name=phone_call_id]").input_value() == ""

    # an empty form clears without a question
    page.once("dialog", lambda dialog: questions.append("asked again") or dialog.dismiss())
    page.press("#f-caller-number", "Escape")
    assert questions == questions[:1]


def test_the_length_counts_and_a_typed_length_is_saved(agent_page):
    page = agent_page
    page.fill("#f-caller-number", "010-2345-6789")
    expect(page.locator("#f-duration")).to_have_value("0:01", timeout=5000)  # counting from the first key
    page.select_option("#f-category", "water")
    page.fill("#f-summary", "녹물 문의")
    page.fill("#f-duration", "4:05")
    page.press("#f-summary", "Enter")

    row = page.locator("#calls-today li").first
    row.filter(has_text="녹물 문의").wait_for()
    assert "4:05" in row.inner_text()
    assert Call.objects.get().duration.total_seconds() == 245

    page.fill("#f-duration", "four minutes")
    page.press("#f-duration", "Enter")
    page.locator("#error-duration").wait_for()
    assert "분:초" in page.locator("#error-duration").inner_text()


def test_slash_and_ctrl_k_go_to_the_search_and_the_hint_shows_the_one_that_works(agent_page):
    page = agent_page
    hint = page.get_by_test_id("kb-shortcut")
    search = page.locator("#kb-q")

    # typing in a text field: "/" is a character, the hint says Ctrl+K, and Ctrl+K works
    page.fill("#f-summary", "")
    page.focus("#f-summary")
    page.keyboard.type("A/S 문의")
    assert page.locator("#f-summary").input_value() == "A/S 문의"
    expect(hint).to_have_text("Ctrl+K")
    page.keyboard.press("Control+k")
    expect(search).to_be_focused()
    expect(hint).to_have_text("/")

    # from a select (not a text field) "/" goes to the search
    page.focus("#f-category")
    page.keyboard.press("/")
    expect(search).to_be_focused()


def test_one_24_hour_clock(agent_page):
    page = agent_page
    assert page.evaluate("Dasan.formatClock('2026-03-03T19:38:00Z')") == "04:38"
    assert page.evaluate("Dasan.formatClock('2026-03-03T15:05:09Z', true)") == "00:05:09"
    assert "오전" not in page.evaluate("Dasan.formatTime('2026-03-03T19:38:00Z')")


LINES_PER_WORD = """(selector) => {
  // every piece of text inside the elements: more lines than words means a word was broken
  const broken = [];
  document.querySelectorAll(selector).forEach((el) => {
    if (!el.offsetParent) return;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (!text) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0);
      const lines = new Set(rects.map((r) => Math.round(r.bottom))).size;
      const words = text.split(/\\s+/).length;
      if (lines > words) broken.push({ text, lines, words });
    }
  });
  return broken;
}"""


def test_at_390_px_no_hangul_word_breaks_a_syllable_a_line(page, live_server_url, make_user):
    from referrals.services import referral_create
    from referrals.tests.factories import ServiceFactory

    page.set_viewport_size({"width": 390, "height": 844})
    agent = make_user(Role.AGENT, username="yerin", password="pw-yerin-1")
    partner = make_user(Role.PARTNER, username="desk1", password="pw-desk1-1")
    service = ServiceFactory(slug="dasan-plaza-legal", name_ko="다산플라자 무료법률상담", name_en="Legal counsel")
    service.members.add(partner)
    from inquiries.services import call_log
    from knowledgebase.models import Category

    call, _ = call_log(
        agent=agent,
        caller_number="010-1111-2222",
        category=Category.objects.get(slug="water"),
        summary="임대차 분쟁 상담 요청",
    )
    referral_create(call=call, service=service, reason="전세 보증금 반환 분쟁 상담", consent=True, actor=agent)

    login(page, live_server_url, "yerin", "pw-yerin-1")
    page.wait_for_url(f"{live_server_url}/console/")
    screenshot(page, "console-390")
    assert page.evaluate(LINES_PER_WORD, ".topbar a, .topbar .whoami, .topbar button, .console label") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.click("text=로그아웃")
    login(page, live_server_url, "desk1", "pw-desk1-1")
    page.wait_for_url(f"{live_server_url}/desk/")
    page.locator("#desk-rows tr").first.wait_for()
    screenshot(page, "desk-390")
    assert page.evaluate(LINES_PER_WORD, ".topbar a, .topbar button, .desk-table th, .desk-table td") == []


def test_a_screen_pop_of_a_withheld_number_logs_the_call_as_withheld(agent_page):
    page = agent_page
    # what console_queue.js passes on for a screen pop with number_withheld
    page.evaluate("window.DasanConsole.prefill({number_status: 'withheld', phone_call_id: 'pbx-9'})")
    assert page.locator("#f-caller-number").is_disabled()
    page.select_option("#f-category", "water")
    page.fill("#f-summary", "발신번호 표시 제한 민원")
    page.press("#f-summary", "Enter")

    page.locator("#calls-today li").first.filter(has_text="발신번호 표시 제한").wait_for()
    assert "번호 비공개" in page.locator("#calls-today li").first.inner_text()
    call = Call.objects.get()
    assert (call.number_status, call.caller, call.phone_call_id) == ("withheld", None, "pbx-9")
