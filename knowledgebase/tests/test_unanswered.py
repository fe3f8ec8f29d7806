"""The questions without an answer: frequent searches that ended without a link, grouped by meaning."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import numpy
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from knowledgebase.models import SearchLog, SearchQueryVector
from knowledgebase.search_log_selectors import unanswered_question_list
from knowledgebase.search_log_services import search_log_outcome_record, search_log_record
from knowledgebase.tests.fakes import CountingEmbedder

pytestmark = pytest.mark.django_db


def searched(query, times=1, *, language="ko", source="search", days_ago=0, results=()):
    logs = [search_log_record(query=query, language=language, source=source, results=results) for _ in range(times)]
    if days_ago:
        SearchLog.objects.filter(pk__in=[log.pk for log in logs]).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    return logs


@pytest.fixture
def log(reference_data, entry):
    bulky = entry(question_ko="대형폐기물 배출 방법", answer_ko="스티커를 붙여 내놓습니다.")
    searched("냉장고 버리는 방법", 3)
    searched("냉장고 버리는 법", 2, language="en")
    searched("냉장고 어떻게 버려요")
    searched("치매 아버지 실종 걱정", 2)
    searched("치매 노인 실종 신고")
    searched("여권 재발급")
    # answered: linked to a call
    answered = searched("대형폐기물", 5, results=[bulky.pk])
    search_log_outcome_record(search_ids=[s.pk for s in answered], linked_entries=[bulky])
    # not counted: a suggestion, and a search older than the period
    searched("수도요금 고지서 재발급", 4, source="suggestion")
    searched("옛날 검색", 9, days_ago=40)
    return bulky


def test_without_a_model_the_same_words_are_one_question(log):
    questions, by_meaning = unanswered_question_list(days=30)
    assert by_meaning is False
    # the most frequent first; among as frequent, the most recently searched
    assert [(q.query, q.count) for q in questions] == [
        ("냉장고 버리는 방법", 3),
        ("치매 아버지 실종 걱정", 2),
        ("냉장고 버리는 법", 2),
        ("여권 재발급", 1),
        ("치매 노인 실종 신고", 1),
        ("냉장고 어떻게 버려요", 1),
    ]
    assert questions[2].languages == ["en"]


def test_the_same_question_typed_differently_is_one_row(log):
    searched("냉장고  버리는 방법?")  # spacing and punctuation
    questions, _ = unanswered_question_list(days=30)
    assert (questions[0].query, questions[0].count) == ("냉장고 버리는 방법", 4)


def test_with_the_model_questions_that_mean_the_same_are_grouped(log, embedder):
    questions, by_meaning = unanswered_question_list(days=30)
    assert by_meaning is True
    rows = [(q.query, q.count, sorted(text for text, _ in q.phrasings)) for q in questions]
    assert rows == [
        ("냉장고 버리는 방법", 6, ["냉장고 버리는 방법", "냉장고 버리는 법", "냉장고 어떻게 버려요"]),
        ("치매 아버지 실종 걱정", 3, ["치매 노인 실종 신고", "치매 아버지 실종 걱정"]),
        ("여권 재발급", 1, ["여권 재발급"]),
    ]
    assert questions[0].languages == ["en", "ko"]


def test_the_period_and_the_minimum_count(log):
    questions, _ = unanswered_question_list(days=90, min_count=3)
    assert [(q.query, q.count) for q in questions] == [("옛날 검색", 9), ("냉장고 버리는 방법", 3)]


# --- the admin page ---------------------------------------------------------------------------------


def test_the_admin_page_lists_them_with_a_prefilled_write_an_entry_action(client, admin_user, log):
    client.force_login(admin_user)
    response = client.get(reverse("admin:knowledgebase_searchlog_unanswered"), {"days": 30})
    assert response.status_code == 200
    rows = response.context["questions"]
    assert rows[0].query == "냉장고 버리는 방법"
    link = urlparse(rows[0].add_url)
    assert link.path == reverse("admin:knowledgebase_faqentry_add")
    assert parse_qs(link.query) == {"question_ko": ["냉장고 버리는 방법"]}
    add_form = client.get(rows[0].add_url)
    assert add_form.context["adminform"].form.initial["question_ko"] == "냉장고 버리는 방법"
    assert "대형폐기물" not in response.content.decode()  # answered: not listed


@pytest.mark.parametrize("days", ["abc", "-1", "1000"])
def test_an_odd_period_falls_back_to_30_days(client, admin_user, log, days):
    client.force_login(admin_user)
    response = client.get(reverse("admin:knowledgebase_searchlog_unanswered"), {"days": days})
    assert (response.status_code, response.context["days"]) == (200, 30)


def test_agents_do_not_see_the_page(client, agent, log):
    client.force_login(agent)
    response = client.get(reverse("admin:knowledgebase_searchlog_unanswered"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_search_log_is_read_only_in_admin(client, admin_user, log):
    client.force_login(admin_user)
    assert client.get(reverse("admin:knowledgebase_searchlog_changelist")).status_code == 200
    row = SearchLog.objects.first()
    assert (
        client.post(reverse("admin:knowledgebase_searchlog_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    )
    assert SearchLog.objects.filter(pk=row.pk).exists()


# --- the query vectors the grouping reads ------------------------------------------------------------


def test_a_typed_query_is_embedded_once_when_logged(reference_data, counting):
    searched("냉장고 버리는 방법", 3)
    searched("냉장고  버리는 방법?")  # the same normalised text
    searched("수도요금 고지서", source="suggestion")  # suggestions are not on the page: not embedded
    assert list(SearchQueryVector.objects.values_list("normalized", "model")) == [("냉장고 버리는 방법", counting.name)]
    stored = numpy.frombuffer(bytes(SearchQueryVector.objects.get().vector), dtype="<f4")
    assert numpy.allclose(stored, counting.embed_query("냉장고 버리는 방법"))


def test_the_page_groups_by_stored_vectors_without_embedding(reference_data, counting, monkeypatch):
    searched("냉장고 버리는 방법", 2)
    searched("여권 재발급")
    asked = []
    monkeypatch.setattr(
        counting, "embed_query", lambda text: asked.append(text) or CountingEmbedder._vector(counting, text)
    )
    questions, by_meaning = unanswered_question_list(days=30)
    assert by_meaning is True and [q.query for q in questions] == ["냉장고 버리는 방법", "여권 재발급"]
    assert asked == []


def test_queries_logged_while_the_model_was_off_are_embedded_by_kb_embed(reference_data, counting):
    from knowledgebase.search import embedder as kb_embedder

    kb_embedder.set_embedder(None)
    searched("냉장고 버리는 방법", 2)
    searched("여권 재발급")
    assert SearchQueryVector.objects.count() == 0
    kb_embedder.set_embedder(counting)
    # the page still groups them (embedded for the view, not stored: a read)
    assert unanswered_question_list(days=30)[1] is True
    assert SearchQueryVector.objects.count() == 0
    out = io.StringIO()
    call_command("kb_embed", stdout=out)
    assert "logged queries embedded 2" in out.getvalue()
    assert set(SearchQueryVector.objects.values_list("normalized", flat=True)) == {"냉장고 버리는 방법", "여권 재발급"}


def test_a_failing_model_never_costs_the_search_log(reference_data, counting, monkeypatch, caplog):
    def broken(text):
        raise RuntimeError("engine crashed")

    monkeypatch.setattr(counting, "embed_query", broken)
    (log,) = searched("냉장고 버리는 방법")
    assert SearchLog.objects.filter(pk=log.pk).exists() and SearchQueryVector.objects.count() == 0
    assert "kb_embed" in caplog.text
    # and the page falls back to grouping by words
    assert unanswered_question_list(days=30)[1] is False
