"""Opening a case from a call's page (/calls/<id>/ -> /safety/cases/new/?call=<id>): the panel
the call's page shows through callcenter.extensions, the form, its errors, who may."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from callcenter.models import AccessLog
from callcenter.permissions import Role
from inquiries.tests.factories import CallFactory
from safety import services
from safety.models import Case
from safety.tests.conftest import image_bytes

pytestmark = pytest.mark.django_db


def form(**overrides):
    body = {
        "kind": "dementia",
        "name": "김철수",
        "age": "78",
        "sex": "male",
        "clothing": "회색 점퍼",
        "last_seen_place": "종로3가역 1번 출구",
        "last_seen_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "guardian_number": "",
        "guardian_is_caller": "1",
        "consent": "yes",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def test_the_calls_page_offers_to_open_a_case_and_lists_its_cases(client, agent, report_call):
    client.force_login(agent)
    page = client.get(f"/calls/{report_call.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert 'id="call-safety"' in page and "이 통화로 실종 신고 사례 열기" in page
    assert f'href="/safety/cases/new/?call={report_call.pk}"' in page
    assert "이 통화로 접수된 실종 신고가 없습니다" in page

    client.post(f"/safety/cases/new/?call={report_call.pk}", form())
    case = Case.objects.get()
    page = client.get(f"/calls/{report_call.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-case-id="{case.pk}"' in page and "Senior with dementia" in page
    assert "김철수" not in page  # the call's page shows the description, never the name


def test_a_case_opens_from_the_form_with_the_caller_as_guardian(client, agent, report_call, police):
    client.force_login(agent)
    page = client.get(f"/safety/cases/new/?call={report_call.pk}", HTTP_ACCEPT_LANGUAGE="ko")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="n-guardian-is-caller" value="1" checked' in text and "010-****-1234" in text
    assert "01077771234" not in text and "010-7777-1234" not in text  # the form never shows the whole number

    response = client.post(f"/safety/cases/new/?call={report_call.pk}", form())
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/safety/cases/{case.pk}/"
    assert case.call == report_call and case.opened_by == agent and case.guardian_number == "01077771234"
    assert case.consent and case.handoff.service == police and case.handoff.status == "transferred"
    assert case.status == "open" and case.last_seen_place == "종로3가역 1번 출구"
    assert AccessLog.objects.filter(subject=case.subject, action="create", target=f"call:{report_call.pk}").exists()
    # the case's page links back to the call
    assert f'href="/calls/{report_call.pk}/"' in client.get(response["Location"]).content.decode()


def test_another_guardian_number_and_a_photo(client, agent, report_call):
    client.force_login(agent)
    photo = SimpleUploadedFile("p.png", image_bytes("PNG"), content_type="image/png")
    body = form(guardian_number="010-2222-3333", guardian_is_caller=None, photo=photo)
    assert client.post(f"/safety/cases/new/?call={report_call.pk}", body).status_code == 302
    case = Case.objects.get()
    assert case.guardian_number == "01022223333" and case.photo.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"consent": None}, "consent", "보호자"),
        ({"consent": "no"}, "consent", "보호자"),
        ({"kind": ""}, "kind", "대상:"),
        ({"kind": "alien"}, "kind", "대상:"),
        ({"last_seen_place": ""}, "last_seen_place", "마지막 목격 장소:"),
        ({"last_seen_at": "어제"}, "last_seen_at", "마지막 목격 시각:"),
        ({"age": "300"}, "age", "나이"),
        ({"guardian_is_caller": None}, "guardian_number", "보호자 번호:"),
        ({"guardian_number": "12", "guardian_is_caller": None}, "guardian_number", "보호자 번호:"),
        ({"name": "가" * 101}, "name", "이름"),
    ],
)
def test_bad_input_shows_why_and_opens_nothing(client, agent, report_call, overrides, field, message):
    client.force_login(agent)
    response = client.post(f"/safety/cases/new/?call={report_call.pk}", form(**overrides), HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 400, response.content.decode()[:400]
    text = response.content.decode()
    assert 'id="case-new-error"' in text and message in text
    assert 'value="회색 점퍼"' in text  # what the agent typed is kept
    assert not Case.objects.exists()


def test_a_photo_that_is_not_an_image_is_refused(client, agent, report_call):
    client.force_login(agent)
    fake = SimpleUploadedFile("p.jpg", b"GIF89a not really" * 50, content_type="image/jpeg")
    response = client.post(f"/safety/cases/new/?call={report_call.pk}", form(photo=fake), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "not a picture we can read" in response.content.decode()
    assert not Case.objects.exists()


def test_an_oversized_body_is_refused_before_it_is_read(client, agent, report_call, settings):
    settings.SAFETY_PHOTO_MAX_BYTES = 1024
    client.force_login(agent)
    big = SimpleUploadedFile("p.png", b"\0" * (300 * 1024), content_type="image/png")
    response = client.post(f"/safety/cases/new/?call={report_call.pk}", form(photo=big), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413 and "larger than" in response.content.decode()
    assert not Case.objects.exists()


def test_a_call_without_a_number_needs_the_guardians(client, agent, category):
    call = CallFactory(agent=agent, category=category, caller=None, number_status="withheld")
    client.force_login(agent)
    text = client.get(f"/safety/cases/new/?call={call.pk}").content.decode()
    assert "guardian_is_caller" not in text
    response = client.post(f"/safety/cases/new/?call={call.pk}", form(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "no number" in response.content.decode()
    assert client.post(f"/safety/cases/new/?call={call.pk}", form(guardian_number="010-2222-3333")).status_code == 302


@pytest.mark.parametrize("call_param", ["", "abc", "999999", "-1", "1e3", "1%20OR%201=1"])
def test_no_such_call_is_404(client, agent, call_param):
    client.force_login(agent)
    assert client.get(f"/safety/cases/new/?call={call_param}").status_code == 404
    assert client.post(f"/safety/cases/new/?call={call_param}", form()).status_code == 404
    assert not Case.objects.exists()


def test_another_agents_call_does_not_exist_for_an_agent(client, other_agent, supervisor, report_call):
    client.force_login(other_agent)
    assert client.get(f"/safety/cases/new/?call={report_call.pk}").status_code == 404
    assert client.post(f"/safety/cases/new/?call={report_call.pk}", form()).status_code == 404
    assert not Case.objects.exists()
    client.force_login(supervisor)  # a supervisor sees every call, and may open a case from it
    assert client.post(f"/safety/cases/new/?call={report_call.pk}", form()).status_code == 302


@pytest.mark.parametrize("role", [Role.PARTNER, Role.PHONE_SYSTEM])
def test_other_roles_are_refused(client, make_user, report_call, role):
    client.force_login(make_user(role))
    assert client.get(f"/safety/cases/new/?call={report_call.pk}").status_code == 403
    assert client.post(f"/safety/cases/new/?call={report_call.pk}", form()).status_code == 403
    assert not Case.objects.exists()


def test_signed_out_goes_to_sign_in(client, report_call):
    response = client.get(f"/safety/cases/new/?call={report_call.pk}")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_call_page_panel_lists_sightings_the_call_brought(client, agent, other_agent, report_call, sighting_call):
    case = services.case_open(
        call=report_call,
        actor=agent,
        kind="child",
        last_seen_place="서울숲",
        last_seen_at=timezone.now(),
        guardian_number="010-7777-1234",
        consent=True,
    )
    services.sighting_link(case=case, call=sighting_call, actor=other_agent, place="성수역", seen_at=timezone.now())
    client.force_login(other_agent)
    page = client.get(f"/calls/{sighting_call.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="call-safety-sightings"' in page and f"A sighting of case #{case.pk}: 성수역" in page


def test_hostile_input_on_the_form_is_refused_or_kept_as_text(client, agent, report_call):
    from callcenter.testing.hostile import HOSTILE_TEXT, HOSTILE_TIMES

    client.force_login(agent)
    url = f"/safety/cases/new/?call={report_call.pk}"
    tried = [("last_seen_at", value) for value in [*HOSTILE_TIMES, "9999-12-31T23:59", "0001-01-01T00:00"]]
    for field in (
        "kind",
        "age",
        "sex",
        "height_cm",
        "consent",
        "name",
        "clothing",
        "last_seen_place",
        "guardian_number",
    ):
        # (a form cannot carry half a UTF-16 pair: no browser encodes one, nor the test client)
        tried += [
            (field, value) for value in HOSTILE_TEXT if value and not any("\ud800" <= c <= "\udfff" for c in value)
        ]
    for field, value in tried:
        before = Case.objects.count()
        response = client.post(url, form(**{field: value}))
        assert response.status_code in (302, 400), (field, value[:20], response.status_code)
        if response.status_code == 400:
            assert Case.objects.count() == before, (field, value[:20])
            assert "<script>alert(1)</script>" not in response.content.decode()  # shown escaped, if at all
        else:  # only free text the database can hold is taken, as text
            assert field in ("name", "clothing", "last_seen_place"), (field, value[:20])
