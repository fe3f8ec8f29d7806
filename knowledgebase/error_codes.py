"""The knowledgebase's own error codes (the shared ones: callcenter.error_codes)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    IMPORT_FORMAT = "import_format"
