"""Categories are looked up from a per-process cache when a call is logged
(bench/calls.py); a category added, renamed or removed must show at once."""

import pytest

from knowledgebase import selectors
from knowledgebase.models import Category

pytestmark = pytest.mark.django_db

VALID = {"caller_number": "010-1234-5678", "summary": "문의"}


def test_categories_are_read_once_per_process(category, django_assert_num_queries):
    selectors.category_find(slug="water")

    with django_assert_num_queries(0):
        assert selectors.category_find(slug="water") == category
        assert selectors.category_find(slug="no-such-category") is None


def test_a_new_category_can_be_used_at_once(api_as, agent, category):
    client = api_as(agent)
    assert client.post("/api/calls/", {**VALID, "category": "water"}, format="json").status_code == 201

    Category.objects.create(slug="new-one", name_ko="새 분류", name_en="New one")

    response = client.post("/api/calls/", {**VALID, "category": "new-one"}, format="json")
    assert response.status_code == 201
    assert response.json()["category_name"] == "새 분류"


def test_a_renamed_category_answers_with_its_new_name(api_as, agent, category):
    client = api_as(agent)
    assert client.post("/api/calls/", {**VALID, "category": "water"}, format="json").status_code == 201

    category.name_ko = "상수도"
    category.save()

    assert client.post("/api/calls/", {**VALID, "category": "water"}, format="json").json()["category_name"] == "상수도"


def test_a_deleted_category_is_unknown_at_once(api_as, agent):
    client = api_as(agent)
    spare = Category.objects.create(slug="spare", name_ko="예비", name_en="Spare")
    assert selectors.category_find(slug="spare") == spare

    spare.delete()

    response = client.post("/api/calls/", {**VALID, "category": "spare"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert "category" in response.json()["fields"]
