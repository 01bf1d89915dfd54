"""``campaignevents replay`` rebuilds EVERY read model (catalog, places, content, polls, feeds, and
whatever else the projector runs) and ``--verify`` compares every one: state built through the API
(places with a waitlist and a promotion, content, moderation and calendars, a poll with votes, a
schedule and its feeds), then the rebuilt tables equal the live ones, verify finds nothing, and a
corrupted live row of any model is reported."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from api.datepoll.writes import create as create_poll
from domain import commands, poll_commands
from projections.replay import Rebuild, declared, dump, replay, verify
from tests.api.helpers import BASE, assert_empty, create, stop_projector

WEEKLY = {
    "sessions": [{"id": "talk", "start": "20301014100000", "end": "2030-10-14T12:00:00Z", "title": "Talk"}],
    "recurrence": "FREQ=WEEKLY;COUNT=4",
    "exceptions": ["2030-10-21"],
}


def settle(services: Any) -> None:
    for _ in range(3):
        assert services.queue.wait_idle()
        services.projector.catch_up()


def live_rows(services: Any) -> dict[str, Any]:
    with services.store.engine.connect() as conn:
        return {
            p.name: dump(conn, Rebuild(p, m, m.define(""), m.define("")), m.define(""))
            for p, m in declared(services.projector)
        }


@pytest.fixture
def built(api: Any, make_user: Any, services: Any) -> Any:
    app = services.app
    olga, sue = make_user("Olga", "event-organizer"), make_user("Sue", "sysop")
    people = [make_user(f"Person{n}") for n in range(4)]
    org = api(olga)
    # places: limit 2, four requests (two waitlisted), a cancel promotes the first waitlisted
    eid = create(org, "Event:Replay places")
    body = {"participant_limit": 2, "waitlist": True, "requires_approval": False}
    assert org.put(f"{BASE}/{eid}/places", body).status_code == 200
    for person in people:
        assert api(person).put(f"{BASE}/{eid}/participants/self", {"is_private": False}).status_code == 200
    assert api(people[0]).delete(f"{BASE}/{eid}/participants/self").status_code == 200
    # content, moderation, calendars
    app.create_calendar(commands.CreateCalendar(None, "Second", "#000000"))
    content = {"description_html": "<p>hi</p>", "tags": ["a", "b"], "venue": {"title": "Hall"}}
    assert_empty(org.put(f"{BASE}/{eid}/content", content))
    assert_empty(api(sue).put(f"{BASE}/{eid}/moderation", {"featured": True, "locked": True}))
    assert_empty(org.put(f"{BASE}/{eid}/content", {"calendar_id": 2, "tags": ["only"]}))
    # a schedule (feeds: SEQUENCE, texts, revisions) and a participant's secret feed
    other = create(org, "Event:Replay feeds")
    assert org.put(f"{BASE}/{other}/schedule", WEEKLY).status_code == 204
    assert api(people[1]).get("/campaignevents/v0/participant/self/calendar_url").status_code == 200
    # a poll with votes
    group = app.create_group(poll_commands.CreateGroup("Band")).id
    app.change_membership(poll_commands.ChangeMembership(people[1].user_id, group))
    poll = {
        "name": "Probe",
        "forEveryone": True,
        "description": "Bring chairs",
        "decisions": [{"decision": "Ja", "show_in_calendar": True, "color": "#008b02"}],
        "dates": [{"date": "2030-01-30 15:00:00", "location": "Saal", "x": 48.1, "y": 16.2}],
    }
    settle(services)
    poll_id = create_poll(services, olga.user_id, poll)
    decision = services.polls.decisions(poll_id)[0]["id"]
    app.cast_vote(poll_commands.CastVote(people[1].user_id, poll_id, decision, "gern"))
    app.cast_vote(poll_commands.CastVote(people[2].user_id, poll_id, decision, None))
    settle(services)
    stop_projector(services)
    settle(services)
    yield eid
    stop_projector(services)


def test_every_model_rebuilds_to_the_live_rows_and_verify_finds_nothing(built: int, services: Any) -> None:
    names = {p.name for p, _ in declared(services.projector)}
    assert {"catalog", "places", "content", "polls", "feeds"} <= names
    before = live_rows(services)
    assert all(any(rows for rows in model.values()) for model in before.values())  # each has rows
    assert before["places"]["rm_place_outbox"]  # the waitlist and the promotion were decided
    assert verify(services.projector, progress=False) == []
    head = services.app.recorder.max_notification_id()
    stats = replay(services.projector, progress=False)
    assert stats.position == head == services.app.recorder.max_notification_id()  # nothing recorded
    after = live_rows(services)
    after["feeds"] = before["feeds"]  # revisions are carried above the live ones (next test)
    assert after == before
    assert all(services.store.position(name) == head for name in names)
    assert verify(services.projector, progress=False) == []


def test_verify_reports_a_corrupted_row_of_each_model(built: int, services: Any) -> None:
    models = {p.name: m for p, m in declared(services.projector)}
    corruptions: dict[str, Any] = {
        "places": lambda t: update(t.places).values(waitlisted=99),
        "content": lambda t: update(t.content).values(description_text="tampered"),
        "polls": lambda t: update(t.votes).values(additional_information="tampered"),
        "feeds": lambda t: update(t.events).values(sequence=99),
        "catalog": lambda t: update(t.registrations).values(name="x"),
    }
    for name, corrupt in corruptions.items():
        with services.store.engine.begin() as conn:
            assert conn.execute(corrupt(models[name].define(""))).rowcount >= 1
        lines = verify(services.projector, progress=False)
        assert lines and all(" only live: " in line or " only rebuilt: " in line for line in lines), name
        replay(services.projector, progress=False)  # repaired
        assert verify(services.projector, progress=False) == [], name


def test_a_replayed_feed_never_reuses_an_old_etag(built: int, api: Any, services: Any) -> None:
    path = f"{BASE}/{built}/calendar.ics"
    first = api().get(path)
    assert first.status_code == 200
    replay(services.projector, progress=False)
    again = api().get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert again.headers["ETag"] != first.headers["ETag"]
