"""200 clients register at the same moment for 10 places, over real HTTP, on PostgreSQL.

A real server process (``campaignevents serve``: waitress, the projector in a thread, jobs
in-process) on a free port, a real SMTP server (tests/integration/smtp_sink.py). Exactly 10 are
confirmed and 190 waitlisted in the order their requests were committed to the log; no 5xx; no
client waits long. Then 3 confirmed participants cancel: exactly the first 3 waitlisted are
promoted, and each gets one e-mail.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

import psycopg
import requests

from api.config import Settings
from domain import commands
from domain.ports import SystemClock
from tests.conftest import POSTGRES_URL, make_services
from tests.integration.helpers import spawn_cli, stop
from tests.integration.smtp_sink import Sink, free_port

CLIENTS = 200
PLACES = 10
SLOWEST = 2.5  # seconds: "no client waiting more than a second or two" (on a shared 2-core machine)
BASE = "/campaignevents/v0/event_registration"


def _users(settings: Settings) -> tuple[str, list[tuple[int, str]]]:
    """The organizer's token and (user id, token) of every client, made in this process."""
    services = make_services(settings, SystemClock())  # type: ignore[arg-type]
    try:
        app = services.app
        boss = app.create_user(commands.CreateUser("Boss", "boss@example.org", ("event-organizer",)))
        people = [
            app.create_user(commands.CreateUser(f"Client{n:03d}", f"client{n:03d}@example.org"))
            for n in range(CLIENTS)
        ]
        return boss.token, [(p.user_id, p.token) for p in people]
    finally:
        services.projector.catch_up()
        services.close()


