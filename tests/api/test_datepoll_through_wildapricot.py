"""Issue 16: events made in DatePoll's dialect are visible and editable through Wild Apricot's, with
the documented mapping (docs/dialects.md): DatePoll's dates are in the service's default timezone
(here ``Europe/Vienna``), so Wild Apricot shows them with that zone's offset; the first date's
location is the event's ``Location``; the description is the content's. An edit through Wild
Apricot's PUT shows in DatePoll's GET. An event for some groups only (its audience) is, in Wild
Apricot too, seen only by the members of those groups and its moderators (``policies.can_see_event``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from api.config import Settings
from api.wildapricot import index
from projections.replay import replay, verify
from tests.api.datepoll.conftest import BASE as DP
from tests.api.datepoll.conftest import Dp, date, event_body, join, make_group, make_subgroup, signin
from tests.api.wildapricot.conftest import BASE as WA
from tests.api.wildapricot.conftest import Wa, token_for
from tests.api.wildapricot.test_places import settle

ADMIN = f"{DP}/administration"


@pytest.fixture
def sqlite_settings(sqlite_settings: Settings) -> Settings:
    return replace(sqlite_settings, default_timezone="Europe/Vienna")


@pytest.fixture
def clients(flask_app: Flask, make_user: Any) -> Any:
    """``clients(name, *groups)``: (DatePoll client, Wild Apricot client, user) for a new account."""

    def make(name: str, *groups: str) -> tuple[Dp, Wa, Any]:
        user = make_user(name, *groups)
        dp = Dp(flask_app.test_client(), signin(flask_app, user.name, user.password)["token"])
        wa = Wa(flask_app.test_client(), token_for(flask_app, user.token)["access_token"], user)
        return dp, wa, user

    return make


def _made(dp: Dp, **overrides: Any) -> int:
    resp = dp.post(f"{ADMIN}/avent", event_body(**overrides))
    assert resp.status_code == 201, resp.get_json()
    event_id: int = resp.get_json()["event"]["id"]
    return event_id


def _ids(wa: Wa, **query: str) -> list[int]:
    resp = wa.get(WA + "/Events", query_string={**query, "idsOnly": "true"})
    assert resp.status_code == 200, resp.get_json()
    found: list[int] = resp.get_json()["EventIdentifiers"]
    return found


SUMMER = [
    date("2030-07-05 18:00:00", "Stadtpark", x=48.2045, y=16.3795),
    date("2030-07-05 21:30:00", "Kursalon"),
]


def test_made_in_datepoll_listed_read_and_edited_through_wild_apricot(clients: Any) -> None:
    dp, wa, _ = clients("Boss", "event-organizer")
    _, reader, _ = clients("Reader")
    eid = _made(dp, name="Sommerfest", description="Bring chairs & tables", dates=SUMMER)
    shown = reader.get(WA + f"/Events/{eid}").get_json()
    assert shown["Id"] == eid and shown["Name"] == "Sommerfest"
    # dates in the default timezone (Vienna, summer time: +02:00), shown with its offset
    assert (shown["StartDate"], shown["EndDate"]) == (
        "2030-07-05T18:00:00+02:00",
        "2030-07-05T21:30:00+02:00",
    )
    assert shown["Details"]["TimeZone"]["UtcOffset"] == 120
    assert shown["Location"] == "Stadtpark"  # the first date's location: in person there
    assert shown["Tags"] == [] and shown["AccessLevel"] == "Public"
    assert shown["Details"]["DescriptionHtml"] == "Bring chairs &amp; tables"
    assert [(s["StartDate"], s["EndDate"]) for s in shown["Sessions"]] == [
        ("2030-07-05T18:00:00+02:00", "2030-07-05T18:00:00+02:00"),
        ("2030-07-05T21:30:00+02:00", "2030-07-05T21:30:00+02:00"),
    ]
    listed = reader.get(WA + "/Events", query_string={"$filter": "Name eq 'sommerfest'"}).get_json()["Events"]
    assert [(e["Id"], e["StartDate"], e["Location"]) for e in listed] == [
        (eid, "2030-07-05T18:00:00+02:00", "Stadtpark")
    ]
    assert _ids(reader, **{"$filter": "StartDate eq 2030-07-05 AND substringof('TextIndex', 'chairs')"}) == [
        eid
    ]
    assert _ids(reader, **{"$filter": "StartDate eq 2030-07-06"}) == []
    # edited through Wild Apricot's PUT: the edit shows in DatePoll's GET and Wild Apricot's list
    edit = {"Id": eid, "Name": "Sommerfest im Park", "Tags": ["fest"]}
    resp = wa.put(WA + f"/Events/{eid}", edit)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["Name"] == "Sommerfest im Park" and resp.get_json()["Tags"] == ["fest"]
    event = dp.get(f"{DP}/{eid}").get_json()["event"]
    assert event["name"] == "Sommerfest im Park"
    assert [d["date"] for d in event["dates"]] == ["2030-07-05 18:00:00", "2030-07-05 21:30:00"]
    assert _ids(reader, **{"$filter": "Tags in [fest]"}) == [eid]
    assert reader.get(WA + "/Events/Tags").get_json() == ["fest"]
    # and a DatePoll edit shows back through Wild Apricot
    later = event_body(name="Herbstfest", dates=[{**date("2030-10-03 17:00:00", "Kursalon"), "id": -1}])
    later["decisions"] = [{**d, "id": d["id"]} for d in event["decisions"]]
    assert dp.put(f"{ADMIN}/avent/{eid}", later).status_code == 200
    again = reader.get(WA + f"/Events/{eid}").get_json()
    assert (again["Name"], again["StartDate"]) == ("Herbstfest", "2030-10-03T17:00:00+02:00")


def test_an_event_for_groups_is_seen_in_wild_apricot_by_their_members_only(
    clients: Any, services: Any
) -> None:
    boss_dp, boss, _ = clients("Boss", "event-organizer")
    _, member, member_user = clients("Member")
    _, sub_member, sub_user = clients("Soprano")
    _, outsider, _ = clients("Outsider")
    _, other_organizer, _ = clients("Other", "event-organizer")
    _, sysop, _ = clients("Root", "sysop")
    band, choir = make_group(services, "Band", 1), make_group(services, "Chor", 2)
    soprano = make_subgroup(services, choir, "Sopran")
    join(services, member_user.user_id, group_id=band)
    join(services, sub_user.user_id, group_id=choir)  # the choir itself is not attached
    join(services, sub_user.user_id, group_id=choir, subgroup_id=soprano)
    open_event = _made(boss_dp, name="Offene Probe", dates=SUMMER)
    eid = _made(boss_dp, name="Bandprobe", forEveryone=False, dates=SUMMER)
    assert boss_dp.post(f"{ADMIN}/addGroupToEvent", {"event_id": eid, "group_id": band}).status_code == 200

    def sees(wa: Wa) -> bool:
        listed = eid in _ids(wa)
        count = wa.get(WA + "/Events", query_string={"$count": "true"}).get_json()["Count"]
        one = wa.get(WA + f"/Events/{eid}")
        assert one.status_code in (200, 404), one.get_json()
        assert open_event in _ids(wa)
        assert listed == (one.status_code == 200) == (count == 2), (listed, one.status_code, count)
        return listed

    # members of the group, its organizer and sysops see it; others do not, in the list, the
    # count and the single read (404, as for an event that does not exist)
    assert sees(member) and sees(boss) and sees(sysop)
    assert not sees(outsider) and not sees(sub_member) and not sees(other_organizer)
    missing = outsider.get(WA + f"/Events/{eid}")
    assert (missing.status_code, missing.get_json()["code"]) == (404, "NotFound")
    put = outsider.put(WA + f"/Events/{eid}", {"Id": eid, "Name": "Taken over"})
    assert put.status_code == 404
    # a subgroup attached: its members see it too
    resp = boss_dp.post(f"{ADMIN}/addSubgroupToEvent", {"event_id": eid, "subgroup_id": soprano})
    assert resp.status_code == 200
    assert sees(sub_member) and not sees(outsider)
    # detached again, and then for everyone
    resp = boss_dp.post(f"{ADMIN}/removeGroupFromEvent", {"event_id": eid, "group_id": band})
    assert resp.status_code == 200
    assert not sees(member) and sees(sub_member)
    event = boss_dp.get(f"{DP}/{eid}").get_json()["event"]
    body = event_body(name="Bandprobe", forEveryone=True, dates=SUMMER)
    body["decisions"] = event["decisions"]
    body["dates"] = event["dates"]
    assert boss_dp.put(f"{ADMIN}/avent/{eid}", body).status_code == 200
    assert sees(outsider) and sees(member)
    # the index's copy of the audience (and of the moderation flag) rebuilds from the log as kept
    settle(services)
    sets = index.define().sets
    with services.store.engine.connect() as conn:
        kept = sorted(conn.execute(select(sets.c.event_id, sets.c.kind, sets.c.set_id)).all())
    assert kept == [(eid, "s", soprano)]
    assert verify(services.projector, progress=False) == []
    replay(services.projector, progress=False)
    assert verify(services.projector, progress=False) == []
    assert sees(sub_member) and sees(outsider)
