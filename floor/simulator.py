"""A day at the 120 call centre, as the phone system would report it.

A discrete-event simulation on a simulated clock: Poisson arrivals whose rate
follows a time-of-day profile scaled to about `calls_per_day`, callers who
hang up when their patience (exponential) runs out, talk and after-call work
times drawn from log-normal distributions, agents who answer in turn when
available and take breaks, and an optional surge on one category. It yields
phone-system events (the bodies of POST /api/cti/events/) with the simulated
time at which each happens; `manage.py simulate_calls` sends them over HTTP.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

# Share of a day's calls in each hour (local time). The centre opens 08:00–19:00;
# the night hours are small but not zero, ready for 24-hour service.
HOURLY_PROFILE = [
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 1.0,  # 00–07
    6.0, 10.5, 11.5, 10.5, 7.5, 9.5, 10.0, 9.5,  # 08–15
    8.5, 7.5, 5.5, 1.0, 0.5, 0.4, 0.3, 0.3,  # 16–23
]  # fmt: skip
CATEGORY_WEIGHTS = {
    "water": 17,
    "transit": 20,
    "complaint": 14,
    "events": 7,
    "housing": 8,
    "produce": 5,
    "welfare": 9,
    "legal": 4,
    "health": 6,
    "other": 10,
}
LANGUAGES = [("ko", "general", 94), ("en", "english", 3), ("zh", "chinese", 2), ("ja", "japanese", 1)]
SURGE_EXTRA = 0.6  # a surge adds this share of the normal arrivals, all in its category
SURGE_MINUTES = 60


@dataclass
class Surge:
    category: str
    at_seconds: float  # simulated seconds after midnight

    @classmethod
    def parse(cls, text: str) -> Surge:
        """'events@14:00' -> Surge('events', 50400)."""
        category, _, clock = text.partition("@")
        hours, _, minutes = clock.partition(":")
        if not category or not hours.isdigit() or not (minutes or "0").isdigit():
            raise ValueError(f"surge must look like events@14:00, not {text!r}")
        return cls(category, int(hours) * 3600 + int(minutes or 0) * 60)


@dataclass
class SimAgent:
    username: str
    state: str = "available"
    next_break_at: float = 0.0


@dataclass(order=True)
class _Happening:
    at: float
    order: int
    kind: str = field(compare=False)
    data: dict = field(compare=False, default_factory=dict)


class DaySimulation:
    """Yields (simulated second of the day, event body) in time order."""

    def __init__(
        self,
        *,
        agents: list[str],
        start_seconds: float,
        duration_seconds: float,
        calls_per_day: int = 5000,
        surge: Surge | None = None,
        seed: int | None = None,
        call_prefix: str = "sim",
    ) -> None:
        self.random = random.Random(seed)
        self.start = start_seconds
        self.end = start_seconds + duration_seconds
        self.calls_per_day = calls_per_day
        self.surge = surge
        self.prefix = call_prefix
        self.agents = [SimAgent(name, next_break_at=start_seconds + self._break_gap()) for name in agents]
        self.queue: deque[str] = deque()
        self.calls: dict[str, dict] = {}
        self.heap: list[_Happening] = []
        self.order = itertools.count()
        self.numbers = [f"010-{self.random.randint(2000, 9999)}-{self.random.randint(1000, 9999)}" for _ in range(3000)]
        self.profile_total = sum(HOURLY_PROFILE)

    # --- distributions -----------------------------------------------------------
    def rate(self, t: float) -> float:
        """Arrivals per simulated second at second-of-day t."""
        hour = int(t // 3600) % 24
        base = self.calls_per_day * HOURLY_PROFILE[hour] / self.profile_total / 3600
        return base

    def surge_rate(self, t: float) -> float:
        if self.surge and self.surge.at_seconds <= t < self.surge.at_seconds + SURGE_MINUTES * 60:
            return self.rate(t) * SURGE_EXTRA
        return 0.0

    def _lognormal(self, mean: float, sigma: float = 0.5) -> float:
        mu = math.log(mean) - sigma**2 / 2
        return self.random.lognormvariate(mu, sigma)

    def _break_gap(self) -> float:
        return self.random.uniform(60, 150) * 60

    # --- the simulation --------------------------------------------------------------
    def _push(self, at: float, kind: str, **data) -> None:
        heapq.heappush(self.heap, _Happening(at, next(self.order), kind, data))

    def _next_arrival(self, t: float, *, surge: bool) -> None:
        # thinning: the rate changes by the hour, so draw against the hour's peak
        peak = max(self.calls_per_day * max(HOURLY_PROFILE) / self.profile_total / 3600, 1e-9)
        if surge:
            peak *= SURGE_EXTRA
        while t < self.end:
            t += self.random.expovariate(peak)
            rate = self.surge_rate(t) if surge else self.rate(t)
            if self.random.random() < rate / peak:
                self._push(t, "arrival", surge=surge)
                return

    def events(self) -> Iterator[tuple[float, dict]]:
        t = self.start
        for agent in self.agents:
            yield t, {"event": "agent.state", "agent": agent.username, "state": "available"}
        self._next_arrival(t, surge=False)
        if self.surge:
            self._next_arrival(max(t, self.surge.at_seconds) - 1e-3, surge=True)
        serial = itertools.count(1)
        while self.heap:
            happening = heapq.heappop(self.heap)
            t = happening.at
            if t >= self.end:
                break
            yield from self._handle(happening, t, serial)
        # close the day: callers still waiting hang up, calls in progress end, agents sign off
        for call_id, call in self.calls.items():
            if call["state"] in ("waiting", "ringing"):
                yield self.end, {"event": "call.abandoned", "call_id": call_id}
            elif call["state"] == "talking":
                yield self.end, {"event": "call.ended", "call_id": call_id}
        for agent in self.agents:
            yield self.end, {"event": "agent.state", "agent": agent.username, "state": "offline"}

    def _handle(self, happening: _Happening, t: float, serial) -> Iterator[tuple[float, dict]]:
        kind, data = happening.kind, happening.data
        if kind == "arrival":
            self._next_arrival(t, surge=data["surge"])
            call_id = f"{self.prefix}-{next(serial):06d}"
            language, queue, _ = self.random.choices(LANGUAGES, weights=[w for *_, w in LANGUAGES])[0]
            category = (
                self.surge.category
                if data["surge"]
                else self.random.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
            )
            self.calls[call_id] = {"state": "waiting"}
            yield (
                t,
                {
                    "event": "call.offered",
                    "call_id": call_id,
                    "caller_number": self.random.choice(self.numbers),
                    "language": language,
                    "queue": queue,
                    "category": category,
                },
            )
            self.queue.append(call_id)
            self._push(t + self.random.expovariate(1 / 75), "patience", call_id=call_id)
            yield from self._assign(t)
        elif kind == "patience":
            call_id = data["call_id"]
            if self.calls[call_id]["state"] == "waiting":
                self.queue.remove(call_id)
                self.calls[call_id]["state"] = "abandoned"
                yield t, {"event": "call.abandoned", "call_id": call_id}
        elif kind == "answer":
            call_id, agent = data["call_id"], data["agent"]
            self.calls[call_id]["state"] = "talking"
            yield t, {"event": "call.answered", "call_id": call_id, "agent": agent.username}
            self._push(t + self._lognormal(160, 0.55), "end_call", call_id=call_id, agent=agent)
        elif kind == "end_call":
            call_id, agent = data["call_id"], data["agent"]
            self.calls[call_id]["state"] = "ended"
            agent.state = "after_call_work"
            yield t, {"event": "call.ended", "call_id": call_id}
            self._push(t + self._lognormal(30, 0.6), "end_wrap", agent=agent)
        elif kind == "end_wrap":
            agent = data["agent"]
            if t >= agent.next_break_at:
                agent.state = "break"
                agent.next_break_at = t + self._break_gap()
                yield t, {"event": "agent.state", "agent": agent.username, "state": "break"}
                self._push(t + self.random.uniform(10, 20) * 60, "end_break", agent=agent)
            else:
                agent.state = "available"
                yield t, {"event": "agent.state", "agent": agent.username, "state": "available"}
                yield from self._assign(t)
        elif kind == "end_break":
            agent = data["agent"]
            agent.state = "available"
            yield t, {"event": "agent.state", "agent": agent.username, "state": "available"}
            yield from self._assign(t)

    def _assign(self, t: float) -> Iterator[tuple[float, dict]]:
        """Waiting callers go to available agents, longest-idle first (in list order)."""
        while self.queue:
            free = [agent for agent in self.agents if agent.state == "available"]
            if not free:
                return
            agent = self.random.choice(free)
            call_id = self.queue.popleft()
            self.calls[call_id]["state"] = "ringing"
            agent.state = "on_call"
            self._push(t + self.random.uniform(1, 4), "answer", call_id=call_id, agent=agent)
        return
        yield  # a generator even when nobody is free


def backfill_day(*, day, agents: dict[str, int], calls_per_day: int, seed: int | None = None) -> int:
    """Write one simulated past operating day (from OPERATING_DAY_STARTS, 08:00, to
    the same time the next day: its night shift included) straight into the queue
    table (demo history: last week's curve on the chart, the usual category shares
    for surges), and move the daily figures' version on.

    Skips a day that already has calls. Returns the number of calls written.
    """
    from datetime import datetime, timedelta

    from django.db import transaction
    from django.utils import timezone

    from callcenter.workdays import operating_day_window
    from floor.models import QueueCall
    from floor.services import figures_version_advance
    from knowledgebase.models import Category

    start, end = operating_day_window(day)
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    if QueueCall.objects.filter(offered_at__gte=start, offered_at__lt=end).exists():
        return 0
    categories = dict(Category.objects.values_list("slug", "pk"))
    simulation = DaySimulation(
        agents=list(agents),
        start_seconds=(start - midnight).total_seconds(),  # the simulation's clock: seconds since midnight
        duration_seconds=(end - start).total_seconds(),
        calls_per_day=calls_per_day,
        seed=seed,
        call_prefix=f"hist{day:%Y%m%d}",
    )
    rows: dict[str, QueueCall] = {}
    for t, body in simulation.events():
        at = midnight + timedelta(seconds=t)
        call = rows.get(body.get("call_id", ""))
        if body["event"] == "call.offered":
            rows[body["call_id"]] = QueueCall(
                call_id=body["call_id"],
                caller_number=body["caller_number"].replace("-", ""),
                language=body["language"],
                queue=body["queue"],
                category_id=categories.get(body["category"]),
                offered_at=at,
            )
        elif body["event"] == "call.answered" and call:
            call.status, call.answered_at, call.agent_id = "talking", at, agents[body["agent"]]
            call.wait_seconds = (at - call.offered_at).total_seconds()
        elif body["event"] == "call.ended" and call and call.answered_at:
            call.status, call.ended_at = "ended", at
            call.talk_seconds = (at - call.answered_at).total_seconds()
            call.wrap_seconds = 30.0
            call.handle_seconds = call.talk_seconds + call.wrap_seconds
        elif body["event"] == "call.abandoned" and call:
            call.status, call.ended_at = "abandoned", at
            call.wait_seconds = (at - call.offered_at).total_seconds()
            call.agent_id = call.answered_at = None
    with transaction.atomic():
        QueueCall.objects.bulk_create(rows.values(), batch_size=1000)
        figures_version_advance()  # the wallboard's last-week line and usual shares read these
    return len(rows)
