"""The web client's own sequence (§2.7, then list, vote, one event, administration years and list,
create), each key it reads present and typed; and DatePoll-made events through v0 (visible and
editable, page ``Event:<name>``), v0 events in DatePoll's list for everyone."""

from __future__ import annotations

from typing import Any

from tests.api.datepoll.conftest import BASE, event_body, join, make_group, make_subgroup
from tests.conftest import registration_body

V0 = "/campaignevents/v0"


def typed(body: dict[str, Any], spec: dict[str, Any]) -> None:
    for key, kind in spec.items():
        assert key in body, key
        assert isinstance(body[key], kind), (key, body[key])


def test_web_client_sequence(flask_app: Any, make_user: Any, services: Any) -> None:
    user = make_user("Boss", "event-organizer")
    client = flask_app.test_client()
    info = client.get("/api/")
    assert info.status_code == 200
    assert info.get_json()["events_enabled"] is True
    typed(
        info.get_json(),
        {
            "version": str, "version_number": int, "application_url": str, "community_name": str,
            "community_url": str, "community_description": str, "community_imprint": str,
            "community_privacy_policy": str, "broadcasts_enabled": bool, "cinema_enabled": bool,
            "users_count": int, "events_count": int, "event_votes_count": int,
            "event_decisions_count": int, "event_dates_count": int,
        },
    )  # fmt: skip
    login = client.post(
        "/api/auth/signin",
        json={
            "username": "Boss",
            "password": user.password,
            "stay_logged_in": True,
            "session_information": "x",
        },
    )
    typed(login.get_json(), {"token": str, "session_token": str})
    q = {"token": login.get_json()["token"]}
    me = client.get("/api/v1/user/myself", query_string=q).get_json()["user"]
    typed(
        me,
        {"id": int, "firstname": str, "surname": str, "username": str, "email_addresses": list,
         "permissions": list, "phone_numbers": list, "join_date": str},
    )  # fmt: skip
    for key in (
        "title",
        "streetname",
        "streetnumber",
        "zipcode",
        "location",
        "birthday",
        "bv_user",
        "bv_password",
    ):
        assert key in me
    assert me["id"] == user.user_id and me["username"] == "Boss"
    assert "events.*" in me["permissions"] and "events.details" in me["permissions"]
    assert me["email_addresses"] == ["boss@example.org"]
    home = client.get("/api/v1/user/homepage", query_string=q).get_json()
    typed(home, {"bookings": list, "birthdays": list, "events": list, "broadcasts": list})
    alert = client.get("/api/v1/settings/alert", query_string=q).get_json()["alert"]
    typed(alert, {"message": str, "type": str})
    jitsi = client.get("/api/v1/settings/jitsiInstanceUrl", query_string=q).get_json()
    assert jitsi["instance_url"] == ""
    group = make_group(services, "Band", permissions=("events.details",))
    make_subgroup(services, group, "Blech")
    groups = client.get("/api/v1/management/groups", query_string=q).get_json()["groups"]
    typed(
        groups[0],
        {"id": int, "name": str, "description": str, "orderN": int, "permissions": list, "subgroups": list},
    )
    typed(groups[0]["subgroups"][0], {"id": int, "name": str, "description": str, "orderN": int})
    assert groups[0]["permissions"] == ["events.details"]

    created = client.post(f"{BASE}/administration/avent", json=event_body(), query_string=q)
    assert created.status_code == 201
    eid = created.get_json()["event"]["id"]
    listed = client.get(BASE, query_string=q).get_json()["events"]
    item = listed[0]
    typed(
        item,
        {"id": int, "name": str, "description": str, "start_date": str, "end_date": str, "for_everyone": int,
         "decisions": list, "dates": list, "already_voted": bool},
    )  # fmt: skip
    typed(
        item["decisions"][0],
        {"id": int, "decision": str, "color": str, "event_id": int, "show_in_calendar": int},
    )
    typed(
        item["dates"][0],
        {"id": int, "date": str, "location": str, "description": str, "x": float, "y": float},
    )
    assert item["dates"][2]["x"] == -199
    vote = client.post(
        f"{BASE}/vote", json={"event_id": eid, "decision_id": item["decisions"][0]["id"]}, query_string=q
    )
    typed(
        vote.get_json()["user_decision"],
        {"id": int, "decision": str, "event_id": int, "color": str, "created_at": str},
    )
    one = client.get(f"{BASE}/{eid}", query_string=q).get_json()["event"]
    typed(one["resultGroups"], {"anonymous": bool, "groups": list, "allUsers": list, "chart": list})
    typed(one["resultGroups"]["chart"][0], {"name": str, "percentWidth": int, "count": int, "color": str})
    years = client.get(f"{BASE}/administration/avent/years", query_string=q).get_json()["years"]
    assert all(isinstance(y, int) for y in years) and 2026 in years
    every = client.get(f"{BASE}/administration/avent/null", query_string=q).get_json()
    assert [e["id"] for e in every["data"]] == [eid]
    assert client.get("/api/v1/user/homepage", query_string=q).get_json()["events"][0]["id"] == eid
    counts = client.get("/api/").get_json()
    assert (counts["events_count"], counts["event_votes_count"], counts["event_decisions_count"]) == (1, 1, 3)
    assert counts["users_count"] == 1
    out = client.post(
        "/api/v1/user/myself/session/logoutCurrentSession",
        json={"session_token": login.get_json()["session_token"]},
        query_string=q,
    )
    assert 200 <= out.status_code < 300


