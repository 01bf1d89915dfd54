"""An event id in a DatePoll path or body is ASCII digits: other Unicode digits ("²", which
``int`` refuses - it was a 500 - and "١", which ``int`` reads as 1) are an unknown event, 404 in
DatePoll's words, never another event."""

from __future__ import annotations

from typing import Any

from tests.api.datepoll.conftest import BASE, event_body

NOT_FOUND = {"msg": "Event not found"}


def test_non_ascii_digits_are_an_unknown_event(dp: Any) -> None:
    admin = dp("Boss", "event-organizer")
    made = admin.post(f"{BASE}/administration/avent", event_body())
    assert made.status_code == 201 and made.get_json()["event"]["id"] == 1
    assert admin.get(f"{BASE}/1").status_code == 200
    for raw in ("²", "1²", "١", "１"):
        resp = admin.get(f"{BASE}/{raw}")
        assert (resp.status_code, resp.get_json()) == (404, NOT_FOUND), raw
        resp = admin.delete(f"{BASE}/vote/{raw}")
        assert resp.status_code == 404, raw
