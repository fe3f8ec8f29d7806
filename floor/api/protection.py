"""Agent protection: abusive-call flags (agents) and caller blocks (supervisors).

POST /api/abuse-flags/                    {"call_id", "kind", "note"}: the agent flags the call they answered
POST /api/abuse-flags/{id}/warning-read/  the warning script was read to the caller
POST /api/abuse-flags/{id}/end-call/      after the warning, the agent ended the call
GET  /api/abuse-flags/?kind=              supervisors: the flags, newest first
GET  /api/caller-blocks/?active=1|0       supervisors: blocks, numbers masked
POST /api/caller-blocks/                  {"number" or "flag", "reason", "until"}
GET  /api/caller-blocks/{id}/?unmask=1    one block; unmask shows the number (access-logged)
DELETE /api/caller-blocks/{id}/           ends the block now (the row and its history are kept)
"""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import permissions
from callcenter.inputs import BoundedDateTimeField, InputSerializer, PhoneNumberField
from callcenter.phone_numbers import format_number
from floor import protection_selectors, protection_services
from floor.api.docs import AbuseFlagSerializer, CallerBlockSerializer
from floor.models import AbuseFlag, CallerBlock

# The longest block a supervisor may set at once (renewing it is a new decision).
MAX_BLOCK = timedelta(days=366)


class AbuseFlagInputSerializer(InputSerializer):
    call_id = serializers.CharField(max_length=64)
    kind = serializers.ChoiceField(choices=AbuseFlag.Kind.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AbuseFlagQuerySerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=AbuseFlag.Kind.choices, required=False)
    date = serializers.DateField(required=False)


class CallerBlockInputSerializer(InputSerializer):
    number = PhoneNumberField(max_length=40, required=False)
    flag = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    reason = serializers.CharField(max_length=500)
    until = BoundedDateTimeField()  # an impossible date is bad input; the window is checked below

    def validate_until(self, until):
        now = timezone.now()
        if until <= now:
            raise serializers.ValidationError(_("Give a time in the future."))
        if until > now + MAX_BLOCK:
            raise serializers.ValidationError(_("A block lasts at most a year; renew it when it ends."))
        return until

    def validate(self, attrs):
        if bool(attrs.get("number")) == bool(attrs.get("flag")):
            raise serializers.ValidationError({"number": [_("Give the number or the flag, one of them.")]})
        if attrs.get("flag"):
            flag = protection_selectors.abuse_flag_get(pk=attrs["flag"])
            if flag is None:
                raise serializers.ValidationError({"flag": [_("No such flag.")]})
            if not flag.caller_number.isdigit() and not flag.caller_number.startswith("+"):
                withheld = _("The caller withheld the number: it cannot be blocked.")
                raise serializers.ValidationError({"flag": [withheld]})
            attrs["flag"] = flag
            attrs["number"] = flag.caller_number
        return attrs


class CallerBlockQuerySerializer(InputSerializer):
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


def flag_data(flag: AbuseFlag) -> dict:
    blocks = list(flag.blocks.all()) if hasattr(flag, "_prefetched_objects_cache") else []
    return {
        "id": flag.pk,
        "call_id": flag.call.call_id,
        "caller_number": flag.masked_number,
        "agent": flag.agent.get_username(),
        "agent_name": flag.agent.get_full_name() or flag.agent.get_username(),
        "kind": flag.kind,
        "kind_label": str(flag.get_kind_display()),
        "note": flag.note,
        "flagged_at": serializers.DateTimeField().to_representation(flag.flagged_at),
        "warning_read_at": serializers.DateTimeField().to_representation(flag.warning_read_at)
        if flag.warning_read_at
        else None,
        "ended_at": serializers.DateTimeField().to_representation(flag.ended_at) if flag.ended_at else None,
        "blocked": any(block.is_active() for block in blocks),
    }


