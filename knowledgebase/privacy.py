"""What the search log may keep of a query: the words, never a person's numbers or address.

Agents type what the caller says, and callers say their phone number, resident registration
number (주민등록번호), card or account number, car plate or e-mail. `scrub_query` removes all of
those before a query is stored (DOMAIN.md §8: collect only what is needed, never a resident
number in free text). Short numbers stay: 120, 2024년, 3호선, 10% say what the question is about.
"""

from __future__ import annotations

import re

__all__ = ["scrub_query"]

_REGIONS = "서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주"
_PATTERNS = [
    # e-mail addresses
    re.compile(r"[\w.+-]+\s?@\s?[\w-]+(?:\.[\w-]+)+", re.UNICODE),
    # car plates: 12가 3456, 123나4567, 서울 12 가 3456
    re.compile(rf"(?:(?:{_REGIONS})\s?)?(?<!\d)\d{{2,3}}\s?[가-힣]\s?\d{{4}}(?!\d)"),
    # resident / foreigner registration numbers: 900101-1234567, 9001011234567, 900101-1******
    re.compile(r"(?<!\d)\d{6}\s?[-–]?\s?[1-8][\d*]{6}(?!\d)"),
    # runs of 8 or more digits with or without separators (cards, accounts, passports, parcels, most phones)
    re.compile(r"(?<![\d+])[(+]?\d(?:[-.)\s]{0,2}\d){7,}(?!\d)"),
    # phone numbers: 010-1234-5678, 02)123-4567, (02) 123 4567, +82 10 1234 5678, 1588-1500
    re.compile(r"(?<![\d+])(?:\+?82[-.\s]?)?\(?0?\d{1,2}\)?[-.)\s]{0,2}\d{3,4}[-.\s]?\d{4}(?!\d)"),
    re.compile(r"(?<!\d)1[5-9]\d{2}[-.\s]?\d{4}(?!\d)"),
    # any other run of 6 or more digits
    re.compile(r"(?<!\d)\d{6,}(?!\d)"),
]
_SPACES = re.compile(r"\s+")


def scrub_query(text: str) -> str:
    """The query without phone numbers, resident numbers, e-mail addresses, car plates and long numbers;
    spaces collapsed. An empty result means there was nothing left worth keeping."""
    for pattern in _PATTERNS:
        text = pattern.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
