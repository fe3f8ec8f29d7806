"""Erlang C: how many agents a queue needs (DOMAIN.md §5).

traffic A = arrival rate × AHT (in erlangs); with N agents
P(wait) = (Aᴺ/N! · N/(N−A)) ÷ (Σ_{k<N} Aᵏ/k! + Aᴺ/N! · N/(N−A)),
service level(t) = 1 − P(wait)·e^(−(N−A)t/AHT), ASA = P(wait)·AHT/(N−A).

Computed through the Erlang B recurrence, so hundreds of agents neither
overflow nor lose precision.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

# Far above any floor this product serves; bounds the search loop.
MAX_AGENTS = 2000


def p_wait(traffic: float, agents: int) -> float:
    """Erlang C probability that a caller waits; 1.0 when agents ≤ traffic."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    # Erlang B by its recurrence, then C from B: the same value as the formula
    # above, without A^N/N! (which overflows past a few hundred agents).
    erlang_b = 1.0
    for k in range(1, agents + 1):
        erlang_b = traffic * erlang_b / (k + traffic * erlang_b)
    return agents * erlang_b / (agents - traffic * (1 - erlang_b))


def service_level(traffic: float, agents: int, aht_seconds: float, threshold_seconds: float) -> float:
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return 1.0 - p_wait(traffic, agents) * math.exp(-(agents - traffic) * threshold_seconds / aht_seconds)


def average_speed_of_answer(traffic: float, agents: int, aht_seconds: float) -> float:
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return p_wait(traffic, agents) * aht_seconds / (agents - traffic)


@dataclass(frozen=True)
class Staffing:
    required: int  # agents on the phones: the service level target, then the occupancy ceiling
    traffic: float
    p_wait: float
    service_level: float
    asa_seconds: float
    occupancy: float = 0.0  # predicted: traffic / required
    scheduled: int = 0  # agents to roster once shrinkage (breaks, training, absence) takes its share

    def as_dict(self) -> dict:
        return {key: (round(value, 4) if isinstance(value, float) else value) for key, value in asdict(self).items()}


def agents_required(
    *,
    calls_per_second: float,
    aht_seconds: float,
    threshold_seconds: float,
    target: float,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
) -> Staffing:
    """The fewest agents on the phones whose predicted service level meets `target`
    and whose occupancy (traffic / agents) stays within `max_occupancy`, and how many
    to schedule so that, after `shrinkage`, that many are on the phones.

    The same steps as pyworkforce's ErlangC.required_positions: the service-level
    search, then ceil(traffic / max_occupancy) when the occupancy would exceed it,
    then ceil(agents / (1 - shrinkage)); tests/test_erlang.py checks its figures.
    """
    if not 0 < max_occupancy <= 1:
        raise ValueError("max_occupancy must be in (0, 1]")
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be in [0, 1)")
    traffic = calls_per_second * aht_seconds
    if traffic <= 0 or aht_seconds <= 0:
        return Staffing(required=0, traffic=0.0, p_wait=0.0, service_level=1.0, asa_seconds=0.0)
    agents = max(1, math.floor(traffic) + 1)
    while agents < MAX_AGENTS and service_level(traffic, agents, aht_seconds, threshold_seconds) < target:
        agents += 1
    # A small tolerance: 8.5 / 0.85 is 10 agents, not 11 from a floating-point 10.000000000000002.
    agents = max(agents, math.ceil(traffic / max_occupancy - 1e-9))
    return Staffing(
        required=agents,
        traffic=traffic,
        p_wait=p_wait(traffic, agents),
        service_level=service_level(traffic, agents, aht_seconds, threshold_seconds),
        asa_seconds=average_speed_of_answer(traffic, agents, aht_seconds),
        occupancy=traffic / agents,
        scheduled=math.ceil(agents / (1 - shrinkage) - 1e-9),
    )
