"""An event for some groups only (its audience, domain/audiences.py) in every API: to anyone but the
members of its groups and subgroups and its moderators (organizers, sysops) it does not exist — the
same answer as for a missing id, in v0's reads, lists, registering and feeds, in Invision's list
(total and pages), single read and RSVPs, and in Wild Apricot's — as a hidden event
(``policies.can_see_event``; acting on it: ``moderation.check_visible``). Events for everyone are
unaffected, and DatePoll's own single read still returns any event to any signed-in user."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import icalendar
import pytest
from flask import Flask
from sqlalchemy import Index, inspect, update

from api.bootstrap import Services
from api.invision import index as invision_index
from domain import poll_commands
from projections.store import ReadStore
from tests.api.datepoll.conftest import BASE as DP
from tests.api.datepoll.conftest import Dp, join, make_group, make_subgroup, signin
from tests.api.invision.conftest import Ic, error_of
from tests.api.wildapricot.conftest import BASE as WA
from tests.api.wildapricot.conftest import Wa, token_for
from tests.conftest import registration_body

pytestmark = pytest.mark.usefixtures("cheap_passwords")

V0 = "/campaignevents/v0"
BASE = f"{V0}/event_registration"
MISSING = 9999
JOIN = {"is_private": False}


@pytest.fixture
def services(services_on_both: Services) -> Services:
    """Each test on SQLite and on PostgreSQL (the SQL conditions and the feeds' one statement)."""
    return services_on_both


@dataclass
class World:
    open: int  # for everyone
    band: int  # for the group Band only
    people: dict[str, Any]
    group: int
    subgroup: int


@pytest.fixture
def world(api: Any, make_user: Any, services: Any) -> World:
    """Olga (organizer) makes an open event and one for the group Band; Mia is in Band, Nick in no
    group, Oscar an organizer of neither, Sue a sysop, Sam in a subgroup of the (unattached) choir."""
    people = {
        name: make_user(name.capitalize(), *groups)
        for name, groups in (
            ("olga", ("event-organizer",)),
            ("mia", ()),
            ("nick", ()),
            ("oscar", ("event-organizer",)),
            ("sue", ("sysop",)),
            ("sam", ()),
        )
    }
    olga = api(people["olga"])
    ids = []
    for page in ("Event:Open rehearsal", "Event:Band rehearsal"):
        resp = olga.post(BASE, registration_body(page))
        assert resp.status_code == 201, resp.get_json()
        ids.append(int(resp.get_json()["id"]))
    band, choir = make_group(services, "Band", 1), make_group(services, "Choir", 2)
    soprano = make_subgroup(services, choir, "Soprano")
    join(services, people["mia"].user_id, group_id=band)
    join(services, people["sam"].user_id, group_id=choir)
    join(services, people["sam"].user_id, group_id=choir, subgroup_id=soprano)
    app, performer = services.app, people["olga"].user_id
    services.written(app.set_for_everyone(poll_commands.SetForEveryone(performer, ids[1], False)).position)
    _, written = app.attach_to_event(poll_commands.AttachToEvent(performer, ids[1], group_id=band))
    services.written(written.position)
    return World(ids[0], ids[1], people, band, soprano)


SEE = ("mia", "olga", "sue")  # a member of Band, the organizer, a sysop
NOT = ("nick", "oscar", "sam")  # in no group, an organizer of other events, in another group


def v0(api: Any, w: World, who: str | None) -> Any:
    return api(w.people[who] if who else None)


def same_as_missing(client: Any, path: str, w: World, method: str = "GET", body: Any = None) -> None:
    """The restricted event's answer is the missing id's, status and body."""
    got = client.request(method, path.format(w.band), body)
    missing = client.request(method, path.format(MISSING), body)
    assert got.status_code == missing.status_code == 404, got.get_json()
    assert got.get_json() == missing.get_json()


def test_v0_reads_answer_a_missing_event_to_those_outside_its_audience(api: Any, world: World) -> None:
    paths = (
        BASE + "/{}",
        BASE + "/{}/participants?include_private=false",
        BASE + "/{}/organizers",
        BASE + "/{}/places",
        BASE + "/{}/counts",
        BASE + "/{}/content",
        BASE + "/{}/schedule",
    )
    for who in (None, *NOT):
        client = v0(api, world, who)
        for path in paths:
            same_as_missing(client, path, world)
            assert client.get(path.format(world.open)).status_code == 200, (who, path)
    for who in SEE:
        client = v0(api, world, who)
        for path in paths:
            resp = client.get(path.format(world.band))
            assert resp.status_code == 200, (who, path, resp.get_json())
        assert client.get(f"{BASE}/{world.band}").get_json()["id"] == world.band


def test_v0_registering_needs_the_audience(api: Any, world: World, services: Any) -> None:
    for who in NOT:
        client = v0(api, world, who)
        same_as_missing(client, BASE + "/{}/participants/self", world, "PUT", JOIN)
        assert client.put(f"{BASE}/{world.open}/participants/self", JOIN).status_code == 200
    for who in ("mia", "olga"):
        resp = v0(api, world, who).put(f"{BASE}/{world.band}/participants/self", JOIN)
        assert resp.status_code == 200, resp.get_json()
    # a subgroup attached: its members may register too
    cmd = poll_commands.AttachToEvent(world.people["olga"].user_id, world.band, subgroup_id=world.subgroup)
    services.written(services.app.attach_to_event(cmd)[1].position)
    assert v0(api, world, "sam").put(f"{BASE}/{world.band}/participants/self", JOIN).status_code == 200
    listed = v0(api, world, "olga").get(f"{BASE}/{world.band}/participants?include_private=false")
    assert sorted(p["user_name"] for p in listed.get_json()) == ["Mia", "Olga", "Sam"]


def test_v0_listings_leave_it_out_for_those_outside_its_audience(api: Any, world: World) -> None:
    assert v0(api, world, "mia").put(f"{BASE}/{world.band}/participants/self", JOIN).status_code == 200
    assert v0(api, world, "mia").put(f"{BASE}/{world.open}/participants/self", JOIN).status_code == 200
    lists = (
        f"{V0}/organizer/{world.people['olga'].user_id}/event_registrations",
        f"{V0}/participant/{world.people['mia'].user_id}/event_registrations",
    )
    for path in lists:
        for who in (None, *NOT):
            resp = v0(api, world, who).get(path)
            assert resp.status_code == 200
            assert [e["event_id"] for e in resp.get_json()] == [world.open], (who, path)
        for who in SEE:
            found = [e["event_id"] for e in v0(api, world, who).get(path).get_json()]
            assert found == [world.open, world.band], (who, path)


def test_v0_listings_stay_full_when_events_are_left_out(api: Any, world: World) -> None:
    """The lists hold the first 50 events the caller may see: one left out among the first 50
    rows does not shorten them (the 51st visible event takes its place)."""
    olga = v0(api, world, "olga")
    made = [world.open, world.band]
    for n in range(50):
        resp = olga.post(BASE, registration_body(f"Event:Section rehearsal {n}"))
        assert resp.status_code == 201, resp.get_json()
        made.append(int(resp.get_json()["id"]))
        assert v0(api, world, "mia").put(f"{BASE}/{made[-1]}/participants/self", JOIN).status_code == 200
    assert v0(api, world, "mia").put(f"{BASE}/{world.band}/participants/self", JOIN).status_code == 200
    assert v0(api, world, "mia").put(f"{BASE}/{world.open}/participants/self", JOIN).status_code == 200
    visible = [e for e in sorted(made) if e != world.band]
    for path in (
        f"{V0}/organizer/{world.people['olga'].user_id}/event_registrations",
        f"{V0}/participant/{world.people['mia'].user_id}/event_registrations",
    ):
        for who in (None, "nick"):
            found = [e["event_id"] for e in v0(api, world, who).get(path).get_json()]
            assert found == visible[:50], (who, path)
        assert [e["event_id"] for e in v0(api, world, "mia").get(path).get_json()] == sorted(made)[:50]


def uids(resp: Any) -> set[str]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return {str(v["UID"]) for v in icalendar.Calendar.from_ical(resp.get_data()).walk("VEVENT")}


def test_feeds_leave_it_out_for_those_outside_its_audience(api: Any, world: World, services: Any) -> None:
    uid_open, uid_band = (f"event-{e}@local.campaignevents" for e in (world.open, world.band))
    organizer_feed = f"{V0}/organizer/{world.people['olga'].user_id}/calendar.ics"
    for who in (None, *NOT):
        client = v0(api, world, who)
        same_as_missing(client, BASE + "/{}/calendar.ics", world)
        assert uids(client.get(organizer_feed)) == {uid_open}
    for who in SEE:
        client = v0(api, world, who)
        assert uids(client.get(f"{BASE}/{world.band}/calendar.ics")) == {uid_band}
        assert uids(client.get(organizer_feed)) == {uid_open, uid_band}
    # the participant's secret feed: Mia's while she is in Band, then after she leaves it (the
    # ETag changes with what she may see: no 304 for the old one)
    mia = v0(api, world, "mia")
    for eid in (world.open, world.band):
        assert mia.put(f"{BASE}/{eid}/participants/self", JOIN).status_code == 200
    secret = mia.get(f"{V0}/participant/self/calendar_url").get_json()["url"]
    secret_feed = secret.removeprefix("http://campaignevents.test")
    before = api().get(secret_feed)
    assert uids(before) == {uid_open, uid_band}
    assert api().get(secret_feed, headers={"If-None-Match": before.headers["ETag"]}).status_code == 304
    left = poll_commands.ChangeMembership(world.people["mia"].user_id, world.group, join=False)
    services.written(services.app.change_membership(left).position)  # she leaves Band
    after = api().get(secret_feed, headers={"If-None-Match": before.headers["ETag"]})
    assert uids(after) == {uid_open}
    same_as_missing(mia, BASE + "/{}", world)


def ic_client(flask_app: Flask, user: Any) -> Ic:
    return Ic(flask_app.test_client(), user.token, user.user_id)


def test_invision_list_count_single_and_rsvp(flask_app: Flask, world: World) -> None:
    def ids(client: Ic, **query: str) -> tuple[int, int, list[int]]:
        page = client.get("/events", query).get_json()
        return page["totalResults"], page["totalPages"], [e["id"] for e in page["results"]]

    for who in NOT:
        client = ic_client(flask_app, world.people[who])
        assert ids(client) == (1, 1, [world.open])
        assert ids(client, perPage="1", page="2") == (1, 1, [])
        assert ids(client, ids=f"{world.band}") == (0, 0, [])
        for path in ("/events/{}", "/events/{}/rsvps", "/events/{}/comments"):
            assert error_of(client.get(path.format(world.band))) == error_of(client.get(path.format(MISSING)))
        rsvp = "/events/{}/rsvps/" + str(client.user_id)
        for response in ("1", "2"):
            answered = client.put(rsvp.format(world.band), {"response": response})
            assert error_of(answered) == error_of(client.put(rsvp.format(MISSING), {"response": response}))
            assert error_of(answered)[:2] == (404, "2L296/J")
        assert client.put(rsvp.format(world.open), {"response": "1"}).status_code == 200
    for who in SEE:
        client = ic_client(flask_app, world.people[who])
        assert ids(client) == (2, 1, [world.open, world.band])
        assert ids(client, perPage="1", page="2") == (2, 2, [world.band])
        assert client.get(f"/events/{world.band}").get_json()["id"] == world.band
    mia = ic_client(flask_app, world.people["mia"])
    assert mia.put(f"/events/{world.band}/rsvps/{mia.user_id}", {"response": "1"}).status_code == 200
    rsvps = mia.get(f"/events/{world.band}/rsvps").get_json()
    assert [m["id"] for m in rsvps["attending"]] == [mia.user_id]
    # without a key: the same answer for the restricted event as for a missing one
    anonymous = flask_app.test_client()
    got, missing = (anonymous.get(f"/api/calendar/events/{e}") for e in (world.band, MISSING))
    assert (got.status_code, got.get_json()) == (missing.status_code, missing.get_json())


def test_invision_list_follows_membership(flask_app: Flask, world: World, services: Any) -> None:
    """The list keeps a page's total and ids per revision of its index: joining the group (which
    does not move it) must still show the event."""
    nick = ic_client(flask_app, world.people["nick"])
    assert nick.get("/events").get_json()["totalResults"] == 1
    join(services, world.people["nick"].user_id, group_id=world.group)
    page = nick.get("/events").get_json()
    assert (page["totalResults"], [e["id"] for e in page["results"]]) == (2, [world.open, world.band])


def test_wild_apricot_still_and_datepoll_single_read_unchanged(flask_app: Flask, world: World) -> None:
    for who, sees in (("nick", False), ("oscar", False), ("mia", True), ("olga", True)):
        user = world.people[who]
        wa = Wa(flask_app.test_client(), token_for(flask_app, user.token)["access_token"], user)
        listed = wa.get(WA + "/Events", query_string={"idsOnly": "true"}).get_json()["EventIdentifiers"]
        assert listed == ([world.open, world.band] if sees else [world.open])
        assert wa.get(WA + f"/Events/{world.band}").status_code == (200 if sees else 404)
        dp = Dp(flask_app.test_client(), signin(flask_app, user.name, user.password)["token"])
        assert dp.get(f"{DP}/{world.band}").status_code == 200  # DatePoll's reference: any event


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ReadStore]:
    found = ReadStore.open(f"sqlite:///{tmp_path}/events.db")
    yield found
    found.close()


def test_invision_index_without_the_audience_is_folded_again(store: ReadStore) -> None:
    """An Invision index from before the audience (its list index without ``for_everyone``) is
    made again and folded from the start of the log, so every event gets its audience."""
    invision_index.create(store)
    tables = invision_index.define()
    events = tables.events
    with store.engine.begin() as conn:
        conn.exec_driver_sql('DROP INDEX "ix_invision_list"')
        old = [c for c in invision_index.LIST_INDEX if c != "for_everyone"]
        Index("ix_invision_list", *(events.c[c] for c in old)).create(conn)
        tracking = store.tables.tracking
        conn.execute(update(tracking).where(tracking.c.name == invision_index.NAME).values(position=7))
    invision_index.create(store)
    indexed = [i["column_names"] for i in inspect(store.engine).get_indexes(events.name)]
    assert list(invision_index.LIST_INDEX) in indexed
    assert store.position(invision_index.NAME) == 0
