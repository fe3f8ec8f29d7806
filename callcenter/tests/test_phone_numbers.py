import pytest
from django.core.exceptions import ValidationError

from callcenter.phone_numbers import format_number, mask_number, normalize_number


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("010-1234-5678", "01012345678"),
        ("01012345678", "01012345678"),
        ("+82 10 1234 5678", "01012345678"),
        ("+82-10-1234-5678", "01012345678"),
        ("0082 10 1234 5678", "01012345678"),
        ("(010) 1234.5678", "01012345678"),
        ("02-123-4567", "021234567"),
        ("02-1234-5678", "0212345678"),
        ("+82 2 123 4567", "021234567"),
        ("031-123-4567", "0311234567"),
        ("070-1234-5678", "07012345678"),
        ("1588-1234", "15881234"),
        ("+1 415 555 2671", "+14155552671"),
    ],
)
def test_korean_formats_normalize_to_one_key(typed, key):
    assert normalize_number(typed) == key


@pytest.mark.parametrize(
    "typed", ["", "12", "120", "abc", "010-1234", "010-1234-56789-1", "+82", "+0 123", "09-123-4567"]
)
def test_invalid_numbers_are_refused_with_a_message(typed):
    with pytest.raises(ValidationError) as info:
        normalize_number(typed)
    assert "010-1234-5678" in info.value.messages[0]


@pytest.mark.parametrize(
    ("key", "shown", "masked"),
    [
        ("01012345678", "010-1234-5678", "010-****-5678"),
        ("021234567", "02-123-4567", "02-***-4567"),
        ("0311234567", "031-123-4567", "031-***-4567"),
        ("15881234", "1588-1234", "158*-1234"),
        ("+14155552671", "+14155552671", "+14*****2671"),
    ],
)
def test_display_and_masking(key, shown, masked):
    assert format_number(key) == shown
    assert mask_number(key) == masked
    assert key[-4:] in masked
