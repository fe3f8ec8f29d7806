"""import_faq / export_faq: good and bad files, upsert, all or nothing, round trip, the shared corpus."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from knowledgebase.models import Category, FAQEntry
from knowledgebase.search import faq_search

pytestmark = pytest.mark.django_db

HEADER = "external_id,category,question_ko,answer_ko,question_en,answer_en,keywords,status\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_faq", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_good_csv_imports_and_is_searchable(reference_data, tmp_path):
    path = write(
        tmp_path,
        "faq.csv",
        HEADER
        + 'a-1,water,수돗물 수질검사,"무료로 검사합니다.\n두 줄",Tap water test,Free test.,"녹물, 아리수",\n'
        + "a-2,새 분류,하이서울페스티벌,봄에 열립니다.,,,,draft\n",
    )
    output = run(path)
    assert "created 2, updated 0, unchanged 0, rejected 0" in output
    first = FAQEntry.objects.get(external_id="a-1")
    assert first.answer_ko == "무료로 검사합니다.\n두 줄"
    assert first.status == "published"  # the default
    assert first.keywords == "녹물, 아리수"
    assert (first.question_en, first.answer_en) == ("Tap water test", "Free test.")
    second = FAQEntry.objects.get(external_id="a-2")
    assert second.status == "draft"
    assert second.category.name_ko == "새 분류"  # an unknown category is created by name
    assert "new category: 새 분류" in output
    assert [hit.entry.pk for hit in faq_search(query="수돗물이", limit=3).hits] == [first.pk]


def test_reimport_reports_updated_and_unchanged(reference_data, tmp_path):
    run(write(tmp_path, "v1.csv", HEADER + "a-1,water,누수,답 1,,,,\na-2,water,전세,답 2,,,,\n"))
    output = run(
        write(tmp_path, "v2.csv", HEADER + "a-1,water,누수,답 1,,,,\na-2,water,전세,새 답,,,,\nn-3,water,무,답,,,,\n")
    )
    assert "created 1, updated 1, unchanged 1, rejected 0" in output
    assert FAQEntry.objects.get(external_id="a-2").answer_ko == "새 답"
    assert FAQEntry.objects.count() == 3


def test_jsonl_imports(reference_data, tmp_path):
    lines = [
        {
            "external_id": "j-1",
            "category": "transit",
            "question_ko": "지하철 분실물",
            "answer_ko": "유실물센터",
            "keywords": ["분실물", "유실물"],
        },
        {"question_ko": "외부 id 없는 항목", "answer_ko": "답"},
    ]
    path = write(tmp_path, "faq.jsonl", "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    assert "created 2" in run(path)
    assert FAQEntry.objects.get(external_id="j-1").keywords == "분실물, 유실물"


BAD_CSV = (
    HEADER
    + "b-1,water,좋은 행,답,,,,\n"  # line 2
    + "b-2,water,,질문이 없음,,,,\n"  # line 3
    + "b-3,water,상태가 이상함,답,,,,maybe\n"  # line 4
    + "b-1,water,반복된 id,답,,,,\n"  # line 5
    + "b-5,water,영어 질문만,답,Question only,,,\n"  # line 6
    + "b-6,water,좋은 행 둘,답,,,,\n"  # line 7
)


def test_a_bad_file_imports_nothing_and_names_each_bad_line(reference_data, tmp_path):
    path = write(tmp_path, "bad.csv", BAD_CSV)
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing imported: 4 rows"):
        call_command("import_faq", str(path), stdout=out)
    output = out.getvalue()
    assert "line 3: rejected: question_ko is empty" in output
    assert "line 4: rejected: unknown status" in output
    assert "line 5: rejected: external_id b-1 repeats line 2" in output
    assert "line 6: rejected: answer_en" in output
    assert FAQEntry.objects.count() == 0


def test_skip_invalid_imports_the_valid_rows(reference_data, tmp_path):
    output = run(write(tmp_path, "bad.csv", BAD_CSV), "--skip-invalid")
    assert "created 2, updated 0, unchanged 0, rejected 4" in output
    assert set(FAQEntry.objects.values_list("external_id", flat=True)) == {"b-1", "b-6"}


def test_multiline_records_report_their_first_line(reference_data, tmp_path):
    text = HEADER + 'm-1,water,여러 줄,"한 줄\n두 줄\n세 줄",,,,\nm-2,water,,"빈 질문",,,,\n'
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_faq", str(write(tmp_path, "multi.csv", text)), stdout=out)
    assert "line 5: rejected: question_ko is empty" in out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("nohead.csv", "foo,bar\n1,2\n", "lacks the columns"),
        ("extra.csv", "question_ko,answer_ko,colour\n질문,답,red\n", "Unknown columns: colour"),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused(reference_data, tmp_path, name, content, message):
    with pytest.raises(CommandError, match=message):
        run(write(tmp_path, name, content))


def test_broken_jsonl_and_non_utf8(reference_data, tmp_path):
    out = io.StringIO()
    path = write(tmp_path, "broken.jsonl", '{"question_ko": "질문", "answer_ko": "답"}\n{not json\n[1, 2]\n')
    with pytest.raises(CommandError):
        call_command("import_faq", str(path), stdout=out)
    assert "line 2: rejected: not valid JSON" in out.getvalue()
    assert "line 3: rejected: not a JSON object" in out.getvalue()
    latin = tmp_path / "latin.csv"
    latin.write_bytes("question_ko,answer_ko\n질문,답\n".encode("euc-kr"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run(latin)
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "missing.csv")


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_export_then_import_is_lossless(entry, tmp_path, suffix):
    entry(
        external_id="r-1",
        question_ko='따옴표 "와, 쉼표',
        answer_ko="여러 줄\n둘째 줄 😀",
        question_en="Q",
        answer_en="A",
        question_zh="问题",
        answer_zh="答案",
        question_ja="質問",
        answer_ja="回答",
        keywords="가, 나",
        status="draft",
        valid_from="2026-11-01",
        valid_to="2026-12-31",
        review_by="2027-01-31",
        category=Category.objects.get(slug="produce"),
    )
    entry(question_ko="외부 id 없음", answer_ko="답")
    first = tmp_path / f"first.{suffix}"
    call_command("export_faq", str(first), stdout=io.StringIO())
    # Import into an empty knowledge base, export again: the same file.
    FAQEntry.objects.all().delete()
    run(first)
    second = tmp_path / f"second.{suffix}"
    call_command("export_faq", str(second), stdout=io.StringIO())
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
    restored = FAQEntry.objects.get(external_id="r-1")
    assert restored.answer_ko == "여러 줄\n둘째 줄 😀"
    assert str(restored.valid_to) == "2026-12-31"
    assert restored.category.slug == "produce"


def test_the_shared_corpus_imports_as_is(reference_data, shared_data):
    output = run(shared_data / "ds120_faq.csv")
    assert "created 2199, updated 0, unchanged 0, rejected 0" in output
    assert FAQEntry.objects.count() == 2199
    with open(shared_data / "ds120_faq.csv", encoding="utf-8") as stream:
        empty = sum(1 for row in csv.DictReader(stream) if not row["answer_ko"].strip())
    # The portal has questions without an answer: kept as drafts, not published.
    assert FAQEntry.objects.filter(status="draft").count() == empty
    assert "unchanged 2199" in run(shared_data / "ds120_faq.csv")
    hits = faq_search(query="수돗물 수질검사", limit=5).hits
    assert any("수질검사" in hit.question for hit in hits)
