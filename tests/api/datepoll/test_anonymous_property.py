"""Property: whatever the groups, subgroups, memberships, audience and votes, DatePoll's results
shown to a caller without ``events.details`` never reveal a voter's id, name, user name or note
(the decisions and counts stay); the same results for the administration do name them."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.config import Settings
from domain import commands, poll_commands
from domain.ports import FakeClock
from tests.conftest import make_services

NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=5, max_size=8)


@st.composite
def worlds(draw: Any) -> dict[str, Any]:
    people = draw(st.integers(min_value=1, max_value=6))
    groups = draw(st.integers(min_value=0, max_value=3))
    subgroups = [draw(st.integers(min_value=0, max_value=2)) for _ in range(groups)]
    memberships = [
        (p, g, draw(st.booleans()) and subgroups[g] > 0)
        for p in range(people)
        for g in range(groups)
        if draw(st.booleans())
    ]
    votes = [draw(st.one_of(st.none(), st.integers(min_value=0, max_value=2))) for _ in range(people)]
    notes = [draw(st.one_of(st.none(), NAME)) for _ in range(people)]
    return {
        "people": people,
        "subgroups": subgroups,
        "memberships": memberships,
        "votes": votes,
        "notes": notes,
        "for_everyone": draw(st.booleans()),
        "attach": [draw(st.booleans()) for _ in range(groups)],
        "suffixes": [draw(NAME) for _ in range(people)],
    }


def _build(base: Settings, world: dict[str, Any]) -> tuple[Any, Any, int, list[Any], list[str]]:
    services = make_services(base, FakeClock())
    app = services.app
    flask_app = create_app(services=services, run_projector=True)
    boss = app.create_user(commands.CreateUser("Boss", "boss@example.org", ("event-organizer",), "pw-Boss-1"))
    secrets: list[str] = []
    people = []
    for n in range(world["people"]):
        user = app.create_user(commands.CreateUser(f"Userx{world['suffixes'][n]}{n}", None, (), None))
        first, last = f"Firstq{world['suffixes'][n]}", f"Lastq{world['suffixes'][n]}"
        app.set_person_name(poll_commands.SetPersonName(user.user_name, first, last))
        people.append(user)
        secrets += [user.user_name, first, last]
    group_ids, subgroup_ids = [], []
    for g, count in enumerate(world["subgroups"]):
        group_ids.append(app.create_group(poll_commands.CreateGroup(f"G{g}")).id)
        subgroup_ids.append(
            [
                app.create_subgroup(poll_commands.CreateSubgroup(group_ids[-1], f"S{g}{s}")).id
                for s in range(count)
            ]
        )
    for p, g, sub in world["memberships"]:
        app.change_membership(poll_commands.ChangeMembership(people[p].user_id, group_ids[g]))
        if sub:
            app.change_membership(poll_commands.ChangeMembership(people[p].user_id, None, subgroup_ids[g][0]))
    client = flask_app.test_client()
    q = {"token": boss.token}
    body = {
        "name": "Poll",
        "forEveryone": world["for_everyone"],
        "description": "",
        "decisions": [
            {"decision": d, "show_in_calendar": True, "color": "#00aa00"} for d in ("Ja", "Nein", "Eh")
        ],
        "dates": [{"date": "2031-01-01 10:00:00"}],
    }
    event = client.post("/api/v1/avent/administration/avent", json=body, query_string=q).get_json()["event"]
    eid, decisions = event["id"], [d["id"] for d in event["decisions"]]
    for g, attach in enumerate(world["attach"]):
        if attach:
            client.post(
                "/api/v1/avent/administration/addGroupToEvent",
                json={"event_id": eid, "group_id": group_ids[g]},
                query_string=q,
            )
    for p, vote in enumerate(world["votes"]):
        if vote is not None:
            note = world["notes"][p] and f"Noteq{world['notes'][p]}"
            if note:
                secrets.append(note)
            vote_body = {
                "decision_id": decisions[vote],
                "user_ids": [people[p].user_id],
                "additional_information": note,
            }
            client.post(
                f"/api/v1/avent/administration/avent/{eid}/voteForUsers", json=vote_body, query_string=q
            )
    return services, client, eid, people, secrets


def _entries(result: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(result["allUsers"])
    for group in result["groups"]:
        found += group["users"]
        for sub in group["subgroups"]:
            found += sub["users"]
    return found


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds())
def test_anonymous_results_reveal_nobody(world: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = replace(
            Settings(database_url=f"sqlite:///{tmp}/events.db", secret_key="test-secret"),
            known_wikis=("local",),
        )
        services, client, eid, people, secrets = _build(base, world)
        try:
            outsider = services.app.create_user(commands.CreateUser("Outsider", None, (), None))
            resp = client.get(f"/api/v1/avent/{eid}", query_string={"token": outsider.token})
            assert resp.status_code == 200
            result = resp.get_json()["event"]["resultGroups"]
            assert result["anonymous"] is True
            text = resp.get_data(as_text=True)
            for secret in secrets:
                assert secret not in text, secret
            for entry in _entries(result):
                hidden = ("id", "firstname", "surname", "additional_information")
                assert [entry[k] for k in hidden] == [None, None, None, None]
            voted = sum(1 for v in world["votes"] if v is not None)
            shown_votes = sum(1 for u in result["allUsers"] if u["decisionId"] is not None)
            if world["for_everyone"]:
                assert shown_votes == voted  # the decisions stay
            # the administration sees the names
            boss_view = client.get(
                f"/api/v1/avent/{eid}", query_string={"token": _boss_token(services)}
            ).get_json()
            named = {u["id"] for u in boss_view["event"]["resultGroups"]["allUsers"]}
            if world["for_everyone"]:
                assert {p.user_id for p in people} <= named
        finally:
            services.close()


def _boss_token(services: Any) -> str:
    return str(services.app.reissue_token(commands.ReissueToken("Boss")))
