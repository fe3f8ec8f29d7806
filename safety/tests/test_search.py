"""Sighting search with the real model (knowledgebase's embedder, multilingual-e5-small):
a caller's words that share nothing with the report still find the person."""

import pytest
from django.utils import timezone

from safety import selectors, services

pytestmark = pytest.mark.django_db


def open_case(call, agent, **fields):
    return services.case_open(
        call=call, actor=agent, last_seen_at=timezone.now(), guardian_number="010-7777-1234", consent=True, **fields
    )


def test_other_words_and_another_language_find_the_right_person(embedder, agent, report_call):
    senior = open_case(
        report_call, agent, kind="dementia", age=78, sex="male", clothing="회색 점퍼", last_seen_place="종로3가역"
    )
    child = open_case(
        report_call, agent, kind="child", age=6, sex="female", clothing="분홍색 원피스", last_seen_place="서울숲 놀이터"
    )
    assert senior.embedding_model == embedder.name and senior.embedding  # stored when opened
    for query in ("버스 정류장에서 길을 잃은 듯한 할아버지", "a confused old man at the bus stop"):
        hits = selectors.sighting_candidates_search(query=query)
        assert hits and hits[0].person.pk == senior.pk, query
    hits = selectors.sighting_candidates_search(query="울고 있는 여자아이")
    assert hits and hits[0].person.pk == child.pk


def test_without_the_model_the_words_still_find_exact_marks(agent, report_call):
    marked = open_case(
        report_call,
        agent,
        kind="disability",
        marks="오른팔에 용 문신",
        clothing="검은 후드티",
        last_seen_place="홍대입구역",
    )
    open_case(report_call, agent, kind="dementia", clothing="회색 점퍼", last_seen_place="종로3가역")
    assert marked.embedding is None
    hits = selectors.sighting_candidates_search(query="팔에 용 문신이 있는 남자")
    assert [hit.person.pk for hit in hits][:1] == [marked.pk]
