"""The end-to-end world: the Procfile's three processes (web, projector, worker) started by honcho, as
the README tells operators to, against the real PostgreSQL (a fresh schema of the ``test`` database,
created by the processes' own init and dropped afterwards), the real Redis (db 15, flushed) and a real
SMTP server on 127.0.0.1. Accounts are provisioned with the real command line. Nothing is faked and
nothing reaches into the service: tests speak HTTP to it and read what the SMTP server received.

Like the integration layer, a missing PostgreSQL or Redis skips on a developer's machine and fails
when ``CAMPAIGNEVENTS_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from aiosmtpd.controller import Controller

from tests.conftest import POSTGRES_URL, REDIS_URL, service_missing
from tests.integration.smtp_sink import Sink, free_port

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
READY_TIMEOUT = 45.0  # honcho up and /readyz 200
CLI_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0  # honcho SIGTERMs its processes and SIGKILLs them itself after 5 s
HTTP_TIMEOUT = 10.0  # every request
_STARTED = re.compile(r"^\S+ system\s*\| ([\w.-]+) started \(pid=(\d+)\)", re.MULTILINE)
_STOPPED = re.compile(r"^\S+ system\s*\| ([\w.-]+) stopped \(rc=(-?\d+)\)", re.MULTILINE)
T = TypeVar("T")


def wait_until(what: str, probe: Callable[[], T | None], timeout: float, interval: float = 0.2) -> T:
    """Poll ``probe`` until it returns something truthy (and return that), for at most ``timeout``
    seconds; fail saying what was awaited and what the probe saw last."""
    deadline = time.monotonic() + timeout
    while True:
        last = probe()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"gave up after {timeout:.0f}s waiting for {what} (last saw {last!r})")
        time.sleep(interval)


class Budget:
    """One bound on all the waits of a test: each wait gets its own bound, cut to what is left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def wait_until(self, what: str, probe: Callable[[], T | None], timeout: float) -> T:
        return wait_until(what, probe, min(timeout, self.left()))

    def sleep(self, seconds: float) -> None:
        if seconds > self.left():
            raise AssertionError(f"cannot wait {seconds:.1f}s more within the test's {self.seconds:.0f}s")
        time.sleep(max(0.0, seconds))


@dataclass(frozen=True)
class CliUser:
    """An account as ``campaignevents users create`` printed it (plus what the test chose)."""

    user_id: int
    user_name: str
    token: str
    password: str
    email: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def address(self) -> str:
        return f"{self.user_name} <{self.email}>"


