"""The call record: /calls/ (the list and its filters), /calls/<id>/ (a call's page),
/calls/export.csv, and Call in admin (read-only)."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from callcenter.models import AccessLog
from callcenter.permissions import Role
from inquiries.models import Call
from inquiries.services import call_correct, call_log
from inquiries.tests.factories import CallerFactory, CallFactory
from knowledgebase.models import Category

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")


def calls_shown(response) -> list[int]:
    return [call.pk for call in response.context["calls"]]


@pytest.fixture
def floor(agent, other_agent, category):
    """Four calls: two of agent_a (one urgent, one with notes), one of agent_b, one walk-in."""
    transit = Category.objects.get(slug="transit")
    now = timezone.now()
    return {
        "water": CallFactory(
            agent=agent, category=category, summary="수돗물 녹물", started_at=now - timedelta(hours=1)
        ),
        "urgent": CallFactory(
            agent=agent,
            category=transit,
            summary="버스 사고",
            notes="부상자 있음",
            urgent=True,
            resolution="transferred",
            channel="phone",
            language="en",
            started_at=now - timedelta(days=2),
        ),
        "other": CallFactory(
            agent=other_agent, category=category, summary="수도요금", started_at=now - timedelta(hours=2)
        ),
        "walk_in": call_log(
            agent=other_agent, number_status="none", channel="visit", category=category, summary="방문"
        )[0],
    }


# --- the list --------------------------------------------------------------------
def test_an_agent_sees_only_their_calls_a_supervisor_all(client, agent, supervisor, floor):
    client.force_login(agent)
    mine = client.get("/calls/")
    client.force_login(supervisor)
    everyone = client.get("/calls/")

    assert calls_shown(mine) == [floor["water"].pk, floor["urgent"].pk]
    assert set(calls_shown(everyone)) == {call.pk for call in floor.values()}
    assert "번호 없음" in everyone.content.decode()  # the walk-in, without a number
    assert 'name="agent"' not in mine.content.decode() and 'name="agent"' in everyone.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "녹물"}, ["water"]),
        ({"q": "부상자"}, ["urgent"]),  # found in the notes
        ({"urgent": "true"}, ["urgent"]),
        ({"urgent": "false"}, ["water", "other", "walk_in"]),
        ({"resolution": "transferred"}, ["urgent"]),
        ({"channel": "visit"}, ["walk_in"]),
        ({"language": "en"}, ["urgent"]),
        ({"category": "transit"}, ["urgent"]),
        ({"agent": "agent_b"}, ["walk_in", "other"]),
        ({"q": "", "resolution": "", "urgent": ""}, ["walk_in", "water", "other", "urgent"]),  # empty: no filter
    ],
)
def test_each_filter_narrows_the_list(client, supervisor, floor, params, expected):
    client.force_login(supervisor)

    response = client.get("/calls/", params)

    assert response.status_code == 200
    assert sorted(calls_shown(response)) == sorted(floor[name].pk for name in expected)


def test_date_and_shift_ranges(client, supervisor, agent, category):
    """A date is an operating day (08:00 to 08:00): the night shift's calls after
    midnight are on their evening's day, as on the wallboard and in reports."""
    day = datetime(2026, 3, 3, tzinfo=SEOUL)
    before_opening = CallFactory(agent=agent, category=category, started_at=day.replace(hour=7, minute=59))
    opening = CallFactory(agent=agent, category=category, started_at=day.replace(hour=8))
    night = CallFactory(agent=agent, category=category, started_at=day.replace(hour=23, minute=30))
    morning = CallFactory(agent=agent, category=category, started_at=(day + timedelta(days=1)).replace(hour=7))
    next_day = CallFactory(agent=agent, category=category, started_at=(day + timedelta(days=1)).replace(hour=8))
    client.force_login(supervisor)

    by_day = client.get("/calls/", {"date_from": "2026-03-03", "date_to": "2026-03-03"})
    day_before = client.get("/calls/", {"date_to": "2026-03-02"})
    from_next = client.get("/calls/", {"date_from": "2026-03-04"})
    by_shift = client.get("/calls/", {"started_from": "2026-03-03T19:00", "started_to": "2026-03-04T08:00"})

    assert calls_shown(by_day) == [morning.pk, night.pk, opening.pk]
    assert calls_shown(day_before) == [before_opening.pk]
    assert calls_shown(from_next) == [next_day.pk]
    assert calls_shown(by_shift) == [morning.pk, night.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"resolution": "deleted"}, "resolution"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_from": "2026-03-04", "date_to": "2026-03-03"}, "date_to"),
        ({"q": "x" * 201}, "q"),
        ({"urgent": "maybe"}, "urgent"),
        ({"started_from": "2026-13-40T99:00"}, "started_from"),
    ],
)
def test_bad_filters_are_a_400_page_that_says_which(client, supervisor, floor, params, field):
    client.force_login(supervisor)

    response = client.get("/calls/", params)

    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert calls_shown(response) == []


