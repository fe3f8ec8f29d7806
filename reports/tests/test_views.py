"""/reports/ and its exports: good, bad and hostile input, roles, file contents."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from openpyxl import load_workbook

from callcenter.models import AccessLog
from callcenter.permissions import Role
from callcenter.testing.hostile import HOSTILE_TEXT, HOSTILE_TIMES, RAW_HOSTILE, _strings
from inquiries.tests.factories import CallFactory
from reports.tests.data import DAY, local, queue_call

pytestmark = pytest.mark.django_db

RANGE = {"from": DAY.isoformat(), "to": DAY.isoformat()}


@pytest.fixture
def as_user():
    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def boss(as_user, supervisor):
    return as_user(supervisor)


def error_of(response) -> dict:
    assert response.status_code == 400, response.status_code
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"error", "message", "fields"}
    return body


# --- the page --------------------------------------------------------------------------
def test_the_page_shows_the_range_by_day_with_totals(boss, floor):
    response = boss.get("/reports/", {**RANGE, "by": "day"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="report-table"' in page and "2026-11-02" in page
    report = response.context["report"]
    assert report.total["offered"] == 5 and report.total["referrals"] == 2
    cells = response.context["table_total"]["cells"]
    assert cells[:4] == ["5", "3", "2", "50.0%"]  # offered, answered, abandoned, service level
    assert 'href="/reports/export.csv?' in page and 'href="/reports/export.xlsx?' in page
    assert 'id="report-chart-data"' in page
    assert 'href="/"' in page  # a way back


def test_without_dates_the_page_shows_the_last_seven_operating_days(boss):
    response = boss.get("/reports/")
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.query.date_to - report.query.date_from).days == 6
    assert len(report.rows) == 7


def test_the_page_in_korean_and_english(as_user, supervisor, floor):
    client = as_user(supervisor)
    client.cookies["django_language"] = "ko"
    assert "보고서" in client.get("/reports/", RANGE).content.decode()
    client.cookies["django_language"] = "en"
    page = client.get("/reports/", {**RANGE, "by": "shift"}).content.decode()
    assert "Reports" in page and "Service level" in page and "Night 19:00–08:00" in page


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-11-05", "to": "2026-11-01"}, "to"),
        ({"from": "2026-13-01", "to": "2026-11-01"}, "from"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
        ({"from": "1900-01-01", "to": "1900-01-02"}, "from"),
        ({**RANGE, "by": "weekday"}, "by"),
        ({**RANGE, "category": "no-such-category"}, "category"),
        ({**RANGE, "agent": "nobody"}, "agent"),
        ({**RANGE, "shift": "99999"}, "shift"),
        ({**RANGE, "shift": "1.5"}, "shift"),
        ({**RANGE, "channel": "fax"}, "channel"),
        ({**RANGE, "language": "xx"}, "language"),
        ({**RANGE, "resolution": "maybe"}, "resolution"),
    ],
)
def test_bad_filters_are_a_400_that_says_which(boss, params, field):
    page = boss.get("/reports/", params)
    assert page.status_code == 400
    assert f'data-field="{field}"' in page.content.decode()
    for path in ("/reports/export.csv", "/reports/export.xlsx"):
        body = error_of(boss.get(path, params))
        assert body["error"] == "invalid" and field in body["fields"]


def test_the_exports_need_both_days(boss):
    body = error_of(boss.get("/reports/export.csv", {"from": DAY.isoformat()}))
    assert "to" in body["fields"]
    body = error_of(boss.get("/reports/export.xlsx"))
    assert {"from", "to"} <= set(body["fields"])


@pytest.mark.parametrize("name", ["from", "to", "by", "category", "agent", "shift", "channel", "language"])
def test_hostile_input_is_never_a_500_nor_quoted_raw(boss, name):
    for value in [*HOSTILE_TEXT, *HOSTILE_TIMES]:
        params = {**RANGE, name: value}
        query = urlencode({key: str(text).encode("utf-8", "surrogatepass") for key, text in params.items()})
        page = boss.get(f"/reports/?{query}")
        assert page.status_code in (200, 400), value
        for path in ("/reports/export.csv", "/reports/export.xlsx"):
            export = boss.get(f"{path}?{query}")
            assert export.status_code in (200, 400), value
            if export.status_code == 400:
                body = json.loads(export.content)
                assert set(body) == {"error", "message", "fields"}
                assert not any(RAW_HOSTILE.search(text) for text in _strings(body)), body
    assert not AccessLog.objects.exists()


# --- who may -----------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.AGENT, Role.PARTNER, Role.PHONE_SYSTEM, None])
def test_agents_partners_and_the_phone_system_are_refused(as_user, make_user, role):
    client = as_user(make_user(role))
    assert client.get("/reports/", RANGE).status_code == 403
    for path in ("/reports/export.csv", "/reports/export.xlsx"):
        response = client.get(path, RANGE)
        assert response.status_code == 403
        assert json.loads(response.content)["error"] == "forbidden"


def test_signed_out_goes_to_the_sign_in_page():
    response = Client().get("/reports/", RANGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_admins_may(as_user, admin_user):
    assert as_user(admin_user).get("/reports/", RANGE).status_code == 200


# --- the files ---------------------------------------------------------------------------
def test_csv_holds_the_table_and_the_total(boss, floor):
    response = boss.get("/reports/export.csv", {**RANGE, "by": "category"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="report-20261102-20261102-category.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:5] == ["분류", "인입", "응답", "포기", "서비스 레벨 (%)"]
    by_label = {row[0]: row for row in rows[1:]}
    total = rows[-1]
    assert total[1:4] == ["5", "3", "2"] and total[4] == "50.0"
    assert len(by_label) == len(rows) - 1
    assert not AccessLog.objects.exists()  # counts of the floor, nobody's personal data


def test_xlsx_holds_numbers_and_a_filters_sheet(as_user, supervisor, floor, category):
    client = as_user(supervisor)
    client.cookies["django_language"] = "en"
    response = client.get("/reports/export.xlsx", {**RANGE, "by": "day", "category": category.slug})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Figures"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("Day", "Calls offered", "Calls answered", "Calls abandoned")
    assert values[1][0] == "2026-11-02"
    assert values[1][1:4] == (3, 2, 1)  # the water calls only
    assert values[1][4] == round(2 / 3, 4)  # service level, a fraction shown as a percentage
    assert sheet.cell(row=2, column=5).number_format == "0.0%"
    assert values[-1][0] == "Total"
    filters = dict(workbook["Filters"].iter_rows(values_only=True))
    assert filters["From (operating day)"] == "2026-11-02" and filters["Category"] == str(category.name)


def test_an_export_of_agents_figures_is_access_logged(boss, supervisor, floor, agent):
    response = boss.get("/reports/export.xlsx", {**RANGE, "by": "agent"})
    assert response.status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.subject) == (supervisor, "export", "staff:by-agent")
    boss.get("/reports/export.csv", {**RANGE, "agent": agent.username})
    assert AccessLog.objects.filter(subject=f"staff:{agent.username}").count() == 1


def test_a_name_a_spreadsheet_would_run_is_quoted(boss, make_user, category):
    sly = make_user(Role.AGENT, username="sly", first_name="=HYPERLINK(1)")
    queue_call(90, local(DAY, 11), agent=sly, category=category)
    CallFactory(agent=sly, category=category, started_at=local(DAY, 11), phone_call_id="q90")
    text = boss.get("/reports/export.csv", {**RANGE, "by": "agent"}).content.decode()
    assert "'=HYPERLINK(1)" in text
    workbook = load_workbook(io.BytesIO(boss.get("/reports/export.xlsx", {**RANGE, "by": "agent"}).content))
    names = [row[0] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(1)" in names


def test_a_year_long_report_answers(boss):
    first = date(2025, 1, 1)
    last = first + timedelta(days=365)
    response = boss.get("/reports/export.csv", {"from": first.isoformat(), "to": last.isoformat()})
    assert response.status_code == 200
    assert len(response.content.decode().splitlines()) == 1 + 366 + 1
