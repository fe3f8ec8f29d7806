"""Browser journeys of the call record: an agent corrects a call and sees it in the
history; the list's filters and keyboard; a supervisor downloads the CSV."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callcenter.models import AccessLog
from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from floor.models import AbuseFlag, QueueCall
from inquiries.models import Call
from inquiries.services import call_log
from knowledgebase.models import Category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_corrects_a_call_and_sees_the_change_in_its_history(page, live_server_url, make_user):
    agent = make_user(Role.AGENT, username="hana", password="pw-hana-1")
    start = timezone.now() - timedelta(minutes=5)
    call, _ = call_log(
        agent=agent,
        caller_number="010-2345-6789",
        category=Category.objects.get(slug="water"),
        summary="녹물 신고",
        started_at=start,
        ended_at=start + timedelta(seconds=95),
    )
    login(page, live_server_url, "hana", "pw-hana-1")

    # from the console's "my calls today" to the call's page
    page.locator(f'#calls-today li[data-call-id="{call.pk}"] a').click()
    page.wait_for_url(f"{live_server_url}/calls/{call.pk}/")
    assert page.locator("#k-duration").input_value() == "1:35"
    assert "010-****-6789" in page.get_by_test_id("call-number").inner_text()

    # the agent fixes the summary, the resolution and the length
    page.fill("#k-summary", "녹물 신고, 수질검사 신청")
    page.select_option("#k-resolution", "callback_needed")
    page.fill("#k-duration", "4:05")
    page.click("#correct-save")
    page.get_by_test_id("call-summary").filter(has_text="수질검사 신청").wait_for()

    history = page.locator("#call-history tbody tr")
    assert history.count() == 4  # logged, the summary, the end (length), the resolution
    summary_row = page.locator('#call-history tr[data-field="summary"]')
    assert "녹물 신고" in summary_row.inner_text() and "수질검사 신청" in summary_row.inner_text()
    assert "hana" in summary_row.inner_text()
    assert "재통화 필요" in page.locator('#call-history tr[data-field="resolution"]').inner_text()
    assert page.get_by_test_id("call-duration").inner_text() == "4:05"
    screenshot(page, "call-corrected")

    # the full number is a click away, and that is logged
    page.click("#call-unmask")
    page.get_by_test_id("call-number").filter(has_text="010-2345-6789").wait_for()
    assert AccessLog.objects.filter(user=agent, action="view", target=f"call:{call.pk}").count() == 1
    call.refresh_from_db()
    assert (call.summary, call.resolution, call.duration) == (
        "녹물 신고, 수질검사 신청",
        "callback_needed",
        timedelta(seconds=245),
    )


def test_the_call_list_filters_and_moves_with_the_keyboard(page, live_server_url, make_user):
    agent = make_user(Role.AGENT, username="dohyun", password="pw-dohyun-1")
    water, transit = Category.objects.get(slug="water"), Category.objects.get(slug="transit")
    now = timezone.now()
    for n, (category, summary) in enumerate(
        [(water, "수도 요금 문의"), (transit, "버스 배차 간격"), (water, "단수 예정 안내"), (transit, "지하철 분실물")]
    ):
        call_log(
            agent=agent,
            caller_number=f"010-3333-000{n}",
            category=category,
            summary=summary,
            started_at=now - timedelta(minutes=10 * n),
            phone_call_id=f"q-{n}",
        )
    # the lost-property caller was abusive: the agent flagged that queue call
    queue_call = QueueCall.objects.create(call_id="q-3", caller_number="01033330003", offered_at=now)
    AbuseFlag.objects.create(call=queue_call, caller_number="01033330003", agent=agent, kind="verbal_abuse")
    login(page, live_server_url, "dohyun", "pw-dohyun-1")
    page.goto(f"{live_server_url}/calls/")
    assert page.locator("#calls-table tbody tr").count() == 4
    assert "Enter" in page.locator("#calls-keys").inner_text()  # the keys are explained on the page

    # "/" goes to the text search; the filters narrow the list
    page.keyboard.press("/")
    assert page.locator("#c-q").evaluate("el => el === document.activeElement")
    page.select_option("#c-category", "water")
    page.fill("#c-q", "단수")
    page.press("#c-q", "Enter")
    page.wait_for_url("**/calls/?*q=*")
    rows = page.locator("#calls-table tbody tr")
    assert rows.count() == 1 and "단수 예정 안내" in rows.first.inner_text()

    # the abusive-call filter: only the flagged call is left, with its badge
    page.select_option("#c-category", "")
    page.fill("#c-q", "")
    page.select_option("#c-flagged", "any")
    page.click("#call-filters button[type=submit]")
    page.wait_for_url("**/calls/?*flagged=any*")
    assert rows.count() == 1 and "지하철 분실물" in rows.first.inner_text()
    assert rows.first.locator(".badge-flagged").inner_text() == "악성 민원 신고됨"

    # back to everything; j, j, k then Enter opens the second call
    page.click("text=필터 지우기")
    page.wait_for_url(f"{live_server_url}/calls/")
    page.locator("body").click(position={"x": 5, "y": 5})
    for key in ("j", "j", "j", "k"):
        page.keyboard.press(key)
    assert page.locator("#calls-table tbody tr.is-selected").inner_text().count("버스 배차 간격") == 1
    screenshot(page, "call-list-keyboard")
    page.keyboard.press("Enter")
    second = Call.objects.get(summary="버스 배차 간격")
    page.wait_for_url(f"{live_server_url}/calls/{second.pk}/")


def test_a_supervisor_downloads_the_filtered_list_as_csv(page, live_server_url, make_user, tmp_path):
    agent = make_user(Role.AGENT, username="yuna")
    make_user(Role.SUPERVISOR, username="boss", password="pw-boss-1")
    water = Category.objects.get(slug="water")
    call_log(agent=agent, caller_number="010-4444-0001", category=water, summary="=CMD|' /C calc'!A0", urgent=True)
    call_log(agent=agent, caller_number="010-4444-0002", category=water, summary="보통 문의")
    login(page, live_server_url, "boss", "pw-boss-1")
    page.goto(f"{live_server_url}/calls/")

    page.select_option("#c-urgent", "true")
    page.click("#call-filters button[type=submit]")
    page.wait_for_url("**/calls/?*urgent=true*")
    with page.expect_download() as download_info:
        page.click("#calls-export")
    path = tmp_path / "calls.csv"
    download_info.value.save_as(path)

    text = path.read_text(encoding="utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2  # the header and the one urgent call
    assert "'=CMD" in lines[1] and "010-****-0001" in lines[1]
    assert AccessLog.objects.filter(action="export", target__contains="urgent=true").exists()
