"""The list's total and page ids are kept while the index and the catalog stay at their positions
(api/invision/reads.py ``Kept``): every write that changes what a query lists (create, a new time,
hide and show, a calendar move, delete) changes the next answer to the same query at once."""

from __future__ import annotations

from typing import Any

from tests.api.invision.conftest import event_form

MARCH = {"rangeStart": "2030-03-01", "rangeEnd": "2030-03-31", "calendars": "1", "perPage": "1"}


def _listed(client: Any, query: dict[str, str]) -> tuple[int, list[int]]:
    body = client.get("/events", query).get_json()
    return body["totalResults"], [x["id"] for x in body["results"]]


def test_total_and_page_follow_every_write(ic: Any) -> None:
    sysop, org, member = ic("KSys", "sysop", "event-organizer"), ic("KOrg", "event-organizer"), ic("KMem")
    a = org.post("/events", event_form(start="2030-03-05 10:00", end="2030-03-05 11:00")).get_json()["id"]
    for _ in range(2):  # the second answer is the kept one
        assert _listed(member, MARCH) == (1, [a])
    b = org.post("/events", event_form(start="2030-03-02 10:00", end="2030-03-02 11:00")).get_json()["id"]
    assert _listed(member, MARCH) == (2, [a])
    assert _listed(member, {**MARCH, "page": "2"}) == (2, [b])
    assert (
        org.post(f"/events/{a}", {"start": "2030-04-05 10:00", "end": "2030-04-05 11:00"}).status_code == 200
    )
    assert _listed(member, MARCH) == (1, [b])
    assert org.post(f"/events/{b}", {"hidden": "1"}).status_code == 200
    assert _listed(member, MARCH) == (0, [])
    assert _listed(org, MARCH) == (1, [b])  # its organizer still sees it
    assert org.post(f"/events/{b}", {"hidden": "0"}).status_code == 200
    assert _listed(member, MARCH) == (1, [b])
    cid = sysop.post("/calendars", {"title": "Elsewhere"}).get_json()["id"]
    assert org.post(f"/events/{b}", {"calendar": str(cid)}).status_code == 200
    assert _listed(member, MARCH) == (0, [])
    assert _listed(member, {**MARCH, "calendars": str(cid)}) == (1, [b])
    assert org.delete(f"/events/{b}").status_code == 200
    assert _listed(member, {**MARCH, "calendars": str(cid)}) == (0, [])
