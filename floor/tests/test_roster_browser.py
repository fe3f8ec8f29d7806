"""Journey: a supervisor builds next week's roster with a night shift: copies last
week, changes cells with the keyboard (an overlap is refused, saying why), fills a
range on working days; sees who is signed in now; at a phone's width too."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from callcenter.workdays import is_working_day, operating_day
from floor import roster_services
from floor.models import AgentState, AgentStatus, ShiftAssignment, ShiftSession
from floor.roster_selectors import week_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_builds_next_weeks_roster(live_server_url, page, make_user):
    # given: a day shift (the migration's), a night shift and an early one
    day = roster_services.shift_ensure(name_ko="주간", name_en="Day", starts=time(8, 0), ends=time(19, 0))
    night = roster_services.shift_ensure(name_ko="야간", name_en="Night", starts=time(19, 0), ends=time(8, 0))
    roster_services.shift_ensure(name_ko="조조", name_en="Early", starts=time(7, 0), ends=time(16, 0))
    make_user(Role.SUPERVISOR, username="roster_super", password="pw-roster-1")
    days = make_user(Role.AGENT, username="r_days", first_name="지은", last_name="김")
    nights = make_user(Role.AGENT, username="r_nights", first_name="민준", last_name="이")
    make_user(Role.AGENT, username="r_spare", first_name="하늘", last_name="박")
    # this week: r_days on days Monday to Friday, r_nights on nights every day; r_nights is at work now
    this_monday = week_start(day=operating_day())
    next_monday = this_monday + timedelta(days=7)
    roster_services.roster_range_fill(agents=[days], first=this_monday, last=this_monday + timedelta(days=4), shift=day)
    roster_services.roster_range_fill(
        agents=[nights], first=this_monday, last=this_monday + timedelta(days=6), shift=night
    )
    # (set straight in the database: the test's own thread runs Playwright's event loop, no publish from here)
    ShiftSession.objects.create(agent=nights, shift=night)
    AgentStatus.objects.create(agent=nights, state=AgentState.AVAILABLE)

    login(page, live_server_url, "roster_super", "pw-roster-1")
    page.get_by_role("link", name="근무표").first.click()
    expect(page.get_by_role("heading", name="근무표")).to_be_visible()
    expect(page.get_by_test_id("roster-signed-in-count")).to_have_text("1")
    expect(page.locator('tr[data-agent="r_nights"]').get_by_test_id("roster-signed-in")).to_contain_text("출근")

    # next week is empty; copy last week onto it
    page.get_by_test_id("roster-next").click()
    expect(page.get_by_test_id("roster-range")).to_contain_text(next_monday.isoformat())
    page.get_by_test_id("roster-copy").click()
    expect(page.get_by_test_id("roster-status")).to_contain_text("12")
    cell = page.locator(f'select.rs-cell[data-agent="r_nights"][data-date="{next_monday.isoformat()}"]')
    expect(cell).to_have_value(str(night.pk))

    # keyboard: r_days' Saturday becomes a night shift (shifts by start: 1 early, 2 day, 3 night)
    saturday = next_monday + timedelta(days=5)
    page.locator(
        f'select.rs-cell[data-agent="r_days"][data-date="{(saturday - timedelta(days=1)).isoformat()}"]'
    ).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("3")
    expect(page.get_by_test_id("roster-status")).to_contain_text("저장")
    sat_cell = page.locator(f'select.rs-cell[data-agent="r_days"][data-date="{saturday.isoformat()}"]')
    expect(sat_cell).to_have_value(str(night.pk))
    expect(sat_cell).to_be_focused()

    # an early shift on Tuesday right after r_nights' Monday night is refused, and says why
    page.keyboard.press("ArrowDown")  # r_nights' Saturday
    for _ in range(4):
        page.keyboard.press("ArrowLeft")  # to Tuesday
    tuesday = next_monday + timedelta(days=1)
    tue_cell = page.locator(f'select.rs-cell[data-agent="r_nights"][data-date="{tuesday.isoformat()}"]')
    expect(tue_cell).to_be_focused()
    page.keyboard.press("1")
    expect(page.get_by_test_id("roster-error")).to_contain_text("겹칩니다")
    expect(tue_cell).to_have_value(str(night.pk))  # back to what is saved
    screenshot(page, "roster-overlap-refused")

    # fill a range: r_spare on days, next week, working days only (weekends and holidays left)
    fill = page.locator("#roster-fill")
    fill.get_by_label("하늘 박").check()
    fill.locator('select[name="shift"]').select_option(str(day.pk))
    fill.get_by_label("근무일만", exact=False).check()
    page.get_by_test_id("roster-fill-submit").click()
    working = [next_monday + timedelta(days=n) for n in range(7) if is_working_day(next_monday + timedelta(days=n))]
    expect(page.get_by_test_id("roster-status")).to_contain_text(str(len(working)))
    for n in range(7):
        date = next_monday + timedelta(days=n)
        expect(page.locator(f'select.rs-cell[data-agent="r_spare"][data-date="{date.isoformat()}"]')).to_have_value(
            str(day.pk) if date in working else ""
        )
    screenshot(page, "roster-next-week")

    # what the page showed is what is stored
    stored = {(e.agent.username, e.day): e.shift_id for e in ShiftAssignment.objects.filter(day__gte=next_monday)}
    assert stored[("r_days", saturday)] == night.pk
    assert stored[("r_nights", tuesday)] == night.pk
    assert sum(1 for (name, _day) in stored if name == "r_spare") == len(working)

    # at a phone's width the grid scrolls sideways; the way back is there
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_role("link", name="← 상황판으로 돌아가기")).to_be_visible()
    screenshot(page, "roster-390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the page is {width} px wide at 390 px"

    # the same page in English
    page.set_viewport_size({"width": 1400, "height": 900})
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Roster")).to_be_visible()
    expect(page.get_by_test_id("roster-copy")).to_have_text("Copy last week onto this week")
    expect(page.locator('tr[data-agent="r_nights"]').get_by_test_id("roster-signed-in")).to_contain_text("Night")
