"""The safety API: good, bad and hostile input; another role's access; what each reader sees."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from callcenter.models import AccessLog
from callcenter.permissions import Role
from inquiries.tests.factories import CallFactory
from referrals.models import FollowUp, Referral
from safety.models import Acknowledgement, Case, CaseEvent, Registration
from safety.tests.conftest import case_body, image_bytes

pytestmark = pytest.mark.django_db


def post_case(client, body, fmt="json"):
    return client.post("/api/safety/cases/", body, format=fmt)


# --- opening a case ------------------------------------------------------------------


def test_an_agent_opens_a_case_from_their_call(api_as, agent, report_call):
    response = post_case(api_as(agent), case_body(report_call))
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert body["status"] == "open" and body["call"] == report_call.pk
    assert "치매" in body["description"] and "회색 점퍼" in body["description"] and "김철수" not in body["description"]
    assert body["identity"]["name"] == "김철수" and body["identity"]["guardian_number"] == "010-7777-1234"
    assert case.consent and case.consent_by == agent and case.guardian_number == "01077771234"
    assert [(e.from_status, e.to_status) for e in case.events.all()] == [("", "open")]
    # the report is handed to 112: a warm transfer, the guardian as contact, never "new"
    handoff = Referral.objects.get(pk=body["handoff"])
    assert handoff.status == "transferred" and handoff.contact_number == "01077771234"
    assert handoff.transferred_by == agent and handoff.transferred_to == "112"
    assert AccessLog.objects.filter(subject=case.subject, action="create").exists()
    assert AccessLog.objects.filter(subject=case.subject, action="view").exists()  # the 201 body shows the name


def test_a_case_opens_with_a_photo_in_multipart(api_as, agent, report_call):
    photo = SimpleUploadedFile("아버지.png", image_bytes("PNG"), content_type="image/png")
    body = {**case_body(report_call), "photo": photo, "consent": "true"}
    response = post_case(api_as(agent), body, fmt="multipart")
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.photo.name.endswith(".jpg")  # stored re-encoded, under a name of ours
    photo_url = response.json()["identity"]["photo_url"]
    picture = api_as(agent).get(photo_url)
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg"
    assert b"".join(picture.streaming_content)[:2] == b"\xff\xd8"
    assert AccessLog.objects.filter(subject=case.subject, target=f"case:{case.pk}:photo").count() == 1


def test_the_stored_photo_loses_its_exif_location(api_as, agent, report_call):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make; GPS lives in the same block
    photo = SimpleUploadedFile("p.jpg", image_bytes("JPEG", exif=exif.tobytes()), content_type="image/jpeg")
    response = post_case(api_as(agent), {**case_body(report_call), "photo": photo}, fmt="multipart")
    assert response.status_code == 201
    with Image.open(Case.objects.get().photo.path) as stored:
        assert not stored.getexif()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent": False}, "consent"),
        ({"consent": None}, "consent"),
        ({"kind": "alien"}, "kind"),
        ({"sex": "x"}, "sex"),
        ({"age": -1}, "age"),
        ({"height_cm": 900}, "height_cm"),
        ({"guardian_number": "not a number"}, "guardian_number"),
        ({"guardian_number": ""}, "guardian_number"),
        ({"last_seen_at": "yesterday"}, "last_seen_at"),
        ({"last_seen_place": ""}, "last_seen_place"),
        ({"call": 999999}, "call"),
    ],
)
def test_bad_input_is_400_and_opens_nothing(api_as, agent, report_call, change, field):
    body = {**case_body(report_call), **change}
    if change.get("consent", 0) is None:
        del body["consent"]
    response = post_case(api_as(agent), body)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert response.json()["error"] == "invalid"
    assert not Case.objects.exists() and not Referral.objects.exists()


def test_a_future_last_seen_time_is_refused(api_as, agent, report_call):
    later = (timezone.now() + timedelta(days=1)).isoformat()
    response = post_case(api_as(agent), case_body(report_call, last_seen_at=later))
    assert response.status_code == 400 and "last_seen_at" in response.json()["fields"]


def test_another_agents_call_does_not_exist_for_this_agent(api_as, other_agent, report_call):
    response = post_case(api_as(other_agent), case_body(report_call))
    assert response.status_code == 400 and "call" in response.json()["fields"]
    assert not Case.objects.exists()


# --- hostile input --------------------------------------------------------------------


def test_a_file_that_is_not_an_image_is_refused(api_as, agent, report_call):
    fake = SimpleUploadedFile("photo.jpg", b"<?php system($_GET['c']); ?>" * 10, content_type="image/jpeg")
    response = post_case(api_as(agent), {**case_body(report_call), "photo": fake}, fmt="multipart")
    assert response.status_code == 400 and "photo" in response.json()["fields"]
    assert not Case.objects.exists()


def test_an_image_format_we_do_not_take_is_refused(api_as, agent, report_call):
    gif = SimpleUploadedFile("p.gif", image_bytes("GIF"), content_type="image/png")
    response = post_case(api_as(agent), {**case_body(report_call), "photo": gif}, fmt="multipart")
    assert response.status_code == 400 and "photo" in response.json()["fields"]


def test_a_truncated_image_is_refused(api_as, agent, report_call):
    broken = SimpleUploadedFile("p.png", image_bytes("PNG")[:60], content_type="image/png")
    response = post_case(api_as(agent), {**case_body(report_call), "photo": broken}, fmt="multipart")
    assert response.status_code == 400 and "photo" in response.json()["fields"]


def test_an_oversized_photo_is_refused(api_as, agent, report_call, settings):
    settings.SAFETY_PHOTO_MAX_BYTES = 2000
    big = SimpleUploadedFile("big.png", image_bytes("PNG", size=(400, 400)) + b"\0" * 3000, content_type="image/png")
    response = post_case(api_as(agent), {**case_body(report_call), "photo": big}, fmt="multipart")
    assert response.status_code == 400 and "photo" in response.json()["fields"]
    assert not Case.objects.exists()


def test_a_body_far_past_the_photo_limit_is_413_before_it_is_read(api_as, agent, report_call, settings):
    settings.SAFETY_PHOTO_MAX_BYTES = 1000
    huge = SimpleUploadedFile("huge.png", b"\0" * (400 * 1024), content_type="image/png")
    response = post_case(api_as(agent), {**case_body(report_call), "photo": huge}, fmt="multipart")
    assert response.status_code == 413 and response.json()["error"] == "too_large"
    assert not Case.objects.exists()


def test_a_decompression_bomb_is_refused(api_as, agent, report_call):
    bomb = SimpleUploadedFile("bomb.png", image_bytes("PNG", size=(9000, 9000)), content_type="image/png")
    response = post_case(api_as(agent), {**case_body(report_call), "photo": bomb}, fmt="multipart")
    assert response.status_code == 400 and "photo" in response.json()["fields"]


def test_markup_and_oversized_text_are_refused_or_kept_as_text(api_as, agent, report_call):
    long = post_case(api_as(agent), case_body(report_call, marks="x" * 301, clothing="y" * 5000))
    assert long.status_code == 400 and {"marks", "clothing"} <= set(long.json()["fields"])
    script = post_case(api_as(agent), case_body(report_call, marks="<script>alert(1)</script>"))
    assert script.status_code == 201
    assert "<script>alert(1)</script>" in script.json()["description"]  # data, escaped where shown


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"last_seen_at": "2026-12-01T14:20:00"}, "last_seen_at"),  # no zone: whose clock?
        ({"last_seen_at": "0088-05-04T09:00:00+09:00"}, "last_seen_at"),  # further back than a call may be
        ({"last_seen_at": "2999-01-01T09:00:00+09:00"}, "last_seen_at"),
        ({"name": "\x1b[31m김철수"}, "name"),  # a terminal escape is not a name
        ({"name": 123}, "name"),  # a number is not text
        ({"age": "일흔"}, "age"),
        ({"consent": "maybe"}, "consent"),
    ],
)
def test_times_without_a_zone_or_out_of_reach_and_wrong_types_are_refused(api_as, agent, report_call, overrides, field):
    response = post_case(api_as(agent), case_body(report_call, **overrides))
    assert response.status_code == 400 and field in response.json()["fields"], response.json()
    assert not Case.objects.exists()


def test_a_sighting_needs_a_time_with_its_zone(api_as, agent, report_call):
    case = post_case(api_as(agent), case_body(report_call)).json()
    body = {"call": report_call.pk, "place": "성수역", "seen_at": "2026-12-01T15:00:00"}
    response = api_as(agent).post(f"/api/safety/cases/{case['id']}/sightings/", body, format="json")
    assert response.status_code == 400 and "seen_at" in response.json()["fields"]


# --- who may ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTNER, Role.PHONE_SYSTEM])
def test_other_roles_are_refused_everywhere(api_as, make_user, agent, report_call, role):
    case = post_case(api_as(agent), case_body(report_call)).json()
    outsider = api_as(make_user(role))
    for method, url, body in [
        ("get", "/api/safety/cases/?status=open", None),
        ("get", f"/api/safety/cases/{case['id']}/", None),
        ("get", f"/api/safety/cases/{case['id']}/photo/", None),
        ("post", "/api/safety/cases/", case_body(report_call)),
        ("post", f"/api/safety/cases/{case['id']}/transition/", {"to": "closed"}),
        (
            "post",
            f"/api/safety/cases/{case['id']}/sightings/",
            {"call": report_call.pk, "place": "x", "seen_at": "2026-12-01T15:00:00+09:00"},
        ),
        ("get", "/api/safety/search?q=할아버지", None),
        ("post", "/api/safety/registrations/", {"kind": "child"}),
        ("get", "/api/safety/registrations/1/", None),
    ]:
        response = getattr(outsider, method)(url, body, format="json") if body else getattr(outsider, method)(url)
        assert response.status_code == 403, (url, response.status_code)
    assert Case.objects.get().status == "open"


def test_without_sign_in_it_is_401(api, report_call):
    assert api.get("/api/safety/cases/").status_code == 401


# --- reading ------------------------------------------------------------------------


def test_the_list_filters_by_status_and_never_shows_identity(api_as, agent, report_call):
    first = post_case(api_as(agent), case_body(report_call)).json()
    second = post_case(api_as(agent), case_body(report_call, kind="child", age=7, name="이영희")).json()
    api_as(agent).post(f"/api/safety/cases/{second['id']}/transition/", {"to": "cancelled"}, format="json")
    logged = AccessLog.objects.count()
    body = api_as(agent).get("/api/safety/cases/?status=open").json()
    assert [c["id"] for c in body["results"]] == [first["id"]]
    assert body["results"][0]["identity"] is None
    assert AccessLog.objects.count() == logged  # a list shows no identifying details: nothing to log
    assert api_as(agent).get("/api/safety/cases/?status=lost").status_code == 400


def test_identity_only_while_open_or_found(api_as, agent, other_agent, report_call):
    case = post_case(api_as(agent), case_body(report_call)).json()
    seen = api_as(other_agent).get(f"/api/safety/cases/{case['id']}/").json()
    assert seen["identity"]["name"] == "김철수"
    api_as(agent).post(f"/api/safety/cases/{case['id']}/transition/", {"to": "found"}, format="json")
    assert api_as(other_agent).get(f"/api/safety/cases/{case['id']}/").json()["identity"]["name"] == "김철수"
    api_as(agent).post(f"/api/safety/cases/{case['id']}/transition/", {"to": "closed"}, format="json")
    logged = AccessLog.objects.filter(action="view").count()
    closed = api_as(other_agent).get(f"/api/safety/cases/{case['id']}/").json()
    assert closed["identity"] is None and "치매" in closed["description"]
    assert api_as(other_agent).get(f"/api/safety/cases/{case['id']}/photo/").status_code == 404
    assert AccessLog.objects.filter(action="view").count() == logged
    assert AccessLog.objects.filter(user=other_agent, subject=f"safety-case:{case['id']}", action="view").count() == 2


def test_a_missing_case_is_404(api_as, agent):
    assert api_as(agent).get("/api/safety/cases/424242/").status_code == 404


# --- transitions ---------------------------------------------------------------------


def test_transitions_follow_the_table(api_as, agent, report_call):
    case = post_case(api_as(agent), case_body(report_call)).json()
    url = f"/api/safety/cases/{case['id']}/transition/"
    client = api_as(agent)
    assert client.post(url, {"to": "found", "note": "탑골공원에서 발견"}, format="json").status_code == 200
    refused = client.post(url, {"to": "cancelled"}, format="json")
    assert refused.status_code == 409 and refused.json()["error"] == "illegal_transition"
    assert client.post(url, {"to": "open"}, format="json").status_code == 400
    assert client.post(url, {"to": "closed"}, format="json").json()["status"] == "closed"
    steps = list(CaseEvent.objects.filter(kind="status").values_list("from_status", "to_status", "actor"))
    assert steps == [("", "open", agent.pk), ("open", "found", agent.pk), ("found", "closed", agent.pk)]
    assert Case.objects.get().closed_at is not None


def test_acknowledging_records_who_once(api_as, agent, other_agent, report_call):
    case = post_case(api_as(agent), case_body(report_call)).json()
    url = f"/api/safety/cases/{case['id']}/acknowledge/"
    assert api_as(other_agent).post(url, {}, format="json").status_code == 200
    assert api_as(other_agent).post(url, {}, format="json").status_code == 200
    assert list(Acknowledgement.objects.values_list("user__username", flat=True)) == [
        agent.username,
        other_agent.username,
    ]
    assert CaseEvent.objects.filter(kind="acknowledged").count() == 1  # the opener's needs no event
    detail = api_as(agent).get(f"/api/safety/cases/{case['id']}/").json()
    assert [a["user"] for a in detail["acknowledged_by"]] == [agent.username, other_agent.username]


def test_the_person_found_is_acknowledged_apart_from_the_open_case(api_as, agent, other_agent, supervisor, report_call):
    from safety import selectors

    case = post_case(api_as(agent), case_body(report_call)).json()
    url = f"/api/safety/cases/{case['id']}/acknowledge/"
    assert api_as(other_agent).post(url, {"status": "open"}, format="json").json()["status"] == "open"
    assert selectors.case_ids_acknowledged(user=other_agent, case_ids=[case["id"]]) == {case["id"]}

    # the supervisor marks the person found: new information, the banner is due again for B
    api_as(supervisor).post(f"/api/safety/cases/{case['id']}/transition/", {"to": "found"}, format="json")
    assert selectors.case_ids_acknowledged(user=other_agent, case_ids=[case["id"]]) == set()
    assert selectors.case_ids_acknowledged(user=agent, case_ids=[case["id"]]) == set()  # the opener's too
    # but not for who marked it found
    assert selectors.case_ids_acknowledged(user=supervisor, case_ids=[case["id"]]) == {case["id"]}

    # a click on an open banner that arrives late does not hide the found one
    assert api_as(other_agent).post(url, {"status": "open"}, format="json").status_code == 200
    assert selectors.case_ids_acknowledged(user=other_agent, case_ids=[case["id"]]) == set()
    answer = api_as(other_agent).post(url, {}, format="json").json()  # no status: the current one
    assert answer["status"] == "found" and answer["user"] == other_agent.username
    assert selectors.case_ids_acknowledged(user=other_agent, case_ids=[case["id"]]) == {case["id"]}
    events = CaseEvent.objects.filter(kind="acknowledged").values_list("actor__username", "to_status")
    assert list(events) == [(other_agent.username, "open"), (other_agent.username, "found")]
    detail = api_as(agent).get(f"/api/safety/cases/{case['id']}/").json()
    assert [(a["user"], a["status"]) for a in detail["acknowledged_by"]] == [
        (agent.username, "open"),
        (other_agent.username, "open"),
        (supervisor.username, "found"),
        (other_agent.username, "found"),
    ]


@pytest.mark.parametrize("status", ["closed", "cancelled", "lost", 7, ["open"]])
def test_acknowledging_a_status_without_a_banner_is_refused(api_as, agent, other_agent, report_call, status):
    case = post_case(api_as(agent), case_body(report_call)).json()
    response = api_as(other_agent).post(
        f"/api/safety/cases/{case['id']}/acknowledge/", {"status": status}, format="json"
    )
    assert response.status_code == 400 and "status" in response.json()["fields"]
    assert not Acknowledgement.objects.filter(user=other_agent).exists()


def test_a_closed_case_cannot_be_acknowledged(api_as, agent, other_agent, report_call):
    case = post_case(api_as(agent), case_body(report_call)).json()
    api_as(agent).post(f"/api/safety/cases/{case['id']}/transition/", {"to": "closed"}, format="json")
    response = api_as(other_agent).post(f"/api/safety/cases/{case['id']}/acknowledge/", {}, format="json")
    assert response.status_code == 400 and response.json()["error"] == "invalid"
    assert not Acknowledgement.objects.filter(user=other_agent).exists()


# --- sightings -------------------------------------------------------------------------


def test_a_sighting_makes_the_guardians_call_back_due_now(api_as, agent, other_agent, report_call, sighting_call):
    case = post_case(api_as(agent), case_body(report_call)).json()
    before = timezone.now()
    response = api_as(other_agent).post(
        f"/api/safety/cases/{case['id']}/sightings/",
        {
            "call": sighting_call.pk,
            "place": "종로2가 버스정류장",
            "seen_at": timezone.now().isoformat(),
            "note": "벤치에 앉아 계심",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    followup = FollowUp.objects.get()
    assert followup.status == "due" and followup.due_at <= timezone.now() and followup.due_at >= before
    assert followup.agent == other_agent and followup.referral.contact_number == "01077771234"
    assert "종로2가 버스정류장" in followup.reason
    assert response.json()["followup"]["id"] == followup.pk
    assert CaseEvent.objects.filter(kind="sighting", actor=other_agent).exists()
    due = api_as(other_agent).get(f"/api/followups/?due=true&agent={other_agent.username}").json()["results"]
    assert [f["id"] for f in due] == [followup.pk] and "종로2가" in due[0]["reason"]


def test_sighting_bad_and_closed(api_as, agent, other_agent, report_call, sighting_call):
    case = post_case(api_as(agent), case_body(report_call)).json()
    url = f"/api/safety/cases/{case['id']}/sightings/"
    client = api_as(other_agent)
    bad = client.post(url, {"call": sighting_call.pk, "place": "", "seen_at": "soon"}, format="json")
    assert bad.status_code == 400 and {"place", "seen_at"} <= set(bad.json()["fields"])
    not_mine = client.post(
        url, {"call": report_call.pk, "place": "x", "seen_at": timezone.now().isoformat()}, format="json"
    )
    assert not_mine.status_code == 400 and "call" in not_mine.json()["fields"]
    api_as(agent).post(f"/api/safety/cases/{case['id']}/transition/", {"to": "closed"}, format="json")
    late = api_as(other_agent).post(
        url, {"call": sighting_call.pk, "place": "x", "seen_at": timezone.now().isoformat()}, format="json"
    )
    assert late.status_code == 409, late.content
    assert not FollowUp.objects.exists()


# --- search ---------------------------------------------------------------------------


def test_search_finds_exact_marks_by_words(api_as, agent, other_agent, report_call):
    case = post_case(api_as(agent), case_body(report_call)).json()
    post_case(api_as(agent), case_body(report_call, kind="child", age=6, marks="노란 모자", clothing="분홍 원피스"))
    body = api_as(other_agent).get("/api/safety/search?q=뺨에 점이 있는 분").json()
    assert body["results"][0] == {**body["results"][0], "type": "case", "id": case["id"], "kind": "dementia"}
    assert "name" not in body["results"][0]


def test_search_in_other_words_uses_the_embedder(api_as, agent, other_agent, report_call, fake_embedder):
    senior = post_case(api_as(agent), case_body(report_call, marks="", clothing="", build="")).json()
    child = post_case(
        api_as(agent), case_body(report_call, kind="child", age=6, marks="", clothing="", build="")
    ).json()
    results = api_as(other_agent).get("/api/safety/search?q=버스 정류장에 혼란스러워하는 할아버지").json()["results"]
    assert results[0]["id"] == senior["id"]
    assert child["id"] not in [r["id"] for r in results[:1]]


def test_search_bad_input(api_as, agent):
    client = api_as(agent)
    assert client.get("/api/safety/search").status_code == 400
    assert client.get("/api/safety/search?q=" + "가" * 301).status_code == 400
    assert client.get("/api/safety/search?q=" + "%27%22%3B--%20OR%201%3D1").json() == {"results": []}


# --- registrations ----------------------------------------------------------------------


def registration_body(**overrides):
    body = {
        "kind": "child",
        "name": "박하늘",
        "age": 7,
        "sex": "female",
        "height_cm": 120,
        "clothing": "노란 우비",
        "marks": "오른손 등에 화상 흉터",
        "guardian_number": "010-3333-4444",
        "consent": True,
    }
    body.update(overrides)
    return body


def test_register_read_renew_and_delete(api_as, agent, other_agent):
    created = api_as(agent).post("/api/safety/registrations/", registration_body(), format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    registration = Registration.objects.get(pk=pk)
    assert registration.review_on == timezone.localdate() + timedelta(days=365)
    seen = api_as(other_agent).get(f"/api/safety/registrations/{pk}/").json()
    assert seen["identity"]["name"] == "박하늘"
    assert AccessLog.objects.filter(user=other_agent, subject=f"safety-registration:{pk}", action="view").exists()
    Registration.objects.filter(pk=pk).update(renewed_at=timezone.now() - timedelta(days=500))
    patched = api_as(agent).patch(
        f"/api/safety/registrations/{pk}/", {"renew": True, "clothing": "파란 점퍼"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["clothing"] == "파란 점퍼"
    assert Registration.objects.get(pk=pk).renewed_at > timezone.now() - timedelta(minutes=1)
    found = api_as(other_agent).get("/api/safety/search?q=손등 흉터").json()["results"]
    assert found and found[0]["type"] == "registration" and found[0]["id"] == pk
    assert api_as(agent).delete(f"/api/safety/registrations/{pk}/").status_code == 204
    assert api_as(agent).get(f"/api/safety/registrations/{pk}/").status_code == 404
    assert AccessLog.objects.filter(subject=f"safety-registration:{pk}", action="delete").exists()


def test_registration_bad_input(api_as, agent):
    client = api_as(agent)
    for change, field in [
        ({"consent": False}, "consent"),
        ({"kind": "x"}, "kind"),
        ({"review_on": "2001-01-01"}, "review_on"),
    ]:
        response = client.post("/api/safety/registrations/", registration_body(**change), format="json")
        assert response.status_code == 400 and field in response.json()["fields"], change
    registration = client.post("/api/safety/registrations/", registration_body(), format="json").json()
    patched = client.patch(
        f"/api/safety/registrations/{registration['id']}/", {"guardian_number": "nope"}, format="json"
    )
    assert patched.status_code == 400 and "guardian_number" in patched.json()["fields"]
    assert Registration.objects.count() == 1


def test_a_case_call_from_another_agent_on_the_same_floor_is_not_needed_for_search(api_as, agent, category):
    other = CallFactory(agent=agent, category=category)
    assert api_as(agent).get(f"/api/safety/search?q=call{other.pk}").json() == {"results": []}
