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
