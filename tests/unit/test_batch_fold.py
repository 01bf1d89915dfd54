"""Folding a batch: one page holding every fact gives the rows of one fact per transaction.

Each projection folds a page of facts into the rows it touches in memory and writes each row once,
so a row written several times within one page must end as its last write (a participant who
changes privacy twice, cancels and comes back; a place freed and given to the first in line; an
organizer list set twice; a user blocked and unblocked). The live read models here are built one
fact per batch; ``verify`` then rebuilds every model aside from the same log in a single page and
compares every row.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from domain import commands
from domain.ports import FakeClock
from projections.replay import verify
from projections.runner import Projector, facts_of, topics_of
from tests.unit.domain.factories import details


@pytest.fixture
def built(sqlite_settings: Settings, clock: FakeClock) -> Iterator[Services]:
    init_store(sqlite_settings)
    services = build_services(sqlite_settings, clock)
    yield services
    services.close()


def rewrite_the_same_rows(s: Services, clock: FakeClock) -> None:
    app = s.app
    alice = app.create_user(commands.CreateUser("Alice", "a@example.org", ("event-organizer",))).user_id
    app.create_user(commands.CreateUser("Bob", None, ("event-organizer",)))
    event = app.enable_registration(commands.EnableRegistration(alice, details("Event:Rewritten"))).event_id
    app.set_places(commands.SetPlaces(alice, event, 1, True, False))
    users = [app.create_user(commands.CreateUser(f"User {n}")).user_id for n in range(4)]
    for uid in users:
        clock.advance(seconds=1)
        app.register_participant(commands.RegisterParticipant(uid, event, False))
    first = users[0]
    for private in (True, False, True):  # the same participant row, three times
        clock.advance(seconds=1)
        app.register_participant(commands.RegisterParticipant(first, event, private))
    app.cancel_registration(commands.CancelRegistration(first, event))  # the place goes to User 1
    clock.advance(seconds=1)
    app.register_participant(commands.RegisterParticipant(first, event, False))  # back, waitlisted
    app.cancel_registration(commands.CancelRegistration(users[1], event))  # promoted again
    app.set_places(commands.SetPlaces(alice, event, 3, True, False))  # two places more
    app.set_organizers(commands.SetOrganizers(alice, event, ("Alice", "Bob")))
    app.set_organizers(commands.SetOrganizers(alice, event, ("Alice",)))
    for _ in range(2):
        app.block_user(commands.BlockUser("User 3"))
        app.unblock_user(commands.UnblockUser("User 3"))
    app.block_user(commands.BlockUser("User 3"))


def test_one_page_of_every_fact_gives_the_rows_of_one_fact_per_batch(
    built: Services, clock: FakeClock
) -> None:
    rewrite_the_same_rows(built, clock)
    projections = built.projector.projections
    one_by_one = Projector(built.app, built.store, batch=1, projections=projections)
    one_by_one.catch_up()
    head = built.app.recorder.max_notification_id() or 0
    whole = Projector(built.app, built.store, batch=10_000, projections=projections)
    page, end = whole.read_page(0, head, topics=tuple(t for p in projections for t in p.topics))
    assert end == head  # the rebuild below folds the whole log as one page
    keys = [str(e.originator_id) for _, e in page]
    assert max(keys.count(k) for k in set(keys)) >= 8  # rows written many times in that page

    assert verify(whole, progress=False) == []


def test_a_projection_gets_exactly_its_topics_of_a_page(built: Services, clock: FakeClock) -> None:
    rewrite_the_same_rows(built, clock)
    projector = built.projector
    page, _ = projector.read_page(0, topics=tuple(t for p in projector.projections for t in p.topics))
    present = topics_of(page)
    for p in projector.projections:
        expected = [event for topic, event in page if topic in p.topics]
        assert facts_of(page, p.topics, present) == expected
        assert facts_of(page, p.topics) == expected
    assert facts_of(page, (), present) == []
    assert facts_of(page, tuple(present), present) == [event for _, event in page]
