"""Registrations over real HTTP: creates/s and GET details/s against gunicorn, next to a bare Flask route.

One command, no set-up::

    .venv/bin/python bench/bench_registrations.py [--seconds N] [--clients N] [--database-url URL]

It makes a temporary data dir (SQLite, or a fresh schema of the PostgreSQL database given with
``--database-url``), runs ``campaignevents init-db`` and ``campaignevents users create``, starts the
Procfile's ``projector`` (the API's read-your-writes wait needs it), the API and a bare Flask app
under the project's gunicorn config on free 127.0.0.1 ports, then drives each with ``--clients``
keep-alive client threads for a bounded time per phase:

1. create   POST /campaignevents/v0/event_registration, unique pages, bearer token, expects 201
2. get      GET  /campaignevents/v0/event_registration/{id} on the ids just created, expects 200
3. bare     GET  /ok on the bare Flask app, expects 200

It prints req/s, p50/p99 latency, client and server CPU, the ratios to the bare route and the
number of errors, and exits 1 if there was any error. Every process it starts is stopped and
every file, directory and schema it creates is removed, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "api" / "gunicorn_conf.py"
API_TARGET = "api.app:create_app()"
BARE_TARGET = "bench.bare_app:create_app()"
PREFIX = "/campaignevents/v0/event_registration"
HOST = "127.0.0.1"
START_TIMEOUT = 60.0  # seconds to wait for a server to answer
STOP_TIMEOUT = 30.0  # seconds to wait for gunicorn's graceful stop before SIGKILL
REQUEST_TIMEOUT = 30.0
MAX_REQUESTS_PER_CLIENT = 1_000_000  # a count bound on top of the time bound
MAX_ERROR_SAMPLES = 5
BUSY_LIMIT = 0.15  # share of all cores busy before the run above which we warn of other load
CLIENT_BOUND = 0.75  # client CPU share of one core above which a phase measures the client
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
PROJECTOR_READY = "projector following"  # what ``campaignevents projector`` prints once it runs
ACCESS_LOG_LINE = re.compile(r'^\S+ - \S+ \[[^]]*\] "')  # gunicorn's default access log format


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Phase:
    """The outcome of driving one route with all clients for a bounded time."""

    name: str
    requests: int = 0
    errors: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    client_cpu: float = 0.0  # seconds of CPU used by this process (all client threads)
    server_cpu: float | None = None  # CPU seconds of the gunicorn master, its workers (and the projector)

    @property
    def rate(self) -> float:
        return (self.requests - self.errors) / self.elapsed if self.elapsed > 0 else 0.0

    def percentile_ms(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000


# A request: given the client's session and the client's own counter, send one request and return
# None when the answer is the expected one, else a short description of what went wrong.
Request = Callable[[requests.Session, int], str | None]


def new_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxies from the environment: traffic stays on 127.0.0.1
    return session


def drive(
    name: str,
    request: Request,
    *,
    clients: int,
    seconds: float,
    stop: threading.Event,
    server_pids: tuple[int, ...],
) -> Phase:
    """Run ``request`` in a loop on ``clients`` threads (one keep-alive session each) until
    ``seconds`` have passed, ``MAX_REQUESTS_PER_CLIENT`` were sent, or ``stop`` is set."""
    phase = Phase(name)
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client() -> None:
        latencies: list[float] = []
        errors: list[str] = []
        with new_session() as session:
            barrier.wait()
            for i in range(MAX_REQUESTS_PER_CLIENT):
                if stop.is_set() or time.perf_counter() >= deadline[0]:
                    break
                started = time.perf_counter()
                try:
                    problem = request(session, i)
                except requests.RequestException as error:
                    problem = f"{type(error).__name__}: {error}"
                latencies.append(time.perf_counter() - started)
                if problem is not None:
                    errors.append(problem)
        with lock:
            phase.requests += len(latencies)
            phase.latencies += latencies
            phase.errors += len(errors)
            phase.error_samples += errors[: MAX_ERROR_SAMPLES - len(phase.error_samples)]

    threads = [threading.Thread(target=client, name=f"{name}-{n}", daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    cpu_before, server_before = time.process_time(), tree_cpu_seconds(server_pids)
    started = time.perf_counter()
    deadline[0] = started + seconds
    barrier.wait()
    try:
        for thread in threads:
            while thread.is_alive():  # short joins keep Ctrl-C responsive
                thread.join(0.2)
    except BaseException:
        stop.set()  # the clients end after their current request
        raise
    phase.elapsed = time.perf_counter() - started
    phase.client_cpu = time.process_time() - cpu_before
    server_after = tree_cpu_seconds(server_pids)
    if server_before is not None and server_after is not None:
        phase.server_cpu = server_after - server_before
    return phase


def tree_cpu_seconds(pids: tuple[int, ...]) -> float | None:
    """User + system CPU seconds of ``pids`` and their direct children, from /proc (None elsewhere)."""
    if not pids or not Path("/proc").is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": field k of proc(5) is k - 3
        if int(entry) in pids or int(fields[1]) in pids:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


# --- the requests ---------------------------------------------------------------------------


def ts_mw(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def create_request(base: str, token: str, run: str, ids: list[int]) -> Request:
    """POST a registration for a page no one used before; record the new id."""
    counter = itertools.count(1)
    counter_lock = threading.Lock()
    start = (datetime.now(UTC) + timedelta(days=365)).replace(hour=10, minute=0, second=0, microsecond=0)
    body: dict[str, object] = {
        "timezone": "Europe/Rome",
        "start_time": ts_mw(start),
        "end_time": ts_mw(start + timedelta(hours=8)),
        "wikis": [],
        "online_meeting": True,
        "inperson_meeting": False,
        "meeting_url": "https://meet.example.org/abc",
        "chat_url": "https://chat.example.org/room",
    }
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    url = f"{base}{PREFIX}"

    def request(session: requests.Session, _: int) -> str | None:
        with counter_lock:
            n = next(counter)
        payload = {"event_page": f"Event:Bench {run} {n}", **body}
        resp = session.post(url, data=json.dumps(payload), headers=headers, timeout=REQUEST_TIMEOUT)
        if resp.status_code != 201:
            return f"POST -> {resp.status_code} {resp.text[:200]}"
        new_id = resp.json().get("id")
        if not isinstance(new_id, int):
            return f"POST -> 201 without an integer id: {resp.text[:200]}"
        ids.append(new_id)  # list.append is atomic
        return None

    return request


def get_request(base: str, ids: list[int], headers: dict[str, str]) -> Request:
    """GET the details of existing registrations, all clients together walking the ids in turn."""
    counter = itertools.count()
    counter_lock = threading.Lock()

    def request(session: requests.Session, _: int) -> str | None:
        with counter_lock:
            event_id = ids[next(counter) % len(ids)]
        resp = session.get(f"{base}{PREFIX}/{event_id}", headers=headers, timeout=REQUEST_TIMEOUT)
        if resp.status_code != 200:
            return f"GET {event_id} -> {resp.status_code} {resp.text[:200]}"
        return None

    return request


def bare_request(base: str) -> Request:
    url = f"{base}/ok"

    def request(session: requests.Session, _: int) -> str | None:
        resp = session.get(url, timeout=REQUEST_TIMEOUT)
        if resp.status_code != 200:
            return f"GET /ok -> {resp.status_code} {resp.text[:200]}"
        return None

    return request


# --- the processes ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A process this run started, with its output file (and its URL when it serves HTTP)."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    base: str = ""

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of its output other than the access log (tracebacks, warnings)."""
        with contextlib.suppress(OSError):
            text = self.log.read_text(errors="replace").splitlines()
            return "\n".join([line for line in text if not ACCESS_LOG_LINE.match(line)][-lines:])
        return ""

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            code = self.process.returncode
            raise RuntimeError(f"{self.name} exited with {code}:\n{self.log_tail()}")


