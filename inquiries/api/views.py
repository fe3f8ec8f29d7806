from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import permissions
from callcenter.errors import Forbidden
from callcenter.phone_numbers import format_number, normalize_number
from floor import selectors as floor_selectors
from inquiries import selectors, services
from inquiries.api.serializers import (
    CallInputSerializer,
    CallListQuerySerializer,
    CallSerializer,
    CallUnmaskedSerializer,
    CallUpdateSerializer,
    HistoryEntrySerializer,
    QueueCallCallerSerializer,
    call_data,
)
from inquiries.error_codes import ErrorCode
from inquiries.models import Call
from inquiries.selectors import correction_closed_message


class CallListCreateApi(GenericAPIView):
    permission_classes = [permissions.api_requires(permissions.can_use_console)]
    serializer_class = CallSerializer

    @extend_schema(parameters=[CallListQuerySerializer], responses=CallSerializer(many=True))
    def get(self, request):
        query = CallListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        calls = selectors.call_list(user=request.user, **query.filters())
        page = self.paginate_queryset(calls)
        number = query.validated_data.get("caller_number")
        if number:  # one person's calls: as much an access as their history
            services.caller_calls_view(number=number, user=request.user, request=request)
        return self.get_paginated_response([call_data(call) for call in page])

    @extend_schema(
        request=CallInputSerializer,
        responses={201: CallSerializer, 200: CallSerializer},
        description="Log a call. A repeat with the same client_request_id returns the first call with 200.",
    )
    def post(self, request):
        serializer = CallInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agent = data.pop("agent", None) or request.user
        if agent != request.user and not permissions.can_oversee(request.user):
            raise PermissionDenied
        call, created = services.call_log(agent=agent, request=request, **data)
        # A new call without FAQ entries has no links to look up.
        faq_entry_ids = [] if created and not data.get("faq_entries") else None
        return Response(
            call_data(call, faq_entry_ids=faq_entry_ids),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CallDetailApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_use_console)]

    def _get_call(self, request, pk: int) -> Call:
        try:
            call = selectors.call_get(pk=pk)
        except Call.DoesNotExist as exc:
            raise Http404 from exc
        if not permissions.can_view_call(request.user, call):
            raise Http404  # someone else's call does not exist for this user
        return call

    @extend_schema(
        parameters=[OpenApiParameter("unmask", bool, description="Show the full number (written to the access log).")],
        responses=CallUnmaskedSerializer,
    )
    def get(self, request, pk: int):
        call = self._get_call(request, pk)
        if request.query_params.get("unmask") in {"1", "true"}:
            services.call_number_reveal(call=call, user=request.user, request=request)
            return Response(call_data(call, unmasked=True))
        return Response(call_data(call))

    @extend_schema(request=CallUpdateSerializer, responses=CallSerializer)
    def patch(self, request, pk: int):
        call = self._get_call(request, pk)
        if not permissions.can_change_call(request.user, call):
            raise Forbidden(correction_closed_message(call=call), code=ErrorCode.CORRECTION_CLOSED)
        serializer = CallUpdateSerializer(data=request.data, partial=True, context={"call": call})
        serializer.is_valid(raise_exception=True)
        call = services.call_correct(call=call, actor=request.user, changes=serializer.validated_data, request=request)
        return Response(call_data(selectors.call_get(pk=call.pk)))


class CallerHistoryApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_use_console)]

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    def get(self, request, number: str):
        normalized = normalize_number(number)
        caller = selectors.caller_find(number=normalized)
        services.caller_history_view(number=normalized, user=request.user, request=request)
        calls = selectors.caller_history(caller=caller) if caller else []
        return Response(
            {
                "caller_number": caller.masked_number if caller else None,
                "known": caller is not None,
                "first_contact_at": serializers.DateTimeField().to_representation(caller.first_contact_at)
                if caller
                else None,
                "results": HistoryEntrySerializer(calls, many=True).data,
            }
        )


class QueueCallCallerApi(APIView):
    """The full number of a call the phone system reported, for the agent it is
    with: the screen pop on /ws/agent/ carries it masked, and the console asks
    here to fill in the log form. Written to the access log."""

    permission_classes = [permissions.api_requires(permissions.can_use_console)]

    @extend_schema(responses=QueueCallCallerSerializer)
    def get(self, request, call_id: str):
        call = floor_selectors.queue_call_get(call_id=call_id)
        if call is None or not permissions.can_reveal_queue_caller(request.user, call):
            raise Http404  # another agent's call does not exist for this user
        if call.caller_number:
            services.queue_caller_reveal(
                call_id=call.call_id, number=call.caller_number, user=request.user, request=request
            )
        number = format_number(call.caller_number) if call.caller_number else None
        return Response({"call_id": call.call_id, "caller_number": number})
