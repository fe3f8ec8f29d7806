"""`call_data()` answers every call endpoint; `CallSerializer` documents that answer
(OpenAPI). They must agree field for field, in both languages."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from inquiries.api.serializers import CallSerializer, CallUnmaskedSerializer, call_data
from inquiries.models import Call
from inquiries.selectors import call_get
from inquiries.services import call_log
from knowledgebase.models import FAQEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_call(agent, category):
    start = timezone.now() - timedelta(minutes=7, seconds=30)
    entries = [
        FAQEntry.objects.create(category=category, question_ko=f"질문 {n}", status=FAQEntry.Status.PUBLISHED)
        for n in range(2)
    ]
    call, _ = call_log(
        agent=agent,
        caller_number="010-2345-6789",
        category=category,
        summary="수돗물에서 녹물이 나와요",
        language="en",
        channel="visit",
        notes="방문 민원",
        resolution="callback_needed",
        started_at=start,
        ended_at=start + timedelta(minutes=5, seconds=3),
        satisfaction=4,
        urgent=True,
        vulnerable="senior",
        client_request_id="shape-1",
        phone_call_id="pbx-77",
        faq_entries=entries,
    )
    return call


@pytest.fixture
def bare_call(agent, category):
    call, _ = call_log(agent=agent, caller_number="02-123-4567", category=category, summary="문의")
    return call


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("which", ["full_call", "bare_call"])
def test_call_data_is_the_documented_serializer_shape(request, which, language):
    call = call_get(pk=request.getfixturevalue(which).pk)

    with translation.override(language):
        documented = CallSerializer(call).data
        built = call_data(call)

    assert list(built) == list(documented)  # same fields, same order
    assert built == dict(documented)
    assert [type(value) for value in built.values()] == [type(value) for value in documented.values()]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_unmasked_call_data_is_the_documented_unmasked_shape(full_call, language):
    call = call_get(pk=full_call.pk)

    with translation.override(language):
        assert call_data(call, unmasked=True) == dict(CallUnmaskedSerializer(call).data)


def test_faq_entry_ids_without_prefetch_match_the_prefetched_ones(full_call):
    plain = Call.objects.select_related("caller", "category", "agent").get(pk=full_call.pk)

    assert call_data(plain)["faq_entries"] == call_data(call_get(pk=full_call.pk))["faq_entries"]
    assert len(call_data(plain)["faq_entries"]) == 2


def test_a_logged_call_answers_with_call_data(api_as, agent, category):
    response = api_as(agent).post(
        "/api/calls/",
        {"caller_number": "010-2345-6789", "category": "water", "summary": "문의", "client_request_id": "shape-2"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json() == call_data(call_get(pk=response.json()["id"]))
