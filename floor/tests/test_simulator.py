"""The call simulator: a realistic day (volume, profile, surge, possible sequences),
the history it writes, and `manage.py simulate_calls` driving a live server."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token

from callcenter.permissions import Role
from callcenter.workdays import operating_day
from floor.models import AgentStatus, PhoneEvent, QueueCall, ShiftAssignment, ShiftSession
from floor.simulator import CATEGORY_WEIGHTS, DaySimulation, Surge, backfill_day
from floor.tests.fixtures import shift_running_now

AGENTS = [f"sim{n:02d}" for n in range(1, 41)]


def day(**options) -> list[tuple[float, dict]]:
    defaults = {"agents": AGENTS, "start_seconds": 0, "duration_seconds": 24 * 3600, "seed": 7}
    return list(DaySimulation(**{**defaults, **options}).events())


def hour_of(seconds: float) -> int:
    return int(seconds // 3600)


def test_a_day_brings_about_the_calls_it_is_scaled_to_following_the_profile():
    events = day(calls_per_day=5000)
    offered = [t for t, body in events if body["event"] == "call.offered"]
    assert 4700 <= len(offered) <= 5300
    per_hour = Counter(hour_of(t) for t in offered)
    assert per_hour[10] > 10 * max(per_hour[3], 1)  # mid-morning peak against the night
    assert per_hour[10] > per_hour[12]  # the lunch dip
    times = [t for t, _ in events]
    assert times == sorted(times)
    languages = Counter(body["queue"] for _, body in events if body["event"] == "call.offered")
    assert languages.most_common(1)[0][0] == "general" and set(languages) <= {
        "general",
        "english",
        "chinese",
        "japanese",
    }


def test_every_call_follows_a_possible_sequence_and_agents_take_one_call_at_a_time():
    events = day(calls_per_day=3000, agents=AGENTS[:12])  # few agents: queues, abandons
    sequence: dict[str, list[str]] = defaultdict(list)
    talking_to: dict[str, str] = {}
    for _, body in events:
        if "call_id" in body:
            sequence[body["call_id"]].append(body["event"])
        if body["event"] == "call.answered":
            assert body["agent"] not in talking_to, "an agent answered a second call during the first"
            talking_to[body["agent"]] = body["call_id"]
        if body["event"] == "call.ended":
            agent = next(a for a, c in talking_to.items() if c == body["call_id"])
            del talking_to[agent]
    shapes = Counter(tuple(events_of_call) for events_of_call in sequence.values())
    assert set(shapes) <= {("call.offered", "call.answered", "call.ended"), ("call.offered", "call.abandoned")}
    assert shapes[("call.offered", "call.abandoned")] > 0  # some callers give up
    assert shapes[("call.offered", "call.answered", "call.ended")] > shapes[("call.offered", "call.abandoned")]
    assert not talking_to  # the day closes every call
    last_states = {body["agent"]: body["state"] for _, body in events if body["event"] == "agent.state"}
    assert set(last_states.values()) == {"offline"}


def test_a_surge_floods_its_category_for_an_hour():
    calm = day(calls_per_day=5000)
    surge = day(calls_per_day=5000, surge=Surge.parse("events@14:00"))

    def events_calls(events, hour):
        return sum(
            1
            for t, body in events
            if body["event"] == "call.offered" and body["category"] == "events" and hour_of(t) == hour
        )

    share = CATEGORY_WEIGHTS["events"] / sum(CATEGORY_WEIGHTS.values())
    assert events_calls(surge, 14) > 3 * max(events_calls(calm, 14), 1)
    assert events_calls(surge, 14) > 5000 * 0.1 * 0.6 * 0.8  # ~60 % more calls in that hour, all in one category
    assert events_calls(surge, 16) < 5000 * 0.1 * share * 3  # over after the hour
    with pytest.raises(ValueError):
        Surge.parse("events-at-two")


@pytest.mark.django_db
def test_backfill_writes_one_past_day_once(reference_data, make_user):
    ids = {user.username: user.pk for user in (make_user(Role.AGENT, username=name) for name in AGENTS[:10])}
    yesterday = operating_day(timezone.now()) - timedelta(days=1)

    written = backfill_day(day=yesterday, agents=ids, calls_per_day=800, seed=3)

    calls = QueueCall.objects.all()
    assert written == calls.count() and 650 <= written <= 950
    # one operating day, 08:00 to 08:00: its night shift's calls after midnight included
    assert {operating_day(c.offered_at) for c in calls} == {yesterday}
    assert any(timezone.localtime(c.offered_at).date() > yesterday for c in calls)
    assert set(calls.values_list("status", flat=True)) <= {"ended", "abandoned"}
    assert not calls.filter(status="ended", answered_at__isnull=True).exists()
    assert backfill_day(day=yesterday, agents=ids, calls_per_day=800, seed=3) == 0  # already there
    assert QueueCall.objects.count() == written


@pytest.mark.django_db(transaction=True)
def test_the_command_drives_a_live_server_through_the_event_api(reference_data, live_server, make_user):
    pbx = make_user(Role.PHONE_SYSTEM, username="pbx_sim")
    token = Token.objects.create(user=pbx).key
    shift = shift_running_now(left=timedelta(hours=2))
    out = io.StringIO()

    call_command(
        "simulate_calls",
        "--url", live_server.url, "--token", token, "--speed", "3600", "--start", "10:00",
        "--duration", "20", "--agents", "6", "--seed", "5",
        stdout=out,
    )  # fmt: skip

    statuses = Counter(PhoneEvent.objects.values_list("status", flat=True))
    assert statuses["rejected"] == 0, list(
        PhoneEvent.objects.filter(status="rejected").values("event", "error_message")
    )
    # a batch sent again after a slow answer is taken once: its repeats are stored as duplicates
    offered = PhoneEvent.objects.filter(event="call.offered").exclude(status="duplicate").count()
    assert offered >= 100  # 20 minutes of a 10 o'clock hour
    assert QueueCall.objects.count() == offered, statuses
    assert not QueueCall.objects.filter(status__in=["waiting", "talking"]).exists()  # the run closes its calls
    assert "done:" in out.getvalue()
    # the simulated agents were rostered and signed in for the run, and signed out after it
    agents = [f"sim{n:02d}" for n in range(1, 7)]
    assert ShiftAssignment.objects.filter(shift=shift, agent__username__in=agents).count() == 6
    sessions = ShiftSession.objects.filter(agent__username__in=agents)
    assert sessions.count() == 6 and not sessions.filter(signed_out_at__isnull=True).exists()
    assert set(AgentStatus.objects.filter(agent__username__in=agents).values_list("state", flat=True)) == {"offline"}


@pytest.mark.django_db
def test_the_command_refuses_bad_options(reference_data):
    for args, message in [
        (["--speed", "0"], "must be positive"),
        (["--surge", "events-at-two"], "surge must look like"),
        (["--start", "25:99", "--token", "x"], "--start must look like"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("simulate_calls", "--url", "http://127.0.0.1:9", *args, stdout=io.StringIO())
    assert not get_user_model().objects.filter(username__startswith="sim").exists()  # nothing was made


def test_a_batch_refused_for_its_rate_is_sent_again_not_dropped(monkeypatch):
    # given a server that answers the first batch with 429 (the token's rate) and then takes it
    import http.server
    import json
    import threading

    from floor.management.commands import simulate_calls

    monkeypatch.setattr(simulate_calls.time, "sleep", lambda seconds: None)
    bodies: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            refused = len(bodies) == 1
            body = json.dumps({"error": "throttled"} if refused else {"results": [{"outcome": "applied"}]}).encode()
            self.send_response(429 if refused else 200)
            if refused:
                self.send_header("Retry-After", "1")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sender = simulate_calls._Sender(f"http://127.0.0.1:{server.server_address[1]}", "token")
        # when the simulator posts one batch
        answer = sender.post([{"event": "call.offered", "call_id": "c1"}])
    finally:
        server.shutdown()
    # then the same batch went again and its answer is the server's acceptance
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    assert answer == {"results": [{"outcome": "applied"}]}