@pytest.mark.parametrize(
    "hostile",
    ["' OR 1=1 --", "%", "_", "<script>alert(1)</script>", "\\", "녹물%' UNION SELECT 1 --"],
)
def test_hostile_text_is_a_plain_search(client, supervisor, floor, hostile):
    client.force_login(supervisor)

    response = client.get("/calls/", {"q": hostile})

    assert response.status_code == 200
    assert calls_shown(response) == []
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_pages_of_fifty_with_next_and_previous(client, agent, category):
    caller = CallerFactory()
    now = timezone.now()
    for n in range(51):
        CallFactory(agent=agent, caller=caller, category=category, started_at=now - timedelta(minutes=n))
    client.force_login(agent)

    first = client.get("/calls/")
    second = client.get("/calls/", {"page": "2"})
    nonsense = client.get("/calls/", {"page": "lots"})

    assert len(calls_shown(first)) == 50 and 'id="page-next"' in first.content.decode()
    assert len(calls_shown(second)) == 1 and 'id="page-prev"' in second.content.decode()
    assert 'id="page-next"' not in second.content.decode()
    assert calls_shown(nonsense) == calls_shown(first)


def test_the_call_record_needs_a_staff_role(client, make_user):
    assert client.get("/calls/").status_code == 302
    client.force_login(make_user(Role.PARTNER))
    assert client.get("/calls/").status_code == 403
    client.force_login(make_user(Role.PHONE_SYSTEM))
    assert client.get("/calls/").status_code == 403


def test_the_console_rows_open_the_calls_page(client, agent, category):
    call, _ = call_log(agent=agent, caller_number="010-1234-5678", category=category, summary="오늘 통화")
    client.force_login(agent)

    assert f'href="/calls/{call.pk}/"' in client.get("/console/").content.decode()


# --- a call's page --------------------------------------------------------------
def test_a_calls_page_shows_its_whole_history(client, agent, category):
    call, _ = call_log(agent=agent, caller_number="010-1234-5678", category=category, summary="녹물")
    call_correct(call=call, actor=agent, changes={"summary": "녹물, 수질검사 안내", "resolution": "callback_needed"})
    client.force_login(agent)

    page = client.get(f"/calls/{call.pk}/")

    assert page.status_code == 200
    history = page.context["history"]
    assert [(row["kind"], row["field"]) for row in history] == [
        ("created", ""),
        ("changed", "summary"),
        ("resolution", "resolution"),
    ]
    assert (history[1]["old"], history[1]["new"]) == ("녹물", "녹물, 수질검사 안내")
    assert (history[2]["old"], history[2]["new"]) == ("답변 완료", "재통화 필요")
    assert "010-****-5678" in page.content.decode() and "010-1234-5678" not in page.content.decode()


def test_the_full_number_is_shown_on_asking_and_logged(client, agent, category):
    call, _ = call_log(agent=agent, caller_number="010-1234-5678", category=category, summary="녹물")
    client.force_login(agent)

    page = client.get(f"/calls/{call.pk}/", {"unmask": "1"})

    assert "010-1234-5678" in page.content.decode()
    entry = AccessLog.objects.get(action="view", target=f"call:{call.pk}")
    assert (entry.user, entry.subject) == (agent, "caller:01012345678")


def test_another_agents_call_does_not_exist_for_an_agent(client, agent, other_agent, category):
    call = CallFactory(agent=other_agent, category=category)
    client.force_login(agent)

    assert client.get(f"/calls/{call.pk}/").status_code == 404
    assert client.get("/calls/999999/").status_code == 404


