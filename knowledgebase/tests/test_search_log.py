"""The search log: searches recorded without personal data, their outcome from the logged call, retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from knowledgebase.models import SearchLog, SearchQueryVector
from knowledgebase.models.semantic import FAQPhrasing
from knowledgebase.search import faq_search
from knowledgebase.search_log_services import search_log_outcome_record, search_log_prune, search_log_record

pytestmark = pytest.mark.django_db

CALL = {"caller_number": "010-1234-5678", "category": "water", "summary": "대형폐기물 문의"}


def record(client, **body):
    return client.post("/api/kb/searches/", {"lang": "ko", "results": [], "total": 0, **body}, format="json")


# --- recording ------------------------------------------------------------------------------------


def test_a_search_is_recorded_with_its_results(api_as, agent, entry):
    shown = [
        entry(question_ko="대형폐기물 배출", answer_ko="스티커").pk,
        entry(question_ko="폐가전", answer_ko="무상").pk,
    ]
    response = record(api_as(agent), q="냉장고 버리는 방법 ", lang="en", results=shown, total=2)
    assert response.status_code == 201, response.json()
    log = SearchLog.objects.get(pk=response.json()["id"])
    assert (log.query, log.normalized, log.language, log.results, log.result_count, log.source) == (
        "냉장고 버리는 방법",
        "냉장고 버리는 방법",
        "en",
        shown,
        2,
        "search",
    )
    assert log.linked_entry is None and log.closed_at is None


def test_the_caller_number_in_a_query_is_never_stored(api_as, agent):
    response = record(api_as(agent), q="010-9876-5432 고객 주민번호 900101-1234567 수도요금 hong@example.com")
    assert response.status_code == 201
    assert response.json()["query"] == "고객 주민번호 수도요금"
    stored = SearchLog.objects.get().query
    assert "9876" not in stored and "1234567" not in stored and "@" not in stored


def test_a_query_that_is_only_a_number_is_not_stored(api_as, agent):
    response = record(api_as(agent), q="010-9876-5432")
    assert (response.status_code, response.json()) == (200, {"id": None, "query": ""})
    assert not SearchLog.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "수도", "lang": "fr"}, "lang"),
        ({"q": "수도", "results": "1,2"}, "results"),
        ({"q": "수도", "results": [0]}, "results"),
        ({"q": "수도", "results": list(range(1, 60))}, "results"),
        ({"q": "수도", "total": -1}, "total"),
        ({"q": "수도", "source": "robot"}, "source"),
    ],
)
def test_bad_input_is_a_400_and_nothing_is_stored(api_as, agent, body, field):
    response = api_as(agent).post("/api/kb/searches/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid" and field in response.json()["fields"]
    assert not SearchLog.objects.exists()


def test_hostile_text_is_stored_as_text(api_as, agent):
    hostile = "<script>alert(1)</script>' OR 1=1 -- \u202e"
    response = record(api_as(agent), q=hostile)
    assert response.status_code == 201
    assert SearchLog.objects.get().query == hostile.strip()


def test_control_characters_are_refused(api_as, agent):
    response = record(api_as(agent), q="수도\x00요금")
    assert response.status_code == 400 and "q" in response.json()["fields"]
    assert not SearchLog.objects.exists()


def test_only_staff_who_search_may_record(api, api_as, make_user):
    assert record(api, q="수도").status_code in (401, 403)
    partner = make_user(None, username="nobody")
    assert record(api_as(partner), q="수도").status_code == 403
    assert not SearchLog.objects.exists()


# --- the outcome, from the logged call ------------------------------------------------------------


def test_the_logged_call_gives_its_searches_their_outcome_and_teaches_search(api_as, agent, entry):
    bulky = entry(question_ko="대형폐기물 배출 방법", answer_ko="동주민센터에서 스티커를 사서 붙여 내놓습니다.")
    other = entry(question_ko="음식물 쓰레기 배출", answer_ko="전용 봉투")
    client = api_as(agent)
    missed = record(client, q="정수기 렌탈 해지", results=[], total=0).json()["id"]
    found = record(client, q="냉장고 버리기", results=[other.pk, bulky.pk], total=2).json()["id"]
    unrelated = record(client, q="음식물", results=[other.pk], total=1).json()["id"]

    body = {**CALL, "faq_entries": [bulky.pk], "faq_searches": [missed, found]}
    assert client.post("/api/calls/", body, format="json").status_code == 201

    found_log, missed_log, open_log = (SearchLog.objects.get(pk=pk) for pk in (found, missed, unrelated))
    assert (found_log.linked_entry, found_log.linked_rank) == (bulky, 2)
    # a search that did not show the entry is not credited with it: it stays a question without an answer
    assert (missed_log.linked_entry, missed_log.linked_rank) == (None, None)
    assert found_log.closed_at and missed_log.closed_at
    assert open_log.closed_at is None and open_log.linked_entry is None  # not sent with the call
    # the caller's words become a phrasing of the entry, and search uses it afterwards
    assert list(FAQPhrasing.objects.filter(entry=bulky).values_list("text", flat=True)) == ["냉장고 버리기"]
    assert [hit.entry for hit in faq_search(query="냉장고 버리기", limit=3).hits][:1] == [bulky]


def test_a_call_without_a_linked_entry_closes_its_searches_unanswered(api_as, agent, entry):
    client = api_as(agent)
    search = record(client, q="치매 아버지 실종 걱정").json()["id"]
    assert client.post("/api/calls/", {**CALL, "faq_searches": [search]}, format="json").status_code == 201
    log = SearchLog.objects.get(pk=search)
    assert log.closed_at is not None and log.linked_entry is None


def test_unknown_old_or_closed_searches_are_left_alone(agent, entry):
    bulky = entry(question_ko="대형폐기물 배출", answer_ko="스티커")
    old = search_log_record(query="오래된 검색", results=[bulky.pk])
    SearchLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    closed = search_log_record(query="닫힌 검색", results=[bulky.pk])
    search_log_outcome_record(search_ids=[closed.pk], linked_entries=[])
    changed = search_log_outcome_record(search_ids=[old.pk, closed.pk, 987654], linked_entries=[bulky])
    assert changed == []
    assert SearchLog.objects.filter(linked_entry=bulky).count() == 0


@pytest.mark.parametrize("bad", [[0], ["abc"], "1", list(range(1, 60))])
def test_malformed_search_ids_are_a_400_and_no_call_is_saved(api_as, agent, entry, bad):
    response = api_as(agent).post("/api/calls/", {**CALL, "faq_searches": bad}, format="json")
    assert response.status_code == 400
    assert "faq_searches" in response.json()["fields"]


# --- retention ------------------------------------------------------------------------------------


def test_searches_are_kept_90_days(reference_data):
    now = timezone.now()
    kept = search_log_record(query="89일 전 검색")
    gone = search_log_record(query="91일 전 검색")
    SearchLog.objects.filter(pk=kept.pk).update(created_at=now - timedelta(days=89))
    SearchLog.objects.filter(pk=gone.pk).update(created_at=now - timedelta(days=91))
    assert search_log_prune(now=now) == 1
    assert list(SearchLog.objects.values_list("query", flat=True)) == ["89일 전 검색"]


def test_the_retention_command_prunes_and_says_how_many(reference_data, settings, capsys):
    settings.KB_SEARCH_LOG_DAYS = 30
    old = search_log_record(query="지난달 검색")
    SearchLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    search_log_record(query="오늘 검색")
    call_command("kb_search_log_prune")
    assert "Deleted 1 searches older than 30 days." in capsys.readouterr().out
    assert list(SearchLog.objects.values_list("query", flat=True)) == ["오늘 검색"]


def test_a_pruned_query_takes_its_stored_vector_with_it(reference_data, counting):
    now = timezone.now()
    old = search_log_record(query="91일 전 검색")
    search_log_record(query="오늘 검색")
    kept_too = search_log_record(query="오늘 검색")  # the same text: its vector stays while a search has it
    SearchLog.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=91))
    assert SearchQueryVector.objects.count() == 2
    assert search_log_prune(now=now) == 1
    assert list(SearchQueryVector.objects.values_list("normalized", flat=True)) == [kept_too.normalized]
