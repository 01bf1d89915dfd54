"""Seed 002's examples field for field (its ids replaced by ours): the open list and one event in
both forms (anonymous: id and names null, the decision kept)."""

from __future__ import annotations

from typing import Any

from tests.api.datepoll.conftest import BASE, event_body, join, make_group, make_subgroup, set_name

SEED_DATES = [
    {"date": "2030-01-30 15:00:00", "location": "", "x": 48.675076, "y": 15.866749, "description": ""},
    {"date": "2030-01-30 16:00:00", "location": "Nowhere", "x": 48.670088, "y": 15.911347, "description": ""},
    {"date": "2030-01-30 17:00:00", "location": "", "x": -199, "y": -199, "description": ""},
]
SEED_DECISIONS = [
    {"decision": "Ja", "show_in_calendar": 1, "color": "#008b02"},
    {"decision": "Nein", "show_in_calendar": 0, "color": "#b80000"},
    {"decision": "Vielleicht", "show_in_calendar": 1, "color": "#fccb00"},
]


def contains(actual: Any, expected: Any, where: str = "$") -> None:
    """Every key of ``expected`` is in ``actual`` with an equal value (lists: same length, item by item)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} missing"
            contains(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (where, actual)
        for n, (a, e) in enumerate(zip(actual, expected, strict=True)):
            contains(a, e, f"{where}[{n}]")
    else:
        assert actual == expected and type(actual) is type(expected), (where, actual, expected)


def user(uid: Any, first: Any, last: Any, decision_id: Any = None, decision: Any = None) -> dict[str, Any]:
    return {
        "id": uid,
        "firstname": first,
        "surname": last,
        "additional_information": None,
        "decisionId": decision_id,
        "decision": decision,
    }


def _world(dp: Any, services: Any) -> tuple[Any, Any, dict[str, int], int]:
    rick = dp("Rick", "event-organizer")  # the administration (events.*): sees names
    morty = dp("Morty")
    set_name(services, "Rick", "Rick", "Sanchez")
    set_name(services, "Morty", "Morty", "Smith")
    ids = {"g1": make_group(services, "Group1", 1), "g2": make_group(services, "Group2", 2)}
    ids["g3"] = make_group(services, "Group3", 3)
    ids["s1"] = make_subgroup(services, ids["g1"], "Subgroup1", 1)
    ids["s2"] = make_subgroup(services, ids["g1"], "Subgroup2", 2)
    ids["s3"] = make_subgroup(services, ids["g3"], "Subgroup3", 1)
    join(services, rick.user.user_id, ids["g1"])
    join(services, rick.user.user_id, ids["g1"], ids["s1"])
    resp = rick.post(f"{BASE}/administration/avent", event_body())
    assert resp.status_code == 201, resp.get_json()
    return rick, morty, ids, resp.get_json()["event"]["id"]


def _event(eid: int, decision_ids: list[int], date_ids: list[int]) -> dict[str, Any]:
    return {
        "id": eid,
        "name": "Macklemore Konzert",
        "description": "",
        "start_date": "2030-01-30 15:00:00",
        "end_date": "2030-01-30 17:00:00",
        "for_everyone": 1,
        "decisions": [
            {"id": i, **d, "event_id": eid} for i, d in zip(decision_ids, SEED_DECISIONS, strict=True)
        ],
        "dates": [{"id": i, **d} for i, d in zip(date_ids, SEED_DATES, strict=True)],
    }


def _groups(ids: dict[str, int], rick: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": ids["g1"],
            "name": "Group1",
            "users": rick,
            "subgroups": [
                {"id": ids["s1"], "name": "Subgroup1", "users": rick},
                {"id": ids["s2"], "name": "Subgroup2", "users": []},
            ],
        },
        {"id": ids["g2"], "name": "Group2", "users": [], "subgroups": []},
        {
            "id": ids["g3"],
            "name": "Group3",
            "users": [],
            "subgroups": [{"id": ids["s3"], "name": "Subgroup3", "users": []}],
        },
    ]  # fmt: skip


def test_single_event_both_forms(dp: Any, services: Any) -> None:
    rick, morty, ids, eid = _world(dp, services)
    first = rick.get(f"{BASE}/{eid}")
    assert first.status_code == 200
    body = first.get_json()
    decision_ids = [d["id"] for d in body["event"]["decisions"]]
    date_ids = [d["id"] for d in body["event"]["dates"]]
    rick_id, morty_id = rick.user.user_id, morty.user.user_id
    expected: dict[str, Any] = {
        "msg": "Event information",
        "event": {
            **_event(eid, decision_ids, date_ids),
            "resultGroups": {
                "groups": _groups(ids, [user(rick_id, "Rick", "Sanchez")]),
                "allUsers": [user(rick_id, "Rick", "Sanchez"), user(morty_id, "Morty", "Smith")],
                "anonymous": False,
            },
            "view_events": {"href": "api/v1/avent/administration/avent", "method": "GET"},
        },
    }
    contains(body, expected)

    nein = decision_ids[1]
    assert rick.post(f"{BASE}/vote", {"event_id": eid, "decision_id": nein}).status_code == 200
    anonymous = morty.get(f"{BASE}/{eid}").get_json()
    voted = user(None, None, None, nein, "Nein")
    expected["event"]["resultGroups"] = {
        "groups": _groups(ids, [voted]),
        "allUsers": [voted, user(None, None, None)],
        "anonymous": True,
    }
    contains(anonymous, expected)
    # charts are kept in both forms: Rick's "Nein" is 100 % of Group1's voters
    chart = anonymous["event"]["resultGroups"]["groups"][0]["chart"]
    assert [(c["name"], c["count"], c["percentWidth"]) for c in chart] == [
        ("Ja", 0, 0),
        ("Nein", 1, 100),
        ("Vielleicht", 0, 0),
    ]
    assert anonymous["event"]["resultGroups"]["groups"][1]["chart"] == []


def test_open_list(dp: Any, services: Any) -> None:
    rick, morty, _, eid = _world(dp, services)
    decisions = rick.get(f"{BASE}/{eid}").get_json()["event"]["decisions"]
    vielleicht = decisions[2]["id"]
    resp = morty.post(
        f"{BASE}/vote",
        {"event_id": eid, "decision_id": vielleicht, "additional_information": "I don't know!!!"},
    )
    assert resp.status_code == 200
    listed = morty.get(BASE)
    assert listed.status_code == 200
    body = listed.get_json()
    assert body["msg"] == "List of events"  # the seed's text
    (event,) = body["events"]
    date_ids = [d["id"] for d in event["dates"]]
    contains(event, {**_event(eid, [d["id"] for d in decisions], date_ids), "already_voted": True})
    contains(
        event["user_decision"],
        {
            "id": vielleicht,
            "decision": "Vielleicht",
            "show_in_calendar": 1,
            "event_id": eid,
            "color": "#fccb00",
            "additional_information": "I don't know!!!",
        },
    )
    assert isinstance(event["user_decision"]["created_at"], str)
    assert rick.get(BASE).get_json()["events"][0]["user_decision"] is None
    assert rick.get(BASE).get_json()["events"][0]["already_voted"] is False
