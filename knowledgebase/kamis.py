"""Reading the KAMIS price API's CSV output (shared/data/kamis/*.csv) into ProducePrice rows."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from callcenter.errors import ApplicationError
from knowledgebase.error_codes import ErrorCode
from knowledgebase.models import ProducePrice

COLUMN_ITEM = "품목명"
COLUMN_ITEM_CODE = "품목코드"
COLUMN_VARIETY = "품종명"
COLUMN_VARIETY_CODE = "품종코드"
COLUMN_UNIT = "단위"
COLUMN_PRICE = "조회일자 가격"
COLUMN_WEEK = "1주일전 가격"
COLUMN_MONTH = "1개월전 가격"
COLUMN_YEAR = "1년전 가격"
COLUMN_DATE = "날짜"
REQUIRED = [COLUMN_ITEM, COLUMN_VARIETY, COLUMN_UNIT, COLUMN_PRICE, COLUMN_DATE]


@dataclass
class PriceReport:
    rows: list[ProducePrice] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _won(value: str | None) -> int | None:
    value = (value or "").replace(",", "").strip()
    if not value or value == "-":
        return None
    price = round(float(value))
    return price if price >= 0 else None


def _grade_column(header: list[str]) -> str:
    for name in header:
        if name.startswith("상태") and "코드" not in name:
            return name
    raise ApplicationError("The KAMIS file has no grade column (상태).", code=ErrorCode.IMPORT_FORMAT)


def read_prices(stream: IO[str]) -> PriceReport:
    """Rows to store; rows without a price (holidays) are skipped with their line number."""
    reader = csv.DictReader(stream)
    header = reader.fieldnames or []
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ApplicationError(
            f"Not a KAMIS price file: missing columns {', '.join(missing)}.", code=ErrorCode.IMPORT_FORMAT
        )
    grade_column = _grade_column(header)
    report = PriceReport()
    for line, row in _numbered(reader):
        try:
            price = _won(row[COLUMN_PRICE])
            day = date.fromisoformat(row[COLUMN_DATE].strip())
        except (ValueError, KeyError) as exc:
            report.skipped.append((line, f"unreadable value ({exc})"))
            continue
        if price is None:
            report.skipped.append((line, "no price that day"))
            continue
        report.rows.append(
            ProducePrice(
                item=row[COLUMN_ITEM].strip(),
                item_code=(row.get(COLUMN_ITEM_CODE) or "").strip(),
                variety=row[COLUMN_VARIETY].strip(),
                variety_code=(row.get(COLUMN_VARIETY_CODE) or "").strip(),
                grade=row[grade_column].strip(),
                unit=row[COLUMN_UNIT].strip(),
                price=price,
                date=day,
                source="KAMIS",
                week_ago_price=_safe_won(row.get(COLUMN_WEEK)),
                month_ago_price=_safe_won(row.get(COLUMN_MONTH)),
                year_ago_price=_safe_won(row.get(COLUMN_YEAR)),
            )
        )
    return report


def _safe_won(value: str | None) -> int | None:
    try:
        return _won(value)
    except ValueError:
        return None


def _numbered(reader: csv.DictReader) -> Iterator[tuple[int, dict]]:
    start = reader.line_num + 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1
