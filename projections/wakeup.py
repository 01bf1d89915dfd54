"""Doorbells: a write wakes the projector at once, and the projector tells waiting writes when it
has applied a position, so read-your-writes never waits for a polling interval.

- ``Bell`` (in one process: the embedded projector thread, tests): an event and a condition.
- ``PostgresBell``: the same, plus PostgreSQL ``LISTEN/NOTIFY`` across processes. A write's
  process NOTIFYs ``log`` after its commit; the projector process LISTENs and wakes; after each
  committed batch the projector NOTIFYs ``applied`` with ``name:position[,name:position...]``,
  which the waiting web processes LISTEN for. Channels carry a hash of the database and schema, so
  deployments (and tests) sharing a server never wake each other. The NOTIFYs go out from one
  sender thread per process, which folds what piled up while it sent into one statement (under
  load: one round trip for many rings, one for every projection of a batch), so neither a request
  nor the projector waits for a NOTIFY's round trip. While the process LISTENs, a waiting write
  trusts the notifications and re-reads the stored positions only now and then (a fallback for
  a lost notification), instead of every few milliseconds.
- ``SocketBell`` (SQLite): the projector process binds a Linux abstract datagram socket named after
  the read-model file; a write sends it one byte. SQLite has no notifications back, so a waiting
  write re-reads the position (a local file read) every millisecond or so.

Every bell is an optimisation: the projector still polls (backed off) and a waiting write still
re-reads the stored position, so a lost ring costs latency, never correctness.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("campaignevents.projector")


class Bell:
    """In-process only."""

    notifies_across_processes = False

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._applied: dict[str, int] = {}
        self.on_log: Callable[[], None] | None = None  # the projector's wake(), when it follows here

    def ring(self) -> None:
        """A write committed: wake the projector."""
        if self.on_log is not None:
            self.on_log()

    def listen(self, on_log: Callable[[], None] | None = None) -> None:
        """Be woken by rings (a projector) and hear applied positions (a waiting write)."""
        if on_log is not None:
            self.on_log = on_log

    def applied(self, name: str, position: int) -> None:
        """The projector committed ``name`` at ``position``."""
        self._heard(name, position)

    def _heard(self, name: str, position: int) -> None:
        with self._cond:
            if position > self._applied.get(name, 0):
                self._applied[name] = position
            self._cond.notify_all()

    def wait_applied(self, name: str, position: int, timeout: float, stored: Callable[[], int]) -> bool:
        """Until ``name`` has applied ``position`` (heard, or read with ``stored()``), bounded."""
        return self.wait_all_applied((name,), position, timeout, lambda: {name: stored()})

    def wait_all_applied(
        self, names: tuple[str, ...], position: int, timeout: float, stored: Callable[[], dict[str, int]]
    ) -> bool:
        """Until every one of ``names`` has applied ``position``: one wait for all of them (heard,
        or read together with ``stored()``, one query for every name), bounded."""
        deadline = time.monotonic() + timeout
        waiting = set(names)

        def heard_all() -> bool:
            return all(self._applied.get(name, 0) >= position for name in waiting)

        if self.hears_applied():  # the projector's word comes: the stored positions are a fallback
            cap, pause = 0.5, 0.1
            with self._cond:
                if self._cond.wait_for(heard_all, min(pause, timeout)):
                    return True
        else:  # re-read them often (SQLite across processes: a local read)
            cap, pause = 0.004, 0.0005
        while True:
            current = stored()
            for name in list(waiting):
                if current.get(name, 0) >= position:
                    self._heard(name, current[name])
                    waiting.discard(name)
            if not waiting:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with self._cond:
                if self._cond.wait_for(heard_all, min(pause, left)):
                    return True
            pause = min(cap, pause * 2)

    def hears_applied(self) -> bool:
        """Whether the projector's ``applied`` reaches this process now (it runs here)."""
        return self.on_log is not None

    def close(self) -> None:
        self.on_log = None


def _name(kind: str, where: str) -> str:
    return f"ce_{kind}_{hashlib.sha256(where.encode()).hexdigest()[:16]}"


class SocketBell(Bell):
    """SQLite: a datagram to the projector process's abstract socket."""

    def __init__(self, database_file: str) -> None:
        super().__init__()
        self.address = "\0" + _name("wake", database_file)
        self._sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sender.setblocking(False)
        self._receiver: socket.socket | None = None

    def ring(self) -> None:
        super().ring()
        if self.on_log is None:  # the projector is in another process (or none runs)
            with contextlib.suppress(OSError):
                self._sender.sendto(b"w", self.address)

    def listen(self, on_log: Callable[[], None] | None = None) -> None:
        super().listen(on_log)
        if on_log is None or self._receiver is not None:
            return
        receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            receiver.bind(self.address)
        except OSError:  # another projector follows this file already: poll only
            receiver.close()
            return
        self._receiver = receiver
        threading.Thread(target=self._receive, args=(receiver,), name="projector-bell", daemon=True).start()

    def _receive(self, receiver: socket.socket) -> None:
        while True:
            try:
                receiver.recv(64)
            except OSError:
                return
            if self.on_log is not None:
                self.on_log()

    def close(self) -> None:
        super().close()
        self._sender.close()
        if self._receiver is not None:
            with contextlib.suppress(OSError):
                self._receiver.shutdown(socket.SHUT_RDWR)
            self._receiver.close()


