"""Factories for the knowledge base. Entries are made through the service, so they are indexed."""

from __future__ import annotations

from typing import Any

import factory

from knowledgebase.models import Category, FAQEntry, Synonym
from knowledgebase.services import faq_entry_create, synonym_save


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = "water"
    name_ko = "수도"
    name_en = "Water supply"


class FAQEntryFactory(factory.Factory):
    """Builds the content; `create` saves it with faq_entry_create (revision + search index)."""

    class Meta:
        model = dict

    category = factory.SubFactory(CategoryFactory)
    status = FAQEntry.Status.PUBLISHED
    question_ko = factory.Sequence(lambda n: f"질문 {n}")
    answer_ko = "답변입니다."

    @classmethod
    def _create(cls, model_class, *args: Any, usage_count: int = 0, **kwargs: Any) -> FAQEntry:
        entry = faq_entry_create(data=kwargs)
        if usage_count:
            FAQEntry.objects.filter(pk=entry.pk).update(usage_count=usage_count)
            entry.refresh_from_db()
        return entry


def make_synonym(terms: str) -> Synonym:
    return synonym_save(synonym=Synonym(terms=terms))
