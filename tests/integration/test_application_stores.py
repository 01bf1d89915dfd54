"""The application suite again on real stores: a SQLite file (WAL) and PostgreSQL on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.bootstrap import init_store
from api.config import Settings
from domain import commands
from domain.application import CampaignEvents
from domain.ports import FakeClock
from tests.unit.test_application import *  # noqa: F403 - the same tests, on other stores
from tests.unit.test_application import NO_DIRECTORY, NO_KEYS, POLICY, details, enable, user

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgres"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    if request.param == "sqlite":
        settings = Settings(database_url=f"sqlite:///{tmp_path}/events.db")
    else:
        settings = request.getfixturevalue("postgres_settings")
    init_store(settings)
    yield settings.event_store_env()


def test_state_survives_a_reload_from_the_store(
    domain_app: CampaignEvents, store_env: dict[str, str], clock: FakeClock
) -> None:
    alice = user(domain_app, "Alice", "event-organizer")
    eid = enable(domain_app, alice, chat_url="https://chat.example.org/x")
    domain_app.edit_registration(commands.EditRegistration(alice, eid, details(timezone="+05:30"), "closed"))
    fresh = CampaignEvents(
        store_env | {"CREATE_TABLE": "n"}, clock=clock, policy=POLICY, directory=NO_DIRECTORY, keys=NO_KEYS
    )
    try:
        again = fresh.registration(eid)
        assert again.details == domain_app.registration(eid).details
        assert (again.status, again.details.timezone, again.details.chat_url) == ("closed", "+05:30", None)
        assert fresh.account_by_name("Alice").user_id == alice
    finally:
        fresh.close()
