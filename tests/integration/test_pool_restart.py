"""The event store's pooled PostgreSQL connections are not pinged before use
(``CAMPAIGNEVENTS_POSTGRES_PRE_PING`` unset): connections a server restart broke must still cost the
caller nothing — the first statement on one fails and is retried on another. Here every backend of
these services is terminated (what a restart does to them), then reads and writes go on."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from api.bootstrap import Services
from api.config import Settings
from domain import commands
from domain.ports import FakeClock
from tests.conftest import POSTGRES_URL, make_services, stop_projector
from tests.unit.domain.factories import details

pytestmark = pytest.mark.integration


@pytest.fixture
def named(
    postgres_settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Services, str]]:
    name = f"ce_restart_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PGAPPNAME", name)  # libpq: every connection these services open carries it
    assert not postgres_settings.postgres_pre_ping
    built = make_services(postgres_settings, clock)
    yield built, name
    stop_projector(built)
    built.close()


def terminate(name: str) -> int:
    with psycopg.connect(POSTGRES_URL, autocommit=True, application_name="ce_terminator") as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return len(rows)


def test_reads_and_writes_go_on_after_every_connection_was_cut(named: tuple[Services, str]) -> None:
    services, name = named
    app: Any = services.app
    organizer = app.create_user(commands.CreateUser("Olga", None, ("event-organizer",)))
    first = app.enable_registration(commands.EnableRegistration(organizer.user_id, details("Event:Before")))
    services.projector.catch_up()
    assert terminate(name) >= 1
    again = app.account_by_name("Olga")  # a read on a pooled connection that was cut
    assert again is not None and again.user_id == organizer.user_id
    second = app.enable_registration(commands.EnableRegistration(organizer.user_id, details("Event:After")))
    assert terminate(name) >= 1
    services.projector.catch_up()  # the read models' connections were cut too
    assert app.registration(second.event_id).details.page == "Event:After"
    assert {r.event_id for r in services.views.events_organized_by(organizer.user_id)} == {
        first.event_id,
        second.event_id,
    }
