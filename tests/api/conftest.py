"""Fixtures the API tests share: the transcript's cast, two ways.

- ``people``: Admin (sysop), Alice, Bob, Dave (event organizers), Carol (no groups), each made on
  first use (``tests.api.helpers.People``), with cheap password hashing.
- ``cast``: the same five made at once in the transcript's order, so that they have its user ids:
  Admin 1, Alice 3, Bob 4, Carol 5, Dave 6 (id 2 is a filler account, as on the real wiki); and
  ``admin``/``alice``/``bob``/``carol``, bearer clients for them. A module that defines a fixture of
  the same name (e.g. an ``admin`` with a cookie session) uses its own.

The projector's stop before the database closes is in the ``services`` fixture (tests/conftest.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.helpers import People, make_people


@pytest.fixture
def people(make_user: Any, monkeypatch: pytest.MonkeyPatch) -> People:
    return make_people(make_user, monkeypatch)


@dataclass
class Cast:
    admin: Any
    alice: Any
    bob: Any
    carol: Any
    dave: Any


@pytest.fixture
def cast(make_user: Any, cheap_passwords: None) -> Cast:
    admin = make_user("Admin", "sysop")
    make_user("Filler")
    return Cast(
        admin=admin,
        alice=make_user("Alice", "event-organizer"),
        bob=make_user("Bob", "event-organizer"),
        carol=make_user("Carol"),
        dave=make_user("Dave", "event-organizer"),
    )


@pytest.fixture
def admin(api: Any, cast: Cast) -> Any:
    return api(cast.admin)


@pytest.fixture
def alice(api: Any, cast: Cast) -> Any:
    return api(cast.alice)


@pytest.fixture
def bob(api: Any, cast: Cast) -> Any:
    return api(cast.bob)


@pytest.fixture
def carol(api: Any, cast: Cast) -> Any:
    return api(cast.carol)
