"""The list's pages (api/invision/reads.py ``page``): a page in the second half is read from the end
in the reverse order, and is the same page the forward order gives, for every sort and direction;
a range holds a repeating event by its occurrences, asked only when they straddle both its ends."""

from __future__ import annotations

from typing import Any

from api.invision import index
from projections import content
from tests.api.invision.conftest import event_form

TITLES = ["Delta", "Alpha", "Echo", "Charlie", "Bravo", "Golf", "Foxtrot"]


def _ids(client: Any, query: dict[str, str]) -> tuple[int, list[int]]:
    body = client.get("/events", query).get_json()
    return body["totalResults"], [x["id"] for x in body["results"]]


def _caught_up(services: Any) -> None:
    """Every write seen by the index (each write waits for it, but boundedly: a busy machine)."""
    head = services.app.recorder.max_notification_id() or 0
    assert services.store.wait_for_all(head, (index.NAME, content.NAME), timeout=60)


def test_pages_from_the_end_are_the_forward_pages(ic: Any, services: Any) -> None:
    org, member = ic("PgOrg", "event-organizer"), ic("PgMember")
    for n, title in enumerate(TITLES):
        day = 1 + (n * 5) % 7  # starts and ends in another order than the ids and titles
        form = event_form(title=title, start=f"2030-04-0{day} 10:00", end=f"2030-04-0{day} {11 + n}:00")
        assert org.post("/events", form).status_code == 201
    _caught_up(services)
    for sort in ("", "title", "start", "end", "date"):
        for direction in ("asc", "desc"):
            query = {"sortBy": sort, "sortDir": direction} if sort else {"sortDir": direction}
            total, every = _ids(member, {**query, "perPage": "100"})
            assert total == len(TITLES) and len(set(every)) == total
            for per_page in (1, 2, 3):
                pages = -(-total // per_page)
                shown: list[int] = []
                for number in range(1, pages + 2):  # and one page past the end
                    got = _ids(member, {**query, "perPage": str(per_page), "page": str(number)})
                    assert got[0] == total
                    shown += got[1]
                assert shown == every, (sort, direction, per_page)
    by_title = _ids(member, {"sortBy": "title", "perPage": "100"})[1]
    titles = [member.get(f"/events/{i}").get_json()["title"] for i in by_title]
    assert titles == sorted(TITLES)


def test_a_range_between_two_occurrences_holds_no_repeating_event(ic: Any) -> None:
    org = ic("RgOrg", "event-organizer")
    # Tuesdays from 2030-01-01, 10:00-11:00 UTC (event_form's times are UTC), one with 3 of them
    weekly = org.post(
        "/events", event_form(start="2030-01-01 10:00", end="2030-01-01 11:00", recurrence="FREQ=WEEKLY")
    ).get_json()["id"]
    three = org.post(
        "/events",
        event_form(start="2030-01-01 10:00", end="2030-01-01 11:00", recurrence="FREQ=WEEKLY;COUNT=3"),
    ).get_json()["id"]

    def listed(**bounds: str) -> list[int]:
        return _ids(org, {"perPage": "100", **bounds})[1]

    assert listed(rangeStart="2030-03-06", rangeEnd="2030-03-11") == []  # Wednesday to Monday
    assert listed(rangeStart="2030-03-05", rangeEnd="2030-03-05") == [weekly]
    assert listed(rangeStart="2030-01-02", rangeEnd="2030-01-07") == []
    assert listed(rangeStart="2030-01-08", rangeEnd="2030-01-14") == [weekly, three]
    assert listed(rangeStart="2030-01-16") == [weekly]  # after the third Tuesday
    assert listed(rangeStart="2030-01-15") == [weekly, three]
    assert listed(rangeEnd="2029-12-31") == []
    assert listed(rangeEnd="2030-01-01") == [weekly, three]