def test_the_referrals_panel_and_the_faq_entries_show_on_the_page(client, agent, category):
    from knowledgebase.models import FAQEntry
    from referrals.tests.factories import ServiceFactory

    entry = FAQEntry.objects.create(
        external_id="t-1", category=category, question_ko="수돗물 녹물 대처", answer_ko="물을 틀어 두세요"
    )
    call, _ = call_log(
        agent=agent, caller_number="010-1234-5678", category=category, summary="녹물", faq_entries=[entry]
    )
    service = ServiceFactory(slug="waterworks", name_ko="수도사업소", name_en="Waterworks")
    client.force_login(agent)
    client.post(
        "/api/referrals/",
        {"call": call.pk, "service": service.slug, "reason": "현장 확인", "consent": True},
        content_type="application/json",
    )

    body = client.get(f"/calls/{call.pk}/").content.decode()

    assert "수돗물 녹물 대처" in body
    assert 'id="call-referrals"' in body and "수도사업소" in body
    call.refresh_from_db()
    assert call.resolution == "referred"


# --- correction: who may, until when ----------------------------------------------
def _shift(starts: str, ends: str):
    from floor.models import Shift

    Shift.objects.update(is_active=False)
    hours = [datetime.strptime(value, "%H:%M").time() for value in (starts, ends)]
    return Shift.objects.create(name_ko="시험", starts=hours[0], ends=hours[1], is_active=True)


def test_an_agent_corrects_until_the_end_of_the_calls_shift(agent, supervisor, category):
    from callcenter.permissions import can_change_call

    _shift("19:00", "08:00")  # a night shift
    call = CallFactory(agent=agent, category=category, started_at=datetime(2026, 3, 3, 23, 50, tzinfo=SEOUL))

    assert call.correction_closes_at() == datetime(2026, 3, 4, 8, 0, tzinfo=SEOUL)
    assert can_change_call(agent, call, now=datetime(2026, 3, 4, 7, 59, tzinfo=SEOUL))
    assert not can_change_call(agent, call, now=datetime(2026, 3, 4, 8, 0, tzinfo=SEOUL))
    assert can_change_call(supervisor, call, now=datetime(2026, 3, 20, tzinfo=SEOUL))


def test_without_a_shift_the_operating_day_from_eight_decides(agent, category):
    from floor.models import Shift

    Shift.objects.update(is_active=False)
    before_eight = CallFactory(agent=agent, category=category, started_at=datetime(2026, 3, 4, 7, 59, tzinfo=SEOUL))
    at_eight = CallFactory(agent=agent, category=category, started_at=datetime(2026, 3, 4, 8, 0, tzinfo=SEOUL))

    assert before_eight.correction_closes_at() == datetime(2026, 3, 4, 8, 0, tzinfo=SEOUL)
    assert at_eight.correction_closes_at() == datetime(2026, 3, 5, 8, 0, tzinfo=SEOUL)


def test_after_the_window_the_agent_is_told_to_ask_a_supervisor(client, api_as, agent, supervisor, category):
    _shift("08:00", "19:00")
    old = CallFactory(agent=agent, category=category, started_at=timezone.now() - timedelta(days=3))

    refused = api_as(agent).patch(f"/api/calls/{old.pk}/", {"summary": "고침"}, format="json")
    client.force_login(agent)
    page = client.get(f"/calls/{old.pk}/").content.decode()
    allowed = api_as(supervisor).patch(f"/api/calls/{old.pk}/", {"summary": "고침"}, format="json")

    assert refused.status_code == 403 and refused.json()["error"] == "correction_closed"
    assert "감독자" in refused.json()["message"]
    assert 'id="correct-closed"' in page and 'id="correct-form"' not in page
    assert allowed.status_code == 200 and allowed.json()["summary"] == "고침"
    assert old.events.get(kind="changed").actor == supervisor


def test_the_length_is_corrected_in_seconds(api_as, agent, category, settings):
    start = timezone.now() - timedelta(minutes=10)
    # the operating day turns half a day away, so the call and its correction share one whatever the clock
    settings.OPERATING_DAY_STARTS = timezone.localtime(start + timedelta(hours=12)).strftime("%H:%M")
    call, _ = call_log(
        agent=agent, caller_number="010-1234-5678", category=category, summary="x", started_at=start, ended_at=start
    )

    response = api_as(agent).patch(f"/api/calls/{call.pk}/", {"duration_seconds": 245}, format="json")

    assert response.status_code == 200 and response.json()["duration_seconds"] == 245
    call.refresh_from_db()
    assert call.ended_at == start + timedelta(seconds=245)
    assert list(call.events.get(kind="changed").changes) == ["ended_at"]


