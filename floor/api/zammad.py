"""POST /api/cti/zammad/<token>/: Zammad's generic CTI push API (floor/zammad.py).

The token of a phone-system account is in the URL, as Zammad's endpoint
carries it (`Authorization: Token <key>` on /api/cti/zammad/ works too). The
body is form-encoded (`user[]` repeated) or JSON. The phone system always gets
200 with `{}`, or `{"action": "reject", "reason": "busy"}` for a newCall from
a blocked number, even for a repeat or an impossible sequence (such scripts do
not handle errors; admin shows those events as rejected). Only a bad token
(401), a role that may not (403) and a malformed body (400) are errors.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import parsers
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import permissions
from callcenter.authentication import CachedTokenAuthentication
from callcenter.inputs import JSONParser
from floor.api.docs import ZammadAnswerSerializer
from floor.zammad import zammad_event_receive


class UrlTokenAuthentication(CachedTokenAuthentication):
    """The token from the URL (Zammad's way), else from the Authorization header."""

    def authenticate(self, request):
        key = (request.parser_context or {}).get("kwargs", {}).get("token")
        if key is None:
            return super().authenticate(request)
        return self.authenticate_credentials(key)

    def authenticate_header(self, request):
        return "Token"


class UrlTokenScheme(OpenApiAuthenticationExtension):
    """How the schema names the token in the URL (else it collides with tokenAuth)."""

    target_class = UrlTokenAuthentication
    name = "zammadUrlToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <key>; or the key in the URL, /api/cti/zammad/<key>/, as Zammad carries it.",
        }


class ZammadCtiApi(APIView):
    """Zammad's generic CTI events: newCall, answer, hangup."""

    authentication_classes = [UrlTokenAuthentication]
    permission_classes = [permissions.api_requires(permissions.can_send_phone_events)]
    parser_classes = [JSONParser, parsers.FormParser, parsers.MultiPartParser]

    @extend_schema(
        operation_id="cti_zammad_event",
        request=dict,
        responses={200: ZammadAnswerSerializer},
        examples=[
            OpenApiExample(
                "newCall",
                value={
                    "event": "newCall",
                    "from": "01023456789",
                    "to": "120",
                    "direction": "in",
                    "callId": "1714793400.42",
                    "queue": "general",
                },
            )
        ],
        description=(
            "Zammad's generic CTI push API, form-encoded or JSON. 200 with {} (or "
            '{"action": "reject", "reason": "busy"} for a blocked number\'s newCall); '
            "400 for a malformed body; repeats and impossible sequences are 200 and kept as rejected."
        ),
    )
    def post(self, request, token: str | None = None):
        answer = zammad_event_receive(data=request.data, sender=request.user)
        return Response(answer.body, status=200)


class ZammadCtiHeaderApi(ZammadCtiApi):
    """The same, for a phone system that sends the token in the Authorization header."""

    @extend_schema(operation_id="cti_zammad_event_token_header", request=dict, responses={200: ZammadAnswerSerializer})
    def post(self, request, token: str | None = None):
        return super().post(request, token)
