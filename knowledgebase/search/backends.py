"""One search backend per database, behind the same two operations: keep the index, find candidates.

SQLite: an FTS5 table (unicode61) holding the Python-built search column.
PostgreSQL: a `tsvector` column ('simple' config, title weighted A) with a GIN index.
Both are created by migration 0004 on their own database only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection

from knowledgebase.search.text import ParsedQuery

FTS_TABLE = "knowledgebase_faq_fts"
TABLE = "knowledgebase_faqentry"


@dataclass
class Filters:
    visible_on: date | None  # None: everything (admins); else published and valid on that day
    category_id: int | None


@dataclass
class Piece:
    text: str
    prefix: bool = False


def match_groups(parsed: ParsedQuery, *, relaxed: bool, prefix_last: bool) -> list[list[list[Piece]]]:
    """AND of groups, each an OR of phrases (piece sequences); relaxed: one OR group of single pieces."""
    if relaxed:
        pieces = {piece for word in parsed.required for variant in word.variants for piece in variant}
        # One syllable alone (이, 많) matches a large share of any corpus: leave it out when there is more.
        longer = {piece for piece in pieces if len(piece) > 1}
        return [[[Piece(piece)] for piece in sorted(longer or pieces)]]
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


class SearchBackend:
    vendor = ""

    def index(self, ids: Sequence[int]) -> None:
        raise NotImplementedError

    def remove(self, ids: Sequence[int]) -> None:
        raise NotImplementedError

    def candidates(
        self, groups: list[list[list[Piece]]], filters: Filters, k: int, count: bool = True
    ) -> tuple[list[int], int]:
        """Up to k entry ids, best first, and how many entries match in all (when `count`)."""
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

    def candidates(self, groups, filters, k, count=True):
        expression = self._expression(groups)
        where, params = self._filter_sql(filters)
        # MATERIALIZED keeps SQLite from probing the FTS table once per entry row.
        matched = (
            f"WITH m AS MATERIALIZED (SELECT rowid AS id, bm25({FTS_TABLE}, 5.0, 1.0) AS rank "  # noqa: S608
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
        )
        with connection.cursor() as cursor:
            cursor.execute(
                matched + f"SELECT e.id FROM m JOIN {TABLE} e ON e.id = m.id WHERE 1=1{where} "  # noqa: S608
                "ORDER BY m.rank, e.usage_count DESC LIMIT %s",
                [expression, *params, k],
            )
            ids = [row[0] for row in cursor.fetchall()]
            total = len(ids)
            if total == k and count:
                # Counting needs no bm25: the cheaper plain match.
                # Driven from the match (materialized), each entry looked up by key: no scan, no bm25.
                cursor.execute(
                    f"WITH m AS MATERIALIZED (SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "  # noqa: S608
                    f"SELECT COUNT(*) FROM m JOIN {TABLE} e ON e.id = m.id WHERE 1=1{where}",
                    [expression, *params],
                )
                total = cursor.fetchone()[0]
        return ids, total


class PostgreSQLBackend(SearchBackend):
    vendor = "postgresql"

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
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET search_vector = "  # noqa: S608
                "setweight(to_tsvector('simple', search_title), 'A') || "
                "setweight(to_tsvector('simple', search_body), 'B') WHERE id = ANY(%s)",
                [ids],
            )

    def remove(self, ids: Sequence[int]) -> None:
        """The vector lives in the entry's own row: nothing to do."""

    def candidates(self, groups, filters, k, count=True):
        expression = self._expression(groups)
        where, params = self._filter_sql(filters)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.id FROM {TABLE} e, to_tsquery('simple', %s) q "  # noqa: S608
                f"WHERE e.search_vector @@ q{where} "
                "ORDER BY ts_rank(e.search_vector, q) DESC, e.usage_count DESC LIMIT %s",
                [expression, *params, k],
            )
            ids = [row[0] for row in cursor.fetchall()]
            total = len(ids)
            if total == k and count:
                cursor.execute(
                    f"SELECT COUNT(*) FROM {TABLE} e, to_tsquery('simple', %s) q "  # noqa: S608
                    f"WHERE e.search_vector @@ q{where}",
                    [expression, *params],
                )
                total = cursor.fetchone()[0]
        return ids, total


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
