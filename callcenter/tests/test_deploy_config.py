"""The production configuration a city's IT team installs (deploy/): the rolling restart
rewrites both of nginx's upstreams, systemd starts daphne as `make prod` does, and
`make prod` reloads nginx only when its processes' ports change.

The rolling restart runs for real here, with systemctl, nginx and curl replaced by small
scripts on PATH that log what they are asked (nothing here is root, nor a real service).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from callcenter.testing.servers import BASE_DIR

DEPLOY = BASE_DIR / "deploy"


@pytest.fixture
def prodctl(tmp_path, monkeypatch):
    """deploy/prodctl.py as `make prod` loads it, its state under tmp_path, plain HTTP."""
    monkeypatch.setenv("PROD_DIR", str(tmp_path / "prod"))
    monkeypatch.setenv("TLS", "0")
    spec = importlib.util.spec_from_file_location("dasan_prodctl", DEPLOY / "prodctl.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text(f"#!/usr/bin/env bash\n{body}\n")
    path.chmod(0o755)


def rolling_restart(tmp_path: Path, *, healthy: bool) -> tuple[subprocess.CompletedProcess, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    stub(bin_dir, "systemctl", f'echo "systemctl $*" >> {log}')
    stub(bin_dir, "nginx", f'echo "nginx $*" >> {log}')
    stub(bin_dir, "curl", "exit 0" if healthy else "exit 22")
    for name in ("dasan-upstream.conf", "dasan-upstream-ws.conf"):
        shutil.copy(DEPLOY / "nginx" / name, tmp_path / name)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "UPSTREAM": str(tmp_path / "dasan-upstream.conf"),
        "UPSTREAM_WS": str(tmp_path / "dasan-upstream-ws.conf"),
        "DRAIN_SECONDS": "0",
        "HEALTH_TRIES": "2",
    }
    done = subprocess.run(  # noqa: S603
        [shutil.which("bash"), str(DEPLOY / "rolling-restart.sh")], env=env, capture_output=True, text=True, timeout=60
    )
    return done, log.read_text().splitlines() if log.exists() else []


def servers(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.startswith("server ")]


def test_rolling_restart_moves_pages_and_websockets_to_the_new_processes(tmp_path):
    done, calls = rolling_restart(tmp_path, healthy=True)

    assert done.returncode == 0, done.stderr
    assert servers(tmp_path / "dasan-upstream.conf") == [
        "server 127.0.0.1:8101 max_fails=1 fail_timeout=5s;",
        "server 127.0.0.1:8102 max_fails=1 fail_timeout=5s;",
    ]
    # the websockets' upstream follows, and keeps its own failure rule
    assert servers(tmp_path / "dasan-upstream-ws.conf") == [
        "server 127.0.0.1:8101 max_fails=0;",
        "server 127.0.0.1:8102 max_fails=0;",
    ]
    # one at a time: the new process starts before nginx moves to it and the old one stops after
    systemctl = [c for c in calls if c.startswith("systemctl")]
    assert systemctl.index("systemctl start dasan-daphne@8101") < systemctl.index(
        "systemctl disable --now dasan-daphne@8001"
    )
    assert systemctl.index("systemctl disable --now dasan-daphne@8001") < systemctl.index(
        "systemctl start dasan-daphne@8102"
    )
    assert calls.count("systemctl reload nginx") == 2


def test_a_new_process_that_never_answers_changes_nothing(tmp_path):
    done, calls = rolling_restart(tmp_path, healthy=False)

    assert done.returncode == 1
    assert "dasan-daphne@8101 is not healthy: 8001 keeps serving" in done.stderr
    for name in ("dasan-upstream.conf", "dasan-upstream-ws.conf"):
        assert (tmp_path / name).read_text() == (DEPLOY / "nginx" / name).read_text()
    assert "systemctl reload nginx" not in calls
    assert "systemctl stop dasan-daphne@8101" in calls  # the process that failed is not left running


def test_both_upstream_files_list_the_same_processes():
    ports = [re.search(r":(\d+) ", line).group(1) for line in servers(DEPLOY / "nginx" / "dasan-upstream.conf")]
    ws_ports = [re.search(r":(\d+) ", line).group(1) for line in servers(DEPLOY / "nginx" / "dasan-upstream-ws.conf")]
    assert ports == ws_ports == ["8001", "8002"]


def test_make_prod_routes_websockets_through_their_own_upstream(prodctl):
    conf = prodctl.nginx_conf([9001, 9002])

    assert re.search(r"upstream dasan \{[^}]*server 127\.0\.0\.1:9001 max_fails=1", conf)
    assert re.search(r"upstream dasan_ws \{[^}]*server 127\.0\.0\.1:9002 max_fails=0;", conf)
    locations = (DEPLOY / "nginx" / "dasan-locations.conf").read_text()
    assert re.search(r"location /ws/ \{\s*proxy_pass http://dasan_ws;", locations)


def test_systemd_starts_daphne_as_make_prod_does(prodctl):
    unit = (DEPLOY / "systemd" / "dasan-daphne@.service").read_text()
    exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    arguments = exec_start.removeprefix("ExecStart=").split()[1:]
    command = prodctl.daphne_command(8001)

    assert arguments == [a.replace("8001", "%i") for a in command[1:]]
    assert "backlog=1024" in " ".join(arguments)


class FakeNginx:
    pid = 1

    def __init__(self) -> None:
        self.signals: list[int] = []

    def send_signal(self, sent: int) -> None:
        self.signals.append(sent)

    def poll(self) -> None:
        return None


def test_nginx_is_reloaded_only_when_its_processes_change(prodctl, monkeypatch):
    """A reload's old nginx workers cut every websocket they hold after worker_shutdown_timeout:
    a crashed process started again on its own port must not reload nginx."""
    written = []
    monkeypatch.setattr(prodctl, "write_nginx_conf", lambda ports: written.append(list(ports)))
    topology = prodctl.Topology({})
    topology.nginx, topology.nginx_ports = FakeNginx(), [9001, 9003]
    topology.nginx_points_at([SimpleNamespace(port=9001), SimpleNamespace(port=9003)])
    assert topology.nginx.signals == [] and written == []
    topology.nginx_points_at([SimpleNamespace(port=9002), SimpleNamespace(port=9003)])  # a reload's new process
    assert topology.nginx.signals == [signal.SIGHUP] and written == [[9002, 9003]]


@pytest.mark.parametrize("which", [0, 1])
def test_a_crashed_process_starts_again_on_its_own_port(prodctl, monkeypatch, which):
    started = []

    class Process:
        returncode = None

        def __init__(self, command, **kwargs) -> None:
            started.append(command)

        def poll(self) -> None:
            return None

    monkeypatch.setattr(prodctl.subprocess, "Popen", Process)
    monkeypatch.setattr(prodctl, "healthy", lambda port: True)
    monkeypatch.setattr(prodctl, "port_free", lambda port: True)
    prodctl.LOGS.mkdir(parents=True, exist_ok=True)
    topology = prodctl.Topology({})
    crashed_on = topology.ports_of(0)[which]
    assert topology.spawn(0, prefer=crashed_on).port == crashed_on
    assert f"tcp:port={crashed_on}:interface=127.0.0.1:backlog=1024" in started[0]
