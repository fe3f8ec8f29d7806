"""Translations: the team's data file, written beside the Korean source in admin, outdated when the Korean changes."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from knowledgebase import demo
from knowledgebase.models import FAQEntry
from knowledgebase.services import faq_entry_update, faq_translation_save, korean_changes_since

pytestmark = pytest.mark.django_db


def test_the_data_file_covers_the_52_core_entries_and_the_demo_entries(shared_data):
    import csv

    data = json.loads(demo.TRANSLATIONS_FILE.read_text(encoding="utf-8"))["entries"]
    with open(shared_data / "ds120_faq.csv", encoding="utf-8-sig") as stream:
        core = {row["external_id"] for row in csv.DictReader(stream) if "[핵심생활정보 FAQ]" in row["question_ko"]}
    assert len(core) == 52
    assert core <= set(data)
    for external_id in core:
        assert set(data[external_id]) == {"en", "zh", "ja"}, external_id
    for item in demo.DEMO_ENTRIES:
        assert {"zh", "ja"} <= set(data[item["external_id"]])
    for languages in data.values():
        for text in languages.values():
            assert text["question"].strip() and text["answer"].strip() and text["source"] == "team"
            assert len(text["question"]) <= 300


def test_seed_adds_translations_once_and_never_overwrites(reference_data):
    demo.seed()
    entry = FAQEntry.objects.get(external_id="demo-water-leak")
    assert entry.has_language("zh") and entry.has_language("ja")
    assert (entry.zh_source, entry.en_source) == ("team", "team")
    faq_translation_save(entry=entry, language="ja", question="漏水", answer="管理者の訳", source="reviewed")
    assert demo.translations_seed() == 0  # nothing missing any more; the admin's Japanese stays
    entry.refresh_from_db()
    assert entry.answer_ja == "管理者の訳" and entry.ja_source == "reviewed"


def test_a_changed_korean_text_makes_the_translation_outdated_and_shows_what_changed(entry):
    item = entry(question_ko="누수 신고", answer_ko="수도사업소에 신고하세요.", question_en="Leaks", answer_en="Call.")
    item = faq_entry_update(entry=item, data={"answer_ko": "120 또는 수도사업소에 신고하세요."})
    assert item.translation_status()["en"] == "outdated"
    (change,) = korean_changes_since(entry=item, language="en")
    assert change["field"] == "answer_ko"
    assert "-수도사업소에 신고하세요." in change["diff"] and "+120 또는 수도사업소에 신고하세요." in change["diff"]
    # the translator checks it against the new Korean; saving even unchanged words makes it current
    item = faq_translation_save(entry=item, language="en", question="Leaks", answer="Call.", source="team")
    assert item.translation_status()["en"] == "ok"
    assert korean_changes_since(entry=item, language="en") == []
    assert item.revisions.first().comment.endswith("(en)")  # "Translation (en)" in the active language


def test_a_half_translation_is_refused(entry):
    item = entry(question_ko="누수 신고", answer_ko="신고하세요.")
    with pytest.raises(ValidationError):
        faq_translation_save(entry=item, language="zh", question="漏水", answer="", source="team")
    item.refresh_from_db()
    assert item.question_zh == ""
