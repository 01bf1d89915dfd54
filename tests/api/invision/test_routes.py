"""Invision's routes (dialects-facts §3): authentication, framework codes, every endpoint's
statuses/codes in the reference's order, the seed's field lists, filters, RSVPs, v0 interplay."""

from __future__ import annotations

from typing import Any

import pytest

from api.invision.forms import parse_pairs
from tests.api.invision.conftest import error_of, event_form

EVENT_FIELDS = [
    "id", "title", "calendar", "start", "end", "recurrence", "rsvp", "rsvpLimit", "location", "venue",
    "author", "postedDate", "description", "comments", "reviews", "views", "prefix", "tags", "locked",
    "hidden", "featured", "url",
]  # fmt: skip
MEMBER_FIELDS = [
    "id", "name", "title", "timezone", "formattedName", "ipAddress", "primaryGroup", "secondaryGroups",
    "email", "joined", "registrationIpAddress", "warningPoints", "reputationPoints", "photoUrl",
    "photoUrlIsDefault", "coverPhotoUrl", "profileUrl", "validating", "posts", "lastActivity", "lastVisit",
    "lastPost", "profileViews", "birthday", "customFields",
]  # fmt: skip
GEO_FIELDS = ["lat", "long", "addressLines", "city", "region", "country", "postalCode"]


def test_authentication_ways_and_401_bodies(ic: Any, flask_app: Any) -> None:
    for mode in ("basic", "key", "bearer"):
        assert ic(f"U{mode}", mode=mode).get("/events").status_code == 200
    client = flask_app.test_client()
    assert error_of(client.get("/api/calendar/events")) == (401, "2S290/6", "NO_API_KEY")
    assert error_of(client.get("/api/calendar/events?key=nope")) == (401, "3S290/7", "INVALID_API_KEY")
    bad_basic = client.get("/api/calendar/events", headers={"Authorization": "Basic bm9wZTo="})
    assert error_of(bad_basic) == (401, "3S290/7", "INVALID_API_KEY")
    bearer = client.get("/api/calendar/events", headers={"Authorization": "Bearer nope"})
    assert error_of(bearer) == (401, "3S290/9", "INVALID_ACCESS_TOKEN")
    assert bearer.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_framework_codes_and_index_php(ic: Any) -> None:
    u = ic("Fw")
    assert error_of(u.get("/nothing")) == (404, "2S290/5", "INVALID_CONTROLLER")
    assert error_of(u.get("/events/1/nothing")) == (404, "2S291/1", "NO_ENDPOINT")
    assert error_of(u.call("PATCH", "/events")) == (405, "3S291/2", "BAD_METHOD")
    assert error_of(u.call("GET", "/events/1/rsvps/1")) == (405, "3S291/2", "BAD_METHOD")
    r = u.client.get(f"/api/index.php?/calendar/events&key={u.token}&perPage=5")
    assert r.status_code == 200 and r.get_json()["perPage"] == 5
    r = u.client.get(f"/api/index.php?/core/hello&key={u.token}")
    assert error_of(r) == (404, "2S290/1", "INVALID_APP")


def test_switched_off(ic: Any, services: Any) -> None:
    from dataclasses import replace

    u = ic("Off")
    kept = services.settings
    services.settings = replace(kept, dialects=("v0", "datepoll"))
    try:
        assert error_of(u.get("/events")) == (404, "2S290/1", "INVALID_APP")
    finally:
        services.settings = kept


