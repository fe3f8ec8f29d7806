"""The safety API (/api/safety/...). Staff only (callcenter.permissions.can_use_console); a
partner desk or the phone system gets 403 everywhere. Views validate and call services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import permissions
from callcenter.error_codes import ErrorCode
from callcenter.errors import ApplicationError
from callcenter.inputs import JSONParser
from safety import photos, selectors, services
from safety.api.serializers import (
    CaseAcknowledgeSerializer,
    CaseDetailSerializer,
    CaseInputSerializer,
    CaseSerializer,
    CaseTransitionSerializer,
    RegistrationInputSerializer,
    RegistrationPatchSerializer,
    RegistrationSerializer,
    SearchQuerySerializer,
    SightingInputSerializer,
    SightingSerializer,
)
from safety.describe import describe
from safety.models import Case, Registration, Status

PARSERS = [JSONParser, MultiPartParser, FormParser]


class PhotoTooLarge(ApplicationError):
    code = ErrorCode.TOO_LARGE
    status = 413


def _refuse_huge_body(request) -> None:
    """Before the body is read: a photo upload far past the limit is refused at once (413)."""
    if photos.body_too_large(request):
        raise PhotoTooLarge(photos.too_large_message())


def _own_call(request, call) -> None:
    if not permissions.can_view_call(request.user, call):
        raise ValidationError({"call": [str(_("No call with id {pk_value}.")).format(pk_value=call.pk)]})


def case_for(pk: int) -> Case:
    try:
        return selectors.case_get(pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def registration_for(pk: int) -> Registration:
    try:
        return selectors.registration_get(pk=pk)
    except Registration.DoesNotExist as exc:
        raise Http404 from exc


def case_detail_data(request, case: Case) -> dict:
    """The detail body; name, guardian and photo only while the case is open or found, logged."""
    identity = permissions.can_see_case_identity(request.user, case)
    if identity:
        services.case_identity_view(case=case, user=request.user, request=request)
    return CaseDetailSerializer(case, context={"identity": identity}).data


def registration_detail_data(request, registration: Registration) -> dict:
    identity = permissions.can_use_console(request.user)
    if identity:
        services.registration_identity_view(registration=registration, user=request.user, request=request)
    return RegistrationSerializer(registration, context={"identity": identity}).data


Staff = permissions.api_requires(permissions.can_use_console)


class CaseListCreateApi(GenericAPIView):
    permission_classes = [Staff]
    parser_classes = PARSERS
    serializer_class = CaseSerializer

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=Status.values)], responses=CaseSerializer(many=True)
    )
    def get(self, request):
        wanted = request.query_params.get("status") or None
        if wanted is not None and wanted not in Status.values:
            raise ValidationError({"status": _("Unknown status “%(to)s”.") % {"to": wanted}})
        page = self.paginate_queryset(selectors.case_list(status=wanted))
        return self.get_paginated_response(CaseSerializer(page, many=True).data)

    @extend_schema(request=CaseInputSerializer, responses={201: CaseDetailSerializer})
    def post(self, request):
        _refuse_huge_body(request)
        serializer = CaseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        _own_call(request, data["call"])
        case = services.case_open(actor=request.user, request=request, **data)
        return Response(case_detail_data(request, selectors.case_get(pk=case.pk)), status=status.HTTP_201_CREATED)


class CaseDetailApi(APIView):
    permission_classes = [Staff]

    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, pk: int):
        return Response(case_detail_data(request, case_for(pk)))


class CaseTransitionApi(APIView):
    permission_classes = [Staff]

    @extend_schema(request=CaseTransitionSerializer, responses=CaseDetailSerializer)
    def post(self, request, pk: int):
        case = case_for(pk)
        serializer = CaseTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.case_transition(case=case, actor=request.user, **serializer.validated_data)
        return Response(case_detail_data(request, case_for(pk)))


class CaseAcknowledgeApi(APIView):
    permission_classes = [Staff]

    @extend_schema(
        request=CaseAcknowledgeSerializer,
        responses=inline_serializer(
            "CaseAcknowledgement",
            {
                "case": serializers.IntegerField(),
                "user": serializers.CharField(),
                "status": serializers.CharField(),
                "at": serializers.DateTimeField(),
            },
        ),
    )
    def post(self, request, pk: int):
        case = case_for(pk)
        serializer = CaseAcknowledgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ack = services.case_acknowledge(case=case, user=request.user, status=serializer.validated_data["status"])
        return Response({"case": pk, "user": request.user.get_username(), "status": ack.status, "at": ack.at})


class CaseSightingsApi(APIView):
    permission_classes = [Staff]

    @extend_schema(request=SightingInputSerializer, responses={201: SightingSerializer})
    def post(self, request, pk: int):
        case = case_for(pk)
        serializer = SightingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        _own_call(request, data["call"])
        sighting = services.sighting_link(case=case, actor=request.user, **data)
        return Response(SightingSerializer(sighting).data, status=status.HTTP_201_CREATED)


class SearchApi(APIView):
    permission_classes = [Staff]

    @extend_schema(
        parameters=[SearchQuerySerializer],
        responses=inline_serializer(
            "SightingCandidates",
            {
                "results": inline_serializer(
                    "SightingCandidate",
                    {
                        "type": serializers.CharField(),
                        "id": serializers.IntegerField(),
                        "kind": serializers.CharField(),
                        "description": serializers.CharField(),
                        "score": serializers.FloatField(),
                        "last_seen_place": serializers.CharField(allow_null=True),
                        "last_seen_at": serializers.DateTimeField(allow_null=True),
                    },
                    many=True,
                )
            },
        ),
    )
    def get(self, request):
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        hits = selectors.sighting_candidates_search(query=query.validated_data["q"])
        return Response(
            {
                "results": [
                    {
                        "type": hit.type,
                        "id": hit.person.pk,
                        "kind": hit.person.kind,
                        "description": describe(hit.person),
                        "score": hit.score,
                        "last_seen_place": getattr(hit.person, "last_seen_place", None),
                        "last_seen_at": getattr(hit.person, "last_seen_at", None),
                    }
                    for hit in hits
                ]
            }
        )


class RegistrationCreateApi(GenericAPIView):
    permission_classes = [Staff]
    parser_classes = PARSERS
    serializer_class = RegistrationSerializer

    @extend_schema(responses=RegistrationSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.registration_list())
        return self.get_paginated_response(RegistrationSerializer(page, many=True).data)

    @extend_schema(request=RegistrationInputSerializer, responses={201: RegistrationSerializer})
    def post(self, request):
        _refuse_huge_body(request)
        serializer = RegistrationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = services.registration_create(actor=request.user, request=request, **serializer.validated_data)
        return Response(registration_detail_data(request, registration), status=status.HTTP_201_CREATED)


class RegistrationDetailApi(APIView):
    permission_classes = [Staff]
    parser_classes = PARSERS

    @extend_schema(responses=RegistrationSerializer)
    def get(self, request, pk: int):
        return Response(registration_detail_data(request, registration_for(pk)))

    @extend_schema(request=RegistrationPatchSerializer, responses=RegistrationSerializer)
    def patch(self, request, pk: int):
        _refuse_huge_body(request)
        registration = registration_for(pk)
        serializer = RegistrationPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        renew = changes.pop("renew", False)
        registration = services.registration_update(
            registration=registration, actor=request.user, changes=changes, renew=renew, request=request
        )
        return Response(registration_detail_data(request, registration))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.registration_delete(registration=registration_for(pk), actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _photo_response(person) -> FileResponse:
    if not person.photo:
        raise Http404
    response = FileResponse(person.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


class CasePhotoApi(APIView):
    """The photo, to those who may see it (while the case is open or found); every view logged."""

    permission_classes = [Staff]

    @extend_schema(responses={(200, "image/jpeg"): bytes})
    def get(self, request, pk: int):
        case = case_for(pk)
        if not permissions.can_see_case_identity(request.user, case):
            raise Http404
        response = _photo_response(case)
        services.case_identity_view(case=case, user=request.user, request=request, what=f"case:{pk}:photo")
        return response


class RegistrationPhotoApi(APIView):
    permission_classes = [Staff]

    @extend_schema(responses={(200, "image/jpeg"): bytes})
    def get(self, request, pk: int):
        registration = registration_for(pk)
        response = _photo_response(registration)
        services.registration_identity_view(
            registration=registration, user=request.user, request=request, what=f"registration:{pk}:photo"
        )
        return response
