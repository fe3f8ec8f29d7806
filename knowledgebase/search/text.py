"""The search column and the query pieces, built in Python the same way for both databases.

Why: Korean words are mostly two syllables and sit inside compounds (전세 in
장기전세주택), so character trigrams miss them (shared DOMAIN.md §7). Each run
of Hangul (or Chinese/Japanese) becomes overlapping two-character pieces, a
one-character word stays whole, and a piece spanning two neighbouring words is
added between them so spacing variants (수돗물수질검사 = 수돗물 수질검사) match.
Latin words and numbers stay whole, lower-cased, with light English stemming.
The database only sees these plain pieces: no user text ever reaches the
FTS5 or tsquery syntax, so quotes, `*`, `:`, `AND`, `NEAR` or emoji cannot break it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Hangul syllables, CJK ideographs, kana: "wide" scripts cut into bigrams.
_WIDE = "\uac00-\ud7a3\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff"
_TOKEN = re.compile(rf"[{_WIDE}]+|[a-z0-9]+")
_WIDE_RUN = re.compile(rf"^[{_WIDE}]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# Korean particles and endings a caller adds to a word (수돗물이, 신청하려면).
# Longest first; a query word may lose one of them (the full word is kept too).
KOREAN_ENDINGS = sorted(
    {
        "입니까",
        "인가요",
        "이에요",
        "에서는",
        "으로는",
        "하려면",
        "하려고",
        "되나요",
        "하나요",
        "할려면",
        "했는데",
        "하는데",
        "합니다",
        "있나요",
        "없나요",
        "인데요",
        "이랑",
        "에서",
        "에게",
        "한테",
        "까지",
        "부터",
        "으로",
        "이나",
        "하고",
        "처럼",
        "보다",
        "예요",
        "이요",
        "나요",
        "은요",
        "는요",
        "해요",
        "돼요",
        "되요",
        "려면",
        "인데",
        "는데",
        "하는",
        "에는",
        "이가",
        "께서",
        "마다",
        "이",
        "가",
        "은",
        "는",
        "을",
        "를",
        "의",
        "에",
        "로",
        "와",
        "과",
        "도",
        "만",
        "랑",
        "요",
    },
    key=len,
    reverse=True,
)

# Words that say how someone asks, not what: left out of the required part of a query.
STOPWORDS = {
    # Korean, as callers say it
    "어떻게", "어디", "어디서", "어디에", "언제", "무엇", "뭐", "뭔가요", "뭐예요", "무엇인가요", "알려", "알려주세요",
    "알고", "싶어요", "싶은데", "싶습니다", "궁금", "궁금해요", "궁금합니다", "좀", "요즘", "지금", "혹시", "제가",
    "저", "저는", "우리", "그", "이거", "그거", "있나요", "있어요", "없나요", "되나요", "하나요", "해야", "하면",
    "어떤", "건가요", "거", "것", "수", "및", "등", "또는", "관련", "관해", "대해", "대해서", "문의", "문의드립니다",
    "하려면", "해요", "돼요", "얼마", "얼마예요", "얼마나", "인가요", "입니다", "주세요", "내요", "나요", "다",
    # English
    "a", "an", "the", "is", "are", "was", "do", "does", "did", "i", "me", "my", "we", "you", "your", "to",
    "of", "in", "on", "at", "for", "and", "or", "how", "what", "where", "when", "who", "which", "can", "could",
    "please", "tell", "about", "there", "it", "this", "that", "with", "be", "get", "want", "need", "much",
    "many", "any", "near", "not",
}  # fmt: skip


# Endings of a spoken predicate (나왔어요, 고장났는데, 신청하세요): the word says what happened to the
# thing asked about, rarely the thing itself, so it is optional when the query has other words.
PREDICATE_ENDINGS = (
    "어요",
    "아요",
    "해요",
    "에요",
    "예요",
    "세요",
    "나요",
    "까요",
    "니다",
    "는데",
    "어서",
    "려면",
    "려고",
)


def normalize(text: str) -> str:
    """NFKC, lower case, control characters to spaces."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFKC", text or "")).lower()


def stem(word: str) -> str:
    """Light English stemming (lights -> light, festivals -> festival, applying -> apply)."""
    if not word.isascii() or not word.isalpha() or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        return word[:-1]
    if word.endswith("ing") and len(word) > 5:
        return word[:-3]
    if word.endswith("ed") and len(word) > 4 and not word.endswith("eed"):
        return word[:-2]
    return word


