"""The phone system's event API, and the agent's own state and shift.

POST /api/cti/events/   phone_system users only; one event or a batch (≤ 500)
GET  /api/agent/status/ the signed-in agent's state and figures, the queue
POST /api/agent/state/  {"state": "available" | "break"}
POST /api/agent/shift/  {"action": "sign_in" | "sign_out"}
GET  /api/wallboard/stats/          the wallboard's figures now (supervisors)
GET  /api/wallboard/daily/?date=... one day's and its shifts' statistics
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import permissions
from callcenter.error_codes import ErrorCode as SharedCode
from callcenter.errors import error_body
from callcenter.inputs import (
    BoundedDateTimeField,
    InputSerializer,
    LenientJSONParser,
    PhoneNumberField,
    unsafe_text_fields,
)
from callcenter.languages import Language
from callcenter.schema import ErrorSerializer
from callcenter.workdays import operating_day
from floor import services as floor_services
from floor import stats
from floor.api import docs
from floor.error_codes import ErrorCode
from floor.models import AgentState
from knowledgebase.models import Category

MAX_BATCH = 500
# A phone system whose clock runs ahead by more than this is refused.
MAX_CLOCK_SKEW = timedelta(minutes=5)

REQUIRED_FIELDS = {
    "call.offered": ("call_id", "caller_number"),
    "call.answered": ("call_id", "agent"),
    "call.abandoned": ("call_id",),
    "call.ended": ("call_id",),
    "call.transferred": ("call_id", "agent"),
    "agent.state": ("agent", "state"),
}


class PhoneEventSerializer(InputSerializer):
    event = serializers.ChoiceField(choices=floor_services.EVENT_TYPES)
    call_id = serializers.CharField(max_length=64, required=False)
    # a bare local time from a phone system is ambiguous; the future is checked in validate_at
    at = BoundedDateTimeField(require_zone=True, past=timedelta(days=settings.PHONE_EVENT_MAX_AGE_DAYS))
    caller_number = PhoneNumberField(max_length=40, required=False)
    withheld = serializers.BooleanField(
        required=False,
        help_text=gettext_lazy("call.offered: true when the caller hid the number (then no caller_number)."),
    )
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    queue = serializers.SlugField(max_length=32, required=False)
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("The category the caller chose in the phone menu, when there is one."),
        error_messages={"does_not_exist": gettext_lazy("Unknown category “{value}”.")},
    )
    agent = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        error_messages={"does_not_exist": gettext_lazy("Unknown agent “{value}”.")},
    )
    state = serializers.ChoiceField(choices=AgentState.choices, required=False)

    def validate_agent(self, agent):
        if not permissions.can_use_console(agent):
            raise serializers.ValidationError(_("“%(name)s” is not an agent.") % {"name": agent.get_username()})
        return agent

    def validate_at(self, at):
        if at > timezone.now() + MAX_CLOCK_SKEW:
            raise serializers.ValidationError(_("This time is in the future: check the phone system's clock."))
        return at

    def validate(self, attrs):
        required = REQUIRED_FIELDS[attrs["event"]]
        if attrs.get("withheld"):
            if attrs.get("caller_number"):
                raise serializers.ValidationError(
                    {"caller_number": [_("A withheld number is not sent: leave caller_number out.")]}
                )
            required = tuple(name for name in required if name != "caller_number")
        missing = {
            name: [_("This field is required for %(event)s.") % {"event": attrs["event"]}]
            for name in required
            if attrs.get(name) in (None, "")
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


EVENT_EXAMPLE = {
    "event": "call.offered",
    "call_id": "pbx-20260504-000123",
    "at": "2026-05-04T09:30:00+09:00",
    "caller_number": "010-2345-6789",
    "language": "ko",
    "queue": "general",
}


class CtiEventsApi(APIView):
    """Phone-system events: stored first, then applied to the queue and agents."""

    permission_classes = [permissions.api_requires(permissions.can_send_phone_events)]
    # Every event is stored, even one with text no JSON column takes (NUL, a
    # broken character): `_one` refuses that one event, not its whole batch.
    parser_classes = [LenientJSONParser]

    @extend_schema(
        request=PhoneEventSerializer,
        responses={
            201: docs.EventOutcomeSerializer,
            200: OpenApiResponse(
                PolymorphicProxySerializer(
                    "EventAnswer",
                    [docs.EventOutcomeSerializer, docs.EventBatchOutcomeSerializer],
                    resource_type_field_name=None,
                ),
                description="one event: a duplicate; a batch: every event applied or a duplicate",
            ),
            207: docs.EventBatchOutcomeSerializer,
            400: OpenApiResponse(
                PolymorphicProxySerializer(
                    "EventRefused", [docs.EventOutcomeSerializer, ErrorSerializer], resource_type_field_name=None
                ),
                description="one malformed event (kept), an empty batch or one over 500 events",
            ),
            409: docs.EventOutcomeSerializer,
        },
        examples=[OpenApiExample("call.offered", value=EVENT_EXAMPLE)],
        description=(
            "One event (201 applied, 200 duplicate, 400 malformed, 409 impossible or out of order) "
            "or a JSON array of up to 500 (200 when every event was applied or a duplicate, else 207; "
            "each result has its own http_status). Every event is kept, refused ones too."
        ),
    )
    def post(self, request):
        body = request.data
        if isinstance(body, list):
            if not body:
                return Response(error_body(SharedCode.INVALID, _("The batch is empty.")), status=400)
            if len(body) > MAX_BATCH:
                message = _("A batch holds at most %(max)d events; this one has %(n)d.") % {
                    "max": MAX_BATCH,
                    "n": len(body),
                }
                return Response(error_body(ErrorCode.BATCH_TOO_LARGE, message), status=400)
            results = [self._one(request, item).as_dict() for item in body]
            failed = sum(1 for result in results if result["status"] == "rejected")
            return Response(
                {
                    "applied": sum(1 for result in results if result["status"] == "applied"),
                    "duplicates": sum(1 for result in results if result["status"] == "duplicate"),
                    "rejected": failed,
                    "results": results,
                },
                status=207 if failed else 200,
            )
        outcome = self._one(request, body)
        return Response(outcome.as_dict(), status=outcome.http_status)

    def _one(self, request, item) -> floor_services.EventOutcome:
        if not isinstance(item, dict):
            return floor_services.phone_event_record_rejected(
                body=item,
                sender=request.user,
                http_status=400,
                code=SharedCode.INVALID,
                message=_("An event is a JSON object."),
            )
        unstorable = unsafe_text_fields(item)
        if unstorable:
            return floor_services.phone_event_record_rejected(
                body=item,
                sender=request.user,
                http_status=400,
                code=SharedCode.INVALID,
                message=_("Some fields are not valid."),
                fields=unstorable,
            )
        serializer = PhoneEventSerializer(data=item)
        if not serializer.is_valid():
            fields = {name: [str(m) for m in messages] for name, messages in serializer.errors.items()}
            return floor_services.phone_event_record_rejected(
                body=item,
                sender=request.user,
                http_status=400,
                code=SharedCode.INVALID,
                message=_("Some fields are not valid."),
                fields=fields,
            )
        return floor_services.phone_event_apply(data=serializer.validated_data, body=item, sender=request.user)


class AgentStateInputSerializer(InputSerializer):
    state = serializers.ChoiceField(choices=sorted(floor_services.SELF_SERVICE_STATES))


class AgentShiftInputSerializer(InputSerializer):
    action = serializers.ChoiceField(choices=["sign_in", "sign_out"])


def _agent_status_body(user) -> dict:
    return {"me": stats.agent_figures(agent=user), "queue": stats.queue_summary()}


class AgentStatusApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_use_console)]

    @extend_schema(responses=docs.AgentStatusSerializer)
    def get(self, request):
        return Response(_agent_status_body(request.user))


class AgentStateApi(APIView):
    """An agent sets their own state: available, break (available also ends after-call work)."""

    permission_classes = [permissions.api_requires(permissions.can_use_console)]

    @extend_schema(request=AgentStateInputSerializer, responses=docs.AgentStatusSerializer)
    def post(self, request):
        serializer = AgentStateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        floor_services.agent_state_set(agent=request.user, state=serializer.validated_data["state"])
        return Response(_agent_status_body(request.user))


class AgentShiftApi(APIView):
    """Sign in to or out of the shift."""

    permission_classes = [permissions.api_requires(permissions.can_use_console)]

    @extend_schema(request=AgentShiftInputSerializer, responses=docs.AgentStatusSerializer)
    def post(self, request):
        serializer = AgentShiftInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["action"] == "sign_in":
            floor_services.shift_sign_in(agent=request.user)
        else:
            floor_services.shift_sign_out(agent=request.user)
        return Response(_agent_status_body(request.user))


class WallboardStatsApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_oversee)]

    @extend_schema(responses=docs.WallboardStatsSerializer, description="The figures the wallboard socket pushes, now.")
    def get(self, request):
        return Response(stats.wallboard_stats_cached())


class DailyQuerySerializer(InputSerializer):
    date = serializers.DateField(required=False)


class WallboardDailyApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_oversee)]

    @extend_schema(parameters=[DailyQuerySerializer], responses=docs.DailyReportSerializer)
    def get(self, request):
        query = DailyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("date") or operating_day()  # the operating day (from 08:00)
        return Response(stats.daily_report(day=day), status=status.HTTP_200_OK)
