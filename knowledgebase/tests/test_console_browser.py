"""Browser journey: an agent searches the FAQ from the console, opens an answer, links it to the call."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from knowledgebase.models import ProducePrice, Synonym
from knowledgebase.services import produce_prices_save, synonyms_add
from knowledgebase.tests.factories import FAQEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_finds_an_answer_and_links_it_to_the_call(page, live_server_url, make_user, reference_data, api_as):
    agent = make_user(Role.AGENT, username="jieun", password="pw-jieun-1")
    water_test = FAQEntryFactory(
        question_ko="수돗물 수질검사는 어떻게 신청하나요?",
        answer_ko="120 또는 수도사업소에 전화로 수질검사를 신청하면 무료로 검사합니다.",
        question_en="How do I request a tap water test?",
        answer_en="Call 120 or the Waterworks Office; the test is free.",
    )
    korean_only = FAQEntryFactory(question_ko="수돗물 녹물 대처 방법", answer_ko="2~3분 물을 흘려보내세요.")

    login(page, live_server_url, "jieun", "pw-jieun-1")
    page.wait_for_url(f"{live_server_url}/console/")

    # "/" jumps to the search box (from outside a text field)
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    assert page.locator("#kb-q").evaluate("el => el === document.activeElement")

    # results come as the agent types, particles and all
    page.keyboard.type("수질검사를")
    results = page.locator("#kb-results li")
    # auto-waiting: a slow machine may still show the results of a shorter prefix for a moment
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("수질검사")
    expect(results.first.locator(".kb-result-excerpt mark").first).to_be_visible()

    # the caller speaks English: Enter opens the answer in English
    page.select_option("#f-language", "en")
    page.locator("#kb-q").focus()
    page.keyboard.press("Enter")
    page.locator("#kb-answer").wait_for(state="visible")
    expect(page.locator("#kb-answer-text")).to_contain_text("Call 120 or the Waterworks Office")
    assert page.locator("#kb-answer-fallback").is_hidden()
    page.click("#kb-use")
    page.locator("#kb-linked li").first.wait_for()
    assert page.locator("#kb-use").get_attribute("aria-pressed") == "true"

    # an entry without English falls back to Korean, with a visible badge; arrows move in the list
    page.click("#kb-close")
    page.fill("#kb-q", "수돗물")  # one input event: one search, so the list does not re-render under the arrows
    expect(page.locator("#kb-results li")).to_have_count(2)
    page.keyboard.press("ArrowDown")
    selected = page.locator('#kb-results li[aria-selected="true"]')
    assert selected.count() == 1
    target = selected.get_attribute("data-entry-id")
    page.keyboard.press("Enter")
    page.locator("#kb-answer").wait_for(state="visible")
    if target == str(korean_only.pk):
        page.locator("#kb-answer-fallback").wait_for(state="visible")
        assert "2~3분" in page.locator("#kb-answer-text").inner_text()
    else:  # the other order: go back and open the Korean-only one
        page.click("#kb-close")
        page.keyboard.press("ArrowUp")
        page.keyboard.press("Enter")
        page.locator("#kb-answer-fallback").wait_for(state="visible")
    assert (
        "Korean" in page.locator("#kb-answer-fallback").inner_text()
        or "한국어" in page.locator("#kb-answer-fallback").inner_text()
    )
    screenshot(page, "kb-console-fallback")

    # the agent logs the call: the linked entry goes with it
    page.fill("#f-caller-number", "010-2345-6789")
    page.select_option("#f-category", "water")
    page.fill("#f-summary", "수질검사 신청 방법 안내")
    page.press("#f-summary", "Enter")
    page.locator("#calls-today li").filter(has_text="수질검사 신청 방법 안내").wait_for()
    expect(page.locator("#kb-linked-box")).to_be_hidden()  # cleared for the next call

    calls = api_as(agent).get("/api/calls/").json()["results"]
    assert calls[0]["faq_entries"] == [water_test.pk]
    water_test.refresh_from_db()
    korean_only.refresh_from_db()
    assert (water_test.usage_count, korean_only.usage_count) == (1, 0)


def test_a_chinese_question_finds_the_korean_only_answer_through_the_glossary(
    page, live_server_url, make_user, reference_data
):
    make_user(Role.AGENT, username="minho", password="pw-minho-1")
    passport = FAQEntryFactory(
        question_ko="여권을 잃어버렸을 때 재발급 신청",
        answer_ko="가까운 구청 여권과에 분실신고를 하고 재발급을 신청합니다.",
    )
    synonyms_add(
        groups=["여권, passport, 护照, 護照, パスポート", "분실, loss, 丢失, 遗失, 紛失"], kind=Synonym.Kind.GLOSSARY
    )

    login(page, live_server_url, "minho", "pw-minho-1")
    page.wait_for_url(f"{live_server_url}/console/")
    page.select_option("#f-language", "zh")
    page.fill("#kb-q", "我的护照丢失了怎么办")
    first = page.locator("#kb-results li").first
    expect(first).to_have_attribute("data-entry-id", str(passport.pk))
    # the Korean words the caller's Chinese was carried into are marked, so the agent sees why it matched
    expect(first.locator(".kb-result-excerpt mark").first).to_have_text("여권")
    page.locator("#kb-q").focus()
    page.keyboard.press("Enter")
    page.locator("#kb-answer-fallback").wait_for(state="visible")
    expect(page.locator("#kb-answer-text")).to_contain_text("재발급")
    # the caller's Chinese is drawn in the vendored Noto Sans SC: this machine has no Chinese font of its own
    page.wait_for_function(
        "[...document.fonts].some((face) => face.family.includes('Noto Sans SC') && face.status === 'loaded')"
    )
    screenshot(page, "kb-console-glossary-zh")


def test_a_cabbage_price_search_shows_the_price_and_chart(page, live_server_url, make_user, reference_data):
    make_user(Role.AGENT, username="minjun", password="pw-minjun-1")
    latest = date(2023, 4, 7)
    produce_prices_save(
        prices=[
            ProducePrice(
                item="배추",
                variety="월동(10kg)",
                grade="상품",
                unit="10kg",
                price=10880 - back * 10,
                date=latest - timedelta(days=back),
            )
            for back in range(400)
        ]
    )
    login(page, live_server_url, "minjun", "pw-minjun-1")
    page.fill("#kb-q", "배추값")
    price = page.locator("#kb-price")
    price.wait_for(state="visible")
    expect(page.locator("#kb-price-value")).to_contain_text("10,880")
    week = page.locator('#kb-price-changes li[data-period="week"]').inner_text()
    assert "+70" in week
    assert page.locator("#kb-price-chart").bounding_box()["height"] > 50
    # the figure is dated, and one from 2023 is flagged as old
    assert "2023-04-07" in page.get_by_test_id("kb-price-date").inner_text()
    expect(page.get_by_test_id("kb-price-stale")).to_be_visible()
    assert "오래된" in page.get_by_test_id("kb-price-stale").inner_text()
    screenshot(page, "kb-console-price")
