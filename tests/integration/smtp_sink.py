"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it accepts, and can hold a chosen
message at RCPT time (before its data is sent) or at its final "." (all sent, not yet accepted)
so a test can kill the sender mid-batch."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller


class Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.hold_at: int | None = None  # hold the n-th RCPT (1-based) until released
        self.hold_data_at: int | None = None  # hold the n-th message's final "." (1-based)
        self.held = threading.Event()
        self.release = threading.Event()
        self._rcpts = 0
        self._datas = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        with self.lock:
            self._rcpts += 1
            hold = self.hold_at is not None and self._rcpts == self.hold_at
        if hold:
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self._datas += 1
            hold = self.hold_data_at is not None and self._datas == self.hold_data_at
        if hold:
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 Try again later"
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, subject: str | None = None) -> list[str]:
        with self.lock:
            return [m["To"] for m in self.messages if subject is None or m["Subject"] == subject]

    def with_subject(self, subject: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m["Subject"] == subject]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, str]]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, f"smtp://127.0.0.1:{controller.port}"
    finally:
        sink.release.set()
        controller.stop()
