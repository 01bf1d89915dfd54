"""Every event route of §2.2 with its statuses, bodies and texts: voting rules, the
administration's years and lists, create/update/delete with the id rules, votes for others,
groups and subgroups on events, standard decisions and locations, validation (422) and permissions
(403)."""

from __future__ import annotations

from typing import Any

from tests.api.datepoll.conftest import BASE, date, event_body, join, make_group, make_subgroup

ADMIN = f"{BASE}/administration"
DENIED = {
    "msg": "Permission denied",
    "error_code": "permissions_denied",
    "needed_permissions": ["root.administration", "events.*"],
}


def _made(admin: Any, **overrides: Any) -> dict[str, Any]:
    resp = admin.post(f"{ADMIN}/avent", event_body(**overrides))
    assert resp.status_code == 201, resp.get_json()
    event: dict[str, Any] = resp.get_json()["event"]
    return event


def test_vote_rules_in_order(dp: Any, services: Any) -> None:
    admin, member = dp("Boss", "event-organizer"), dp("Member")
    event = _made(admin)
    eid, ja = event["id"], event["decisions"][0]["id"]
    other = _made(admin, name="Other")["decisions"][0]["id"]
    no_event = {"msg": "Event not found", "error_code": "event_not_found"}
    no_decision = {"msg": "Decision for this event not found", "error_code": "decision_not_found_for_event"}
    cases = [
        ({"event_id": 999, "decision_id": ja}, 404, no_event),
        ({"event_id": eid, "decision_id": other}, 404, no_decision),
        ({"event_id": str(eid), "decision_id": ja}, 404, no_decision),
        ({"event_id": eid}, 422, {"decision_id": ["The decision id field is required."]}),
        ({"event_id": "x", "decision_id": ja}, 422, {"event_id": ["The event id must be an integer."]}),
        ({"event_id": eid, "decision_id": ja, "additional_information": "n" * 129}, 422,
         {"additional_information": ["The additional information may not be greater than 128 characters."]}),
    ]  # fmt: skip
    for body, status, answer in cases:
        resp = member.post(f"{BASE}/vote", body)
        assert (resp.status_code, resp.get_json()) == (status, answer), body
    saved = member.post(
        f"{BASE}/vote", {"event_id": eid, "decision_id": ja, "additional_information": "gern"}
    )
    assert saved.status_code == 200
    assert saved.get_json()["msg"] == "Voting saved"
    assert saved.get_json()["user_decision"]["id"] == ja
    assert saved.get_json()["user_decision"]["additional_information"] == "gern"
    again = member.post(f"{BASE}/vote", {"event_id": eid, "decision_id": ja})
    assert (again.status_code, again.get_json()) == (
        400,
        {"msg": "User already voted for event", "error_code": "already_voted"},
    )
    removed = member.delete(f"{BASE}/vote/{eid}")
    assert (removed.status_code, removed.get_json()) == (
        200,
        {"msg": "Decision for event removed successfully"},
    )
    none = member.delete(f"{BASE}/vote/{eid}")
    assert (none.status_code, none.get_json()) == (
        404,
        {"msg": "There is no voting for this event to remove", "error_code": "not_voted"},
    )
    assert member.delete(f"{BASE}/vote/999").get_json() == {
        "msg": "Event not found",
        "error_code": "event_not_found",
    }


def test_not_allowed_for_closed_or_invisible_events(dp: Any, services: Any, clock: Any) -> None:
    admin, member = dp("Boss", "event-organizer"), dp("Member")
    group = make_group(services, "Band")
    private = _made(admin, forEveryone=False)
    assert (
        admin.post(f"{ADMIN}/addGroupToEvent", {"event_id": private["id"], "group_id": group}).status_code
        == 200
    )
    not_allowed = {"msg": "You are not allowed to vote for this event", "error_code": "not_allowed"}
    resp = member.post(
        f"{BASE}/vote", {"event_id": private["id"], "decision_id": private["decisions"][0]["id"]}
    )
    assert (resp.status_code, resp.get_json()) == (400, not_allowed)
    assert [e["id"] for e in member.get(BASE).get_json()["events"]] == []
    join(services, member.user.user_id, group)
    assert [e["id"] for e in member.get(BASE).get_json()["events"]] == [private["id"]]
    # the single event is shown to any authenticated user, anonymously without events.details
    one = member.get(f"{BASE}/{private['id']}")
    assert one.status_code == 200 and one.get_json()["event"]["resultGroups"]["anonymous"] is True
    clock.advance(days=365 * 5)  # every date past: closed
    member.token = member.user.token  # the JWT expired meanwhile: the personal API token
    resp = member.post(
        f"{BASE}/vote", {"event_id": private["id"], "decision_id": private["decisions"][0]["id"]}
    )
    assert (resp.status_code, resp.get_json()) == (400, not_allowed)
    assert member.get(BASE).get_json()["events"] == []


