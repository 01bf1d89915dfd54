"""A deleted group or subgroup admits no one (domain/audiences.py): once it is gone, its former
members are outside the audience of every event it was attached to — in every API's lists (with
their totals and counts), single reads, feeds, registering and voting — as DatePoll's cascading
deletes leave them. The event stays not for everyone: its moderators still see it. Cases: a group
deleted, a subgroup deleted, and a group deleted with the subgroup attached to the event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import icalendar
import pytest
from flask import Flask

from api.bootstrap import Services
from domain import poll_commands
from domain.polls import DecisionInput
from tests.api.datepoll.conftest import BASE as DP
from tests.api.datepoll.conftest import Dp, join, make_group, make_subgroup, signin
from tests.api.invision.conftest import Ic
from tests.api.wildapricot.conftest import BASE as WA
from tests.api.wildapricot.conftest import Wa, token_for
from tests.conftest import registration_body

pytestmark = pytest.mark.usefixtures("cheap_passwords")

V0 = "/campaignevents/v0"
BASE = f"{V0}/event_registration"
MISSING = 9999
JOIN = {"is_private": False}
NOT_ALLOWED = (400, {"msg": "You are not allowed to vote for this event", "error_code": "not_allowed"})


@pytest.fixture
def services(services_on_both: Services) -> Services:
    """Each test on SQLite and on PostgreSQL (the indexes' SQL, the feeds' one statement)."""
    return services_on_both


@dataclass
class World:
    band: int  # an event for the group Band
    soprano: int  # an event for the subgroup Soprano of the group Choir
    groups: dict[str, int]  # Band, Choir, Soprano (a subgroup)
    people: dict[str, Any]
    decisions: dict[int, int]  # event -> a decision of it


@pytest.fixture
def world(api: Any, make_user: Any, services: Services) -> World:
    """Olga (organizer, poll administration) makes an event for Band and one for Soprano; Mia is
    in Band, Sam in Choir and Soprano, Nick in no group, Sue a sysop."""
    people = {
        name: make_user(name.capitalize(), *groups)
        for name, groups in (
            ("olga", ("event-organizer",)),
            ("mia", ()),
            ("sam", ()),
            ("nick", ()),
            ("sue", ("sysop",)),
        )
    }
    band, choir = make_group(services, "Band", 1), make_group(services, "Choir", 2)
    soprano = make_subgroup(services, choir, "Soprano")
    join(services, people["mia"].user_id, group_id=band)
    join(services, people["sam"].user_id, group_id=choir)
    join(services, people["sam"].user_id, group_id=choir, subgroup_id=soprano)
    app, olga = services.app, people["olga"].user_id
    events, decisions = [], {}
    for page, attach in (
        ("Event:Band rehearsal", poll_commands.AttachToEvent(olga, 0, group_id=band)),
        ("Event:Soprano rehearsal", poll_commands.AttachToEvent(olga, 0, subgroup_id=soprano)),
    ):
        resp = api(people["olga"]).post(BASE, registration_body(page))
        assert resp.status_code == 201, resp.get_json()
        eid = int(resp.get_json()["id"])
        services.written(app.set_for_everyone(poll_commands.SetForEveryone(olga, eid, False)).position)
        _, written = app.attach_to_event(
            poll_commands.AttachToEvent(olga, eid, attach.group_id, attach.subgroup_id)
        )
        services.written(written.position)
        ids, written = app.set_decisions(
            poll_commands.SetDecisions(olga, eid, (DecisionInput("Ja", "#008b02", True),))
        )
        services.written(written.position)
        events.append(eid)
        decisions[eid] = ids[0]
    groups = {"band": band, "choir": choir, "soprano": soprano}
    return World(events[0], events[1], groups, people, decisions)


@dataclass(frozen=True)
class Case:
    deleted: str  # which of World.groups goes
    event: str  # the event it took the member out of
    member: str
    other: str  # the other event, whose member (``keeper``) keeps it
    keeper: str

    def delete(self, services: Services, w: World) -> None:
        gone = w.groups[self.deleted]
        if self.deleted == "soprano":
            written = services.app.delete_subgroup(poll_commands.DeleteSubgroup(gone))
        else:
            written = services.app.delete_group(poll_commands.DeleteGroup(gone))
        services.written(written.position)


CASES = [
    Case("band", "band", "mia", "soprano", "sam"),  # a group
    Case("soprano", "soprano", "sam", "band", "mia"),  # a subgroup
    Case("choir", "soprano", "sam", "band", "mia"),  # a group, taking the attached subgroup with it
]
SEEN = ("invision", "wild apricot", "datepoll", "v0", "feed")


class Views:
    """What one person gets of the event, through every API."""

    def __init__(self, flask_app: Flask, api: Any, user: Any, event_id: int) -> None:
        self.event_id, self.user = event_id, user
        self.v0 = api(user)
        self.ic = Ic(flask_app.test_client(), user.token, user.user_id)
        self.wa = Wa(flask_app.test_client(), token_for(flask_app, user.token)["access_token"], user)
        self.dp = Dp(flask_app.test_client(), signin(flask_app, user.name, user.password)["token"])

    def lists(self, organizer: int) -> dict[str, Any]:
        """Whether each list holds the event, with the totals and counts beside it."""
        page = self.ic.get("/events").get_json()
        one = self.ic.get("/events", {"perPage": "1", "page": "1"}).get_json()
        wa_ids = self.wa.get(WA + "/Events", query_string={"idsOnly": "true"}).get_json()
        v0 = self.v0.get(f"{V0}/organizer/{organizer}/event_registrations").get_json()
        feed = self.v0.get(f"{V0}/organizer/{organizer}/calendar.ics")
        assert feed.status_code == 200
        uids = {str(v["UID"]) for v in icalendar.Calendar.from_ical(feed.get_data()).walk("VEVENT")}
        return {
            "invision": self.event_id in [e["id"] for e in page["results"]],
            "invision total": page["totalResults"],
            "invision pages of one": one["totalPages"],
            "invision ids": self.ic.get("/events", {"ids": str(self.event_id)}).get_json()["totalResults"],
            "wild apricot": self.event_id in wa_ids["EventIdentifiers"],
            "wild apricot count": self.wa.get(WA + "/Events?$count").get_json()["Count"],
            "datepoll": self.event_id in [e["id"] for e in self.dp.get(DP).get_json()["events"]],
            "v0": self.event_id in [e["event_id"] for e in v0],
            "feed": f"event-{self.event_id}@local.campaignevents" in uids,
        }

    def single_reads(self) -> dict[str, Any]:
        """Each API's answer for the event, as (status, body) — the same as for a missing id when
        the event is not for this person."""

        def both(call: Any) -> tuple[Any, Any]:
            return _answer(call(self.event_id)), _answer(call(MISSING))

        rsvp = "/events/{}/rsvps/" + str(self.user.user_id)
        return {
            "v0": both(lambda e: self.v0.get(f"{BASE}/{e}")),
            "v0 participants": both(lambda e: self.v0.get(f"{BASE}/{e}/participants?include_private=false")),
            "v0 calendar": both(lambda e: self.v0.get(f"{BASE}/{e}/calendar.ics")),
            "v0 register": both(lambda e: self.v0.put(f"{BASE}/{e}/participants/self", JOIN)),
            "invision": both(lambda e: self.ic.get(f"/events/{e}")),
            "invision rsvp": both(lambda e: self.ic.put(rsvp.format(e), {"response": "1"})),
            "wild apricot": both(lambda e: self.wa.get(f"{WA}/Events/{e}")),
        }

    def vote(self, decision_id: int) -> tuple[int, Any]:
        resp = self.dp.post(f"{DP}/vote", {"event_id": self.event_id, "decision_id": decision_id})
        return resp.status_code, resp.get_json()


def _answer(resp: Any) -> tuple[int, Any]:
    return resp.status_code, resp.get_json(silent=True) or resp.get_data()


def _not_seen(reads: dict[str, Any]) -> None:
    for name, (got, missing) in reads.items():
        assert got == missing, name


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.deleted}-deleted")
def test_former_members_are_outside_the_audience_everywhere(
    flask_app: Flask, api: Any, world: World, services: Services, case: Case
) -> None:
    event, organizer = getattr(world, case.event), world.people["olga"].user_id
    decision = world.decisions[event]
    member, nick, olga, sue = (
        Views(flask_app, api, world.people[who], event) for who in (case.member, "nick", "olga", "sue")
    )
    before = member.lists(organizer)
    assert all(before[k] for k in SEEN), before
    assert member.vote(decision)[0] == 200  # a member may vote
    assert member.dp.delete(f"{DP}/vote/{event}").status_code == 200
    outsider = nick.lists(organizer)
    assert not any(outsider[k] for k in SEEN)

    case.delete(services, world)

    # the former member: as someone in no group (lists, totals, counts; kept answers dropped)
    assert member.lists(organizer) == nick.lists(organizer) == outsider
    _not_seen(member.single_reads())
    assert member.vote(decision) == nick.vote(decision) == NOT_ALLOWED
    # the event stays not for everyone: its moderators (and the poll administration) see it
    assert services.polls is not None and services.polls.audience(event)[0] is False
    for moderator in (olga, sue):
        seen = moderator.lists(organizer)
        assert all(seen[k] for k in ("invision", "wild apricot", "v0", "feed")), seen
        assert moderator.v0.get(f"{BASE}/{event}").status_code == 200
        assert moderator.wa.get(f"{WA}/Events/{event}").status_code == 200
        assert moderator.ic.get(f"/events/{event}").status_code == 200
    # the other event's audience is untouched: its member still sees it and may vote
    other = getattr(world, case.other)
    keeper = Views(flask_app, api, world.people[case.keeper], other)
    kept = keeper.lists(organizer)
    assert all(kept[k] for k in SEEN), kept
    assert keeper.vote(world.decisions[other])[0] == 200
