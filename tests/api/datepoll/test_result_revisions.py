"""``GET /api/v1/avent/{id}`` keeps its results per (the event's revision, the people data's
revision) (``api/datepoll/results.py``, ``rm_poll_revisions``): writes the results are not made of
(a registration for a v0 event, a vote on another poll, a preset) leave the kept text in use even
though they move the polls model's position; a vote, a decision's change, an audience change, a
membership, a person's or a group's new name are each seen by the very next request. The kept
text is byte for byte the results read afresh, and replay rebuilds the revisions to the same
values (one count per fact, whatever the batches)."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from api.datepoll import results
from api.kept import Kept
from domain import poll_commands
from domain.polls import DecisionInput
from projections import polls as poll_model
from projections.replay import replay, verify
from tests.api.datepoll.conftest import BASE, event_body
from tests.api.helpers import BASE as V0
from tests.api.helpers import create
from tests.conftest import stop_projector

ADMIN = f"{BASE}/administration"


def _counters(flask_app: Flask) -> tuple[int, int]:
    kept: Kept = flask_app.extensions[results.EXTENSION]
    return kept.hits, kept.misses


def _results(client: Any, eid: int) -> dict[str, Any]:
    resp = client.get(f"{BASE}/{eid}")
    assert resp.status_code == 200, resp.get_json()
    found: dict[str, Any] = resp.get_json()["event"]["resultGroups"]
    return found


def _poll(admin: Any, **overrides: Any) -> dict[str, Any]:
    resp = admin.post(f"{ADMIN}/avent", event_body(**overrides))
    assert resp.status_code == 201, resp.get_json()
    event: dict[str, Any] = resp.get_json()["event"]
    return event


def test_writes_the_results_are_not_made_of_keep_them(
    dp: Any, api: Any, flask_app: Flask, services: Any, make_user: Any
) -> None:
    admin, member = dp("Boss", "event-organizer"), dp("Member")
    organizer, guest = make_user("Olga", "event-organizer"), make_user("Guest")
    event, other = _poll(admin), _poll(admin, name="Other poll")
    assert member.post(f"{BASE}/vote", {"event_id": event["id"], "decision_id": event["decisions"][0]["id"]})
    first = _results(admin, event["id"])
    hits, misses = _counters(flask_app)
    assert _results(admin, event["id"]) == first
    assert _counters(flask_app)[1] == misses and _counters(flask_app)[0] > hits  # kept
    hits = _counters(flask_app)[0]
    position = services.store.position(poll_model.NAME)
    # a v0 event and a registration for it; a vote on another poll; a standard decision
    v0_event = create(api(organizer), "Event:Unrelated")
    resp = api(guest).put(f"{V0}/{v0_event}/participants/self", {"is_private": False})
    assert resp.status_code == 200, resp.get_json()
    vote = {"event_id": other["id"], "decision_id": other["decisions"][1]["id"]}
    assert member.post(f"{BASE}/vote", vote).status_code == 200
    preset = {"decision": "Ja", "show_in_calendar": True, "color": "#008b02"}
    assert admin.post(f"{ADMIN}/standardDecision", preset).status_code in (200, 201)
    assert services.store.position(poll_model.NAME) > position  # the old key would have missed
    assert _results(admin, event["id"]) == first
    assert _counters(flask_app)[1] == misses and _counters(flask_app)[0] > hits  # nothing read afresh
    assert _results(admin, other["id"])["chart"][1]["count"] == 1  # the other poll's vote is shown


def test_each_change_is_seen_by_the_next_request(dp: Any, flask_app: Flask, services: Any) -> None:
    admin, member = dp("Boss", "event-organizer"), dp("Member")
    app = services.app
    band = app.create_group(poll_commands.CreateGroup("Band")).id
    brass = app.create_subgroup(poll_commands.CreateSubgroup(band, "Brass")).id
    services.written(
        app.set_person_name(poll_commands.SetPersonName(member.user.name, "Ann", "Zed")).position
    )
    event = _poll(admin, forEveryone=False)
    eid, (ja, nein, _) = event["id"], [d["id"] for d in event["decisions"]]
    body = {"event_id": eid, "group_id": band}
    assert admin.post(f"{ADMIN}/addGroupToEvent", body).status_code == 200

    def seen(change: Any) -> dict[str, Any]:
        """Warm the kept text, make the change, return the next answer (read afresh)."""
        _results(admin, eid)
        _, misses = _counters(flask_app)
        change()
        found = _results(admin, eid)
        assert _counters(flask_app)[1] > misses
        kept = _results(admin, eid)  # and kept again at the new revision
        assert kept == found
        return found

    def written(result: Any) -> None:
        services.written(result.position)

    def join() -> None:
        written(app.change_membership(poll_commands.ChangeMembership(member.user.user_id, band)))
        written(app.change_membership(poll_commands.ChangeMembership(member.user.user_id, None, brass)))

    found = seen(join)  # a membership
    assert [u["surname"] for u in found["groups"][0]["users"]] == ["Zed"]
    assert [u["surname"] for u in found["groups"][0]["subgroups"][0]["users"]] == ["Zed"]

    found = seen(lambda: member.post(f"{BASE}/vote", {"event_id": eid, "decision_id": ja}))  # a vote
    assert [u["decisionId"] for u in found["allUsers"]] == [ja]
    assert found["groups"][0]["chart"][0]["count"] == 1

    found = seen(
        lambda: admin.post(
            f"{ADMIN}/avent/{eid}/voteForUsers", {"decision_id": nein, "user_ids": [member.user.user_id]}
        )
    )
    assert [u["decision"] for u in found["allUsers"]] == ["Nein"]  # recast by the administration

    renamed = app.set_person_name(poll_commands.SetPersonName(member.user.name, "Anna", "Ypsilon"))
    found = seen(lambda: written(renamed))  # a person's new name
    assert [(u["firstname"], u["surname"]) for u in found["allUsers"]] == [("Anna", "Ypsilon")]

    found = seen(lambda: written(app.change_group(poll_commands.ChangeGroup(band, name="Big band"))))
    assert found["groups"][0]["name"] == "Big band"
    assert found["groups"][0]["subgroups"][0]["parent_group_name"] == "Big band"

    decisions = tuple(
        DecisionInput(d["decision"] + "!", d["color"], True, d["id"]) for d in event["decisions"]
    )
    cmd = poll_commands.SetDecisions(admin.user.user_id, eid, decisions)
    found = seen(lambda: written(app.set_decisions(cmd)[1]))  # a decision's change
    assert [u["decision"] for u in found["allUsers"]] == ["Nein!"]
    assert [c["name"] for c in found["chart"]] == ["Ja!", "Nein!", "Vielleicht!"]

    found = seen(lambda: admin.post(f"{ADMIN}/removeGroupFromEvent", {"event_id": eid, "group_id": band}))
    assert [g["id"] for g in found["groups"]] == [-1]  # the audience's change
    assert found["allUsers"] == []


def test_kept_text_is_the_fresh_text_and_replay_rebuilds_the_revisions(
    dp: Any, flask_app: Flask, services: Any
) -> None:
    admin, member = dp("Boss", "event-organizer"), dp("Member")
    event = _poll(admin)
    eid = event["id"]
    assert member.post(f"{BASE}/vote", {"event_id": eid, "decision_id": event["decisions"][2]["id"]})
    for anonymous in (False, True):
        text = services.polls.result_groups_json(eid, anonymous)
        assert text == json.dumps(services.polls.result_groups(eid, anonymous), separators=(",", ":"))
    shown = admin.client.get(f"{BASE}/{eid}", query_string={"token": admin.token}).get_data(as_text=True)
    assert f'"resultGroups":{services.polls.result_groups_json(eid, False)},' in shown
    before = services.polls.revision(eid)
    assert before[0] >= 4 and before[1] >= 2  # decisions, audience, the vote; two accounts
    stop_projector(services)
    services.projector.catch_up()
    replay(services.projector, progress=False)
    assert services.polls.revision(eid) == before  # one count per fact, not per batch
    assert verify(services.projector, progress=False) == []


def test_the_text_is_json_dumps_for_awkward_names_notes_and_audiences(dp: Any, services: Any) -> None:
    admin = dp("Boss", "event-organizer")
    app = services.app
    band = app.create_group(poll_commands.CreateGroup('The "Band" \\ Zoë')).id
    app.create_group(poll_commands.CreateGroup("Empty", order=2))
    brass = app.create_subgroup(poll_commands.CreateSubgroup(band, "Brass\u2028\U0001f3ba")).id
    names = [("Zoë", 'O"Neil'), (None, None), ("\t", "\\x"), ("日本", None), (None, "Åberg")]
    voters = [dp(f"Voter{n}") for n in range(len(names))]
    for voter, (first, last) in zip(voters, names, strict=True):
        app.set_person_name(poll_commands.SetPersonName(voter.user.name, first, last))
        app.change_membership(poll_commands.ChangeMembership(voter.user.user_id, band))
    app.change_membership(poll_commands.ChangeMembership(voters[0].user.user_id, None, brass))
    open_to_all, restricted = _poll(admin), _poll(admin, forEveryone=False)
    body = {"event_id": restricted["id"], "subgroup_id": brass}
    assert admin.post(f"{ADMIN}/addSubgroupToEvent", body).status_code == 200
    notes = ["</script>\n", None, "\u0000\u001f", "ünïcode 🎺", " \\ "]
    for event in (open_to_all, restricted):
        for n, (voter, note) in enumerate(zip(voters, notes, strict=True)):
            if n == 1 or (event is restricted and n != 0):
                continue  # one who did not vote; the restricted poll: only Brass may vote
            vote = {"event_id": event["id"], "decision_id": event["decisions"][n % 3]["id"]}
            assert voter.post(f"{BASE}/vote", {**vote, "additional_information": note}).status_code == 200
    for event in (open_to_all, restricted):
        for anonymous in (False, True):
            fresh = services.polls.result_groups(event["id"], anonymous)
            assert fresh["allUsers"]  # the cases are there
            assert services.polls.result_groups_json(event["id"], anonymous) == json.dumps(
                fresh, separators=(",", ":")
            )
