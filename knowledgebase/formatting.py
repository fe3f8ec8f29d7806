"""Readable answers: the structure of an imported answer as lines and lists, rendered safely.

The shared corpus (ds120_faq.csv) lost its layout on the way out of its old system: line
breaks became runs of (non-breaking) spaces, table cells are glued with ideographic spaces,
and the structure survives only in markers: ▣ / □ / ㅁ section heads, ○ and - items,
① / 1) / 1. numbered items, ※ notes, <신청방법> headings, and the template's section names
(업무개요, 업무내용, 기타사항, ...). `answer_blocks` turns a text into blocks (headings,
paragraphs, notes, lists with one level of nesting), `answer_text` into clean text with the
structure as lines (what the API's `answer` carries and the copy button copies), and
`answer_html` into HTML for the console.

No HTML from the data is trusted: every piece of text is escaped before any markup is put
around it, and the only links made are `tel:` links from digits and `http(s)://` links from
URL-shaped text (never a scheme the data names), with `rel="noopener noreferrer"`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from django.utils.html import escape

__all__ = ["Block", "answer_blocks", "answer_html", "answer_text"]

HEADING_MARKERS = "▣□ㅁ■◆◇"
BULLET_MARKERS = "○●◎•◦▪▶▷►☞"
SUB_MARKERS = "-·"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
NOTE_MARKER = "※"
# The section names of the corpus's answer template: a line of its own where they stand first.
SECTION_NAMES = (
    "업무개요",
    "업무내용",
    "기타사항",
    "관련근거",
    "관련법령",
    "신청방법",
    "담당부서",
    "문의처",
    "구비서류",
    "유의사항",
    "처리절차",
)

_SPACE = r"[ \t\xa0]"
# Where an item or heading starts inside a line whose breaks were lost: a marker after a space.
_MARKER_START = re.compile(
    rf"(?<=\S){_SPACE}+(?=[{HEADING_MARKERS}{BULLET_MARKERS}{CIRCLED}{NOTE_MARKER}])"
    rf"|(?<=\S){_SPACE}+(?=[{SUB_MARKERS}]{_SPACE})"
    # 1) 2) (1) after two spaces or the end of a sentence; 1. only then and not inside a date (2019. 7. 1.)
    rf"|(?:(?<=[.?!:)다요]){_SPACE}+|{_SPACE}{{2,}})(?=\(?\d{{1,2}}\){_SPACE})"
    rf"|(?:(?<=[?!:다요]){_SPACE}+|(?<=[^\d\s]\.){_SPACE}+|{_SPACE}{{2,}})(?=\d{{1,2}}\.{_SPACE}+\D)"
    # <신청방법> or a section name that opens a line
    rf"|{_SPACE}{{2,}}(?=<[^<>\n]{{1,30}}>)"
    rf"|(?<=\S){_SPACE}*(?=(?:{'|'.join(SECTION_NAMES)})(?:{_SPACE}|$))"
)
_SECTION_FIRST = re.compile(rf"^({'|'.join(SECTION_NAMES)}) (.+)$")
# A run of spaces after the end of a sentence was a line break; elsewhere a wrapped line.
_SENTENCE_BREAK = re.compile(rf"(?<=[.?!다요]){_SPACE}{{2,}}(?=\S)")
# ... and so was one after a phone number (a list of numbers: 신한은행   1599-8000   우리은행 ...).
_AFTER_NUMBER_BREAK = re.compile(rf"(?<=\d{{4}}){_SPACE}{{2,}}(?=\D)")
_SPACES = re.compile(rf"{_SPACE}+")
# A heading marker before a whole sentence or more marks a paragraph, not a heading.
HEADING_MAX = 60

_NUMBERED = re.compile(rf"^(\(?\d{{1,2}}[.)]|[{CIRCLED}])(?={_SPACE}|\S)")
_ANGLE_HEADING = re.compile(r"^<\s*([^<>]{1,30}?)\s*>$")

# Phone numbers as the corpus writes them: 02-123-4567, 02)702-4244, (02) 3422-5921, 02.760.4790,
# 010-1234-5678, 1588-1500. Not inside a longer run of digits.
_PHONE = r"(?<![\d-])(?:\(?0\d{1,2}\)?[-.)\s]?\s?\d{3,4}[-.]\d{4}|1[5-9]\d{2}-\d{4})(?![\d-])"
# URLs: http(s):// or www., ASCII URL characters only (Hangul, quotes, <, >, brackets end them).
_URL = r"(?:https?://|(?<![\w./@-])www\.)[A-Za-z0-9\-._~:/?#@!$&*+,;=%]+"
_INLINE = re.compile(rf"(?P<url>{_URL})|(?P<phone>{_PHONE})", re.IGNORECASE)
_URL_TRAILING = ".,;:!?"


@dataclass
class Block:
    """One block of an answer: `heading`, `paragraph`, `note` (※) or `list` (items: blocks of kind `item`)."""

    kind: str
    text: str = ""  # an item's text may hold line breaks (its sentences, as the source had them)
    marker: str = ""  # a numbered item's own number ("1)", "②"), kept as written
    items: list[Block] = field(default_factory=list)


_NUMBER_AT_START = re.compile(rf"^(\d{{1,2}})\.{_SPACE}")
_NUMBER_INSIDE = re.compile(rf"{_SPACE}(\d{{1,2}})\.(?={_SPACE}+\D)")


def _renumber_breaks(line: str, last_number: list[int]) -> str:
    """Split before "N. " after a single space when the item before it, in order, was N-1 (활용 2. 종묘에서)."""
    out = []
    for segment in line.split("\n"):
        start = _NUMBER_AT_START.match(segment)
        if start:
            last_number[:] = [int(start.group(1))]
        pieces, position = [], 0
        for match in _NUMBER_INSIDE.finditer(segment):
            number = int(match.group(1))
            if last_number and number == last_number[0] + 1:
                last_number[0] = number
                pieces.append(segment[position : match.start()])
                position = match.start() + 1  # the number starts the next line
        pieces.append(segment[position:])
        out.append("\n".join(pieces))
    return "\n".join(out)


def _lines(text: str) -> list[tuple[str, bool]]:
    """The answer's lines, each with whether it starts a line of the source flush left (not a wrapped
    or indented continuation): such a line ends a list."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", "\n")
    lines = []
    last_number: list[int] = []
    for raw in text.split("\n"):
        flush = bool(raw) and not raw[0].isspace()
        raw = _MARKER_START.sub("\n", raw)
        raw = _SENTENCE_BREAK.sub("\n", raw)
        raw = _AFTER_NUMBER_BREAK.sub("\n", raw)
        raw = _renumber_breaks(raw, last_number)
        for index, line in enumerate(raw.split("\n")):
            line = _SPACES.sub(" ", line).strip()
            section = _SECTION_FIRST.match(line)
            if section:  # 업무개요 망원한강공원에 ...: the section name is a line of its own
                lines.append((section.group(1), flush and index == 0))
                line = section.group(2)
            if line:
                lines.append((line, flush and index == 0 and not section))
    return lines