def test_create_check_order(ic: Any) -> None:
    org, nobody = ic("Org", "event-organizer"), ic("Nobody")
    assert error_of(org.post("/events", event_form(calendar="99"))) == (400, "1L296/6", "NO_CALENDAR")
    assert error_of(nobody.post("/events", event_form(calendar="99"))) == (400, "1L296/6", "NO_CALENDAR")
    assert error_of(nobody.post("/events", event_form())) == (403, "2L296/C", "NO_PERMISSION")
    sysop = ic("Root", "sysop", "event-organizer")
    assert error_of(sysop.post("/events", event_form(author="999", title=None))) == (
        400,
        "1L296/7",
        "NO_AUTHOR",
    )
    assert error_of(org.post("/events", event_form(title=None))) == (400, "1L296/8", "NO_TITLE")
    assert error_of(org.post("/events", event_form(description=""))) == (400, "1L296/9", "NO_DESC")
    assert error_of(org.post("/events", event_form(start="soon"))) == (400, "1L296/A", "INVALID_START")
    assert error_of(org.post("/events", event_form(end="2030-04-01"))) == (400, "1L296/B", "INVALID_END")
    assert error_of(org.post("/events", event_form(end="never"))) == (400, "1L296/B", "INVALID_END")


def test_create_output_fields_and_v0(ic: Any, api: Any, make_user: Any) -> None:
    org = ic("Maker", "event-organizer")
    form = event_form(
        **{
            "location[lat]": "52.5",
            "location[long]": "13.4",
            "location[addressLines][]": "Main St 1",
            "location[city]": "Berlin",
            "location[country]": "de",
            "location[postalCode]": "10115",
            "tags": "outdoor,Food",
            "prefix": "Meetup",
            "rsvp": "1",
            "rsvpLimit": "5",
            "recurrence": "FREQ=WEEKLY;COUNT=3",
        }
    )
    r = org.post("/events", form)
    assert r.status_code == 201, r.get_json()
    e = r.get_json()
    assert list(e) == EVENT_FIELDS
    assert list(e["author"]) == MEMBER_FIELDS
    assert list(e["location"]) == GEO_FIELDS
    assert list(e["calendar"]) == ["id", "name", "url", "class", "permissions"]
    assert e["start"] == "2030-05-01T18:00:00Z" and e["end"] == "2030-05-01T20:30:00Z"
    assert e["recurrence"] == "RRULE:FREQ=WEEKLY;COUNT=3"
    assert e["rsvp"] is True and e["rsvpLimit"] == 5
    assert e["location"]["addressLines"] == ["Main St 1"] and e["location"]["country"] == "DE"
    assert e["location"]["lat"] == 52.5 and e["venue"] is None
    assert e["tags"] == ["outdoor", "Food"] and e["prefix"] == "Meetup"
    assert e["description"] == "<p>Bring <b>snacks</b></p>"
    assert (e["comments"], e["reviews"], e["views"]) == (0, 0, 0)
    assert e["author"]["id"] == org.user_id and e["author"]["email"] == "maker@example.org"
    # visible through v0 under Event:<title>, in person
    v0 = api().client.get(f"/campaignevents/v0/event_registration/{e['id']}")
    assert v0.status_code == 200
    assert v0.get_json()["event_page"] == "Event:Meetup at the park"
    assert v0.get_json()["inperson_meeting"] is True and v0.get_json()["online_meeting"] is False
    # a second event with the same title gets " (<id>)"
    second = org.post("/events", event_form()).get_json()
    page = api().client.get(f"/campaignevents/v0/event_registration/{second['id']}").get_json()["event_page"]
    assert page == f"Event:Meetup at the park ({second['id']})"
    shown = api().client.get(f"/campaignevents/v0/event_registration/{second['id']}").get_json()
    assert shown["online_meeting"] is True and shown["inperson_meeting"] is False