def is_wide(token: str) -> bool:
    return bool(_WIDE_RUN.match(token))


def word_pieces(token: str) -> list[str]:
    """The pieces of one word: overlapping bigrams of a wide run, or the stemmed Latin word."""
    if is_wide(token):
        if len(token) == 1:
            return [token]
        return [token[i : i + 2] for i in range(len(token) - 1)]
    return [stem(token)]


def tokens(text: str) -> list[str]:
    """Words of a text as the search sees them: wide runs and Latin/number runs."""
    return _TOKEN.findall(normalize(text))


def document_pieces(text: str) -> list[str]:
    """The indexed pieces of a text, in order, with a bridge piece between neighbouring wide words."""
    pieces: list[str] = []
    previous = ""
    for token in tokens(text):
        if previous and is_wide(previous) and is_wide(token):
            pieces.append(previous[-1] + token[0])
        pieces.extend(word_pieces(token))
        previous = token
    return pieces


def search_column(*texts: str) -> str:
    """The stored search column of some texts: pieces joined by spaces."""
    return " ".join(piece for text in texts if text for piece in document_pieces(text))


@dataclass
class QueryWord:
    """One word of a query and the piece sequences any of which may match it."""

    text: str
    variants: list[list[str]] = field(default_factory=list)
    optional: bool = False


@dataclass
class ParsedQuery:
    words: list[QueryWord]

    @property
    def required(self) -> list[QueryWord]:
        required = [word for word in self.words if not word.optional]
        return required or self.words

    def surface_terms(self) -> list[str]:
        """Strings to mark in excerpts: each word and its variants' surface forms."""
        terms = []
        for word in self.words:
            for variant in word.variants:
                terms.append(variant_surface(variant))
        return sorted({term for term in terms if term}, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.words)


def variant_surface(pieces: list[str]) -> str:
    """Back from bigram pieces to the text they cover (수돗, 돗물 -> 수돗물)."""
    if not pieces:
        return ""
    if is_wide(pieces[0]):
        return pieces[0] + "".join(piece[-1] for piece in pieces[1:])
    return pieces[0]


def strip_ending(word: str) -> str | None:
    """The word without one particle or ending, if something of at least one syllable is left."""
    if not is_wide(word) or len(word) < 2:
        return None
    for ending in KOREAN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 1:
            return word[: -len(ending)]
    return None


def parse_query(query: str, synonyms: dict[str, list[str]] | None = None) -> ParsedQuery:
    """Query words with their alternatives: the word, the word without a particle, and synonyms.

    `synonyms` maps a normalized term to the other terms of its group.
    """
    synonyms = synonyms or {}
    words: list[QueryWord] = []
    seen: set[str] = set()
    for token in tokens(query)[:32]:
        if token in seen:
            continue
        seen.add(token)
        forms = [token]
        stripped = strip_ending(token)
        if stripped:
            forms.append(stripped)
            again = strip_ending(stripped)
            if again and len(again) >= 2:
                forms.append(again)
        # Synonyms on the whole word or on the front of it (수도세가 -> 수도요금가), in the map's order.
        extra = []
        for form in forms:
            found = [(term, form == term) for term in _fronts(form) if term in synonyms]
            order = {term: position for position, term in enumerate(synonyms)} if len(found) > 1 else {}
            for term, whole in sorted(found, key=lambda item: order.get(item[0], 0)):
                if whole:
                    extra.extend(synonyms[term])
                else:
                    extra.extend(other + form[len(term) :] for other in synonyms[term])
        variants: list[list[str]] = []
        for form in [*forms, *extra]:
            form_tokens = tokens(form)
            pieces = [p for t in form_tokens for p in word_pieces(t)] if len(form_tokens) == 1 else []
            if len(form_tokens) > 1:  # a multi-word synonym (서울 주택도시공사): its pieces in order
                pieces = document_pieces(form)
            if pieces and pieces not in variants:
                variants.append(pieces)
        if variants:
            optional = (
                token in STOPWORDS
                or (stripped in STOPWORDS if stripped else False)
                or (len(token) >= 3 and token.endswith(PREDICATE_ENDINGS))
            )
            words.append(QueryWord(text=token, variants=variants, optional=optional))
    return ParsedQuery(words=words)


