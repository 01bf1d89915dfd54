"""Shared fixtures: a fake clock, settings on a fresh SQLite file, the Flask app and its users.

Integration fixtures (PostgreSQL, Redis) fail instead of skipping when
``CAMPAIGNEVENTS_REQUIRE_SERVICES=1`` (``.ci/run`` sets it).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from api.ops import limiter
from domain import commands, credentials
from domain.ports import FakeClock

POSTGRES_URL = os.environ.get("CAMPAIGNEVENTS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("CAMPAIGNEVENTS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("CAMPAIGNEVENTS_REQUIRE_SERVICES") == "1"


def service_missing(what: str, error: BaseException) -> None:
    """Skip on a developer's machine without the service; fail in CI, where it must be there."""
    message = f"{what} is not reachable: {error}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (CAMPAIGNEVENTS_REQUIRE_SERVICES=1: integration tests must run)")
    pytest.skip(message)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC))


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path}/events.db",
        wiki_id="local",
        known_wikis=("local", "enwiki", "frwiki"),
        secret_key="test-secret",
        base_url="http://campaignevents.test",
        # user links as the reference wiki rendered them (no user pages): the API tests compare whole
        # responses with its transcript; tests/api/test_links.py covers the default
        user_url="/w/index.php?title=User:{user_name}&action=edit&redlink=1",
    )


@pytest.fixture
def postgres_settings(sqlite_settings: Settings) -> Iterator[Settings]:
    """Settings on a fresh PostgreSQL schema of the ``test`` database, dropped afterwards."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        service_missing("PostgreSQL", error)
    with conn:
        yield replace(sqlite_settings, database_url=f"{POSTGRES_URL}?schema={schema}")
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def make_services(settings: Settings, clock: FakeClock) -> Services:
    init_store(settings)
    return build_services(settings, clock)


def stop_projector(services: Any) -> None:
    """Stop the app's projector thread and wait for it (and any other thread named ``projector``),
    before ``services`` closes the database: SQLite closed under a running query can crash."""
    services.projector.stop()
    for thread in threading.enumerate():
        if thread.name == "projector":
            thread.join(timeout=10)


@pytest.fixture
def services(sqlite_settings: Settings, clock: FakeClock) -> Iterator[Services]:
    """The app's services on a fresh SQLite file; the projector is stopped before they close."""
    built = make_services(sqlite_settings, clock)
    yield built
    stop_projector(built)
    built.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def services_on_both(request: Any, sqlite_settings: Settings, clock: FakeClock) -> Iterator[Services]:
    """The app's services on SQLite, then on a fresh PostgreSQL schema: a module whose SQL or
    locking differs by backend overrides ``services`` with this one, and each test runs on both."""
    on_postgres = request.param == "postgresql"
    settings = request.getfixturevalue("postgres_settings") if on_postgres else sqlite_settings
    built = make_services(settings, clock)
    yield built
    stop_projector(built)
    built.close()


@pytest.fixture
def other(sqlite_settings: Settings, services: Services, clock: FakeClock) -> Iterator[Services]:
    """Another process's services on the same store as ``services``: its own caches, nothing of
    the first's in them."""
    built = build_services(sqlite_settings, clock)
    yield built
    stop_projector(built)
    built.close()


def use_cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2's defaults cost about half a second a hash here; the parameters travel inside each
    hash, so verification is unchanged."""
    monkeypatch.setattr(credentials, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap password hashing for the test (``use_cheap_passwords``); opt in with
    ``pytestmark = pytest.mark.usefixtures("cheap_passwords")``."""
    use_cheap_passwords(monkeypatch)


@pytest.fixture
def flask_app(services: Services) -> Flask:
    app = create_app(services=services, run_projector=True)
    app.testing = True
    limiter.reset()  # the login throttle counts failed logins per account and address; start afresh
    return app


@dataclass
class User:
    user_id: int
    name: str
    token: str
    password: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    """A test client that speaks JSON and knows who it is (bearer, session or anonymous)."""

    def __init__(self, app: Flask, user: User | None = None, *, session: bool = False) -> None:
        self.client: FlaskClient = app.test_client()
        self.user = user
        self.csrf: str | None = None
        if user is not None and session:
            resp = self.client.post("/auth/login", json={"username": user.name, "password": user.password})
            assert resp.status_code == 200, resp.get_json()
            self.csrf = self.client.get("/auth/csrf_token").get_json()["token"]

    def _headers(self) -> dict[str, str]:
        if self.user is not None and self.csrf is None:
            return self.user.bearer
        return {}

    def request(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        if body is not None and self.csrf is not None and isinstance(body, dict) and "token" not in body:
            body = {**body, "token": self.csrf}
        if body is None and self.csrf is not None and method in ("DELETE", "POST", "PUT", "PATCH"):
            body = {"token": self.csrf}
        headers = {**self._headers(), **kw.pop("headers", {})}
        return self.client.open(path, method=method, json=body, headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("PUT", path, body, **kw)

    def delete(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("DELETE", path, body, **kw)


@pytest.fixture
def make_user(services: Services) -> Any:
    def make(name: str, *groups: str, email: str | None = None) -> User:
        password = f"pw-{name}-secret"
        new = services.app.create_user(
            commands.CreateUser(name, email or f"{name.lower()}@example.org", groups, password)
        )
        return User(new.user_id, new.user_name, new.token, password)

    return make


@pytest.fixture
def api(flask_app: Flask) -> Any:
    def make(user: User | None = None, *, session: bool = False) -> Api:
        return Api(flask_app, user, session=session)

    return make


def registration_body(page: str = "Event:PeerTest One", **overrides: Any) -> dict[str, Any]:
    """The observed transcript's valid create body (plus the required ``wikis``)."""
    body: dict[str, Any] = {
        "event_page": page,
        "timezone": "Europe/Rome",
        "start_time": "20300101100000",
        "end_time": "20300101180000",
        "wikis": [],
        "online_meeting": True,
        "inperson_meeting": False,
        "meeting_url": "https://meet.example.org/abc",
        "chat_url": "https://chat.example.org/room",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}
