"""GET|PUT /campaignevents/v0/event_registration/{id}/content and GET /calendars[/{id}]: the
sanitized description and its text, tags, prefix, location/venue, calendar moves; errors and
statuses in v0's envelope; and the content read model rebuilt from the log equals the live one."""

from __future__ import annotations

from typing import Any

from domain import commands
from projections.replay import verify
from projections.schema import define_content
from tests.api.helpers import assert_empty, assert_json, error
from tests.conftest import registration_body

BASE = "/campaignevents/v0/event_registration"
EMPTY = {
    "description_html": "",
    "description_text": "",
    "tags": [],
    "prefix": None,
    "location": None,
    "venue": None,
    "calendar_id": 1,
}


def create(api: Any, who: Any, page: str = "Event:Rich") -> int:
    resp = api(who).post(BASE, registration_body(page))
    assert resp.status_code == 201, resp.get_json()
    event_id: int = resp.get_json()["id"]
    return event_id


def test_a_new_event_has_empty_content_in_the_default_calendar(api: Any, make_user: Any) -> None:
    olga = make_user("Olga", "event-organizer")
    eid = create(api, olga)
    assert_json(api().get(f"{BASE}/{eid}/content"), 200, EMPTY)
    assert_json(
        api().get("/campaignevents/v0/calendars"),
        200,
        [{"id": 1, "title": "Events", "colour": "#3366cc", "approve_events": False}],
    )


def test_organizers_set_content_sanitized_and_everyone_reads_it(api: Any, make_user: Any) -> None:
    olga = make_user("Olga", "event-organizer")
    eid = create(api, olga)
    body = {
        "description_html": '<p onclick="x()">Hello <script>evil()</script><a href="javascript:x">w</a></p>'
        "<ul><li>one</li></ul>",
        "tags": [" Social ", "social", "Wiki"],
        "prefix": " Meetup ",
        "location": {"latitude": 45.5, "longitude": -73.6, "city": "Montréal", "country": "ca"},
    }
    assert_empty(api(olga).put(f"{BASE}/{eid}/content", body))
    expected = {
        "description_html": '<p>Hello <a rel="noopener noreferrer">w</a></p><ul><li>one</li></ul>',
        "description_text": "Hello w\none",
        "tags": ["Social", "Wiki"],
        "prefix": "Meetup",
        "location": {
            "latitude": 45.5,
            "longitude": -73.6,
            "address_lines": [],
            "city": "Montréal",
            "region": None,
            "country": "CA",
            "postal_code": None,
        },
        "venue": None,
        "calendar_id": 1,
    }
    assert_json(api().get(f"{BASE}/{eid}/content"), 200, expected)
    # keys left out stay; a venue replaces the location; null clears the place
    assert_empty(api(olga).put(f"{BASE}/{eid}/content", {"venue": {"title": "Hall"}, "location": None}))
    got = api().get(f"{BASE}/{eid}/content").get_json()
    assert (got["venue"], got["location"], got["tags"]) == (
        {"title": "Hall", "description": None, "address": None},
        None,
        ["Social", "Wiki"],
    )
    assert_empty(api(olga).put(f"{BASE}/{eid}/content", {"venue": None}))
    assert api().get(f"{BASE}/{eid}/content").get_json()["venue"] is None


def test_content_errors_and_statuses(api: Any, make_user: Any) -> None:
    olga, other = make_user("Olga", "event-organizer"), make_user("Oscar", "event-organizer")
    eid = create(api, olga)
    denied = error(
        "campaignevents-rest-content-permission-denied",
        "You are not allowed to change the content of this event.",
        403,
    )
    assert_json(api(other).put(f"{BASE}/{eid}/content", {"tags": ["x"]}), 403, denied)
    assert api().put(f"{BASE}/{eid}/content", {"tags": ["x"]}).get_json()["errorKey"] == "rest-badtoken"
    cases = [
        ({"tags": ["a,b"]}, "campaignevents-rest-content-invalid-tag", 'Invalid tag "a,b": a tag has 1 to 50 printable characters and no comma.'),  # noqa: E501
        ({"tags": [f"t{n}" for n in range(21)]}, "campaignevents-rest-content-too-many-tags", "An event has at most 20 tags."),  # noqa: E501
        ({"prefix": "x" * 51}, "campaignevents-rest-content-invalid-prefix", "A prefix has 1 to 50 printable characters and no comma."),  # noqa: E501
        ({"location": {"latitude": 91, "longitude": 0}}, "campaignevents-rest-content-invalid-location", "The location is invalid (latitude)."),  # noqa: E501
        ({"location": {"city": "X"}, "venue": {"title": "Y"}}, "campaignevents-rest-content-location-and-venue", "An event has a location or a venue, not both."),  # noqa: E501
        ({"venue": {"description": "no title"}}, "campaignevents-rest-content-invalid-venue", "The venue is invalid (title)."),  # noqa: E501
        ({"description_html": "x" * 65_537}, "campaignevents-rest-content-description-too-long", "The description is longer than 65536 characters."),  # noqa: E501
        ({"calendar_id": 99}, "campaignevents-rest-calendar-unknown", "There is no calendar with this ID."),
    ]  # fmt: skip
    for body, key, message in cases:
        assert_json(api(olga).put(f"{BASE}/{eid}/content", body), 400, error(key, message, 400))
    assert api(olga).put(f"{BASE}/{eid}/content", {"tags": "x"}).status_code == 400  # not an array
    assert (
        api(olga).put(f"{BASE}/{eid}/content", {"other": 1}).get_json()["errorKey"]
        == "rest-extraneous-body-fields"
    )
    missing = error(
        "campaignevents-rest-event-not-found",
        "There is no event with this ID.",
        404,
    )
    assert_json(api().get(f"{BASE}/999/content"), 404, missing)
    assert api(olga).put(f"{BASE}/999/content", {"tags": []}).status_code == 404
    assert api(olga).delete(f"{BASE}/{eid}").status_code == 204
    assert (
        api().get(f"{BASE}/{eid}/content").get_json()["errorKey"]
        == "campaignevents-rest-get-registration-deleted"
    )
    assert api(olga).put(f"{BASE}/{eid}/content", {"tags": []}).get_json()["errorKey"] == (
        "campaignevents-edit-registration-deleted"
    )


