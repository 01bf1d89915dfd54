"""A hidden event everywhere: its moderators (organizers, sysops) see it in every route, including the
organizer list, the worklist and the calendar feeds; to anyone else it does not exist, and no one but
a moderator can register for it (the rule is the aggregate's: domain/moderation.py ``check_visible``)."""

from __future__ import annotations

from typing import Any

import icalendar

from tests.api.helpers import assert_empty, assert_json
from tests.conftest import registration_body

V0 = "/campaignevents/v0"
BASE = f"{V0}/event_registration"
NOT_FOUND = {
    "errorKey": "campaignevents-rest-event-not-found",
    "messageTranslations": {"en": "There is no event with this ID."},
    "httpCode": 404,
    "httpReason": "Not Found",
}


def setup(api: Any, make_user: Any) -> tuple[int, int, dict[str, Any]]:
    """Olga organizes a visible and a hidden event; Ann joined both; Sue is a sysop; Oscar an
    organizer of neither; Bob nobody."""
    people = {
        "olga": make_user("Olga", "event-organizer"),
        "sue": make_user("Sue", "sysop"),
        "ann": make_user("Ann"),
        "oscar": make_user("Oscar", "event-organizer"),
        "bob": make_user("Bob"),
    }
    olga = api(people["olga"])
    ids = []
    for page in ("Event:Shown", "Event:Hidden"):
        resp = olga.post(BASE, registration_body(page))
        assert resp.status_code == 201, resp.get_json()
        ids.append(int(resp.get_json()["id"]))
        joined = api(people["ann"]).put(f"{BASE}/{ids[-1]}/participants/self", {"is_private": False})
        assert joined.status_code == 200
    shown, hidden = ids
    assert_empty(api(people["sue"]).put(f"{BASE}/{hidden}/moderation", {"hidden": -1}))
    return shown, hidden, people


def uids(resp: Any) -> set[str]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return {str(v["UID"]) for v in icalendar.Calendar.from_ical(resp.get_data()).walk("VEVENT")}


def test_moderators_read_the_organizers_and_worklist_of_their_hidden_event(api: Any, make_user: Any) -> None:
    _shown, hidden, people = setup(api, make_user)
    for who in ("olga", "sue"):
        organizers = api(people[who]).get(f"{BASE}/{hidden}/organizers")
        assert organizers.status_code == 200, organizers.get_json()
        assert [o["user_name"] for o in organizers.get_json()] == ["Olga"]
        worklist = api(people[who]).get(f"{BASE}/{hidden}/worklist")
        assert_json(worklist, 200, {"articles": [], "total": 0})
    for other in (None, "ann", "oscar"):
        client = api(people[other] if other else None)
        assert_json(client.get(f"{BASE}/{hidden}/organizers"), 404, NOT_FOUND)
        worklist = client.get(f"{BASE}/{hidden}/worklist")
        assert (worklist.status_code, worklist.get_json()["errorKey"]) == (
            404,
            "campaignevents-rest-get-worklist-not-found",
        )


def test_only_moderators_register_for_a_hidden_event(api: Any, make_user: Any) -> None:
    _shown, hidden, people = setup(api, make_user)
    join = {"is_private": False}
    for who in ("bob", "oscar", "ann"):  # ann already joined: changing it is refused as well
        assert_json(api(people[who]).put(f"{BASE}/{hidden}/participants/self", join), 404, NOT_FOUND)
    assert api(people["sue"]).put(f"{BASE}/{hidden}/participants/self", join).status_code == 200
    assert api(people["olga"]).put(f"{BASE}/{hidden}/participants/self", join).status_code == 200
    history = [e["kind"] for e in api(people["olga"]).get(f"{BASE}/{hidden}/history").get_json()]
    assert history.count("participant-registered") == 3  # ann before it was hidden, sue, olga
    assert_empty(api(people["olga"]).put(f"{BASE}/{hidden}/moderation", {"hidden": 0}))
    assert api(people["bob"]).put(f"{BASE}/{hidden}/participants/self", join).status_code == 200


def test_feeds_leave_a_hidden_event_out_for_those_who_may_not_see_it(api: Any, make_user: Any) -> None:
    shown, hidden, people = setup(api, make_user)
    uid_shown, uid_hidden = (f"event-{e}@local.campaignevents" for e in (shown, hidden))
    olga_feed = f"{V0}/organizer/{people['olga'].user_id}/calendar.ics"
    # the event's own feed: missing for others, served to its moderators
    for other in (None, "ann", "oscar"):
        client = api(people[other] if other else None)
        assert_json(client.get(f"{BASE}/{hidden}/calendar.ics"), 404, NOT_FOUND)
        assert uids(client.get(olga_feed)) == {uid_shown}  # the organizer's feed
    for who in ("olga", "sue"):
        assert uids(api(people[who]).get(f"{BASE}/{hidden}/calendar.ics")) == {uid_hidden}
    for who in ("olga", "sue"):
        assert uids(api(people[who]).get(olga_feed)) == {uid_shown, uid_hidden}
    # the participant's secret feed (no credentials: the secret is the key; ann moderates neither)
    url = api(people["ann"]).get(f"{V0}/participant/self/calendar_url").get_json()["url"]
    secret_feed = url.removeprefix("http://campaignevents.test")
    assert uids(api().get(secret_feed)) == {uid_shown}
    # showing it changes the ETags (no 304 with the old one), and the feeds show it to everyone
    before = api().get(olga_feed)
    assert api().get(olga_feed, headers={"If-None-Match": before.headers["ETag"]}).status_code == 304
    assert_empty(api(people["sue"]).put(f"{BASE}/{hidden}/moderation", {"hidden": 0}))
    after = api().get(olga_feed, headers={"If-None-Match": before.headers["ETag"]})
    assert uids(after) == {uid_shown, uid_hidden}
    assert uids(api().get(secret_feed)) == {uid_shown, uid_hidden}
    # hiding it again takes it out of the cached body as well
    assert_empty(api(people["olga"]).put(f"{BASE}/{hidden}/moderation", {"hidden": 1}))
    again = api().get(olga_feed, headers={"If-None-Match": after.headers["ETag"]})
    assert uids(again) == {uid_shown}
