"""The README's "Running in production" section, followed as written, in a fresh copy of the repository.

The section has two blocks: an example ``.env`` (```ini) and the commands (```sh). The test writes a
``.env`` with exactly the example's variables, pointed at this machine's services (a fresh PostgreSQL
schema of the ``test`` database, Redis db 15 under a queue name of its own, a local SMTP server, a free
port), then runs the commands in one ``bash -e``, in order, in a copy of the working tree (what
``git ls-files`` lists, so no ``.env``, ``.venv`` or ``var/`` of the developer's), with a ``PATH`` that
holds no ``honcho``, ``gunicorn`` or ``campaignevents``, and no ``CAMPAIGNEVENTS_*`` variable: only
what the section does makes them reachable. The last command, ``honcho start``, keeps running; the
test waits for ``/readyz``, makes the first requests with the token ``users create`` printed, and
stops honcho with SIGTERM as an operator's Ctrl-C would.

One command is not run as written, to keep the test fast: the install line (``python3 -m venv .venv
&& .venv/bin/pip install -q -e .``) is checked word for word and replaced by a ``.venv`` symlink to
the virtualenv running the tests, which the README's own test command installed from this same
source. Set ``CAMPAIGNEVENTS_E2E_REAL_INSTALL=1`` to run it too (slow; needs the package index).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller

from tests.conftest import POSTGRES_URL, REDIS_URL, registration_body
from tests.e2e.conftest import _STARTED, _STOPPED, HTTP_TIMEOUT, ROOT, _require_services, wait_until
from tests.integration.smtp_sink import Sink, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

INSTALL = "python3 -m venv .venv && .venv/bin/pip install -q -e ."
ENV_KEYS = {
    "CAMPAIGNEVENTS_DATABASE_URL",
    "CAMPAIGNEVENTS_REDIS_URL",
    "CAMPAIGNEVENTS_QUEUE_NAME",
    "CAMPAIGNEVENTS_SMTP_URL",
    "CAMPAIGNEVENTS_BASE_URL",
    "CAMPAIGNEVENTS_BIND",
}
READY_TIMEOUT = 90.0
STOP_TIMEOUT = 20.0
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BLOCK = re.compile(
    r"^(?P<indent> *)```(?P<lang>\w+)\n(?P<body>.*?)^(?P=indent)```$", re.MULTILINE | re.DOTALL
)
_PRINTED_USER = re.compile(r'^\{"user_id": .*"token": .*\}$', re.MULTILINE)


@dataclass(frozen=True)
class Section:
    env_example: dict[str, str]
    commands: list[str]


def production_section(readme: str) -> Section:
    """The section's ```ini block (as KEY=value pairs) and ```sh block (as lines)."""
    start = readme.index("## Running in production\n")
    end = readme.find("\n## ", start + 1)
    blocks = [(m["lang"], textwrap.dedent(m["body"])) for m in _BLOCK.finditer(readme[start:end])]
    assert [lang for lang, _ in blocks] == ["ini", "sh"], blocks
    pairs = [line.split("=", 1) for line in blocks[0][1].splitlines() if line.strip()]
    commands = [line for line in blocks[1][1].splitlines() if line.strip()]
    return Section({k: v for k, v in pairs}, commands)


