"""The issue's "Done when" journey in a real browser.

agent1 logs a call from an elderly caller and refers it to Dasan Plaza legal
counsel with consent; the legal desk user sees it appear live, accepts,
schedules, completes; the follow-up appears as due for the centre; the agent
calls back and closes it; the referral's history shows every step.
"""

import pytest

from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from referrals.models import FollowUp, Referral
from referrals.tests.factories import ReferralFactory, ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk_page(browser):
    context = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_refer_work_and_call_back(fresh_sync_executor, page, desk_page, live_server_url, make_user, reference_data):
    agent1 = make_user(Role.AGENT, username="agent1", password="pw-agent1-x")
    legal1 = make_user(Role.PARTNER, username="legal1", password="pw-legal1-x")
    legal = ServiceFactory(
        slug="dasan-plaza-legal", name_ko="다산플라자 무료법률상담", name_en="Dasan Plaza free legal counsel"
    )
    legal.members.add(legal1)
    ServiceFactory(slug="waterworks", name_ko="수도사업소", name_en="Waterworks regional offices")

    # the legal-counsel desk is open and live before the call comes in
    login(desk_page, live_server_url, "legal1", "pw-legal1-x")
    desk_page.wait_for_url(f"{live_server_url}/desk/")
    desk_page.locator('#desk-live[data-state="open"]').wait_for()
    assert desk_page.locator("#desk-empty").is_visible()

    # agent1 logs the call of a senior and fills the referral while talking
    login(page, live_server_url, "agent1", "pw-agent1-x")
    page.wait_for_url(f"{live_server_url}/console/")
    page.fill("#f-caller-number", "010-5555-0100")
    page.select_option("#f-category", "legal")
    page.fill("#f-summary", "아파트 조합 사기로 노후자금 피해. 무료법률상담 연결.")
    page.select_option("#f-vulnerable", "senior")
    page.keyboard.press("Alt+r")
    assert page.locator("#r-service").evaluate("el => el === document.activeElement")
    page.select_option("#r-service", "dasan-plaza-legal")
    page.fill("#r-reason", "70대 어르신, 아파트 조합 사기 피해 상담 요청")
    page.check("#r-consent-yes")
    page.fill("#r-callback", "평일 오후 2시 이후")
    page.click("#call-save")  # saving the call sends the referral with it
    page.locator(".toast", has_text="다산플라자 무료법률상담").wait_for()

    referral = Referral.objects.get()
    assert referral.consent and referral.consent_by == agent1 and referral.vulnerable
    assert referral.call.caller.number == "01055550100"

    # the desk sees it appear without a reload, with a visual cue, at the top
    row = desk_page.locator(f'#desk-rows tr[data-referral-id="{referral.pk}"]')
    row.wait_for()
    assert "is-new" in row.get_attribute("class") and "is-pressing" in row.get_attribute("class")
    assert desk_page.locator("#desk-new").is_visible()
    assert "아파트 조합 사기" in row.inner_text()
    assert desk_page.title().startswith("(1)")
    screenshot(desk_page, "referrals-desk-new")

    # accept, schedule, complete from the page
    row.locator('button[data-action="accepted"]').click()
    desk_page.locator(f'#desk-rows tr[data-referral-id="{referral.pk}"][data-status="accepted"]').wait_for()
    row.locator('button[data-action="scheduled"]').click()
    desk_page.locator("#transition-dialog").wait_for()
    desk_page.fill("#t-note", "3층 상담실")
    desk_page.click("#transition-save")
    desk_page.locator(f'#desk-rows tr[data-referral-id="{referral.pk}"][data-status="scheduled"]').wait_for()
    row.locator('button[data-action="completed"]').click()
    desk_page.click("#transition-save")  # without an outcome: the error shows, nothing changes
    desk_page.locator("#error-outcome").wait_for()
    desk_page.fill("#t-outcome", "상담 완료: 민사소송 및 고소 절차 안내")
    desk_page.click("#transition-save")
    desk_page.locator(f'#desk-rows tr[data-referral-id="{referral.pk}"]').wait_for(state="detached")
    assert desk_page.locator("#desk-empty").is_visible()

    # the follow-up appears as due for the centre in agent1's console (live)
    item = page.locator("#followups-list li").first
    item.wait_for()
    assert "상담 완료" in item.inner_text()
    followup = FollowUp.objects.get(referral=referral)
    assert followup.status == "due" and followup.agent == agent1

    # the agent calls back and closes it with an outcome
    item.get_by_role("button").click()
    item.locator("select[name=outcome]").select_option("solved")
    item.locator("input[name=note]").fill("상담 후 감사 인사")
    item.locator("button[type=submit]").click()
    page.locator("#followups-empty").wait_for(state="visible")
    followup.refresh_from_db()
    assert followup.status == "closed" and followup.outcome == "solved" and followup.closed_by == agent1

    # the referral's history shows every step
    page.goto(f"{live_server_url}/referrals/{referral.pk}/")
    rows = page.locator("#referral-history tbody tr")
    steps = [(r.get_attribute("data-kind"), r.get_attribute("data-to")) for r in rows.all()]
    assert steps == [
        ("status", "new"),
        ("status", "accepted"),
        ("status", "scheduled"),
        ("status", "completed"),
        ("followup_due", ""),
        ("followup_closed", "solved"),
    ]
    assert "agent1" in rows.nth(0).inner_text() and "legal1" in rows.nth(1).inner_text()
    screenshot(page, "referrals-history")


def test_another_services_referral_is_not_found_on_the_desk(
    fresh_sync_executor, page, live_server_url, make_user, reference_data
):
    water1 = make_user(Role.PARTNER, username="water1", password="pw-water1-x")
    water = ServiceFactory(slug="waterworks", name_ko="수도사업소")
    water.members.add(water1)
    legal = ServiceFactory(slug="dasan-plaza-legal", name_ko="다산플라자 무료법률상담")
    other = ReferralFactory(service=legal, call=None, source="open311", contact_number="01099998888")
    login(page, live_server_url, "water1", "pw-water1-x")
    response = page.goto(f"{live_server_url}/referrals/{other.pk}/")
    assert response.status == 404


def test_refer_after_saving_by_keyboard_and_consent_is_required(
    fresh_sync_executor, page, live_server_url, make_user, reference_data
):
    make_user(Role.AGENT, username="agent2", password="pw-agent2-x")
    ServiceFactory(slug="waterworks", name_ko="수도사업소", name_en="Waterworks regional offices")
    login(page, live_server_url, "agent2", "pw-agent2-x")
    page.wait_for_url(f"{live_server_url}/console/")
    page.fill("#f-caller-number", "02-739-1234")
    page.select_option("#f-category", "water")
    page.fill("#f-summary", "단수 문의, 수도사업소 확인 필요")
    page.press("#f-summary", "Enter")
    page.locator("#referral-target", has_text="#").wait_for()

    page.keyboard.press("Alt+r")
    page.keyboard.press("ArrowDown")  # the first service
    page.fill("#r-reason", "단수 원인 확인 후 회신 요청")
    page.press("#r-reason", "Control+Enter")  # no consent answer yet
    page.locator("#referral-form-error").wait_for()
    assert page.locator('input[name="consent"]').first.get_attribute("aria-invalid") == "true"
    assert Referral.objects.count() == 0

    page.check("#r-consent-no")
    page.press("#r-callback", "Enter")
    page.locator(".toast", has_text="수도사업소").wait_for()
    referral = Referral.objects.get()
    assert referral.consent is False and referral.service.slug == "waterworks"
    assert referral.call.caller.number == "027391234"
