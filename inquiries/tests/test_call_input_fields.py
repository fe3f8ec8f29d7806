"""The call input serializers share field prototypes per class (bench/calls.py);
an instance's fields must still be its own."""

import pytest

from inquiries.api.serializers import CallInputSerializer, CallUpdateSerializer


def test_each_instance_gets_its_own_bound_fields():
    first, second = CallInputSerializer(data={}), CallInputSerializer(data={})

    assert first.fields["summary"] is not second.fields["summary"]
    assert first.fields["summary"].parent is first and second.fields["summary"].parent is second


def test_the_update_serializer_changes_do_not_leak_into_the_input_serializer():
    update = CallUpdateSerializer(data={}, partial=True, context={"call": None})  # makes every field optional
    assert not update.fields["summary"].required and "caller_number" not in update.fields

    fields = CallInputSerializer(data={}).fields
    assert fields["summary"].required and fields["category"].required and fields["language"].default == "ko"
    assert "faq_entries" in fields and "client_request_id" in fields


@pytest.mark.django_db
def test_errors_do_not_carry_over_between_instances(category):
    bad = CallInputSerializer(data={"caller_number": "12", "category": "nope", "summary": ""})
    assert not bad.is_valid()
    assert {"caller_number", "category", "summary"} <= set(bad.errors)

    good = CallInputSerializer(data={"caller_number": "010-1234-5678", "category": "water", "summary": "x"})
    assert good.is_valid(), good.errors
