"""Application layer: commands, ids, uniqueness, retries, who-and-when — on any event store.

The ``domain_app`` fixture is an in-memory store here; ``tests/integration`` runs this whole module
again on SQLite files and on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from domain import commands, errors
from domain.application import CampaignEvents
from domain.details import Policy
from domain.ports import FakeClock, KeyStore, ParticipantDirectory
from tests.unit.domain.factories import details

POLICY = Policy(allowed_namespaces=("Event",), known_wikis=("local", "enwiki"))


class NoReadSide:
    """The directory and key store of an application that only records and reads the log: these
    tests need neither, and any use fails loudly."""

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"this application was built without a read side ({name})")


NO_DIRECTORY = cast(ParticipantDirectory, NoReadSide())
NO_KEYS = cast(KeyStore, NoReadSide())


@pytest.fixture
def store_env() -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.popo"}


@pytest.fixture
def domain_app(store_env: dict[str, str], clock: FakeClock) -> Iterator[CampaignEvents]:
    app = CampaignEvents(
        store_env | {"CREATE_TABLE": "y"}, clock=clock, policy=POLICY, directory=NO_DIRECTORY, keys=NO_KEYS
    )
    yield app
    app.close()


def user(app: CampaignEvents, name: str, *groups: str) -> int:
    return app.create_user(commands.CreateUser(name, None, groups, "pw")).user_id


def enable(app: CampaignEvents, performer: int, page: str = "Event:Meetup", **kw: Any) -> int:
    return app.enable_registration(commands.EnableRegistration(performer, details(page, **kw))).event_id


def stored_events(app: CampaignEvents) -> list[Any]:
    notifications = app.recorder.select_notifications(start=1, limit=10_000)
    return [app.mapper.to_domain_event(n) for n in notifications]


def test_users_get_ids_in_order_and_unique_normalised_names(domain_app: CampaignEvents) -> None:
    assert user(domain_app, "alice") == 1
    assert user(domain_app, "Bob_the builder") == 2
    assert domain_app.account(2).user_name == "Bob the builder"
    with pytest.raises(errors.UsernameTaken):
        user(domain_app, "Alice")
    with pytest.raises(errors.InvalidUsername):
        user(domain_app, "a/b")
    with pytest.raises(errors.UnknownGroup):
        user(domain_app, "Carol", "wizards")
    assert domain_app.account_by_name("bob the_builder").user_id == 2


def test_token_and_password_are_stored_only_as_hashes(domain_app: CampaignEvents) -> None:
    new = domain_app.create_user(commands.CreateUser("Alice", "a@example.org", (), "correct horse"))
    assert domain_app.account_by_token(new.token).user_id == new.user_id
    assert domain_app.account_by_token(new.token + "x") is None
    assert domain_app.authenticate("alice", "correct horse").user_id == new.user_id
    with pytest.raises(errors.LoginFailed):
        domain_app.authenticate("alice", "wrong")
    raw = repr([vars(e) for e in stored_events(domain_app)])
    assert new.token not in raw
    assert "correct horse" not in raw


def test_block_and_unblock_change_rights_at_once(domain_app: CampaignEvents) -> None:
    uid = user(domain_app, "Alice", "event-organizer")
    assert domain_app.block_user(commands.BlockUser("Alice")) is True
    assert domain_app.block_user(commands.BlockUser("Alice")) is False
    with pytest.raises(errors.EnableRegistrationDenied):
        enable(domain_app, uid)
    domain_app.unblock_user(commands.UnblockUser("alice"))
    assert enable(domain_app, uid) == 1
    with pytest.raises(errors.UserNotFound):
        domain_app.block_user(commands.BlockUser("Nobody"))


def test_registrations_get_ids_in_order_and_one_per_page_ever(domain_app: CampaignEvents) -> None:
    uid = user(domain_app, "Alice", "event-organizer")
    assert enable(domain_app, uid, "Event:One") == 1
    assert enable(domain_app, uid, "Event:Two") == 2
    with pytest.raises(errors.PageAlreadyRegistered):
        enable(domain_app, uid, "event:One")
    domain_app.delete_registration(commands.DeleteRegistration(uid, 1))
    with pytest.raises(errors.PageAlreadyRegisteredDeleted):
        enable(domain_app, uid, "Event:One")


def test_plain_users_cannot_enable(domain_app: CampaignEvents) -> None:
    uid = user(domain_app, "Bob")
    with pytest.raises(errors.EnableRegistrationDenied):
        enable(domain_app, uid)
    with pytest.raises(errors.EnableRegistrationDenied):
        enable(domain_app, 999)


def test_every_fact_says_who_and_when(domain_app: CampaignEvents, clock: FakeClock) -> None:
    uid = user(domain_app, "Alice", "event-organizer")
    clock.advance(minutes=5)
    eid = enable(domain_app, uid)
    clock.advance(minutes=5)
    domain_app.edit_registration(commands.EditRegistration(uid, eid, details(), "closed"))
    clock.advance(minutes=5)
    domain_app.delete_registration(commands.DeleteRegistration(uid, eid))
    facts = [e for e in stored_events(domain_app) if type(e).__qualname__.startswith("EventRegistration.")]
    assert [type(e).__name__ for e in facts] == [
        "RegistrationEnabled",
        "RegistrationClosed",  # the edit closed the registration and changed no detail
        "RegistrationDeleted",
    ]
    start = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert [e.timestamp for e in facts] == [start + timedelta(minutes=m) for m in (5, 10, 15)]
    assert {e.performed_by for e in facts} == {uid}


def test_edit_rules_in_order(domain_app: CampaignEvents) -> None:
    alice = user(domain_app, "Alice", "event-organizer")
    bob = user(domain_app, "Bob", "event-organizer")
    eid = enable(domain_app, alice)
    # invalid data from a non-organizer: the 400 comes before the 403
    with pytest.raises(errors.StartAfterEnd):
        domain_app.edit_registration(
            commands.EditRegistration(bob, eid, details(start="20300102000000"), "open")
        )
    with pytest.raises(errors.EditDenied):
        domain_app.edit_registration(commands.EditRegistration(bob, eid, details(), "open"))
    with pytest.raises(errors.EventNotFound):
        domain_app.edit_registration(commands.EditRegistration(alice, 99, details(), "open"))
    # a start in the past is fine on edit
    domain_app.edit_registration(
        commands.EditRegistration(alice, eid, details(start="20200101000000"), "closed")
    )
    reg = domain_app.registration(eid)
    assert (reg.status, reg.details.start_local) == ("closed", "20200101000000")


def test_moving_the_event_page_frees_the_old_one(domain_app: CampaignEvents) -> None:
    alice = user(domain_app, "Alice", "event-organizer")
    first = enable(domain_app, alice, "Event:Old")
    enable(domain_app, alice, "Event:Taken")
    with pytest.raises(errors.PageAlreadyRegistered):
        domain_app.edit_registration(commands.EditRegistration(alice, first, details("Event:Taken"), "open"))
    domain_app.edit_registration(commands.EditRegistration(alice, first, details("Event:New"), "open"))
    assert enable(domain_app, alice, "Event:Old") == 3
    with pytest.raises(errors.PageAlreadyRegistered):
        enable(domain_app, alice, "Event:New")


def test_delete_rules(domain_app: CampaignEvents) -> None:
    alice = user(domain_app, "Alice", "event-organizer")
    bob = user(domain_app, "Bob", "event-organizer")
    admin = user(domain_app, "Admin", "sysop")
    eid = enable(domain_app, alice)
    with pytest.raises(errors.DeleteDenied):
        domain_app.delete_registration(commands.DeleteRegistration(bob, eid))
    domain_app.delete_registration(commands.DeleteRegistration(admin, eid))
    with pytest.raises(errors.AlreadyDeleted):
        domain_app.delete_registration(commands.DeleteRegistration(alice, eid))
    with pytest.raises(errors.EditRegistrationDeleted):
        domain_app.edit_registration(commands.EditRegistration(alice, eid, details(), "open"))


def test_a_blocked_organizer_blocks_every_edit(domain_app: CampaignEvents) -> None:
    alice = user(domain_app, "Alice", "event-organizer")
    eid = enable(domain_app, alice)
    domain_app.block_user(commands.BlockUser("Alice"))
    with pytest.raises(errors.EditDenied):
        domain_app.edit_registration(commands.EditRegistration(alice, eid, details(), "open"))


def test_concurrent_creates_get_distinct_ids_and_nothing_is_lost(domain_app: CampaignEvents) -> None:
    alice = user(domain_app, "Alice", "event-organizer")
    results: list[int] = []
    failures: list[BaseException] = []

    def create(n: int) -> None:
        try:
            results.append(enable(domain_app, alice, f"Event:Concurrent {n}"))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(results) == list(range(1, 13))
    names = {domain_app.registration(i).details.name for i in results}
    assert names == {f"Concurrent {n}" for n in range(12)}


def test_concurrent_creates_of_one_page_make_one_registration(domain_app: CampaignEvents) -> None:
    alice = user(domain_app, "Alice", "event-organizer")
    outcomes: list[object] = []

    def create() -> None:
        try:
            outcomes.append(enable(domain_app, alice, "Event:Contested"))
        except errors.PageAlreadyRegistered as error:
            outcomes.append(error)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [o for o in outcomes if isinstance(o, int)] == [1]
    assert len(outcomes) == 8
