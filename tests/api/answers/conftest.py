"""The answer tests' people and events: Olga organizes, plain users register, ``far`` is an event
in 2030 (only the 90-day rule aggregates its answers), ``soon`` one tomorrow."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import create

SOON = {"timezone": "UTC", "start_time": "20261123100000", "end_time": "20261123120000"}


@pytest.fixture
def olga(api: Any, make_user: Any) -> Any:
    """The organizer (creator of every event here)."""
    return api(make_user("Olga", "event-organizer"))


@pytest.fixture
def people(api: Any, make_user: Any) -> Any:
    """``people("Bob")``: a plain user's client (created on first use)."""
    made: dict[str, Any] = {}

    def person(name: str, *groups: str) -> Any:
        if name not in made:
            made[name] = api(make_user(name, *groups))
        return made[name]

    return person


@pytest.fixture
def bob(people: Any) -> Any:
    return people("Bob")


@pytest.fixture
def carol(people: Any) -> Any:
    return people("Carol")


@pytest.fixture
def far(olga: Any) -> int:
    """An event in 2030: only the 90-day rule can aggregate its answers."""
    return create(olga, "Event:Far")


@pytest.fixture
def soon(olga: Any) -> int:
    """An event tomorrow, 10:00-12:00 UTC."""
    return create(olga, "Event:Soon", **SOON)
