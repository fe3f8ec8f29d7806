"""Browser journey: an admin finds the questions agents could not answer and writes an entry for one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from knowledgebase.models import FAQEntry
from knowledgebase.search_log_services import search_log_outcome_record, search_log_record
from knowledgebase.tests.factories import FAQEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_writes_an_entry_for_a_frequent_question_without_an_answer(page, live_server_url, make_user):
    make_user(Role.ADMIN, username="jiwoo", password="pw-jiwoo-1", is_staff=True)
    bulky = FAQEntryFactory(question_ko="대형폐기물 배출 방법", answer_ko="스티커를 붙여 내놓습니다.")
    for query, times in [("냉장고 버리는 방법", 3), ("냉장고 버리는 법", 2), ("여권 재발급 010-1234-5678", 1)]:
        for _ in range(times):
            search_log_record(query=query)
    answered = search_log_record(query="대형폐기물", results=[bulky.pk])
    search_log_outcome_record(search_ids=[answered.pk], linked_entries=[bulky])

    login(page, live_server_url, "jiwoo", "pw-jiwoo-1")
    page.goto(f"{live_server_url}/admin/knowledgebase/faqentry/")
    link = page.get_by_role("link", name="답이 없는 질문")
    expect(link).to_have_attribute("href", "/admin/knowledgebase/searchlog/unanswered/")
    # the page embeds the queries to group them (the model may still be loading on a busy machine)
    page.goto(f"{live_server_url}/admin/knowledgebase/searchlog/unanswered/", timeout=60_000)
    rows = page.locator("#kb-unanswered tbody tr")
    first = rows.first
    expect(first).to_have_attribute("data-query", "냉장고 버리는 방법")
    grouped = "의미로 묶음" in page.locator("#content").inner_text()
    if grouped:  # the model is on: the two ways of asking are one question
        expect(first.locator(".kb-count")).to_have_text("5")
        expect(first.locator(".kb-phrasings li")).to_have_count(2)
    else:  # words only: the same words are one question
        expect(first.locator(".kb-count")).to_have_text("3")
    expect(first.locator("td").nth(2)).to_have_text("한국어")  # the caller's language by name, not "ko"
    expect(page.locator("#kb-unanswered")).not_to_contain_text("대형폐기물")  # it ended in a link
    expect(page.locator("#kb-unanswered")).to_contain_text("여권 재발급")
    expect(page.locator("#kb-unanswered")).not_to_contain_text("010-1234-5678")  # never stored
    screenshot(page, "kb-unanswered-questions")

    # another period, then back to this one
    week = page.get_by_role("link", name="7일")
    expect(week).to_have_attribute("href", "?days=7")
    page.goto(f"{live_server_url}/admin/knowledgebase/searchlog/unanswered/?days=7", timeout=60_000)
    expect(page.locator('.kb-periods a[aria-current="true"]')).to_have_text("7일")
    expect(rows.first).to_have_attribute("data-query", "냉장고 버리는 방법")

    # "write an entry" opens the add form with the question filled in
    rows.first.get_by_role("link", name="답변 작성").click()
    page.wait_for_url("**/admin/knowledgebase/faqentry/add/**")
    expect(page.locator("#id_question_ko")).to_have_value("냉장고 버리는 방법")
    if grouped:
        expect(page.locator("#id_keywords")).to_have_value("냉장고 버리는 법")
    page.select_option("#id_category", label="기타")
    page.select_option("#id_status", "published")
    page.fill("#id_answer_ko", "냉장고는 폐가전 무상 방문수거(1599-0903)로 버릴 수 있습니다.")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_be_visible()
    created = FAQEntry.objects.get(question_ko="냉장고 버리는 방법")
    assert created.status == FAQEntry.Status.PUBLISHED