def _fronts(form: str) -> list[str]:
    """The synonym terms a query word may start with: itself, and for a wide word its fronts of two
    characters or more (a dict lookup each, not a scan of every synonym)."""
    if not is_wide(form):
        return [form]
    return [form, *(form[:end] for end in range(2, len(form)))]


def synonym_map(groups: list[list[str]]) -> dict[str, list[str]]:
    """term -> the other terms of its group(s), all normalized."""
    mapping: dict[str, list[str]] = {}
    for group in groups:
        normalized = [" ".join(tokens(term)) for term in group]
        normalized = [term for term in normalized if term]
        for term in normalized:
            others = mapping.setdefault(term, [])
            others.extend(other for other in normalized if other != term and other not in others)
    return mapping


_HANGUL = re.compile("[\uac00-\ud7a3]")


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text or ""))


@dataclass
class Bridge:
    """The synonym groups' way from another language into Korean (water bill -> 수도요금,
    护照 -> 여권, 粗大ごみ -> 대형폐기물): a caller's foreign words to the Korean terms of their groups.

    `latin`: stemmed word sequences; `wide`: Chinese and Japanese terms, found anywhere in a run
    (those languages write no spaces between words)."""

    latin: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    wide: dict[str, list[str]] = field(default_factory=dict)
    longest_latin: int = 0
    longest_wide: int = 0


def bridge_map(groups: list[list[str]]) -> Bridge:
    """The Bridge of some synonym groups: each foreign term of a group that has Korean terms."""
    bridge = Bridge()
    for group in groups:
        korean = [" ".join(tokens(term)) for term in group if has_hangul(term)]
        if not korean:
            continue
        for term in group:
            words = tokens(term)
            if not words or has_hangul(term):
                continue
            if all(word.isascii() for word in words):
                if len(words) == 1 and words[0] in STOPWORDS:  # "how", "can": not a topic
                    continue
                key = tuple(stem(word) for word in words)
                target = bridge.latin.setdefault(key, [])
                bridge.longest_latin = max(bridge.longest_latin, len(key))
            elif len(words) == 1 and is_wide(words[0]) and len(words[0]) >= 2:
                target = bridge.wide.setdefault(words[0], [])
                bridge.longest_wide = max(bridge.longest_wide, len(words[0]))
            else:
                continue
            target.extend(other for other in korean if other not in target)
    return bridge


def bridge_terms(query: str, bridge: Bridge) -> list[list[str]]:
    """For each foreign term of the query that the bridge knows, in the query's order, its Korean
    terms (alternatives of one word: construction -> 공사, 건설); the longest term wins where terms
    overlap ("water bill" before "water")."""
    found: list[list[str]] = []

    def add(terms: list[str]) -> None:
        if terms not in found:
            found.append(terms)

    words = tokens(query)
    latin = [stem(word) if word.isascii() else None for word in words]
    i = 0
    while i < len(words):
        word = words[i]
        if latin[i] is not None:
            for size in range(min(bridge.longest_latin, len(words) - i), 0, -1):
                key = tuple(latin[i : i + size])
                if None not in key and key in bridge.latin:
                    add(bridge.latin[key])
                    i += size
                    break
            else:
                i += 1
            continue
        if not has_hangul(word):
            j = 0
            while j < len(word):
                for size in range(min(bridge.longest_wide, len(word) - j), 1, -1):
                    if word[j : j + size] in bridge.wide:
                        add(bridge.wide[word[j : j + size]])
                        j += size
                        break
                else:
                    j += 1
        i += 1
    return found


# A foreign word's Korean alternatives searched, the first ones of the groups' order (the glossary
# lists the FAQ's most frequent terms first): "notice" has twelve; more cost time and found nothing
# more on the tuning questions (3 and 4 ranked a little better than all).
MAX_ALTERNATIVES = 3


def bridged_query(query: str, bridge: Bridge) -> ParsedQuery:
    """The query's foreign words as Korean query words: one word per foreign term, its first
    MAX_ALTERNATIVES Korean terms the alternatives (empty when the bridge knows none of them)."""
    words = []
    for terms in bridge_terms(query, bridge):
        variants = []
        for term in terms[:MAX_ALTERNATIVES]:
            pieces = document_pieces(term)
            if pieces and pieces not in variants:
                variants.append(pieces)
        if variants:
            words.append(QueryWord(text=terms[0], variants=variants))
    return ParsedQuery(words=words)
