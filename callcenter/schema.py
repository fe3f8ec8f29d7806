"""The OpenAPI document: every operation's error answers, in one place.

Every error has one shape (callcenter/errors.py), documented once as the
`Error` component. `AutoSchema` adds to each operation the error answers that
the shared machinery can give it, unless the view documents that status
itself: 400 (input refused, nothing saved), 401 and 403 (unless the view
allows anyone), 404 (a path with an id), 413 (a body over 1 MB), 429 (the
request rates) and 503 (the database unreachable, with Retry-After).

A serializer may name, in `Meta.sometimes_absent`, read-only fields that are
only in some answers (drf-spectacular marks every read-only field required).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    """The one error shape of every API (callcenter/errors.py)."""

    error = serializers.CharField(help_text="a stable code: invalid, not_found, forbidden, throttled, ...")
    message = serializers.CharField(help_text="for people, in the request's language")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="per field, its messages (empty when the error is not about fields)",
    )

    class Meta:
        ref_name = "Error"


ERRORS = {
    400: "Bad input: nothing was saved; `fields` says what is wrong.",
    401: "No session and no valid token.",
    403: "The role may not do this.",
    404: "Not found, or not yours to see.",
    413: "The body is larger than 1 MB.",
    429: "Too many requests: wait for the seconds in Retry-After.",
    503: "The database cannot be reached: nothing was saved; retry after the seconds in Retry-After.",
}
BODY_METHODS = {"POST", "PUT", "PATCH"}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        error = None
        for status, description in ERRORS.items():
            if str(status) in responses or not self._may_answer(status):
                continue
            if error is None:
                error = self.resolve_serializer(ErrorSerializer, direction).ref
            responses[str(status)] = {"content": {"application/json": {"schema": error}}, "description": description}
        return dict(sorted(responses.items()))

    def _may_answer(self, status: int) -> bool:
        anyone = any(permission is AllowAny for permission in self.view.permission_classes)
        if status in (401, 403):
            return not anyone
        if status == 404:
            return "{" in self.path
        if status == 413:
            return self.method in BODY_METHODS
        if status == 429:
            return bool(self.view.throttle_classes)
        return True

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        absent = set(getattr(getattr(serializer, "Meta", None), "sometimes_absent", ()))
        if absent and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in absent]
            if not schema["required"]:
                del schema["required"]
        return schema
