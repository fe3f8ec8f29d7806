"""Live statistics of the floor: the wallboard's figures (reads only).

Every figure is read from indexed windows on today's rows (or the current
shift's, the last 15 or 30 minutes', the calls waiting now), never from the
whole history, so a day with a million older calls computes as fast as an
empty one (bench/wallboard.py measures it). Figures that only change once a
day (last week's calls per hour, each category's usual share) are cached per
day. Definitions: DOMAIN.md §5.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractHour, Greatest, Least
from django.utils import timezone

from callcenter import caches, extensions
from callcenter.workdays import operating_day, operating_day_window
from floor import erlang, protection_selectors
from floor.models import (
    BUSY_STATES,
    STAFFED_STATES,
    AgentState,
    AgentStateChange,
    AgentStatus,
    FiguresVersion,
    QueueCall,
    Shift,
    ShiftAssignment,
    ShiftSession,
)
from floor.selectors import shift_current
from knowledgebase.models import Category
from knowledgebase.selectors import category_list_cached

SURGE_WINDOW = timedelta(minutes=15)
ARRIVAL_WINDOW = timedelta(minutes=30)
# A call left "waiting" longer than this lost its ending event: not counted as waiting.
WAITING_HORIZON = timedelta(hours=6)
USUAL_SHARE_DAYS = 28


def threshold_seconds() -> int:
    return settings.SERVICE_LEVEL_THRESHOLD_SECONDS


def targets() -> dict[str, float]:
    """The targets the wallboard turns a tile red against (settings, with defaults)."""
    return {
        "service_level": settings.SERVICE_LEVEL_TARGET,
        "threshold_seconds": threshold_seconds(),
        "asa_seconds": float(getattr(settings, "ASA_TARGET_SECONDS", threshold_seconds())),
        "abandon_rate": float(getattr(settings, "ABANDON_RATE_TARGET", 0.05)),
        "occupancy_max": float(getattr(settings, "OCCUPANCY_MAX", 0.90)),
        "satisfaction": float(getattr(settings, "SATISFACTION_TARGET", 85)),
        "longest_wait_seconds": float(getattr(settings, "LONGEST_WAIT_TARGET_SECONDS", 60)),
        "surge_factor": float(getattr(settings, "SURGE_FACTOR", 2.0)),
        "surge_min_calls": int(getattr(settings, "SURGE_MIN_CALLS", 5)),
        "erlang_max_occupancy": float(getattr(settings, "ERLANG_MAX_OCCUPANCY", 0.85)),
        "shrinkage": float(getattr(settings, "ERLANG_SHRINKAGE", 0.3)),
        "after_call_work_limit_seconds": float(getattr(settings, "AFTER_CALL_WORK_LIMIT_SECONDS", 180)),
    }


def day_window(day: date) -> tuple[datetime, datetime]:
    """Operating day `day`: from OPERATING_DAY_STARTS (08:00) to the same time the
    next day, so a night shift's figures are one day's (callcenter.workdays)."""
    return operating_day_window(day)


def _ratio(part: float, whole: float) -> float | None:
    return None if not whole else round(part / whole, 4)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def queue_figure_aggregates(*, within: Q | None = None, prefix: str = "") -> dict[str, Any]:
    """The one definition of the queue's figures: the aggregates over queue calls
    that queue_figures_result turns into figures. For `aggregate()`, or `annotate()`
    after `values()` for figures per group (reports); `within` narrows every
    aggregate to one window and `prefix` names them apart, so several windows are
    read in one query over one index range (the wallboard's day and shift).

    Service level = answered within T ÷ (answered + abandoned after T); a short
    abandon (hung up within T) counts in neither. ASA = mean queue time of
    answered calls. AHT = mean handle time (talk + after-call work) of ended
    calls. Abandon rate = abandoned ÷ offered.
    """
    t = threshold_seconds()
    answered_q = Q(answered_at__isnull=False)
    abandoned_q = Q(status=QueueCall.Status.ABANDONED)
    conditions = {
        "offered": None,
        "answered": answered_q,
        "abandoned": abandoned_q,
        "answered_within": answered_q & Q(wait_seconds__lte=t),
        "abandoned_after": abandoned_q & Q(wait_seconds__gt=t),
    }
    means = {"asa": ("wait_seconds", answered_q), "aht": ("handle_seconds", Q(handle_seconds__isnull=False))}

    def narrowed(condition: Q | None) -> Q | None:
        if within is None:
            return condition
        return within if condition is None else within & condition

    aggregates: dict[str, Any] = {
        f"{prefix}{name}": Count("id", filter=narrowed(condition)) for name, condition in conditions.items()
    }
    for name, (column, condition) in means.items():
        aggregates[f"{prefix}{name}"] = Avg(column, filter=narrowed(condition))
    return aggregates


def queue_figures_result(row: dict[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """The figures from one row of queue_figure_aggregates (its names, after `prefix`)."""

    def value(name: str) -> Any:
        return row[f"{prefix}{name}"]

    asa, aht = value("asa"), value("aht")
    return {
        "offered": value("offered"),
        "answered": value("answered"),
        "abandoned": value("abandoned"),
        "service_level": _ratio(value("answered_within"), value("answered") + value("abandoned_after")),
        "asa_seconds": _round(None if asa is None else float(asa)),
        "aht_seconds": _round(None if aht is None else float(aht)),
        "abandon_rate": _ratio(value("abandoned"), value("offered")),
    }


def _offered_in(start: datetime, end: datetime, *, end_included: bool = False) -> Q:
    return Q(offered_at__gte=start, **{"offered_at__lte" if end_included else "offered_at__lt": end})


def queue_figures(start: datetime, end: datetime) -> dict[str, Any]:
    """Offered, answered, abandoned, service level, ASA, AHT, abandon rate of
    the calls offered in [start, end) (definitions: queue_figure_aggregates)."""
    row = QueueCall.objects.filter(_offered_in(start, end)).aggregate(**queue_figure_aggregates())
    return queue_figures_result(row)


def _floor_figures(
    day: tuple[datetime, datetime], shift: tuple[datetime, datetime] | None, now: datetime
) -> tuple[dict[str, Any], dict[str, Any] | None, int]:
    """queue_figures for today and for the shift, and the calls offered in the
    last ARRIVAL_WINDOW, in one query over one index range (the union of the
    windows, about a day: the cost does not grow with history)."""
    windows = {"day_": day, **({"shift_": shift} if shift else {})}
    recent_start = now - ARRIVAL_WINDOW
    aggregates: dict[str, Any] = {"recent": Count("id", filter=_offered_in(recent_start, now, end_included=True))}
    for prefix, (start, end) in windows.items():
        aggregates.update(queue_figure_aggregates(within=_offered_in(start, end), prefix=prefix))
    lower = min([recent_start, *(start for start, _ in windows.values())])
    upper = max([now, *(end for _, end in windows.values())])
    row = QueueCall.objects.filter(_offered_in(lower, upper, end_included=True)).aggregate(**aggregates)
    day_figures = queue_figures_result(row, prefix="day_")
    shift_figures = queue_figures_result(row, prefix="shift_") if shift else None
    return day_figures, shift_figures, row["recent"]


def occupancy(start: datetime, end: datetime) -> float | None:
    """Time on calls (after-call work included) ÷ time logged in and not on
    break, over the state intervals overlapping [start, end)."""
    clipped = ExpressionWrapper(
        Least(Coalesce(F("ended_at"), Value(end)), Value(end)) - Greatest(F("at"), Value(start)),
        output_field=DurationField(),
    )
    rows = (
        AgentStateChange.objects.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start), at__lt=end)
        .values("to_state")
        .annotate(total=Sum(clipped))
    )
    seconds = {row["to_state"]: max(0.0, row["total"].total_seconds()) for row in rows if row["total"] is not None}
    staffed = sum(seconds.get(state, 0.0) for state in STAFFED_STATES)
    busy = sum(seconds.get(state, 0.0) for state in BUSY_STATES)
    return _ratio(busy, staffed)


def satisfaction(start: datetime, end: datetime) -> float | None:
    """Average rating of the calls logged in the window, on a 100 scale: a figure of
    the logged calls, defined by inquiries (callcenter.extensions, "satisfaction")."""
    return extensions.figure("satisfaction", start=start, end=end)


WAITING_KEYS = ("calls_waiting", "calls_waiting_by_queue", "longest_wait_seconds", "oldest_waiting_since")


def waiting_now(now: datetime) -> dict[str, Any]:
    rows = (
        QueueCall.objects.filter(status=QueueCall.Status.WAITING, offered_at__gte=now - WAITING_HORIZON)
        .values("queue")
        .annotate(n=Count("id"), oldest=Min("offered_at"))
        .order_by("queue")
    )
    by_queue = {row["queue"]: row["n"] for row in rows}
    oldest = min((row["oldest"] for row in rows), default=None)
    return {
        "calls_waiting": sum(by_queue.values()),
        "calls_waiting_by_queue": by_queue,
        "longest_wait_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0,
        "oldest_waiting_since": oldest,
    }


def queue_summary(now: datetime | None = None) -> dict[str, Any]:
    """The agents' small version: calls waiting and the longest wait."""
    now = now or timezone.now()
    return {**waiting_now(now), "generated_at": now}


# --- figures that change once a day (kept per day and process) ---------------------
# Kept for the operating day at the figures' version (FiguresVersion): a change to a
# past day's queue calls in any process (a backfill, a late event or categorization)
# moves the version on, and every process computes them again at its next push.
_daily = caches.declare("daily_figures", max_entries=16)


def figures_version() -> int:
    """The version of past days' queue calls (floor.services.figures_version_advance)."""
    return FiguresVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _local_hour() -> ExtractHour:
    """A queue call's local hour of offer (the database's own conversion)."""
    return ExtractHour("offered_at", tzinfo=timezone.get_current_timezone())


def calls_per_hour(start: datetime, end: datetime) -> list[int]:
    """Calls offered in [start, end) by local hour (0-23)."""
    rows = QueueCall.objects.filter(_offered_in(start, end)).values(hour=_local_hour()).annotate(n=Count("id"))
    hours = [0] * 24
    for row in rows.order_by():
        hours[row["hour"]] += row["n"]
    return hours


def usual_category_share(today: date, *, version: int) -> dict[int, float]:
    """Each category's share of calls over the previous four weeks (categories
    of calls with one); empty without history."""

    def compute() -> dict[int, float]:
        start, _ = day_window(today - timedelta(days=USUAL_SHARE_DAYS))
        end, _ = day_window(today)
        rows = (
            QueueCall.objects.filter(offered_at__gte=start, offered_at__lt=end, category__isnull=False)
            .values("category_id")
            .annotate(n=Count("id"))
        )
        total = sum(row["n"] for row in rows)
        return {row["category_id"]: row["n"] / total for row in rows} if total else {}

    return _daily.get(("share", today), compute, version=version)


def _category_hour_counts(
    now: datetime, day_start: datetime, day_end: datetime
) -> tuple[dict[int | None, dict[str, int]], list[int]]:
    """One grouped query for two figures: per category, the calls offered
    today (from day_start on) and in the last SURGE_WINDOW; and today's calls
    per hour ([day_start, day_end), as calls_per_hour)."""
    recent_start, soon = now - SURGE_WINDOW, now + timedelta(1)
    rows = (
        QueueCall.objects.filter(_offered_in(min(day_start, recent_start), max(day_end, soon)))
        .values("category_id", hour=_local_hour())
        .annotate(
            in_day=Count("id", filter=_offered_in(day_start, day_end)),
            today=Count("id", filter=_offered_in(day_start, soon)),
            recent=Count("id", filter=_offered_in(recent_start, soon)),
        )
        .order_by()
    )
    counts: dict[int | None, dict[str, int]] = {}
    hours = [0] * 24
    for row in rows:
        hours[row["hour"]] += row["in_day"]
        entry = counts.setdefault(row["category_id"], {"today": 0, "recent": 0})
        entry["today"] += row["today"]
        entry["recent"] += row["recent"]
    return counts, hours


def categories(
    now: datetime,
    day_start: datetime,
    counts: dict[int | None, dict[str, int]] | None = None,
    *,
    version: int | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Calls per category today, and the surges.

    A category surges when its calls in the last 15 minutes run well above its
    usual rate: at least SURGE_MIN_CALLS and at least SURGE_FACTOR times what
    its usual share (four weeks; without history, today before the window, once
    that holds 50 calls; else no surge is claimed) predicts beside the other
    categories' calls in those 15 minutes.
    """
    if counts is None:
        counts, _ = _category_hour_counts(now, day_start, day_start + timedelta(days=1))
    every = {category.pk: category for category in category_list_cached()}
    names = {pk: category for pk, category in every.items() if category.is_active}
    for pk in counts:
        if pk is not None and pk not in names:  # inactive, or made in another process a moment ago
            names[pk] = every.get(pk) or Category.objects.get(pk=pk)
    share = usual_category_share(operating_day(now), version=figures_version() if version is None else version)
    if not share:
        earlier = {pk: row["today"] - row["recent"] for pk, row in counts.items() if pk is not None}
        total_earlier = sum(earlier.values())
        if total_earlier >= 50:
            share = {pk: n / total_earlier for pk, n in earlier.items()}
        # else: no usual rate to compare with yet, so no surge is claimed
    recent_total = sum(row["recent"] for pk, row in counts.items() if pk is not None)
    goal = targets()
    by_category, surges = [], []
    for pk, category in names.items():
        row = counts.get(pk, {"today": 0, "recent": 0})
        # Compared with the other categories' calls in the same minutes (the
        # odds, not the share): a general peak lifts every category and flags
        # none, and a category that is usually half the calls can still surge.
        usual = min(share.get(pk, 0.0), 0.95)
        expected = usual / (1 - usual) * (recent_total - row["recent"])
        surging = (
            bool(share)
            and row["recent"] >= goal["surge_min_calls"]
            and row["recent"] >= goal["surge_factor"] * max(expected, 1.0)
        )
        entry = {
            "slug": category.slug,
            "name_ko": category.name_ko,
            "name_en": category.name_en or category.name_ko,
            "today": row["today"],
            "last_15_minutes": row["recent"],
            "surge": surging,
        }
        by_category.append(entry)
        if surging:
            surges.append({**entry, "expected_15_minutes": round(expected, 1)})
    if None in counts:
        by_category.append(
            {
                "slug": "",
                "name_ko": "",
                "name_en": "",
                "today": counts[None]["today"],
                "last_15_minutes": counts[None]["recent"],
            }
        )
    return by_category, surges


# --- the wallboard ---------------------------------------------------------------
def agents_now(
    now: datetime, day_start: datetime, *, after_call_work_limit: float = float("inf")
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Agents per state, and the board of those signed in; an agent in after-call
    work longer than `after_call_work_limit` seconds is marked `overdue`."""
    per_state = dict.fromkeys(AgentState.values, 0)
    board = []
    answered = dict(
        QueueCall.objects.filter(offered_at__gte=day_start, answered_at__isnull=False)
        .values_list("agent_id")
        .annotate(n=Count("id"))
        .values_list("agent_id", "n")
    )
    for status in AgentStatus.objects.select_related("agent").order_by("agent__username"):
        per_state[status.state] += 1
        if status.state == AgentState.OFFLINE:
            continue
        user = status.agent
        board.append(
            {
                "username": user.get_username(),
                "name": user.get_full_name() or user.get_username(),
                "state": status.state,
                "since": status.since,
                "seconds_in_state": round((now - status.since).total_seconds()),
                "overdue": status.state == AgentState.AFTER_CALL_WORK
                and (now - status.since).total_seconds() > after_call_work_limit,
                "answered_today": answered.get(user.pk, 0),
            }
        )
    return per_state, board


def _current_shift(now: datetime) -> tuple[Any, datetime, datetime, datetime] | None:
    """The running shift, its window, and the end its figures count up to (now)."""
    current = shift_current(at=now)
    if current is None:
        return None
    shift, start, end = current
    return shift, start, end, min(end, now + timedelta(seconds=1))


def _shift_figures(
    current: tuple[Any, datetime, datetime, datetime] | None, figures: dict[str, Any] | None
) -> dict[str, Any] | None:
    if current is None or figures is None:
        return None
    shift, start, end, _ = current
    # two counts, one round trip (this runs on every push)
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {ShiftAssignment._meta.db_table} WHERE shift_id = %s AND day = %s), "  # noqa: S608
        f"(SELECT COUNT(*) FROM {ShiftSession._meta.db_table} WHERE signed_out_at IS NULL)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [shift.pk, connection.ops.adapt_datefield_value(timezone.localdate(start))])
        rostered, signed_in = cursor.fetchone()
    return {
        "name_ko": shift.name_ko,
        "name_en": shift.name_en or shift.name_ko,
        "starts": start,
        "ends": end,
        **figures,
        "rostered": rostered,
        "signed_in": signed_in,
    }


def wallboard_stats(now: datetime | None = None) -> dict[str, Any]:
    """Every figure of the wallboard (the `stats` of its socket messages)."""
    now = now or timezone.now()
    today = operating_day(now)
    day_start, day_end = day_window(today)
    goal = targets()
    current_shift = _current_shift(now)
    day, shift_figures, recent = _floor_figures(
        (day_start, day_end), current_shift and (current_shift[1], current_shift[3]), now
    )
    waiting = waiting_now(now)
    per_state, agent_board = agents_now(now, day_start, after_call_work_limit=goal["after_call_work_limit_seconds"])
    category_counts, hours = _category_hour_counts(now, day_start, day_end)
    version = figures_version()
    by_category, surges = categories(now, day_start, category_counts, version=version)
    last_week_start, last_week_end = day_window(today - timedelta(days=7))
    aht_for_staffing = day["aht_seconds"] or float(getattr(settings, "DEFAULT_AHT_SECONDS", 180))
    staffing = erlang.agents_required(
        calls_per_second=recent / ARRIVAL_WINDOW.total_seconds(),
        aht_seconds=aht_for_staffing,
        threshold_seconds=goal["threshold_seconds"],
        target=goal["service_level"],
        max_occupancy=goal["erlang_max_occupancy"],
        shrinkage=goal["shrinkage"],
    )
    # An agent long in after-call work is not taking calls: shown apart, not counted as staffed.
    after_call_work_overdue = sum(1 for row in agent_board if row["overdue"])
    staffed = sum(per_state[state] for state in STAFFED_STATES) - after_call_work_overdue
    stats: dict[str, Any] = {
        "generated_at": now,
        # the operating day "today" means (from OPERATING_DAY_STARTS, 08:00, across midnight)
        "operating_day": today,
        "day_starts": day_start,
        **waiting,
        "agents": per_state,
        "agents_staffed": staffed,
        "agents_after_call_work_overdue": after_call_work_overdue,
        "agent_list": agent_board,
        "offered_today": day["offered"],
        "answered_today": day["answered"],
        "abandoned_today": day["abandoned"],
        # offers refused because the number is blocked (agent protection); not in offered_today
        "blocked_today": protection_selectors.blocked_attempts(day=today),
        "service_level": day["service_level"],
        "asa_seconds": day["asa_seconds"],
        "aht_seconds": day["aht_seconds"],
        "abandon_rate": day["abandon_rate"],
        "occupancy": occupancy(day_start, now),
        "satisfaction": satisfaction(day_start, day_end),
        "calls_by_category": by_category,
        "surges": surges,
        "calls_per_hour": hours,
        "calls_per_hour_last_week": _daily.get(
            ("last_week_hours", today), lambda: calls_per_hour(last_week_start, last_week_end), version=version
        ),
        "erlang": {
            "required": staffing.required,
            "scheduled": staffing.scheduled,
            "staffed": staffed,
            "shrinkage": goal["shrinkage"],
            "max_occupancy": goal["erlang_max_occupancy"],
            "predicted_occupancy": round(staffing.occupancy, 4),
            "arrival_rate_per_hour": round(recent * 3600 / ARRIVAL_WINDOW.total_seconds(), 1),
            "aht_seconds": round(aht_for_staffing, 1),
            "traffic_erlangs": round(staffing.traffic, 2),
            "predicted_service_level": round(staffing.service_level, 4),
            "p_wait": round(staffing.p_wait, 4),
        },
        "shift": _shift_figures(current_shift, shift_figures),
        "targets": goal,
    }
    stats["missed"] = missed_targets(stats)
    return stats


def missed_targets(stats: dict[str, Any]) -> list[str]:
    """The figures that miss their target (their tiles turn red)."""
    goal = stats["targets"]
    missed = []
    checks = {
        "service_level": lambda v: v < goal["service_level"],
        "asa_seconds": lambda v: v > goal["asa_seconds"],
        "abandon_rate": lambda v: v > goal["abandon_rate"],
        "occupancy": lambda v: v > goal["occupancy_max"],
        "satisfaction": lambda v: v < goal["satisfaction"],
        "longest_wait_seconds": lambda v: v > goal["longest_wait_seconds"],
    }
    for key, check in checks.items():
        value = stats.get(key)
        if value is not None and check(value):
            missed.append(key)
    if stats["erlang"]["required"] > stats["erlang"]["staffed"]:
        missed.append("erlang")
    if stats["surges"]:
        missed.append("surges")
    return missed


# --- change counter for the snapshot cache ------------------------------------------
_generation_lock = threading.Lock()
_generation = [0]


def floor_generation() -> int:
    """Grows by one after every committed change to the floor's figures."""
    return _generation[0]


def floor_changed() -> None:
    """After a commit that changed the floor's figures (floor/services.py)."""
    with _generation_lock:
        _generation[0] += 1


# The last figures computed, reused for snapshots while nothing changed in this
# process (a wall of sockets reconnecting at once costs one computation, not
# hundreds), for at most SNAPSHOT_MAX_AGE: another process's change is seen that late.
SNAPSHOT_MAX_AGE = 1.0
QUEUE_REUSE_SECONDS = 0.2
_last = caches.declare("wallboard_figures", seconds=SNAPSHOT_MAX_AGE, max_entries=1)


def wallboard_stats_fresh() -> dict[str, Any]:
    """Compute now (a push's payload) and remember the result for snapshots."""
    generation = floor_generation()
    stats = wallboard_stats()
    _last.put("stats", stats, version=generation)
    return stats


def queue_summary_fresh() -> dict[str, Any]:
    """A push's queue figures for the agents' consoles.

    The same change publishes the wallboard's figures first, in the same
    window (floor/services.py), so they are usually a few ms old
    and hold these figures: taken from them, not read again. Otherwise
    (another change since, or older than QUEUE_REUSE_SECONDS) read anew.
    """
    last = _last.peek("stats", version=floor_generation(), max_age=QUEUE_REUSE_SECONDS)
    if last is caches.MISSING:
        return queue_summary()
    return {key: last[key] for key in (*WAITING_KEYS, "generated_at")}


def wallboard_stats_cached() -> dict[str, Any]:
    """For a snapshot: the last figures if nothing changed in the last second."""
    last = _last.peek("stats", version=floor_generation())
    return wallboard_stats_fresh() if last is caches.MISSING else last


def agent_figures(*, agent: AbstractBaseUser, now: datetime | None = None) -> dict[str, Any]:
    """An agent's own figures today, for their console."""
    now = now or timezone.now()
    day_start, day_end = day_window(operating_day(now))
    row = QueueCall.objects.filter(agent=agent, offered_at__gte=day_start, offered_at__lt=day_end).aggregate(
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        aht=Avg("handle_seconds", filter=Q(handle_seconds__isnull=False)),
    )
    status = AgentStatus.objects.filter(agent=agent).first()
    signed_in = ShiftSession.objects.filter(agent=agent, signed_out_at__isnull=True).exists()
    return {
        "state": status.state if status else AgentState.OFFLINE,
        "state_label": str(AgentState(status.state if status else AgentState.OFFLINE).label),
        "since": status.since if status else None,
        "signed_in": signed_in,
        "answered_today": row["answered"],
        "aht_seconds": _round(row["aht"]),
        # a figure of the logged calls, defined by inquiries (callcenter.extensions)
        "logged_today": extensions.figure("calls_logged", agent=agent, start=day_start, end=day_end) or 0,
    }


def daily_report(*, day: date) -> dict[str, Any]:
    """Statistics of one day and of each shift that started on it."""
    start, end = day_window(day)
    shifts = []
    for shift in Shift.objects.filter(is_active=True):
        shift_start, shift_end = shift.window(day)
        shifts.append(
            {
                "name": shift.name,
                "starts": shift_start,
                "ends": shift_end,
                **queue_figures(shift_start, shift_end),
                "occupancy": occupancy(shift_start, min(shift_end, timezone.now())),
            }
        )
    return {
        "date": day,
        "day": {
            **queue_figures(start, end),
            "occupancy": occupancy(start, min(end, timezone.now())),
            "satisfaction": satisfaction(start, end),
            "calls_per_hour": calls_per_hour(start, end),
        },
        "shifts": shifts,
    }