def _strip_marker(line: str, markers: str) -> str:
    return line[1:].strip() if line[:1] in markers else line


def answer_blocks(text: str) -> list[Block]:
    """The answer's structure: headings, paragraphs, notes, and lists (a - item nests under a ○ item)."""
    blocks: list[Block] = []
    current_list: Block | None = None

    def add_item(item: Block, sub: bool) -> None:
        nonlocal current_list
        if current_list is None:
            current_list = Block("list")
            blocks.append(current_list)
        if sub and current_list.items and current_list.items[-1].marker != "-":
            current_list.items[-1].items.append(item)
        else:
            current_list.items.append(item)

    for line, flush in _lines(text or ""):
        first = line[0]
        angle = _ANGLE_HEADING.match(line)
        numbered = _NUMBERED.match(line)
        if first in HEADING_MARKERS:
            heading = _strip_marker(line, HEADING_MARKERS)
            if heading:
                blocks.append(Block("heading" if len(heading) <= HEADING_MAX else "paragraph", heading))
                current_list = None
        elif angle or line in SECTION_NAMES:
            blocks.append(Block("heading", angle.group(1) if angle else line))
            current_list = None
        elif first == NOTE_MARKER:
            note = _strip_marker(line, NOTE_MARKER)
            if note:
                blocks.append(Block("note", note))
                current_list = None
        elif first in BULLET_MARKERS:
            add_item(Block("item", _strip_marker(line, BULLET_MARKERS)), sub=False)
        elif first in SUB_MARKERS and (len(line) == 1 or line[1] == " "):
            text_of = _strip_marker(line, SUB_MARKERS)
            if text_of:
                add_item(Block("item", text_of, marker="-"), sub=True)
        elif numbered:
            marker = numbered.group(1)
            add_item(Block("item", line[len(marker) :].strip(), marker=marker), sub=False)
        elif current_list is not None and current_list.items and not flush:
            # A line that continues the last item (its text was wrapped).
            last = current_list.items[-1]
            target = last.items[-1] if last.items else last
            target.text = f"{target.text}\n{line}"
        else:
            blocks.append(Block("paragraph", line))
            current_list = None
    return blocks