class Stack:
    """The Procfile's processes under one ``honcho start``, and what they run against."""

    def __init__(self, workdir: Path, sink: Sink, smtp_url: str) -> None:
        self.sink = sink
        self.schema = f"e2e_{uuid.uuid4().hex[:12]}"
        self.database_url = f"{POSTGRES_URL}?schema={self.schema}"
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = workdir / "honcho.log"
        self.env_file = workdir / "empty.env"  # so a developer's ./.env cannot redirect the processes
        self.env_file.write_text("")
        (workdir / "metrics").mkdir()
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("CAMPAIGNEVENTS_")
            and k not in ("PORT", "WEB_CONCURRENCY", "PROMETHEUS_MULTIPROC_DIR", "PYTHONPATH")
        }
        self.env = inherited | {
            "PATH": f"{VENV_BIN}{os.pathsep}{inherited.get('PATH', '')}",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "CAMPAIGNEVENTS_DATABASE_URL": self.database_url,
            "CAMPAIGNEVENTS_REDIS_URL": REDIS_URL,
            "CAMPAIGNEVENTS_QUEUE_NAME": f"ce-e2e-{uuid.uuid4().hex[:10]}",  # jobs of this run only
            "CAMPAIGNEVENTS_SMTP_URL": smtp_url,
            "CAMPAIGNEVENTS_BIND": f"127.0.0.1:{port}",
            "CAMPAIGNEVENTS_BASE_URL": self.base_url,
            "CAMPAIGNEVENTS_SECRET_KEY": uuid.uuid4().hex,
            "CAMPAIGNEVENTS_AGGREGATION_INTERVAL": "1",
            "CAMPAIGNEVENTS_JOB_RETRY_INTERVALS": "1,1,1",
            "CAMPAIGNEVENTS_DATA_DIR": str(workdir / "var"),
            "PROMETHEUS_MULTIPROC_DIR": str(workdir / "metrics"),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.stop_report = ""

    # --- processes --------------------------------------------------------------------------------
    def start(self) -> None:
        command = [sys.executable, "-m", "honcho", "start", "--no-colour"]
        command += ["-f", str(ROOT / "Procfile"), "-e", str(self.env_file)]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no output)"

    def wait_ready(self) -> None:
        """``/readyz`` is 200 (database, read models, Redis, projector lag), as a load balancer sees it.
        (Jobs enqueued before the worker listens wait for it in Redis.)"""
        deadline = time.monotonic() + READY_TIMEOUT
        last = "no answer yet"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(
                    f"honcho exited with {self.process.returncode} before the stack was ready"
                )
            try:
                resp = requests.get(f"{self.base_url}/readyz", timeout=2)
                last = f"/readyz {resp.status_code} {resp.text.strip()}"
                if resp.status_code == 200:
                    return
            except requests.RequestException as error:
                last = f"/readyz: {type(error).__name__}"
            time.sleep(0.2)
        raise AssertionError(f"the stack was not ready after {READY_TIMEOUT:.0f}s: {last}")

    def stop(self) -> None:
        """SIGTERM honcho (which SIGTERMs each process's group, then SIGKILLs it after 5 s); SIGKILL
        honcho if it hangs, and then the group of every process it started and did not see stop."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        log = self.output()
        stopped = {name for name, _ in _STOPPED.findall(log)}
        for name, pid in _STARTED.findall(log):
            if name not in stopped:  # honcho gave up on it: each process leads its own session
                with suppress(ProcessLookupError, PermissionError):
                    os.killpg(int(pid), signal.SIGKILL)
        self.stop_report = ", ".join(f"{name} rc={rc}" for name, rc in _STOPPED.findall(log))

    # --- the command line -------------------------------------------------------------------------
    def create_users(self, *specs: tuple[str, tuple[str, ...]]) -> dict[str, CliUser]:
        """``campaignevents users create NAME --email … --password … [--group …]`` for each
        ``(name, groups)``, all at once, each a subprocess with the processes' environment."""
        deadline = time.monotonic() + CLI_TIMEOUT
        running: dict[str, tuple[subprocess.Popen[str], str, str]] = {}
        try:
            return self._create_users(specs, running, deadline)
        finally:
            for process, _, _ in running.values():
                if process.poll() is None:
                    process.kill()
                    process.wait()

    def _create_users(
        self,
        specs: tuple[tuple[str, tuple[str, ...]], ...],
        running: dict[str, tuple[subprocess.Popen[str], str, str]],
        deadline: float,
    ) -> dict[str, CliUser]:
        for name, groups in specs:
            email, password = f"{name.lower()}@example.org", f"pw-{name}-{uuid.uuid4().hex[:8]}"
            args = ["users", "create", name, "--email", email, "--password", password]
            for group in groups:
                args += ["--group", group]
            process = subprocess.Popen(
                [str(VENV_BIN / "campaignevents"), *args],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            running[name] = (process, email, password)
        made = {}
        for name, (process, email, password) in running.items():
            try:
                out, err = process.communicate(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                out, err = process.communicate()
                err += f"\n(killed after {CLI_TIMEOUT:.0f}s)"
            assert process.returncode == 0, f"users create {name}: rc={process.returncode}\n{out}\n{err}"
            printed = json.loads(out.strip().splitlines()[-1])
            assert set(printed) == {"user_id", "user_name", "token"}, printed
            made[name] = CliUser(printed["user_id"], printed["user_name"], printed["token"], password, email)
        return made

    # --- the shared engines -----------------------------------------------------------------------
    def drop_schema(self) -> None:
        import psycopg

        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


def _require_services() -> None:
    import psycopg
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        service_missing("PostgreSQL", error)
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except RedisConnectionError as error:
        service_missing("Redis", error)


_STACK = pytest.StashKey[Stack]()


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The running stack, ready (``/readyz`` 200). Torn down even when a test or the start fails:
    processes stopped, schema dropped, Redis flushed, SMTP server stopped."""
    _require_services()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    world = Stack(tmp_path_factory.mktemp("e2e"), sink, f"smtp://127.0.0.1:{controller.port}")
    request.config.stash[_STACK] = world
    started = time.monotonic()
    try:
        world.start()
        try:
            world.wait_ready()
        except AssertionError as error:
            pytest.fail(f"{error}\n--- processes' output ---\n{world.output()}")
        print(f"stack ready in {time.monotonic() - started:.1f}s")
        yield world
    finally:
        del request.config.stash[_STACK]
        stopping = time.monotonic()
        try:
            world.stop()
            print(f"stack stopped in {time.monotonic() - stopping:.1f}s ({world.stop_report})")
        finally:
            try:
                world.drop_schema()
            finally:
                controller.stop()


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome: Any = yield
    report: pytest.TestReport = outcome.get_result()
    item.stash.setdefault(_REPORTS, {})[report.when] = report


@pytest.fixture(autouse=True)
def _processes_output_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that fails (or whose fixtures fail) shows what the processes printed so far, in its
    captured teardown output."""
    yield
    reports = request.node.stash.get(_REPORTS, {}).values()
    world = request.config.stash.get(_STACK, None)
    if world is not None and any(r.failed for r in reports):
        print(f"--- processes' output ({world.log_path}) ---\n{world.output()}")
