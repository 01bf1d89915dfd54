"""Wild Apricot over places: the waitlist and its promotion (OnWaitlist, Status), RegisterFromWaitlist,
and the check-in window through CheckInEventAttendee and IsCheckedIn."""

from __future__ import annotations

from typing import Any

from tests.api.wildapricot.conftest import BASE, Wa, event_body, token_for

WINDOW = "campaignevents-rest-check-in-outside-window"


def settle(services: Any) -> None:
    """Let jobs and the projector finish (decisions recorded, their facts projected)."""
    for _ in range(3):
        assert services.queue.wait_idle()
        head = services.app.recorder.max_notification_id() or 0
        for name in ("catalog", "places", "dispatcher"):
            assert services.store.wait_for(head, name)


def registration(who: Any, event_id: int, **kw: Any) -> dict[str, Any]:
    body = {"Event": {"Id": event_id}, "Contact": {"Id": who.user.user_id}, "RegistrationTypeId": event_id}
    resp = who.post(BASE + "/EventRegistrations", {**body, **kw})
    assert resp.status_code == 200, resp.get_json()
    found: dict[str, Any] = resp.get_json()
    return found


def states(who: Any, event_id: int) -> list[tuple[int, bool, str]]:
    listed = who.get(BASE + f"/EventRegistrations?eventId={event_id}").get_json()
    return [(r["Contact"]["Id"], r["OnWaitlist"], r["Status"]) for r in listed]


def test_waitlist_then_promotion(wa: Any, services: Any) -> None:
    boss, ann, bob = wa("Boss", "event-organizer"), wa("Ann"), wa("Bob")
    eid = boss.post(BASE + "/Events", event_body("Tiny", RegistrationsLimit=1)).get_json()
    first = registration(ann, eid, ShowToPublic=True)
    assert (first["OnWaitlist"], first["Status"]) == (False, "Free")
    second = registration(bob, eid, ShowToPublic=True)
    assert (second["OnWaitlist"], second["Status"]) == (True, "OnWaitlist")
    settle(services)
    assert states(bob, eid) == [(ann.user.user_id, False, "Free"), (bob.user.user_id, True, "OnWaitlist")]
    # the confirmed registrant cancels: the waitlisted one is promoted, visible as such through WA
    assert ann.delete(BASE + f"/EventRegistrations/{first['Id']}").status_code == 200
    settle(services)
    assert states(bob, eid) == [(bob.user.user_id, False, "Free")]
    assert states(boss, eid) == [(bob.user.user_id, False, "Free")]
    event = boss.get(BASE + f"/Events/{eid}").get_json()
    assert (event["ConfirmedRegistrationsCount"], event["PendingRegistrationsCount"]) == (1, 0)


def test_register_from_waitlist(wa: Any, api: Any, services: Any) -> None:
    """A pending registration (approval required, set through v0) is approved by RegisterFromWaitlist;
    a waitlisted one moves by itself (400, the reason); only organizers decide (403)."""
    boss, ann, bob = wa("Boss", "event-organizer"), wa("Ann"), wa("Bob")
    eid = boss.post(BASE + "/Events", event_body("Approved", RegistrationsLimit=1)).get_json()
    v0 = api(boss.user).put(
        f"/campaignevents/v0/event_registration/{eid}/places",
        {"participant_limit": 1, "waitlist": True, "requires_approval": True},
    )
    assert v0.status_code == 200, v0.get_json()
    pending = registration(ann, eid, ShowToPublic=True)
    assert (pending["OnWaitlist"], pending["Status"]) == (False, "Undefined")
    rpc = {"WaitlistRegistrationId": pending["Id"], "EventId": eid, "GenerateInvoice": False}
    assert ann.post("/v2/rpc/1/RegisterFromWaitlist", rpc).status_code == 403
    approved = boss.post("/v2/rpc/1/RegisterFromWaitlist", rpc)
    assert approved.status_code == 200, approved.get_json()
    assert (approved.get_json()["OnWaitlist"], approved.get_json()["Status"]) == (False, "Free")
    settle(services)
    waiting = registration(bob, eid, ShowToPublic=True)  # awaits approval, then the waitlist
    boss.post("/v2/rpc/1/RegisterFromWaitlist", {**rpc, "WaitlistRegistrationId": waiting["Id"]})
    settle(services)
    assert states(bob, eid) == [(ann.user.user_id, False, "Free"), (bob.user.user_id, True, "OnWaitlist")]
    again = boss.post("/v2/rpc/1/RegisterFromWaitlist", {**rpc, "WaitlistRegistrationId": waiting["Id"]})
    assert again.status_code == 400
    assert "moves by itself" in again.get_json()["message"]
    missing = boss.post("/v2/rpc/1/RegisterFromWaitlist", {"EventId": eid})
    assert missing.status_code == 400


