"""The team's glossary: a caller's English, Chinese or Japanese words carried into Korean by the
synonym groups, so words find a Korean-only entry. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from knowledgebase.glossary import read_glossary, shipped_glossary
from knowledgebase.importing import ImportFormatError
from knowledgebase.models import Synonym
from knowledgebase.search import faq_search
from knowledgebase.search.text import bridge_map, bridge_terms, bridged_query, variant_surface
from knowledgebase.services import synonyms_add
from knowledgebase.tests.factories import make_synonym

HEADER = "ko\ten\tzh\tja\n"
GROUPS = [
    ["여권", "passport", "护照", "護照", "パスポート", "旅券"],
    ["수도요금", "water bill", "水费", "水道料金"],
    ["수도", "water", "water supply", "自来水", "水道"],
    ["분실물", "lost property", "lost and found", "失物", "遗失物", "忘れ物", "落とし物"],
    ["버스", "bus", "公交车", "公共汽车", "バス"],
]


def carried(query: str) -> list[list[str]]:
    return bridge_terms(query, bridge_map(GROUPS))


# --- the bridge ----------------------------------------------------------------
def test_english_words_are_carried_into_korean_longest_term_first():
    assert carried("How do I pay my water bill?") == [["수도요금"]]  # not 수도 for "water"
    assert carried("no water in the kitchen") == [["수도"]]
    assert carried("I lost my passports") == [["여권"]]  # stemmed
    assert carried("I left my bag on the bus, is there a lost and found?") == [["버스"], ["분실물"]]


def test_chinese_and_japanese_terms_are_found_inside_a_sentence_without_spaces():
    assert carried("我的护照丢了怎么办") == [["여권"]]
    assert carried("在公交车上丢了东西，失物在哪里领") == [["버스"], ["분실물"]]
    assert carried("パスポートをなくしました") == [["여권"]]
    assert carried("バスに忘れ物をしました") == [["버스"], ["분실물"]]


def test_the_korean_terms_of_one_foreign_word_are_alternatives_of_one_query_word():
    groups = [["공사", "construction"], ["건설", "construction"], ["소음", "noise"]]
    assert bridge_terms("construction noise at night", bridge_map(groups)) == [["공사", "건설"], ["소음"]]
    parsed = bridged_query("construction noise", bridge_map(groups))
    assert [word.variants for word in parsed.words] == [[["공사"], ["건설"]], [["소음"]]]


def test_a_foreign_word_with_many_korean_terms_searches_the_first_ones_of_the_glossary():
    groups = [[korean, "notice"] for korean in ["공고", "공지", "고지서", "통지", "안내문"]]
    parsed = bridged_query("notice", bridge_map(groups))
    assert [variant_surface(v) for v in parsed.words[0].variants] == ["공고", "공지", "고지서"]


def test_korean_and_unknown_words_carry_nothing():
    assert carried("여권 재발급") == []
    assert carried("asdfgh qwerty") == []
    assert carried("") == []


# --- search ----------------------------------------------------------------------
@pytest.mark.django_db
def test_a_foreign_question_finds_the_korean_only_entry_by_words(entry):
    passport = entry(question_ko="여권 재발급 신청은 어디서 하나요", answer_ko="구청 여권과에서 신청합니다.")
    entry(question_ko="주민등록증 재발급", answer_ko="주민센터에서 신청합니다.")
    for query, language in [("I lost my passport", "en"), ("护照丢了怎么办", "zh"), ("パスポートを失くしました", "ja")]:
        assert passport.pk not in [
            hit.entry.pk for hit in faq_search(query=query, language=language, mode="lexical").hits
        ]
    synonyms_add(groups=[", ".join(GROUPS[0])], kind=Synonym.Kind.GLOSSARY)
    for query, language in [("I lost my passport", "en"), ("护照丢了怎么办", "zh"), ("パスポートを失くしました", "ja")]:
        hit = faq_search(query=query, language=language, mode="lexical").hits[0]
        assert hit.entry.pk == passport.pk, query
        assert hit.fallback is True  # shown in Korean, with the fallback badge
        assert hit.match == "lexical"
        assert "<mark>여권</mark>" in hit.answer_excerpt  # the agent sees which Korean word matched


@pytest.mark.django_db
def test_the_glossary_order_decides_which_korean_terms_are_searched(entry):
    """The first groups added (the glossary's most frequent terms) come first, not the alphabet's."""
    first = entry(question_ko="통지서 받는 곳", answer_ko="주소지로 갑니다.")
    fourth = entry(question_ko="고지서 재발급", answer_ko="구청에서 합니다.")
    synonyms_add(
        groups=["통지, notice", "안내문, notice", "공지, notice", "고지서, notice"], kind=Synonym.Kind.GLOSSARY
    )
    found = [hit.entry.pk for hit in faq_search(query="notice", language="en", mode="lexical").hits]
    assert first.pk in found
    assert fourth.pk not in found


@pytest.mark.django_db
def test_a_glossary_group_carries_foreign_words_one_way_only(entry):
    """A Korean query is not widened by a glossary group's foreign words; a synonym group widens both ways."""
    entry(question_ko="여권 재발급 신청", answer_ko="구청 여권과에서 신청합니다.")
    synonyms_add(groups=[", ".join(GROUPS[0])], kind=Synonym.Kind.GLOSSARY)
    assert faq_search(query="여권", mode="lexical").query.words[0].variants == [["여권"]]
    assert faq_search(query="passport", mode="lexical").hits  # carried into Korean
    make_synonym("여권, passport")
    assert ["passport"] in faq_search(query="여권", mode="lexical").query.words[0].variants


# --- the file and its import -----------------------------------------------------
def test_read_glossary_makes_one_group_a_line():
    text = HEADER + "여권\tpassport\t护照;護照\tパスポート;旅券\n\n쓰레기\tgarbage;trash\t\tゴミ\n"
    assert read_glossary(io.StringIO(text)) == [
        "여권, passport, 护照, 護照, パスポート, 旅券",
        "쓰레기, garbage, trash, ゴミ",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ko\ten\n여권\tpassport\n", "Line 1: the header"),
        (HEADER + "여권\tpassport\t护照\n", "Line 2: 3 columns"),
        (HEADER + "여권\tpassport\t护照\tパスポート\npassport\tpassport\t\t\n", "Line 3: the first column"),
        (HEADER + "여권\t\t\t\n", "Line 2: no English"),
        (HEADER + "여권\tpassport, id\t\t\n", "Line 2: a term holds"),
        (HEADER + "여권\t" + "p" * 300 + "\t\t\n", "Line 2: longer than 300"),
    ],
)
def test_a_bad_line_is_named(text, message):
    with translation.override("en"), pytest.raises(ImportFormatError, match=message):
        read_glossary(io.StringIO(text))


