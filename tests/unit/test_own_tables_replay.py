"""``campaignevents replay`` rebuilds the read models with tables of their own too (polls,
content): rows lost from the live tables come back, equal to what the projector made, and the
projector goes on applying to the swapped-in tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from api.datepoll.writes import create
from domain import commands, poll_commands
from projections import polls as poll_model
from projections.replay import declared, replay


def _dump(services: Any) -> dict[str, list[Any]]:
    """Every row, leaving out the columns a model declares volatile (as ``replay --verify`` does):
    a feed stamp's revision counts the projector's batches, and the app's projector thread may
    have split the facts above into more batches than the rebuild's one."""
    out = {}
    with services.store.engine.connect() as conn:
        for _, model in declared(services.projector):
            for table in model.define("").models():
                skip = set(model.volatile.get(table.name, ()))
                columns = [c for c in table.columns if c.name not in skip]
                out[table.name] = sorted(tuple(r) for r in conn.execute(select(*columns)))
    return out


def test_replay_rebuilds_own_tables(services: Any, flask_app: Any) -> None:  # flask_app: projector runs
    app = services.app
    boss = app.create_user(commands.CreateUser("Boss", "b@example.org", ("event-organizer",), "pw-Boss-1"))
    member = app.create_user(commands.CreateUser("Member", "m@example.org", (), "pw-Member-1"))
    group = app.create_group(poll_commands.CreateGroup("Band")).id
    app.change_membership(poll_commands.ChangeMembership(member.user_id, group))
    body = {
        "name": "Probe",
        "forEveryone": True,
        "description": "Bring chairs",
        "decisions": [{"decision": "Ja", "show_in_calendar": True, "color": "#008b02"}],
        "dates": [{"date": "2030-01-30 15:00:00", "location": "Saal", "x": 48.1, "y": 16.2}],
    }
    services.projector.catch_up()
    eid = create(services, boss.user_id, body)
    decision = services.polls.decisions(eid)[0]["id"]
    app.cast_vote(poll_commands.CastVote(member.user_id, eid, decision, "gern"))
    services.projector.catch_up()
    before = _dump(services)
    assert {"content", "polls"} <= {p.name for p, _ in declared(services.projector)}
    with services.store.engine.begin() as conn:
        for _, model in declared(services.projector):
            for table in model.define("").models():
                conn.execute(delete(table))
    assert _dump(services) != before
    replay(services.projector, progress=False)
    assert _dump(services) == before
    # the live projection applies to the swapped-in tables
    app.remove_vote(poll_commands.RemoveVote(member.user_id, eid))
    services.projector.catch_up()
    assert services.polls.vote(eid, member.user_id) is None
    assert services.store.position(poll_model.NAME) == app.recorder.max_notification_id()
