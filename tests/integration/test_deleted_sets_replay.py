"""The audience sets of the read models (the polls model's ``rm_poll_event_sets``, Invision's and
Wild Apricot's ``…_event_sets``) drop a deleted group's rows, its subgroups' and a deleted
subgroup's, whatever the batches: live, one fact per batch, and rebuilt from the whole log as one
page (``replay --verify`` finds no differing row; ``replay`` gives the same rows), where a link
made and its group deleted in one page must go as when each came in a batch of its own. On SQLite
and on PostgreSQL (the deletions' SQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.bootstrap import Services
from api.invision import index as invision_index
from api.wildapricot import index as wa_index
from domain import commands, poll_commands
from projections.polls import define as poll_tables
from projections.replay import replay, verify
from projections.runner import Projector
from tests.unit.domain.factories import details


def build(s: Services) -> dict[str, int]:
    """Three events for groups and subgroups; Soprano, then Band (with Brass) deleted; a group
    made and attached afterwards stays."""
    app = s.app
    olga = app.create_user(commands.CreateUser("Olga", "o@example.org", ("event-organizer",))).user_id
    ids = {name: app.create_group(poll_commands.CreateGroup(name)).id for name in ("Band", "Choir")}
    for name, group in (("Brass", "Band"), ("Soprano", "Choir"), ("Alto", "Choir")):
        ids[name] = app.create_subgroup(poll_commands.CreateSubgroup(ids[group], name)).id
    for n in (1, 2, 3):
        made = app.enable_registration(commands.EnableRegistration(olga, details(f"Event:Sets {n}")))
        ids[f"e{n}"] = made.event_id
        app.set_for_everyone(poll_commands.SetForEveryone(olga, made.event_id, False))

    def attach(event: str, group: str | None = None, subgroup: str | None = None) -> None:
        app.attach_to_event(
            poll_commands.AttachToEvent(
                olga, ids[event], ids[group] if group else None, ids[subgroup] if subgroup else None
            )
        )

    attach("e1", "Band")
    attach("e1", subgroup="Brass")
    attach("e1", subgroup="Soprano")
    attach("e2", "Choir")
    attach("e2", subgroup="Alto")
    attach("e3", "Band")
    app.delete_subgroup(poll_commands.DeleteSubgroup(ids["Soprano"]))
    app.delete_group(poll_commands.DeleteGroup(ids["Band"]))
    ids["Drums"] = app.create_group(poll_commands.CreateGroup("Drums")).id
    attach("e3", "Drums")
    return ids


def sets(s: Services) -> dict[str, set[tuple[Any, ...]]]:
    """The (event, kind, set) rows of each model's audience sets."""
    tables = {
        "polls": poll_tables().event_sets,
        "invision": invision_index.define().sets,
        "wildapricot": wa_index.define().sets,
    }
    with s.store.engine.connect() as conn:
        return {
            name: {tuple(r) for r in conn.execute(select(t.c.event_id, t.c.kind, t.c.set_id))}
            for name, t in tables.items()
        }


def test_deleted_sets_leave_every_model_live_and_rebuilt(services_on_both: Services) -> None:
    s = services_on_both
    ids = build(s)
    projections = s.projector.projections
    Projector(s.app, s.store, batch=1, projections=projections).catch_up()  # live: a fact a batch
    left = {
        (ids["e2"], "g", ids["Choir"]),
        (ids["e2"], "s", ids["Alto"]),
        (ids["e3"], "g", ids["Drums"]),
    }
    live = sets(s)
    assert live == {"polls": left, "invision": left, "wildapricot": left}

    whole = Projector(s.app, s.store, batch=10_000, projections=projections)
    head = s.app.recorder.max_notification_id() or 0
    _, end = whole.read_page(0, head, topics=tuple(t for p in projections for t in p.topics))
    assert end == head  # the rebuild folds the whole log as one page
    assert verify(whole, progress=False) == []
    replay(whole, progress=False)
    assert sets(s) == live
