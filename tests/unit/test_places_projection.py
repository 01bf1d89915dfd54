"""The places fold: request order, promotion, limit changes, approval, refusal, and a replay in
other batch sizes giving the same rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine

from domain import places
from domain.participants import Participant
from domain.places import PlacesSettings
from projections import places as fold
from projections.places import PlacesViews
from projections.schema import define, define_places
from tests.unit.domain.factories import NOW, account, organizer, registration


class World:
    def __init__(self, **settings: Any) -> None:
        self.olga = organizer()
        self.reg = registration(self.olga)
        self.events: list[Any] = []
        self.people: dict[str, Any] = {}
        self.participants: dict[str, Participant] = {}
        if settings:
            self.set(**settings)

    def collect(self, aggregate: Any) -> None:
        self.events.extend(aggregate.collect_events())

    def set(self, **settings: Any) -> None:
        base = {"participant_limit": None, "waitlist": True, "requires_approval": False, **settings}
        places.set_places(self.reg, self.olga, PlacesSettings(**base), NOW)
        self.collect(self.reg)

    def join(self, name: str, private: bool = False) -> None:
        person = self.people.setdefault(name, account(name))
        p = self.participants.get(name)
        if p is None:
            p = self.participants[name] = Participant.register(
                self.reg, person, private, answering=False, at=NOW
            )
        else:
            p.register_again(self.reg, person, private, answering=False, at=NOW)
        self.collect(p)

    def cancel(self, name: str) -> None:
        p = self.participants[name]
        p.cancel(self.reg, self.people[name], NOW)
        self.collect(p)

    def approve(self, name: str, approved: bool = True) -> None:
        p = self.participants[name]
        p.approve(self.reg, self.olga, approved, NOW)
        self.collect(p)


def run(world: World, batch: int | None = None) -> tuple[PlacesViews, list[dict[str, Any]]]:
    engine = create_engine("sqlite://")
    tables = define_places()
    tables.metadata.create_all(engine)
    catalog = define()
    catalog.metadata.create_all(engine, tables=[catalog.users])
    outbox: list[dict[str, Any]] = []
    size = batch or len(world.events) or 1
    for first in range(0, len(world.events), size):
        with engine.begin() as conn:
            outbox += fold.apply(conn, tables, world.events[first : first + size])
    return PlacesViews(engine, catalog.users, tables), outbox


def statuses(world: World, views: PlacesViews) -> dict[str, tuple[str, int | None]]:
    return {name: views.status(world.reg.event_id, p.user_id) for name, p in world.people.items()}


def test_requests_in_log_order_then_promotion() -> None:
    w = World(participant_limit=2)
    for name in ("A", "B", "C", "D"):
        w.join(name)
    w.cancel("A")
    views, outbox = run(w)
    assert statuses(w, views) == {
        "A": ("none", None),
        "B": ("confirmed", None),
        "C": ("confirmed", None),
        "D": ("waitlisted", 1),
    }
    assert [(e["user_id"], e["outcome"]) for e in outbox] == [
        (w.people["A"].user_id, "confirmed"),
        (w.people["B"].user_id, "confirmed"),
        (w.people["C"].user_id, "waitlisted"),
        (w.people["D"].user_id, "waitlisted"),
        (w.people["C"].user_id, "promoted"),
    ]
    event = views.event(w.reg.event_id)
    assert (event.confirmed, event.waitlisted, event.participant_limit) == (2, 1, 2)


def test_limit_changes() -> None:
    w = World(participant_limit=3)
    for name in ("A", "B", "C", "D", "E"):
        w.join(name)
    w.set(participant_limit=1)  # lowered: everyone stays confirmed
    views, _ = run(w)
    assert views.event(w.reg.event_id).confirmed == 3
    w.cancel("A")  # still over the limit: nobody promoted
    views, _ = run(w)
    assert statuses(w, views)["D"] == ("waitlisted", 1)
    w.set(participant_limit=4)  # raised: the first waitlisted in order
    views, outbox = run(w)
    assert statuses(w, views)["D"] == ("confirmed", None)
    assert statuses(w, views)["E"] == ("confirmed", None)
    assert outbox[-1]["outcome"] == "promoted"


def test_unconfigured_events_confirm_everyone_and_record_nothing() -> None:
    w = World()
    w.join("A")
    w.join("B", private=True)
    views, outbox = run(w)
    assert outbox == []
    event = views.event(w.reg.event_id)
    assert (event.confirmed_public, event.confirmed_private) == (1, 1)


def test_refusal_when_the_waitlist_is_off() -> None:
    w = World(participant_limit=1, waitlist=False)
    w.join("A")
    w.join("B")
    views, outbox = run(w)
    assert statuses(w, views)["B"] == ("refused", None)
    assert outbox[-1]["outcome"] == "refused"
    assert views.event(w.reg.event_id).refusing


def test_approval() -> None:
    w = World(participant_limit=1, requires_approval=True)
    w.join("A")
    w.join("B")
    w.join("C")
    w.approve("B")
    w.approve("A")
    w.approve("C", approved=False)
    views, outbox = run(w)
    assert statuses(w, views) == {"A": ("waitlisted", 1), "B": ("confirmed", None), "C": ("declined", None)}
    assert [e["outcome"] for e in outbox] == ["pending", "pending", "pending", "confirmed", "waitlisted"]
    w.set(participant_limit=None, requires_approval=False)
    views, _ = run(w)
    assert statuses(w, views)["A"] == ("confirmed", None)


def test_a_replay_in_other_batches_gives_the_same_rows() -> None:
    w = World(participant_limit=2)
    for name in ("A", "B", "C", "D", "E"):
        w.join(name, private=name == "C")
    w.cancel("B")
    w.set(participant_limit=3)
    w.cancel("E")
    w.join("B")
    whole, whole_outbox = run(w)
    one_by_one, single_outbox = run(w, batch=1)
    assert whole.dump() == one_by_one.dump()
    assert whole_outbox == single_outbox
    assert whole.waitlist(w.reg.event_id) == one_by_one.waitlist(w.reg.event_id)