class PostgresBell(Bell):
    """PostgreSQL ``LISTEN/NOTIFY``; one listening connection per process, opened on first need,
    and one sender thread (also started on first need) that sends the NOTIFYs."""

    notifies_across_processes = True

    def __init__(self, conninfo: str, connect_args: dict[str, Any], where: str) -> None:
        super().__init__()
        self.conninfo, self.connect_args = conninfo, connect_args
        self.log_channel, self.applied_channel = _name("log", where), _name("applied", where)
        self._lock = threading.Lock()
        self._listening = False
        self._ready = threading.Event()  # LISTENing on both channels now
        self._closed = threading.Event()
        self._outbox = threading.Condition()  # what the sender thread sends next
        self._ring_pending = False
        self._applied_pending: dict[str, int] = {}
        self._sender_thread: threading.Thread | None = None

    def ring(self) -> None:
        super().ring()
        if self.on_log is None:
            with self._outbox:
                self._ring_pending = True
                self._start_sender()
                self._outbox.notify()

    def applied(self, name: str, position: int) -> None:
        super().applied(name, position)
        with self._outbox:
            if position > self._applied_pending.get(name, 0):
                self._applied_pending[name] = position
            self._start_sender()
            self._outbox.notify()

    def _start_sender(self) -> None:
        """(Under ``_outbox``.)"""
        if self._sender_thread is None and not self._closed.is_set():
            self._sender_thread = threading.Thread(target=self._send, name="bell-sender", daemon=True)
            self._sender_thread.start()

    def _send(self) -> None:
        """Send what is pending, folded: one NOTIFY for every ring since the last, one for every
        applied position since the last (one reconnect after a dropped connection; a NOTIFY that
        still fails is dropped: the waiting side re-reads the stored positions)."""
        import psycopg

        conn: Any = None
        try:
            while True:
                with self._outbox:
                    self._outbox.wait_for(
                        lambda: self._ring_pending or bool(self._applied_pending) or self._closed.is_set()
                    )
                    if self._closed.is_set():
                        return
                    ring, self._ring_pending = self._ring_pending, False
                    applied, self._applied_pending = self._applied_pending, {}
                sends = [(self.log_channel, "")] if ring else []
                if applied:
                    payload = ",".join(f"{name}:{position}" for name, position in applied.items())
                    sends.append((self.applied_channel, payload))
                for _ in range(2):
                    try:
                        if conn is None or conn.closed:
                            conn = psycopg.connect(self.conninfo, autocommit=True, **self.connect_args)
                        for channel, payload in sends:
                            conn.execute("SELECT pg_notify(%s, %s)", (channel, payload))
                        break
                    except psycopg.Error as error:
                        log.debug("NOTIFY failed: %s", error)
                        with contextlib.suppress(Exception):
                            if conn is not None:
                                conn.close()
                        conn = None
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()

    def listen(self, on_log: Callable[[], None] | None = None) -> None:
        super().listen(on_log)
        with self._lock:
            if self._listening:
                return
            self._listening = True
        threading.Thread(target=self._listen, name="projector-bell", daemon=True).start()

    def hears_applied(self) -> bool:
        return super().hears_applied() or self._ready.is_set()

    def wait_all_applied(
        self, names: tuple[str, ...], position: int, timeout: float, stored: Callable[[], dict[str, int]]
    ) -> bool:
        self.listen()
        return super().wait_all_applied(names, position, timeout, stored)

    def _listen(self) -> None:
        import psycopg

        while not self._closed.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, **self.connect_args) as conn:
                    conn.execute(f'LISTEN "{self.log_channel}"')
                    conn.execute(f'LISTEN "{self.applied_channel}"')
                    self._ready.set()
                    if self.on_log is not None:  # rings missed while not listening
                        self.on_log()
                    while not self._closed.is_set():
                        for note in conn.notifies(timeout=1.0):
                            if note.channel == self.log_channel:
                                if self.on_log is not None:
                                    self.on_log()
                            else:
                                for name, position in parse_applied(note.payload):
                                    self._heard(name, position)
            except Exception as error:  # the database restarting: listen again shortly
                log.debug("LISTEN failed: %s", error)
                self._ready.clear()
                self._closed.wait(0.5)
        self._ready.clear()

    def close(self) -> None:
        super().close()
        self._closed.set()
        with self._outbox:
            self._outbox.notify_all()
            sender = self._sender_thread
        if sender is not None and sender is not threading.current_thread():
            sender.join(5)


def parse_applied(payload: str) -> list[tuple[str, int]]:
    """``name:position[,name:position...]`` (names have no comma) -> [(name, position), ...]."""
    found = []
    for part in payload.split(","):
        name, _, position = part.rpartition(":")
        if name and position.isdigit():
            found.append((name, int(position)))
    return found
