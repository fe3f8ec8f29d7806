"""POST /api/cti/zammad/<token>/: Zammad's generic CTI events, form-encoded and
JSON, through the same store and rules as our own event API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from callcenter.permissions import Role
from floor import protection_services
from floor.models import AgentState, AgentStatus, PhoneEvent, QueueCall

pytestmark = pytest.mark.django_db

CAUSES_BEFORE_ANSWER = ["cancel", "noAnswer", "busy", "congestion", "notFound", "normalClearing", "forwarded"]


@pytest.fixture
def token(phone_system):
    return Token.objects.create(user=phone_system).key


@pytest.fixture
def zammad(token):
    """POST one Zammad event, form-encoded (the default) or as JSON."""
    client = APIClient()

    def post(body, *, as_json=False, url=None):
        url = url or f"/api/cti/zammad/{token}/"
        if as_json:
            return client.post(url, json.dumps(body), content_type="application/json")
        return client.post(url, body)  # multipart, as `curl --form`

    def form(body):
        from urllib.parse import urlencode

        return client.post(
            f"/api/cti/zammad/{token}/", urlencode(body, doseq=True), content_type="application/x-www-form-urlencoded"
        )

    post.form = form
    return post


@pytest.fixture
def desk_agent(make_user):
    agent = make_user(Role.AGENT, username="kim_agent", first_name="민수", last_name="김")
    protection_services.agent_extension_set(agent=agent, extension="2041")
    return agent


def new_call(call_id="z1", number="01023456789", **extra):
    return {"event": "newCall", "from": number, "to": "120", "direction": "in", "callId": call_id, **extra}


def answer(call_id="z1", **extra):
    return {"event": "answer", "from": "01023456789", "to": "120", "direction": "in", "callId": call_id, **extra}


def hangup(call_id="z1", cause="normalClearing", **extra):
    body = {"event": "hangup", "from": "01023456789", "to": "120", "direction": "in", "callId": call_id}
    return {**body, "cause": cause, **extra}


# --- a whole call, both encodings -----------------------------------------------------
@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json"])
def test_a_whole_call_moves_the_queue_and_the_agent(zammad, desk_agent, as_json):
    response = zammad(new_call(queue="english"), as_json=as_json)
    assert (response.status_code, response.json()) == (200, {})
    call = QueueCall.objects.get(call_id="z1")
    assert (call.status, call.caller_number, call.queue) == ("waiting", "01023456789", "english")

    assert zammad(answer(answeringNumber="2041"), as_json=as_json).json() == {}
    call.refresh_from_db()
    assert (call.status, call.agent) == ("talking", desk_agent)
    assert AgentStatus.objects.get(agent=desk_agent).state == AgentState.ON_CALL

    assert zammad(hangup(answeringNumber="2041"), as_json=as_json).json() == {}
    call.refresh_from_db()
    assert call.status == "ended" and call.talk_seconds is not None
    assert AgentStatus.objects.get(agent=desk_agent).state == AgentState.AFTER_CALL_WORK
    kept = list(PhoneEvent.objects.order_by("id").values_list("event", "status"))
    assert kept == [("call.offered", "applied"), ("call.answered", "applied"), ("call.ended", "applied")]
    assert PhoneEvent.objects.order_by("id").first().body["event"] == "newCall"  # the body as Zammad sent it


def test_the_form_body_of_the_zammad_docs_with_user_brackets(zammad, desk_agent):
    zammad.form({**new_call(), "user[]": ["김민수", "Emma Taylor"]})
    response = zammad.form({**answer(), "user[]": ["김민수"]})
    assert response.status_code == 200
    assert QueueCall.objects.get().agent == desk_agent


def test_the_authorization_header_works_too(phone_system, token, desk_agent):
    client = APIClient()
    response = client.post("/api/cti/zammad/", new_call(), HTTP_AUTHORIZATION=f"Token {token}")
    assert (response.status_code, response.json()) == (200, {})
    assert QueueCall.objects.filter(call_id="z1").exists()


def test_international_and_withheld_numbers(zammad):
    zammad(new_call("z1", number="821012345678"))
    zammad(new_call("z2", number="anonymous"))
    assert QueueCall.objects.get(call_id="z1").caller_number == "01012345678"
    assert QueueCall.objects.get(call_id="z2").caller_number == "anonymous"


def test_a_call_id_longer_than_ours_is_one_call(zammad, desk_agent):
    long_id = "x" * 250
    zammad(new_call(long_id))
    zammad(answer(long_id, answeringNumber="2041"))
    call = QueueCall.objects.get()
    assert call.status == "talking" and len(call.call_id) <= 64


# --- answeringNumber: extension, username, id; else the full name ---------------------
@pytest.mark.parametrize(
    "answering",
    [
        {"answeringNumber": "2041"},
        {"answeringNumber": "kim_agent"},
        {"answeringNumber": "ID"},
        {"user": "김민수"},
        {"user": "민수 김"},
        {"answeringNumber": "9999", "user": ["Nobody Here", "김 민수"]},
    ],
    ids=["extension", "username", "id", "korean-name", "given-family", "fallback-to-name"],
)
def test_the_answering_agent_is_found(zammad, desk_agent, answering):
    if answering.get("answeringNumber") == "ID":
        answering = {"answeringNumber": str(desk_agent.pk)}
    zammad(new_call(), as_json=True)
    zammad(answer(**answering), as_json=True)
    assert QueueCall.objects.get().agent == desk_agent


def test_an_extension_wins_over_another_agents_username(zammad, desk_agent, make_user):
    make_user(Role.AGENT, username="2041")  # a username that looks like the extension
    zammad(new_call())
    zammad(answer(answeringNumber="2041"))
    assert QueueCall.objects.get().agent == desk_agent


def test_an_unknown_agent_is_200_to_the_pbx_and_rejected_in_admin(zammad, desk_agent):
    zammad(new_call())
    response = zammad(answer(answeringNumber="7777", user="Nobody"))
    assert (response.status_code, response.json()) == (200, {})
    assert QueueCall.objects.get().status == "waiting"
    kept = PhoneEvent.objects.order_by("-id").first()
    assert (kept.status, kept.error_code, kept.call_id) == ("rejected", "unknown_agent", "z1")


def test_an_ambiguous_full_name_finds_no_one(zammad, desk_agent, make_user):
    make_user(Role.AGENT, username="other_kim", first_name="민수", last_name="김")
    zammad(new_call())
    zammad(answer(user="김민수"))
    assert QueueCall.objects.get().agent is None


def test_a_partner_user_is_not_an_agent(zammad, make_user):
    make_user(Role.PARTNER, username="desk_partner")
    zammad(new_call())
    zammad(answer(answeringNumber="desk_partner"))
    assert QueueCall.objects.get().status == "waiting"


# --- every hangup cause -----------------------------------------------------------------
@pytest.mark.parametrize("cause", CAUSES_BEFORE_ANSWER)
def test_a_hangup_before_an_answer_is_abandoned_whatever_the_cause(zammad, cause):
    zammad(new_call())
    assert zammad(hangup(cause=cause)).json() == {}
    call = QueueCall.objects.get()
    assert call.status == "abandoned" and call.wait_seconds is not None
    assert PhoneEvent.objects.order_by("-id").first().event == "call.abandoned"


@pytest.mark.parametrize("cause", ["normalClearing", "cancel", "noAnswer", "busy", "congestion", "notFound"])
def test_a_hangup_after_an_answer_ends_the_call(zammad, desk_agent, cause):
    zammad(new_call())
    zammad(answer(answeringNumber="2041"))
    zammad(hangup(cause=cause))
    assert QueueCall.objects.get().status == "ended"


def test_forwarded_to_a_known_agent_is_a_transfer(zammad, desk_agent, make_user):
    second = make_user(Role.AGENT, username="lee_agent")
    protection_services.agent_extension_set(agent=second, extension="2042")
    zammad(new_call())
    zammad(answer(answeringNumber="2041"))
    assert zammad(hangup(cause="forwarded", answeringNumber="2042")).json() == {}
    call = QueueCall.objects.get()
    assert (call.status, call.agent, call.transfers) == ("talking", second, 1)
    assert AgentStatus.objects.get(agent=desk_agent).state == AgentState.AFTER_CALL_WORK
    # the call then ends with the second agent
    zammad(hangup(cause="normalClearing", answeringNumber="2042"))
    call.refresh_from_db()
    assert call.status == "ended"
    assert AgentStatus.objects.get(agent=second).state == AgentState.AFTER_CALL_WORK


def test_forwarded_twice_is_two_transfers(zammad, desk_agent, make_user):
    for username, extension in (("lee_agent", "2042"), ("park_agent", "2043")):
        protection_services.agent_extension_set(agent=make_user(Role.AGENT, username=username), extension=extension)
    zammad(new_call())
    zammad(answer(answeringNumber="2041"))
    zammad(hangup(cause="forwarded", answeringNumber="2042"))
    zammad(hangup(cause="forwarded", answeringNumber="2043"))
    assert QueueCall.objects.get().transfers == 2


def test_forwarded_out_of_the_centre_ends_the_call(zammad, desk_agent):
    zammad(new_call())
    zammad(answer(answeringNumber="2041"))
    zammad(hangup(cause="forwarded", answeringNumber="119"))
    assert QueueCall.objects.get().status == "ended"


# --- repeats and impossible sequences: 200 to the PBX, visible in admin ---------------------
@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json"])
def test_a_retried_event_is_accepted_once(zammad, desk_agent, as_json):
    for _ in range(3):
        assert zammad(new_call(), as_json=as_json).json() == {}
    for _ in range(2):
        assert zammad(answer(answeringNumber="2041"), as_json=as_json).json() == {}
    assert QueueCall.objects.count() == 1
    statuses = list(PhoneEvent.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["applied", "duplicate", "duplicate", "applied", "duplicate"]


def test_impossible_sequences_are_200_and_kept_as_rejected(zammad, desk_agent):
    assert zammad(answer("ghost", answeringNumber="2041")).status_code == 200
    assert zammad(hangup("ghost2")).status_code == 200
    zammad(new_call("z1"))
    zammad(hangup("z1", cause="cancel"))
    assert zammad(answer("z1", answeringNumber="2041")).json() == {}  # after the caller left
    rejected = list(PhoneEvent.objects.filter(status="rejected").order_by("id").values_list("error_code", flat=True))
    assert rejected == ["unknown_call", "unknown_call", "illegal_transition"]
    assert QueueCall.objects.get().status == "abandoned"


# --- outbound calls --------------------------------------------------------------------
def test_an_outbound_call_moves_the_dialling_agent_not_the_queue(zammad, desk_agent):
    from floor import services as floor_services

    floor_services.shift_sign_in(agent=desk_agent)
    out = {"from": "2041", "to": "01099998888", "direction": "out", "callId": "o1"}
    zammad({**out, "event": "newCall", "user": "김민수"})
    assert AgentStatus.objects.get(agent=desk_agent).state == AgentState.RINGING
    zammad({**out, "event": "answer"})
    assert AgentStatus.objects.get(agent=desk_agent).state == AgentState.ON_CALL
    zammad({**out, "event": "hangup", "cause": "normalClearing"})
    assert AgentStatus.objects.get(agent=desk_agent).state == AgentState.AFTER_CALL_WORK
    assert not QueueCall.objects.exists()


def test_an_outbound_call_nobody_picked_up_makes_the_agent_available_again(zammad, desk_agent):
    from floor import services as floor_services

    floor_services.shift_sign_in(agent=desk_agent)
    out = {"from": "2041", "to": "01099998888", "direction": "out", "callId": "o1"}
    zammad({**out, "event": "newCall"})
    zammad({**out, "event": "hangup", "cause": "noAnswer"})
    assert AgentStatus.objects.get(agent=desk_agent).state == AgentState.AVAILABLE


# --- bad tokens, roles and bodies: 4xx ------------------------------------------------------
def test_a_bad_token_is_401_and_nothing_is_kept(zammad):
    response = zammad(new_call(), url="/api/cti/zammad/not-a-token/")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    assert not PhoneEvent.objects.exists()


def test_no_token_at_all_is_401(api):
    assert api.post("/api/cti/zammad/", new_call()).status_code == 401


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.PARTNER])
def test_a_token_of_another_role_is_403(make_user, role):
    key = Token.objects.create(user=make_user(role)).key
    response = APIClient().post(f"/api/cti/zammad/{key}/", new_call())
    assert response.status_code == 403
    assert not PhoneEvent.objects.exists()


def test_a_token_of_a_deactivated_phone_system_is_401(zammad, phone_system):
    phone_system.is_active = False
    phone_system.save()
    assert zammad(new_call()).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**new_call(), "event": "ringing"}, "event"),
        ({k: v for k, v in new_call().items() if k != "event"}, "event"),
        ({**new_call(), "direction": "sideways"}, "direction"),
        ({k: v for k, v in new_call().items() if k != "callId"}, "callId"),
        ({**new_call(), "callId": "x" * 251}, "callId"),
        ({**new_call(), "from": "not a number"}, "from"),
        ({**new_call(), "from": "12"}, "from"),
    ],
    ids=["unknown-event", "no-event", "bad-direction", "no-call-id", "call-id-too-long", "bad-from", "short-from"],
)
@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json"])
def test_a_malformed_body_is_400_and_kept_as_rejected(zammad, body, field, as_json):
    response = zammad(body, as_json=as_json)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not QueueCall.objects.exists()
    assert PhoneEvent.objects.get().status == "rejected"


@pytest.mark.parametrize(
    "raw",
    ["{not json", "[1, 2]", '"newCall"', "null", '{"event": "newCall", "callId": {"a": 1}, "direction": "in"}'],
    ids=["broken-json", "array", "string", "null", "object-call-id"],
)
def test_hostile_json_is_400(token, raw):
    response = APIClient().post(f"/api/cti/zammad/{token}/", raw, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"error", "message", "fields"}
    assert not QueueCall.objects.exists()


def test_json_numbers_are_read_as_text(zammad):
    zammad({**new_call(), "callId": 123456789, "from": 821012345678}, as_json=True)
    assert QueueCall.objects.get().call_id == "123456789"


def test_a_hostile_queue_name_is_made_a_slug(zammad):
    zammad(new_call(queue="<script>alert(1)</script> 민원 " + "q" * 80))
    queue = QueueCall.objects.get().queue
    assert "<" not in queue and len(queue) <= 32 and queue.startswith("scriptalert1script-민원")


def test_an_unsupported_body_type_is_415(token):
    response = APIClient().post(f"/api/cti/zammad/{token}/", "event=newCall", content_type="text/plain")
    assert response.status_code == 415


def test_get_is_405(token):
    assert APIClient().get(f"/api/cti/zammad/{token}/").status_code == 405


def test_the_event_time_is_when_it_arrived(zammad):
    before = timezone.now()
    zammad(new_call())
    offered_at = QueueCall.objects.get().offered_at
    assert before <= offered_at <= timezone.now() + timedelta(seconds=1)


@pytest.mark.parametrize(
    "body",
    [
        {**new_call(), "callId": "z\x001"},
        {**new_call(), "from": "010\x002345"},
        {**new_call(), "queue\x00": "x"},
        {**new_call(), "user": [{"name": "\x00"}]},
        {**new_call(), "callId": "z\ud8001"},
    ],
    ids=["nul-call-id", "nul-from", "nul-key", "nul-nested", "lone-surrogate"],
)
def test_text_no_database_can_hold_is_400_and_nothing_is_stored(token, body):
    response = APIClient().post(f"/api/cti/zammad/{token}/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert not PhoneEvent.objects.exists() and not QueueCall.objects.exists()


def test_a_nul_in_a_form_field_is_400(zammad):
    response = zammad.form({**new_call(), "callId": "z\x001"})
    assert response.status_code == 400
    assert not QueueCall.objects.exists()
