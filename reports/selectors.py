"""Reports (reads only): the floor's figures over a range of operating days,
grouped by one dimension (day, shift, hour, category, channel, language,
resolution or agent) and narrowed by the others.

Every figure keeps the definition it has elsewhere: offered, answered,
abandoned, service level, ASA, AHT and abandon rate are the queue calls'
(`floor.stats.queue_figure_aggregates`, offered in the range), satisfaction
the logged calls' (`inquiries.selectors.satisfaction_aggregate`, started in the
range), contacts logged those started in the range; referrals (made from a
call) and follow-ups are those made in the range, by their own time, and by
the call they came from for category, channel, language, resolution and agent.
One grouped query per source and one for its total (a total is not the sum of
its groups' averages): eight queries, each over an index range of the
operating days asked for (bench/reports.py measures them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, ExtractHour, ExtractMinute, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.workdays import operating_day_starts, operating_day_window
from floor import stats
from floor.models import QueueCall, Shift
from inquiries import selectors as call_selectors
from inquiries.models import Call, Language
from knowledgebase.models import Category
from referrals.models import FollowUp, Referral

DIMENSIONS = ("day", "shift", "hour", "category", "channel", "language", "resolution", "agent")
#: the longest range one report covers (a year and a day: a leap year's whole year)
MAX_DAYS = 366
PHONE = Call.Channel.PHONE.value


def dimension_choices() -> list[tuple[str, str]]:
    labels = {
        "day": _("Day"),
        "shift": _("Shift"),
        "hour": _("Hour"),
        "category": _("Category"),
        "channel": _("Channel"),
        "language": _("Language"),
        "resolution": _("Resolution"),
        "agent": _("Agent"),
    }
    return [(name, labels[name]) for name in DIMENSIONS]


@dataclass(frozen=True)
class ReportQuery:
    """What a report covers: operating days `date_from`..`date_to` (both
    included), grouped `by` one dimension, narrowed by the filters given."""

    date_from: date
    date_to: date
    by: str = "day"
    category: Category | None = None
    channel: str | None = None
    language: str | None = None
    resolution: str | None = None
    agent: Any = None  # a user
    shift: Shift | None = None

    @property
    def window(self) -> tuple[datetime, datetime]:
        return operating_day_window(self.date_from)[0], operating_day_window(self.date_to)[1]

    @property
    def names_a_person(self) -> bool:
        """Does the report show one agent's (an employee's) own figures?"""
        return self.by == "agent" or self.agent is not None


@dataclass
class Report:
    query: ReportQuery
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    shifts: list[Shift] = field(default_factory=list)


FIGURES = (
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa_seconds",
    "aht_seconds",
    "abandon_rate",
    "logged",
    "satisfaction",
    "referrals",
    "followups",
)


def shift_list() -> list[Shift]:
    return list(Shift.objects.filter(is_active=True).order_by("starts", "id"))


# --- group expressions -------------------------------------------------------------
def _strftime(native: int, fmt: str, at: str) -> Func:
    """SQLite's own strftime of a stored (UTC) time moved by `native` seconds."""
    return Func(Value(fmt), F(at), Value(f"{native:+d} seconds"), function="strftime", output_field=CharField())


def _local_minute_of_day(at: str, native: int | None = None) -> ExpressionWrapper:
    if native is not None:
        hour, minute = (Cast(_strftime(native, fmt, at), IntegerField()) for fmt in ("%H", "%M"))
        return ExpressionWrapper(hour * 60 + minute, output_field=IntegerField())
    tz = timezone.get_current_timezone()
    return ExpressionWrapper(
        ExtractHour(at, tzinfo=tz) * 60 + ExtractMinute(at, tzinfo=tz), output_field=IntegerField()
    )


def _in_shift(minute_of_day: str, shift: Shift) -> Q:
    starts = shift.starts.hour * 60 + shift.starts.minute
    ends = shift.ends.hour * 60 + shift.ends.minute
    if starts < ends:
        return Q(**{f"{minute_of_day}__gte": starts, f"{minute_of_day}__lt": ends})
    return Q(**{f"{minute_of_day}__gte": starts}) | Q(**{f"{minute_of_day}__lt": ends})  # past midnight


def _operating_day(at: str, native: int | None = None) -> Any:
    starts = operating_day_starts()
    offset = timedelta(hours=starts.hour, minutes=starts.minute)
    if native is not None:
        return _strftime(native - int(offset.total_seconds()), "%Y-%m-%d", at)
    shifted = ExpressionWrapper(F(at) - Value(offset), output_field=DateTimeField())
    return TruncDate(shifted, tzinfo=timezone.get_current_timezone())


