"""What the benchmark scripts share: the processes they start (gunicorn with the project's config,
the Procfile's projector, the CLI, redis-server), the database they run on (a temporary SQLite file
or a fresh PostgreSQL schema), client threads that drive a route for a bounded time, and the
``main`` wrapper that cleans everything up, also on Ctrl-C or SIGTERM.

Nothing here connects anywhere but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
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
from datetime import datetime
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
        return percentile(self.latencies, p) * 1000


def percentile(values: list[float], p: int) -> float:
    """The ``p``-th percentile (inclusive method); the only value when there is one; NaN for none."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


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
    join_all(threads, stop)
    phase.elapsed = time.perf_counter() - started
    phase.client_cpu = time.process_time() - cpu_before
    server_after = tree_cpu_seconds(server_pids)
    if server_before is not None and server_after is not None:
        phase.server_cpu = server_after - server_before
    return phase


def join_all(threads: list[threading.Thread], stop: threading.Event) -> None:
    """Wait for ``threads`` with short joins (Ctrl-C stays responsive); on an interrupt, set
    ``stop`` so they end after their current request, and re-raise."""
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    except BaseException:
        stop.set()
        raise


def proc_stats() -> Iterator[tuple[int, str, list[str]]]:
    """(pid, command name, the fields after it) of every process in /proc (none elsewhere); field
    k of proc(5) is ``fields[k - 3]``: the parent's pid ``fields[1]``, user and system CPU ticks
    ``fields[11]`` and ``fields[12]``."""
    if not Path("/proc").is_dir():
        return
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm, _, rest = stat.partition(" (")[2].rpartition(")")  # the name may hold spaces
        yield int(entry), comm, rest.split()


def tree_cpu_seconds(pids: tuple[int, ...]) -> float | None:
    """User + system CPU seconds of ``pids`` and their direct children, from /proc (None elsewhere)."""
    if not pids or not Path("/proc").is_dir():
        return None
    total = 0
    for pid, _, fields in proc_stats():
        if pid in pids or int(fields[1]) in pids:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class PostgresCpu:
    """CPU seconds the local PostgreSQL server's processes (command name ``postgres``: backends,
    WAL writer, checkpointer, ...) spent while the block ran, from /proc (0.0 elsewhere). Sampled
    every ``interval`` seconds, so that a backend which exits inside the block (a child process's
    connections) still counts up to its last sample; other clients of the same server count too,
    so read it on an otherwise idle server."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="postgres-cpu", daemon=True)

    @property
    def seconds(self) -> float:
        return sum(t - self.first.get(pid, 0.0) for pid, t in self.last.items())

    def __enter__(self) -> PostgresCpu:
        self.first = self._read()
        self.last = dict(self.first)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)
        self.last.update(self._read())

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.last.update(self._read())

    @staticmethod
    def _read() -> dict[int, float]:
        ticks = os.sysconf("SC_CLK_TCK")
        return {
            pid: (int(fields[11]) + int(fields[12])) / ticks
            for pid, comm, fields in proc_stats()
            if comm == "postgres"
        }


class DiscardQueue:
    """A job queue for in-process set-ups: the dispatcher advances past the set-up's facts (the
    registration confirmations it would send are not what is measured) and enqueues nothing."""

    def enqueue(self, func: str, *args: object, job_id: str) -> None:
        return None

    def close(self) -> None:
        return None


@dataclass(frozen=True)
class CpuSample:
    at: float  # perf_counter
    server: float  # CPU seconds of the watched processes and their children
    client: float  # CPU seconds of this process
    busy: float  # CPU seconds of the whole machine (all cores)
    total: float  # seconds of all cores


class CpuMonitor:
    """Samples, twice a second, the CPU of the servers, of this process and of the whole machine,
    so that a stretch of a run can say what the servers spent on it and how busy the machine was
    with other work (from /proc; it records nothing elsewhere)."""

    def __init__(self, pids: tuple[int, ...], interval: float = 0.5) -> None:
        self.pids = pids
        self.interval = interval
        self.samples: list[CpuSample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-monitor", daemon=True)

    def __enter__(self) -> CpuMonitor:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        server = tree_cpu_seconds(self.pids)
        try:
            ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        except (OSError, ValueError):
            return
        if server is None:
            return
        hz = os.sysconf("SC_CLK_TCK")
        total = sum(ticks) / hz
        busy = total - (ticks[3] + ticks[4]) / hz  # idle + iowait
        self.samples.append(CpuSample(time.perf_counter(), server, time.process_time(), busy, total))

    def _nearest(self, at: float) -> CpuSample:
        return min(self.samples, key=lambda s: abs(s.at - at))

    def window(self, start: float, end: float) -> tuple[float, float] | None:
        """(servers' CPU seconds, share of the machine busy with other work) between two
        perf_counter times, to the nearest samples; None without samples or a usable window."""
        if len(self.samples) < 2:
            return None
        a, b = self._nearest(start), self._nearest(end)
        if b.total <= a.total:
            return None
        server = b.server - a.server
        other = (b.busy - a.busy) - server - (b.client - a.client)
        return server * (end - start) / (b.at - a.at), max(0.0, other) / (b.total - a.total)


def ts_mw(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def progress(message: str) -> None:
    """A set-up step on stderr (the figures go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


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
def started(
    name: str, argv: list[str], env: dict[str, str], workdir: Path, stop_timeout: float = STOP_TIMEOUT
) -> Iterator[Server]:
    """Run ``argv`` in its own process group with its output in ``workdir``; stop it (and its
    children) on the way out, whatever happens, SIGKILLed after ``stop_timeout`` seconds."""
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
            stop_process(process, stop_timeout)


@contextlib.contextmanager
def gunicorn(name: str, target: str, env: dict[str, str], workdir: Path, ready_path: str) -> Iterator[Server]:
    """``target`` under the project's gunicorn config on a free port, once it answers."""
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), target]
    with started(name, argv, env | {"CAMPAIGNEVENTS_BIND": f"{HOST}:{port}"}, workdir) as server:
        server.base = f"http://{HOST}:{port}"
        wait_until_answering(server, ready_path)
        yield server


