"""The audience, decision and vote facts in the event's audit history (v0's GET …/history), each
with who and when; a vote's note never appears."""

from __future__ import annotations

from typing import Any

from tests.api.datepoll.conftest import BASE, event_body, make_group, make_subgroup


def test_poll_facts_in_history(dp: Any, api: Any, services: Any) -> None:
    admin, member = dp("Boss", "event-organizer"), dp("Member")
    event = admin.post(f"{BASE}/administration/avent", event_body(forEveryone=False)).get_json()["event"]
    eid, ja = event["id"], event["decisions"][0]["id"]
    g = make_group(services, "Band")
    s = make_subgroup(services, make_group(services, "Chor"), "Alt")
    admin.post(f"{BASE}/administration/addGroupToEvent", {"event_id": eid, "group_id": g})
    admin.post(f"{BASE}/administration/addSubgroupToEvent", {"event_id": eid, "subgroup_id": s})
    admin.post(f"{BASE}/administration/removeGroupFromEvent", {"event_id": eid, "group_id": g})
    admin.post(
        f"{BASE}/administration/avent/{eid}/voteForUsers",
        {"decision_id": ja, "user_ids": [member.user.user_id], "additional_information": "secret note"},
    )
    admin.post(f"{BASE}/administration/avent/{eid}/cancelVotingForUsers", {"user_ids": [member.user.user_id]})
    update = event_body(forEveryone=True)
    update["decisions"] = [{**event["decisions"][0], "decision": "Yes", "show_in_calendar": True}]
    update["dates"] = [{**d, "id": x["id"]} for d, x in zip(update["dates"], event["dates"], strict=True)]
    assert admin.put(f"{BASE}/administration/avent/{eid}", update).status_code == 200
    resp = api(admin.user).get(f"/campaignevents/v0/event_registration/{eid}/history")
    assert resp.status_code == 200, resp.get_json()
    entries = resp.get_json()["history"] if isinstance(resp.get_json(), dict) else resp.get_json()
    kinds = [e["kind"] for e in entries]
    for kind in (
        "audience-changed",
        "decision-added",
        "audience-group-attached",
        "audience-subgroup-attached",
        "audience-group-detached",
        "vote-cast",
        "vote-removed",
        "decision-changed",
        "decision-removed",
    ):
        assert kind in kinds, (kind, kinds)
    cast = next(e for e in entries if e["kind"] == "vote-cast")
    assert cast["decision_id"] == ja and cast["participant"]["user_id"] == member.user.user_id
    assert cast["user_id"] == admin.user.user_id  # who cast it
    assert "secret note" not in resp.get_data(as_text=True)
    changed = next(e for e in entries if e["kind"] == "decision-changed")
    assert (changed["decision"], changed["show_in_calendar"]) == ("Yes", True)
    attached = next(e for e in entries if e["kind"] == "audience-subgroup-attached")
    assert attached["subgroup_id"] == s
