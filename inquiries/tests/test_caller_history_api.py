import pytest

from callcenter.models import AccessLog
from inquiries.services import call_log

pytestmark = pytest.mark.django_db


def test_history_lists_past_contacts_newest_first_and_is_logged(api_as, agent, other_agent, category):
    call_log(agent=other_agent, caller_number="010-1111-2222", category=category, summary="first")
    call_log(agent=agent, caller_number="01011112222", category=category, summary="second")
    call_log(agent=agent, caller_number="010-9999-0000", category=category, summary="someone else")

    response = api_as(agent).get("/api/callers/+82 10 1111 2222/history/", REMOTE_ADDR="10.0.0.7")

    assert response.status_code == 200
    data = response.json()
    assert data["known"] is True
    assert data["caller_number"] == "010-****-2222"
    assert [entry["summary"] for entry in data["results"]] == ["second", "first"]
    assert {"started_at", "category", "summary", "resolution"} <= set(data["results"][0])
    entry = AccessLog.objects.get(action="view")
    assert (entry.user, entry.action, entry.subject, entry.source_address) == (
        agent,
        "view",
        "caller:01011112222",
        "10.0.0.7",
    )


def test_unknown_caller_is_a_first_contact(api_as, agent):
    data = api_as(agent).get("/api/callers/010-5555-6666/history/").json()
    assert data == {"caller_number": None, "known": False, "first_contact_at": None, "results": []}


def test_invalid_number_is_a_400(api_as, agent):
    response = api_as(agent).get("/api/callers/hello/history/")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert not AccessLog.objects.filter(action="view").exists()


def test_partner_may_not_read_history(api_as, make_user):
    from callcenter.permissions import Role

    response = api_as(make_user(Role.PARTNER)).get("/api/callers/010-5555-6666/history/")
    assert response.status_code == 403
