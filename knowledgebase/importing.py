"""FAQ import and export: CSV (UTF-8, header row) or JSON Lines, upsert by external_id.

Used by `manage.py import_faq` / `export_faq` and by the admin's import and export actions.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from callcenter.errors import ApplicationError
from knowledgebase import services
from knowledgebase.error_codes import ErrorCode
from knowledgebase.models import Category, FAQEntry
from knowledgebase.search.vectors import deferred_embedding

# The documented columns, in order; the last three are optional extensions so
# that export then import keeps seasonal and review dates too.
COLUMNS = [
    "external_id",
    "category",
    "question_ko",
    "answer_ko",
    "question_en",
    "answer_en",
    "question_zh",
    "answer_zh",
    "question_ja",
    "answer_ja",
    "keywords",
    "status",
    "valid_from",
    "valid_to",
    "review_by",
]
REQUIRED_COLUMNS = {"question_ko", "answer_ko"}
TEXT_FIELDS = [name for name in COLUMNS if name.startswith(("question_", "answer_"))]


@dataclass
class Rejected:
    line: int
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[Rejected] = field(default_factory=list)
    categories_created: list[str] = field(default_factory=list)
    applied: bool = False
    # The entries created or changed (embedded in bulk after the import, not one by one inside it).
    changed_ids: set[int] = field(default_factory=set)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)

    def summary(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, rejected {len(self.rejected)}"
        )


class ImportFormatError(ApplicationError):
    code = ErrorCode.IMPORT_FORMAT


def _format_of(name: str) -> str:
    return "jsonl" if name.lower().endswith((".jsonl", ".ndjson", ".json")) else "csv"


def read_rows(stream: IO[str], *, fmt: str) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(line number, row or None, error) for each record. CSV records may span lines: the first line counts."""
    if fmt == "jsonl":
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"not valid JSON ({exc.msg})"
                continue
            if not isinstance(row, dict):
                yield number, None, "not a JSON object"
                continue
            yield number, row, ""
        return
    reader = csv.DictReader(stream)
    header = reader.fieldnames or []
    missing = REQUIRED_COLUMNS - set(header)
    if missing:
        raise ImportFormatError(f"The header row lacks the columns: {', '.join(sorted(missing))}.")
    unknown = set(header) - set(COLUMNS) - {""}
    if unknown:
        raise ImportFormatError(f"Unknown columns: {', '.join(sorted(unknown))}.")
    start = reader.line_num + 1
    try:
        for row in reader:
            if None in row:
                yield start, None, "more values than columns"
            elif not any((value or "").strip() for value in row.values()):
                pass
            else:
                yield start, row, ""
            start = reader.line_num + 1
    except csv.Error as exc:
        yield start, None, f"broken CSV ({exc})"


def _row_data(row: dict[str, Any]) -> tuple[dict[str, Any], str, list[str]]:
    """Validate one row's values; returns (service data, category name, warnings) or raises ValueError."""
    warnings = []
    data: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = row.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ValueError(f"{name} must be text")
        data[name] = value
    question = (data.get("question_ko") or "").strip()
    if not question:
        raise ValueError("question_ko is empty")
    if len(question) > 300:
        raise ValueError("question_ko is longer than 300 characters")
    if "keywords" in row:
        keywords = row.get("keywords") or ""
        if isinstance(keywords, list):
            keywords = ", ".join(str(word) for word in keywords)
        data["keywords"] = str(keywords).strip()
    status = (row.get("status") or "").strip().lower() or FAQEntry.Status.PUBLISHED
    if status not in FAQEntry.Status.values:
        raise ValueError(f"unknown status “{status}” (draft, published or archived)")
    if status == FAQEntry.Status.PUBLISHED and not (data.get("answer_ko") or "").strip():
        # The portal's corpus has a few questions without an answer: keep them, unpublished.
        status = FAQEntry.Status.DRAFT
        warnings.append("answer_ko is empty: imported as a draft")
    data["status"] = status
    for name in ("valid_from", "valid_to", "review_by"):
        value = (row.get(name) or "").strip() if isinstance(row.get(name, ""), str) else row.get(name)
        if value in ("", None):
            if name in row:
                data[name] = None
            continue
        try:
            data[name] = date.fromisoformat(str(value))
        except ValueError as exc:
            raise ValueError(f"{name} is not a date (YYYY-MM-DD): {value}") from exc
    external_id = row.get("external_id")
    data["external_id"] = str(external_id).strip() if external_id not in (None, "") else None
    category = str(row.get("category") or "").strip() or "other"
    return data, category, warnings


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
    return " ".join(exc.messages)


