"""The projection suite again with the event store and the read models on PostgreSQL."""

from __future__ import annotations

import pytest

from api.config import Settings
from tests.unit.test_projection import *  # noqa: F403 - the same tests, on PostgreSQL

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(postgres_settings: Settings) -> Settings:
    return postgres_settings
