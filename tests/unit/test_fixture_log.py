"""A log written by commit 97253cc ("today's main" of issue 11) still loads and replays to the same
read models, and every GET answers as it did then.

The fixture (``tests/fixtures/log_97253cc/``, written once by its ``record.py``) holds that commit's
event store and answer key store, its read-model rows (``read_models.json``), and the status and JSON
body of every GET route for every event and user of the fixture, with the callers' bearer tokens and
the fake clock's time (``responses.json``). Here the CURRENT code opens a copy of that log, rebuilds
its read models from position 0 as ``campaignevents replay`` does, and must reproduce both.

A read-model table or column that the current schema no longer has fails the comparison; one that is
gone on purpose must be named in ``RETIRED`` (with the reason), never skipped silently.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, inspect, select

from api.app import create_app
from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from domain.ports import FakeClock
from projections.replay import replay

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "log_97253cc"
STORE_FILES = ("events.db", "events-keys.db")

# Read-model columns dropped on purpose since 97253cc: {"rm_table": ("column", ...)}, or ("*",) for a
# whole table. Empty: today every table and column must replay to exactly the recorded rows.
RETIRED: dict[str, tuple[str, ...]] = {}

# Settings added after 97253cc, set to what reproduces that commit's fixed behaviour (it linked every
# user to a MediaWiki red link); applied when the current ``Settings`` has them.
LATER_SETTINGS: dict[str, Any] = {"user_url": "/w/index.php?title=User:{user_name}&action=edit&redlink=1"}

# Every fact type 97253cc can record; the fixture holds at least one of each.
FACT_TYPES = {
    "domain.accounts:Account.Created",
    "domain.accounts:Account.Blocked",
    "domain.accounts:Account.Unblocked",
    "domain.accounts:Account.EmailQuotaUsed",
    "domain.indexes:Sequence.Started",
    "domain.indexes:Sequence.Allocated",
    "domain.indexes:UniqueIndex.Claimed",
    "domain.indexes:UniqueIndex.Reclaimed",
    "domain.indexes:UniqueIndex.Released",
    "domain.registration:EventRegistration.RegistrationEnabled",
    "domain.registration:EventRegistration.RegistrationEdited",
    "domain.registration:EventRegistration.OrganizersSet",
    "domain.registration:EventRegistration.AnswersCounted",
    "domain.registration:EventRegistration.RegistrationDeleted",
    "domain.participants:Participant.ParticipantRegistered",
    "domain.participants:Participant.ParticipantReregistered",
    "domain.participants:Participant.RegistrationPrivacyChanged",
    "domain.participants:Participant.RegistrationCancelled",
    "domain.participants:Participant.ParticipantRemoved",
    "domain.participants:Participant.AnswersReplaced",
    "domain.participants:Participant.AnswersAggregated",
    "domain.worklist:Worklist.WorklistStarted",
    "domain.worklist:Worklist.WorklistChanged",
    "domain.mailings:Mailing.ParticipantsEmailed",
    "domain.mailings:Mailing.RecipientsResolved",
    "domain.mailings:Mailing.EmailDelivered",
    "domain.notices:Notice.NoticeSent",
}


@dataclass
class Replayed:
    services: Services
    clock: FakeClock
    meta: dict[str, Any]


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replayed]:
    """The current code's services on a copy of the fixture log, read models rebuilt from 0."""
    meta: dict[str, Any] = json.loads((FIXTURE / "responses.json").read_text())
    work = tmp_path_factory.mktemp("log_97253cc")
    for name in STORE_FILES:
        shutil.copyfile(FIXTURE / name, work / name)
    recorded = meta["settings"]
    known = {f.name for f in fields(Settings)}
    settings = Settings(
        database_url=f"sqlite:///{work}/events.db",
        wiki_id=recorded["wiki_id"],
        known_wikis=tuple(recorded["known_wikis"]),
        secret_key=recorded["secret_key"],
        base_url=recorded["base_url"],
        tracking_tools=tuple(recorded["tracking_tools"]),
        **{name: value for name, value in LATER_SETTINGS.items() if name in known},
    )
    clock = FakeClock(datetime.fromisoformat(meta["clock"]))
    init_store(settings)
    services = build_services(settings, clock)
    try:
        stats = replay(services.projector, progress=False)
        assert stats.position == meta["log_head"]
        yield Replayed(services, clock, meta)
    finally:
        services.close()


def test_the_fixture_holds_every_fact_type_of_97253cc() -> None:
    with sqlite3.connect(FIXTURE / "events.db") as db:
        topics = {t for (t,) in db.execute("SELECT DISTINCT topic FROM stored_events")}
    db.close()
    assert topics == FACT_TYPES