def test_single_event_not_found(dp: Any) -> None:
    member = dp("Member")
    for path in (f"{BASE}/999", f"{BASE}/abc", f"{BASE}/0"):
        resp = member.get(path)
        assert (resp.status_code, resp.get_json()) == (404, {"msg": "Event not found"})


def test_administration_needs_permission(dp: Any) -> None:
    member = dp("Member")
    for method, path in [
        ("GET", f"{ADMIN}/avent/years"),
        ("GET", f"{ADMIN}/avent/null"),
        ("POST", f"{ADMIN}/avent"),
        ("PUT", f"{ADMIN}/avent/1"),
        ("DELETE", f"{ADMIN}/avent/1"),
        ("POST", f"{ADMIN}/avent/1/voteForUsers"),
        ("POST", f"{ADMIN}/avent/1/cancelVotingForUsers"),
        ("POST", f"{ADMIN}/addGroupToEvent"),
        ("POST", f"{ADMIN}/removeSubgroupFromEvent"),
        ("GET", f"{ADMIN}/group/joined/1"),
        ("GET", f"{ADMIN}/subgroup/free/1"),
        ("GET", f"{ADMIN}/standardDecision"),
        ("POST", f"{ADMIN}/standardLocation"),
        ("DELETE", f"{ADMIN}/standardDecision/1"),
    ]:
        resp = member.call(method, path, {})
        assert (resp.status_code, resp.get_json()) == (403, DENIED), path


def test_sysop_and_group_permissions_administer(dp: Any, services: Any) -> None:
    sysop = dp("Root", "sysop")
    assert sysop.get(f"{ADMIN}/avent/years").status_code == 200
    member = dp("Member")
    group = make_group(services, "Vorstand", permissions=("events.*",))
    join(services, member.user.user_id, group)
    assert member.get(f"{ADMIN}/avent/years").status_code == 200
    outsider = dp("Outsider")  # a member of a subgroup of "Vorstand" only through it: subgroups grant none
    other = make_group(services, "Plain", permissions=())
    join(services, outsider.user.user_id, other)
    assert outsider.get(f"{ADMIN}/avent/years").status_code == 403


def test_years_and_lists(dp: Any, clock: Any) -> None:
    admin = dp("Boss", "event-organizer")
    years = admin.get(f"{ADMIN}/avent/years")
    assert years.get_json() == {"msg": "List of all years", "years": [2026]}  # the current year always
    a = _made(admin, name="A", dates=[date("2030-05-01 10:00:00")])
    b = _made(admin, name="B", dates=[date("2028-05-01 10:00:00")])
    assert admin.get(f"{ADMIN}/avent/years").get_json()["years"] == [2030, 2028, 2026]
    by_year = admin.get(f"{ADMIN}/avent/2030").get_json()
    assert by_year["msg"] == "List of App\\Http\\Controllers\\EventControllers\\EventController"
    assert by_year["year"] == 2030 and [e["id"] for e in by_year["data"]] == [a["id"]]
    every = admin.get(f"{ADMIN}/avent/null").get_json()
    assert every["year"] == "all" and [e["id"] for e in every["data"]] == [b["id"], a["id"]]
    assert admin.get(f"{ADMIN}/avent/0").get_json()["data"] == []
    assert every["data"][0]["for_everyone"] == 1


