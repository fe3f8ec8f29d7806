"""The safety pages without a browser: what each role gets, the review-due badge, what is logged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callcenter.models import AccessLog
from callcenter.permissions import Role
from safety import services
from safety.models import Registration

pytestmark = pytest.mark.django_db


def test_registrations_past_their_review_date_are_flagged(client, agent):
    due = services.registration_create(actor=agent, kind="dementia", guardian_number="010-5555-6666", consent=True)
    services.registration_create(actor=agent, kind="child", guardian_number="010-3333-4444", consent=True)
    Registration.objects.filter(pk=due.pk).update(review_on=timezone.localdate() - timedelta(days=1))
    client.force_login(agent)
    page = client.get("/safety/registrations/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert page.count('data-testid="review-due"') == 1 and "검토 필요" in page
    assert not AccessLog.objects.filter(action="view").exists()  # the list shows descriptions only


def test_a_case_page_logs_the_view_of_identifying_details_and_its_move(client, agent, report_call):
    case = services.case_open(
        call=report_call,
        actor=agent,
        kind="child",
        name="이영희",
        age=6,
        last_seen_place="서울숲",
        last_seen_at=timezone.now(),
        guardian_number="010-7777-1234",
        consent=True,
    )
    client.force_login(agent)
    page = client.get(f"/safety/cases/{case.pk}/").content.decode()
    assert "이영희" in page and "010-7777-1234" in page
    assert AccessLog.objects.filter(subject=case.subject, action="view", user=agent).count() == 1
    response = client.post(f"/safety/cases/{case.pk}/", {"to": "open"})  # not a move the table allows
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "open"
    client.post(f"/safety/cases/{case.pk}/", {"to": "cancelled", "note": "오인 신고"})
    case.refresh_from_db()
    assert case.status == "cancelled"
    assert "이영희" not in client.get(f"/safety/cases/{case.pk}/").content.decode()


@pytest.mark.parametrize("role", [Role.PARTNER, Role.PHONE_SYSTEM])
def test_other_roles_get_403_on_every_page(client, make_user, agent, report_call, role):
    case = services.case_open(
        call=report_call,
        actor=agent,
        kind="child",
        last_seen_place="서울숲",
        last_seen_at=timezone.now(),
        guardian_number="010-7777-1234",
        consent=True,
    )
    client.force_login(make_user(role))
    for url in ("/safety/", f"/safety/cases/{case.pk}/", "/safety/registrations/"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/safety/cases/{case.pk}/", {"to": "closed"}).status_code == 403
    case.refresh_from_db()
    assert case.status == "open"


def test_the_registration_form_refuses_an_oversized_body_before_reading_it(client, agent, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.SAFETY_PHOTO_MAX_BYTES = 1024
    client.force_login(agent)
    big = SimpleUploadedFile("p.png", b"\0" * (300 * 1024), content_type="image/png")
    body = {"kind": "child", "guardian_number": "010-3333-4444", "consent": "yes", "photo": big}
    response = client.post("/safety/registrations/", body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413 and "larger than 1.0" in response.content.decode()
    assert not Registration.objects.exists()
