"""Drive a running console with a simulated day of phone-system events.

    python manage.py simulate_calls --speed 60 --surge events@14:00

Talks HTTP to the server (POST /api/cti/events/) with a phone_system token,
exactly as a PBX would. Events carry the real time at which they are sent;
with --speed N the simulated day runs N times faster, so counts and rates
are those of the simulated day while durations (waits, ASA, AHT) shrink N
times (Erlang C's required agents stay realistic: traffic = rate × AHT).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rest_framework.authtoken.models import Token

from callcenter.errors import ApplicationError
from callcenter.permissions import Role
from callcenter.workdays import operating_day
from floor import services as floor_services
from floor.models import ShiftAssignment
from floor.simulator import DaySimulation, Surge, backfill_day

MAX_BATCH = 500
BATCH_SPAN = 0.1  # real seconds


class Command(BaseCommand):
    help = "Simulate a day of calls against a running server through the phone-event API."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running console")
        parser.add_argument("--token", help="a phone_system user's API token (default: the demo user pbx's)")
        parser.add_argument(
            "--speed", type=float, default=1.0, help="simulated seconds per real second (60: an hour a minute)"
        )
        parser.add_argument("--start", default=None, help="simulated clock at the start, HH:MM (default: now)")
        parser.add_argument("--duration", type=float, default=60.0, help="simulated minutes to run (default 60)")
        parser.add_argument("--agents", type=int, default=40, help="simulated agents (created as sim01, sim02, …)")
        parser.add_argument("--calls-per-day", type=int, default=5000)
        parser.add_argument("--surge", default=None, help="a surge on one category, e.g. events@14:00")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--backfill-days",
            type=int,
            default=0,
            help="first write this many simulated past days straight into the database (demo history)",
        )

    def handle(self, *args, **options):
        if options["speed"] <= 0 or options["duration"] <= 0 or options["agents"] < 1:
            raise CommandError("--speed, --duration and --agents must be positive.")
        try:
            surge = Surge.parse(options["surge"]) if options["surge"] else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        now_local = timezone.localtime()
        start = self._clock(options["start"]) if options["start"] else now_local.hour * 3600 + now_local.minute * 60
        token = options["token"] or self._demo_token()
        agents = self._agents(options["agents"])
        if options["backfill_days"]:
            self._backfill(options["backfill_days"], agents, options["calls_per_day"], options["seed"])
        simulation = DaySimulation(
            agents=agents,
            start_seconds=start,
            duration_seconds=options["duration"] * 60,
            calls_per_day=options["calls_per_day"],
            surge=surge,
            seed=options["seed"],
            call_prefix=f"sim{int(time.time()):x}",
        )
        sender = _Sender(options["url"], token)
        speed = options["speed"]
        self._sign_in(agents)
        self.stdout.write(
            f"Simulating {options['duration']:g} min from {start // 3600:02.0f}:{start % 3600 // 60:02.0f} "
            f"at ×{speed:g} with {len(agents)} agents against {options['url']} (Ctrl+C stops)"
        )
        real_start = time.monotonic()
        wall_start = timezone.now()
        pending: list[dict] = []
        due_at = first_due = 0.0
        sent = {"applied": 0, "duplicate": 0, "rejected": 0}
        last_report = time.monotonic()
        try:
            for sim_t, body in simulation.events():
                offset = (sim_t - start) / speed
                body["at"] = (wall_start + timedelta(seconds=offset)).isoformat()
                # events due within 0.1 s of the batch's first go together
                if pending and (offset > first_due + BATCH_SPAN or len(pending) >= MAX_BATCH):
                    self._flush(sender, pending, sent, real_start + due_at)
                    pending = []
                if not pending:
                    first_due = offset
                pending.append(body)
                due_at = offset
                if time.monotonic() - last_report > 10:
                    last_report = time.monotonic()
                    clock = start + (time.monotonic() - real_start) * speed
                    self.stdout.write(f"  {clock // 3600 % 24:02.0f}:{clock % 3600 // 60:02.0f} simulated · {sent}")
            if pending:
                self._flush(sender, pending, sent, real_start + due_at)
        except KeyboardInterrupt:
            self.stdout.write("stopped")
        finally:
            self._sign_out(agents)
        self.stdout.write(self.style.SUCCESS(f"done: {sent}"))

    def _flush(self, sender: _Sender, events: list[dict], sent: dict, due: float) -> None:
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        body = sender.post(events if len(events) > 1 else events[0])
        results = body.get("results", [body])
        for result in results:
            sent[result.get("status", "rejected")] = sent.get(result.get("status", "rejected"), 0) + 1
            if result.get("status") == "rejected":
                self.stderr.write(f"  rejected: {result.get('error')}: {result.get('message')} {result.get('fields')}")

    def _sign_in(self, agents: list[str]) -> None:
        """The simulated agents are on today's roster of the running shift (if one
        runs) and sign in, as agents do at the console: the wallboard's shift
        line counts them."""
        current = floor_services.shift_current()
        for user in get_user_model().objects.filter(username__in=agents):
            if current is not None:
                shift, start, _end = current
                ShiftAssignment.objects.get_or_create(shift=shift, agent=user, day=timezone.localdate(start))
            with contextlib.suppress(ApplicationError):  # still signed in from an earlier run
                floor_services.shift_sign_in(agent=user)

    def _sign_out(self, agents: list[str]) -> None:
        for user in get_user_model().objects.filter(username__in=agents):
            with contextlib.suppress(ApplicationError):  # not signed in, or stopped in the middle of a call
                floor_services.shift_sign_out(agent=user)

    def _backfill(self, days: int, agents: list[str], calls_per_day: int, seed: int | None) -> None:
        ids = dict(get_user_model().objects.filter(username__in=agents).values_list("username", "pk"))
        today = operating_day(timezone.now())  # the days before the operating day running now
        for back in range(days, 0, -1):
            day = today - timedelta(days=back)
            written = backfill_day(day=day, agents=ids, calls_per_day=calls_per_day, seed=(seed or 0) + back)
            self.stdout.write(f"  history {day}: {written} calls" if written else f"  history {day}: already there")

    def _demo_token(self) -> str:
        token = Token.objects.filter(user__username="pbx").first()
        if token is None:
            raise CommandError("No --token and no demo user pbx: run `manage.py seed_demo` or pass --token.")
        return token.key

    def _agents(self, count: int) -> list[str]:
        """Simulated agents, created once (agents of the console's own database)."""
        User = get_user_model()
        group = Group.objects.get(name=Role.AGENT)
        names = []
        for n in range(1, count + 1):
            name = f"sim{n:02d}"
            user, created = User.objects.get_or_create(username=name, defaults={"first_name": f"시뮬 {n:02d}"})
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(group)
            names.append(name)
        return names

    @staticmethod
    def _clock(text: str) -> int:
        try:
            parsed = datetime.strptime(text, "%H:%M")
        except ValueError as exc:
            raise CommandError("--start must look like 08:00") from exc
        return parsed.hour * 3600 + parsed.minute * 60


class _Sender:
    """One kept-alive HTTP connection; reconnects (bounded) if the server restarts."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.https = parts.scheme == "https"
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.connection: http.client.HTTPConnection | None = None

    def post(self, payload) -> dict:
        data = json.dumps(payload).encode()
        for attempt in range(6):
            try:
                if self.connection is None:
                    cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
                    self.connection = cls(self.host, self.port, timeout=30)
                self.connection.request("POST", "/api/cti/events/", body=data, headers=self.headers)
                response = self.connection.getresponse()
                raw = response.read()
                if response.status in (401, 403):
                    raise CommandError(f"the server refused the token ({response.status})")
                if response.status in (429, 503):
                    # too fast, or the database is away for a moment: the batch was not taken; send it again
                    time.sleep(min(8.0, float(response.getheader("Retry-After") or 0.5 * 2**attempt)))
                    continue
                return json.loads(raw) if raw else {}
            except (OSError, http.client.HTTPException, json.JSONDecodeError, ValueError):
                self.connection = None
                time.sleep(min(8, 0.5 * 2**attempt))
        raise CommandError("the server cannot be reached")