def test_all_day_and_get_delete(ic: Any) -> None:
    org, other = ic("Org2", "event-organizer"), ic("Other", "event-organizer")
    e = org.post("/events", event_form(end=None)).get_json()
    assert e["end"] is None
    got = org.get(f"/events/{e['id']}")
    assert got.status_code == 200 and got.get_json() == e
    assert error_of(org.get("/events/999")) == (404, "2L296/1", "INVALID_ID")
    assert error_of(org.get("/events/abc")) == (404, "2L296/1", "INVALID_ID")
    assert org.get(f"/events/{e['id']}/comments").get_json() == {
        "page": 1, "perPage": 25, "totalResults": 0, "totalPages": 0, "results": []
    }  # fmt: skip
    assert org.get(f"/events/{e['id']}/reviews").get_json()["results"] == []
    assert error_of(org.get("/events/999/comments")) == (404, "2L296/2", "INVALID_ID")
    assert error_of(org.get("/events/999/reviews")) == (404, "2L296/3", "INVALID_ID")
    assert error_of(org.get("/events/999/rsvps")) == (404, "2L296/4", "INVALID_ID")
    assert error_of(other.delete(f"/events/{e['id']}")) == (404, "2F294/B", "NO_PERMISSION")
    assert error_of(org.delete("/events/999")) == (404, "2L296/5", "INVALID_ID")
    r = org.delete(f"/events/{e['id']}")
    assert r.status_code == 200 and r.get_json() is None
    assert error_of(org.get(f"/events/{e['id']}")) == (404, "2L296/1", "INVALID_ID")


