"""Meaning beside words (faq_search with the model): fusion, cross-lingual, nonsense, no model.

One model load for the whole suite (the `embedder` fixture); a handful of entries each.
Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import logging

import numpy
import pytest

from knowledgebase.models import FAQVector
from knowledgebase.search import embedder as kb_embedder
from knowledgebase.search import faq_search, hybrid
from knowledgebase.services import faq_entry_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(entry):
    return {
        "bulky": entry(
            question_ko="대형폐기물 배출 신고",
            answer_ko="가구나 가전제품 같은 대형폐기물은 구청에 신고하고 납부필증을 붙여 내놓습니다.",
        ),
        "water": entry(
            question_ko="수돗물 수질검사 신청",
            answer_ko="아리수 품질확인제로 가정의 수돗물을 무료로 검사합니다. 120으로 신청하세요.",
        ),
        "bike": entry(
            question_ko="공공자전거 따릉이 이용 방법",
            answer_ko="따릉이는 서울시 공공자전거입니다. 앱에서 이용권을 사서 대여소에서 빌립니다.",
        ),
        "lost": entry(
            question_ko="대중교통 유실물 찾기",
            answer_ko="지하철, 버스, 택시에 두고 내린 물건은 대중교통 통합 분실물센터에서 찾습니다.",
        ),
        "marriage": entry(
            question_ko="혼인신고 방법",
            answer_ko="혼인신고는 전국 시군구청 어디서나 할 수 있습니다.",
            question_en="How to register a marriage",
            answer_en="A marriage can be registered at any district office in the country.",
        ),
    }


def ranked(result) -> list[int]:
    return [hit.entry.pk for hit in result.hits]


def test_meaning_without_shared_words(embedder, corpus):
    # No word of it is in the entry. ("고장 난 텔레비전은 어떻게 버려요" put the bulky-waste entry
    # and the lost-property one 0.0001 apart: the model's 4-bit kernels differ that much from one
    # CPU to another, and the order flipped between two machines.)
    result = faq_search(query="고장 난 세탁기 버리려면 어떻게 해요", language="ko")
    assert result.semantic is True
    assert ranked(result)[0] == corpus["bulky"].pk
    assert result.hits[0].match == "semantic"
    assert result.hits[0].similarity is not None


def test_words_and_meaning_both(embedder, corpus):
    result = faq_search(query="수돗물 수질검사", language="ko")
    assert ranked(result)[0] == corpus["water"].pk
    assert result.hits[0].match == "both"
    assert result.hits[0].low_confidence is False
    # the best by both outranks anything found one way only
    assert result.hits[0].score == max(hit.score for hit in result.hits)


def test_exact_numbers_stay_lexical(embedder, corpus):
    result = faq_search(query="120", language="ko")
    assert ranked(result) == [corpus["water"].pk]
    assert result.hits[0].match in {"lexical", "both"}


@pytest.mark.parametrize(
    ("query", "lang", "key"),
    [
        ("I left my wallet on the bus", "en", "lost"),
        ("公共自行车怎么租", "zh", "bike"),
        ("バスに財布を忘れました", "ja", "lost"),
    ],
)
def test_cross_lingual_finds_the_korean_entry(embedder, corpus, query, lang, key):
    result = faq_search(query=query, language=lang)
    assert corpus[key].pk in ranked(result)[:2]
    hit = next(hit for hit in result.hits if hit.entry.pk == corpus[key].pk)
    assert hit.language == "ko" and hit.fallback is True  # no such translation: Korean, flagged


def test_caller_language_shown_where_it_exists(embedder, corpus):
    result = faq_search(query="marriage registration", language="en")
    hit = result.hits[0]
    assert hit.entry.pk == corpus["marriage"].pk
    assert (hit.language, hit.question, hit.fallback) == ("en", "How to register a marriage", False)


@pytest.mark.parametrize("nonsense", ["asdfgh", "ㅋㅋㅋ", "qwerty zxcv", "!!!", "ㅁㄴㅇㄹ"])
def test_nonsense_finds_nothing(embedder, corpus, nonsense):
    assert faq_search(query=nonsense, language="ko").hits == []


def test_semantic_only_weak_hits_are_marked_not_hidden(embedder, corpus, monkeypatch):
    monkeypatch.setattr(hybrid, "CONFIDENT_Z", 99.0)  # every hit by meaning alone is below the floor
    result = faq_search(query="고장 난 텔레비전은 어떻게 버려요", language="ko")
    assert result.hits and all(hit.low_confidence for hit in result.hits if hit.match == "semantic")


def test_unpublished_and_other_categories_stay_out(embedder, corpus, entry):
    from knowledgebase.models import Category, FAQEntry

    draft = entry(question_ko="폐가전 무상 방문수거", answer_ko="냉장고, 세탁기를 무료로 수거합니다.", status="draft")
    result = faq_search(query="고장 난 텔레비전은 어떻게 버려요", language="ko")
    assert draft.pk not in ranked(result)
    assert draft.pk in ranked(faq_search(query="고장 난 텔레비전은 어떻게 버려요", include_unpublished=True))
    housing = Category.objects.get(slug="housing")
    assert faq_search(query="고장 난 텔레비전은 어떻게 버려요", category=housing).hits == []
    assert FAQEntry.objects.filter(pk=draft.pk).exists()


def test_entries_out_of_season_stay_out_and_the_category_keeps_its_own(embedder, corpus, entry):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    over = entry(
        question_ko="폐가전 무상 방문수거",
        answer_ko="냉장고, 세탁기를 무료로 수거합니다.",
        valid_to=today - datetime.timedelta(days=1),
    )
    coming = entry(
        question_ko="고장난 가전 무료 수거 (내년)",
        answer_ko="텔레비전, 냉장고를 무료로 수거합니다.",
        valid_from=today + datetime.timedelta(days=1),
    )
    question = "고장 난 텔레비전은 어떻게 버려요"
    shown = ranked(faq_search(query=question, language="ko"))
    assert corpus["bulky"].pk in shown
    assert over.pk not in shown and coming.pk not in shown
    assert {over.pk, coming.pk} <= set(ranked(faq_search(query=question, include_unpublished=True)))
    in_category = ranked(faq_search(query=question, category=corpus["bulky"].category))
    assert corpus["bulky"].pk in in_category


def test_an_edit_is_searchable_by_meaning_at_once(embedder, corpus):
    faq_search(query="아기 예방접종", language="ko")  # this process's matrix is loaded
    faq_entry_update(
        entry=corpus["marriage"],
        data={
            "question_ko": "어린이 국가예방접종 지정의료기관",
            "answer_ko": "아이의 예방접종은 가까운 보건소나 지정 병원에서 무료로 맞을 수 있습니다.",
        },
    )
    result = faq_search(query="아기 주사 맞히려면 어디로 가요", language="ko")
    assert ranked(result)[0] == corpus["marriage"].pk


def test_without_a_model_words_only(corpus):
    assert kb_embedder.get_embedder() is None
    result = faq_search(query="수돗물 수질검사", language="ko")
    assert result.semantic is False
    assert ranked(result) == [corpus["water"].pk]
    assert result.hits[0].match == "lexical"
    assert faq_search(query="고장 난 텔레비전은 어떻게 버려요").hits == []
    assert FAQVector.objects.count() == 0  # nothing embedded without a model


def test_a_model_failing_mid_query_falls_back_to_words(loaded_embedder, corpus, caplog, api_as, agent):
    class Failing:
        name, dimension = loaded_embedder.name, loaded_embedder.dimension

        def embed_query(self, text):
            raise RuntimeError("engine crashed")

        def embed_passages(self, texts):
            return numpy.zeros((len(texts), self.dimension), dtype=numpy.float32)

    kb_embedder.set_embedder(Failing())
    monkey_warned = hybrid._warned_failure
    hybrid._warned_failure = False
    try:
        with caplog.at_level(logging.WARNING):
            response = api_as(agent).get("/api/kb/search", {"q": "수돗물 수질검사"})
        assert response.status_code == 200
        body = response.json()
        assert body["semantic"] is False
        assert [hit["id"] for hit in body["results"]] == [corpus["water"].pk]
        assert "Semantic search failed" in caplog.text
    finally:
        hybrid._warned_failure = monkey_warned
