"""kb_embed and import_faq's embedding: only what is missing or changed is embedded, an interrupted
`kb_embed` resumes where it stopped, an import embeds what it created or changed, and without a
model both say so and words still find the entries. A small fake model (tests/fakes.py): the
real one is not the point here (tests/test_semantic.py uses it)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from knowledgebase.models import FAQEntry, FAQVector
from knowledgebase.search import embedder as kb_embedder
from knowledgebase.search import faq_search, vectors
from knowledgebase.services import faq_entry_update
from knowledgebase.tests.fakes import CountingEmbedder

pytestmark = pytest.mark.django_db

HEADER = "external_id,category,question_ko,answer_ko,question_en,answer_en,keywords,status\n"
ROWS = [
    "e-1,water,수돗물 수질검사,무료로 검사합니다.,Tap water test,Free test.,,",
    "e-2,water,누수 신고,수도사업소에 신고합니다.,,,,",
    "e-3,transit,분실물 찾기,유실물센터에 문의합니다.,,,,",
]


def command(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def csv_file(tmp_path: Path, rows: list[str], name: str = "faq.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def unembedded(entry):
    """Five entries saved while the model was off (the suite's default): no vectors yet."""
    made = [entry(question_ko=f"민원 {n}번 안내", answer_ko=f"{n}번 창구로 오세요.") for n in range(5)]
    assert FAQVector.objects.count() == 0
    return made


class InterruptedAfter(CountingEmbedder):
    """Stops the run (a Ctrl+C, a killed process) on the given call."""

    def __init__(self, calls: int):
        super().__init__()
        self.stop_at = calls

    def embed_passages(self, texts):
        if self.calls + 1 == self.stop_at:
            raise KeyboardInterrupt
        return super().embed_passages(texts)


def test_kb_embed_embeds_what_is_missing_then_nothing(unembedded, counting):
    output = command("kb_embed", "--batch", "2")
    assert "embedded 5, unchanged 0" in output and "Vectors up to date." in output
    assert FAQVector.objects.filter(vector__isnull=False).exclude(vector=b"").count() == 5
    counting.passages.clear()
    again = command("kb_embed")
    assert "embedded 0, unchanged 5" in again
    assert counting.passages == []


def test_an_interrupted_kb_embed_resumes_where_it_stopped(unembedded):
    # given a run stopped during its third batch of two
    kb_embedder.set_embedder(InterruptedAfter(calls=3))
    with pytest.raises(KeyboardInterrupt):
        command("kb_embed", "--batch", "2")
    done = set(FAQVector.objects.values_list("entry_id", flat=True))
    assert done == {unembedded[0].pk, unembedded[1].pk, unembedded[2].pk, unembedded[3].pk}  # two batches committed
    # when it runs again
    model = CountingEmbedder()
    kb_embedder.set_embedder(model)
    output = command("kb_embed", "--batch", "2")
    # then only the entry the first run did not reach is embedded
    assert "embedded 1, unchanged 4" in output
    assert model.passages == [vectors.passage_text(unembedded[4], "ko")]
    assert FAQVector.objects.count() == 5


def test_kb_embed_embeds_again_only_what_changed_while_the_model_was_off(unembedded, counting):
    command("kb_embed")
    kb_embedder.set_embedder(None)  # an admin edit in a process without the model
    faq_entry_update(entry=unembedded[2], data={"answer_ko": "3층 민원실로 오세요."})
    kb_embedder.set_embedder(counting)
    counting.passages.clear()
    output = command("kb_embed")
    assert "embedded 1, unchanged 4" in output
    assert counting.passages == ["민원 2번 안내\n3층 민원실로 오세요."]
    unembedded[2].refresh_from_db()
    assert vectors.entry_vector_state(unembedded[2]) == {"ko": "ok"}


def test_kb_embed_without_a_model_says_so(unembedded):
    with pytest.raises(CommandError, match="Semantic search is off"):
        command("kb_embed")
    assert FAQVector.objects.count() == 0


def test_import_embeds_what_it_created(reference_data, tmp_path, counting):
    output = command("import_faq", str(csv_file(tmp_path, ROWS)))
    assert "created 3" in output
    assert "Vectors: embedded 4, unchanged 0" in output  # three Korean texts and one English
    stored = set(FAQVector.objects.values_list("entry__external_id", "language"))
    assert stored == {("e-1", "ko"), ("e-1", "en"), ("e-2", "ko"), ("e-3", "ko")}
    # in one pass after the import, not one model call per saved entry
    assert counting.calls == 1


def test_reimport_embeds_only_the_changed_row(reference_data, tmp_path, counting):
    command("import_faq", str(csv_file(tmp_path, ROWS)))
    counting.passages.clear()
    unchanged = command("import_faq", str(csv_file(tmp_path, ROWS)))
    assert "unchanged 3" in unchanged and "Vectors:" not in unchanged
    assert counting.passages == []
    changed = [*ROWS[:2], "e-3,transit,분실물 찾기,지하철은 유실물센터에 문의합니다.,,,,"]
    output = command("import_faq", str(csv_file(tmp_path, changed, "v2.csv")))
    assert "updated 1, unchanged 2" in output and "Vectors: embedded 1, unchanged 0" in output
    assert counting.passages == ["분실물 찾기\n지하철은 유실물센터에 문의합니다."]


def test_import_no_embed_leaves_the_vectors_to_kb_embed(reference_data, tmp_path, counting):
    output = command("import_faq", str(csv_file(tmp_path, ROWS)), "--no-embed")
    assert "Vectors:" not in output and FAQVector.objects.count() == 0
    assert [hit.entry.external_id for hit in faq_search(query="누수").hits] == ["e-2"]  # words find it now
    assert "embedded 4" in command("kb_embed")


def test_import_without_a_model_imports_and_says_so(reference_data, tmp_path):
    output = command("import_faq", str(csv_file(tmp_path, ROWS)))
    assert "Imported." in output and "Semantic search is off" in output
    assert FAQEntry.objects.count() == 3 and FAQVector.objects.count() == 0
    assert [hit.entry.external_id for hit in faq_search(query="분실물").hits] == ["e-3"]
