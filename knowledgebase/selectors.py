"""Reads for the knowledge base. Search itself is knowledgebase.search.faq_search."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils import timezone

from callcenter import caches
from knowledgebase.models import Category, FAQEntry, ProducePrice
from knowledgebase.search.text import normalize, strip_ending, tokens

# English (and common) names callers use for the items KAMIS reports.
PRICE_ITEM_ALIASES = {
    "cabbage": "배추",
    "napa": "배추",
    "kimchi cabbage": "배추",
    "napa cabbage": "배추",
    "김장배추": "배추",
    "radish": "무",
    "white radish": "무",
    "green cabbage": "양배추",
    "round cabbage": "양배추",
    "young cabbage": "얼갈이배추",
}
PRICE_WORDS = ("값", "가격", "시세", "얼마")
CHART_DAYS = 90


def category_list(*, active_only: bool = True) -> QuerySet[Category]:
    categories = Category.objects.all()
    return categories.filter(is_active=True) if active_only else categories


def faq_entry_get(*, pk: int) -> FAQEntry:
    return FAQEntry.objects.select_related("category").get(pk=pk)


def price_items() -> list[str]:
    return list(ProducePrice.objects.order_by().values_list("item", flat=True).distinct())


def price_item_for(*, text: str) -> str | None:
    """The produce item a query is about (배추값, 배추 가격, "cabbage price"), or None."""
    items = sorted(price_items(), key=len, reverse=True)
    if not items:
        return None
    lowered = " ".join(tokens(text))
    for alias in sorted(PRICE_ITEM_ALIASES, key=len, reverse=True):
        if f" {alias} " in f" {lowered} " and PRICE_ITEM_ALIASES[alias] in items:
            return PRICE_ITEM_ALIASES[alias]
    for word in tokens(text):
        candidates = {word, strip_ending(word) or word}
        for candidate in list(candidates):
            for price_word in PRICE_WORDS:
                if candidate.endswith(price_word) and len(candidate) > len(price_word):
                    candidates.add(candidate[: -len(price_word)])
        for item in items:
            if normalize(item) in candidates:
                return item
    return None


def _change(latest: int, before: int | None) -> dict[str, Any] | None:
    if not before:
        return None
    return {"price": before, "diff": latest - before, "percent": round((latest - before) * 100 / before, 1)}


def _price_on_or_before(series: dict[date, int], day: date, window: int = 6) -> int | None:
    for back in range(window + 1):
        price = series.get(day - timedelta(days=back))
        if price is not None:
            return price
    return None


PRICE_STALE_DAYS = 7


def price_summary(*, item: str, grade: str | None = None) -> dict[str, Any] | None:
    """Latest price of an item with its change against a week, a month and a year before, and 90 days of prices.

    Seasonal varieties (월동, 봄, 여름, 가을 배추) follow each other: the series
    takes, per day, the variety the latest row has, else any variety of the item.
    """
    prices = ProducePrice.objects.filter(item=item)
    if grade:
        prices = prices.filter(grade=grade)
    latest = prices.order_by("-date", "grade", "variety").first()
    if latest is None:
        return None
    grade = latest.grade
    start = latest.date - timedelta(days=400)
    rows = list(
        ProducePrice.objects.filter(item=item, grade=grade, date__gte=start, date__lte=latest.date)
        .order_by("date")
        .values("date", "price", "variety")
    )
    series: dict[date, int] = {}
    for row in rows:  # the latest row's variety wins on a day both report
        if row["date"] not in series or row["variety"] == latest.variety:
            series[row["date"]] = row["price"]
    week = _price_on_or_before(series, latest.date - timedelta(days=7)) or latest.week_ago_price
    month = _price_on_or_before(series, latest.date - timedelta(days=30)) or latest.month_ago_price
    year = _price_on_or_before(series, latest.date - timedelta(days=365)) or latest.year_ago_price
    chart_start = latest.date - timedelta(days=CHART_DAYS)
    return {
        "item": latest.item,
        "variety": latest.variety,
        "grade": latest.grade,
        "unit": latest.unit,
        "date": latest.date.isoformat(),
        # How old the figure is: the console warns when it is older than a week.
        "age_days": (timezone.localdate() - latest.date).days,
        "stale": (timezone.localdate() - latest.date).days > PRICE_STALE_DAYS,
        "price": latest.price,
        "source": latest.source,
        "changes": {
            "week": _change(latest.price, week),
            "month": _change(latest.price, month),
            "year": _change(latest.price, year),
        },
        "series": [{"date": day.isoformat(), "price": price} for day, price in series.items() if day > chart_start],
        "grades": sorted(set(ProducePrice.objects.filter(item=item).values_list("grade", flat=True))),
    }


# Every category by slug, kept by this process for a short while: the look-up was
# one of a logged call's queries (bench/calls.py), the wallboard names them on
# every push (floor/stats.py), and categories change rarely.
# Saving or deleting one, or a flush (post_migrate), clears it in this process at
# once; other processes see a change within CATEGORY_CACHE_SECONDS.
CATEGORY_CACHE_SECONDS = 60.0
_categories = caches.declare(
    "categories",
    seconds=CATEGORY_CACHE_SECONDS,
    clear_on=[(post_save, Category), (post_delete, Category), (post_migrate, None)],
)


def _categories_by_slug() -> dict[str, Category]:
    return _categories.get("by_slug", lambda: {category.slug: category for category in Category.objects.all()})


def category_find(*, slug: str) -> Category | None:
    """The category with this slug (active or not), or None. The instance is
    shared by the process's requests: read it, never change it."""
    return _categories_by_slug().get(slug)


def category_list_cached() -> list[Category]:
    """Every category (active or not), in the model's order, from the same
    cache: the wallboard names them on every push. Shared instances: read only."""
    return list(_categories_by_slug().values())
