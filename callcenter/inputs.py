"""What clients send, checked at the edge, in one place.

Hostile input is a 400 with the shared error shape and changes nothing; it is
never a 500. What is checked here, before any view or service runs:

- Text that no database, renderer or XML document can hold: NUL (U+0000) and
  unpaired UTF-16 surrogates (U+D800-U+DFFF, which JSON's ``\\ud800`` escapes
  can make). The JSON parser refuses them anywhere in a body (keys too);
  `HostileInputMiddleware` refuses them in the path, the query string and
  form fields. The phone-system event API keeps them instead (`LenientJSONParser`):
  an event is stored before anything else, so it stores what it got
  (`json_storable`) and answers 400 for that one event.
- Types, in the input serializers (`InputSerializer`): a text field takes only
  a JSON string (no ``123``, no ``true``), an integer or an id only an integer
  (``"call": 1.9`` is refused, not read as call 1), and text fields also refuse
  other control characters (tab, line feed and carriage return are text).
- Times (`parse_datetime`, `BoundedDateTimeField`): an impossible date (month
  13, year 0, offset +99:00) is bad input, and accepted times lie in a window.
- A body nested a thousand levels deep, or an id larger than the database's
  bigint.

Error messages never echo raw input: `errors.escape_text` writes control characters,
surrogates and direction overrides as escapes and shortens long values
(callcenter.errors applies it to every message).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import dateparse, timezone, translation
from django.utils.translation import gettext as _
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError
from rest_framework.exceptions import ValidationError as DRFValidationError

from callcenter import extensions
from callcenter.error_codes import ErrorCode
from callcenter.errors import error_body, escape_text, json_response
from callcenter.phone_numbers import normalize_number
from callcenter.views import is_api

#: the largest id a database row can have (a signed 64-bit primary key)
MAX_DB_ID = 2**63 - 1

#: never text anywhere: NUL and the surrogate code points (unpaired halves of UTF-16)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
#: not text in a text field: the C0 controls but tab, line feed and carriage return; DEL
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def text_problem(text: str, *, controls: bool = False) -> str | None:
    """Why `text` cannot be accepted as text, or None. `controls`: refuse other
    control characters too (for text fields; tab and line breaks are text)."""
    found = _UNSTORABLE.search(text)
    if found is None and controls:
        found = _CONTROL.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return _("Remove the NUL character (U+0000).")
    if "\ud800" <= char <= "\udfff":
        return _("Remove the invalid character %(code)s (half of a UTF-16 pair).") % {"code": _code_point(char)}
    return _("Remove the control character %(code)s.") % {"code": _code_point(char)}


def unsafe_text_fields(value: Any, path: str = "") -> dict[str, list[str]]:
    """Every place in parsed JSON (keys included) holding NUL or an unpaired
    surrogate, as {dotted path: [message]}; the path itself is escaped."""
    problems: dict[str, list[str]] = {}

    def visit(item: Any, where: str) -> None:
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                problems[where or "non_field_errors"] = [problem]
        elif isinstance(item, dict):
            for key, child in item.items():
                key_text = str(key)
                child_path = f"{where}.{escape_text(key_text)}" if where else escape_text(key_text)
                problem = text_problem(key_text)
                if problem:
                    problems[child_path] = [problem]
                visit(child, child_path)
        elif isinstance(item, list):
            for index, child in enumerate(item):
                visit(child, f"{where}.{index}" if where else str(index))

    visit(value, path)
    return problems


#: the key under which `json_storable` keeps a value a JSON column cannot hold
STORED_AS_TEXT = "stored_as_json_text"


def json_storable(value: Any) -> Any:
    """`value` as a JSON column on any database accepts it, faithfully.

    PostgreSQL's jsonb refuses NUL and unpaired surrogates (and SQLite's text
    refuses surrogates); such a value is kept as its JSON text with every
    non-ASCII character escaped, under one key: json.loads() of
    `{STORED_AS_TEXT: text}[STORED_AS_TEXT]` gives back exactly what was sent.
    """
    if not unsafe_text_fields(value):
        return value
    return {STORED_AS_TEXT: json.dumps(value, ensure_ascii=True)}


def storable_text(text: str) -> str:
    """`text` for a plain text column: what no column can hold becomes U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


