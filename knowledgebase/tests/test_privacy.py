"""The search log's scrubber: a caller's numbers and addresses never reach the log."""

from __future__ import annotations

import pytest

from knowledgebase.privacy import scrub_query


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("010-1234-5678 수도요금 문의", "수도요금 문의"),
        ("01012345678 수도요금", "수도요금"),
        ("+82 10 1234 5678 여권 재발급", "여권 재발급"),
        ("02)702-4244 로 전화", "로 전화"),
        ("(02) 3422-5921", ""),
        ("1588-1500 은행", "은행"),
        ("주민번호 900101-1234567 전입신고", "주민번호 전입신고"),
        ("9001011234567 전입신고", "전입신고"),
        ("외국인등록번호 900101-5234567", "외국인등록번호"),
        ("hong.gildong@example.com 으로 답변 요청", "으로 답변 요청"),
        ("차량 12가 3456 견인", "차량 견인"),
        ("서울 123나4567 주정차 위반", "주정차 위반"),
        ("카드 1234-5678-9012-3456 분실", "카드 분실"),
        ("계좌 1005-401-185175 환불", "계좌 환불"),
    ],
)
def test_personal_numbers_and_addresses_are_removed(typed, kept):
    assert scrub_query(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "120 다산콜센터",
        "2024년 김장 배추 가격",
        "3호선 분실물",
        "10% 할인 자동차세",
        "5,000원 환불",
        "how do I throw away a TV",
    ],
)
def test_what_the_question_is_about_stays(typed):
    assert scrub_query(typed) == typed
