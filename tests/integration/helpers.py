"""Shared pieces of the integration layer: subprocesses of the real command, Redis, byte scans."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from api.config import Settings
from tests.conftest import REDIS_URL, service_missing

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from api.cli import main; main()"]


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CAMPAIGNEVENTS_DATABASE_URL=settings.database_url,
        CAMPAIGNEVENTS_QUEUE_NAME=settings.queue_name,
        CAMPAIGNEVENTS_JOB_RETRY_INTERVALS=",".join(map(str, settings.job_retry_intervals)),
        CAMPAIGNEVENTS_KNOWN_WIKIS=",".join(settings.known_wikis),
        CAMPAIGNEVENTS_SECRET_KEY=settings.secret_key,
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def run_cli(settings: Settings, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=env_for(settings, **extra), cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def spawn_cli(settings: Settings, *args: str, drain: bool = False, **extra: str) -> subprocess.Popen[str]:
    """The command in a child process, its output (stdout and stderr) in one pipe. A child that
    logs while the test runs (``serve``) needs ``drain``: a pipe nobody reads holds 64 KiB, then
    the child's next write blocks. Waitress logs from its one event-loop thread (under a burst:
    ~300 "task queue depth" warnings and ~280 connection-limit lines, ~60 KB), so a blocked write
    there leaves every connection not yet accepted waiting until the client gives up."""
    if drain:
        return Drained([*CLI, *args], env_for(settings, **extra))
    return subprocess.Popen(
        [*CLI, *args],
        env=env_for(settings, **extra),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


class Drained(subprocess.Popen[str]):
    """A child whose output a thread reads as it comes, kept for ``stop``."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        super().__init__(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, name="drain", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.stdout is not None
        for line in self.stdout:
            self.lines.append(line)

    def output(self, grace: float = 5) -> str:
        """What the child printed (all of it once it has exited and closed its end)."""
        self.reader.join(grace)
        return "".join(self.lines)


@pytest.fixture
def redis_url() -> Any:
    """Redis on 127.0.0.1 (fails in CI when it is missing). Tests keep to queues of their own
    (``unique_queue``), so runs sharing one Redis never take each other's jobs."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except RedisConnectionError as error:
        service_missing("Redis", error)
    return REDIS_URL


def unique_queue() -> str:
    return f"ce-test-{uuid.uuid4().hex[:10]}"


def files_containing(folder: Path, needle: bytes) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes())


def postgres_relation_bytes(settings: Settings, table: str) -> bytes:
    """The on-disk bytes of a PostgreSQL table and its TOAST table, after a CHECKPOINT."""
    import psycopg

    url, _, query = settings.database_url.partition("?schema=")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        data_dir = conn.execute("SHOW data_directory").fetchone()[0]  # type: ignore[index]
        paths = conn.execute(
            "SELECT pg_relation_filepath(c.oid), pg_relation_filepath(c.reltoastrelid) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s",
            (query, table),
        ).fetchone()
    assert paths is not None, f"no table {query}.{table}"
    chunks = []
    for relative in paths:
        if relative:
            base = Path(data_dir) / relative
            for part in sorted(base.parent.glob(base.name + "*")):
                chunks.append(part.read_bytes())
    return b"".join(chunks)


def stop(process: subprocess.Popen[str], grace: float = 20) -> str:
    """SIGTERM, then SIGKILL after ``grace`` seconds; returns what the process printed."""
    if process.poll() is None:
        process.terminate()
    if isinstance(process, Drained):
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return process.output()
    try:
        return process.communicate(timeout=grace)[0] or ""
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[0] or ""
