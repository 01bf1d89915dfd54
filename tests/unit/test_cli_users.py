"""The command line's account management: ``campaignevents users list|show|token|set-password|groups``
(and the unknown-name answer of every ``users`` command), run through click's runner on a SQLite
store configured by the environment, as in production. The token test then asks the running API:
the reissued token works and the old one is refused at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from api.bootstrap import Services
from api.cli import main
from api.config import Settings
from domain import commands, errors
from domain.accounts import Account, account_id
from tests.conftest import registration_body


@pytest.fixture
def env(sqlite_settings: Settings, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # no developer's ./.env
    return {
        "CAMPAIGNEVENTS_DATABASE_URL": sqlite_settings.database_url,
        "CAMPAIGNEVENTS_DATA_DIR": str(tmp_path),
        "CAMPAIGNEVENTS_SECRET_KEY": sqlite_settings.secret_key,
        "CAMPAIGNEVENTS_REDIS_URL": "",
    }


@pytest.fixture
def run(env: dict[str, str]) -> Iterator[Any]:
    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)

    yield invoke


def created(run: Any, name: str, *extra: str) -> dict[str, Any]:
    result = run("users", "create", name, *extra)
    assert result.exit_code == 0, result.output
    printed: dict[str, Any] = json.loads(result.stdout)
    return printed


def one_line(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    printed: dict[str, Any] = json.loads(line)
    return printed


def stored_account(services: Services, user_id: int) -> Account:
    account = services.app.account(user_id)
    assert account is not None
    return account


# --- list and show ---------------------------------------------------------------------------------
def test_list_prints_every_account_in_creation_order(run: Any) -> None:
    created(run, "Olga", "--group", "event-organizer", "--email", "olga@example.org", "--password", "pw-1")
    created(run, "bob")
    run("users", "block", "Bob")
    result = run("users", "list")
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {
            "user_id": 1,
            "user_name": "Olga",
            "email": "olga@example.org",
            "groups": ["event-organizer"],
            "blocked": False,
            "has_password": True,
        },
        {
            "user_id": 2,
            "user_name": "Bob",
            "email": None,
            "groups": [],
            "blocked": True,
            "has_password": False,
        },
    ]


def test_list_of_an_empty_store_prints_nothing(run: Any) -> None:
    result = run("users", "list")
    assert (result.exit_code, result.stdout) == (0, "")


def test_show_finds_the_account_by_its_name_as_typed(run: Any) -> None:
    created(run, "Olga", "--group", "sysop", "--email", "olga@example.org")
    assert one_line(run("users", "show", "olga")) == {
        "user_id": 1,
        "user_name": "Olga",
        "email": "olga@example.org",
        "groups": ["sysop"],
        "blocked": False,
        "has_password": False,
    }


@pytest.mark.parametrize(
    "args",
    [
        ("show", "Nobody"),
        ("token", "Nobody"),
        ("set-password", "Nobody", "--password", "x"),
        ("groups", "Nobody", "--add", "sysop"),
        ("block", "Nobody"),
        ("unblock", "Nobody"),
    ],
)
def test_an_unknown_name_says_no_such_user(run: Any, args: tuple[str, ...]) -> None:
    created(run, "Olga")
    result = run("users", *args)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "error: no such user: Nobody"
    assert "central ID" not in result.stderr
    assert result.stdout == ""


# --- token -----------------------------------------------------------------------------------------
def test_token_issues_a_new_token_and_revokes_the_old_one(run: Any, services: Services) -> None:
    old = created(run, "Olga")
    new = one_line(run("users", "token", "Olga"))
    assert set(new) == {"user_id", "user_name", "token"}
    assert (new["user_id"], new["user_name"]) == (1, "Olga")
    assert new["token"] != old["token"]
    assert services.app.account_by_token(old["token"]) is None
    by_new = services.app.account_by_token(new["token"])
    assert by_new is not None and by_new.user_id == 1
    again = one_line(run("users", "token", "Olga"))
    assert services.app.account_by_token(new["token"]) is None
    assert services.app.account_by_token(again["token"]) is not None


def test_reissued_token_works_in_the_running_api_and_the_old_one_is_401_at_once(
    run: Any, flask_app: Flask
) -> None:
    """The API was serving (and had authenticated the old token) when the command ran."""
    old = created(run, "Olga", "--group", "event-organizer")["token"]
    client = flask_app.test_client()
    url = "/campaignevents/v0/event_registration"
    first = client.post(url, json=registration_body(), headers={"Authorization": f"Bearer {old}"})
    assert first.status_code == 201, first.get_json()
    new = one_line(run("users", "token", "Olga"))["token"]
    refused = client.post(
        url, json=registration_body("Event:Second"), headers={"Authorization": f"Bearer {old}"}
    )
    assert refused.status_code == 401
    assert refused.get_json()["errorKey"] == "campaignevents-rest-invalid-token"
    accepted = client.post(
        url, json=registration_body("Event:Second"), headers={"Authorization": f"Bearer {new}"}
    )
    assert accepted.status_code == 201, accepted.get_json()


# --- set-password ----------------------------------------------------------------------------------
def test_set_password_with_the_option(run: Any, services: Services) -> None:
    created(run, "Olga", "--password", "old-pw")
    assert one_line(run("users", "set-password", "Olga", "--password", "new-pw")) == {
        "user_name": "Olga",
        "password_set": True,
    }
    assert services.app.authenticate("Olga", "new-pw").user_id == 1
    with pytest.raises(errors.LoginFailed):
        services.app.authenticate("Olga", "old-pw")


def test_set_password_asks_twice_without_echo_when_not_given(run: Any, services: Services) -> None:
    created(run, "Olga")
    result = run("users", "set-password", "Olga", input="typed-pw\ntyped-pw\n")
    assert result.exit_code == 0, result.output
    assert "typed-pw" not in result.output
    assert services.app.authenticate("Olga", "typed-pw").user_id == 1


def test_an_empty_password_is_refused(run: Any, services: Services) -> None:
    created(run, "Olga", "--password", "kept")
    result = run("users", "set-password", "Olga", "--password", "")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "error: The password must not be empty."
    assert services.app.authenticate("Olga", "kept").user_id == 1


# --- groups ----------------------------------------------------------------------------------------
def test_groups_adds_and_removes(run: Any, services: Services) -> None:
    created(run, "Olga", "--group", "event-organizer")
    assert one_line(run("users", "groups", "Olga", "--add", "sysop", "--remove", "event-organizer")) == {
        "user_name": "Olga",
        "groups": ["sysop"],
        "changed": True,
    }
    assert stored_account(services, 1).groups == ["sysop"]
    assert one_line(run("users", "groups", "Olga", "--add", "sysop")) == {
        "user_name": "Olga",
        "groups": ["sysop"],
        "changed": False,
    }
    assert one_line(run("users", "groups", "Olga", "--remove", "sysop"))["groups"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--add", "wizard"), "error: Unknown group: wizard."),
        (("--remove", "wizard", "--add", "sysop"), "error: Unknown group: wizard."),
        (("--add", "sysop", "--remove", "sysop"), "error: A group cannot be both added and removed: sysop."),
    ],
)
def test_groups_refuses_what_the_account_rule_refuses(
    run: Any, services: Services, args: tuple[str, ...], message: str
) -> None:
    created(run, "Olga", "--group", "event-organizer")
    result = run("users", "groups", "Olga", *args)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == message
    assert stored_account(services, 1).groups == ["event-organizer"]


# --- every change is a fact with who and when ------------------------------------------------------
def test_each_change_is_a_recorded_fact(run: Any, services: Services) -> None:
    created(run, "Olga", "--group", "event-organizer")
    run("users", "token", "Olga")
    run("users", "set-password", "Olga", "--password", "Pass-Phrase-7f3e")
    run("users", "groups", "Olga", "--add", "sysop")
    facts = list(services.app.events.get(account_id(1)))
    assert [type(f).__qualname__ for f in facts] == [
        "Account.Created",
        "Account.TokenReissued",
        "Account.PasswordSet",
        "Account.GroupsChanged",
    ]
    assert all(f.performed_by is None and f.timestamp is not None for f in facts)  # type: ignore[attr-defined]
    changed = facts[-1]
    assert (changed.added, changed.removed) == (["sysop"], [])  # type: ignore[attr-defined]
    assert "Pass-Phrase-7f3e" not in json.dumps(vars(facts[2]), default=str)  # only its argon2 hash


def test_commands_through_the_application(services: Services) -> None:
    """The handlers without the command line: create, then change."""
    services.app.create_user(commands.CreateUser("Olga"))
    assert services.app.change_groups(commands.ChangeGroups("Olga", add=("sysop",))) is True
    assert services.app.change_groups(commands.ChangeGroups("Olga", add=("sysop",))) is False
    assert stored_account(services, 1).groups == ["sysop"]