def _native_offset(query: ReportQuery, vendor: str) -> int | None:
    """On SQLite, the local time zone's one UTC offset over the report's years (seconds),
    or None when it has more than one (daylight saving).

    Django's SQLite functions for local dates and hours run Python for every row
    (a month at 1M calls: about 28 s by day on a loaded machine); SQLite's own
    strftime with a fixed offset gives the same answer in C. Asia/Seoul has kept
    +09:00 since 1988. PostgreSQL converts natively (AT TIME ZONE) either way."""
    if vendor != "sqlite":
        return None
    tz = timezone.get_current_timezone()
    years = range(query.date_from.year, query.date_to.year + 2)
    offsets = {datetime(year, month, 1, tzinfo=tz).utcoffset() for year in years for month in (1, 4, 7, 10)}
    return int(offsets.pop().total_seconds()) if len(offsets) == 1 else None


class _Source:
    """Where a figure's rows are and how its dimensions are read from them."""

    def __init__(self, rows: QuerySet, *, at: str, call: str = "", queue: bool = False):
        self.rows, self.at, self.call, self.queue = rows, at, call, queue
        self.native: int | None = None  # SQLite: the fixed UTC offset (_native_offset)

    def expression(self, by: str, shifts: list[Shift]) -> Any:
        if by == "day":
            return _operating_day(self.at, self.native)
        if by == "hour":
            if self.native is not None:
                return Cast(_strftime(self.native, "%H", self.at), IntegerField())
            return ExtractHour(self.at, tzinfo=timezone.get_current_timezone())
        if by == "shift":
            whens = [When(_in_shift("report_minute", shift), then=Value(shift.pk)) for shift in shifts]
            return Case(*whens, default=None, output_field=IntegerField()) if whens else Value(None, IntegerField())
        if self.queue:
            if by == "channel":
                return Value(PHONE)  # every queue call is a phone call
            if by == "resolution":
                logged = Call.objects.filter(phone_call_id=OuterRef("call_id")).order_by("-id").values("resolution")
                return Subquery(logged[:1])
            return F({"category": "category_id", "language": "language", "agent": "agent_id"}[by])
        return F(self.call + {"category": "category_id", "agent": "agent_id"}.get(by, by))

    def narrowed(self, query: ReportQuery, shifts: list[Shift]) -> QuerySet:
        start, end = query.window
        rows = self.rows.filter(**{f"{self.at}__gte": start, f"{self.at}__lt": end})
        if query.by == "shift" or query.shift is not None:
            rows = rows.annotate(report_minute=_local_minute_of_day(self.at, self.native))
        if query.shift is not None:
            rows = rows.filter(_in_shift("report_minute", query.shift))
        if query.category is not None:
            rows = rows.filter(**{f"{self.call}category_id": query.category.pk})
        if query.language:
            rows = rows.filter(**{f"{self.call}language": query.language})
        if query.agent is not None:
            rows = rows.filter(**{f"{self.call}agent_id": query.agent.pk})
        if self.queue:
            if query.channel and query.channel != PHONE:
                rows = rows.none()
            if query.resolution:
                logged = Call.objects.filter(phone_call_id=OuterRef("call_id"), resolution=query.resolution)
                rows = rows.filter(Exists(logged))
        else:
            if query.channel:
                rows = rows.filter(**{f"{self.call}channel": query.channel})
            if query.resolution:
                rows = rows.filter(**{f"{self.call}resolution": query.resolution})
        return rows

    def grouped(self, query: ReportQuery, shifts: list[Shift], aggregates: dict[str, Any]) -> dict[Any, dict]:
        rows = (
            self.narrowed(query, shifts)
            .annotate(report_group=self.expression(query.by, shifts))
            .values("report_group")
            .annotate(**aggregates)
            .order_by()
        )
        return {row.pop("report_group"): row for row in rows}

    def total(self, query: ReportQuery, shifts: list[Shift], aggregates: dict[str, Any]) -> dict[str, Any]:
        return self.narrowed(query, shifts).aggregate(**aggregates)


def _sources() -> dict[str, _Source]:
    return {
        "queue": _Source(QueueCall.objects.all(), at="offered_at", queue=True),
        "calls": _Source(Call.objects.all(), at="started_at"),
        # made in the range (their own time), by the call they came from for the other dimensions
        "referrals": _Source(Referral.objects.filter(source=Referral.Source.CALL), at="created_at", call="call__"),
        "followups": _Source(
            FollowUp.objects.filter(referral__source=Referral.Source.CALL), at="created_at", call="referral__call__"
        ),
    }


def _aggregates() -> dict[str, dict[str, Any]]:
    return {
        "queue": stats.queue_figure_aggregates(),
        "calls": {"logged": Count("id"), "satisfaction_average": call_selectors.satisfaction_aggregate()},
        "referrals": {"referrals": Count("id")},
        "followups": {"followups": Count("id")},
    }


