"""A whole life of an event registration, over real HTTP against the Procfile's processes: created a
few seconds before it starts, given a co-organizer, joined publicly (bearer token) and privately (cookie
session + CSRF token) with answers, listed, its participants e-mailed through the worker, ended by the
real clock, its answers aggregated by the worker's schedule, its history read, and deleted.

Every wait is bounded; together they stay under a minute.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
import requests

from tests.e2e.conftest import HTTP_TIMEOUT, Budget, CliUser, Stack

# pytest-timeout only as a backstop: the stack's start, the command line and the test's waits are
# bounded on their own, and report what they were waiting for
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

API = "/campaignevents/v0"
LEAD = timedelta(seconds=3)  # the event starts this long after it is created ...
LENGTH = timedelta(seconds=7)  # ... and lasts this long: everything before its end fits in it
WAITS = 60.0  # all the waits of the lifecycle test together
MAIL_WAIT = 15.0
AGGREGATION_WAIT = 20.0
RESULTS_WAIT = 5.0
SUBJECT = "Snacks on Saturday"
MESSAGE = "Bring snacks, please."
BOB_ANSWERS = {"confidence": {"value": 3}, "affiliate": {"value": 1, "other": "WMDE"}, "gender": {"value": 2}}
CAROL_ANSWERS = {"confidence": {"value": 1}, "age": {"value": 3}}
CONFIDENCE_3 = "I have some experience, and feel confident contributing, but would like to learn more"
CONFIDENCE_1 = "I have never contributed to a Wikimedia project before"
TOO_FEW = "This question has received less than 10 total responses."
T = TypeVar("T")


def ts_mw(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


class Client:
    """``requests`` against the stack, as one caller; remembers every response it got."""

    def __init__(self, stack: Stack, seen: list[requests.Response], user: CliUser | None = None) -> None:
        self.base = stack.base_url
        self.session = requests.Session()
        self.session.hooks["response"].append(lambda resp, *args, **kwargs: seen.append(resp))
        if user is not None:
            self.session.headers.update(user.bearer)
        self.csrf: str | None = None

    def login(self, user: CliUser) -> None:
        """A cookie session instead of a bearer token: writes then carry the CSRF token."""
        resp = self.post("/auth/login", {"username": user.user_name, "password": user.password})
        assert resp.status_code == 200, resp.text
        assert "campaignevents_session" in self.session.cookies
        resp = self.get("/auth/csrf_token")
        assert resp.status_code == 200, resp.text
        self.csrf = resp.json()["token"]

    def request(self, method: str, path: str, body: Any = None, **kw: Any) -> requests.Response:
        if self.csrf is not None and method != "GET" and not path.startswith("/auth/login"):
            body = {**(body or {}), "token": self.csrf}
        if body is not None:
            kw["json"] = body
        return self.session.request(method, self.base + path, timeout=HTTP_TIMEOUT, **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.request("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.request("PUT", path, body, **kw)

    def delete(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, body, **kw)


class Callers:
    """Makes the test's clients; they share one record of every response, and are closed after."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.seen: list[requests.Response] = []
        self.made: list[Client] = []

    def __call__(self, user: CliUser | None = None) -> Client:
        client = Client(self.stack, self.seen, user)
        self.made.append(client)
        return client

    def close(self) -> None:
        for client in self.made:
            client.session.close()


def expect(resp: requests.Response, status: int, body: Any = ...) -> Any:
    """Assert the status (and the JSON body, when given); return the JSON body (``None`` if empty)."""
    got = resp.json() if resp.content else None
    assert resp.status_code == status, f"{resp.request.method} {resp.url}: {resp.status_code} {resp.text}"
    if body is not ...:
        assert got == body, f"{resp.request.method} {resp.url}"
    return got


def at_least(count: int, found: list[T]) -> list[T] | None:
    return found if len(found) >= count else None


def shown(confidence: str = "No response", affiliate: str = "No response") -> list[dict[str, Any]]:
    return [{"message": confidence, "questionID": 4}, {"message": affiliate, "questionID": 5}]


@pytest.fixture(scope="module")
def users(stack: Stack) -> dict[str, CliUser]:
    """Provisioned with ``campaignevents users create`` while the stack runs."""
    return stack.create_users(
        ("Olga", ("event-organizer",)),  # creates the event
        ("Otto", ("event-organizer",)),  # becomes its co-organizer
        ("Bob", ()),  # registers publicly, with a bearer token
        ("Carol", ()),  # registers privately, through a cookie session
    )


@pytest.fixture
def callers(stack: Stack) -> Iterator[Callers]:
    made = Callers(stack)
    yield made
    made.close()


