"""Browser journey: an agent opens an imported answer and reads it as lines and lists, safely."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from knowledgebase.tests.factories import FAQEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMPORTED = (
    "ㅁ 문의 \xa0- 서울함 공원은 언제 여나요? \xa0 ㅁ 답변 \xa0- 관람시간은 다음과 같습니다. \xa0\xa0"
    "○ 평일 : 10:00~19:00\xa0\xa0○ 주말 : 10:00~20:00 \xa0\xa0 "
    "※ 문의 02-332-7500, 홈페이지 www.seoulbattleshippark.com "
    "\xa0\xa0○ <img src=x onerror=\"document.title='pwned'\"> javascript:alert(1) "
    "<script>document.title='pwned'</script>"
)


def test_an_imported_answer_reads_as_lines_with_links_and_copies_as_clean_text(page, live_server_url, make_user):
    make_user(Role.AGENT, username="seoyeon", password="pw-seoyeon-1")
    FAQEntryFactory(
        question_ko="서울함 공원 관람시간",
        answer_ko=IMPORTED,
        review_by=timezone.localdate() - timedelta(days=10),
    )
    login(page, live_server_url, "seoyeon", "pw-seoyeon-1")
    page.fill("#kb-q", "서울함 공원")
    expect(page.locator("#kb-results li")).to_have_count(1)
    # past its review date: the result list says so before the answer is opened
    expect(page.locator("#kb-results li .kb-badge-review")).to_have_text("검토 기한 지남")
    screenshot(page, "kb-results-review-overdue")
    page.press("#kb-q", "Enter")
    answer = page.locator("#kb-answer-text")
    answer.wait_for(state="visible")

    # the markers became headings and list items
    expect(answer.locator("h4")).to_have_text(["문의", "답변"])
    items = answer.locator("ul.kb-list > li")
    expect(items.filter(has_text="평일 : 10:00~19:00")).to_have_count(1)
    expect(items.filter(has_text="주말 : 10:00~20:00")).to_have_count(1)
    # the phone number dials, the address opens in a new tab
    expect(answer.locator('a[href="tel:023327500"]')).to_have_text("02-332-7500")
    site = answer.locator('a[href="https://www.seoulbattleshippark.com"]')
    expect(site).to_have_attribute("target", "_blank")
    expect(site).to_have_attribute("rel", "noopener noreferrer")
    # hostile text from the data is shown as text and never runs
    expect(answer).to_contain_text("<script>document.title='pwned'</script>")
    expect(answer).to_contain_text("javascript:alert(1)")
    assert answer.locator("img, script").count() == 0
    assert page.title() != "pwned"
    assert answer.locator('a[href^="javascript"]').count() == 0

    # past its review date: the agent sees it before reading it out
    review = page.locator("#kb-answer-review")
    expect(review).to_be_visible()
    expect(review).to_have_text("검토 기한 지남")
    screenshot(page, "kb-answer-structured")

    # the copy button copies clean text: lines, no markup, no layout spaces
    page.evaluate("navigator.clipboard.writeText = async (text) => { window.__copied = text; }")
    page.click("#kb-copy")
    page.wait_for_function("window.__copied !== undefined")
    copied = page.evaluate("window.__copied")
    assert copied.split("\n")[:3] == ["■ 문의", "- 서울함 공원은 언제 여나요?", ""]
    assert "• 평일 : 10:00~19:00" in copied.split("\n")
    assert "\xa0" not in copied and "<h4" not in copied and "<li" not in copied