def _wait_answering(url: str, server: Any) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, stop(server)
        try:
            requests.get(url + "/campaignevents/v0/participant_questions", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer")


def _log_order(settings: Settings, event_id: int) -> list[str]:
    """Participant aggregate ids of the event's requests, in the order they were committed."""
    schema = settings.database_url.partition("?schema=")[2]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        members = {
            r[0]
            for r in conn.execute(
                "SELECT aggregate_id FROM rm_place_members WHERE event_id = %s", (event_id,)
            )
        }
        rows = conn.execute(
            "SELECT originator_id::text FROM campaignevents_events WHERE topic LIKE %s"
            " ORDER BY notification_id",
            ("%ParticipantRegistered",),
        ).fetchall()
    return [r[0] for r in rows if r[0] in members]


def _members(settings: Settings, event_id: int) -> list[tuple[str, int, str]]:
    schema = settings.database_url.partition("?schema=")[2]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        return [
            (r[0], r[1], r[2])
            for r in conn.execute(
                "SELECT aggregate_id, user_id, status FROM rm_place_members WHERE event_id = %s "
                "ORDER BY request_seq",
                (event_id,),
            )
        ]


def test_200_clients_for_10_places(postgres_settings: Settings, smtp_sink: tuple[Sink, str]) -> None:
    sink, smtp_url = smtp_sink
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = replace(postgres_settings, smtp_url=smtp_url, base_url=url)
    boss, people = _users(settings)
    server = spawn_cli(
        settings,
        "serve",
        "--port",
        str(port),
        "--threads",
        "48",
        drain=True,  # read its log as it comes: a full pipe would stop waitress's accepting thread
        CAMPAIGNEVENTS_SMTP_URL=smtp_url,
        CAMPAIGNEVENTS_BASE_URL=url,
    )
    try:
        _wait_answering(url, server)
        organizer = {"Authorization": f"Bearer {boss}"}
        body: dict[str, Any] = {
            "event_page": "Event:Crowded",
            "timezone": "UTC",
            "start_time": "20300101100000",
            "end_time": "20300101180000",
            "wikis": [],
            "online_meeting": True,
            "inperson_meeting": False,
        }
        created = requests.post(url + BASE, json=body, headers=organizer, timeout=30)
        assert created.status_code == 201, created.text
        event_id = created.json()["id"]
        limit = {"participant_limit": PLACES, "waitlist": True, "requires_approval": False}
        assert requests.put(f"{url}{BASE}/{event_id}/places", json=limit, headers=organizer, timeout=30).ok

        baseline = requests.post(
            url + BASE, json={**body, "event_page": "Event:Unlimited"}, headers=organizer, timeout=30
        )
        assert baseline.status_code == 201, baseline.text
        unlimited = _burst(url, baseline.json()["id"], people)  # the same clients, the same machine load
        results = _burst(url, event_id, people)
        assert sorted({status for status, _, _ in results.values()}) == [200], {
            u: r for u, r in results.items() if r[0] != 200
        }
        assert all(answer == {"modified": True} for _, _, answer in results.values())
        slowest = max(seconds for _, seconds, _ in results.values())
        slowest_unlimited = max(seconds for _, seconds, _ in unlimited.values())
        print(f"slowest client: {slowest:.2f} s limited, {slowest_unlimited:.2f} s unlimited")
        # Deciding places adds no contention: on a quiet machine both are under SLOWEST; on a loaded
        # one the limited event's clients wait no longer than twice the unlimited event's.
        assert slowest <= max(SLOWEST, 2 * slowest_unlimited), f"{slowest:.2f} s vs {slowest_unlimited:.2f} s"

        members = _members(settings, event_id)
        assert [m[0] for m in members] == _log_order(settings, event_id)  # request order = log order
        assert [m[2] for m in members] == ["confirmed"] * PLACES + ["waitlisted"] * (CLIENTS - PLACES)
        counts = requests.get(f"{url}{BASE}/{event_id}/counts", timeout=30).json()
        assert counts == {
            "participants": {"public": PLACES, "private": 0},
            "waitlisted": CLIENTS - PLACES,
            "pending": 0,
            "checked_in": 0,
            "participant_limit": PLACES,
        }
        tokens = dict(people)
        first_waitlisted = members[PLACES][1]
        own = requests.get(
            f"{url}{BASE}/{event_id}/participants/self/status",
            headers={"Authorization": f"Bearer {tokens[first_waitlisted]}"},
            timeout=30,
        ).json()
        assert own == {"status": "waitlisted", "waitlist_position": 1}

        # three confirmed people cancel: exactly the first three waitlisted are promoted
        for _, user_id, _ in members[:3]:
            resp = requests.delete(
                f"{url}{BASE}/{event_id}/participants/self",
                headers={"Authorization": f"Bearer {tokens[user_id]}"},
                timeout=30,
            )
            assert resp.json() == {"modified": True}
        after = {m[1]: m[2] for m in _members(settings, event_id)}
        promoted = [m[1] for m in members[PLACES : PLACES + 3]]
        assert [after[u] for u in promoted] == ["confirmed"] * 3
        assert sorted(after.values()).count("waitlisted") == CLIENTS - PLACES - 3
        subject = "A place is yours: Crowded"
        deadline = time.monotonic() + 60
        while len(sink.with_subject(subject)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # a duplicate would arrive by now
        got = sorted(sink.to(subject))
        expected = sorted(f"Client{n:03d} <client{n:03d}@example.org>" for n in _numbers(people, promoted))
        assert got == expected
    finally:
        output = stop(server)
    assert "Traceback" not in output, output[-3000:]


def _burst(url: str, event_id: int, people: list[tuple[int, str]]) -> dict[int, tuple[int, float, Any]]:
    """Every client registers at the same moment (a barrier); (status, seconds, answer) by user id."""
    results: dict[int, tuple[int, float, Any]] = {}
    barrier = threading.Barrier(len(people))

    def client(user_id: int, token: str) -> None:
        session = requests.Session()
        headers = {"Authorization": f"Bearer {token}"}
        barrier.wait()
        started = time.monotonic()
        resp = session.put(
            f"{url}{BASE}/{event_id}/participants/self",
            json={"is_private": False},
            headers=headers,
            timeout=60,
        )
        results[user_id] = (resp.status_code, time.monotonic() - started, resp.json())

    threads = [threading.Thread(target=client, args=person) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(results) == len(people)
    return results


def _numbers(people: list[tuple[int, str]], user_ids: list[int]) -> list[int]:
    index = {user_id: n for n, (user_id, _) in enumerate(people)}
    return [index[u] for u in user_ids]