def test_health_readiness_and_request_ids(stack: Stack) -> None:
    resp = requests.get(f"{stack.base_url}/healthz", timeout=HTTP_TIMEOUT)
    expect(resp, 200, {"status": "ok"})
    ready = expect(requests.get(f"{stack.base_url}/readyz", timeout=HTTP_TIMEOUT), 200)
    assert ready["checks"]["database"] == ready["checks"]["redis"] == "ok", ready
    # a sane client request id is taken and sent back; a bad one is replaced
    resp = requests.get(f"{stack.base_url}/healthz", headers={"X-Request-Id": "e2e-probe.1"}, timeout=5)
    assert resp.headers["X-Request-Id"] == "e2e-probe.1"
    resp = requests.get(f"{stack.base_url}/healthz", headers={"X-Request-Id": "bad id!"}, timeout=5)
    assert resp.headers["X-Request-Id"] not in ("", "bad id!")


def test_a_registration_from_creation_to_deletion(
    stack: Stack, users: dict[str, CliUser], callers: Callers
) -> None:
    began = time.monotonic()
    budget = Budget(WAITS)

    def mark(what: str) -> None:  # shown with -s, and on failure
        print(f"{time.monotonic() - began:6.2f}s {what}")

    olga, otto, bob = (callers(users[n]) for n in ("Olga", "Otto", "Bob"))
    carol, anonymous = callers(), callers()
    expect(anonymous.get("/healthz"), 200, {"status": "ok"})
    carol.login(users["Carol"])
    for client in (olga, bob):
        me = expect(client.get(f"{API}/participant/{users['Bob'].user_id}/event_registrations"), 200)
        assert me == []  # the tokens printed by the command line work at once

    # --- the organizer enables registration for an event starting in a few seconds ---------------
    start = datetime.now(UTC).replace(microsecond=0) + LEAD
    end = start + LENGTH
    body = {
        "event_page": "Event:Lifecycle Test",
        "timezone": "UTC",
        "start_time": ts_mw(start),
        "end_time": ts_mw(end),
        "wikis": [],
        "online_meeting": True,
        "meeting_url": "https://meet.example.org/lifecycle",
    }
    resp = olga.post(f"{API}/event_registration", body)
    event_id = expect(resp, 201)["id"]
    reg = f"{API}/event_registration/{event_id}"
    assert resp.headers["Location"] == stack.base_url + reg
    details = expect(olga.get(reg), 200)
    assert (details["id"], details["name"], details["status"]) == (event_id, "Lifecycle Test", "open")
    assert (details["start_time"], details["end_time"]) == (ts_mw(start), ts_mw(end))

    # --- a co-organizer ---------------------------------------------------------------------------
    expect(olga.put(f"{reg}/organizers", {"organizer_usernames": ["Olga", "Otto"]}), 204)
    organizers = expect(anonymous.get(f"{reg}/organizers"), 200)
    assert sorted(o["user_name"] for o in organizers) == ["Olga", "Otto"]

    # --- one public registration (bearer), one private (cookie session + CSRF) --------------------
    expect(bob.put(f"{reg}/participants/self", {"is_private": False, "answers": BOB_ANSWERS}), 200)
    expect(bob.get(f"{reg}/participants/self"), 200, {"private": False, "answers": BOB_ANSWERS})
    no_token = carol.session.put(
        stack.base_url + f"{reg}/participants/self", json={"is_private": True}, timeout=HTTP_TIMEOUT
    )
    assert (no_token.status_code, no_token.json()["errorKey"]) == (403, "rest-badtoken")
    body = {"is_private": True, "answers": CAROL_ANSWERS}
    expect(carol.put(f"{reg}/participants/self", body), 200, {"modified": True})
    expect(carol.get(f"{reg}/participants/self"), 200, {"private": True, "answers": CAROL_ANSWERS})

    # --- who sees whom ----------------------------------------------------------------------------
    public = expect(anonymous.get(f"{reg}/participants", params={"include_private": "false"}), 200)
    assert [p["user_name"] for p in public] == ["Bob"]
    assert "non_pii_answers" not in public[0]
    mark(f"listing as organizer, {(end - datetime.now(UTC)).total_seconds():.1f}s before the end")
    assert datetime.now(UTC) < end - timedelta(seconds=1), "too slow: the event ended before it was listed"
    listed = expect(olga.get(f"{reg}/participants", params={"include_private": "true"}), 200)
    by_name = {p["user_name"]: p for p in listed}
    assert sorted(by_name) == ["Bob", "Carol"]
    assert (by_name["Bob"]["private"], by_name["Carol"]["private"]) == (False, True)
    assert by_name["Bob"]["user_id"] == users["Bob"].user_id
    assert by_name["Bob"]["non_pii_answers"] == shown(CONFIDENCE_3, "Yes: WMDE")
    assert by_name["Carol"]["non_pii_answers"] == shown(CONFIDENCE_1)
    assert by_name["Bob"]["user_is_valid_recipient"] is by_name["Carol"]["user_is_valid_recipient"] is True

    # --- e-mail to the participants: the projector enqueues, the worker sends ----------------------
    expect(olga.post(f"{reg}/email", {"subject": SUBJECT, "message": MESSAGE}), 202, {"sent": 2})
    delivered = budget.wait_until(
        "the worker to deliver the e-mail to both participants",
        lambda: at_least(2, stack.sink.with_subject(SUBJECT)),
        MAIL_WAIT,
    )
    mark("e-mail delivered")
    assert sorted(m["To"] for m in delivered) == sorted(users[n].address for n in ("Bob", "Carol"))
    for message in delivered:
        assert message["Reply-To"] == users["Olga"].address
        assert message["From"] == "CampaignEvents <campaignevents@localhost>"
        name = message["To"].split(" <")[0]
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes), payload
        assert payload.decode().replace("\r\n", "\n") == (
            f"{MESSAGE}\n\n-- \nThis email was sent by Olga to {name}, a registered participant of the "
            f"following event: {stack.base_url}{reg}. If you reply, your reply will go to Olga.\n"
        )
    confirmed = budget.wait_until(
        "the registration confirmations",
        lambda: at_least(2, stack.sink.to("You are registered for Lifecycle Test")),
        MAIL_WAIT,
    )
    assert sorted(confirmed) == sorted(users[n].address for n in ("Bob", "Carol"))

    # --- the event ends by the real clock; the worker's schedule aggregates the answers -----------
    budget.sleep((end - datetime.now(UTC)).total_seconds() + 1.0)
    mark("the event has ended")

    def no_answers_left() -> bool:
        return all(expect(w.get(f"{reg}/participants/self"), 200)["answers"] == [] for w in (bob, carol))

    budget.wait_until("the worker's schedule to aggregate the answers", no_answers_left, AGGREGATION_WAIT)
    mark("answers aggregated")
    listed = expect(olga.get(f"{reg}/participants", params={"include_private": "true"}), 200)
    assert all("non_pii_answers" not in p for p in listed)  # the event has ended

    def aggregated_results() -> dict[str, Any] | None:
        resp = olga.get(f"{reg}/aggregated_answers")
        found: dict[str, Any] | None = resp.json() if resp.status_code == 200 else None
        return found

    results = budget.wait_until("the aggregated answers", aggregated_results, RESULTS_WAIT)
    assert results["event_id"] == event_id
    assert results["questions"] and all(q["message"] == TOO_FEW for q in results["questions"])
    expect(otto.get(f"{reg}/aggregated_answers"), 200, results)
    forbidden = expect(bob.get(f"{reg}/aggregated_answers"), 403)
    assert forbidden["errorKey"] == "campaignevents-rest-aggregated-answers-permission-denied"

    # --- the history shows the facts, with who did them ------------------------------------------
    history = expect(olga.get(f"{reg}/history", params={"limit": "500"}), 200)
    facts = [(h["kind"], h["user_name"], (h.get("participant") or {}).get("user_name")) for h in history]
    for fact in [
        ("registration-enabled", "Olga", None),
        ("organizers-changed", "Olga", None),
        ("participant-registered", "Bob", "Bob"),
        ("answers-submitted", "Bob", "Bob"),
        ("participant-registered", "Carol", "Carol"),
        ("answers-submitted", "Carol", "Carol"),
        ("participants-emailed", "Olga", None),
    ]:
        assert fact in facts, (fact, facts)
    assert sorted(str(f[2]) for f in facts if f[0] == "answers-aggregated") == ["Bob", "Carol"], facts
    counted = [h for h in history if h["kind"] == "answers-counted"]
    assert sum(h["answers"] for h in counted) == len(BOB_ANSWERS) + len(CAROL_ANSWERS), counted
    emailed = next(h for h in history if h["kind"] == "participants-emailed")
    assert emailed["recipients"] == 2
    carol_registered = next(
        h for h in history if h["kind"] == "participant-registered" and h["user_name"] == "Carol"
    )
    assert carol_registered["participant"]["private"] is True
    assert [h["id"] for h in history] == sorted(h["id"] for h in history)

    # --- deletion ---------------------------------------------------------------------------------
    expect(olga.delete(reg), 204)
    gone = expect(anonymous.get(reg), 404)
    assert gone["errorKey"] == "campaignevents-rest-get-registration-deleted"
    expect(carol.post("/auth/logout"), 204)

    # --- metrics, request ids, and nothing delivered twice ---------------------------------------
    metrics = expect_text(anonymous.get("/metrics"), 200)
    assert "campaignevents_http_request_duration_seconds" in metrics
    assert f'route="{API}/event_registration/<event_id>/participants/self"' in metrics
    # PROMETHEUS_MULTIPROC_DIR is set as the README says: the web's scrape includes the worker's jobs
    assert 'campaignevents_jobs_total{job="aggregate_answers",outcome="succeeded"}' in metrics
    assert len(stack.sink.with_subject(SUBJECT)) == 2
    missing = [
        f"{r.request.method} {r.url} {r.status_code}"
        for r in callers.seen
        if not r.headers.get("X-Request-Id")
    ]
    assert not missing, missing
    assert len({r.headers["X-Request-Id"] for r in callers.seen}) == len(callers.seen), (
        "request ids are not unique"
    )
    mark(f"done ({len(callers.seen)} requests)")


def expect_text(resp: requests.Response, status: int) -> str:
    assert resp.status_code == status, f"{resp.url}: {resp.status_code} {resp.text[:500]}"
    return resp.text