def test_check_in_within_the_window(wa: Any, flask_app: Any, services: Any, clock: Any) -> None:
    """Check-in opens at the event's start: refused before (400), then through the RPC and PUT's
    IsCheckedIn, counted in CheckedInAttendeesNumber; undone the same ways."""
    boss, ann, bob = wa("Boss", "event-organizer"), wa("Ann"), wa("Bob")
    body = event_body(
        "Soon",
        StartDate="2026-11-23T09:00:00+00:00",
        EndDate="2026-11-23T17:00:00+00:00",
        RegistrationsLimit=5,
    )
    eid = boss.post(BASE + "/Events", body).get_json()
    first, second = registration(ann, eid, ShowToPublic=True), registration(bob, eid)
    early = boss.post("/v2/rpc/1/CheckInEventAttendee", {"RegistrationId": first["Id"], "CheckedIn": True})
    assert early.status_code == 400
    assert early.get_json()["code"] == "Validation"
    assert early.get_json()["details"][0]["key"] == WINDOW
    clock.advance(days=1)  # 2026-11-23T12:00Z: the event has started
    boss = Wa(boss.client, token_for(flask_app, boss.user.token)["access_token"], boss.user)
    checked = boss.post("/v2/rpc/1/CheckInEventAttendee", {"RegistrationId": first["Id"], "CheckedIn": True})
    assert checked.status_code == 200, checked.get_json()
    assert checked.get_json()["IsCheckedIn"] is True
    put = boss.put(BASE + f"/EventRegistrations/{second['Id']}", {"Id": second["Id"], "IsCheckedIn": True})
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["IsCheckedIn"] is True
    settle(services)
    event = boss.get(BASE + f"/Events/{eid}").get_json()
    assert (event["CheckedInAttendeesNumber"], event["ConfirmedRegistrationsCount"]) == (2, 2)
    listed = boss.get(BASE + f"/EventRegistrations?eventId={eid}").get_json()
    assert [r["IsCheckedIn"] for r in listed] == [True, True]
    undo = boss.put(BASE + f"/EventRegistrations/{second['Id']}", {"Id": second["Id"], "IsCheckedIn": False})
    assert undo.get_json()["IsCheckedIn"] is False
    settle(services)
    assert boss.get(BASE + f"/Events/{eid}").get_json()["CheckedInAttendeesNumber"] == 1
    clock.advance(days=9)  # more than 7 days after the end: closed again
    boss = Wa(boss.client, token_for(flask_app, boss.user.token)["access_token"], boss.user)
    late = boss.post("/v2/rpc/1/CheckInEventAttendee", {"RegistrationId": second["Id"], "CheckedIn": True})
    assert (late.status_code, late.get_json()["details"][0]["key"]) == (400, WINDOW)


def test_a_personal_token_is_no_bearer_token(flask_app: Any, make_user: Any) -> None:
    """The personal API token is the API key of client_credentials (as Wild Apricot's clients always
    fetch a token first); sent itself as a bearer token it is refused (401), so only expiring,
    revocable access tokens reach the API."""
    user = make_user("Ann")
    client = flask_app.test_client()
    refused = client.get(BASE + "/Events", headers={"Authorization": f"Bearer {user.token}"})
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    granted = token_for(flask_app, user.token)["access_token"]
    assert client.get(BASE + "/Events", headers={"Authorization": f"Bearer {granted}"}).status_code == 200
