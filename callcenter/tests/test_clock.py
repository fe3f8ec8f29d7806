"""One 24-hour clock everywhere: Django's formats in Korean and English, and the scripts'."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import formats, translation

EARLY = datetime(2026, 3, 4, 4, 38, tzinfo=ZoneInfo("Asia/Seoul"))
LATE = datetime(2026, 3, 4, 16, 38, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.mark.parametrize("language", ["ko", "en"])
def test_django_formats_use_a_24_hour_clock(language):
    with translation.override(language):
        for value in (EARLY, LATE):
            for name in ("TIME_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"):
                text = formats.date_format(value, name)
                assert f"{value:%H:%M}" in text, (name, text)
                assert not any(word in text for word in ("오전", "오후", "a.m.", "p.m.", "AM", "PM")), text


def test_scripts_format_times_through_the_one_24_hour_helper():
    """Times in scripts come from Dasan.formatClock/formatTime (common.js), which ask
    for hourCycle h23; no script formats a time itself or says hour12."""
    scripts = Path(settings.BASE_DIR, "static", "js")
    for path in scripts.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert "hour12" not in text, path.name
        if path.name != "common.js":
            assert "toLocaleTimeString" not in text, path.name
            assert "hour:" not in text, path.name
    common = (scripts / "common.js").read_text(encoding="utf-8")
    assert 'hourCycle: "h23"' in common
