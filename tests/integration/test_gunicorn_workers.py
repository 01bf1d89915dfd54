"""The Procfile's web process (gunicorn with ``api/gunicorn_conf.py``) spreads client connections over
its workers. Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel hands each new
connection to one of them; on one shared socket the worker that woke first could take a whole burst
of keep-alive clients and serve them alone while the other idled."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from api.config import Settings
from tests.integration.helpers import ROOT, env_for, stop
from tests.integration.smtp_sink import free_port

WORKERS = 2
CLIENTS = 64
CONF = ROOT / "api" / "gunicorn_conf.py"


def _listening(port: int) -> int:
    """Listening TCP sockets on ``port`` (any address), from the kernel's table."""
    found = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                found += 1
    return found


def _pid(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/pid")
        return int(json.loads(conn.getresponse().read())["pid"])
    finally:
        conn.close()


def _start(settings: Settings, port: int, **extra: str) -> subprocess.Popen[str]:
    env = env_for(settings, CAMPAIGNEVENTS_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(WORKERS), **extra)
    argv = [sys.executable, "-m", "gunicorn", "--config", str(CONF), "tests.integration.worker_pid_app:app"]
    server = subprocess.Popen(
        argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 60
    while True:  # answering: the first worker is up
        assert server.poll() is None, stop(server)
        assert time.monotonic() < deadline, f"gunicorn did not answer: {stop(server)}"
        try:
            _pid(port)
            break
        except OSError:
            time.sleep(0.1)
    settle = time.monotonic() + 10  # the others boot meanwhile
    while _listening(port) < WORKERS and time.monotonic() < settle:
        time.sleep(0.1)
    return server


def test_every_worker_listens_and_takes_its_share_of_a_burst(sqlite_settings: Settings) -> None:
    port = free_port()
    server = _start(sqlite_settings, port)
    try:
        assert _listening(port) == WORKERS  # a socket per worker, none shared
        conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(CLIENTS)]
        for conn in conns:  # the burst: every connection open before any request
            conn.connect()
        served: list[int] = []

        def ask(conn: http.client.HTTPConnection) -> None:
            conn.request("GET", "/pid")
            served.append(int(json.loads(conn.getresponse().read())["pid"]))

        threads = [threading.Thread(target=ask, args=(conn,)) for conn in conns]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        for conn in conns:
            conn.close()
        per_worker = Counter(served)
        assert len(served) == CLIENTS
        assert len(per_worker) == WORKERS, per_worker
        # the kernel spreads connections by their addresses: 32 each on average; fewer than 12 of
        # 64 for one worker has a probability below 1e-6 when it is even
        assert min(per_worker.values()) >= 12, per_worker
        assert _pid(port) in per_worker
    finally:
        stop(server)


def test_one_shared_socket_when_asked(sqlite_settings: Settings) -> None:
    """``CAMPAIGNEVENTS_WEB_REUSE_PORT=n`` (for systemd socket activation or a USR2 re-exec): the
    master's one socket, shared by the workers, which both still serve."""
    port = free_port()
    server = _start(sqlite_settings, port, CAMPAIGNEVENTS_WEB_REUSE_PORT="n")
    try:
        time.sleep(1.0)  # the second worker is up (it opens no socket of its own)
        assert _listening(port) == 1
        assert _pid(port) != server.pid
    finally:
        stop(server)
