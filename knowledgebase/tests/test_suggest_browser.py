"""Browser journeys: answers suggested from the call's summary; how each result matched; the search log."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from knowledgebase.models import SearchLog
from knowledgebase.tests.factories import FAQEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_answers_are_suggested_while_the_summary_is_typed_and_the_call_teaches_search(page, live_server_url, make_user):
    make_user(Role.AGENT, username="hana", password="pw-hana-1")
    water = FAQEntryFactory(
        question_ko="수돗물 수질검사 무료 신청", answer_ko="○ 120으로 신청하면 수도사업소가 방문해 검사합니다."
    )
    FAQEntryFactory(question_ko="수돗물 녹물 대처", answer_ko="물을 2~3분 흘려보내세요.")
    login(page, live_server_url, "hana", "pw-hana-1")
    page.wait_for_url(f"{live_server_url}/console/")

    language_field = page.locator("#f-language")
    before = language_field.bounding_box()
    page.click("#f-summary")
    page.keyboard.type("수돗물 수질검사 받고 싶다는 문의")
    suggestions = page.locator("#kb-suggest-list button")
    # (the server's first search may load the model: up to a minute on a busy machine)
    expect(suggestions.first).to_contain_text("수돗물 수질검사 무료 신청", timeout=60_000)
    assert 1 <= suggestions.count() <= 3
    expect(page.locator("#kb-suggest-label")).to_be_visible()
    expect(page.locator("#kb-suggest-label")).to_contain_text("추천 답변")
    # no layout jump: the fields under the summary did not move
    assert language_field.bounding_box() == before
    screenshot(page, "kb-suggested-while-logging")

    # F2 opens the first suggestion from the summary, focus stays in the call
    page.keyboard.press("F2")
    expect(page.locator("#kb-answer-question")).to_have_text("수돗물 수질검사 무료 신청")
    # ↓ reaches the suggestions, Enter opens one (and does not save the call)
    page.click("#kb-close")
    page.click("#f-summary")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('kb-suggestion')")
    page.keyboard.press("Enter")
    expect(page.locator("#kb-answer-question")).to_have_text("수돗물 수질검사 무료 신청")
    expect(page.locator("#calls-today li")).to_have_count(0)
    page.click("#kb-use")

    # a typed search that finds nothing is recorded once its results have settled
    def is_record(response):
        return "/api/kb/searches/" in response.url and response.request.method == "POST"

    # (a loaded machine may take seconds to answer: the record goes out 1.5 s after the results)
    with page.expect_response(is_record, timeout=60_000) as recorded:
        page.fill("#kb-q", "정수기 렌탈 해지 010-9876-5432")
    assert recorded.value.json()["query"] == "정수기 렌탈 해지"  # the caller's number never reaches the log
    expect(page.locator("#kb-status")).to_contain_text("답변을 찾지 못했습니다")

    # the call is logged with the suggested entry: each search gets its outcome
    page.fill("#f-caller-number", "010-2345-6789")
    page.select_option("#f-category", "water")
    page.press("#f-summary", "Enter")
    page.locator("#calls-today li").filter(has_text="수돗물 수질검사 받고 싶다는 문의").wait_for()
    expect(page.locator("#kb-suggest-list button")).to_have_count(0)  # cleared for the next call

    suggested = SearchLog.objects.get(source="suggestion")
    assert (suggested.query, suggested.linked_entry_id, suggested.linked_rank) == (
        "수돗물 수질검사 받고 싶다는 문의",
        water.pk,
        1,
    )
    typed = SearchLog.objects.get(source="search")
    assert typed.closed_at is not None and typed.linked_entry_id is None  # a question without an answer
    assert water.phrasings.filter(text="수돗물 수질검사 받고 싶다는 문의").exists()


def test_each_result_says_how_it_matched(page, live_server_url, make_user):
    make_user(Role.AGENT, username="doyun", password="pw-doyun-1")
    login(page, live_server_url, "doyun", "pw-doyun-1")

    def hit(pk, question, **fields):
        return {"id": pk, "external_id": None, "category": "waste", "language": "ko", "question": question,
                "answer_excerpt": "…", "score": 0.5, "match": "lexical", "low_confidence": False,
                "similarity": None, "fallback": False, **fields}  # fmt: skip

    body = {
        "results": [
            hit(1, "대형폐기물 배출 방법", match="semantic", similarity=0.91),
            hit(2, "폐가전 무상 방문수거", match="both", similarity=0.88),
            hit(3, "음식물 쓰레기 봉투", match="semantic", low_confidence=True, similarity=0.79),
        ],
        "total": 3,
        "took_ms": 9.0,
        "semantic": True,
    }
    page.route("**/api/kb/search?*", lambda route: route.fulfill(json=body))
    page.select_option("#f-language", "en")  # an English-speaking caller: Korean text is a fallback
    page.fill("#kb-q", "how do I throw away a fridge")
    rows = page.locator("#kb-results li")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator(".kb-badge-meaning")).to_have_text("비슷한 뜻")
    expect(rows.nth(1).locator(".kb-badge-meaning")).to_have_count(0)  # words and meaning: no badge
    expect(rows.nth(2)).to_have_class("kb-low")
    expect(rows.nth(2).locator(".kb-badge-low")).to_have_text("불확실")
    for index in range(3):
        expect(rows.nth(index).locator(".kb-badge-fallback")).to_have_text("한국어")
    screenshot(page, "kb-results-match-badges")