@pytest.mark.parametrize(
    "bad",
    [{"duration_seconds": -1}, {"duration_seconds": 86401}, {"duration_seconds": "4:05"}, {"duration_seconds": [1]}],
)
def test_a_bad_length_is_a_400_and_changes_nothing(api_as, agent, category, bad):
    call, _ = call_log(agent=agent, caller_number="010-1234-5678", category=category, summary="x")

    response = api_as(agent).patch(f"/api/calls/{call.pk}/", bad, format="json")

    assert response.status_code == 400 and "duration_seconds" in response.json()["fields"]
    assert call.events.count() == 1


def test_length_and_end_together_are_refused(api_as, agent, category):
    call, _ = call_log(agent=agent, caller_number="010-1234-5678", category=category, summary="x")
    end = (timezone.now() + timedelta(minutes=5)).isoformat()

    response = api_as(agent).patch(f"/api/calls/{call.pk}/", {"duration_seconds": 60, "ended_at": end}, format="json")

    assert response.status_code == 400 and "duration_seconds" in response.json()["fields"]


# --- CSV export --------------------------------------------------------------------
def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_a_supervisor_exports_the_filtered_list(client, supervisor, floor):
    client.force_login(supervisor)

    response = client.get("/calls/export.csv", {"category": "water", "channel": "phone"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][0] == "통화" and rows[0][5] == "민원인 전화번호"
    assert sorted(int(row[0]) for row in rows[1:]) == sorted([floor["water"].pk, floor["other"].pk])
    assert all("****" in row[5] for row in rows[1:])  # numbers masked
    entry = AccessLog.objects.get(action="export")
    assert entry.user == supervisor and "category=water" in entry.target


def test_cells_that_would_run_as_formulas_are_neutralised(client, supervisor, agent, category):
    CallFactory(agent=agent, category=category, summary='=HYPERLINK("http://evil","x")', notes="+1+1")
    CallFactory(agent=agent, category=category, summary="-2+3", notes="@SUM(A1)")
    client.force_login(supervisor)

    rows = read_csv(client.get("/calls/export.csv"))

    cells = {cell for row in rows[1:] for cell in row[13:15]}
    assert cells == {'\'=HYPERLINK("http://evil","x")', "'+1+1", "'-2+3", "'@SUM(A1)"}


def test_agents_may_not_export(client, agent, floor):
    client.force_login(agent)

    assert client.get("/calls/export.csv").status_code == 403
    assert not AccessLog.objects.filter(action="export").exists()


def test_a_bad_filter_exports_nothing(client, supervisor, floor):
    client.force_login(supervisor)

    response = client.get("/calls/export.csv", {"date_from": "' OR 1=1 --"})

    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    body = response.json()  # the shared error shape
    assert body["error"] == "invalid" and "date_from" in body["fields"] and body["message"]
    assert not AccessLog.objects.filter(action="export").exists()


# --- admin -------------------------------------------------------------------------
def test_calls_and_their_events_are_read_only_in_admin(client, admin_user, floor):
    client.force_login(admin_user)
    call = floor["water"]

    listing = client.get("/admin/inquiries/call/")
    detail = client.get(f"/admin/inquiries/call/{call.pk}/change/")
    change = client.post(f"/admin/inquiries/call/{call.pk}/change/", {"summary": "바꿈"})
    delete = client.post(f"/admin/inquiries/call/{call.pk}/delete/", {"post": "yes"})
    add = client.get("/admin/inquiries/call/add/")
    events = client.get("/admin/inquiries/callevent/")

    assert listing.status_code == 200 and call.masked_number in listing.content.decode()
    assert detail.status_code == 200 and "01012340" not in detail.content.decode()
    assert change.status_code == 403 and delete.status_code == 403 and add.status_code == 403
    assert events.status_code == 200
    call.refresh_from_db()
    assert call.summary == "수돗물 녹물" and Call.objects.filter(pk=call.pk).exists()