@contextlib.contextmanager
def started(name: str, argv: list[str], env: dict[str, str], workdir: Path) -> Iterator[Server]:
    """Run ``argv`` in its own process group with its output in ``workdir``; stop it (and its
    children) on the way out, whatever happens."""
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Ctrl-C reaches us, we stop it in order
        )
        try:
            yield Server(name, process, log)
        finally:
            stop_process(process)


@contextlib.contextmanager
def gunicorn(name: str, target: str, env: dict[str, str], workdir: Path, ready_path: str) -> Iterator[Server]:
    """``target`` under the project's gunicorn config on a free port, once it answers."""
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), target]
    with started(name, argv, env | {"CAMPAIGNEVENTS_BIND": f"{HOST}:{port}"}, workdir) as server:
        server.base = f"http://{HOST}:{port}"
        wait_until_answering(server, ready_path)
        yield server


@contextlib.contextmanager
def projector(env: dict[str, str], workdir: Path) -> Iterator[Server]:
    """The Procfile's ``projector`` process, which the API's read-your-writes wait depends on."""
    argv = [str(Path(sys.executable).with_name("campaignevents")), "projector"]
    with started("projector", argv, env | {"PYTHONUNBUFFERED": "1"}, workdir) as server:
        deadline = time.monotonic() + START_TIMEOUT
        while PROJECTOR_READY not in server.log.read_text(errors="replace"):
            server.check_alive()
            if time.monotonic() >= deadline:
                raise RuntimeError(f"the projector did not start within {START_TIMEOUT:.0f} s")
            time.sleep(0.1)
        yield server


