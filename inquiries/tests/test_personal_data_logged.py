"""Personal data is shown masked, and every full view writes an access-log row.

The screen pop's number (masked on the socket, revealed through a logged GET),
Django admin's queued-call and phone-event pages, a call list filtered by a
caller's number.
"""

import pytest
from django.utils import timezone

from callcenter.models import AccessLog
from callcenter.permissions import Role
from floor.models import PhoneEvent, QueueCall
from inquiries.tests.factories import CallerFactory, CallFactory

pytestmark = pytest.mark.django_db

NUMBER = "01055550100"


@pytest.fixture
def answered(agent):
    return QueueCall.objects.create(
        call_id="pop-9",
        caller_number=NUMBER,
        offered_at=timezone.now(),
        answered_at=timezone.now(),
        status=QueueCall.Status.TALKING,
        agent=agent,
    )


def rows(**filters):
    return list(AccessLog.objects.filter(**filters).values_list("user__username", "action", "subject", "target"))


# --- the screen pop's reveal ---------------------------------------------------------------------
def test_the_answering_agent_gets_the_full_number_logged(api_as, agent, answered):
    response = api_as(agent).get("/api/queue/calls/pop-9/caller/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"call_id": "pop-9", "caller_number": "010-5555-0100"}
    assert rows() == [("agent_a", "view", f"caller:{NUMBER}", "queuecall:pop-9")]
    entry = AccessLog.objects.get()
    assert entry.source_address == "10.1.2.3" and entry.reason == "screen pop"


def test_a_supervisor_may_reveal_it_too(api_as, supervisor, answered):
    assert api_as(supervisor).get("/api/queue/calls/pop-9/caller/").status_code == 200
    assert rows(user=supervisor) == [("super_s", "view", f"caller:{NUMBER}", "queuecall:pop-9")]


@pytest.mark.parametrize("path", ["/api/queue/calls/pop-9/caller/", "/api/queue/calls/nope/caller/"])
def test_another_agent_gets_404_and_nothing_is_logged(api_as, other_agent, answered, path):
    response = api_as(other_agent).get(path)
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert not AccessLog.objects.exists()


def test_other_roles_may_not(api_as, api, make_user, answered):
    assert api.get("/api/queue/calls/pop-9/caller/").status_code == 401
    for role in (Role.PARTNER, Role.PHONE_SYSTEM):
        assert api_as(make_user(role)).get("/api/queue/calls/pop-9/caller/").status_code == 403
    assert not AccessLog.objects.exists()


# --- the call list filtered by a number ----------------------------------------------------------
def test_a_call_list_filtered_by_a_number_is_logged(api_as, supervisor, agent, category):
    CallFactory(agent=agent, category=category, caller=CallerFactory(number=NUMBER))
    response = api_as(supervisor).get("/api/calls/", {"caller_number": "010-5555-0100"})
    assert response.status_code == 200 and response.json()["count"] == 1
    assert rows() == [("super_s", "view", f"caller:{NUMBER}", "calls")]


def test_a_call_list_without_a_number_is_not_a_person_s_data(api_as, supervisor):
    assert api_as(supervisor).get("/api/calls/").status_code == 200
    assert not AccessLog.objects.exists()


def test_a_bad_number_filter_logs_nothing(api_as, supervisor):
    assert api_as(supervisor).get("/api/calls/", {"caller_number": "12"}).status_code == 400
    assert not AccessLog.objects.exists()


# --- Django admin --------------------------------------------------------------------------------
@pytest.fixture
def phone_event(phone_system):
    return PhoneEvent.objects.create(
        event="call.offered",
        call_id="pop-9",
        at=timezone.now(),
        body={"event": "call.offered", "call_id": "pop-9", "caller_number": "010-5555-0100", "at": "2026-12-01T09:00"},
        sender=phone_system,
        status=PhoneEvent.Status.APPLIED,
    )


FULL = ("010-5555-0100", "01055550100", "5555-0100")


def test_admin_queued_call_page_masks_the_number(client, admin_user, answered):
    client.force_login(admin_user)
    page = client.get(f"/admin/floor/queuecall/{answered.pk}/change/")
    assert page.status_code == 200
    assert not any(full in page.text for full in FULL)
    assert "010-****-0100" in page.text
    assert not AccessLog.objects.exists()
    # the logged reveal
    reveal = client.get(f"/admin/floor/queuecall/{answered.pk}/reveal/", REMOTE_ADDR="10.9.8.7")
    assert reveal.status_code == 200 and "010-5555-0100" in reveal.text
    assert rows() == [("admin_x", "view", f"caller:{NUMBER}", f"queuecall:{answered.pk}")]
    assert AccessLog.objects.get().source_address == "10.9.8.7"


def test_admin_phone_event_page_masks_the_body(client, admin_user, phone_event):
    client.force_login(admin_user)
    page = client.get(f"/admin/floor/phoneevent/{phone_event.pk}/change/")
    assert page.status_code == 200
    assert not any(full in page.text for full in FULL)
    assert "010-****-0100" in page.text and "pop-9" in page.text and "2026-12-01T09:00" in page.text
    assert not AccessLog.objects.exists()
    reveal = client.get(f"/admin/floor/phoneevent/{phone_event.pk}/reveal/")
    assert reveal.status_code == 200 and "010-5555-0100" in reveal.text
    assert rows() == [("admin_x", "view", f"caller:{NUMBER}", f"phoneevent:{phone_event.pk}")]


def test_admin_lists_show_no_numbers(client, admin_user, answered, phone_event):
    client.force_login(admin_user)
    for url in ("/admin/floor/queuecall/", "/admin/floor/phoneevent/"):
        page = client.get(url)
        assert page.status_code == 200 and not any(full in page.text for full in FULL)


def test_the_reveal_is_for_staff_in_admin_only(client, agent, answered):
    client.force_login(agent)  # not staff: admin sends them to its login
    assert client.get(f"/admin/floor/queuecall/{answered.pk}/reveal/").status_code == 302
    assert not AccessLog.objects.exists()


def test_reveal_of_a_missing_record_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/floor/queuecall/999999/reveal/").status_code == 404
    assert not AccessLog.objects.exists()
