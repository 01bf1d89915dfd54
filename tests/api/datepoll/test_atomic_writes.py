"""DatePoll's create and update run several domain commands in a row: every rule a later step
applies is checked before the first write (api/datepoll/writes.py ``check``), so a body that fails
late validation is a 422 with nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.datepoll.conftest import BASE, date, event_body

ADMIN = f"{BASE}/administration"
DECISION = {"id": -1, "decision": "Ja", "show_in_calendar": True}


def _log_end(services: Any) -> int:
    return int(services.app.recorder.max_notification_id() or 0)


LATE: dict[str, tuple[dict[str, Any], str]] = {
    "decision colour": ({"decisions": [{**DECISION, "color": "#zzzzzz"}]}, "decisions"),
    "decision label of spaces": (
        {"decisions": [{**DECISION, "decision": "   ", "color": "#008b02"}]},
        "decisions",
    ),
    "latitude": ({"dates": [date("2030-01-30 15:00:00", x=95.0, y=15.0)]}, "dates"),
    "longitude": ({"dates": [date("2030-01-30 15:00:00", x=45.0, y=190.0)]}, "dates"),
    "description": ({"description": "x" * 70_000}, "name"),
}


@pytest.mark.parametrize("case", sorted(LATE))
def test_a_create_failing_late_validation_writes_nothing(dp: Any, services: Any, case: str) -> None:
    admin = dp("Boss", "event-organizer")
    overrides, field = LATE[case]
    before, events = _log_end(services), services.app.sequence("registrations").last
    resp = admin.post(f"{ADMIN}/avent", event_body(name=f"Late {case}", **overrides))
    assert resp.status_code == 422, resp.get_json()
    assert list(resp.get_json()) == [field]
    assert _log_end(services) == before
    assert services.app.sequence("registrations").last == events


@pytest.mark.parametrize("case", sorted(LATE))
def test_an_update_failing_late_validation_writes_nothing(dp: Any, services: Any, case: str) -> None:
    admin = dp("Boss", "event-organizer")
    made = admin.post(f"{ADMIN}/avent", event_body(name=f"Kept {case}"))
    assert made.status_code == 201, made.get_json()
    event = made.get_json()["event"]
    overrides, _ = LATE[case]
    if "decisions" in overrides:
        overrides = {"decisions": [{**d, "id": event["decisions"][0]["id"]} for d in overrides["decisions"]]}
    body = event_body(name=f"Renamed {case}", **{"description": "changed", "forEveryone": False, **overrides})
    if "dates" not in overrides:
        body["dates"] = [{**d, "id": d["id"]} for d in event["dates"]]
    if "decisions" not in overrides:
        body["decisions"] = event["decisions"]
    before = _log_end(services)
    resp = admin.put(f"{ADMIN}/avent/{event['id']}", body)
    assert resp.status_code == 422, resp.get_json()
    assert _log_end(services) == before
    shown = admin.get(f"{BASE}/{event['id']}").get_json()["event"]
    assert shown["name"] == f"Kept {case}" and shown["for_everyone"] in (1, True)


def test_an_update_to_a_taken_name_writes_nothing(dp: Any, services: Any) -> None:
    admin = dp("Boss", "event-organizer")
    admin.post(f"{ADMIN}/avent", event_body(name="Taken name"))
    event = admin.post(f"{ADMIN}/avent", event_body(name="Own name")).get_json()["event"]
    body = event_body(
        name="Taken name", forEveryone=False, decisions=event["decisions"], dates=event["dates"]
    )
    before = _log_end(services)
    resp = admin.put(f"{ADMIN}/avent/{event['id']}", body)
    assert resp.status_code == 422, resp.get_json()
    assert _log_end(services) == before
