"""``campaignevents serve`` (the embedded default) answers every one of many keep-alive clients
at once: 150 connections stay open, then each sends a request. With waitress's own connection
limit (100) the last 50 were never accepted while the first 100 stayed open, and waited."""

from __future__ import annotations

import socket
import time
from contextlib import ExitStack
from typing import Any

from api.config import Settings
from tests.integration.helpers import spawn_cli, stop
from tests.integration.smtp_sink import free_port

CLIENTS = 150
REQUEST = b"GET /campaignevents/v0/participant_questions HTTP/1.1\r\nHost: t\r\n\r\n"


def _wait_answering(port: int, server: Any) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, stop(server)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as probe:
                probe.sendall(REQUEST.replace(b"HTTP/1.1", b"HTTP/1.0"))
                if probe.recv(12).startswith(b"HTTP/1.0 200"):
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer")


def _status_line(conn: socket.socket) -> bytes:
    got = b""
    while b"\r\n" not in got:
        chunk = conn.recv(256)
        if not chunk:
            break
        got += chunk
    return got.split(b"\r\n", 1)[0]


def test_many_keep_alive_clients_are_all_answered(sqlite_settings: Settings) -> None:
    port = free_port()
    server = spawn_cli(sqlite_settings, "serve", "--port", str(port), drain=True)
    try:
        _wait_answering(port, server)
        with ExitStack() as stack:
            conns = [
                stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10))
                for _ in range(CLIENTS)
            ]
            time.sleep(0.5)  # the server has taken every connection it will take
            for conn in conns:
                conn.sendall(REQUEST)
            answered = []
            deadline = time.monotonic() + 10
            for conn in conns:
                conn.settimeout(max(0.01, deadline - time.monotonic()))  # 10 s for them all
                try:
                    answered.append(_status_line(conn))
                except TimeoutError:
                    answered.append(b"(no answer within 10 s)")
        assert answered == [b"HTTP/1.1 200 OK"] * CLIENTS, sorted(set(answered))
    finally:
        output = stop(server)
    assert "Traceback" not in output, output[-3000:]
    assert "connection limit" not in output, output[-3000:]