def fresh_copy(target: Path) -> Path:
    """The working tree as a clone would have it: the files git tracks or would track (not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:  # not a git checkout (an unpacked archive): copy without local state
        ignore = shutil.ignore_patterns(".venv", "var", ".env", "__pycache__", "*.egg-info", ".*_cache")
        shutil.copytree(ROOT, target, ignore=ignore)
        return target
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def bare_environment() -> dict[str, str]:
    """The caller's environment without this service's settings, and a PATH on which neither honcho
    nor gunicorn nor campaignevents can be found (the test itself runs inside the virtualenv)."""
    tools = ("honcho", "gunicorn", "campaignevents")
    path = [
        d
        for d in os.environ.get("PATH", "").split(os.pathsep)
        if d and not any((Path(d) / tool).exists() for tool in tools)
    ]
    dropped = {
        "VIRTUAL_ENV",
        "PYTHONPATH",
        "PYTHONHOME",
        "PORT",
        "WEB_CONCURRENCY",
        "PROMETHEUS_MULTIPROC_DIR",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGNEVENTS_") and k not in dropped}
    return env | {"PATH": os.pathsep.join(path), "PYTHONUNBUFFERED": "1"}


class Operator:
    """A shell running the section's commands, its output in one log."""

    def __init__(self, workdir: Path, script: str) -> None:
        self.log_path = workdir / "operator.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                ["bash", "-e", "-c", script],
                cwd=workdir / "repo",
                env=bare_environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return _ANSI.sub("", self.log_path.read_text(errors="replace"))

    def alive(self) -> None:
        code = self.process.poll()
        assert code is None, f"the commands stopped with status {code}:\n{self.output()}"

    def stop(self) -> None:
        """SIGTERM the shell's group (honcho stops its processes); then SIGKILL whatever is left."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        log = self.output()
        stopped = {name for name, _ in _STOPPED.findall(log)}
        for name, pid in _STARTED.findall(log):
            if name not in stopped:  # each of honcho's processes leads its own session
                with suppress(ProcessLookupError, PermissionError):
                    os.killpg(int(pid), signal.SIGKILL)


@pytest.fixture
def smtp_url() -> Iterator[str]:
    controller = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


@pytest.fixture
def schema() -> Iterator[str]:
    import psycopg

    name = f"e2e_readme_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def test_the_production_section_works_verbatim_from_a_fresh_copy(
    tmp_path: Path, smtp_url: str, schema: str
) -> None:
    _require_services()
    section = production_section((ROOT / "README.md").read_text())
    assert set(section.env_example) == ENV_KEYS
    assert section.commands[0] == INSTALL
    assert section.commands[-1] == "honcho start"

    repo = fresh_copy(tmp_path / "repo")
    assert not (repo / ".env").exists() and not (repo / ".venv").exists()
    port = free_port()
    queue = f"ce-e2e-readme-{uuid.uuid4().hex[:10]}"
    database_url = f"{POSTGRES_URL}?schema={schema}"
    ours = {
        "CAMPAIGNEVENTS_DATABASE_URL": database_url,
        "CAMPAIGNEVENTS_REDIS_URL": REDIS_URL,
        "CAMPAIGNEVENTS_QUEUE_NAME": queue,
        "CAMPAIGNEVENTS_SMTP_URL": smtp_url,
        "CAMPAIGNEVENTS_BASE_URL": f"http://127.0.0.1:{port}",
        "CAMPAIGNEVENTS_BIND": f"127.0.0.1:{port}",
    }
    (repo / ".env").write_text("".join(f"{k}={ours[k]}\n" for k in section.env_example))
    commands = section.commands
    if os.environ.get("CAMPAIGNEVENTS_E2E_REAL_INSTALL") != "1":
        (repo / ".venv").symlink_to(Path(sys.prefix))
        commands = commands[1:]

    operator = Operator(tmp_path, "\n".join(commands))
    try:
        base = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            operator.alive()
            with suppress(requests.RequestException):
                return requests.get(f"{base}/readyz", timeout=2).status_code == 200
            return False

        wait_until("/readyz 200 from the processes honcho started", ready, READY_TIMEOUT, interval=0.3)
        log = operator.output()
        said = f"campaignevents: database {database_url}, redis {REDIS_URL} (queue {queue}) (with .env)"
        assert said in log  # init-db and users create read .env and say so
        assert "event store ready" in log
        (printed,) = _PRINTED_USER.findall(log)
        alice = json.loads(printed)
        assert alice["user_name"] == "Alice"
        assert {name for name, _ in _STARTED.findall(log)} == {"web.1", "projector.1", "worker.1"}

        bearer = {"Authorization": f"Bearer {alice['token']}"}
        url = f"{base}/campaignevents/v0/event_registration"
        created = requests.post(url, json=registration_body(), headers=bearer, timeout=HTTP_TIMEOUT)
        assert created.status_code == 201, created.text
        event_id = created.json()["id"]
        shown = requests.get(f"{url}/{event_id}", timeout=HTTP_TIMEOUT)
        assert shown.status_code == 200, shown.text
        assert shown.json()["event_page"] == registration_body()["event_page"]
        assert (repo / ".env").stat().st_mode & 0o077 == 0  # chmod 600: the secret key is the owner's
        assert re.search(r"^CAMPAIGNEVENTS_SECRET_KEY=[0-9a-f]{64}$", (repo / ".env").read_text(), re.M)
    except AssertionError as error:
        raise AssertionError(f"{error}\n--- the commands' output ---\n{operator.output()}") from None
    finally:
        operator.stop()
    assert not (repo / "var").exists()  # nothing fell back to the embedded default's SQLite
