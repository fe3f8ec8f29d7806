"""Journeys through the safety pages: a guardian's pre-registration taken by an agent (with a photo),
found again by a sighting search, renewed and deleted on request; the open-cases page; in English too."""

import pytest
from playwright.sync_api import expect

from callcenter.models import AccessLog
from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from safety.models import Registration, RegistrationEvent
from safety.tests.conftest import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_find_renew_and_delete_a_person_at_risk(
    fresh_sync_executor, page, live_server_url, make_user, reference_data, tmp_path
):
    agent = make_user(Role.AGENT, username="agent_g1", password="pw-agent-g1")
    login(page, live_server_url, "agent_g1", "pw-agent-g1")
    page.goto(f"{live_server_url}/safety/")
    expect(page.locator("#cases-heading")).to_contain_text("실종자: 진행 중인 사례")
    page.click("text=사전등록 대상자")
    page.wait_for_url("**/safety/registrations/")

    # a photo that is not a picture is refused with the reason; nothing is registered
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"not a picture at all" * 20)
    page.select_option("#g-kind", "child")
    page.fill("#g-name", "박하늘")
    page.fill("#g-age", "7")
    page.fill("#g-marks", "오른손 등에 화상 흉터")
    page.fill("#g-guardian", "010-3333-4444")
    page.set_input_files("#g-photo", str(fake))
    page.check("#g-consent-yes")
    page.click("#registration-form button[type=submit]")
    expect(page.locator("#registration-form .form-error")).to_contain_text("읽을 수 있는 사진 파일이 아닙니다")
    assert not Registration.objects.exists()

    # with a real photo and the guardian's consent it is registered
    real = tmp_path / "photo.png"
    real.write_bytes(image_bytes("PNG"))
    page.set_input_files("#g-photo", str(real))
    page.check("#g-consent-yes")
    page.click("#registration-form button[type=submit]")
    page.wait_for_url("**/safety/registrations/*/")
    registration = Registration.objects.get()
    assert registration.consent_by == agent and registration.photo
    expect(page.locator(".lead")).to_contain_text("실종 아동")
    expect(page.locator("img.safety-photo")).to_be_visible()
    assert page.locator("img.safety-photo").evaluate("img => img.naturalWidth") > 0
    assert AccessLog.objects.filter(subject=registration.subject, action="view").count() >= 2  # page and photo
    screenshot(page, "safety-registration")

    # a sighting search on the console finds the registered child by an exact mark
    page.goto(f"{live_server_url}/console/")
    page.fill("#sighting-q", "손등에 흉터 있는 아이")
    hit = page.locator(f'#sighting-results li[data-type="registration"][data-id="{registration.pk}"]')
    expect(hit).to_be_visible()
    hit.get_by_role("link").click()
    page.wait_for_url(f"**/safety/registrations/{registration.pk}/")

    # renewed, then deleted on the guardian's request
    page.get_by_role("button", name="갱신 (보호자 확인)").click()
    expect(page.locator(".messages")).to_contain_text("2년 더 보관합니다")
    page.get_by_role("button", name="보호자 요청으로 삭제").click()
    page.wait_for_url("**/safety/registrations/")
    expect(page.locator(".messages")).to_contain_text("삭제했습니다")
    assert not Registration.objects.exists()
    kinds = list(RegistrationEvent.objects.values_list("kind", flat=True))
    assert kinds == ["registered", "renewed", "deleted"]


def test_the_pages_in_english_and_refused_to_a_partner(
    fresh_sync_executor, page, live_server_url, make_user, reference_data
):
    make_user(Role.SUPERVISOR, username="super_e1", password="pw-super-e1")
    make_user(Role.PARTNER, username="partner_e1", password="pw-partner-e1")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server_url}])
    login(page, live_server_url, "super_e1", "pw-super-e1")
    page.goto(f"{live_server_url}/safety/")
    expect(page.locator("#cases-heading")).to_contain_text("Missing persons: open cases")
    expect(page.get_by_role("link", name="Pre-registered persons (사전등록)")).to_be_visible()
    page.goto(f"{live_server_url}/safety/registrations/")
    expect(page.locator("#reg-form-heading")).to_have_text("Register a person at risk")
    page.context.clear_cookies()
    login(page, live_server_url, "partner_e1", "pw-partner-e1")
    assert page.goto(f"{live_server_url}/safety/").status == 403
    assert page.goto(f"{live_server_url}/safety/registrations/").status == 403


def test_a_case_opens_from_the_calls_page(
    fresh_sync_executor, page, live_server_url, make_user, reference_data, browser
):
    from inquiries.tests.factories import CallerFactory, CallFactory
    from knowledgebase.models import Category
    from safety.models import Case

    agent = make_user(Role.AGENT, username="agent_c1", password="pw-agent-c1")
    make_user(Role.AGENT, username="agent_c2", password="pw-agent-c2")
    call = CallFactory(
        agent=agent,
        category=Category.objects.get(slug="welfare"),
        caller=CallerFactory(number="01044445555"),
        summary="손녀가 놀이터에서 보이지 않는다는 할머니의 전화",
        urgent=True,
    )
    # another agent is at their console when the case opens
    other = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul")
    other_page = other.new_page()
    login(other_page, live_server_url, "agent_c2", "pw-agent-c2")
    other_page.wait_for_url("**/console/")

    login(page, live_server_url, "agent_c1", "pw-agent-c1")
    page.goto(f"{live_server_url}/calls/{call.pk}/")
    panel = page.locator("#call-safety")
    expect(panel).to_contain_text("이 통화로 접수된 실종 신고가 없습니다")
    panel.get_by_role("link", name="이 통화로 실종 신고 사례 열기").click()
    page.wait_for_url(f"**/safety/cases/new/?call={call.pk}")
    expect(page.locator("#case-new-heading")).to_contain_text(f"통화 #{call.pk}")
    expect(page.locator("#n-guardian-is-caller")).to_be_checked()  # the caller is the guardian, by default

    # without the guardian's consent nothing opens, and what was typed stays
    page.select_option("#n-kind", "child")
    page.fill("#n-age", "6")
    page.select_option("#n-sex", "female")
    page.fill("#n-clothing", "분홍 원피스, 노란 모자")
    page.fill("#n-place", "보라매공원 놀이터")
    page.click("#case-new-submit")
    expect(page.locator("#case-new-error")).to_contain_text("동의")
    expect(page.locator("#n-clothing")).to_have_value("분홍 원피스, 노란 모자")
    assert not Case.objects.exists()
    screenshot(page, "safety-case-from-call-error")

    page.check("#n-consent-yes")
    page.locator("#n-place").press("Enter")  # the keyboard submits the form
    page.wait_for_url("**/safety/cases/*/")
    case = Case.objects.get()
    assert case.call == call and case.guardian_number == "01044445555" and case.kind == "child"
    expect(page.locator(".messages")).to_contain_text(f"사례 #{case.pk}를 열었습니다")
    expect(page.get_by_test_id("case-guardian")).to_have_text("010-4444-5555")

    # the floor hears of it at once
    alert = other_page.locator(f'#safety-alert-list .safety-alert[data-case-id="{case.pk}"]')
    expect(alert).to_contain_text("분홍 원피스")

    # the way back: the case's page links the call, whose page lists the case
    page.get_by_role("link", name=f"#{call.pk}").click()
    page.wait_for_url(f"**/calls/{call.pk}/")
    expect(page.locator(f'#call-safety-cases tr[data-case-id="{case.pk}"]')).to_contain_text("실종 아동")
    screenshot(page, "safety-call-page-panel")
    other.close()
