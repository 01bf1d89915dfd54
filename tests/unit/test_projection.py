"""The catalog projection and its runner on SQLite files (``tests/integration`` runs it on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from domain import commands
from domain.participants import Participant
from domain.ports import FakeClock
from projections import catalog
from projections.replay import replay
from projections.runner import CatalogProjection, PositionMoved, Projector, advance, apply_events
from tests.unit.test_application import details


@pytest.fixture
def settings(sqlite_settings: Settings) -> Settings:
    return sqlite_settings


@pytest.fixture
def built(settings: Settings, clock: FakeClock) -> Iterator[Services]:
    init_store(settings)
    services = build_services(settings, clock)
    yield services
    services.close()


def populate(s: Services, clock: FakeClock, participants: int = 30) -> dict[str, int]:
    app = s.app
    alice = app.create_user(commands.CreateUser("Alice", "a@example.org", ("event-organizer",))).user_id
    bob = app.create_user(commands.CreateUser("Bob", None, ("event-organizer",))).user_id
    first = app.enable_registration(commands.EnableRegistration(alice, details("Event:First"))).event_id
    second = app.enable_registration(commands.EnableRegistration(bob, details("Event:Second"))).event_id
    app.set_organizers(commands.SetOrganizers(alice, first, ("Alice", "Bob")))
    ids = [app.create_user(commands.CreateUser(f"User {n}")).user_id for n in range(participants)]
    for n, uid in enumerate(ids):
        clock.advance(seconds=1)
        app.register_participant(commands.RegisterParticipant(uid, first if n % 3 else second, n % 2 == 0))
    app.cancel_registration(commands.CancelRegistration(ids[1], first))
    app.register_participant(commands.RegisterParticipant(ids[1], first, False))
    app.remove_participants(commands.RemoveParticipants(alice, first, (ids[2],)))
    app.block_user(commands.BlockUser("User 4"))
    app.delete_registration(commands.DeleteRegistration(bob, second))
    return {"alice": alice, "bob": bob, "first": first, "second": second}


def test_facts_in_rows_out(built: Services, clock: FakeClock) -> None:
    ids = populate(built, clock)
    built.projector.catch_up()
    views = built.views
    assert [(e.event_id, e.name, e.deleted) for e in views.events_organized_by(ids["bob"])] == [
        (1, "First", False),
        (2, "Second", True),
    ]
    organizers = views.organizers(ids["first"])
    assert [(o.organizer_id, o.user_name, o.role) for o in organizers] == [
        (1, "Alice", "creator"),
        (3, "Bob", "organizer"),  # one sequence across events: Bob's 2 went to his own event's creator
    ]
    public = views.participants(ids["first"], include_private=False)
    everyone = views.participants(ids["first"], include_private=True, limit=100)
    assert all(not p.private for p in public)
    assert {p.user_name for p in everyone} - {p.user_name for p in public} == {
        p.user_name for p in everyone if p.private
    }
    # User 1 cancelled and came back: same row, same participant_id; User 2 was removed.
    names = [p.user_name for p in everyone]
    assert "User 2" not in names and "User 1" in names
    assert names == [p.user_name for p in sorted(everyone, key=lambda p: p.participant_id)]
    blocked = next(p for p in everyone if p.user_name == "User 4")
    assert blocked.blocked is True
    assert (
        views.participants(ids["first"], include_private=True, name_filter="USER 1", limit=100)[0].user_name
        == "User 1"
    )


def test_the_same_batch_twice_is_applied_once(built: Services, clock: FakeClock) -> None:
    populate(built, clock, participants=5)
    store, projector = built.store, built.projector
    events, end = projector.read_batch(0)
    with store.engine.begin() as conn:
        advance(conn, store.tables, catalog.NAME, 0, end)
        apply_events(conn, store.tables, events)
    before = store.dump()
    with pytest.raises(PositionMoved), store.engine.begin() as conn:
        advance(conn, store.tables, catalog.NAME, 0, end)
        apply_events(conn, store.tables, events)
    assert store.dump() == before
    assert projector.advance(CatalogProjection()) == 0  # already caught up: nothing applied again
    assert store.dump() == before


def test_a_crash_mid_batch_leaves_nothing_half_applied(
    built: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(built, clock, participants=12)
    projector = Projector(built.app, built.store, batch=7)
    projector.run_once()
    position = built.store.position(catalog.NAME)
    before = built.store.dump()
    calls = {"n": 0}
    real = catalog.HANDLERS[get_topic(Participant.ParticipantRegistered)]

    def crash_on_third(fold: Any, event: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("projector killed")
        real(fold, event)

    monkeypatch.setitem(catalog.HANDLERS, get_topic(Participant.ParticipantRegistered), crash_on_third)
    with pytest.raises(RuntimeError):
        projector.catch_up()
    crashed_at = built.store.position(catalog.NAME)
    assert crashed_at >= position
    registered = get_topic(Participant.ParticipantRegistered)
    notes = built.app.recorder.select_notifications(start=1, limit=10_000, stop=crashed_at)
    expected_rows = sum(1 for n in notes if n.topic == registered)
    # the tables hold exactly what the stored position says: the crashed batch left no trace
    assert len(built.store.dump()["rm_participants"]) == expected_rows
    assert crashed_at < built.app.recorder.max_notification_id()
    monkeypatch.undo()
    restarted = Projector(built.app, built.store, batch=7)
    restarted.catch_up()
    live = built.store.dump()
    assert live != before
    replay(restarted, progress=False)
    assert built.store.dump() == live


def test_replay_rebuilds_equal_models_and_switches_to_them(built: Services, clock: FakeClock) -> None:
    populate(built, clock)
    built.projector.catch_up()
    live = built.store.dump()
    stats = replay(built.projector, progress=False)
    assert stats.position == built.app.recorder.max_notification_id()
    assert built.store.dump() == live
    assert built.store.position(catalog.NAME) == stats.position
    # the projector goes on from the switched position, on the new tables
    built.app.create_user(commands.CreateUser("Late"))
    built.projector.catch_up()
    assert len(built.store.dump()["rm_users"]) == len(live["rm_users"]) + 1
    replay(built.projector, progress=False)  # a second replay reuses no stale table or index name
    assert len(built.store.dump()["rm_users"]) == len(live["rm_users"]) + 1


def test_read_your_writes_wait_is_bounded(built: Services, clock: FakeClock) -> None:
    populate(built, clock, participants=5)
    head = built.app.recorder.max_notification_id()
    assert built.store.wait_for(head, catalog.NAME, timeout=0.05) is False  # nobody projecting
    built.projector.start_thread()
    assert built.store.wait_for(head, catalog.NAME, timeout=5) is True
