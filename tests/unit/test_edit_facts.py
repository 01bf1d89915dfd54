"""An edit records what it changed (closed, reopened, moved, rescheduled, ...), and logs written
before that (one ``RegistrationEdited`` with the whole details per edit) still replay: the same
edits recorded either way give the same registration, the same read-model row and exactly the same
audit history entries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from domain import commands
from domain.ports import FakeClock
from domain.registration import EventRegistration
from tests.unit.test_application import details

TOOL = "wikimedia-pe-dashboard"


@pytest.fixture
def built(sqlite_settings: Settings, clock: FakeClock) -> Iterator[Services]:
    settings = replace(sqlite_settings, tracking_tools=(TOOL,))
    init_store(settings)
    services = build_services(settings, clock)
    yield services
    services.close()


# (details of the edit, status, minutes to advance the clock before it)
EDITS: list[tuple[dict[str, Any], str, int]] = [
    ({}, "open", 1),  # nothing changes: still one entry
    ({}, "closed", 1),  # closing only
    ({}, "closed", 0),  # nothing changes, at the same moment
    ({"chat_url": "https://chat.example.org", "wikis": ["enwiki"]}, "open", 1),  # reopened and changed
    ({"end": "20300102180000", "inperson": True, "meeting_country": "Italy"}, "open", 0),
    ({"page": "Event:Moved", "tracking_tool_id": TOOL, "tracking_tool_event_id": "x1"}, "closed", 2),
    ({"page": "Event:Moved", "timezone": "Europe/Rome"}, "closed", 1),  # the timezone moves the UTC times
    ({"page": "Event:Moved", "wikis": ["*"], "online": False, "inperson": True}, "open", 0),
]


def test_new_and_legacy_facts_give_the_same_state_rows_and_history(built: Services, clock: FakeClock) -> None:
    app = built.app
    olga = app.create_user(commands.CreateUser("Olga", None, ("event-organizer",))).user_id
    new_id = app.enable_registration(commands.EnableRegistration(olga, details("Event:Meetup"))).event_id
    old_id = app.enable_registration(commands.EnableRegistration(olga, details("Event:Legacy"))).event_id
    kept: dict[str, Any] = {}
    for changes, status, minutes in EDITS:
        clock.advance(minutes=minutes)
        kept.update(changes)
        given = details(**{"page": "Event:Meetup", **kept})
        app.edit_registration(commands.EditRegistration(olga, new_id, given, status))
        record_legacy_edit(built, old_id, app.registration(new_id), status, olga, clock)
    built.projector.catch_up()

    new, old = app.registration(new_id), app.registration(old_id)
    assert (new.status, replace(new.details, **page_of(old))) == (old.status, old.details)
    assert history(built, new_id) == history(built, old_id)
    assert [h["kind"] for h in history(built, new_id)] == [
        "registration-enabled",
        "registration-edited",
        "registration-closed",
        "registration-edited",
        "registration-reopened",
        "registration-edited",
        "registration-edited",
        "registration-closed",
        "registration-edited",
        "registration-edited",
        "registration-reopened",
        "registration-edited",
    ]
    assert row(built, new_id) == row(built, old_id)
    kinds = {type(e).__name__ for e in app.events.get(new.id)}
    assert "RegistrationEdited" not in kinds
    assert {
        "PageMoved",
        "Rescheduled",
        "MeetingChanged",
        "TrackingToolChanged",
        "DetailsResubmitted",
    } <= kinds


def test_an_edit_records_one_fact_per_kind_of_change(built: Services, clock: FakeClock) -> None:
    app = built.app
    olga = app.create_user(commands.CreateUser("Olga", None, ("event-organizer",))).user_id
    eid = app.enable_registration(commands.EnableRegistration(olga, details("Event:Meetup"))).event_id
    given = details("Event:Meetup", end="20300102180000", chat_url="https://chat.example.org")
    app.edit_registration(commands.EditRegistration(olga, eid, given, "closed"))
    facts = list(app.events.get(app.registration(eid).id))[1:]
    assert [type(f).__name__ for f in facts] == ["RegistrationClosed", "Rescheduled", "ChatUrlChanged"]
    rescheduled, chat = facts[1], facts[2]
    assert isinstance(rescheduled, EventRegistration.Rescheduled)
    assert (rescheduled.end_local, rescheduled.end_utc) == ("20300102180000", "2030-01-02T18:00:00+00:00")
    assert (rescheduled.continues, chat.continues, chat.performed_by) == (False, True, olga)


def record_legacy_edit(
    s: Services, event_id: int, like: EventRegistration, status: str, by: int, clock: FakeClock
) -> None:
    """What 97253cc recorded for the same edit: the whole new details and the status."""
    registration = s.app.registration(event_id)
    legacy = like.details.to_dict() | page_of(registration, moved="Event:Moved" in like.details.page)
    registration.trigger_event(
        EventRegistration.RegistrationEdited,
        details=legacy,
        status=status,
        performed_by=by,
        timestamp=clock.now(),
    )
    s.app.save(registration)


def page_of(registration: EventRegistration, moved: bool | None = None) -> dict[str, str]:
    """The legacy registration's own page (it cannot share the other's), moved as the other was."""
    name = "Legacy moved" if moved or (moved is None and "moved" in registration.details.name) else "Legacy"
    return {"page": f"Event:{name}", "name": name}


def history(s: Services, event_id: int) -> list[dict[str, Any]]:
    rows = s.history.history(event_id, after=None, limit=500, include_private=True)
    return [
        {"kind": r.kind, "at": r.at, "by": r.performed_by, "details": normalised(r.details)} for r in rows
    ]


def row(s: Services, event_id: int) -> dict[str, Any]:
    r = s.store.tables.registrations
    with s.store.engine.connect() as conn:
        found = conn.execute(select(r).where(r.c.event_id == event_id)).one()._asdict()
    found.pop("event_id"), found.pop("aggregate_id")
    found["details"] = normalised(json.loads(found["details"]))
    found["name"] = normalised(found["name"])
    return found


def normalised(value: Any) -> Any:
    """The legacy registration's page names read as the other's."""
    text = json.dumps(value, sort_keys=True)
    for legacy, new in (("Legacy moved", "Moved"), ("Legacy", "Meetup")):
        text = text.replace(legacy, new)
    return json.loads(text)
