"""The floor's own error codes (the shared ones: callcenter.error_codes). The values are
the API's contract (and the phone events' stored `error_code`): never change one."""

from enum import StrEnum


class ErrorCode(StrEnum):
    ALREADY_BLOCKED = "already_blocked"
    ALREADY_FLAGGED = "already_flagged"
    ALREADY_OFFERED = "already_offered"
    ALREADY_SIGNED_IN = "already_signed_in"
    BATCH_TOO_LARGE = "batch_too_large"
    BLOCK_NOT_ACTIVE = "block_not_active"
    BUSY = "busy"
    EXTENSION_TAKEN = "extension_taken"
    NOT_AN_AGENT = "not_an_agent"
    NOT_SIGNED_IN = "not_signed_in"
    NOT_YOUR_CALL = "not_your_call"
    OUT_OF_ORDER = "out_of_order"
    ROSTER_INVALID = "roster_invalid"
    ROSTER_OVERLAP = "roster_overlap"
    UNKNOWN_AGENT = "unknown_agent"
    UNKNOWN_CALL = "unknown_call"
    WARNING_NOT_READ = "warning_not_read"
