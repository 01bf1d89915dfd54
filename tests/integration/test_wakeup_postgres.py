"""The PostgreSQL doorbell between processes (two bells on one channel pair stand in for a web
process and the projector process): a ring wakes the projector's side, the projector's applied
positions reach a waiting write without it re-reading the stored positions, several applied
positions piled up are folded into one notification, and a waiting write that hears nothing
still sees the stored positions."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from projections.wakeup import PostgresBell, parse_applied
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.integration


def bell(where: str) -> PostgresBell:
    return PostgresBell(POSTGRES_URL, {"connect_timeout": 3}, where)


def until(condition: threading.Event, what: str, timeout: float = 5.0) -> None:
    assert condition.wait(timeout), what


def test_parse_applied_reads_one_or_many_and_skips_malformed_parts() -> None:
    assert parse_applied("catalog:12") == [("catalog", 12)]
    assert parse_applied("catalog:12,places:9") == [("catalog", 12), ("places", 9)]
    assert parse_applied("a:b:3,:4,x:,y:z") == [("a:b", 3)]


def test_ring_wakes_the_projector_side_and_applied_reaches_the_waiting_write() -> None:
    where = f"bell-test-{uuid.uuid4()}"
    projector, web = bell(where), bell(where)
    woken = threading.Event()
    try:
        projector.listen(woken.set)
        web.listen()
        deadline = time.monotonic() + 5
        while not (projector.hears_applied() and web.hears_applied()):  # both LISTEN now
            assert time.monotonic() < deadline, "the bells did not start listening"
            time.sleep(0.01)
        woken.clear()  # the projector side wakes once when it starts listening
        web.ring()
        until(woken, "the ring did not wake the projector side")

        def stored() -> dict[str, int]:  # never there: only the notification can end the wait
            return {"catalog": 0, "places": 0}

        result: list[bool] = []
        waiter = threading.Thread(
            target=lambda: result.append(web.wait_all_applied(("catalog", "places"), 7, 5.0, stored))
        )
        waiter.start()
        projector.applied("catalog", 7)
        projector.applied("places", 8)
        waiter.join(6)
        assert result == [True]
    finally:
        projector.close()
        web.close()


def test_a_write_that_hears_nothing_still_sees_the_stored_positions() -> None:
    web = bell(f"bell-test-{uuid.uuid4()}")
    try:
        calls = []

        def stored() -> dict[str, int]:
            calls.append(1)
            return {"catalog": 5 if len(calls) > 1 else 4}

        assert web.wait_all_applied(("catalog",), 5, 5.0, stored)
        assert len(calls) == 2
        assert not web.wait_all_applied(("catalog",), 6, 0.3, lambda: {"catalog": 5})
    finally:
        web.close()