def wait_until_answering(server: Server, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with new_session() as session:
        while time.monotonic() < deadline:
            server.check_alive()
            with contextlib.suppress(requests.ConnectionError):
                session.get(f"{server.base}{path}", timeout=2)
                return
            time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer within {START_TIMEOUT:.0f} s:\n{server.log_tail()}")


def machine_busy(seconds: float = 1.0) -> float | None:
    """The share of all cores busy over ``seconds`` (from /proc/stat; None elsewhere)."""

    def sample() -> tuple[int, int]:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(ticks), ticks[3] + ticks[4]  # total, idle + iowait

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle1 - idle0) / (total1 - total0) if total1 > total0 else None


def revision() -> str:
    """The checkout's commit, and whether it has uncommitted changes (what was measured)."""
    try:
        git = ["git", "-C", str(ROOT)]
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head} + uncommitted changes" if dirty else head


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a graceful stop), then SIGKILL to the process group we created for it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(STOP_TIMEOUT)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # workers left behind, if any; the group is ours
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)


def campaignevents(env: dict[str, str], *args: str) -> str:
    """Run the project's CLI from this venv; its stdout, or an error with its output."""
    cli = Path(sys.executable).with_name("campaignevents")
    done = subprocess.run(
        [str(cli), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"campaignevents {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


# --- the database ---------------------------------------------------------------------------


@contextlib.contextmanager
def database(url: str | None, workdir: Path) -> Iterator[tuple[str, str]]:
    """A fresh event store URL and a label: a SQLite file in ``workdir``, or a new PostgreSQL schema
    (created here and dropped on the way out)."""
    if url is None:
        path = workdir / "events.db"
        yield f"sqlite:///{path}", f"sqlite {path}"
        return
    import psycopg

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    schema = query.pop("schema", [f"bench_{secrets.token_hex(6)}"])[0]
    if not SCHEMA_NAME.match(schema):
        raise SystemExit(f"schema name {schema!r} must match {SCHEMA_NAME.pattern}")
    libpq_url = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
    with psycopg.connect(libpq_url, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
        if exists:
            raise SystemExit(f"schema {schema!r} already exists; give a new name (it is dropped afterwards)")
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            with_schema = urlencode({**query, "schema": [schema]}, doseq=True)
            yield urlunsplit(parts._replace(query=with_schema)), f"postgresql schema {schema}"
        finally:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


# --- the run --------------------------------------------------------------------------------


def service_env(workdir: Path, database_url: str) -> dict[str, str]:
    """The environment without any CAMPAIGNEVENTS_* of the caller's, plus this run's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGNEVENTS_")}
    return env | {
        "CAMPAIGNEVENTS_DATA_DIR": str(workdir),
        "CAMPAIGNEVENTS_DATABASE_URL": database_url,
        "CAMPAIGNEVENTS_SECRET_KEY": secrets.token_hex(32),
    }


def report(phases: list[Phase], other: Phase) -> int:
    """Print the figures; return the number of errors (``other``: warm-ups and run-wide checks)."""
    rates = {p.name: p.rate for p in phases}
    print(
        f"{'phase':<8} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'client CPU':>11} {'server CPU':>11}"
    )
    for p in phases:
        server = f"{100 * p.server_cpu / p.elapsed:.0f}%" if p.server_cpu is not None else "n/a"
        print(
            f"{p.name:<8} {p.requests:>9} {p.rate:>9.1f} {p.percentile_ms(50):>8.2f} "
            f"{p.percentile_ms(99):>8.2f} {p.errors:>7} {100 * p.client_cpu / p.elapsed:>10.0f}% "
            f"{server:>11}"
        )
    print(f"(CPU in % of one core, over the measured time; this machine has {os.cpu_count()} cores)")
    bound = [p.name for p in phases if p.client_cpu / p.elapsed >= CLIENT_BOUND]
    if bound:
        print(
            f"note: the client used >= {CLIENT_BOUND:.0%} of a core in {', '.join(bound)}: those figures are "
            "limited by this one-process client (requests + the GIL) and are lower bounds for the server"
        )
    if rates.get("bare"):
        print(
            f"creates/bare = {rates['create'] / rates['bare']:.3f}   "
            f"gets/bare = {rates['get'] / rates['bare']:.3f}"
        )
    errors = sum(p.errors for p in phases) + other.errors
    print(f"errors: {errors}")
    for p in [*phases, other]:
        for sample in p.error_samples:
            print(f"  {p.name}: {sample}")
    return errors


def run(args: argparse.Namespace, workdir: Path, stop: threading.Event) -> int:
    with contextlib.ExitStack() as stack:
        database_url, label = stack.enter_context(database(args.database_url, workdir))
        env = service_env(workdir, database_url)
        campaignevents(env, "init-db")
        user = json.loads(campaignevents(env, "users", "create", "Bench", "--group", "event-organizer"))
        follower = stack.enter_context(projector(env, workdir))
        api = stack.enter_context(gunicorn("api", API_TARGET, env, workdir, f"{PREFIX}/1"))
        bare = stack.enter_context(gunicorn("bare", BARE_TARGET, env, workdir, "/ok"))
        print(f"service: {revision()}; backend: {label}; projector: campaignevents projector")
        busy = machine_busy()
        if busy is not None:
            warning = " -- other load: these figures are not comparable" if busy > BUSY_LIMIT else ""
            print(f"machine busy before the run (servers idle): {busy:.0%} of all cores{warning}")
        print(
            f"gunicorn: {GUNICORN_CONF.relative_to(ROOT)}, workers={env.get('WEB_CONCURRENCY', '2')} "
            f"threads={env.get('CAMPAIGNEVENTS_WEB_THREADS', '4')}; api {api.base}, bare {bare.base}"
        )
        print(f"clients: {args.clients} threads, {args.seconds:g} s per phase (+{args.warmup:g} s warm-up)")

        ids: list[int] = []
        read_headers = {"Authorization": f"Bearer {user['token']}"} if args.get_as == "bearer" else {}
        api_pids = (api.process.pid, follower.process.pid)  # a write's cost includes projecting it
        plan: list[tuple[str, Request, tuple[int, ...]]] = [
            ("create", create_request(api.base, user["token"], secrets.token_hex(4), ids), api_pids),
            ("get", get_request(api.base, ids, read_headers), api_pids),
            ("bare", bare_request(bare.base), (bare.process.pid,)),
        ]
        phases: list[Phase] = []
        warmup = Phase("warm-up")
        for name, request, pids in plan:
            if args.warmup > 0:
                warm = drive(
                    name,
                    request,
                    clients=args.clients,
                    seconds=args.warmup,
                    stop=stop,
                    server_pids=pids,
                )
                warmup.errors += warm.errors
                warmup.error_samples += [f"{name}: {s}" for s in warm.error_samples]
            phases.append(
                drive(
                    name,
                    request,
                    clients=args.clients,
                    seconds=args.seconds,
                    stop=stop,
                    server_pids=pids,
                )
            )
            if name == "create" and not ids:
                raise RuntimeError(f"no registration was created:\n{api.log_tail()}")
        duplicates = len(ids) - len(set(ids))
        if duplicates:
            warmup.errors += duplicates
            warmup.error_samples.append(f"{duplicates} registration ids were handed out twice")
        errors = report(phases, warmup)
        if errors:
            print(f"api server output other than its access log (last lines):\n{api.log_tail()}")
    return 1 if errors else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per phase (default 10)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (default 8)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds per phase (default 1)")
    parser.add_argument(
        "--get-as",
        choices=("anonymous", "bearer"),
        default="anonymous",
        help="who reads the details in the get phase (default anonymous)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="postgresql://user@127.0.0.1:5432/db[?schema=NEW] instead of a temporary "
        "SQLite file; the schema is created and dropped",
    )
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 3600 or not 0 <= args.warmup <= 600:
        parser.error("--seconds must be in (0, 3600] and --warmup in [0, 600]")
    if not 1 <= args.clients <= 256:
        parser.error("--clients must be in [1, 256]")
    if args.database_url is not None:
        host = urlsplit(args.database_url).hostname
        if host not in (HOST, "localhost"):
            parser.error("--database-url must point at 127.0.0.1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop = threading.Event()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        """Ctrl-C or SIGTERM: unwind once (stopping the servers); later signals wait for that."""
        if not stop.is_set():
            stop.set()
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="campaignevents-bench-"))
    try:
        return run(args, workdir, stop)
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        return 130
    except RuntimeError as error:
        stop.set()
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        stop.set()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
