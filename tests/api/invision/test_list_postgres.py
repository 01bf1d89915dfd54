"""The list's kept answers, pages and ranges again with the store and read models on PostgreSQL
(each statement its own snapshot there: pages are read from the start; the revision keys the kept
answers the same way)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api.bootstrap import Services
from api.config import Settings
from domain.ports import FakeClock
from tests.api.invision.test_list_kept import *  # noqa: F403 - the same tests, on PostgreSQL
from tests.api.invision.test_list_pages import *  # noqa: F403
from tests.conftest import make_services, stop_projector

pytestmark = pytest.mark.integration


@pytest.fixture
def services(postgres_settings: Settings, clock: FakeClock) -> Iterator[Services]:
    built = make_services(postgres_settings, clock)
    yield built
    stop_projector(built)
    built.close()


def test_the_read_models_are_on_postgresql(services: Any) -> None:
    assert services.store.engine.dialect.name == "postgresql"