def test_every_recorded_fact_and_aggregate_loads(replayed: Replayed) -> None:
    """Every stored event decodes with today's classes (or their upcasters), and every aggregate of
    the log can be rebuilt from it."""
    app = replayed.services.app
    head = replayed.meta["log_head"]
    notifications = app.recorder.select_notifications(start=1, limit=head + 1)
    assert len(notifications) == head
    failures: list[str] = []
    originators = {}
    for notification in notifications:
        try:
            event = app.mapper.to_domain_event(notification)
        except Exception as error:
            failures.append(f"#{notification.id} {notification.topic}: {error!r}")
            continue
        originators[event.originator_id] = notification.topic
    for originator_id, topic in originators.items():
        try:
            app.repository.get(originator_id)
        except Exception as error:
            failures.append(f"aggregate {originator_id} (last fact {topic}): {error!r}")
    assert not failures, "\n".join(failures)


def _normalised(value: Any) -> Any:
    """Booleans as integers (SQLite stores them so); JSON text as the value it encodes."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _rows(columns: list[str], rows: list[list[Any]], chosen: list[str]) -> list[list[Any]]:
    index = [columns.index(c) for c in chosen]
    picked = [[_normalised(row[i]) for i in index] for row in rows]
    return sorted(picked, key=lambda row: json.dumps(row, sort_keys=True))


def _current_tables(services: Services, names: list[str]) -> dict[str, dict[str, Any]]:
    """The live read-model tables of these names, reflected from the database (not from the current
    schema module, so a renamed definition cannot hide a change)."""
    engine = services.store.engine
    existing = set(inspect(engine).get_table_names())
    found: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        for name in names:
            if name not in existing:
                continue
            table = Table(name, MetaData(), autoload_with=conn)
            found[name] = {
                "columns": [c.name for c in table.columns],
                "rows": [list(r) for r in conn.execute(select(table))],
            }
    return found


def test_the_log_replays_to_the_recorded_read_models(replayed: Replayed) -> None:
    recorded: dict[str, dict[str, Any]] = json.loads((FIXTURE / "read_models.json").read_text())
    current = _current_tables(replayed.services, list(recorded))
    problems: list[str] = []
    for name, want in recorded.items():
        retired = RETIRED.get(name, ())
        if name not in current:
            if "*" not in retired:
                problems.append(f"{name}: the table is gone from the current read models")
            continue
        got = current[name]
        columns = [c for c in want["columns"] if c not in retired]
        gone = [c for c in columns if c not in got["columns"]]
        if gone:
            problems.append(f"{name}: columns gone from the current schema: {gone}")
        columns = [c for c in columns if c not in gone]
        want_rows = _rows(want["columns"], want["rows"], columns)
        got_rows = _rows(got["columns"], got["rows"], columns)
        if want_rows != got_rows:
            only_want = [r for r in want_rows if r not in got_rows]
            only_got = [r for r in got_rows if r not in want_rows]
            problems.append(
                f"{name} {columns}: {len(want_rows)} recorded rows, {len(got_rows)} replayed;\n"
                + "".join(f"  only recorded: {r}\n" for r in only_want[:10])
                + "".join(f"  only replayed: {r}\n" for r in only_got[:10])
            )
    assert not problems, "\n".join(problems)


def test_every_recorded_get_answers_the_same(replayed: Replayed) -> None:
    meta = replayed.meta
    replayed.clock.current = datetime.fromisoformat(meta["clock"])
    client = create_app(services=replayed.services).test_client()
    tokens = {name: user["token"] for name, user in meta["users"].items()}
    requests: list[dict[str, Any]] = meta["requests"]
    assert len(requests) > 600  # every event x route x caller of the fixture
    differences: list[str] = []
    for recorded in requests:
        caller = recorded["caller"]
        headers = {"Authorization": f"Bearer {tokens[caller]}"} if caller else {}
        resp = client.get(recorded["path"], headers=headers)
        body = resp.get_json(silent=True)
        # json.dumps keeps key order: the same keys in another order is a difference too
        if (resp.status_code, json.dumps(body)) != (recorded["status"], json.dumps(recorded["body"])):
            differences.append(
                f"GET {recorded['path']} as {caller or 'anonymous'}:\n"
                f"  recorded {recorded['status']} {json.dumps(recorded['body'])[:400]}\n"
                f"  now      {resp.status_code} {json.dumps(body)[:400]}"
            )
    assert not differences, f"{len(differences)} of {len(requests)} GETs differ:\n" + "\n".join(
        differences[:15]
    )
