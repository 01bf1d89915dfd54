"""``GET /api/v1/avent/{id}`` after the read-path changes: a hidden event is missing to a voter and
shown to its organizer (``policies.can_see_event`` with the content model's flag); the caller's
vote and the decisions, kept while the polls model does not move, follow a vote, its removal and a
decision's change at once."""

from __future__ import annotations

from typing import Any

from domain import commands
from tests.api.datepoll.conftest import BASE, event_body

ADMIN = f"{BASE}/administration"
NOT_FOUND = {"msg": "Event not found"}


def _made(admin: Any) -> dict[str, Any]:
    resp = admin.post(f"{ADMIN}/avent", event_body())
    assert resp.status_code == 201, resp.get_json()
    event: dict[str, Any] = resp.get_json()["event"]
    return event


def test_hidden_event_missing_to_voters_shown_to_its_organizer(dp: Any, services: Any) -> None:
    admin, member = dp("Boss", "event-organizer"), dp("Member")
    eid = _made(admin)["id"]
    assert member.get(f"{BASE}/{eid}").status_code == 200
    written = services.app.moderate(commands.Moderate(admin.user.user_id, eid, hidden=-1))
    services.written(written.position)
    hidden = member.get(f"{BASE}/{eid}")
    assert (hidden.status_code, hidden.get_json()) == (404, NOT_FOUND)
    assert admin.get(f"{BASE}/{eid}").status_code == 200
    written = services.app.moderate(commands.Moderate(admin.user.user_id, eid, hidden=0))
    services.written(written.position)
    assert member.get(f"{BASE}/{eid}").get_json()["event"]["id"] == eid


def test_vote_and_decisions_follow_each_write(dp: Any) -> None:
    admin, member = dp("Boss", "event-organizer"), dp("Member")
    event = _made(admin)
    eid, ja = event["id"], event["decisions"][0]["id"]
    for _ in range(2):  # the second answer is the kept one
        shown = member.get(f"{BASE}/{eid}").get_json()["event"]
        assert (shown["already_voted"], shown["user_decision"]) == (False, None)
    assert member.post(f"{BASE}/vote", {"event_id": eid, "decision_id": ja}).status_code == 200
    shown = member.get(f"{BASE}/{eid}").get_json()["event"]
    assert shown["already_voted"] is True and shown["user_decision"]["id"] == ja
    mine = [u for u in shown["resultGroups"]["allUsers"] if u["decisionId"] is not None]
    assert [u["decisionId"] for u in mine] == [ja]
    assert member.delete(f"{BASE}/vote/{eid}").status_code == 200
    shown = member.get(f"{BASE}/{eid}").get_json()["event"]
    assert (shown["already_voted"], shown["user_decision"]) == (False, None)
    renamed = event_body(name="Macklemore Konzert")
    renamed["decisions"] = [{**d, "decision": d["decision"] + "!"} for d in event["decisions"]]
    assert admin.put(f"{ADMIN}/avent/{eid}", renamed).status_code == 200
    shown = member.get(f"{BASE}/{eid}").get_json()["event"]
    assert [d["decision"] for d in shown["decisions"]] == [d["decision"] + "!" for d in event["decisions"]]
