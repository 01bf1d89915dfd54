"""The list's total and page ids are kept while the index's revision stays (api/invision/reads.py
``Kept``): every write that changes what a query lists (create, a new time, hide and show, a
calendar move, new organizers, delete) changes the next answer to the same query at once, and a
write that cannot (an RSVP, cancelling it) leaves the kept answer in use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from domain import commands
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


@contextmanager
def _statements(services: Any) -> Iterator[list[str]]:
    """The SQL the read store's engine runs inside the block."""
    seen: list[str] = []

    def record(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(services.store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(services.store.engine, "before_cursor_execute", record)


def _reads_list(seen: list[str]) -> bool:
    """Whether the total or the page's ids were read (not taken from the kept ones)."""
    return any("count(*)" in s or ("rm_invision_events.event_id" in s and "LIMIT" in s) for s in seen)


def test_rsvps_keep_the_list_and_new_organizers_see_a_hidden_event_at_once(ic: Any, services: Any) -> None:
    org, other, member = ic("KOrg2", "event-organizer"), ic("KOther", "event-organizer"), ic("KMem2")
    a = org.post("/events", event_form(start="2030-03-05 10:00", end="2030-03-05 11:00", rsvp="1"))
    a_id = a.get_json()["id"]
    h = org.post("/events", event_form(start="2030-03-06 10:00", end="2030-03-06 11:00"))
    hidden = h.get_json()["id"]
    assert org.post(f"/events/{hidden}", {"hidden": "1"}).status_code == 200
    wide = {**MARCH, "perPage": "25"}
    assert _listed(other, wide) == (1, [a_id])
    assert _listed(member, wide) == (1, [a_id])
    with _statements(services) as seen:
        assert _listed(other, wide) == (1, [a_id])
    assert not _reads_list(seen)  # kept
    for response in ("1", "0", "1"):  # attending, not attending, attending again: no list changes
        assert member.put(f"/events/{a_id}/rsvps/{member.user_id}", {"response": response}).status_code == 200
    assert member.delete(f"/events/{a_id}/rsvps/{member.user_id}").status_code == 200
    with _statements(services) as seen:
        assert _listed(other, wide) == (1, [a_id])
        assert _listed(member, wide) == (1, [a_id])
    assert not _reads_list(seen)  # still kept: an RSVP moves every position but not the revision
    # the hidden event's organizers change: the new one lists it at once, the one removed does not
    written = services.app.set_organizers(commands.SetOrganizers(org.user_id, hidden, ("KOther",)))
    services.written(written.position)
    with _statements(services) as seen:
        assert _listed(other, wide) == (2, [a_id, hidden])
    assert _reads_list(seen)
    assert _listed(org, wide) == (1, [a_id])
    assert _listed(member, wide) == (1, [a_id])
