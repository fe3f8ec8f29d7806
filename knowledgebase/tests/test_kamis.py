"""import_kamis and the price summary."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from knowledgebase.models import ProducePrice
from knowledgebase.selectors import price_item_for, price_summary

pytestmark = pytest.mark.django_db

KAMIS_HEADER = (
    ',품목명,품목코드,품종명,품종코드,"상태(상품, 중품)",상태코드,단위,일자(조회일자),조회일자 가격,'
    "1일전 일자(조회일자 기준),1일전 가격,1주일전 일자(조회일자 기준),1주일전 가격,2주일전 일자(조회일자 기준),"
    "2주일전 가격,1개월전 일자(조회일자 기준),1개월전 가격,"
    "1년전 일자(조회일자 기준),1년전 가격,평년일자,평년 가격,날짜\n"
)


def kamis_row(day: str, price: str) -> str:
    return (
        f"0,배추,211,월동(10kg),06,상품,04,10kg,당일 (x),{price},1일전 (x),9400.0,1주일전 (x),10200.0,"
        f"2주일전 (x),9400.0,1개월전,9900.0,1년전,3320.0,일평년,7147.0,{day}\n"
    )


def test_import_kamis_file(reference_data, tmp_path):
    path = tmp_path / "napa.csv"
    path.write_text(KAMIS_HEADER + kamis_row("2020-04-09", "9700.0") + kamis_row("2020-04-10", ""), encoding="utf-8")
    out = io.StringIO()
    call_command("import_kamis", str(path), stdout=out)
    assert "1 prices stored, 1 rows without a price skipped" in out.getvalue()
    price = ProducePrice.objects.get()
    assert (price.item, price.variety, price.grade, price.unit, price.price, str(price.date)) == (
        "배추",
        "월동(10kg)",
        "상품",
        "10kg",
        9700,
        "2020-04-09",
    )
    assert (price.week_ago_price, price.month_ago_price, price.year_ago_price) == (10200, 9900, 3320)
    call_command("import_kamis", str(path), stdout=io.StringIO())  # again: upsert, no duplicate
    assert ProducePrice.objects.count() == 1


def test_import_kamis_refuses_other_files(reference_data, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Not a KAMIS price file"):
        call_command("import_kamis", str(path), stdout=io.StringIO())


def test_shared_kamis_files_import_and_summarise(reference_data, shared_data):
    files = sorted(str(path) for path in (shared_data / "kamis").glob("*cabbage*.csv"))
    call_command("import_kamis", *files, stdout=io.StringIO())
    assert set(ProducePrice.objects.values_list("item", flat=True)) == {"배추", "양배추", "얼갈이배추"}
    for text in ("배추값", "배추 가격", "cabbage price"):
        assert price_item_for(text=text) == "배추"
    assert price_item_for(text="양배추값") == "양배추"
    summary = price_summary(item="배추")
    assert summary["date"] == "2023-04-07"
    assert summary["grade"] == "상품"
    assert all(summary["changes"][key] for key in ("week", "month", "year"))
    assert 0 < len(summary["series"]) <= 90
