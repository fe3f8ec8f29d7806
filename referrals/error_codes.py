"""The referrals' own error codes (the shared ones: callcenter.error_codes)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    ALREADY_CLOSED = "already_closed"
