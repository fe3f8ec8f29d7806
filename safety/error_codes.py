"""The safety app's own error codes (the shared ones: callcenter.error_codes)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    CASE_NOT_OPEN = "case_not_open"
    CASE_ACTIVE = "case_active"
