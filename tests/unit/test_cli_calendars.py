"""``campaignevents calendars list|create|rename|delete`` through click's runner on a SQLite store
configured by the environment (the operator acts as the service: ``performer`` None)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result

from api.cli import main
from api.config import Settings


@pytest.fixture
def run(sqlite_settings: Settings, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.chdir(tmp_path)
    env = {
        "CAMPAIGNEVENTS_DATABASE_URL": sqlite_settings.database_url,
        "CAMPAIGNEVENTS_DATA_DIR": str(tmp_path),
        "CAMPAIGNEVENTS_SECRET_KEY": sqlite_settings.secret_key,
        "CAMPAIGNEVENTS_REDIS_URL": "",
        "CAMPAIGNEVENTS_DEFAULT_CALENDAR": "Community",
    }

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    yield invoke


def out(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def listed(run: Any) -> list[dict[str, Any]]:
    result = run("calendars", "list")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.strip().splitlines()]


def refused(result: Result) -> str:
    assert result.exit_code == 1, result.output
    line: str = result.stderr.strip().splitlines()[-1]
    return line


DEFAULT = {"calendar_id": 1, "title": "Community", "colour": "#3366cc", "approve_events": False}


def test_create_rename_list_and_delete(run: Any) -> None:
    assert listed(run) == [DEFAULT]  # the default calendar, before anything is recorded
    made = out(run("calendars", "create", "Workshops", "--colour", "#aa0011", "--approve-events"))
    assert made == {"calendar_id": 2}  # the default calendar keeps 1 (recorded with this one)
    assert out(run("calendars", "create", "Meetups"))["calendar_id"] == 3
    assert out(run("calendars", "rename", "2", "Training"))["changed"] is True
    assert out(run("calendars", "rename", "2", "Training"))["changed"] is False
    assert listed(run) == [
        DEFAULT,
        {"calendar_id": 2, "title": "Training", "colour": "#aa0011", "approve_events": True},
        {"calendar_id": 3, "title": "Meetups", "colour": "#3366cc", "approve_events": False},
    ]
    assert out(run("calendars", "delete", "3")) == {"calendar_id": 3, "deleted": True}
    assert [c["calendar_id"] for c in listed(run)] == [1, 2]


def test_broken_rules_are_errors_with_their_texts(run: Any) -> None:
    assert refused(run("calendars", "create", "Bad", "--colour", "red")) == (
        'error: Invalid colour "red": use the form #rrggbb.'
    )
    assert refused(run("calendars", "create", "   ")) == (
        "error: A calendar title has 1 to 255 printable characters."
    )
    assert refused(run("calendars", "rename", "9", "Nowhere")) == "error: There is no calendar with this ID."
    assert refused(run("calendars", "delete", "1")) == "error: The default calendar cannot be deleted."
    assert refused(run("calendars", "delete", "9")) == "error: There is no calendar with this ID."
    assert listed(run) == [DEFAULT]
