"""Browser journey: a supervisor opens a report, filters it and downloads CSV and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import time, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from callcenter.workdays import operating_day
from floor.models import Shift
from inquiries.tests.factories import CallFactory
from knowledgebase.models import Category
from reports.tests.data import local, queue_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_opens_a_report_filters_it_and_downloads_csv_and_xlsx(page, live_server_url, make_user, tmp_path):
    make_user(Role.SUPERVISOR, username="boss", password="pw-boss-1")
    hana = make_user(Role.AGENT, username="hana", first_name="Hana", last_name="Kim")
    water, transit = Category.objects.get(slug="water"), Category.objects.get(slug="transit")
    Shift.objects.all().delete()
    Shift.objects.create(name_ko="주간", name_en="Day", starts=time(8), ends=time(19))
    Shift.objects.create(name_ko="야간", name_en="Night", starts=time(19), ends=time(8))
    day = operating_day(timezone.now()) - timedelta(days=2)
    # on `day`: four water calls in the day shift (one abandoned), one transit call at 02:00 the next night
    for n, (hour, answered) in enumerate([(9, True), (10, True), (11, False), (15, True)]):
        queue = queue_call(n, local(day, hour), wait=10 + n, answered=answered, agent=hana, category=water)
        if answered:
            CallFactory(agent=hana, category=water, started_at=queue.offered_at, phone_call_id=queue.call_id)
    night = queue_call(9, local(day + timedelta(days=1), 2), wait=50, agent=hana, category=transit)
    CallFactory(agent=hana, category=transit, started_at=night.offered_at, phone_call_id=night.call_id, satisfaction=4)

    login(page, live_server_url, "boss", "pw-boss-1")
    page.get_by_role("link", name="보고서").click()
    page.wait_for_url("**/reports/")
    rows = page.locator("#report-table tbody tr")
    assert rows.count() == 7  # the last seven operating days, each a row
    assert page.locator("#report-chart").is_visible()
    assert page.locator(f'#report-table tr[data-key="{day.isoformat()}"] td').nth(0).inner_text() == "5"

    # the range is that one day, by shift, water only
    page.fill("#r-from", day.isoformat())
    page.fill("#r-to", day.isoformat())
    page.focus("#r-by")
    page.select_option("#r-by", "shift")
    page.select_option("#r-category", "water")
    page.press("#r-to", "Enter")  # Enter in a field shows the report
    page.wait_for_url("**/reports/?*by=shift*")
    labels = page.locator("#report-table tbody th").all_inner_texts()
    assert labels == ["주간 08:00–19:00", "야간 19:00–08:00"]
    cells = page.locator("#report-table tbody tr").first.locator("td").all_inner_texts()
    assert cells[:4] == ["4", "3", "1", "100.0%"]  # offered, answered, abandoned (within 20 s), service level
    assert page.locator("#report-total td").first.inner_text() == "4"
    assert "분류: " in page.locator("#report-caption").inner_text()
    page.wait_for_function("document.querySelector('#report-chart').width > 0")
    screenshot(page, "report-by-shift")

    with page.expect_download() as csv_download:
        page.click("#report-csv")
    csv_path = tmp_path / "report.csv"
    csv_download.value.save_as(csv_path)
    assert csv_download.value.suggested_filename == f"report-{day:%Y%m%d}-{day:%Y%m%d}-shift.csv"
    table = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert table[0][:4] == ["근무조", "인입", "응답", "포기"]
    assert table[1][:4] == ["주간 08:00–19:00", "4", "3", "1"]
    assert table[-1][0] == "합계"

    with page.expect_download() as xlsx_download:
        page.click("#report-xlsx")
    xlsx_path = tmp_path / "report.xlsx"
    xlsx_download.value.save_as(xlsx_path)
    workbook = load_workbook(xlsx_path)
    sheet = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert sheet[1][:5] == ("주간 08:00–19:00", 4, 3, 1, 1.0)
    assert dict(workbook.worksheets[1].iter_rows(values_only=True))["분류"] == str(water.name_ko)

    # in English, the same report; and a way back
    page.click("button.lang-btn[lang=en]")
    page.wait_for_url("**/reports/?*")
    assert page.locator("#report-table tbody th").first.inner_text() == "Day 08:00–19:00"
    page.click("text=Back to the start page")
    page.wait_for_url(lambda url: "/reports/" not in url)


def test_a_bad_range_says_what_is_wrong(page, live_server_url, make_user):
    make_user(Role.SUPERVISOR, username="boss", password="pw-boss-1")
    login(page, live_server_url, "boss", "pw-boss-1")
    page.goto(f"{live_server_url}/reports/?from=2026-11-05&to=2026-11-01")
    assert "마지막 날이 첫날보다 앞섭니다" in page.locator("#filters-error").inner_text()
    screenshot(page, "report-bad-range")
