"""The polls read model on SQLite: facts in, results by group out; a rebuild equals the live
tables; the anonymous form never carries a name or id."""

from __future__ import annotations

from api.bootstrap import Services
from domain import commands, poll_commands
from domain.polls import DecisionInput
from projections.replay import verify
from tests.unit.test_application import details


def populate(s: Services) -> dict[str, int]:
    app = s.app
    admin = app.create_user(commands.CreateUser("Admin", None, ("event-organizer",))).user_id
    event = app.enable_registration(commands.EnableRegistration(admin, details("Event:Concert"))).event_id
    band = app.create_group(poll_commands.CreateGroup("Band", order=1)).id
    choir = app.create_group(poll_commands.CreateGroup("Choir", order=2)).id
    brass = app.create_subgroup(poll_commands.CreateSubgroup(band, "Brass")).id
    alto = app.create_subgroup(poll_commands.CreateSubgroup(choir, "Alto")).id
    ids, _ = app.set_decisions(
        poll_commands.SetDecisions(
            admin, event, (DecisionInput("Ja", "#008b02", True), DecisionInput("Nein", "#b80000", False))
        )
    )
    users = []
    for n, (first, last) in enumerate([("Rick", "Sanchez"), ("Morty", "Smith"), ("Beth", "Adams")]):
        uid = app.create_user(commands.CreateUser(f"U{n}")).user_id
        app.set_person_name(poll_commands.SetPersonName(f"U{n}", first, last))
        app.change_membership(poll_commands.ChangeMembership(uid, group_id=band))
        users.append(uid)
    app.change_membership(poll_commands.ChangeMembership(users[0], subgroup_id=brass))
    app.cast_vote(poll_commands.CastVote(users[0], event, ids[0], "I don't know!!!"))
    app.cast_vote(poll_commands.CastVote(users[1], event, ids[1]))
    app.cast_vote(poll_commands.CastVote(users[2], event, ids[1]))
    return {
        "admin": admin,
        "event": event,
        "band": band,
        "choir": choir,
        "brass": brass,
        "alto": alto,
        "ja": ids[0],
        "nein": ids[1],
        "rick": users[0],
        "morty": users[1],
        "beth": users[2],
    }


def test_results_by_group(services: Services) -> None:
    ids = populate(services)
    services.projector.catch_up()
    assert services.polls is not None
    result = services.polls.result_groups(ids["event"], anonymous=False)
    band, choir = result["groups"]
    assert [u["surname"] for u in band["users"]] == ["Adams", "Sanchez", "Smith"]
    assert band["chart"] == [
        {"name": "Ja", "percentWidth": 33, "count": 1, "color": "#008b02"},
        {"name": "Nein", "percentWidth": 66, "count": 2, "color": "#b80000"},
    ]
    brass = band["subgroups"][0]
    assert (brass["name"], brass["parent_group_id"], [u["id"] for u in brass["users"]]) == (
        "Brass",
        ids["band"],
        [ids["rick"]],
    )
    assert brass["chart"][0]["percentWidth"] == 100
    assert choir["users"] == [] and choir["chart"] == []
    rick = next(u for u in result["allUsers"] if u["id"] == ids["rick"])
    assert rick == {
        "id": ids["rick"],
        "firstname": "Rick",
        "surname": "Sanchez",
        "decisionId": ids["ja"],
        "decision": "Ja",
        "additional_information": "I don't know!!!",
    }


def test_membership_changes_and_decision_removal_move_the_counts(services: Services) -> None:
    ids = populate(services)
    app = services.app
    app.change_membership(poll_commands.ChangeMembership(ids["rick"], group_id=ids["band"], join=False))
    app.set_decisions(
        poll_commands.SetDecisions(
            ids["admin"], ids["event"], (DecisionInput("Nein", "#b80000", False, ids["nein"]),)
        )
    )
    services.projector.catch_up()
    assert services.polls is not None
    band = services.polls.result_groups(ids["event"], anonymous=False)["groups"][0]
    assert band["chart"] == [{"name": "Nein", "percentWidth": 100, "count": 2, "color": "#b80000"}]
    assert band["subgroups"][0]["users"] == []


def test_restricted_events_and_the_unknown_group(services: Services) -> None:
    ids = populate(services)
    app, admin, event = services.app, ids["admin"], ids["event"]
    app.set_for_everyone(poll_commands.SetForEveryone(admin, event, False))
    app.attach_to_event(poll_commands.AttachToEvent(admin, event, subgroup_id=ids["brass"]))
    services.projector.catch_up()
    assert services.polls is not None
    result = services.polls.result_groups(event, anonymous=False)
    assert result["groups"] == [
        {
            "id": -1,
            "name": "unknown",
            "users": [],
            "subgroups": [{**result["groups"][0]["subgroups"][0], "id": ids["brass"]}],
        }
    ]
    assert [u["id"] for u in result["allUsers"]] == [ids["rick"]]
    assert services.polls.open_events(ids["rick"], services.clock.now()) == [event]
    assert services.polls.open_events(ids["morty"], services.clock.now()) == []


def test_anonymous_form_has_no_names_or_ids(services: Services) -> None:
    ids = populate(services)
    services.projector.catch_up()
    assert services.polls is not None
    result = services.polls.result_groups(ids["event"], anonymous=True)
    users = result["allUsers"] + [u for g in result["groups"] for u in g["users"]]
    assert users and all(u["id"] is None and u["firstname"] is None and u["surname"] is None for u in users)
    assert all(u["additional_information"] is None for u in users)
    text = repr(result)
    assert "Sanchez" not in text and "Rick" not in text and "know" not in text


def test_a_rebuild_equals_the_live_tables(services: Services) -> None:
    populate(services)
    services.app.change_membership(poll_commands.ChangeMembership(3, group_id=2))
    services.projector.catch_up()
    assert verify(services.projector, progress=False) == []  # every model rebuilt aside, compared
