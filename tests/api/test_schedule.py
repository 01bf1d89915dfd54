"""Schedules through the API (issue 14): GET/PUT …/schedule, …/occurrences, the derived v0
start/end, v0 edits that keep or replace a schedule, history and as_of, and every feed parsed with
``icalendar`` (UID stability, SEQUENCE growth, VTIMEZONE, RRULE/EXDATE, cancelled events, 304)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import icalendar
import recurring_ical_events

from tests.conftest import registration_body

BASE = "/campaignevents/v0/event_registration"
ICS = "text/calendar; charset=utf-8"
WEEKLY = {
    "sessions": [{"id": "talk", "start": "20301014100000", "end": "2030-10-14T12:00:00Z", "title": "Talk"}],
    "recurrence": "FREQ=WEEKLY;COUNT=4",
    "exceptions": ["2030-10-21"],
}


def create(client: Any, page: str = "Event:Sched") -> int:
    resp = client.post(BASE, registration_body(page))
    assert resp.status_code == 201, resp.get_json()
    return int(resp.get_json()["id"])


def feed(client: Any, path: str, **kw: Any) -> icalendar.Calendar:
    resp = client.get(path, **kw)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.headers["Content-Type"] == ICS
    return icalendar.Calendar.from_ical(resp.get_data())


def vevents(calendar: icalendar.Calendar) -> list[Any]:
    return list(calendar.walk("VEVENT"))


def test_schedule_round_trip_derived_times_history_and_feeds(make_user: Any, api: Any) -> None:
    org = api(make_user("Org", "event-organizer"))
    eid = create(org)
    before = feed(org, f"{BASE}/{eid}/calendar.ics")
    (single,) = vevents(before)
    assert str(single["UID"]) == f"event-{eid}@local.campaignevents" and int(single["SEQUENCE"]) == 0
    assert str(single["DESCRIPTION"]) == "https://meet.example.org/abc"  # an organizer sees it
    assert "DESCRIPTION" not in vevents(feed(api(), f"{BASE}/{eid}/calendar.ics"))[0]  # anonymous does not

    assert org.put(f"{BASE}/{eid}/schedule", WEEKLY).status_code == 204
    got = org.get(f"{BASE}/{eid}/schedule").get_json()
    assert got["recurrence"] == "FREQ=WEEKLY;COUNT=4" and got["exceptions"] == ["2030-10-21"]
    assert got["sessions"][0] | {"coordinates": None} == {
        "id": "talk",
        "title": "Talk",
        "start": "20301014100000",
        "end": "20301014120000",  # ISO 8601 read as v0 reads start_time: the wall-clock time
        "location": None,
        "coordinates": None,
        "description": None,
    }
    v0 = org.get(f"{BASE}/{eid}").get_json()
    assert (v0["start_time"], v0["end_time"]) == ("20301014100000", "20301104120000")  # derived; 10:00 CET

    calendar = feed(org, f"{BASE}/{eid}/calendar.ics")
    (talk,) = vevents(calendar)
    assert str(talk["UID"]) == f"talk.event-{eid}@local.campaignevents"
    assert int(talk["SEQUENCE"]) == 1
    assert talk["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=4"
    zone = talk["DTSTART"].dt.tzinfo
    assert [d.dt for d in talk["EXDATE"].dts] == [datetime(2030, 10, 21, 10, tzinfo=zone)]
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]
    found = recurring_ical_events.of(calendar).between(datetime(2030, 1, 1), datetime(2031, 1, 1))
    expanded = sorted(e["DTSTART"].dt.astimezone(UTC) for e in found)
    occ = org.get(f"{BASE}/{eid}/occurrences?from=20300101000000&to=2031-01-01T00:00:00Z").get_json()
    assert [o["start_utc"] for o in occ["occurrences"]] == [
        d.strftime("%Y-%m-%dT%H:%M:%SZ") for d in expanded
    ]
    assert [o["start"] for o in occ["occurrences"]] == ["20301014100000", "20301028100000", "20301104100000"]
    assert occ["more"] is False and {o["session_id"] for o in occ["occurrences"]} == {"talk"}

    kinds = [e["kind"] for e in org.get(f"{BASE}/{eid}/history").get_json()]
    assert "schedule-changed" in kinds

    # an edit sending the derived times keeps the schedule; one that changes them replaces it
    body = registration_body("Event:Sched", start_time=v0["start_time"], end_time=v0["end_time"])
    assert org.put(f"{BASE}/{eid}", {**body, "status": "open"}).status_code == 204
    assert org.get(f"{BASE}/{eid}/schedule").get_json()["sessions"] != []
    moved = registration_body("Event:Sched", start_time="20301201100000", end_time="20301201120000")
    assert org.put(f"{BASE}/{eid}", {**moved, "status": "open"}).status_code == 204
    assert org.get(f"{BASE}/{eid}/schedule").get_json()["sessions"] == []
    (back,) = vevents(feed(org, f"{BASE}/{eid}/calendar.ics"))
    assert str(back["UID"]) == f"event-{eid}@local.campaignevents" and int(back["SEQUENCE"]) == 3
    kinds = [e["kind"] for e in org.get(f"{BASE}/{eid}/history").get_json()]
    assert kinds.count("schedule-removed") == 1


def test_conditional_gets_and_cancelled_events(make_user: Any, api: Any) -> None:
    org_user = make_user("Org", "event-organizer")
    org = api(org_user)
    eid = create(org)
    path = f"/campaignevents/v0/organizer/{org_user.user_id}/calendar.ics"
    first = api().get(path)
    assert first.status_code == 200 and first.headers["ETag"]
    again = api().get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    tag = first.headers["ETag"]
    for given in (f"W/{tag}", f'"other", {tag}', "*"):  # weak, in a list, any
        assert api().get(path, headers={"If-None-Match": given}).status_code == 304, given
    assert api().get(path, headers={"If-None-Match": f'"x{tag[1:]}'}).status_code == 200
    since = api().get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    assert org.delete(f"{BASE}/{eid}").status_code == 204
    changed = api().get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    (gone,) = vevents(icalendar.Calendar.from_ical(changed.get_data()))
    assert str(gone["STATUS"]) == "CANCELLED" and int(gone["SEQUENCE"]) == 1


def test_participant_secret_feed_and_revocation(make_user: Any, api: Any) -> None:
    org = api(make_user("Org", "event-organizer"))
    eid = create(org)
    alice = api(make_user("Alice"))
    assert alice.put(f"{BASE}/{eid}/participants/self", {"is_private": True}).status_code == 200
    url = alice.get("/campaignevents/v0/participant/self/calendar_url").get_json()["url"]
    assert alice.get("/campaignevents/v0/participant/self/calendar_url").get_json()["url"] == url
    path = url.removeprefix("http://campaignevents.test")
    (mine,) = vevents(feed(api(), path))  # no header: the secret is the key
    assert str(mine["UID"]) == f"event-{eid}@local.campaignevents"
    assert "meet.example.org" in str(mine["DESCRIPTION"])  # a participant may see the meeting URL
    assert alice.delete("/campaignevents/v0/participant/self/calendar_url", {}).status_code == 204
    assert api().get(path).status_code == 404
    assert api().get("/campaignevents/v0/participant/self/calendar_url").status_code == 401


def test_a_viewers_roles_change_the_etag_of_a_feed_that_did_not_change(make_user: Any, api: Any) -> None:
    """Joining or leaving an event does not write the organizer's feed, but what the joiner may
    see of it (the meeting URL) changes: the ETag is read with the viewer's roles (one read)."""
    org_user = make_user("Org", "event-organizer")
    eid = create(api(org_user))
    alice = api(make_user("Alice"))
    path = f"/campaignevents/v0/organizer/{org_user.user_id}/calendar.ics"
    outside = alice.get(path)
    assert "DESCRIPTION" not in vevents(icalendar.Calendar.from_ical(outside.get_data()))[0]
    assert alice.get(path, headers={"If-None-Match": outside.headers["ETag"]}).status_code == 304
    assert alice.put(f"{BASE}/{eid}/participants/self", {"is_private": False}).status_code == 200
    joined = alice.get(path, headers={"If-None-Match": outside.headers["ETag"]})
    assert joined.status_code == 200 and joined.headers["ETag"] != outside.headers["ETag"]
    (event,) = vevents(icalendar.Calendar.from_ical(joined.get_data()))
    assert str(event["DESCRIPTION"]) == "https://meet.example.org/abc"  # a participant sees it
    assert api().get(path, headers={"If-None-Match": outside.headers["ETag"]}).status_code == 304  # anonymous
    assert alice.delete(f"{BASE}/{eid}/participants/self", {}).status_code == 200
    left = alice.get(path, headers={"If-None-Match": joined.headers["ETag"]})
    assert left.status_code == 200 and left.headers["ETag"] == outside.headers["ETag"]
    assert "DESCRIPTION" not in vevents(icalendar.Calendar.from_ical(left.get_data()))[0]
