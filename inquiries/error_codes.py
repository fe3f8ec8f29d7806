"""The calls' own error codes (the shared ones: callcenter.error_codes)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    CORRECTION_CLOSED = "correction_closed"
    REQUEST_ID_REUSED = "request_id_reused"