def test_edit(ic: Any, api: Any) -> None:
    org, other = ic("Ed", "event-organizer"), ic("NotEd", "event-organizer")
    e = org.post("/events", event_form()).get_json()
    path = f"/events/{e['id']}"
    assert error_of(org.post("/events/999", {"title": "x"})) == (404, "1L296/I", "INVALID_ID")
    assert error_of(other.post(path, {"title": "x"})) == (403, "2L296/D", "NO_PERMISSION")
    assert error_of(org.post(path, {"calendar": "77"})) == (400, "1L296/D", "NO_CALENDAR")
    assert error_of(org.post(path, {"start": "nope"})) == (400, "1L296/G", "INVALID_START")
    assert error_of(org.post(path, {"start": "2030-05-02 10:00", "end": "x"})) == (
        400,
        "1L296/H",
        "INVALID_END",
    )
    r = org.post(path, {"title": "Renamed", "start": "2030-06-01T09:00:00Z", "end": "2030-06-01T10:00:00Z"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["title"] == "Renamed" and r.get_json()["start"] == "2030-06-01T09:00:00Z"
    v0 = api().client.get(f"/campaignevents/v0/event_registration/{e['id']}").get_json()
    assert v0["event_page"] == "Event:Renamed"


def test_moderation_flags_and_hidden_visibility(ic: Any) -> None:
    org, member, sysop = ic("Mod", "event-organizer"), ic("Mem"), ic("Sys", "sysop")
    e = org.post("/events", event_form(hidden="1", featured="1", locked="1")).get_json()
    assert (e["hidden"], e["featured"], e["locked"]) == (True, True, True)
    assert error_of(member.get(f"/events/{e['id']}")) == (404, "2L296/1", "INVALID_ID")
    assert member.get("/events").get_json()["totalResults"] == 0
    assert sysop.get("/events", {"hidden": "1"}).get_json()["totalResults"] == 1
    assert sysop.get("/events", {"hidden": "0"}).get_json()["totalResults"] == 0
    assert org.get("/events", {"featured": "1", "locked": "1"}).get_json()["totalResults"] == 1
    assert org.get("/events", {"featured": "0"}).get_json()["totalResults"] == 0


def test_list_filters_sort_and_pages(ic: Any, services: Any) -> None:
    org, org2 = ic("L1", "event-organizer"), ic("L2", "event-organizer")
    a = org.post(
        "/events", event_form(title="B", start="2030-01-10 10:00", end="2030-01-10 11:00")
    ).get_json()
    b = org2.post(
        "/events", event_form(title="A", start="2030-02-10 10:00", end="2030-02-10 11:00")
    ).get_json()
    weekly = event_form(title="C", start="2030-01-01 10:00", end="2030-01-01 11:00", recurrence="FREQ=WEEKLY")
    c = org.post("/events", weekly).get_json()
    ids = lambda r: [x["id"] for x in r.get_json()["results"]]  # noqa: E731
    assert ids(org.get("/events")) == [a["id"], b["id"], c["id"]]
    assert ids(org.get("/events", {"sortBy": "title"})) == [b["id"], a["id"], c["id"]]
    assert ids(org.get("/events", {"sortBy": "start", "sortDir": "desc"})) == [b["id"], a["id"], c["id"]]
    assert ids(org.get("/events", {"authors": str(org2.user_id)})) == [b["id"]]
    assert ids(org.get("/events", {"ids": f"{a['id']},{c['id']}"})) == [a["id"], c["id"]]
    # range: the weekly event's occurrence in March counts
    assert ids(org.get("/events", {"rangeStart": "2030-03-01", "rangeEnd": "2030-03-07"})) == [c["id"]]
    assert ids(org.get("/events", {"rangeStart": "2030-02-10", "rangeEnd": "2030-02-10"})) == [b["id"]]
    assert error_of(org.get("/events", {"rangeStart": "not a date"})) == (403, "1L296/M", "INVALID_DATE")
    page = org.get("/events", {"perPage": "2", "page": "2"}).get_json()
    assert (page["page"], page["perPage"], page["totalResults"], page["totalPages"]) == (2, 2, 3, 2)
    assert [x["id"] for x in page["results"]] == [c["id"]]


def test_calendars(ic: Any) -> None:
    sysop, member = ic("Cal", "sysop", "event-organizer"), ic("CalM")
    listed = member.get("/calendars").get_json()
    assert listed["results"][0]["id"] == 1 and listed["totalResults"] == 1
    assert error_of(member.post("/calendars", {"title": "X"})) == (403, "2L364/3", "NO_PERMISSION")
    assert error_of(sysop.post("/calendars", {})) == (400, "1L364/2", "NO_TITLE")
    r = sysop.post("/calendars", {"title": "Meetups", "color": "#aa0000"})
    assert r.status_code == 201 and r.get_json()["name"] == "Meetups"
    cid = r.get_json()["id"]
    assert member.get(f"/calendars/{cid}").get_json()["class"] == "IPS\\calendar\\Calendar"
    assert error_of(member.get("/calendars/99")) == (404, "1L364/1", "INVALID_ID")
    assert sysop.post(f"/calendars/{cid}", {"title": "Meet"}).get_json()["name"] == "Meet"
    e = sysop.post("/events", event_form(calendar=str(cid))).get_json()
    assert e["calendar"]["id"] == cid
    assert sysop.get("/events", {"calendars": str(cid)}).get_json()["totalResults"] == 1
    assert sysop.get("/events", {"calendars": "1"}).get_json()["totalResults"] == 0
    assert error_of(sysop.delete(f"/calendars/{cid}")) == (400, "1L364/4", "CALENDAR_NOT_EMPTY")


def test_rsvps(ic: Any) -> None:
    org, m1, m2, sysop = ic("R", "event-organizer"), ic("M1"), ic("M2"), ic("RS", "sysop")
    e = org.post("/events", event_form(rsvp="1", rsvpLimit="1")).get_json()
    path = f"/events/{e['id']}/rsvps"
    assert error_of(m1.put("/events/999/rsvps/1", {"response": "1"})) == (404, "2L296/J", "INVALID_EVENT")
    assert error_of(m1.put(f"{path}/{m2.user_id}", {"response": "1"})) == (404, "2L296/K", "INVALID_MEMBER")
    assert error_of(m1.put(f"{path}/999", {"response": "1"})) == (404, "2L296/K", "INVALID_MEMBER")
    assert error_of(m1.put(f"{path}/{m1.user_id}", {"response": "3"})) == (400, "1L296/L", "INVALID_RESPONSE")
    r = m1.put(f"{path}/{m1.user_id}", {"response": "1"})
    assert r.status_code == 200 and r.get_json() is None
    full = m2.put(f"{path}/{m2.user_id}", {"response": "1"})
    assert error_of(full) == (403, "2L296/O", "RSVP_LIMIT_REACHED")
    assert m2.put(f"{path}/{m2.user_id}", {"response": "2"}).status_code == 200
    assert sysop.put(f"{path}/{sysop.user_id}", {"response": "0"}).status_code == 200
    got = org.get(path).get_json()
    assert [m["id"] for m in got["attending"]] == [m1.user_id]
    assert [m["id"] for m in got["maybeAttending"]] == [m2.user_id]
    assert [m["id"] for m in got["notAttending"]] == [sysop.user_id]
    assert got["attending"][0]["email"] == ""  # not the caller's own, not a sysop
    # changing to not attending frees the place
    assert m1.put(f"{path}/{m1.user_id}", {"response": "0"}).status_code == 200
    assert m2.put(f"{path}/{m2.user_id}", {"response": "1"}).status_code == 200
    got = org.get(path).get_json()
    assert [m["id"] for m in got["attending"]] == [m2.user_id] and got["maybeAttending"] == []
    assert error_of(m1.delete(f"{path}/{m2.user_id}")) == (404, "2L296/K", "INVALID_MEMBER")
    assert m1.delete(f"{path}/{m1.user_id}").status_code == 200
    assert org.get(path).get_json()["notAttending"] == [
        x for x in org.get(path).get_json()["notAttending"] if x["id"] == sysop.user_id
    ]


def test_rsvp_off_and_locked(ic: Any) -> None:
    org, m = ic("RO", "event-organizer"), ic("RM")
    off = org.post("/events", event_form()).get_json()
    assert error_of(m.put(f"/events/{off['id']}/rsvps/{m.user_id}", {"response": "2"})) == (
        403, "2L296/N", "NO_PERMISSION"
    )  # fmt: skip
    locked = org.post("/events", event_form(title="L", rsvp="1", locked="1")).get_json()
    assert error_of(m.put(f"/events/{locked['id']}/rsvps/{m.user_id}", {"response": "1"})) == (
        403, "2L296/N", "NO_PERMISSION"
    )  # fmt: skip
    assert org.put(f"/events/{locked['id']}/rsvps/{org.user_id}", {"response": "1"}).status_code == 200


def test_v0_event_in_invision(ic: Any, api: Any, make_user: Any) -> None:
    from tests.conftest import registration_body

    user = make_user("V0org", "event-organizer")
    r = api(user).post("/campaignevents/v0/event_registration", registration_body("Event:From v0"))
    assert r.status_code == 201, r.get_json()
    eid = r.get_json()["id"]
    e = ic("Reader").get(f"/events/{eid}").get_json()
    assert e["title"] == "From v0" and e["calendar"]["id"] == 1 and e["rsvp"] is True
    assert e["start"] == "2030-01-01T09:00:00Z" and e["end"] == "2030-01-01T17:00:00Z"


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([("a", "1")], {"a": "1"}),
        ([("location[lat]", "1"), ("location[long]", "2")], {"location": {"lat": "1", "long": "2"}}),
        ([("l[addressLines][]", "x"), ("l[addressLines][]", "y")], {"l": {"addressLines": ["x", "y"]}}),
        ([("a[]", "1"), ("a[k]", "2")], {"a": {"0": "1", "k": "2"}}),
        ([("a[k]", "1"), ("a[]", "2")], {"a": {"k": "1", "0": "2"}}),
        ([("a[b", "1")], {"a_b": "1"}),
        ([("a[b]x[c]", "1")], {"a": {"b": "1"}}),
        ([("a b.c", "1")], {"a_b_c": "1"}),
        ([("[x]", "1")], {}),
        ([("a", "1"), ("a[b]", "2")], {"a": {"b": "2"}}),
        ([("a[b]", "2"), ("a", "1")], {"a": "1"}),
        ([("a" + "[x]" * 17, "1")], {}),
    ],
)
def test_bracket_parsing(pairs: list[tuple[str, str]], expected: dict[str, Any]) -> None:
    assert parse_pairs(pairs) == expected


def test_json_bodies_not_read_and_put_form(ic: Any) -> None:
    org = ic("J", "event-organizer")
    r = org.client.post("/api/calendar/events", json=event_form(), headers=org.headers())
    assert error_of(r) == (400, "1L296/6", "NO_CALENDAR")
