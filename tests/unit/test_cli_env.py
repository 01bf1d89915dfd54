"""Every ``campaignevents`` command reads ``./.env`` (the file honcho gives the Procfile's processes),
lets variables already set in the environment win, and says on one stderr line which database and
which Redis it uses, passwords masked. ``serve`` on a busy port says so in one line and exits 1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from api.cli import main
from api.config import describe_backends, mask_password

CLI = [sys.executable, "-c", "from api.cli import main; main()"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """The test's own directory, and no CAMPAIGNEVENTS_* variable inherited from the caller."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("CAMPAIGNEVENTS_")]:
        monkeypatch.delenv(name)
    return dict(os.environ) | {"PYTHONPATH": str(ROOT)}


def first_line(stderr: str) -> str:
    return stderr.splitlines()[0]


def test_init_db_reads_dot_env_and_names_the_database(clean_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"CAMPAIGNEVENTS_DATABASE_URL=sqlite:///{tmp_path}/from-dotenv.db\n"
        f"CAMPAIGNEVENTS_DATA_DIR={tmp_path}/data\n"
    )
    done = subprocess.run([*CLI, "init-db"], env=clean_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert first_line(done.stderr) == (
        f"campaignevents: database sqlite:///{tmp_path}/from-dotenv.db, "
        "no redis (jobs in-process) (with .env)"
    )
    assert (tmp_path / "from-dotenv.db").exists()
    assert not (tmp_path / "var").exists()  # not the silent default under ./var


def test_a_variable_already_set_wins_over_dot_env(clean_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "CAMPAIGNEVENTS_DATABASE_URL=sqlite:///ignored.db\n"
        "CAMPAIGNEVENTS_REDIS_URL=redis://:hunter2@127.0.0.1:6379/15\n"
        "CAMPAIGNEVENTS_QUEUE_NAME=from-dotenv\n"
    )
    env = clean_env | {"CAMPAIGNEVENTS_DATABASE_URL": f"sqlite:///{tmp_path}/explicit.db"}
    done = CliRunner().invoke(main, ["users", "--help"], env=env)
    assert done.exit_code == 0, done.output
    assert done.stderr == (
        f"campaignevents: database sqlite:///{tmp_path}/explicit.db, "
        "redis redis://:***@127.0.0.1:6379/15 (queue from-dotenv) (with .env)\n"
    )
    assert "hunter2" not in done.output


def test_without_dot_env_the_line_names_the_embedded_default(clean_env: dict[str, str]) -> None:
    done = CliRunner().invoke(main, ["users", "--help"], env=clean_env)
    assert done.stderr == "campaignevents: database sqlite:///var/events.db, no redis (jobs in-process)\n"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://app:s3cret@db.example.org:5432/ce", "postgresql://app:***@db.example.org:5432/ce"),
        ("postgresql://app@db:5432/ce?schema=x", "postgresql://app@db:5432/ce?schema=x"),
        ("redis://:p%40ss@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("rediss://user:pw@[::1]:6380/1", "rediss://user:***@[::1]:6380/1"),
        ("sqlite:///var/events.db", "sqlite:///var/events.db"),
    ],
)
def test_passwords_are_masked(url: str, masked: str) -> None:
    assert mask_password(url) == masked


def test_describe_backends_creates_nothing(tmp_path: Path) -> None:
    line = describe_backends({"CAMPAIGNEVENTS_DATA_DIR": str(tmp_path / "d")})
    assert line == f"database sqlite:///{tmp_path}/d/events.db, no redis (jobs in-process)"
    assert not (tmp_path / "d").exists()


# --- serve on a busy port --------------------------------------------------------------------------
def test_serve_on_a_busy_port_says_so_in_one_line(clean_env: dict[str, str], tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        done = subprocess.run(
            [*CLI, "serve", "--port", str(port)],
            env=clean_env | {"CAMPAIGNEVENTS_DATA_DIR": str(tmp_path / "var")},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert done.stdout == ""  # never "listening"
    assert done.stderr.splitlines() == [
        f"campaignevents: database sqlite:///{tmp_path}/var/events.db, no redis (jobs in-process)",
        f"campaignevents: port {port} on 127.0.0.1 is already in use",
    ]
    assert time.monotonic() - started < 30
    assert not (tmp_path / "var" / "events.db").exists()  # nothing was started before the bind


def test_serve_says_listening_once_bound(clean_env: dict[str, str], tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=clean_env | {"CAMPAIGNEVENTS_DATA_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == f"campaignevents listening on http://127.0.0.1:{port}\n"
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).json() == {"status": "ok"}
    finally:
        process.terminate()
        process.wait(30)
