"""Registrations are snapshotted: the state round-trips through the event store's JSON transcoder
(details dataclass, organizers keyed by int user id), a load starts from the newest snapshot, and a
past version reads from the snapshot at or before it."""

from __future__ import annotations

from dataclasses import replace

from eventsourcing.application import project_aggregate

from api.bootstrap import Services
from domain import commands
from domain.ports import FakeClock
from domain.registration import EventRegistration, registration_id
from tests.unit.test_application import details

INTERVAL = 50


def test_a_snapshot_round_trips_the_whole_state(services: Services, clock: FakeClock) -> None:
    app = services.app
    assert app.snapshotting_intervals[EventRegistration] == INTERVAL
    olga = app.create_user(commands.CreateUser("Olga", None, ("event-organizer",))).user_id
    ben = app.create_user(commands.CreateUser("Ben", None, ("event-organizer",))).user_id
    event_id = app.enable_registration(commands.EnableRegistration(olga, details())).event_id
    app.set_organizers(commands.SetOrganizers(olga, event_id, ("Olga", "Ben")))
    app.set_organizers(commands.SetOrganizers(olga, event_id, ("Olga",)))  # Ben inactive, kept
    rid = registration_id(event_id)
    for n in range(INTERVAL + 5):
        clock.advance(minutes=1)
        given = details(chat_url=f"https://chat.example.org/{n}")
        app.edit_registration(commands.EditRegistration(olga, event_id, given, "open"))
    assert app.snapshots is not None
    snapshots = list(app.snapshots.get(rid))
    assert [s.originator_version for s in snapshots] == [INTERVAL]

    from_events = project_aggregate(None, list(app.events.get(rid, lte=INTERVAL + 3)))
    assert from_events is not None
    from_snapshot: EventRegistration = app.repository.get(rid, version=INTERVAL + 3)
    assert vars(from_snapshot) == vars(from_events)
    assert from_snapshot.organizers[ben].active is False
    assert all(isinstance(user_id, int) for user_id in from_snapshot.organizers)
    assert from_snapshot.details.chat_url == "https://chat.example.org/49"  # edit n is version n + 4

    clock.advance(minutes=1)
    app.delete_registration(commands.DeleteRegistration(olga, event_id))
    latest = app.registration(event_id)
    assert latest.is_deleted
    assert latest.details == replace(from_snapshot.details, chat_url=latest.details.chat_url)
