"""Text cells a spreadsheet opens safely (the call record's CSV, the reports' CSV and XLSX)."""

from __future__ import annotations

from typing import Any

# Cells a spreadsheet would run as a formula (OWASP "CSV injection"), and the
# tab and carriage return that can start one too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: Any) -> str:
    """The value as text, with an apostrophe before a start a spreadsheet would run."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