def test_a_bad_line_is_named_in_korean_for_a_korean_admin():
    with translation.override("ko"), pytest.raises(ImportFormatError, match=r"2행: 열이 4개가 아니라 3개입니다\."):
        read_glossary(io.StringIO(HEADER + "여권\tpassport\t护照\n"))


def test_the_shipped_glossary_reads_without_a_bad_line():
    groups = shipped_glossary()
    assert len(groups) > 500
    assert "수돗물, tap water" in [group[: len("수돗물, tap water")] for group in groups]


@pytest.mark.django_db
def test_import_glossary_adds_each_group_once(tmp_path, capsys):
    path = tmp_path / "glossary.tsv"
    path.write_text(HEADER + "여권\tpassport\t护照\tパスポート\n버스\tbus\t公交车\tバス\n", encoding="utf-8")
    call_command("import_glossary", str(path))
    assert "Added 2 synonym groups; 0 were there already." in capsys.readouterr().out
    call_command("import_glossary", str(path))
    assert "Added 0 synonym groups; 2 were there already." in capsys.readouterr().out
    assert set(Synonym.objects.values_list("kind", flat=True)) == {Synonym.Kind.GLOSSARY}
    assert Synonym.objects.count() == 2


@pytest.mark.django_db
def test_import_glossary_with_a_bad_line_adds_nothing(tmp_path):
    path = tmp_path / "glossary.tsv"
    path.write_text(HEADER + "여권\tpassport\t护照\tパスポート\n버스\tbus\n", encoding="utf-8")
    with (
        translation.override("en"),
        pytest.raises(CommandError, match=r"Line 3: 2 columns, not 4\. Nothing was added\."),
    ):
        call_command("import_glossary", str(path))
    assert not Synonym.objects.exists()
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_glossary", str(tmp_path / "missing.tsv"))
    path.write_bytes(HEADER.encode() + "여권\tpassport\t\t\n".encode("cp949"))
    with pytest.raises(CommandError, match=r"not UTF-8 text .* Nothing was added\."):
        call_command("import_glossary", str(path))
    assert not Synonym.objects.exists()
