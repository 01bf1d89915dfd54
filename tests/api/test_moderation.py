"""GET|PUT …/moderation, and what the flags do through v0: a hidden event answers as a missing one
to everyone but its organizers and sysops (details, listings, participants, worklist, history,
content); a locked event takes no new participants but from moderators."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import assert_empty, assert_json
from tests.conftest import registration_body

BASE = "/campaignevents/v0/event_registration"
FLAGS = {"locked": False, "hidden": 0, "featured": False}
NOT_FOUND = {
    "errorKey": "campaignevents-rest-event-not-found",
    "messageTranslations": {"en": "There is no event with this ID."},
    "httpCode": 404,
    "httpReason": "Not Found",
}


def setup(api: Any, make_user: Any) -> tuple[int, Any, Any, Any, Any]:
    olga = make_user("Olga", "event-organizer")
    sysop = make_user("Sue", "sysop")
    ann = make_user("Ann")
    oscar = make_user("Oscar", "event-organizer")
    resp = api(olga).post(BASE, registration_body("Event:Moderated"))
    assert resp.status_code == 201
    eid: int = resp.get_json()["id"]
    assert api(ann).put(f"{BASE}/{eid}/participants/self", {"is_private": False}).status_code == 200
    return eid, olga, sysop, ann, oscar


def test_flags_read_and_set_by_moderators_only(api: Any, make_user: Any) -> None:
    eid, olga, sysop, ann, oscar = setup(api, make_user)
    assert_json(api().get(f"{BASE}/{eid}/moderation"), 200, FLAGS)
    denied = {
        "errorKey": "campaignevents-rest-moderation-permission-denied",
        "messageTranslations": {
            "en": "Only sysops and the event's organizers can lock, hide or feature this event."
        },
        "httpCode": 403,
        "httpReason": "Forbidden",
    }
    for who in (ann, oscar):
        assert_json(api(who).put(f"{BASE}/{eid}/moderation", {"featured": True}), 403, denied)
    anonymous = api().put(f"{BASE}/{eid}/moderation", {"featured": True})  # no session: CSRF first
    assert (anonymous.status_code, anonymous.get_json()["errorKey"]) == (403, "rest-badtoken")
    assert_empty(api(sysop).put(f"{BASE}/{eid}/moderation", {"featured": True}))
    assert_empty(api(olga).put(f"{BASE}/{eid}/moderation", {"locked": True}))
    assert_json(api().get(f"{BASE}/{eid}/moderation"), 200, {"locked": True, "hidden": 0, "featured": True})
    bad = api(olga).put(f"{BASE}/{eid}/moderation", {"hidden": 2})
    assert (bad.status_code, bad.get_json()["errorKey"]) == (
        400,
        "campaignevents-rest-moderation-invalid-hidden",
    )
    assert api(olga).put(f"{BASE}/{eid}/moderation", {"hidden": "1"}).status_code == 400
    assert_json(api().get(f"{BASE}/999/moderation"), 404, NOT_FOUND)
    history = api(olga).get(f"{BASE}/{eid}/history").get_json()
    assert [(e["kind"], e["user_id"]) for e in history][-2:] == [
        ("event-featured", sysop.user_id),
        ("event-locked", olga.user_id),
    ]


def test_a_hidden_event_is_missing_for_everyone_but_its_moderators(api: Any, make_user: Any) -> None:
    eid, olga, sysop, ann, oscar = setup(api, make_user)
    assert_empty(api(sysop).put(f"{BASE}/{eid}/moderation", {"hidden": -1}))
    paths = [
        f"{BASE}/{eid}",
        f"{BASE}/{eid}/content",
        f"{BASE}/{eid}/moderation",
        f"{BASE}/{eid}/participants?include_private=0",
        f"{BASE}/{eid}/history",
    ]
    for who in (None, ann, oscar):
        for path in paths:
            assert_json(api(who).get(path), 404, NOT_FOUND)
        assert api(who).get(f"{BASE}/{eid}/worklist").status_code == 404
        assert (
            api(who).get(f"/campaignevents/v0/organizer/{olga.user_id}/event_registrations").get_json() == []
        )
        assert (
            api(who).get(f"/campaignevents/v0/participant/{ann.user_id}/event_registrations").get_json() == []
        )
    for who in (olga, sysop):
        for path in paths:
            assert api(who).get(path).status_code == 200, (path, api(who).get(path).get_json())
        listed = api(who).get(f"/campaignevents/v0/organizer/{olga.user_id}/event_registrations").get_json()
        assert listed == [{"event_id": eid, "event_name": "Moderated"}]
    # shown again: visible to all
    assert_empty(api(olga).put(f"{BASE}/{eid}/moderation", {"hidden": 0}))
    for path in paths[:4]:
        assert api(ann).get(path).status_code == 200, path


def test_pending_approval_hides_too(api: Any, make_user: Any) -> None:
    eid, olga, _sysop, ann, _oscar = setup(api, make_user)
    assert_empty(api(olga).put(f"{BASE}/{eid}/moderation", {"hidden": 1}))
    assert_json(api(ann).get(f"{BASE}/{eid}"), 404, NOT_FOUND)
    assert api(olga).get(f"{BASE}/{eid}").status_code == 200


def test_a_locked_event_takes_no_new_participants_but_from_moderators(api: Any, make_user: Any) -> None:
    eid, olga, sysop, _ann, _oscar = setup(api, make_user)
    bob = make_user("Bob")
    assert_empty(api(olga).put(f"{BASE}/{eid}/moderation", {"locked": True}))
    assert_json(
        api(bob).put(f"{BASE}/{eid}/participants/self", {"is_private": False}),
        400,
        {
            "errorKey": "campaignevents-register-event-locked",
            "messageTranslations": {"en": "This event is locked: it takes no new participants."},
            "httpCode": 400,
            "httpReason": "Bad Request",
        },
    )
    assert api(sysop).put(f"{BASE}/{eid}/participants/self", {"is_private": False}).status_code == 200
    assert_empty(api(olga).put(f"{BASE}/{eid}/moderation", {"locked": False}))
    assert api(bob).put(f"{BASE}/{eid}/participants/self", {"is_private": False}).status_code == 200
