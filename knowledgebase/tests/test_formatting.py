"""Readable answers: the corpus's markers become lines and lists; nothing from the data is trusted as HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from knowledgebase.formatting import answer_blocks, answer_html, answer_text

# Shaped like the shared corpus (ds120_faq.csv): line breaks lost to runs of (non-breaking) spaces.
CORE_FAQ = (
    "ㅁ 문의 \xa0- 요즘 같이 경기가 어려울 땐 한 푼이라도 절약하는 생활이 중요할 것 같아요."
    "         "
    "\xa0\xa0\xa0\xa0 자동차세 선납하면 할인이 된다고 들었는데\xa0어떤 내용인지 알려주세요. \xa0 ㅁ\xa0답변 \xa0- "
    "연초에 자동차세를 한꺼번에 납부하면 10%를 감면 받으실 수 있습니다. 1월에 선납 기회를 놓치셔도 \xa0\xa0\xa0 "
    "3.6.9월에 납부하시면 12월까지 남은 기간에 대해서 10% 공제 혜택이 진행됩니다. \xa0 \xa0\xa0\xa0\xa0납부방법은 "
    "관할구청, 또는 은행에서 가능하며, 서울시 E-TAX 시스템 \xa0\xa0\xa0 (http://etax.seoul.go.kr) "
    "을 이용하셔도 됩니다. "
    "\xa0 \xa0 \xa0 ※ 자치구별 상이, 자세한 사항은 120으로 문의 바랍니다."
)
SECTIONS = (
    "업무개요\xa0망원한강공원에 해군 퇴역함정을 활용한 서울함 공원 조성\u3000업무내용\xa0\xa0\xa0▣\xa0서울함 공원 개요"
    "\xa0(2017.11.22 개장)\xa0\u3000관람시간\xa0○ 관람시간\xa0\xa0 ※ 휴관 : 매주 월요일\u3000관람비용\xa0○ 입장료"
    "\xa0\xa0\xa0○ 입장료 감면\xa0\xa0\xa0- 만\xa06세\xa0미만 어린이 : 무료\xa0\xa0-\xa0국가유공자, 장애인 : 50% 감면"
    "\u3000기타사항\xa0▣ 서울함 공원\xa002-332-7500\xa0\xa0"
    "▣\xa0서울함 공원 홈페이지\xa0:\xa0www.seoulbattleshippark.com"
)
NUMBERED = (
    "▣\xa0녹지광장의\xa0주요\xa0디자인\xa0컨셉\xa0\xa0\xa0 \xa01.\xa0시간의\xa0흔적남기기 \xa0\xa0\xa0 "
    "-\xa0광장 포장 재활용 2.\xa0녹지축\xa0조성의지\xa0표현 \xa01) 첫째 \xa02) 둘째"
)


def kinds(text):
    return [(block.kind, block.text) for block in answer_blocks(text)]


def test_question_and_answer_markers_become_headings_with_their_text_as_lines():
    blocks = answer_blocks(CORE_FAQ)
    assert [b.kind for b in blocks] == ["heading", "list", "heading", "list", "note"]
    assert [blocks[0].text, blocks[2].text] == ["문의", "답변"]
    asked = blocks[1].items[0].text.split("\n")
    # the sentence break becomes a line; the line the old system wrapped is joined again
    assert asked == ["요즘 같이 경기가 어려울 땐 한 푼이라도 절약하는 생활이 중요할 것 같아요.",
                     "자동차세 선납하면 할인이 된다고 들었는데 어떤 내용인지 알려주세요."]  # fmt: skip
    answered = blocks[3].items[0].text
    assert "놓치셔도 3.6.9월에 납부하시면" in answered  # a date-like 3. is no list item
    assert blocks[4].text == "자치구별 상이, 자세한 사항은 120으로 문의 바랍니다."


def test_template_sections_bullets_and_sub_items():
    blocks = answer_blocks(SECTIONS)
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert headings[:3] == ["업무개요", "업무내용", "서울함 공원 개요 (2017.11.22 개장)"]
    assert "기타사항" in headings
    lists = [b for b in blocks if b.kind == "list"]
    fees = next(lst for lst in lists if any(item.text == "입장료 감면" for item in lst.items))
    discount = next(item for item in fees.items if item.text == "입장료 감면")
    assert [sub.text for sub in discount.items] == ["만 6세 미만 어린이 : 무료", "국가유공자, 장애인 : 50% 감면"]
    assert ("note", "휴관 : 매주 월요일") in kinds(SECTIONS)


def test_numbered_items_keep_their_numbers_and_split_where_the_breaks_were_lost():
    blocks = answer_blocks(NUMBERED)
    assert blocks[0] == answer_blocks("▣ 녹지광장의 주요 디자인 컨셉")[0]
    items = blocks[1].items
    assert [(item.marker, item.text) for item in items] == [
        ("1.", "시간의 흔적남기기"),
        ("2.", "녹지축 조성의지 표현"),
        ("1)", "첫째"),
        ("2)", "둘째"),
    ]
    assert [sub.text for sub in items[0].items] == ["광장 포장 재활용"]


def test_clean_text_has_the_structure_as_lines_and_no_layout_junk():
    text = answer_text(SECTIONS)
    assert "\xa0" not in text and "\u3000" not in text and "  -" not in text.replace("   - ", "")
    lines = text.split("\n")
    assert "■ 업무개요" in lines
    assert "• 입장료 감면" in lines
    assert "   - 만 6세 미만 어린이 : 무료" in lines
    assert "※ 휴관 : 매주 월요일" in lines


def test_a_plain_answer_stays_as_written():
    assert answer_text("120 또는 수도사업소에 전화로 신청하세요.") == "120 또는 수도사업소에 전화로 신청하세요."
    assert answer_html("120 또는 수도사업소에 전화로 신청하세요.") == "<p>120 또는 수도사업소에 전화로 신청하세요.</p>"
    assert answer_text("") == "" and answer_html("") == ""


@pytest.mark.parametrize(
    ("written", "href"),
    [
        ("02-332-7500", "tel:023327500"),
        ("02)702-4244", "tel:027024244"),
        ("(02) 3422-5921", "tel:0234225921"),
        ("010-1234-5678", "tel:01012345678"),
        ("1588-1500", "tel:15881500"),
        ("02.760.4790", "tel:027604790"),
    ],
)
def test_phone_numbers_become_tel_links(written, href):
    html = answer_html(f"문의는 {written} 으로 하세요.")
    assert f'<a href="{href}" class="kb-tel">{written}</a>' in html


def test_numbers_that_are_no_phone_numbers_stay_text():
    html = answer_html("계좌 1005-401-185175, 2019-07-01, 5,000원, 120으로 문의")
    assert "<a" not in html


def test_urls_become_links_that_open_apart_and_keep_korean_and_brackets_out():
    html = answer_html("법무행정서비스(http://legal.seoul.go.kr)→ 법률상담, 홈페이지 : www.seoul.go.kr에서 확인.")
    opens_apart = 'target="_blank" rel="noopener noreferrer"'
    assert f'<a href="http://legal.seoul.go.kr" {opens_apart}>http://legal.seoul.go.kr</a>)→' in html
    assert f'<a href="https://www.seoul.go.kr" {opens_apart}>www.seoul.go.kr</a>에서' in html


class _Collector(HTMLParser):
    """The tags, attributes and text a browser would build from the HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">클릭</a>',
    'http://evil.example/"onmouseover="alert(1)',
    "http://evil.example/'><script>alert(1)</script>",
    "www.evil.example/<svg/onload=alert(1)>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '02-123-4567"><script>alert(1)</script>',
    "▣ <b onclick=alert(1)>제목</b> ○ <iframe src=//evil>",
    "<신청방법> &lt;script&gt; &amp; ※ <style>body{display:none}</style>",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_shown_as_text_never_as_markup(hostile):
    html = answer_html(f"안내 {hostile} 끝")
    parsed = parse(html)
    allowed = {"h4", "p", "ul", "li", "a", "span", "br"}
    assert {tag for tag, _ in parsed.tags} <= allowed
    for tag, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert set(attrs) <= {"href", "target", "rel", "class"}
        if tag == "a":
            assert re.match(r"^(tel:\d+|https?://[^\s\"'<>]+)$", attrs["href"]), attrs["href"]
    # every character of the data is still there, as text
    shown = "".join(parsed.text).replace(" ", "")
    for piece in re.findall(r"[A-Za-z0-9가-힣]+", hostile):
        assert piece in shown


def test_a_javascript_url_is_never_a_link():
    html = answer_html("javascript:alert(document.cookie) 또는 JAVASCRIPT://www.x.com")
    assert 'href="javascript' not in html.lower()
    for _, attrs in parse(html).tags:
        assert not attrs.get("href", "").lower().startswith("javascript")


def test_the_clean_text_carries_hostile_text_as_written_for_the_clipboard():
    text = answer_text('○ <script>alert("x")</script> 02-123-4567')
    assert text == '• <script>alert("x")</script> 02-123-4567'
