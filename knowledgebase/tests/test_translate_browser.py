"""Browser journey: an admin sees an outdated translation and rewrites it beside its Korean source."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from knowledgebase.models import FAQEntry
from knowledgebase.services import faq_entry_update
from knowledgebase.tests.factories import FAQEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_rewrites_an_outdated_translation_beside_the_korean(page, live_server_url, make_user, reference_data):
    make_user(Role.ADMIN, username="sora", password="pw-sora-1", is_staff=True)
    entry = FAQEntryFactory(
        question_ko="누수 신고는 어디에 하나요",
        answer_ko="도로의 누수는 수도사업소에 신고하세요.",
        question_ja="漏水の通報はどこに",
        answer_ja="道路の漏水は水道事業所に通報してください。",
    )
    # the Korean text changes after the Japanese was written
    faq_entry_update(
        entry=entry, data={"answer_ko": "도로의 누수는 120 또는 수도사업소에 신고하세요. 24시간 출동합니다."}
    )

    login(page, live_server_url, "sora", "pw-sora-1")
    page.goto(f"{live_server_url}/admin/knowledgebase/faqentry/")
    expect(page.locator("#site-name")).to_have_text("다산 콘솔 관리")
    badge = page.locator(f'a.kb-tr-outdated[href$="/{entry.pk}/translate/ja/"]')
    expect(badge).to_have_text("JA")
    badge.click()

    # side by side: the Korean source on the left, the Japanese form on the right, what changed in Korean shown
    expect(page.locator("#kb-translation-status .kb-badge-outdated")).to_be_visible()
    expect(page.locator("#kb-source-answer")).to_contain_text("24시간 출동합니다")
    expect(page.locator("#kb-korean-changes")).to_contain_text("+도로의 누수는 120 또는 수도사업소에 신고하세요.")
    source_box = page.locator(".kb-source").bounding_box()
    target_box = page.locator(".kb-target").bounding_box()
    assert source_box["x"] + source_box["width"] <= target_box["x"] + 1  # beside, not below
    assert abs(source_box["y"] - target_box["y"]) < 40
    # the admin's Korean and the Japanese beside it in the vendored fonts (no such fonts on this machine)
    for family in ("Pretendard", "Noto Sans JP"):
        page.wait_for_function(
            "(family) => [...document.fonts].some((face) => face.family.includes(family) && face.status === 'loaded')",
            arg=family,
        )
    screenshot(page, "kb-admin-translate-outdated")

    page.fill("#id_answer", "道路の漏水は120または水道事業所に通報してください。24時間出動します。")
    page.select_option("#id_source", "reviewed")
    page.click("#kb-translate-form input[type=submit]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator("#kb-translation-status .kb-badge-ok")).to_be_visible()
    expect(page.locator("#kb-korean-changes")).to_have_count(0)

    entry = FAQEntry.objects.get(pk=entry.pk)
    assert entry.answer_ja.startswith("道路の漏水は120") and entry.ja_source == "reviewed"
    assert entry.translation_status()["ja"] == "ok"

    # and back on the list the badge is no longer outdated
    page.goto(f"{live_server_url}/admin/knowledgebase/faqentry/")
    expect(page.locator(f'a.kb-tr-ok[href$="/{entry.pk}/translate/ja/"]')).to_have_text("JA")
