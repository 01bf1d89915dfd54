"""``campaignevents groups|subgroups …`` and ``users set-name`` through click's runner on a SQLite
store configured by the environment; the API (DatePoll's management groups) then shows the result."""

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
    }

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    yield invoke


def out(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_groups_subgroups_members_and_names(run: Any) -> None:
    out(run("users", "create", "Rick", "--group", "event-organizer"))
    out(run("users", "create", "Morty"))
    g = out(run("groups", "create", "Band", "--order", "2", "--permission", "events.details"))["group_id"]
    g2 = out(run("groups", "create", "Chor"))["group_id"]
    assert (g, g2) == (1, 2)
    s = out(run("subgroups", "create", str(g), "Blech"))["subgroup_id"]
    assert out(run("groups", "add-member", str(g), "Rick"))["changed"] is True
    assert out(run("groups", "add-member", str(g), "Rick"))["changed"] is False
    assert out(run("subgroups", "add-member", str(s), "Rick"))["changed"] is True
    refused = run("subgroups", "add-member", str(s), "Morty")
    assert refused.exit_code == 1
    last_line = refused.stderr.strip().splitlines()[-1]
    assert last_line == f"error: Only members of its group can join subgroup {s}."
    assert out(run("groups", "rename", str(g2), "Chor II"))["changed"] is True
    assert out(run("subgroups", "rename", str(s), "Blechbläser"))["changed"] is True
    assert out(run("users", "set-name", "Rick", "--first", "Rick", "--last", "Sanchez"))["changed"] is True
    listed = [json.loads(line) for line in run("groups", "list").stdout.strip().splitlines()]
    assert listed == [
        {
            "group_id": g,
            "name": "Band",
            "order": 2,
            "permissions": ["events.details"],
            "subgroups": [{"subgroup_id": s, "name": "Blechbläser"}],
            "members": ["Rick"],
        },
        {"group_id": g2, "name": "Chor II", "order": 0, "permissions": [], "subgroups": [], "members": []},
    ]
    assert out(run("subgroups", "remove-member", str(s), "Rick"))["changed"] is True
    assert out(run("groups", "remove-member", str(g), "Rick"))["changed"] is True
    assert out(run("subgroups", "delete", str(s)))["deleted"] is True
    assert out(run("groups", "delete", str(g2)))["deleted"] is True
    assert [json.loads(x)["group_id"] for x in run("groups", "list").stdout.strip().splitlines()] == [g]


def test_errors_are_one_line(run: Any) -> None:
    cases = [
        (("groups", "rename", "9", "X"), "error: There is no group with id 9."),
        (("groups", "delete", "9"), "error: There is no group with id 9."),
        (("subgroups", "delete", "9"), "error: There is no subgroup with id 9."),
        (("groups", "create", " "), "error: A name must have 1 to 190 characters."),
        (
            ("groups", "create", "X", "--permission", "a b"),
            "error: Invalid permission: a b (no blanks, at most 190 characters).",
        ),
        (("users", "set-name", "Nobody", "--first", "N"), "error: There is no user named Nobody."),
        (("groups", "add-member", "9", "Nobody"), "error: There is no user named Nobody."),
    ]  # fmt: skip
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 1, args
        assert result.stderr.strip().splitlines()[-1] == message, args