def test_create_validation(dp: Any) -> None:
    admin = dp("Boss", "event-organizer")
    resp = admin.post(f"{ADMIN}/avent", {})
    assert resp.status_code == 422
    assert resp.get_json() == {
        "name": ["The name field is required."],
        "forEveryone": ["The for everyone field is required."],
        "decisions": ["The decisions field is required."],
        "dates": ["The dates field is required."],
    }
    bad = event_body(
        name="n" * 191,
        forEveryone="yes",
        decisions=[{"decision": "", "color": "#1234567", "show_in_calendar": 2}],
        dates=[{"date": "not a date", "x": "north", "location": "l" * 191}],
    )
    resp = admin.post(f"{ADMIN}/avent", bad)
    assert resp.status_code == 422
    assert resp.get_json() == {
        "name": ["The name may not be greater than 190 characters."],
        "forEveryone": ["The for everyone field must be true or false."],
        "decisions.0.decision": ["The decisions.0.decision field is required."],
        "decisions.0.show_in_calendar": ["The decisions.0.show in calendar field must be true or false."],
        "decisions.0.color": ["The decisions.0.color may not be greater than 7 characters."],
        "dates.0.x": ["The dates.0.x must be a number."],
        "dates.0.date": ["The dates.0.date is not a valid date."],
        "dates.0.location": ["The dates.0.location may not be greater than 190 characters."],
    }
    assert admin.post(f"{ADMIN}/avent", "not an object").status_code == 422


def test_create_echoes_booleans_and_update_keeps_ids(dp: Any) -> None:
    admin, member = dp("Boss", "event-organizer"), dp("Member")
    event = _made(admin, description="Bring <b>instruments</b> & chairs")
    assert event["for_everyone"] is True
    assert [d["show_in_calendar"] for d in event["decisions"]] == [True, False, True]
    assert event["description"] == "Bring <b>instruments</b> & chairs"
    eid = event["id"]
    ja, nein, vielleicht = (d["id"] for d in event["decisions"])
    assert member.post(f"{BASE}/vote", {"event_id": eid, "decision_id": nein}).status_code == 200
    first, second, _ = (d["id"] for d in event["dates"])
    body = event_body(
        name="Macklemore Konzert II",
        forEveryone=False,
        decisions=[
            {"id": ja, "decision": "Yes", "show_in_calendar": 1, "color": "#00ff00"},
            {"id": -1, "decision": "Later", "show_in_calendar": 0, "color": "#0000ff"},
        ],
        dates=[
            {**date("2031-01-01 10:00:00"), "id": first},  # known: left unchanged
            {**date("2031-02-02 20:00:00", "Hall"), "id": -1},  # new
        ],
    )
    resp = admin.put(f"{ADMIN}/avent/{eid}", body)
    assert resp.status_code == 200, resp.get_json()
    updated = resp.get_json()
    assert updated["msg"] == "Successful updated event"
    shown = updated["event"]
    assert shown["name"] == "Macklemore Konzert II" and shown["for_everyone"] is False
    assert (shown["decisions"][0]["id"], shown["decisions"][0]["decision"]) == (ja, "Yes")
    assert nein not in {d["id"] for d in shown["decisions"]} and vielleicht not in {
        d["id"] for d in shown["decisions"]
    }
    assert [d["date"] for d in shown["dates"]] == ["2030-01-30 15:00:00", "2031-02-02 20:00:00"]
    assert shown["dates"][0]["id"] == first and second not in {d["id"] for d in shown["dates"]}
    # the removed decision took its vote with it
    result = admin.get(f"{BASE}/{eid}").get_json()["event"]
    assert result["already_voted"] is False
    assert all(u["decisionId"] is None for u in result["resultGroups"]["allUsers"])
    no_ids = event_body()
    no_ids["decisions"] = [{k: v for k, v in d.items() if k != "id"} for d in no_ids["decisions"]]
    missing_ids = admin.put(f"{ADMIN}/avent/{eid}", no_ids)
    assert missing_ids.status_code == 422
    assert missing_ids.get_json() == {
        "decisions.0.id": ["The decisions.0.id field is required."],
        "decisions.1.id": ["The decisions.1.id field is required."],
        "decisions.2.id": ["The decisions.2.id field is required."],
    }
    assert admin.put(f"{ADMIN}/avent/999", body).get_json() == {"msg": "Event not found"}


def test_delete(dp: Any) -> None:
    admin = dp("Boss", "event-organizer")
    eid = _made(admin)["id"]
    resp = admin.delete(f"{ADMIN}/avent/{eid}")
    assert (resp.status_code, resp.get_json()) == (200, {"msg": "Successfully deleted event"})
    assert admin.get(f"{BASE}/{eid}").status_code == 404
    assert admin.delete(f"{ADMIN}/avent/{eid}").get_json() == {"msg": "Event not found"}


