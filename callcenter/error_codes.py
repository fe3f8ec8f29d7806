"""The error codes every app's API answers with (`{"error": <code>, ...}`), in one place.

Each app keeps its own in its `error_codes.py`; these are the shared ones. The
values are the API's contract: never change one.
"""

from enum import StrEnum


class ErrorCode(StrEnum):
    APPLICATION_ERROR = "application_error"
    BAD_REQUEST = "bad_request"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    ILLEGAL_TRANSITION = "illegal_transition"
    INVALID = "invalid"
    LOCKED_OUT = "locked_out"
    MALFORMED = "malformed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_AUTHENTICATED = "not_authenticated"
    NOT_FOUND = "not_found"
    SERVER_ERROR = "server_error"
    SERVICE_UNAVAILABLE = "service_unavailable"
    THROTTLED = "throttled"
    TOO_LARGE = "too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