# --- times -------------------------------------------------------------------------
def parse_datetime(text: str) -> dt.datetime | None:
    """An ISO 8601 date and time, or None when it is not one or cannot exist
    (month 13, year 0, an offset of +99:00: Django's parser raises for those)."""
    try:
        value = dateparse.parse_datetime(text.strip())
    except (ValueError, OverflowError):
        return None
    if value is None:
        return None
    # At the calendar's edge a time cannot be moved to UTC (0001-01-01T00:00+09:00
    # is year 0 there), which every database write and filter does.
    plain = value.replace(tzinfo=None)
    if not (_EARLIEST < plain < _LATEST):
        return None
    return value


_EARLIEST = dt.datetime.min + dt.timedelta(days=2)
_LATEST = dt.datetime.max - dt.timedelta(days=2)


def within_window(value: dt.datetime, *, past: dt.timedelta | None, future: dt.timedelta | None) -> str | None:
    """Why an aware `value` lies outside [now - past, now + future], or None."""
    now = timezone.now()
    if past is not None and value < now - past:
        return _("This time is too far in the past.")
    if future is not None and value > now + future:
        return _("This time is too far in the future.")
    return None


def _span(span):
    return span() if callable(span) else span


class BoundedDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time that can exist, within [now - past, now + future]
    (each a timedelta, or a function giving one: a setting read when checked).

    `require_zone`: a bare local time is refused (a phone system's clock zone is
    not ours to guess). An impossible date is the field's "invalid" error, never
    a 500 from the parser or from converting a time at the calendar's edge.
    """

    def __init__(
        self,
        *,
        past: dt.timedelta | Callable[[], dt.timedelta] | None = None,
        future: dt.timedelta | Callable[[], dt.timedelta] | None = None,
        require_zone: bool = False,
        **kwargs,
    ):
        self.past, self.future, self.require_zone = past, future, require_zone
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str):
            parsed = parse_datetime(value)
            if parsed is None:
                self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss[.uuuuuu]]+HH:MM")
            if self.require_zone and parsed.tzinfo is None:
                raise serializers.ValidationError(_("Give the time with its zone, e.g. 2026-05-04T09:30:00+09:00."))
        elif not isinstance(value, dt.datetime):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss[.uuuuuu]]+HH:MM")
        result = super().to_internal_value(value)
        problem = within_window(result, past=_span(self.past), future=_span(self.future))
        if problem:
            raise serializers.ValidationError(problem)
        return result


# --- request bodies ----------------------------------------------------------------
class PhoneNumberField(serializers.CharField):
    """A number as typed; validated and normalized to the caller key."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return normalize_number(text)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; a body too deeply nested to parse is a ParseError
    (400), and text no database can hold (NUL, unpaired surrogates) anywhere in
    it is a 400 naming where."""

    refuse_unstorable_text = True

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON nested too deeply.") from exc
        if self.refuse_unstorable_text:
            problems = unsafe_text_fields(data)
            if problems:
                raise DRFValidationError(problems)
        return data


class LenientJSONParser(JSONParser):
    """For an API that keeps whatever it is sent and answers per item (the phone
    system's events): it checks each item with `unsafe_text_fields` itself."""

    refuse_unstorable_text = False


# --- strict types in input serializers -----------------------------------------------
def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().isascii() and value.strip().lstrip("-").isdigit()


def _type_problem(field: serializers.Field, value: Any) -> str | None:
    if value is None:
        return None  # the field's own allow_null decides
    if isinstance(field, serializers.ManyRelatedField):
        if isinstance(value, list):
            for item in value:
                problem = _type_problem(field.child_relation, item)
                if problem:
                    return problem
        return None
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        for item in value:
            problem = _type_problem(field.child, item)
            if problem:
                return problem
        return None
    if isinstance(field, (serializers.IntegerField, serializers.PrimaryKeyRelatedField)):
        if not _is_integer(value):
            return _("Give a whole number.")
        return None
    if isinstance(field, (serializers.CharField, serializers.ChoiceField, serializers.SlugRelatedField)):
        if not isinstance(value, str):
            return _("Give text (a JSON string).")
        return text_problem(value, controls=isinstance(field, serializers.CharField))
    return None


class InputSerializer(serializers.Serializer):
    """The base of every serializer that reads what a client sends.

    Before DRF's own validation, each given field's value must have the field's
    type: text for text, choice and slug fields (DRF would turn 123 or true into
    "123" and "True"), a whole number for integers and ids (DRF reads 1.9 as the
    id 1), and text without control characters. Only the fields given are checked.
    """

    def to_internal_value(self, data):
        if hasattr(data, "items"):
            problems = {}
            for field in self.fields.values():
                if field.read_only or field.source == "*":
                    continue
                key = field.field_name
                if key not in data:
                    continue
                value = (
                    data.getlist(key)
                    if hasattr(data, "getlist") and isinstance(field, serializers.ListField)
                    else data[key]
                )
                problem = _type_problem(field, value)
                if problem:
                    problems[key] = [problem]
            if problems:
                raise DRFValidationError(problems)
        return super().to_internal_value(data)


def parse_id(text: str) -> int | None:
    """An id as typed in a URL or a query, or None when it cannot be one."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_DB_ID else None


# --- the path, the query string and form fields -----------------------------------------
def request_unstorable_text(request: HttpRequest) -> dict[str, list[str]]:
    """Where the path, query string or form fields hold NUL or an unpaired surrogate."""
    problems: dict[str, list[str]] = {}
    problem = text_problem(request.path)
    if problem:
        problems["path"] = [problem]
    sources = [request.GET]
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        with contextlib.suppress(RequestDataTooBig):  # the view answers that one (413 or its own format)
            sources.append(request.POST)
    for source in sources:
        for key, values in source.lists():
            for text in (key, *values):
                problem = text_problem(text)
                if problem:
                    problems[escape_text(key)] = [problem]
                    break
    return problems


class HostileInputMiddleware:
    """Refuses a request whose path, query string or form fields hold text no
    database or renderer can take, before any view looks anything up by it
    (a slug, a username, an API key): 400 with the shared error shape on the
    APIs, in the spec's error format on Open311, the "bad request" page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problems = request_unstorable_text(request)
        if problems:
            return bad_request(request, problems)
        return self.get_response(request)


def bad_request(request: HttpRequest, fields: dict[str, list[str]]) -> HttpResponse:
    answer = extensions.bad_request_answer(request.path)
    if answer is not None:  # Open311 clients read the spec's own error format (referrals registers it)
        return answer(request, fields)
    if is_api(request):
        return json_response(error_body(ErrorCode.INVALID, _("Some fields are not valid."), fields), status=400)
    return render(request, "400.html", status=400)


# --- request lines and headers longer than the server reads ----------------------------------
#: twisted (under daphne) reads a request line or header line of at most this many bytes
MAX_LINE_BYTES = 16384


def answer_overlong_lines() -> None:
    """Make daphne answer a request line (the URL) or a header line over 16 KB.

    Twisted's HTTP channel, which daphne serves with, drops such a connection
    without a word (LineReceiver.lineLengthExceeded closes it), so a client
    saw nothing. This answers 414 for the URL and 431 for a header, with the
    shared error shape, then closes. Called once from callcenter.asgi (the
    method is twisted's documented place to do so, "override if it needs to
    be dealt with in some special way").
    """
    try:
        from twisted.web.http import HTTPChannel
    except ImportError:  # not served by daphne
        return
    if getattr(HTTPChannel.lineLengthExceeded, "dasan", False):
        return

    def line_length_exceeded(channel, line):
        first = getattr(channel, "_HTTPChannel__first_line", True)
        channel.transport.write(_overlong_answer(request_line=bool(first)))
        channel.transport.loseConnection()

    line_length_exceeded.dasan = True
    HTTPChannel.lineLengthExceeded = line_length_exceeded


def _overlong_answer(*, request_line: bool) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        if request_line:
            status, code = b"414 URI Too Long", "uri_too_long"
            message = _("The address is longer than 16 KB.")
        else:
            status, code = b"431 Request Header Fields Too Large", "headers_too_large"
            message = _("A request header is longer than 16 KB.")
        body = json.dumps(error_body(code, message), ensure_ascii=False).encode()
    return (
        b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nConnection: close\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