def test_votes_for_users(dp: Any) -> None:
    admin, a, b = dp("Boss", "event-organizer"), dp("Anna"), dp("Bert")
    event = _made(admin)
    eid, ja = event["id"], event["decisions"][0]["id"]
    users = [a.user.user_id, b.user.user_id]
    path = f"{ADMIN}/avent/{eid}/voteForUsers"
    assert admin.post(path, {"decision_id": 999, "user_ids": users}).get_json() == {
        "msg": "Decision not found for this event"
    }
    assert admin.post(path, {"decision_id": ja, "user_ids": [999]}).get_json() == {
        "msg": "User not found",
        "user_id": 999,
    }
    assert admin.post(path, {"user_ids": users}).status_code == 422
    done = admin.post(path, {"decision_id": ja, "user_ids": users, "additional_information": "by phone"})
    assert (done.status_code, done.get_json()) == (200, {"msg": "Successfully applied all votes"})
    assert a.get(BASE).get_json()["events"][0]["user_decision"]["additional_information"] == "by phone"
    again = admin.post(path, {"decision_id": event["decisions"][1]["id"], "user_ids": users[:1]})
    assert again.status_code == 200  # replaces the vote
    assert a.get(BASE).get_json()["events"][0]["user_decision"]["decision"] == "Nein"
    cancel = admin.post(f"{ADMIN}/avent/{eid}/cancelVotingForUsers", {"user_ids": users})
    assert (cancel.status_code, cancel.get_json()) == (
        200,
        {"msg": "Decisions for event removed successfully"},
    )
    assert b.get(BASE).get_json()["events"][0]["already_voted"] is False
    assert (
        admin.post(f"{ADMIN}/avent/999/voteForUsers", {"decision_id": ja, "user_ids": users}).status_code
        == 404
    )


def test_groups_on_events(dp: Any, services: Any) -> None:
    admin = dp("Boss", "event-organizer")
    eid = _made(admin, forEveryone=False)["id"]
    g1, g2 = make_group(services, "Band", 1), make_group(services, "Chor", 2)
    s1 = make_subgroup(services, g2, "Sopran")
    add = f"{ADMIN}/addGroupToEvent"
    assert (admin.post(add, {"event_id": eid, "group_id": g1}).status_code) == 200
    resp = admin.post(add, {"event_id": eid, "group_id": g1})
    assert (resp.status_code, resp.get_json()) == (201, {"msg": "Group is already added to event"})
    assert admin.post(add, {"event_id": eid, "group_id": 999}).get_json() == {"msg": "Group not found"}
    assert admin.post(add, {"event_id": 999, "group_id": g1}).get_json() == {"msg": "Event not found"}
    assert admin.post(add, {"event_id": eid}).get_json() == {"group_id": ["The group id field is required."]}
    sub = f"{ADMIN}/addSubgroupToEvent"
    resp = admin.post(sub, {"event_id": eid, "subgroup_id": s1})
    assert (resp.status_code, resp.get_json()) == (200, {"msg": "Successfully added subgroup to event"})
    resp = admin.post(sub, {"event_id": eid, "subgroup_id": s1})
    assert (resp.status_code, resp.get_json()) == (201, {"msg": "Subgroup is already added to event"})
    assert admin.post(sub, {"event_id": eid, "subgroup_id": 999}).get_json() == {"msg": "Subgroup not found"}
    joined = admin.get(f"{ADMIN}/group/joined/{eid}").get_json()
    assert joined["msg"] == "List of joined groups" and [g["id"] for g in joined["groups"]] == [g1]
    free = admin.get(f"{ADMIN}/group/free/{eid}").get_json()
    assert free["msg"] == "List of free groups" and [(g["id"], g["name"]) for g in free["groups"]] == [
        (g2, "Chor")
    ]
    js = admin.get(f"{ADMIN}/subgroup/joined/{eid}").get_json()
    assert js["msg"] == "List of joined subgroups"
    assert js["subgroups"] == [
        {"id": s1, "name": "Sopran", "description": "", "orderN": 0, "group_id": g2, "group_name": "Chor"}
    ]
    fs = admin.get(f"{ADMIN}/subgroup/free/{eid}").get_json()
    assert fs == {"msg": "List of free subgroups", "subgroups": []}
    # the unknown pseudo-group holds the subgroup whose group is not attached
    groups = admin.get(f"{BASE}/{eid}").get_json()["event"]["resultGroups"]["groups"]
    assert [(g["id"], g["name"]) for g in groups] == [(g1, "Band"), (-1, "unknown")]
    assert [s["id"] for s in groups[1]["subgroups"]] == [s1] and "chart" not in groups[1]
    remove, remove_sub = f"{ADMIN}/removeGroupFromEvent", f"{ADMIN}/removeSubgroupFromEvent"
    resp = admin.post(remove, {"event_id": eid, "group_id": g1})
    assert (resp.status_code, resp.get_json()) == (200, {"msg": "Successfully remove group from event"})
    resp = admin.post(remove, {"event_id": eid, "group_id": g1})
    assert (resp.status_code, resp.get_json()) == (201, {"msg": "Group is not added to event"})
    resp = admin.post(remove_sub, {"event_id": eid, "subgroup_id": s1})
    assert (resp.status_code, resp.get_json()) == (200, {"msg": "Successfully remove subgroup from event"})
    resp = admin.post(remove_sub, {"event_id": eid, "subgroup_id": s1})
    assert (resp.status_code, resp.get_json()) == (201, {"msg": "Subgroup is not added to event"})
    assert admin.get(f"{ADMIN}/group/joined/999").get_json() == {"msg": "Event not found"}


