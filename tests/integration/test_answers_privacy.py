"""Once aggregated, a participant's answers are gone for good: from the API, every read model, a
full replay, and the bytes of the event store (SQLite file, PostgreSQL relation files)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api.bootstrap import Services
from api.config import Settings
from domain.ports import FakeClock
from projections.replay import replay
from tests.conftest import Api, make_services, registration_body
from tests.integration.helpers import files_containing, postgres_relation_bytes

pytestmark = pytest.mark.integration
SECRET = "Zanzibar-Affiliate-7f3c"
TIMES = {"timezone": "UTC", "start_time": "20261123100000", "end_time": "20261123120000"}


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, sqlite_settings: Settings) -> Settings:
    if request.param == "sqlite":
        return sqlite_settings
    found: Settings = request.getfixturevalue("postgres_settings")
    return found


@pytest.fixture
def world(settings: Settings, clock: FakeClock) -> Iterator[tuple[Services, Any]]:
    services = make_services(settings, clock)
    app = create_app(services=services, run_projector=True)
    yield services, app
    services.close()


def user(services: Services, app: Any, name: str, *groups: str) -> Api:
    from domain import commands
    from tests.conftest import User

    new = services.app.create_user(commands.CreateUser(name, f"{name}@example.org", groups, "pw"))
    return Api(app, User(new.user_id, new.user_name, new.token, "pw"))


def test_aggregated_answers_leave_no_trace(
    world: tuple[Services, Any], clock: FakeClock, settings: Settings
) -> None:
    services, app = world
    organizer = user(services, app, "Olga", "event-organizer")
    assert (
        organizer.post("/campaignevents/v0/event_registration", registration_body(**TIMES)).status_code == 201
    )
    answers = {
        "gender": {"value": 4},
        "affiliate": {"value": 1, "other": SECRET},
        "confidence": {"value": 2},
    }
    bob = user(services, app, "Bob")
    resp = bob.put(
        "/campaignevents/v0/event_registration/1/participants/self", {"is_private": True, "answers": answers}
    )
    assert resp.get_json() == {"modified": True}
    key = services.keys.get(1, bob.user.user_id)  # type: ignore[union-attr]
    assert key is not None
    # Before aggregation: the author reads them back; the event store holds only ciphertext.
    own = bob.get("/campaignevents/v0/event_registration/1/participants/self").get_json()
    assert own["answers"]["affiliate"] == {"value": 1, "other": SECRET}
    assert _store_bytes_contain(settings, SECRET.encode()) is False
    assert _store_bytes_contain(settings, b"Olga") is True  # the scan does read the stored facts

    clock.advance(days=2)
    report = services.app.aggregate_answers()
    assert (report.participants, report.events) == (1, 1)
    services.projector.catch_up()

    registration = services.app.registration(1)
    assert registration.answer_counts == {"1:4": 1, "4:2": 1, "5:1": 1}
    assert services.keys.get(1, bob.user.user_id) is None
    assert bob.get("/campaignevents/v0/event_registration/1/participants/self").get_json()["answers"] == []
    listed = organizer.get(
        "/campaignevents/v0/event_registration/1/participants?include_private=true"
    ).get_json()
    assert SECRET not in str(listed)
    for rows in services.store.dump().values():
        assert SECRET not in str(rows)
    participant_rows = services.store.dump()["rm_participants"]
    assert all(row[7] is None for row in participant_rows)  # answers_sealed column emptied

    replay(services.projector, progress=False)
    assert SECRET not in str(services.store.dump())
    assert all(row[7] is None for row in services.store.dump()["rm_participants"])
    assert services.app.answers_of(services.app.participant(1, bob.user.user_id)) == {}

    assert _store_bytes_contain(settings, SECRET.encode()) is False
    assert _store_bytes_contain(settings, key) is False  # the destroyed key left no bytes behind


def _store_bytes_contain(settings: Settings, needle: bytes) -> bool:
    if settings.is_postgres:
        blob = b"".join(
            postgres_relation_bytes(settings, table)
            for table in ("campaignevents_events", "campaignevents_snapshots", "rm_participants")
        )
        return needle in blob
    folder = Path(settings.database_url[len("sqlite:///") :]).parent
    return bool(files_containing(folder, needle))
