"""One search backend per database, behind the same two operations: keep the index, find candidates.

SQLite: an FTS5 table (unicode61) holding the Python-built search columns (title, body).
PostgreSQL: a `tsvector` column ('simple' config, title weighted A) with a GIN index, and a
title-only `tsvector` with its own GIN index (migration 0005).
Each is created by a migration on its own database only.

Candidates come in two passes, the same on both databases:
1. titles only (questions and keywords): a small index, every match ranked;
2. only when titles give fewer than asked: the whole text (answers too), ranking at most
   BODY_RANK_CAP matches. bm25 / ts_rank read each ranked entry's whole text, and a common
   word (주차, 어린이집) is in thousands of answers at 100,000 entries: ranking all of them
   was what made those queries slow. The final order is computed in Python (title matches
   first), so pass 1 holds the best candidates whenever it fills the list.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection

from knowledgebase.search.text import ParsedQuery, QueryWord

FTS_TABLE = "knowledgebase_faq_fts"
TABLE = "knowledgebase_faqentry"
# The whole-text pass ranks at most this many matching entries (see above).
BODY_RANK_CAP = 500
# `total` counts matches up to this many (then it means "this many or more"): on PostgreSQL counting
# re-reads every matching whole vector (phrases need a recheck), and an agent needs "many", not 3,715.
TOTAL_CAP = 100

# A candidate: (id, search_title, search_body, usage_count), what the Python ranking needs.
Candidate = tuple[int, str, str, int]


@dataclass
class Filters:
    visible_on: date | None  # None: everything (admins); else published and valid on that day
    category_id: int | None


@dataclass
class Piece:
    text: str
    prefix: bool = False


def match_groups(
    parsed: ParsedQuery, *, relaxed: bool, prefix_last: bool, at_least: int = 1
) -> list[list[list[Piece]]]:
    """AND of groups, each an OR of phrases (piece sequences).

    Relaxed: single pieces, from at least `at_least` of the query's words (the relaxed score
    rejects an entry with fewer: RELAXED_MIN_SHARE), written as an AND of ORs: every
    (n - at_least + 1) of the n words has a piece in the entry. Plain OR when that is 1."""
    if relaxed:
        return _relaxed_groups(parsed.required, at_least)
    groups = []
    required = parsed.required
    for word in required:
        is_last = word is parsed.words[-1]
        variants = []
        for variant in word.variants:
            pieces = [Piece(piece) for piece in variant]
            if prefix_last and is_last and len(variant) == 1 and variant[0].isascii() and len(variant[0]) >= 2:
                pieces = [Piece(variant[0], prefix=True)]
            variants.append(pieces)
        groups.append(variants)
    return groups


# "At least m of n words" takes C(n, m - 1) clauses; past this many, fewer words are required
# (still only entries the score can keep; the index just filters less).
MAX_RELAXED_CLAUSES = 40


def _relaxed_groups(required: list[QueryWord], at_least: int) -> list[list[list[Piece]]]:
    pieces = {piece for word in required for variant in word.variants for piece in variant}
    # One syllable alone (이, 많) matches a large share of any corpus: leave it out when there is more.
    longer = {piece for piece in pieces if len(piece) > 1}
    used = longer or pieces
    # A word the index can see: every piece that could earn it credit is in the expression.
    seen = [
        sorted({piece for variant in word.variants for piece in variant})
        for word in required
        if all(piece in used for variant in word.variants for piece in variant)
    ]
    need = at_least - (len(required) - len(seen))  # the unseen words may earn their credit anyway
    while need > 1 and math.comb(len(seen), need - 1) > MAX_RELAXED_CLAUSES:
        need -= 1
    if need <= 1:
        return [[[Piece(piece)] for piece in sorted(used)]]
    return [
        [[Piece(piece)] for piece in sorted({piece for index in subset for piece in seen[index]})]
        for subset in itertools.combinations(range(len(seen)), len(seen) - need + 1)
    ]


class SearchBackend:
    vendor = ""

    def index(self, ids: Sequence[int]) -> None:
        raise NotImplementedError

    def remove(self, ids: Sequence[int]) -> None:
        raise NotImplementedError

    def candidates(
        self, groups: list[list[list[Piece]]], filters: Filters, k: int, count: bool = True
    ) -> tuple[list[Candidate], int]:
        """Up to k candidates, best first, and how many entries match in all (when `count`; capped at TOTAL_CAP)."""
        rows = self._ranked(groups, filters, k, title_only=True)
        if len(rows) >= k:
            return rows, (self._count(groups, filters, TOTAL_CAP) if count else len(rows))
        seen = {row[0] for row in rows}
        asked = k + len(rows)
        more, capped = self._ranked_capped(groups, filters, asked, BODY_RANK_CAP)
        rows += [row for row in more if row[0] not in seen][: k - len(rows)]
        if len(more) < asked and not capped:
            # Every whole-text match was seen (title matches are among them): the total is exact.
            return rows, len(more)
        return rows, (self._count(groups, filters, TOTAL_CAP) if count else len(rows))

    def _ranked(self, groups, filters: Filters, k: int, *, title_only: bool) -> list[Candidate]:
        raise NotImplementedError

    def _ranked_capped(self, groups, filters: Filters, k: int, cap: int) -> tuple[list[Candidate], bool]:
        """The best k of the first `cap` whole-text matches, and whether there were `cap` (more may exist)."""
        raise NotImplementedError

    def _count(self, groups, filters: Filters, cap: int) -> int:
        raise NotImplementedError

    @staticmethod
    def _filter_sql(filters: Filters, alias: str = "e") -> tuple[str, list]:
        sql, params = [], []
        if filters.visible_on is not None:
            sql.append(
                f"{alias}.status = 'published' AND ({alias}.valid_from IS NULL OR {alias}.valid_from <= %s)"
                f" AND ({alias}.valid_to IS NULL OR {alias}.valid_to >= %s)"
            )
            params += [filters.visible_on, filters.visible_on]
        if filters.category_id is not None:
            sql.append(f"{alias}.category_id = %s")
            params.append(filters.category_id)
        return "".join(f" AND {part}" for part in sql), params


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"

    @staticmethod
    def _expression(groups: list[list[list[Piece]]]) -> str:
        def phrase(pieces: list[Piece]) -> str:
            if len(pieces) == 1 and pieces[0].prefix:
                return f'"{pieces[0].text}"*'
            return '"' + " ".join(piece.text for piece in pieces) + '"'

        return " AND ".join("(" + " OR ".join(phrase(variant) for variant in group) + ")" for group in groups)

    def index(self, ids: Sequence[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)  # noqa: S608
                cursor.execute(
                    f"INSERT INTO {FTS_TABLE}(rowid, title, body) "  # noqa: S608
                    f"SELECT id, search_title, search_body FROM {TABLE} WHERE id IN ({marks})",
                    chunk,
                )

    def remove(self, ids: Sequence[int]) -> None:
        ids = list(ids)
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)  # noqa: S608

    # MATERIALIZED keeps SQLite from probing the FTS table once per entry row.
    def _ranked(self, groups, filters, k, *, title_only):
        expression = self._expression(groups)
        if title_only:  # FTS5 column filter: only rows with the match in the title are ranked
            expression = f"title : ({expression})"
        where, params = self._filter_sql(filters)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH m AS MATERIALIZED (SELECT rowid AS id, bm25({FTS_TABLE}, 5.0, 1.0) AS rank "  # noqa: S608
                f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
                f"SELECT e.id, e.search_title, e.search_body, e.usage_count FROM m JOIN {TABLE} e ON e.id = m.id "
                f"WHERE 1=1{where} ORDER BY m.rank, e.usage_count DESC LIMIT %s",
                [expression, *params, k],
            )
            return cursor.fetchall()

    def _ranked_capped(self, groups, filters, k, cap):
        where, params = self._filter_sql(filters)
        with connection.cursor() as cursor:
            # The LIMIT inside stops FTS5 (and bm25) after `cap` visible matches; driven from the match,
            # each entry looked up by key (CROSS JOIN fixes that order in SQLite).
            cursor.execute(
                f"WITH m AS MATERIALIZED (SELECT f.rowid AS id, bm25({FTS_TABLE}, 5.0, 1.0) AS rank "  # noqa: S608
                f"FROM {FTS_TABLE} f CROSS JOIN {TABLE} e ON e.id = f.rowid "
                f"WHERE {FTS_TABLE} MATCH %s{where} LIMIT %s) "
                "SELECT e.id, e.search_title, e.search_body, e.usage_count, (SELECT COUNT(*) FROM m) "
                f"FROM m JOIN {TABLE} e ON e.id = m.id ORDER BY m.rank, e.usage_count DESC LIMIT %s",
                [self._expression(groups), *params, cap, k],
            )
            rows = cursor.fetchall()
        return [row[:4] for row in rows], bool(rows) and rows[0][4] >= cap

    def _count(self, groups, filters, cap):
        where, params = self._filter_sql(filters)
        with connection.cursor() as cursor:
            # No bm25; driven from the match, each entry looked up by key, stopping at `cap`.
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {FTS_TABLE} f CROSS JOIN {TABLE} e ON e.id = f.rowid "  # noqa: S608
                f"WHERE {FTS_TABLE} MATCH %s{where} LIMIT %s)",
                [self._expression(groups), *params, cap],
            )
            return cursor.fetchone()[0]


class PostgreSQLBackend(SearchBackend):
    vendor = "postgresql"

    # The GIN indexes have no pending list (migration 0006: searches would scan it). Writing
    # thousands of rows straight into GIN is slow, so a bulk re-index (an import into a large
    # table, reindex_all) lets them queue in the pending list and merges it once at the end.
    BULK_INDEX = 1000
    GIN_INDEXES = ("faq_search_vector_gin", "faq_search_title_vector_gin")

    @staticmethod
    def _expression(groups: list[list[list[Piece]]]) -> str:
        def phrase(pieces: list[Piece]) -> str:
            if len(pieces) == 1 and pieces[0].prefix:
                return f"'{pieces[0].text}':*"
            return " <-> ".join(f"'{piece.text}'" for piece in pieces)

        return " & ".join("(" + " | ".join(f"({phrase(v)})" for v in group) + ")" for group in groups)

    def index(self, ids: Sequence[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        bulk = len(ids) >= self.BULK_INDEX
        with connection.cursor() as cursor:
            if bulk:  # see BULK_INDEX
                for index in self.GIN_INDEXES:
                    cursor.execute(f"ALTER INDEX {index} SET (fastupdate = on)")
            cursor.execute(
                f"UPDATE {TABLE} SET search_vector = "  # noqa: S608
                "setweight(to_tsvector('simple', search_title), 'A') || "
                "setweight(to_tsvector('simple', search_body), 'B'), "
                "search_title_vector = to_tsvector('simple', search_title) WHERE id = ANY(%s)",
                [ids],
            )
            if bulk:
                for index in self.GIN_INDEXES:
                    cursor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")
                    cursor.execute(f"ALTER INDEX {index} SET (fastupdate = off)")

    def remove(self, ids: Sequence[int]) -> None:
        """The vector lives in the entry's own row: nothing to do."""

    def _ranked(self, groups, filters, k, *, title_only):
        # Titles: a small vector stored inline, cheap to rank however many titles match.
        vector = "search_title_vector" if title_only else "search_vector"
        where, params = self._filter_sql(filters)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT e.id, e.search_title, e.search_body, e.usage_count FROM ("  # noqa: S608
                f"SELECT e.id, ts_rank(e.{vector}, q) AS rank, e.usage_count "
                f"FROM {TABLE} e, to_tsquery('simple', %s) q WHERE e.{vector} @@ q{where} "
                "ORDER BY rank DESC, e.usage_count DESC LIMIT %s"
                f") t JOIN {TABLE} e ON e.id = t.id ORDER BY t.rank DESC, t.usage_count DESC",
                [self._expression(groups), *params, k],
            )
            return cursor.fetchall()

    def _ranked_capped(self, groups, filters, k, cap):
        where, params = self._filter_sql(filters)
        with connection.cursor() as cursor:
            # The inner LIMIT bounds how many whole vectors are read and ranked.
            cursor.execute(
                "WITH m AS MATERIALIZED ("  # noqa: S608
                f"SELECT e.id, ts_rank(e.search_vector, q) AS rank, e.usage_count FROM {TABLE} e, "
                f"to_tsquery('simple', %s) q WHERE e.search_vector @@ q{where} LIMIT %s) "
                "SELECT e.id, e.search_title, e.search_body, e.usage_count, (SELECT COUNT(*) FROM m) FROM ("
                "SELECT * FROM m ORDER BY rank DESC, usage_count DESC LIMIT %s"
                f") t JOIN {TABLE} e ON e.id = t.id ORDER BY t.rank DESC, t.usage_count DESC",
                [self._expression(groups), *params, cap, k],
            )
            rows = cursor.fetchall()
        return [row[:4] for row in rows], bool(rows) and rows[0][4] >= cap

    def _count(self, groups, filters, cap):
        where, params = self._filter_sql(filters)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {TABLE} e, to_tsquery('simple', %s) q "  # noqa: S608
                f"WHERE e.search_vector @@ q{where} LIMIT %s) s",
                [self._expression(groups), *params, cap],
            )
            return cursor.fetchone()[0]


def backend() -> SearchBackend:
    """The backend of the database in use."""
    if connection.vendor == "postgresql":
        return PostgreSQLBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"No knowledge-base search backend for {connection.vendor}")


def index_entries(ids: Iterable[int]) -> None:
    backend().index(list(ids))


def remove_entries(ids: Iterable[int]) -> None:
    backend().remove(list(ids))
