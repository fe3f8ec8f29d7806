"""Vectors in the database: embedded on save (only what changed), withdrawn with their text,
and each process's matrix follows other processes' writes by version."""

from __future__ import annotations

import numpy
import pytest

from knowledgebase.models import FAQVector, VectorVersion
from knowledgebase.search import vectors
from knowledgebase.services import faq_entry_archive, faq_entry_update

pytestmark = pytest.mark.django_db


def test_saving_an_entry_embeds_each_language_it_has(counting, entry):
    item = entry(
        question_ko="[핵심생활정보 FAQ] 27. 수돗물 수질검사",
        answer_ko="무료로 검사합니다.",
        question_en="Tap water test",
        answer_en="Free of charge.",
    )
    rows = {row.language: row for row in FAQVector.objects.filter(entry=item)}
    assert set(rows) == {"ko", "en"}
    # the series tag and number carry no meaning: not embedded
    assert counting.passages[0] == "수돗물 수질검사\n무료로 검사합니다."
    stored = numpy.frombuffer(bytes(rows["ko"].vector), dtype="<f4")
    assert numpy.allclose(stored, counting.embed_query(counting.passages[0]))
    assert vectors.entry_vector_state(item) == {"ko": "ok", "en": "ok"}


def test_only_a_changed_text_is_embedded_again(counting, entry):
    item = entry(question_ko="누수 신고", answer_ko="수도사업소에 신고합니다.", question_en="Leak", answer_en="Call.")
    counting.passages.clear()
    faq_entry_archive(entries=[item])  # status only
    assert counting.passages == []
    faq_entry_update(entry=item, data={"answer_en": "Call the Waterworks Office."})
    assert counting.passages == ["Leak\nCall the Waterworks Office."]


def test_a_removed_translation_withdraws_its_vector(counting, entry):
    item = entry(question_ko="누수 신고", answer_ko="신고합니다.", question_en="Leak", answer_en="Call.")
    before = VectorVersion.objects.get(pk=1).value
    faq_entry_update(entry=item, data={"question_en": "", "answer_en": ""})
    withdrawn = FAQVector.objects.get(entry=item, language="en")
    assert bytes(withdrawn.vector) == b"" and withdrawn.version > before
    item.refresh_from_db()
    assert vectors.entry_vector_state(item) == {"ko": "ok"}


def test_state_shows_an_outdated_vector(counting, entry):
    from knowledgebase.search import embedder as kb_embedder

    item = entry(question_ko="누수 신고", answer_ko="신고합니다.")
    kb_embedder.set_embedder(None)  # an edit while the model is off in this process
    faq_entry_update(entry=item, data={"answer_ko": "수도사업소가 복구합니다."})
    item.refresh_from_db()
    assert vectors.entry_vector_state(item, counting) == {"ko": "outdated"}


def test_the_matrix_follows_writes_from_elsewhere(counting, entry):
    first = entry(question_ko="누수 신고", answer_ko="신고합니다.")
    index = vectors.vector_index(counting)
    assert index.size == 1
    second = entry(question_ko="가로등 고장", answer_ko="120으로 신고하세요.")  # bumps the version
    index = vectors.vector_index(counting)
    assert index.size == 2
    query = counting.embed_query("가로등 고장\n120으로 신고하세요.")
    assert index.nearest(query, 1)[0][0] == second.pk
    faq_entry_update(entry=first, data={"question_ko": "가로등 고장", "answer_ko": "120으로 신고하세요."})
    index = vectors.vector_index(counting)
    assert index.size == 2  # the changed row replaced, not added
    assert {pk for pk, _ in index.nearest(query, 2)} == {first.pk, second.pk}


def test_a_broken_model_on_save_keeps_the_edit(entry, caplog):
    from knowledgebase.search import embedder as kb_embedder
    from knowledgebase.tests.fakes import CountingEmbedder

    class Broken(CountingEmbedder):
        def embed_passages(self, texts):
            raise RuntimeError("engine crashed")

    kb_embedder.set_embedder(Broken())
    item = entry(question_ko="누수 신고", answer_ko="신고합니다.")
    assert item.pk and FAQVector.objects.count() == 0
    assert "kb_embed" in caplog.text
