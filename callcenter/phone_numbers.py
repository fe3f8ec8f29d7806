"""Korean phone numbers: one normalized key per line, and masking for display.

010-1234-5678, 01012345678 and +82 10 1234 5678 are one caller: 01012345678.
02-123-4567 and +82 2 123 4567 are 021234567. Foreign numbers are kept in
E.164 form (+14155552671).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-.()/]")
_KOREAN_PATTERNS = [
    re.compile(r"^01[016789]\d{7,8}$"),  # mobile
    re.compile(r"^02\d{7,8}$"),  # Seoul
    re.compile(r"^0[3-6][1-5]\d{7,8}$"),  # regional area codes
    re.compile(r"^0[5-8]0\d?\d{7,8}$"),  # 050x, 060, 070 (VoIP), 080 (toll free)
    re.compile(r"^1[5-9]\d{6}$"),  # 1588-1234 style business numbers
]
_FOREIGN = re.compile(r"^\+[1-9]\d{7,14}$")

INVALID_MESSAGE = _("Enter a phone number such as 010-1234-5678, 02-123-4567 or +82 10 1234 5678.")


def normalize_number(raw: str) -> str:
    """The caller key for a number as typed; ValidationError if it is not one."""
    text = _SEPARATORS.sub("", (raw or "").strip())
    if text.startswith("00"):  # international prefix typed as 00
        text = "+" + text[2:]
    if text.startswith("+82"):
        rest = text[3:]
        text = rest if rest.startswith("0") else "0" + rest
    if text.startswith("+"):
        if _FOREIGN.match(text):
            return text
        raise ValidationError(INVALID_MESSAGE, code="invalid_phone")
    if any(pattern.match(text) for pattern in _KOREAN_PATTERNS):
        return text
    raise ValidationError(INVALID_MESSAGE, code="invalid_phone")


def _groups(number: str) -> list[str]:
    if re.match(r"^1[5-9]", number):
        return [number[:4], number[4:]]
    head = 2 if number.startswith("02") else 3
    if re.match(r"^050\d", number):
        head = 4
    return [number[:head], number[head:-4], number[-4:]]


def format_number(number: str) -> str:
    """01012345678 -> 010-1234-5678; foreign numbers stay in E.164 form, a
    withheld one ('anonymous', from the phone system) as it is."""
    if number.startswith("+") or not number.isdigit():
        return number
    return "-".join(part for part in _groups(number) if part)


def mask_number(number: str) -> str:
    """01012345678 -> 010-****-5678; the middle group hidden ('anonymous' stays)."""
    if not number.lstrip("+").isdigit():
        return number
    if number.startswith("+"):
        return number[:3] + "*" * (len(number) - 7) + number[-4:]
    parts = _groups(number)
    if len(parts) == 3:
        parts[1] = "*" * len(parts[1])
    else:
        parts[0] = parts[0][:3] + "*" * max(len(parts[0]) - 3, 0)
    return "-".join(part for part in parts if part)
