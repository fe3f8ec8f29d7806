"""Revisions, restore, translation status, usage."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from knowledgebase.models import FAQEntry
from knowledgebase.search import faq_search
from knowledgebase.services import (
    faq_entry_create,
    faq_entry_publish,
    faq_entry_restore,
    faq_entry_update,
    faq_usage_record,
    revision_diff,
)

pytestmark = pytest.mark.django_db


def test_every_save_keeps_a_revision_with_who_and_what(entry, admin_user):
    item = entry(question_ko="따릉이 대여", answer_ko="앱에서 빌립니다.")
    faq_entry_update(entry=item, data={"answer_ko": "따릉이 앱에서 빌립니다."}, author=admin_user)
    faq_entry_update(entry=item, data={"answer_ko": "따릉이 앱에서 빌립니다."}, author=admin_user)  # no change
    revisions = list(item.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[1].author == admin_user
    assert revisions[1].changed_fields == ["answer_ko"]
    (change,) = revision_diff(revision=revisions[1])
    assert change["field"] == "answer_ko"
    assert change["before"] == "앱에서 빌립니다."
    assert change["after"] == "따릉이 앱에서 빌립니다."


def test_restore_brings_back_an_older_revision_and_search_follows(entry, admin_user):
    item = entry(question_ko="한강 수영장 개장", answer_ko="7월에 엽니다.")
    faq_entry_update(entry=item, data={"question_ko": "한강 물놀이장 개장", "answer_ko": "6월에 엽니다."})
    first = item.revisions.get(number=1)
    restored = faq_entry_restore(entry=item, revision=first, author=admin_user)
    assert (restored.question_ko, restored.answer_ko) == ("한강 수영장 개장", "7월에 엽니다.")
    latest = restored.revisions.order_by("-number").first()
    assert latest.number == 3
    assert "1" in latest.comment
    assert [hit.entry.pk for hit in faq_search(query="수영장", limit=3).hits] == [item.pk]
    assert faq_search(query="물놀이장", limit=3).hits == []


def test_translation_status(entry):
    item = entry(question_ko="누수", answer_ko="답", question_en="Leak", answer_en="Answer")
    assert item.translation_status() == {"en": "ok", "zh": "missing", "ja": "missing"}
    item = faq_entry_update(entry=item, data={"answer_ko": "새 답"})
    assert item.translation_status()["en"] == "outdated"
    item = faq_entry_update(entry=item, data={"answer_en": "New answer"})
    assert item.translation_status()["en"] == "ok"


def test_rules(reference_data):
    from knowledgebase.models import Category

    water = Category.objects.get(slug="water")
    with pytest.raises(ValidationError) as excinfo:
        faq_entry_create(data={"category": water, "question_ko": "", "answer_ko": "답"})
    assert "question_ko" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        faq_entry_create(data={"category": water, "question_ko": "질문", "answer_ko": "", "status": "published"})
    with pytest.raises(ValidationError):
        faq_entry_create(data={"category": water, "question_ko": "질문", "answer_ko": "답", "question_en": "Q"})
    draft = faq_entry_create(data={"category": water, "question_ko": "질문", "answer_ko": "", "status": "draft"})
    with pytest.raises(ValidationError):
        faq_entry_publish(entries=[draft])
    assert FAQEntry.objects.get(pk=draft.pk).status == "draft"


def test_usage_is_counted(entry):
    first, second = entry(question_ko="하나", answer_ko="1"), entry(question_ko="둘", answer_ko="2")
    assert faq_usage_record(entry_ids=[first.pk, second.pk, first.pk]) == 2
    first.refresh_from_db()
    assert first.usage_count == 1