def cli_path() -> str:
    """The project's ``campaignevents`` command of this venv."""
    return str(Path(sys.executable).with_name("campaignevents"))


@contextlib.contextmanager
def projector(env: dict[str, str], workdir: Path) -> Iterator[Server]:
    """The Procfile's ``projector`` process, which the API's read-your-writes wait depends on."""
    argv = [cli_path(), "projector"]
    with started("projector", argv, env | {"PYTHONUNBUFFERED": "1"}, workdir) as server:
        deadline = time.monotonic() + START_TIMEOUT
        while PROJECTOR_READY not in server.log.read_text(errors="replace"):
            server.check_alive()
            if time.monotonic() >= deadline:
                raise RuntimeError(f"the projector did not start within {START_TIMEOUT:.0f} s")
            time.sleep(0.1)
        yield server


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A private ``redis-server`` on a free 127.0.0.1 port, without persistence; its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: install it or pass --redis-url")
    port = free_port()
    data = workdir / "redis"
    data.mkdir()
    argv = [binary, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no"]
    argv += ["--dir", str(data), "--protected-mode", "yes"]
    with started("redis", argv, dict(os.environ), workdir) as server:
        from redis import Redis
        from redis.exceptions import ConnectionError as RedisConnectionError

        url = f"redis://{HOST}:{port}/0"
        client = Redis.from_url(url, socket_connect_timeout=1)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            server.check_alive()
            try:
                client.ping()
                break
            except RedisConnectionError:
                if time.monotonic() >= deadline:
                    raise RuntimeError(f"redis-server did not answer within {START_TIMEOUT:.0f} s") from None
                time.sleep(0.05)
        client.close()
        yield url


def wait_until_answering(server: Server, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with new_session() as session:
        while time.monotonic() < deadline:
            server.check_alive()
            # not answering yet, or busy with its first request (cold connections): ask again
            with contextlib.suppress(requests.ConnectionError, requests.Timeout):
                session.get(f"{server.base}{path}", timeout=5)
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


def print_machine_busy() -> None:
    busy = machine_busy()
    if busy is not None:
        warning = " -- other load: these figures are not comparable" if busy > BUSY_LIMIT else ""
        print(f"machine busy before the run (servers idle): {busy:.0%} of all cores{warning}")


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


def stop_process(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM (a graceful stop), then SIGKILL to the process group we created for it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # workers left behind, if any; the group is ours
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)


def campaignevents(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run the project's CLI from this venv; its stdout, or an error with its output."""
    done = subprocess.run(
        [cli_path(), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
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


def service_env(workdir: Path, database_url: str) -> dict[str, str]:
    """The environment without any CAMPAIGNEVENTS_* of the caller's, plus this run's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGNEVENTS_")}
    return env | {
        "CAMPAIGNEVENTS_DATA_DIR": str(workdir),
        "CAMPAIGNEVENTS_DATABASE_URL": database_url,
        "CAMPAIGNEVENTS_SECRET_KEY": secrets.token_hex(32),
    }


# --- arguments and the run ------------------------------------------------------------------


def script_parser(doc: str | None) -> argparse.ArgumentParser:
    """A script's parser: described by its docstring's first paragraph, with ``--database-url``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n", 1)[0] if doc else None)
    add_database_argument(parser)
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The arguments, ``--database-url`` refused unless it points at this machine."""
    args = parser.parse_args(argv)
    check_local_url(parser, "--database-url", args.database_url)
    return args


def script_main(
    parse_args: Callable[[list[str] | None], argparse.Namespace],
    run: Callable[[argparse.Namespace, Path, threading.Event], int],
    argv: list[str] | None,
) -> int:
    """A script's ``main``: its arguments, then ``run(args, workdir, stop)`` under ``run_main``."""
    args = parse_args(argv)
    return run_main(lambda workdir, stop: run(args, workdir, stop))


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=None,
        help="postgresql://user@127.0.0.1:5432/db[?schema=NEW] instead of a temporary "
        "SQLite file; the schema is created and dropped",
    )


def check_local_url(parser: argparse.ArgumentParser, option: str, url: str | None) -> None:
    """Refuse a URL that does not point at this machine's loopback address."""
    if url is not None and urlsplit(url).hostname not in (HOST, "localhost"):
        parser.error(f"{option} must point at 127.0.0.1")


def run_main(run: Callable[[Path, threading.Event], int]) -> int:
    """Call ``run(workdir, stop)`` with a fresh temporary directory, and always remove it. Ctrl-C
    or SIGTERM unwinds once (every ``with`` in ``run`` stops its process); later signals wait for
    that. Exit status: ``run``'s, 1 on a ``RuntimeError``, 130 when interrupted."""
    stop = threading.Event()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if not stop.is_set():
            stop.set()
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="campaignevents-bench-"))
    try:
        return run(workdir, stop)
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


def measure(
    call: Callable[[], object], n: int, times: list[float], before: Callable[[], None] | None = None
) -> None:
    """Time ``call`` ``n`` times into ``times`` (in-process benches). ``before`` (a write, say)
    runs untimed before each; a callable that ``call`` returns (a check of the answer, e.g. parsing
    a large JSON body) runs untimed after."""
    for _ in range(n):
        if before is not None:
            before()
        began = time.perf_counter()
        check = call()
        times.append(time.perf_counter() - began)
        if callable(check):
            check()


def summary(name: str, times: list[float], width: int = 58) -> float:
    """Print requests/s, p50 and p95 of ``times``; return the rate."""
    rate = len(times) / sum(times)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(
        f"{name:<{width}} {rate:8.1f} req/s   p50 {statistics.median(times) * 1000:7.1f} ms"
        f"   p95 {p95 * 1000:7.1f} ms"
    )
    return rate