def test_jitsi_is_configurable(sqlite_settings: Any, clock: Any) -> None:
    from dataclasses import replace

    from api.app import create_app
    from tests.conftest import make_services

    services = make_services(replace(sqlite_settings, jitsi_instance_url="https://meet.example.org"), clock)
    try:
        app = create_app(services=services)
        from domain import commands

        new = services.app.create_user(commands.CreateUser("Al", "al@example.org", (), "pw-Al-secret"))
        resp = app.test_client().get("/api/v1/settings/jitsiInstanceUrl", query_string={"token": new.token})
        assert resp.get_json()["instance_url"] == "https://meet.example.org"
    finally:
        services.close()


def test_datepoll_events_through_v0(dp: Any, api: Any) -> None:
    admin = dp("Boss", "event-organizer")
    eid = admin.post(f"{BASE}/administration/avent", event_body(name="Probe [Saal] #1")).get_json()["event"][
        "id"
    ]
    v0 = api(admin.user)
    details = v0.get(f"{V0}/event_registration/{eid}")
    assert details.status_code == 200
    shown = details.get_json()
    assert shown["event_page"] == "Event:Probe -Saal- -1"
    assert shown["timezone"] == "UTC"
    assert (shown["start_time"], shown["end_time"]) == ("20300130150000", "20300130170000")
    assert shown["inperson_meeting"] is True and shown["meeting_address"] == "Nowhere"
    # a second event of the same name gets " (<id>)"
    second = admin.post(f"{BASE}/administration/avent", event_body(name="Probe [Saal] #1")).get_json()[
        "event"
    ]["id"]
    assert (
        v0.get(f"{V0}/event_registration/{second}").get_json()["event_page"]
        == f"Event:Probe -Saal- -1 ({second})"
    )
    # editable through v0: a new name shows in DatePoll, the poll stays
    body = {
        **registration_body("Event:Renamed"),
        "timezone": "UTC",
        "start_time": "20300130150000",
        "end_time": "20300130170000",
        "status": "open",
    }
    edited = v0.put(f"{V0}/event_registration/{eid}", body)
    assert edited.status_code in (200, 204), edited.get_json()
    event = admin.get(f"{BASE}/{eid}").get_json()["event"]
    assert event["name"] == "Renamed" and len(event["decisions"]) == 3
    # renaming in DatePoll moves the page
    update = event_body(name="Wieder anders")
    update["decisions"] = [
        {**d, "id": x["id"]} for d, x in zip(update["decisions"], event["decisions"], strict=True)
    ]
    update["dates"] = [{**d, "id": x["id"]} for d, x in zip(update["dates"], event["dates"], strict=True)]
    assert admin.put(f"{BASE}/administration/avent/{eid}", update).status_code == 200
    assert v0.get(f"{V0}/event_registration/{eid}").get_json()["event_page"] == "Event:Wieder anders"


def test_v0_events_in_datepoll_list_for_everyone(make_user: Any, api: Any, dp: Any, services: Any) -> None:
    organizer = make_user("Orga", "event-organizer")
    made = api(organizer).post(f"{V0}/event_registration", registration_body())
    assert made.status_code == 201, made.get_json()
    eid = made.get_json()["id"]
    member = dp("Member")
    (event,) = member.get(BASE).get_json()["events"]
    assert event["id"] == eid and event["for_everyone"] == 1 and event["decisions"] == []
    assert event["name"] == "PeerTest One"
    # its one date is its start, in the service's zone (Rome 10:00 is 09:00 UTC)
    assert [d["date"] for d in event["dates"]] == ["2030-01-01 09:00:00"]
    assert event["dates"][0]["x"] == -199
    one = member.get(f"{BASE}/{eid}").get_json()["event"]
    assert one["resultGroups"]["anonymous"] is True
    group = make_group(services, "Band")
    join(services, member.user.user_id, group)
    assert [e["id"] for e in member.get(BASE).get_json()["events"]] == [eid]