class _Rollback(Exception):
    pass


def faq_import(
    *,
    stream: IO[str],
    fmt: str,
    author: AbstractBaseUser | None = None,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import rows, upserting by external_id. All or nothing unless skip_invalid.

    Side effects (when applied): entries created or changed with revisions and
    index rows (knowledgebase.services), categories created by name. Their vectors are
    not computed here (minutes for a corpus, inside one transaction): `report.changed_ids`
    says what to embed (`import_faq` does it after; the admin import for small files).
    """
    report = ImportReport()
    seen_ids: dict[str, int] = {}
    categories: dict[str, Category] = {}
    try:
        with transaction.atomic(), deferred_embedding() as changed:
            for count, (line, row, error) in enumerate(read_rows(stream, fmt=fmt), start=1):
                if progress:
                    progress(count)
                if row is None:
                    report.rejected.append(Rejected(line, error))
                    continue
                try:
                    data, category_name, warnings = _row_data(row)
                except ValueError as exc:
                    report.rejected.append(Rejected(line, str(exc)))
                    continue
                external_id = data.get("external_id")
                if external_id and external_id in seen_ids:
                    report.rejected.append(
                        Rejected(line, f"external_id {external_id} repeats line {seen_ids[external_id]}")
                    )
                    continue
                if external_id:
                    seen_ids[external_id] = line
                report.warnings.extend(Rejected(line, warning) for warning in warnings)
                try:
                    with transaction.atomic():
                        if category_name not in categories:
                            category, created_category = services.category_get_or_create(name=category_name)
                            if created_category:
                                report.categories_created.append(category.name_ko)
                            categories[category_name] = category
                        data["category"] = categories[category_name]
                        existing = FAQEntry.objects.filter(external_id=external_id).first() if external_id else None
                        if existing is None:
                            services.faq_entry_create(data=data, author=author, comment="Imported")
                            report.created += 1
                        else:
                            before = existing.updated_at
                            entry = services.faq_entry_update(
                                entry=existing, data=data, author=author, comment="Imported"
                            )
                            if entry.updated_at == before:
                                report.unchanged += 1
                            else:
                                report.updated += 1
                except ValidationError as exc:
                    report.rejected.append(Rejected(line, _error_text(exc)))
                except ApplicationError as exc:
                    report.rejected.append(Rejected(line, exc.message))
            if report.rejected and not skip_invalid:
                raise _Rollback
    except _Rollback:
        report.applied = False
        return report
    report.applied = True
    report.changed_ids = set(changed)
    return report


def faq_import_file(*, path: Path, **kwargs: Any) -> ImportReport:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return faq_import(stream=stream, fmt=_format_of(path.name), **kwargs)


def entry_row(entry: FAQEntry) -> dict[str, str]:
    row = services.entry_snapshot(entry=entry)
    return {name: "" if row.get(name) is None else str(row.get(name)) for name in COLUMNS}


def faq_export(*, stream: IO[str], fmt: str, entries: Iterable[FAQEntry]) -> int:
    """Write entries in the import format. Returns how many were written."""
    count = 0
    if fmt == "jsonl":
        for entry in entries:
            stream.write(json.dumps(entry_row(entry), ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        writer.writerow(entry_row(entry))
        count += 1
    return count


def faq_export_text(*, fmt: str, entries: Iterable[FAQEntry]) -> str:
    buffer = io.StringIO()
    faq_export(stream=buffer, fmt=fmt, entries=entries)
    return buffer.getvalue()


def format_of(name: str) -> str:
    return _format_of(name)
