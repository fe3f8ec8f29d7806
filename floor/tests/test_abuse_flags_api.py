"""Abusive-call flags: the agent flags the call they answered, reads the warning,
may then end the call; supervisors list the flags."""

from __future__ import annotations

import pytest

from callcenter.permissions import Role
from floor import services as floor_services
from floor.models import AbuseFlag, QueueCall

pytestmark = pytest.mark.django_db

URL = "/api/abuse-flags/"


def answered_call(call_id, agent, clock, number="010-2345-6789"):
    """A call offered and answered by `agent` through the phone-event service."""
    from callcenter.phone_numbers import normalize_number

    sender = agent.__class__.objects.filter(groups__name="phone_system").first()
    if sender is None:
        from django.contrib.auth.models import Group

        sender = agent.__class__.objects.create_user(username=f"pbx_for_{call_id}")
        sender.groups.add(Group.objects.get(name="phone_system"))
    floor_services.phone_event_apply(
        data={"event": "call.offered", "call_id": call_id, "at": clock(), "caller_number": normalize_number(number)},
        body={},
        sender=sender,
    )
    floor_services.phone_event_apply(
        data={"event": "call.answered", "call_id": call_id, "at": clock(5), "agent": agent}, body={}, sender=sender
    )
    return QueueCall.objects.get(call_id=call_id)


def test_an_agent_flags_reads_the_warning_and_ends_the_call(api_as, agent, clock):
    answered_call("c1", agent, clock)
    client = api_as(agent)
    response = client.post(URL, {"call_id": "c1", "kind": "verbal_abuse", "note": "욕설 반복"}, format="json")
    assert response.status_code == 201
    flag = response.json()
    assert (flag["kind"], flag["caller_number"], flag["warning_read_at"]) == ("verbal_abuse", "010-****-6789", None)

    too_soon = client.post(f"{URL}{flag['id']}/end-call/")
    assert (too_soon.status_code, too_soon.json()["error"]) == (409, "warning_not_read")

    read = client.post(f"{URL}{flag['id']}/warning-read/").json()
    assert read["warning_read_at"] is not None
    ended = client.post(f"{URL}{flag['id']}/end-call/").json()
    assert ended["ended_at"] is not None
    stored = AbuseFlag.objects.get()
    assert stored.warning_read_at <= stored.ended_at and stored.note == "욕설 반복"


def test_reading_the_warning_twice_keeps_the_first_time(api_as, agent, clock):
    answered_call("c1", agent, clock)
    client = api_as(agent)
    flag = client.post(URL, {"call_id": "c1", "kind": "threat"}, format="json").json()
    first = client.post(f"{URL}{flag['id']}/warning-read/").json()["warning_read_at"]
    assert client.post(f"{URL}{flag['id']}/warning-read/").json()["warning_read_at"] == first


def test_a_call_is_flagged_once_per_agent(api_as, agent, clock):
    answered_call("c1", agent, clock)
    client = api_as(agent)
    assert client.post(URL, {"call_id": "c1", "kind": "threat"}, format="json").status_code == 201
    again = client.post(URL, {"call_id": "c1", "kind": "nuisance"}, format="json")
    assert (again.status_code, again.json()["error"]) == (409, "already_flagged")


def test_an_agent_may_not_flag_someone_elses_call(api_as, agent, other_agent, clock):
    answered_call("c1", agent, clock)
    response = api_as(other_agent).post(URL, {"call_id": "c1", "kind": "threat"}, format="json")
    assert (response.status_code, response.json()["error"]) == (400, "not_your_call")
    assert not AbuseFlag.objects.exists()


def test_an_agent_may_not_touch_someone_elses_flag(api_as, agent, other_agent, clock):
    answered_call("c1", agent, clock)
    flag = api_as(agent).post(URL, {"call_id": "c1", "kind": "threat"}, format="json").json()
    response = api_as(other_agent).post(f"{URL}{flag['id']}/warning-read/")
    assert response.status_code == 404
    assert AbuseFlag.objects.get().warning_read_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"call_id": "c1", "kind": "rude"}, "kind"),
        ({"call_id": "c1"}, "kind"),
        ({"kind": "threat"}, "call_id"),
        ({"call_id": "c1", "kind": "threat", "note": "x" * 2001}, "note"),
        ({"call_id": "x" * 65, "kind": "threat"}, "call_id"),
        ({"call_id": ["c1"], "kind": "threat"}, "call_id"),
        ({"call_id": "c1", "kind": "threat", "note": "욕설\x00"}, "note"),
        ({"call_id": "c1\x00", "kind": "threat"}, "call_id"),
    ],
)
def test_bad_flags_are_400(api_as, agent, clock, body, field):
    answered_call("c1", agent, clock)
    response = api_as(agent).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not AbuseFlag.objects.exists()


@pytest.mark.parametrize("pk", ["abc", "0", "99999999999999999999999"])
def test_hostile_flag_ids_are_404(api_as, agent, pk):
    assert api_as(agent).post(f"{URL}{pk}/warning-read/").status_code == 404


def test_supervisors_list_flags_and_filter_by_kind(api_as, agent, supervisor, clock):
    answered_call("c1", agent, clock)
    answered_call("c2", agent, clock, number="02-123-4567")
    api_as(agent).post(URL, {"call_id": "c1", "kind": "threat", "note": "죽이겠다"}, format="json")
    api_as(agent).post(URL, {"call_id": "c2", "kind": "nuisance"}, format="json")
    everything = api_as(supervisor).get(URL).json()["results"]
    assert [flag["kind"] for flag in everything] == ["nuisance", "threat"]
    assert "01023456789" not in str(everything)
    threats = api_as(supervisor).get(URL, {"kind": "threat"}).json()["results"]
    assert [flag["note"] for flag in threats] == ["죽이겠다"]
    assert api_as(supervisor).get(URL, {"kind": "nope"}).status_code == 400


@pytest.mark.parametrize("role", [Role.AGENT, Role.PARTNER, Role.PHONE_SYSTEM])
def test_only_supervisors_list_flags(api_as, make_user, role):
    assert api_as(make_user(role)).get(URL).status_code == 403


def test_partners_and_the_phone_system_may_not_flag(api_as, make_user, agent, clock):
    answered_call("c1", agent, clock)
    for role in (Role.PARTNER, Role.PHONE_SYSTEM):
        assert api_as(make_user(role)).post(URL, {"call_id": "c1", "kind": "threat"}, format="json").status_code == 403
