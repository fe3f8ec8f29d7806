"""One error shape for every API: {"error": code, "message": ..., "fields": {...}}.

Services raise Django's ValidationError or an ApplicationError subclass; the
DRF exception handler below (and the JSON 404/500 handlers for /api/ paths)
turn them into that body with a fitting status.
"""

from __future__ import annotations

import logging
import math
import re
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.response import Response

from callcenter.error_codes import ErrorCode

#: shown escaped in messages: every control, format (direction overrides, zero width) and surrogate character
_ESCAPED_IN_MESSAGES = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
#: how much of a value a message may quote
MESSAGE_QUOTE_LIMIT = 80


def _escape_characters(text: str) -> str:
    return _ESCAPED_IN_MESSAGES.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def escape_text(text: str, *, limit: int = MESSAGE_QUOTE_LIMIT) -> str:
    """`text` safe to quote in a message: controls, invisible format characters
    and surrogates as \\uXXXX, at most `limit` characters of it."""
    return _escape_characters(text if len(text) <= limit else text[:limit] + "…")


def escape_message(message: str) -> str:
    """A whole error message made safe to send (escapes only; messages are short
    unless they quote input, and a quoted 10 KB value is cut)."""
    message = _escape_characters(message)
    return message if len(message) <= 400 else message[:400] + "…"


logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """A domain error with a stable code. Subclass per meaning, not per place."""

    code = ErrorCode.APPLICATION_ERROR
    status = 400

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class Conflict(ApplicationError):
    """The request is well formed but the current state forbids it (HTTP 409)."""

    code = ErrorCode.CONFLICT
    status = 409


class Forbidden(ApplicationError):
    """The role may do this in general, but not here or not now (HTTP 403 with the reason)."""

    code = ErrorCode.FORBIDDEN
    status = 403


class IllegalTransition(Conflict):
    code = ErrorCode.ILLEGAL_TRANSITION


def error_body(code: str, message: str, fields: dict | None = None) -> dict[str, Any]:
    """The shared shape. Messages may quote what a client sent (DRF's "“x” is not a
    valid choice."): control characters, surrogates and direction overrides in them
    are escaped and long quotes cut, so no answer carries raw hostile input."""
    # str(): an ErrorCode member is its value, also for renderers that know no Enum (YAML: /api/schema/)
    return {"error": str(code), "message": escape_message(str(message)), "fields": _escaped(fields or {})}


def _escaped(fields: Any) -> Any:
    if isinstance(fields, dict):
        return {escape_message(str(key)): _escaped(value) for key, value in fields.items()}
    if isinstance(fields, list):
        return [_escaped(item) for item in fields]
    return escape_message(str(fields))


def _flatten(detail: Any) -> Any:
    """DRF error details to plain strings (lists of messages per field)."""
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [str(item) for item in detail]
        return [_flatten(item) for item in detail]
    return [str(detail)]


def validation_fields(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if key == "__all__" else key): [str(m) for m in messages]
            for key, messages in exc.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


# Seconds a client is asked to wait (Retry-After) when the database cannot be reached.
RETRY_AFTER_SECONDS = 5


def database_unavailable(exc: BaseException | None) -> bool:
    """Is this the database being unreachable (down, restarting, no pooled connection in time)?"""
    return isinstance(exc, (OperationalError, InterfaceError))


def service_unavailable_message() -> str:
    return _("The database cannot be reached. Nothing was saved; try again in a moment.")


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if database_unavailable(exc):
        logger.warning("database unavailable: %s", exc)
        return Response(
            error_body(ErrorCode.SERVICE_UNAVAILABLE, service_unavailable_message()),
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        fields = validation_fields(exc)
        return Response(error_body(ErrorCode.INVALID, _("Some fields are not valid."), fields), status=400)
    if isinstance(exc, RequestDataTooBig):
        return Response(error_body(ErrorCode.TOO_LARGE, _("The request body is larger than 1 MB.")), status=413)
    if isinstance(exc, drf.ParseError):
        return Response(error_body(ErrorCode.MALFORMED, _("The request body is not valid JSON.")), status=400)
    if isinstance(exc, drf.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return Response(error_body(ErrorCode.INVALID, _("Some fields are not valid."), _flatten(detail)), status=400)
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        return Response(error_body(ErrorCode.NOT_AUTHENTICATED, _("Sign in or send a valid token.")), status=401)
    if isinstance(exc, (drf.PermissionDenied, PermissionDenied)):
        return Response(error_body(ErrorCode.FORBIDDEN, _("Your role may not do this.")), status=403)
    if isinstance(exc, (drf.NotFound, Http404)):
        return Response(error_body(ErrorCode.NOT_FOUND, _("Not found.")), status=404)
    if isinstance(exc, drf.MethodNotAllowed):
        return Response(error_body(ErrorCode.METHOD_NOT_ALLOWED, str(exc.detail)), status=405)
    if isinstance(exc, drf.UnsupportedMediaType):
        return Response(
            error_body(ErrorCode.UNSUPPORTED_MEDIA_TYPE, _("Send the body as application/json.")), status=415
        )
    if isinstance(exc, drf.Throttled):
        wait = max(1, math.ceil(exc.wait or 1))
        message = _("Too many requests. Try again in %(seconds)d seconds.") % {"seconds": wait}
        return Response(error_body(ErrorCode.THROTTLED, message), status=429, headers={"Retry-After": str(wait)})
    if isinstance(exc, drf.APIException):
        return Response(error_body(exc.default_code, str(exc.detail)), status=exc.status_code)
    return None


def json_error(request, code: str, message: str, status: int) -> JsonResponse:
    return json_response(error_body(code, message), status=status)


def json_response(body: dict[str, Any], *, status: int) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