# --- clean text -----------------------------------------------------------------------------


def answer_text(text: str) -> str:
    """The answer as clean text with its structure as lines: what the API's `answer` carries and agents copy."""
    out: list[str] = []
    for block in answer_blocks(text):
        if block.kind == "heading":
            if out:
                out.append("")
            out.append(f"■ {block.text}")
        elif block.kind == "note":
            out.append(f"※ {block.text}")
        elif block.kind == "paragraph":
            out.append(block.text)
        else:
            for item in block.items:
                out.append(f"{item.marker or '•'} " + item.text.replace("\n", "\n  "))
                out.extend("   - " + sub.text.replace("\n", "\n     ") for sub in item.items)
    return "\n".join(out)


# --- safe HTML --------------------------------------------------------------------------------


def _link_url(raw: str) -> tuple[str, str]:
    """(href, the rest) of a matched URL: trailing punctuation goes back to the text."""
    url = raw.rstrip(_URL_TRAILING)
    href = url if url.lower().startswith(("http://", "https://")) else f"https://{url}"
    return href, raw[len(url) :]


def inline_html(text: str) -> str:
    """Escaped text with phone numbers as tel: links and URLs as links. Only escaped text goes out."""
    parts: list[str] = []
    position = 0
    for match in _INLINE.finditer(text):
        parts.append(escape(text[position : match.start()]))
        raw = match.group(0)
        if match.group("url"):
            href, rest = _link_url(raw)
            shown = raw[: len(raw) - len(rest)]
            parts.append(
                f'<a href="{escape(quote(href, safe=":/?#[]@!$&*+,;=%-._~"))}" target="_blank"'
                f' rel="noopener noreferrer">{escape(shown)}</a>{escape(rest)}'
            )
        else:
            digits = re.sub(r"\D", "", raw)
            parts.append(f'<a href="tel:{digits}" class="kb-tel">{escape(raw)}</a>')
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts).replace("\n", "<br>")


def _item_html(item: Block) -> str:
    marker = f'<span class="kb-num">{escape(item.marker)}</span> ' if item.marker not in ("", "-") else ""
    sub = ""
    if item.items:
        sub = '<ul class="kb-sub">' + "".join(f"<li>{inline_html(s.text)}</li>" for s in item.items) + "</ul>"
    css = ' class="kb-numbered"' if marker else ""
    return f"<li{css}>{marker}{inline_html(item.text)}{sub}</li>"


def answer_html(text: str) -> str:
    """The answer as HTML built from escaped text: <h4>, <p>, <p class="kb-note">, <ul>/<li> and <a> only."""
    html = []
    for block in answer_blocks(text):
        if block.kind == "heading":
            html.append(f'<h4 class="kb-h">{inline_html(block.text)}</h4>')
        elif block.kind == "note":
            html.append(f'<p class="kb-note">※ {inline_html(block.text)}</p>')
        elif block.kind == "paragraph":
            html.append(f"<p>{inline_html(block.text)}</p>")
        else:
            html.append('<ul class="kb-list">' + "".join(_item_html(item) for item in block.items) + "</ul>")
    return "".join(html)
