from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import permissions
from knowledgebase import selectors
from knowledgebase.api.serializers import (
    FAQEntryDetailSerializer,
    PriceQuerySerializer,
    PriceSummarySerializer,
    SearchHitSerializer,
    SearchLogInputSerializer,
    SearchLogSerializer,
    SearchQuerySerializer,
    SearchResponseSerializer,
)
from knowledgebase.formatting import answer_html, answer_text
from knowledgebase.models import LANGUAGES, FAQEntry
from knowledgebase.search import faq_search
from knowledgebase.search_log_services import search_log_record


class FAQSearchApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_use_console)]

    @extend_schema(parameters=[SearchQuerySerializer], responses=SearchResponseSerializer)
    def get(self, request):
        """Search the FAQ. Agents see published entries valid today; admins see everything."""
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        result = faq_search(
            query=data["q"],
            language=data["lang"],
            category=data["category"] or None,
            limit=data["limit"],
            include_unpublished=permissions.can_search_all_faq(request.user),
        )
        return Response(
            {
                "results": SearchHitSerializer(result.hits, many=True).data,
                "total": result.total,
                "took_ms": result.took_ms,
                "semantic": result.semantic,
            }
        )


class FAQEntryApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_use_console)]

    @extend_schema(parameters=[OpenApiParameter("lang", str, enum=list(LANGUAGES))], responses=FAQEntryDetailSerializer)
    def get(self, request, pk: int):
        """One entry's full answer in the call's language, Korean where that language is missing."""
        try:
            entry = selectors.faq_entry_get(pk=pk)
        except FAQEntry.DoesNotExist as exc:
            raise Http404 from exc
        visible = entry.status == FAQEntry.Status.PUBLISHED and entry.in_season()
        if not visible and not permissions.can_search_all_faq(request.user):
            raise Http404
        asked = request.query_params.get("lang", "ko")
        if asked not in LANGUAGES:
            asked = "ko"
        lang, question, answer = entry.text_in(asked)
        return Response(
            FAQEntryDetailSerializer(
                {
                    "id": entry.pk,
                    "external_id": entry.external_id,
                    "category": entry.category.slug,
                    "category_name": entry.category.name,
                    "language": lang,
                    "fallback": lang != asked,
                    "question": question,
                    "answer": answer_text(answer),
                    "answer_html": answer_html(answer),
                    "languages": [code for code in LANGUAGES if entry.has_language(code)],
                    "usage_count": entry.usage_count,
                    "updated_at": entry.updated_at,
                    "review_by": entry.review_by,
                    "review_overdue": entry.is_stale(),
                }
            ).data
        )


class ProducePriceApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_use_console)]

    @extend_schema(
        parameters=[PriceQuerySerializer],
        responses=PriceSummarySerializer,
        description="Shape: see docs/knowledgebase.md (latest price, changes against a week, month and year, 90 days).",
    )
    def get(self, request):
        """The latest price of the item a text names (배추, 배추값, "cabbage price"), its changes and 90 days."""
        query = PriceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        item = selectors.price_item_for(text=query.validated_data["item"])
        summary = selectors.price_summary(item=item, grade=query.validated_data["grade"] or None) if item else None
        if summary is None:
            raise Http404
        return Response(summary)


class SearchLogApi(APIView):
    permission_classes = [permissions.api_requires(permissions.can_use_console)]

    @extend_schema(request=SearchLogInputSerializer, responses={201: SearchLogSerializer, 200: SearchLogSerializer})
    def post(self, request):
        """Record a search the agent looked at (the console sends it once the results settle or one is opened).
        The query is scrubbed of phone numbers, resident numbers, e-mail addresses and long numbers;
        when nothing is left nothing is stored (200, `id` null)."""
        serializer = SearchLogInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        log = search_log_record(
            query=data["q"],
            language=data["lang"],
            results=data["results"],
            result_count=data["total"],
            source=data["source"],
        )
        if log is None:
            return Response({"id": None, "query": ""}, status=status.HTTP_200_OK)
        return Response({"id": log.pk, "query": log.query}, status=status.HTTP_201_CREATED)
