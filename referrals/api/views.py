from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import permissions
from referrals import selectors, services
from referrals.api.serializers import (
    FollowUpCompleteSerializer,
    FollowUpListQuerySerializer,
    FollowUpSerializer,
    ReferralDetailSerializer,
    ReferralInputSerializer,
    ReferralListQuerySerializer,
    ReferralSerializer,
    ServiceSerializer,
    TransitionSerializer,
)
from referrals.models import FollowUp, Referral


class ServiceListApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_view_referrals)]

    @extend_schema(responses=ServiceSerializer(many=True))
    def get(self, request):
        return Response(ServiceSerializer(selectors.service_list(), many=True).data)


def referral_for(request, pk: int) -> Referral:
    """The referral, or 404 when it does not exist or belongs to another service."""
    try:
        return selectors.referral_get(user=request.user, pk=pk)
    except Referral.DoesNotExist as exc:
        raise Http404 from exc


def referral_detail_data(request, referral: Referral, *, unmask: bool) -> dict:
    """The detail body; an unmasked view of contact details is written to the access log."""
    show = services.referral_contact_reveal(referral=referral, user=request.user, asked=unmask, request=request)
    return ReferralDetailSerializer(referral, context={"unmasked": show}).data


class ReferralListCreateApi(GenericAPIView):
    permission_classes = [permissions.api_requires(permissions.can_view_referrals)]
    serializer_class = ReferralSerializer

    @extend_schema(parameters=[ReferralListQuerySerializer], responses=ReferralSerializer(many=True))
    def get(self, request):
        query = ReferralListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = dict(query.validated_data)
        referrals = selectors.referral_list(user=request.user, open_only=bool(filters.pop("open")), **filters)
        page = self.paginate_queryset(referrals)
        return self.get_paginated_response(ReferralSerializer(page, many=True).data)

    @extend_schema(request=ReferralInputSerializer, responses={201: ReferralDetailSerializer})
    def post(self, request):
        if not permissions.can_use_console(request.user):
            raise PermissionDenied
        serializer = ReferralInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not permissions.can_view_call(request.user, data["call"]):
            # another agent's call does not exist for this user
            raise ValidationError({"call": [str(_("No call with id {pk_value}.")).format(pk_value=data["call"].pk)]})
        referral = services.referral_create(actor=request.user, request=request, **data)
        referral = selectors.referral_get(user=request.user, pk=referral.pk)
        return Response(referral_detail_data(request, referral, unmask=False), status=status.HTTP_201_CREATED)


class ReferralDetailApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_view_referrals)]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "unmask",
                bool,
                description="Staff: show the full number (written to the access log). Partner desks "
                "always see it when the caller consented (also logged).",
            )
        ],
        responses=ReferralDetailSerializer,
    )
    def get(self, request, pk: int):
        referral = referral_for(request, pk)
        unmask = request.query_params.get("unmask") in {"1", "true"}
        return Response(referral_detail_data(request, referral, unmask=unmask))


class ReferralTransitionApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_view_referrals)]

    @extend_schema(
        request=TransitionSerializer,
        responses=ReferralDetailSerializer,
        description="Move the referral: accepted, scheduled (scheduled_for), completed (outcome), declined (reason), "
        "cancelled. 409 for a move the life cycle forbids.",
    )
    def post(self, request, pk: int):
        referral = referral_for(request, pk)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.referral_transition(referral=referral, actor=request.user, **data)
        referral = referral_for(request, pk)
        return Response(referral_detail_data(request, referral, unmask=False))


class FollowUpListApi(GenericAPIView):
    permission_classes = [permissions.api_requires(permissions.can_use_console)]
    serializer_class = FollowUpSerializer

    @extend_schema(parameters=[FollowUpListQuerySerializer], responses=FollowUpSerializer(many=True))
    def get(self, request):
        query = FollowUpListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        followups = selectors.followup_list(**query.validated_data)
        page = self.paginate_queryset(followups)
        return self.get_paginated_response(FollowUpSerializer(page, many=True).data)


class FollowUpCompleteApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_use_console)]

    @extend_schema(request=FollowUpCompleteSerializer, responses=FollowUpSerializer)
    def post(self, request, pk: int):
        try:
            followup = selectors.followup_get(pk=pk)
        except FollowUp.DoesNotExist as exc:
            raise Http404 from exc
        serializer = FollowUpCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        followup = services.followup_complete(followup=followup, actor=request.user, **serializer.validated_data)
        return Response(FollowUpSerializer(selectors.followup_get(pk=followup.pk)).data)
