"""faq_phrasing_add: a caller's words for an entry, used by search afterwards (words and meaning)."""

from __future__ import annotations

import pytest

from callcenter.errors import ApplicationError
from knowledgebase.models import FAQPhrasing, FAQVector
from knowledgebase.search import faq_search
from knowledgebase.services import faq_phrasing_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def bulky(entry):
    return entry(question_ko="대형폐기물 배출 신고", answer_ko="구청에 신고하고 납부필증을 붙여 내놓습니다.")


def test_search_finds_the_entry_by_a_phrasing_it_lacked(bulky):
    assert faq_search(query="고장난 티비 처리").hits == []
    phrasing = faq_phrasing_add(entry=bulky, text="고장난 티비 처리", language="ko", source="search")
    assert (phrasing.text, phrasing.language, phrasing.source, phrasing.uses) == ("고장난 티비 처리", "ko", "search", 1)
    assert [hit.entry.pk for hit in faq_search(query="고장난 티비 처리").hits] == [bulky.pk]
    assert [hit.entry.pk for hit in faq_search(query="티비").hits] == [bulky.pk]


def test_the_same_phrasing_again_counts_a_use(bulky):
    faq_phrasing_add(entry=bulky, text="티비 버리기", language="ko", source="search")
    again = faq_phrasing_add(entry=bulky, text="  티비   버리기 ", language="ko", source="search")
    assert again.uses == 2
    assert FAQPhrasing.objects.count() == 1


def test_long_numbers_never_enter_a_phrasing(bulky):
    phrasing = faq_phrasing_add(entry=bulky, text="010-1234-5678 티비 버리기 120", language="ko", source="search")
    assert phrasing.text == "티비 버리기 120"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": "  ", "language": "ko", "source": "search"}, "text"),
        ({"text": "티비", "language": "fr", "source": "search"}, "language"),
        ({"text": "티비", "language": "ko", "source": "rumour"}, "source"),
    ],
)
def test_bad_input_is_refused_and_saves_nothing(bulky, fields, field):
    with pytest.raises(ApplicationError) as error:
        faq_phrasing_add(entry=bulky, **fields)
    assert field in error.value.fields
    assert FAQPhrasing.objects.count() == 0


def test_a_phrasing_is_searched_by_meaning_too(embedder, bulky, entry):
    entry(question_ko="수돗물 수질검사 신청", answer_ko="무료로 검사합니다.")
    phrasing = faq_phrasing_add(entry=bulky, text="안 쓰는 냉장고 내놓기", language="ko", source="search")
    assert FAQVector.objects.filter(phrasing=phrasing).count() == 1
    result = faq_search(query="오래된 냉장고를 버리고 싶어요")
    assert result.hits[0].entry.pk == bulky.pk
