"""The issue's "Done when" journey in real browsers (three contexts: agent A, agent B, the supervisor).

Agent A takes the call of a daughter whose father with dementia wandered off and opens a
case while logging it; agent B's console and the supervisor's wallboard show the alert;
agent B takes a sighting call, finds the case by describing what the caller sees in other
words, links it; the guardian's call back is due in B's list; A closes the case and the
alerts clear everywhere.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from referrals.models import FollowUp
from referrals.tests.factories import ServiceFactory
from safety import services
from safety.models import Acknowledgement, Case, Sighting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def new_page(browser):
    context = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def second_page(browser):
    context, page = new_page(browser)
    yield page
    context.close()


@pytest.fixture
def board_page(browser):
    context, page = new_page(browser)
    yield page
    context.close()


def log_call(page, number: str, summary: str) -> None:
    page.fill("#f-caller-number", number)
    page.select_option("#f-category", "welfare")
    page.fill("#f-summary", summary)


def test_a_wandering_senior_is_found_by_the_whole_floor(
    fresh_sync_executor,
    page,
    second_page,
    board_page,
    live_server_url,
    make_user,
    reference_data,
):
    make_user(Role.AGENT, username="agent_a1", password="pw-agent-a1")
    agent_b = make_user(Role.AGENT, username="agent_b1", password="pw-agent-b1")
    make_user(Role.SUPERVISOR, username="super_1", password="pw-super-1")
    ServiceFactory(slug="police-112", name_ko="경찰 112", name_en="Police 112", kind="emergency", contact="112")

    # agent B and the supervisor are at work before the call comes in
    login(second_page, live_server_url, "agent_b1", "pw-agent-b1")
    second_page.wait_for_url("**/console/")
    login(board_page, live_server_url, "super_1", "pw-super-1")
    board_page.wait_for_url("**/wallboard/")
    expect(board_page.locator("#wallboard")).to_have_attribute("data-live-state", "open")
    expect(board_page.get_by_test_id("wb-safety")).to_be_hidden()

    # agent A logs the call and, with one key, reports the missing person while talking
    login(page, live_server_url, "agent_a1", "pw-agent-a1")
    page.wait_for_url("**/console/")
    log_call(page, "010-7777-1234", "치매 아버지가 집을 나가 돌아오지 않음. 112 연결.")
    page.keyboard.press("Alt+m")
    expect(page.locator("#s-kind")).to_be_focused()
    expect(page.locator("#s-guardian")).to_have_value("010-7777-1234")  # the caller is the guardian
    page.select_option("#s-kind", "dementia")
    page.fill("#s-name", "김철수")
    page.fill("#s-age", "78")
    page.select_option("#s-sex", "male")
    page.fill("#s-height", "165")
    page.fill("#s-clothing", "회색 점퍼, 검은 바지")
    page.fill("#s-marks", "왼쪽 뺨에 큰 점")
    page.fill("#s-place", "종로3가역 1번 출구")
    page.check("#s-consent-yes")
    page.click("#safety-submit")  # not saved yet: the case waits for the call
    expect(page.locator("#safety-target")).to_contain_text("통화를 저장하면")
    page.click("#call-save")
    page.locator(".toast", has_text="전체 상담실에 알렸습니다").wait_for()
    case = Case.objects.get()
    assert case.status == "open" and case.call.agent.username == "agent_a1" and case.handoff.status == "transferred"
    expect(page.locator("#safety-alert-list .safety-alert")).to_have_count(0)  # the opener needs no alert

    # agent B's console and the supervisor's wallboard show it, live
    alert = second_page.locator(f'#safety-alert-list .safety-alert[data-case-id="{case.pk}"]')
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("치매 어르신")
    expect(alert).to_contain_text("종로3가역 1번 출구")
    assert "김철수" not in alert.inner_text()  # the banner carries the description only
    assert second_page.locator("#safety-alert-list").get_attribute("aria-live") == "assertive"
    strip = board_page.locator(f'#wb-safety-list li[data-case-id="{case.pk}"]')
    expect(strip).to_be_visible()
    expect(strip).to_contain_text("회색 점퍼")
    # the report's warm transfer to 112 shows on the "urgent open" tile too
    expect(board_page.get_by_test_id("tile-urgent_open")).to_contain_text("경찰 112")
    screenshot(second_page, "safety-alert-console")
    screenshot(board_page, "safety-wallboard-strip")

    # B's panel lists the open case before any search
    expect(second_page.locator(f'#sighting-results li[data-type="case"][data-id="{case.pk}"]')).to_be_visible()

    # agent B takes a sighting call and describes what the caller sees, in other words
    log_call(second_page, "010-8888-5678", "버스 정류장에 헤매는 어르신이 있다는 신고")
    second_page.fill("#sighting-q", "회색 잠바 입고 버스 정류장에서 헤매는 할아버지")
    # the search's own status ("가능한 대상 N건 (가까운 순)"), not the open-cases list's
    # ("... 가까운 순으로 보여 줍니다"): linking before the results arrive had the form replaced under the test
    expect(second_page.locator("#sighting-status")).to_contain_text("가능한 대상")
    hit = second_page.locator(f'#sighting-results li[data-type="case"][data-id="{case.pk}"]')
    expect(hit).to_be_visible()
    hit.get_by_role("button", name="목격으로 연결").click()
    hit.locator("input[name=place]").fill("종로2가 버스정류장")
    # the agent searches again while the form is open: what they typed stays
    with second_page.expect_response("**/api/safety/search?*"):
        second_page.locator("#sighting-q").press("Enter")
    expect(hit.locator("input[name=place]")).to_have_value("종로2가 버스정류장")
    hit.locator("input[name=note]").fill("벤치에 앉아 계심")
    hit.get_by_role("button", name="이 통화를 목격으로 연결").click()
    expect(hit.locator(".form-error")).to_contain_text("통화를 저장하면")
    second_page.click("#call-save")
    second_page.locator(".toast", has_text="보호자에게 전화하세요").wait_for()
    sighting = Sighting.objects.get()
    assert sighting.case == case and sighting.call.agent == agent_b and sighting.place == "종로2가 버스정류장"

    # the guardian's call back is due at once, in B's list; the wallboard's "last seen" moved
    followup = FollowUp.objects.get()
    assert followup.status == "due" and followup.due_at <= timezone.now() and followup.agent == agent_b
    due = second_page.locator("#followups-list li").first
    expect(due).to_contain_text("종로2가 버스정류장")
    expect(due).to_contain_text("010-****-1234")
    expect(strip).to_contain_text("종로2가 버스정류장")
    screenshot(second_page, "safety-sighting-linked")

    # agent A closes the case from its page: the alerts clear everywhere
    page.goto(f"{live_server_url}/safety/cases/{case.pk}/")
    expect(page.get_by_test_id("case-name")).to_have_text("김철수")
    expect(page.locator("#case-sightings")).to_contain_text("종로2가 버스정류장")
    page.fill("#c-note", "보호자 인계 완료")
    page.click('button[data-move="closed"]')
    expect(page.get_by_test_id("case-status")).to_have_text("종결")
    expect(alert).to_have_count(0)
    expect(strip).to_have_count(0)
    expect(board_page.get_by_test_id("wb-safety")).to_be_hidden()
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_at is not None
    # once closed, the case page shows the description, not the name
    page.reload()
    expect(page.get_by_test_id("case-description")).to_contain_text("치매 어르신")
    assert page.get_by_test_id("case-name").count() == 0
    screenshot(page, "safety-case-closed")


def test_the_alert_is_dismissed_by_keyboard_and_stays_acknowledged(
    fresh_sync_executor,
    page,
    live_server_url,
    make_user,
    reference_data,
    category,
):
    from inquiries.tests.factories import CallFactory

    opener = make_user(Role.AGENT, username="agent_o1", password="pw-agent-o1")
    reader = make_user(Role.AGENT, username="agent_r1", password="pw-agent-r1")
    case = services.case_open(
        call=CallFactory(agent=opener, category=category),
        actor=opener,
        kind="child",
        age=6,
        sex="female",
        clothing="노란 우비",
        last_seen_place="서울숲 놀이터",
        last_seen_at=timezone.now(),
        guardian_number="010-1111-2222",
        consent=True,
    )
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server_url}])
    login(page, live_server_url, "agent_r1", "pw-agent-r1")
    page.wait_for_url("**/console/")
    alert = page.locator(f'#safety-alert-list .safety-alert[data-case-id="{case.pk}"]')
    expect(alert).to_contain_text("Missing child")  # the snapshot brings it, in the page's language
    expect(page.locator("#f-caller-number")).to_be_focused()  # the alert does not take the agent's typing
    with page.expect_response("**/acknowledge/"):
        page.keyboard.press("Alt+k")
    expect(alert).to_have_count(0)
    assert Acknowledgement.objects.filter(case=case, user=reader).exists()
    # a reload's snapshot brings every open case but the acknowledged one
    later = services.case_open(
        call=CallFactory(agent=opener, category=category),
        actor=opener,
        kind="dementia",
        age=81,
        sex="female",
        last_seen_place="망원시장",
        last_seen_at=timezone.now(),
        guardian_number="010-3333-4444",
        consent=True,
    )
    page.reload()
    expect(page.locator(f'#safety-alert-list .safety-alert[data-case-id="{later.pk}"]')).to_be_visible()
    expect(page.locator("#safety-alert-list .safety-alert")).to_have_count(1)
    # Esc on a focused banner dismisses it too
    page.locator(f'.safety-alert[data-case-id="{later.pk}"] .safety-alert-ack').focus()
    with page.expect_response("**/acknowledge/"):
        page.keyboard.press("Escape")
    expect(page.locator("#safety-alert-list .safety-alert")).to_have_count(0)
    assert Acknowledgement.objects.filter(case=later, user=reader).exists()


def test_the_banner_comes_back_when_the_person_is_found(
    fresh_sync_executor,
    page,
    second_page,
    live_server_url,
    make_user,
    reference_data,
    category,
):
    from inquiries.tests.factories import CallFactory

    opener = make_user(Role.AGENT, username="agent_o2", password="pw-agent-o2")
    make_user(Role.AGENT, username="agent_r2", password="pw-agent-r2")
    case = services.case_open(
        call=CallFactory(agent=opener, category=category),
        actor=opener,
        kind="dementia",
        age=80,
        sex="male",
        clothing="남색 조끼",
        last_seen_place="노원역 4번 출구",
        last_seen_at=timezone.now(),
        guardian_number="010-5555-6666",
        consent=True,
    )
    login(page, live_server_url, "agent_r2", "pw-agent-r2")
    page.wait_for_url("**/console/")
    alert = page.locator(f'#safety-alert-list .safety-alert[data-case-id="{case.pk}"]')
    expect(alert).to_contain_text("실종:")
    with page.expect_response("**/acknowledge/"):
        alert.get_by_role("button", name="확인").click()
    expect(alert).to_have_count(0)
    page.focus("#f-caller-number")  # the agent goes back to typing

    # the opener marks him found on the case's page: everybody's banner comes back, green, saying so
    login(second_page, live_server_url, "agent_o2", "pw-agent-o2")
    second_page.goto(f"{live_server_url}/safety/cases/{case.pk}/")
    second_page.fill("#c-note", "노원경찰서에서 보호 중")
    second_page.click('button[data-move="found"]')
    expect(second_page.get_by_test_id("case-status")).to_have_text("발견")
    expect(alert).to_be_visible()
    expect(alert).to_have_attribute("data-status", "found")
    expect(alert).to_contain_text("발견:")
    page.keyboard.type("010")  # it does not take the agent's typing
    expect(page.locator("#f-caller-number")).to_have_value("010")
    screenshot(page, "safety-alert-found")
    page.reload()  # the snapshot agrees: the found banner is not acknowledged yet
    expect(alert).to_have_attribute("data-status", "found")

    # acknowledged as found, it stays away, also after a reload
    alert.locator(".safety-alert-ack").focus()
    with page.expect_response("**/acknowledge/") as answer:
        page.keyboard.press("Escape")
    assert answer.value.json()["status"] == "found"
    expect(alert).to_have_count(0)
    later = services.case_open(
        call=CallFactory(agent=opener, category=category),
        actor=opener,
        kind="child",
        age=5,
        sex="female",
        last_seen_place="마들역",
        last_seen_at=timezone.now(),
        guardian_number="010-5555-7777",
        consent=True,
    )
    page.reload()  # once the snapshot brought the newer case, the found one is surely not in it
    expect(page.locator(f'#safety-alert-list .safety-alert[data-case-id="{later.pk}"]')).to_be_visible()
    expect(alert).to_have_count(0)