def test_standard_decisions_and_locations(dp: Any) -> None:
    admin = dp("Boss", "event-organizer")
    sd = f"{ADMIN}/standardDecision"
    assert admin.get(sd).get_json() == {"msg": "List of all standard decisions", "standardDecisions": []}
    made = admin.post(sd, {"decision": "Ja", "show_in_calendar": True, "color": "#008b02"})
    assert made.status_code == 201
    body = made.get_json()
    assert body["msg"] == "Successful created standard decision"
    decision = body["standardDecision"]
    assert {k: decision[k] for k in ("decision", "color", "show_in_calendar")} == {
        "decision": "Ja", "color": "#008b02", "show_in_calendar": 1,
    }  # fmt: skip
    assert set(decision) == {"id", "decision", "color", "created_at", "updated_at", "show_in_calendar"}
    one = admin.get(f"{sd}/{decision['id']}").get_json()
    assert one == {"msg": "Standard decision information", "standardDecision": decision}
    assert admin.get(sd).get_json()["standardDecisions"] == [decision]
    assert admin.post(sd, {"decision": "Ja"}).get_json() == {
        "show_in_calendar": ["The show in calendar field is required."],
        "color": ["The color field is required."],
    }
    gone = admin.delete(f"{sd}/{decision['id']}")
    assert (gone.status_code, gone.get_json()) == (200, {"msg": "Standard decision deleted"})
    for resp in (
        admin.get(f"{sd}/{decision['id']}"),
        admin.delete(f"{sd}/{decision['id']}"),
        admin.get(f"{sd}/x"),
    ):
        assert (resp.status_code, resp.get_json()) == (404, {"msg": "Standard decision not found"})

    sl = f"{ADMIN}/standardLocation"
    assert admin.get(sl).get_json() == {"msg": "List of all standard locations", "standardLocations": []}
    made = admin.post(sl, {"name": "Probelokal", "location": "Hauptstraße 1", "x": 48.2, "y": 16.3})
    assert made.status_code == 201
    location = made.get_json()["standardLocation"]
    assert made.get_json()["msg"] == "Successful created standard location"
    assert {k: location[k] for k in ("name", "location", "x", "y")} == {
        "name": "Probelokal", "location": "Hauptstraße 1", "x": 48.2, "y": 16.3,
    }  # fmt: skip
    none = admin.post(sl, {"name": "Irgendwo", "location": None, "x": -199, "y": -199}).get_json()[
        "standardLocation"
    ]
    assert (none["x"], none["y"]) == (-199, -199)
    one = admin.get(f"{sl}/{location['id']}").get_json()
    assert one == {"msg": "Standard location information", "standardLocation": location}
    not_found = {"msg": "Standard location not found", "error_code": "standard_location_not_found"}
    gone = admin.delete(f"{sl}/{location['id']}")
    assert (gone.status_code, gone.get_json()) == (200, {"msg": "Standard location deleted"})
    for resp in (admin.get(f"{sl}/{location['id']}"), admin.delete(f"{sl}/{location['id']}")):
        assert (resp.status_code, resp.get_json()) == (404, not_found)
    assert admin.post(sl, {}).get_json() == {"name": ["The name field is required."]}