def block_data(block: CallerBlock, *, unmasked: bool = False) -> dict:
    stamp = serializers.DateTimeField().to_representation
    data = {
        "id": block.pk,
        "number": block.masked_number,
        "reason": block.reason,
        "starts_at": stamp(block.starts_at),
        "until": stamp(block.until),
        "active": block.is_active(),
        "flag": block.flag_id,
        "created_by": block.created_by.get_username(),
        "created_at": stamp(block.created_at),
        "ended_at": stamp(block.ended_at) if block.ended_at else None,
        "ended_by": block.ended_by.get_username() if block.ended_by_id else None,
    }
    if unmasked:
        data["number_full"] = format_number(block.number)
    return data


def _parse_pk(pk: str) -> int:
    if not (pk.isascii() and pk.isdigit()) or not 0 < int(pk) < 2**63:
        raise Http404
    return int(pk)


class AbuseFlagListCreateApi(GenericAPIView):
    """Agents flag their calls; supervisors list every flag."""

    permission_classes = [permissions.api_requires(permissions.can_use_console)]

    @extend_schema(
        operation_id="abuse_flags_list",
        parameters=[AbuseFlagQuerySerializer],
        responses=AbuseFlagSerializer(many=True),
    )
    def get(self, request):
        if not permissions.can_oversee(request.user):
            raise PermissionDenied
        query = AbuseFlagQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        flags = protection_selectors.abuse_flag_list(**query.validated_data)
        page = self.paginate_queryset(flags)
        return self.get_paginated_response([flag_data(flag) for flag in page])

    @extend_schema(request=AbuseFlagInputSerializer, responses={201: AbuseFlagSerializer})
    def post(self, request):
        serializer = AbuseFlagInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        flag = protection_services.abuse_flag_create(agent=request.user, **serializer.validated_data)
        return Response(flag_data(flag), status=status.HTTP_201_CREATED)


class AbuseFlagStepApi(APIView):
    """The flag's next step: the warning was read, or the agent ended the call."""

    permission_classes = [permissions.api_requires(permissions.can_use_console)]
    step = ""

    @extend_schema(request=None, responses=AbuseFlagSerializer)
    def post(self, request, pk: str):
        flag_id = _parse_pk(pk)
        if self.step == "warning_read":
            flag = protection_services.abuse_flag_warning_read(flag_id=flag_id, agent=request.user)
        else:
            flag = protection_services.abuse_flag_end_call(flag_id=flag_id, agent=request.user)
        return Response(flag_data(flag))


class CallerBlockListCreateApi(GenericAPIView):
    permission_classes = [permissions.api_requires(permissions.can_oversee)]

    @extend_schema(
        operation_id="caller_blocks_list",
        parameters=[CallerBlockQuerySerializer],
        responses=CallerBlockSerializer(many=True),
    )
    def get(self, request):
        query = CallerBlockQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        blocks = protection_selectors.caller_block_list(active=query.validated_data.get("active"))
        page = self.paginate_queryset(blocks)
        return self.get_paginated_response([block_data(block) for block in page])

    @extend_schema(request=CallerBlockInputSerializer, responses={201: CallerBlockSerializer})
    def post(self, request):
        serializer = CallerBlockInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        block = protection_services.caller_block_create(
            actor=request.user, request=request, **serializer.validated_data
        )
        return Response(block_data(block), status=status.HTTP_201_CREATED)


class CallerBlockDetailApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_oversee)]

    def _block(self, pk: str) -> CallerBlock:
        try:
            return protection_selectors.caller_block_get(pk=_parse_pk(pk))
        except CallerBlock.DoesNotExist as exc:
            raise Http404 from exc

    @extend_schema(
        parameters=[OpenApiParameter("unmask", bool, description="Show the full number (written to the access log).")],
        responses=CallerBlockSerializer,
    )
    def get(self, request, pk: str):
        block = self._block(pk)
        if request.query_params.get("unmask") in {"1", "true"}:
            protection_services.caller_block_reveal(block=block, user=request.user, request=request)
            return Response(block_data(block, unmasked=True))
        return Response(block_data(block))

    @extend_schema(
        request=None, responses=CallerBlockSerializer, description="End the block now; it stays in the history."
    )
    def delete(self, request, pk: str):
        block = self._block(pk)
        block = protection_services.caller_block_end(block_id=block.pk, actor=request.user, request=request)
        return Response(block_data(block))
