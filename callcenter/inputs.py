"""Limits on what clients send, in one place.

A body nested a thousand levels deep, or an id larger than the database's
bigint, is bad input: 400 with the shared error shape, never a 500.
"""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError

#: the largest id a database row can have (a signed 64-bit primary key)
MAX_DB_ID = 2**63 - 1


def parse_id(text: str) -> int | None:
    """An id as typed in a URL or a query, or None when it cannot be one."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_DB_ID else None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; a body too deeply nested to parse is a ParseError (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON nested too deeply.") from exc
