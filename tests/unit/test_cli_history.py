"""The command line: ``campaignevents history ID`` prints a registration's history as a table, and
``campaignevents replay --verify`` rebuilds the read models aside and lists the rows that differ from
the live ones (exit 1 when any do), changing nothing.

The facts are written with the application on the test's SQLite settings (fake clock); the commands
run through ``api.cli.main`` with click's runner, configured by the environment as in production.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import inspect

from api.bootstrap import Services
from api.cli import main
from api.config import Settings
from domain import commands
from domain.ports import FakeClock
from tests.unit.test_application import details
from workers.queues import InProcessQueue

SECRET = "Hidden-affiliate-text-91c2"


@pytest.fixture(autouse=True)
def jobs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Confirmation and mailing jobs the command's projector enqueues, recorded and not run."""
    enqueued: list[str] = []

    def record(self: Any, func: str, *args: Any, job_id: str) -> None:
        enqueued.append(job_id)

    monkeypatch.setattr(InProcessQueue, "enqueue", record)
    return enqueued


@pytest.fixture
def env(sqlite_settings: Settings, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # the command reads ./.env: never a developer's
    return {
        "CAMPAIGNEVENTS_DATABASE_URL": sqlite_settings.database_url,
        "CAMPAIGNEVENTS_DATA_DIR": str(tmp_path),
        "CAMPAIGNEVENTS_SECRET_KEY": sqlite_settings.secret_key,
        "CAMPAIGNEVENTS_WIKI_ID": sqlite_settings.wiki_id,
        "CAMPAIGNEVENTS_KNOWN_WIKIS": ",".join(sqlite_settings.known_wikis),
        "CAMPAIGNEVENTS_REDIS_URL": "",
        "CAMPAIGNEVENTS_BASE_URL": sqlite_settings.base_url or "",  # the feeds render links with it
    }


@pytest.fixture
def run(env: dict[str, str]) -> Iterator[Any]:
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    yield invoke


def facts(s: Services, clock: FakeClock) -> dict[str, int]:
    """Event 1 (Olga's, with Bob as co-organizer) with every kind of participant fact, a worklist,
    an edit and an answer; event 2 (Bob's) has a history of its own."""
    app = s.app

    def user(name: str, *groups: str) -> int:
        return app.create_user(commands.CreateUser(name, f"{name.lower()}@example.org", groups)).user_id

    olga, bob = user("Olga", "event-organizer"), user("Bob", "event-organizer")
    carol, dave = user("Carol"), user("Dave")
    event = app.enable_registration(commands.EnableRegistration(olga, details("Event:Meetup"))).event_id
    other = app.enable_registration(commands.EnableRegistration(bob, details("Event:Other"))).event_id
    clock.advance(minutes=1)
    app.set_organizers(commands.SetOrganizers(olga, event, ("Olga", "Bob")))
    clock.advance(minutes=1)
    answers = {"affiliate": {"value": 1, "other": SECRET}}
    app.register_participant(commands.RegisterParticipant(carol, event, True, answers))
    clock.advance(minutes=1)
    app.register_participant(commands.RegisterParticipant(dave, event, False))
    clock.advance(seconds=30)
    app.cancel_registration(commands.CancelRegistration(dave, event))
    clock.advance(minutes=1)
    app.change_worklist(commands.ChangeWorklist(bob, event, {"enwiki": ["Main Page", "Paris"]}, {}))
    clock.advance(minutes=1)
    edited = details("Event:Meetup", chat_url="https://chat.example.org/meetup")
    app.edit_registration(commands.EditRegistration(olga, event, edited, "closed"))
    s.projector.catch_up()
    clock.advance(days=91)  # Carol's answer is due: the system aggregates it (no performer)
    assert s.app.aggregate_answers().participants == 1
    return {"olga": olga, "bob": bob, "carol": carol, "dave": dave, "event": event, "other": other}


@pytest.fixture
def written(services: Services, clock: FakeClock) -> dict[str, int]:
    return facts(services, clock)


# --- campaignevents history ID -------------------------------------------------------------------
HISTORY_1 = [
    "#   when (UTC)            what                    by     participant      details",
    "1   2026-11-22T12:00:00Z  registration-enabled    Olga                    "
    '{"event_page": "Event:Meetup"}',
    "2   2026-11-22T12:01:00Z  organizers-changed      Olga                    "
    '{"organizer_user_ids": [1, 2]}',
    "3   2026-11-22T12:02:00Z  participant-registered  Carol  Carol (private)  ",
    "4   2026-11-22T12:02:00Z  answers-submitted       Carol  Carol (private)  ",
    "5   2026-11-22T12:03:00Z  participant-registered  Dave   Dave             ",
    "6   2026-11-22T12:03:30Z  participant-cancelled   Dave   Dave             ",
    '7   2026-11-22T12:04:30Z  worklist-changed        Bob                     {"added": 2, "removed": 0}',
    "8   2026-11-22T12:05:30Z  registration-closed     Olga                    ",
    '9   2026-11-22T12:05:30Z  registration-edited     Olga                    {"changes": {"chat_url": '
    '{"new": "https://chat.example.org/meetup", "old": null}}}',
    "10  2027-02-21T12:05:30Z  answers-aggregated      -      Carol (private)  ",
    '11  2027-02-21T12:05:30Z  answers-counted         -                       {"answers": 1}',
]


def columns(line: str) -> list[str]:
    """A table line's cells (split on runs of two or more spaces)."""
    return re.split(r" {2,}", line.strip())


def test_history_prints_the_table(run: Any, written: dict[str, int]) -> None:
    """One line a fact, in order; columns padded to their widest cell; private participants marked;
    the extra details as JSON; never an answer."""
    result = run("history", str(written["event"]))
    assert result.exit_code == 0, result.output
    assert result.stdout == "\n".join(HISTORY_1) + "\n"
    assert SECRET not in result.output


def test_history_of_another_event_is_its_own(run: Any, written: dict[str, int]) -> None:
    lines = run("history", str(written["other"])).stdout.splitlines()
    assert [columns(line)[:4] for line in lines[1:]] == [
        ["1", "2026-11-22T12:00:00Z", "registration-enabled", "Bob"]
    ]


def test_history_shows_facts_written_since_the_last_projection(
    run: Any, written: dict[str, int], services: Services, clock: FakeClock
) -> None:
    """The command catches the read models up itself: no projector needs to be running."""
    clock.advance(minutes=10)
    services.app.delete_registration(commands.DeleteRegistration(written["olga"], written["event"]))
    last = run("history", str(written["event"])).stdout.splitlines()[-1]
    assert columns(last) == ["12", "2027-02-21T12:15:30Z", "registration-deleted", "Olga"]


@pytest.mark.parametrize("event_id", ["999", "0"])
def test_history_of_an_unknown_event_fails(
    run: Any, env: dict[str, str], written: dict[str, int], event_id: str
) -> None:
    result = run("history", event_id)
    assert result.exit_code == 1
    assert result.stderr == (
        f"campaignevents: database {env['CAMPAIGNEVENTS_DATABASE_URL']}, no redis (jobs in-process)\n"
        "error: There is no event with this ID.\n"
    )
    assert result.stdout == ""


def test_history_needs_an_integer_id(run: Any) -> None:
    result = run("history", "abc")
    assert result.exit_code == 2
    assert "'abc' is not a valid integer" in result.output


# --- campaignevents replay --verify ----------------------------------------------------------------
def project(services: Services) -> None:
    services.projector.catch_up()


def tamper(services: Services, sql: str) -> None:
    with services.store.engine.begin() as conn:
        assert conn.exec_driver_sql(sql).rowcount == 1


def table_names(services: Services) -> set[str]:
    return set(inspect(services.store.engine).get_table_names())


def test_verify_on_a_healthy_system_reports_nothing(
    run: Any, written: dict[str, int], services: Services
) -> None:
    project(services)
    before, tables = services.store.dump(), table_names(services)
    result = run("replay", "--verify", "--quiet")
    assert (result.exit_code, result.stdout) == (0, "0 differing rows\n")
    assert services.store.dump() == before
    assert table_names(services) == tables  # the scratch tables are gone


def test_verify_catches_up_first(run: Any, written: dict[str, int]) -> None:
    """Facts the live models have not applied yet are not differences."""
    result = run("replay", "--verify", "--quiet")
    assert (result.exit_code, result.stdout) == (0, "0 differing rows\n")


def test_verify_reports_a_changed_row_and_changes_nothing(
    run: Any, written: dict[str, int], services: Services
) -> None:
    project(services)
    tamper(services, "UPDATE rm_worklist SET page_title = 'Tampered' WHERE event_id = 1 AND article_id = 2")
    tampered = services.store.dump()
    result = run("replay", "--verify", "--quiet")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[-1] == "2 differing rows"
    assert len(lines) == 3
    assert lines[0].startswith("rm_worklist: only live: (1, 2, 2, 'enwiki', 'Tampered', ")
    assert lines[1].startswith("rm_worklist: only rebuilt: (1, 2, 2, 'enwiki', 'Paris', ")
    assert services.store.dump() == tampered  # verify does not repair


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("DELETE FROM rm_history WHERE event_id = 1 AND entry_id = 4", ["rm_history: only rebuilt: (1, 4, "]),
        (
            "UPDATE rm_participants SET private = 0 WHERE user_id = 3",
            ["rm_participants: only live: (1, ", "rm_participants: only rebuilt: (1, "],
        ),
        (
            "INSERT INTO rm_organizers (event_id, user_id, organizer_id, role, active) "
            "VALUES (2, 4, 9, 'organizer', 1)",
            ["rm_organizers: only live: (2, 4, 9, 'organizer', "],
        ),
        (
            "UPDATE rm_users SET blocked = 1 WHERE user_id = 4",
            ["rm_users: only live: (4, ", "rm_users: only rebuilt: (4, "],
        ),
        (
            "UPDATE rm_registrations SET status = 'open' WHERE event_id = 1",
            ["rm_registrations: only live: (1, ", "rm_registrations: only rebuilt: (1, "],
        ),
    ],
)
def test_verify_reports_tampering_in_every_read_model(
    run: Any, written: dict[str, int], services: Services, sql: str, expected: list[str]
) -> None:
    project(services)
    tamper(services, sql)
    result = run("replay", "--verify", "--quiet")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[-1] == f"{len(expected)} differing rows"
    assert len(lines[:-1]) == len(expected)
    for line, start in zip(lines[:-1], expected, strict=True):
        assert line.startswith(start), line


def test_replay_repairs_what_verify_reported(run: Any, written: dict[str, int], services: Services) -> None:
    project(services)
    healthy = services.store.dump()
    tamper(services, "DELETE FROM rm_history WHERE event_id = 1 AND entry_id = 9")
    assert run("replay", "--verify", "--quiet").exit_code == 1
    result = run("replay", "--quiet")
    assert result.exit_code == 0, result.output
    assert services.store.dump() == healthy
    assert run("replay", "--verify", "--quiet").stdout == "0 differing rows\n"


def test_the_history_command_reads_the_live_models(
    run: Any, written: dict[str, int], services: Services
) -> None:
    project(services)
    tamper(services, "UPDATE rm_history SET kind = 'tampered' WHERE event_id = 1 AND entry_id = 7")
    line = run("history", "1").stdout.splitlines()[7]
    assert columns(line)[2] == "tampered"