def test_calendars_and_moving_an_event(api: Any, make_user: Any, services: Any) -> None:
    olga = make_user("Olga", "event-organizer")
    eid = create(api, olga)
    app = services.app
    made = app.create_calendar(commands.CreateCalendar(None, "Meet-ups", "#AA0000", approve_events=True))
    services.written(made.position)
    assert made.event_id == 2  # the default took 1, recorded first in the same save
    assert_json(
        api().get("/campaignevents/v0/calendars"),
        200,
        [
            {"id": 1, "title": "Events", "colour": "#3366cc", "approve_events": False},
            {"id": 2, "title": "Meet-ups", "colour": "#aa0000", "approve_events": True},
        ],
    )
    assert_json(
        api().get("/campaignevents/v0/calendars/2"),
        200,
        {"id": 2, "title": "Meet-ups", "colour": "#aa0000", "approve_events": True},
    )
    assert_json(
        api().get("/campaignevents/v0/calendars/7"),
        404,
        error("campaignevents-rest-calendar-not-found", "There is no calendar with this ID.", 404),
    )
    assert api().get("/campaignevents/v0/calendars/x").status_code == 400
    assert_empty(api(olga).put(f"{BASE}/{eid}/content", {"calendar_id": 2}))
    assert api(olga).get(f"{BASE}/{eid}/content").get_json()["calendar_id"] == 2
    # an approval calendar holds an organizer's event for approval: hidden to others
    assert api(olga).get(f"{BASE}/{eid}/moderation").get_json()["hidden"] == 1
    assert api().get(f"{BASE}/{eid}/content").status_code == 404
    history = api(olga).get(f"{BASE}/{eid}/history").get_json()
    assert [e["kind"] for e in history][-2:] == ["calendar-moved", "event-hidden"]
    assert {k: history[-2][k] for k in ("calendar_id", "previous_calendar_id", "user_id")} == {
        "calendar_id": 2,
        "previous_calendar_id": 1,
        "user_id": olga.user_id,
    }


def test_replay_of_the_content_model_equals_the_live_one(api: Any, make_user: Any, services: Any) -> None:
    olga = make_user("Olga", "event-organizer")
    sysop = make_user("Sue", "sysop")
    services.app.create_calendar(commands.CreateCalendar(None, "Second", "#000000"))
    for n in range(3):
        eid = create(api, olga, f"Event:Replay {n}")
        body = {"description_html": f"<p>n{n}</p>", "tags": [f"t{n}", "all"], "venue": {"title": f"V{n}"}}
        assert_empty(api(olga).put(f"{BASE}/{eid}/content", body))
        assert_empty(api(sysop).put(f"{BASE}/{eid}/moderation", {"featured": n % 2 == 0, "locked": True}))
    assert_empty(api(olga).put(f"{BASE}/1/content", {"calendar_id": 2, "tags": ["only"]}))
    services.projector.catch_up()
    assert verify(services.projector, progress=False) == []  # every model rebuilt aside, compared
    live = define_content()
    tags = _dump(services, live)["rm_event_tags"]
    assert ("1", "only") in {(str(r[0]), r[2]) for r in tags}


def _dump(services: Any, tables: Any) -> dict[str, list[tuple[Any, ...]]]:
    from sqlalchemy import select

    out = {}
    with services.store.engine.connect() as conn:
        for table, name in zip(
            tables.models(), ("rm_event_content", "rm_event_tags", "rm_calendars"), strict=True
        ):
            out[name] = sorted(tuple(r) for r in conn.execute(select(table)))
    return out