def _figures(parts: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    queue = parts["queue"]
    if queue is None:  # no queue call in this group
        queue = {**dict.fromkeys(stats.queue_figure_aggregates(), 0), "asa": None, "aht": None}
    calls = parts["calls"] or {}
    return {
        **stats.queue_figures_result(queue),
        "logged": calls.get("logged", 0),
        "satisfaction": call_selectors.satisfaction_score(average=calls.get("satisfaction_average")),
        "referrals": (parts["referrals"] or {}).get("referrals", 0),
        "followups": (parts["followups"] or {}).get("followups", 0),
    }


def report_build(*, query: ReportQuery) -> Report:
    """The report: a row per group (every day and every hour even when empty),
    in the dimension's order, and the total over the whole range."""
    alias = QueueCall.objects.all().db  # where reads go (a replica, when a router sends them there)
    with transaction.atomic(using=alias):
        if connections[alias].vendor == "postgresql":
            # PostgreSQL's JIT compiles a month's grouped aggregate for longer than it runs
            # (by resolution at 1M calls: 2.4 s with it, 1.0 s without; docs/BENCHMARKS.md)
            with connections[alias].cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        return _report_build(query, native=_native_offset(query, connections[alias].vendor))


def _report_build(query: ReportQuery, *, native: int | None) -> Report:
    shifts = shift_list()
    sources, aggregates = _sources(), _aggregates()
    for source in sources.values():
        source.native = native
    grouped = {name: source.grouped(query, shifts, aggregates[name]) for name, source in sources.items()}
    if query.by == "day":  # a date on every database
        grouped = {name: {_as_date(key): row for key, row in rows.items()} for name, rows in grouped.items()}
    keys = _ordered_keys(query, shifts, set().union(*(set(rows) for rows in grouped.values())))
    labels = _labels(query.by, shifts, keys)
    rows = []
    for key in keys:
        figures = _figures({name: grouped[name].get(key) for name in sources})
        rows.append({"key": _plain_key(key), "label": labels[key], **figures})
    total = _figures({name: source.total(query, shifts, aggregates[name]) for name, source in sources.items()})
    return Report(query=query, rows=rows, total={"key": "", "label": _("Total"), **total}, shifts=shifts)


def _days(query: ReportQuery) -> Iterator[date]:
    day = query.date_from
    while day <= query.date_to:
        yield day
        day += timedelta(days=1)


def _ordered_keys(query: ReportQuery, shifts: list[Shift], found: set) -> list:
    if query.by == "day":
        return list(_days(query))
    if query.by == "hour":
        first = operating_day_starts().hour  # the operating day's hours in order: 08, 09, ... 07
        return [(first + n) % 24 for n in range(24)]
    if query.by == "shift":
        return [shift.pk for shift in shifts if query.shift is None or shift.pk == query.shift.pk] + (
            [None] if None in found else []
        )
    known: list = {
        "channel": list(Call.Channel.values),
        "language": list(Language.values),
        "resolution": list(Call.Resolution.values),
    }.get(query.by, [])
    if known:
        return [key for key in known if key in found] + sorted((k for k in found if k not in known), key=str)
    named = [key for key in found if key is not None]
    return _by_name(query.by, named) + ([None] if None in found else [])


def _as_date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _plain_key(key: Any) -> Any:
    return key.isoformat() if isinstance(key, date) else key


def _by_name(by: str, pks: list) -> list:
    if by == "category":
        names = {category.pk: str(category.name) for category in Category.objects.filter(pk__in=pks)}
    else:
        names = {
            user.pk: user.get_full_name() or user.get_username() for user in get_user_model().objects.filter(pk__in=pks)
        }
    return sorted(pks, key=lambda pk: (names.get(pk, ""), pk))


def _labels(by: str, shifts: list[Shift], keys: list) -> dict[Any, str]:
    if by == "day":
        return {key: key.isoformat() for key in keys}
    if by == "hour":
        return {key: f"{key:02d}:00–{(key + 1) % 24:02d}:00" for key in keys}
    if by == "shift":
        names = {shift.pk: f"{shift.name} {shift.starts:%H:%M}–{shift.ends:%H:%M}" for shift in shifts}
        return {key: names.get(key, _("Outside any shift")) for key in keys}
    if by in ("channel", "language", "resolution"):
        choices = {"channel": Call.Channel, "language": Language, "resolution": Call.Resolution}[by]
        labels = dict(choices.choices)
        missing = _("Not logged (abandoned, or answered and not logged)") if by == "resolution" else "—"
        return {key: str(labels.get(key, key if key is not None else missing)) for key in keys}
    if by == "category":
        names = {category.pk: str(category.name) for category in Category.objects.filter(pk__in=keys)}
        return {key: names.get(key, _("No category")) for key in keys}
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=[k for k in keys if k is not None])}
    return {
        key: (users[key].get_full_name() or users[key].get_username()) if key in users else _("No agent (abandoned)")
        for key in keys
    }
