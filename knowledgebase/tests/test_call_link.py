"""The calls API accepts faq_entries: the links show on the saved call and each entry counts one use."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

CALL = {"caller_number": "010-1234-5678", "category": "water", "summary": "수질검사 문의"}


def test_a_call_links_the_entries_used_and_counts_usage(api_as, agent, entry):
    used = entry(question_ko="수돗물 수질검사", answer_ko="무료")
    other = entry(question_ko="누수", answer_ko="신고")
    client = api_as(agent)
    response = client.post("/api/calls/", {**CALL, "faq_entries": [used.pk], "client_request_id": "c-1"}, format="json")
    assert response.status_code == 201, response.json()
    call = response.json()
    assert call["faq_entries"] == [used.pk]
    assert client.get(f"/api/calls/{call['id']}/").json()["faq_entries"] == [used.pk]
    # A repeat of the same request does not count twice.
    client.post("/api/calls/", {**CALL, "faq_entries": [used.pk], "client_request_id": "c-1"}, format="json")
    used.refresh_from_db()
    other.refresh_from_db()
    assert (used.usage_count, other.usage_count) == (1, 0)


def test_usage_raises_an_entry_among_equals(api_as, agent, entry):
    first = entry(question_ko="불꽃축제 교통", answer_ko="통제")
    second = entry(question_ko="불꽃축제 교통", answer_ko="통제")
    client = api_as(agent)
    client.post("/api/calls/", {**CALL, "faq_entries": [second.pk]}, format="json")
    results = client.get("/api/kb/search", {"q": "불꽃축제"}).json()["results"]
    assert [hit["id"] for hit in results] == [second.pk, first.pk]


@pytest.mark.parametrize("bad", [[999999], ["abc"], "1", [None]])
def test_unknown_or_malformed_entries_are_a_400_and_nothing_is_saved(api_as, agent, entry, bad):
    entry(question_ko="누수", answer_ko="신고")
    client = api_as(agent)
    response = client.post("/api/calls/", {**CALL, "faq_entries": bad}, format="json")
    assert response.status_code == 400
    assert "faq_entries" in response.json()["fields"]
    assert client.get("/api/calls/").json()["count"] == 0


def test_a_call_without_entries_still_works(api_as, agent, reference_data):
    response = api_as(agent).post("/api/calls/", CALL, format="json")
    assert response.status_code == 201
    assert response.json()["faq_entries"] == []
