"""The audit history of a registration (GET .../history) and time travel (``as_of`` on GET
.../event_registration/{id} and GET .../participants).

``story`` drives one registration through every kind of fact the history lists, one minute apart on
the fake clock, through the API; the tests read it back whole (who, when, what), page it, look for
leaked answers, and hide private participants' entries from a viewer who may read the history but
not see private participants. Time travel is checked against the same kind of timeline: the details
and the participant list as they were at a moment, before and after each change.

Jobs (confirmation e-mails, mailings) are recorded instead of run: these tests read facts, not mail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from domain import accounts, commands
from domain.accounts import RIGHT_VIEW_PRIVATE
from tests.api.helpers import assert_reply, error, path_error, registration_body, url
from workers.queues import InProcessQueue

BASE = "/campaignevents/v0/event_registration"
SECRET = "Secret-Affiliate-Of-Carol-7f3a"
CAROL_ANSWERS = {"age": {"value": 8}, "profession": {"value": 10}, "affiliate": {"value": 1, "other": SECRET}}
CAROL_OPTIONS = {8, 10}  # the option numbers Carol chose (1 is also an id: checked by key below)
ENTRY_KEYS = ["id", "at", "kind", "user_id", "user_name"]
START, END = "20300101100000", "20300101180000"  # registration_body's times
START_2, END_2 = "20300102100000", "20300102180000"

pytestmark = pytest.mark.usefixtures("cheap_passwords")


# --- helpers -----------------------------------------------------------------------------------
def history(event_id: object, query: str = "") -> str:
    return url(event_id, "/history" + query)


HISTORY_DENIED = error(
    "campaignevents-rest-history-permission-denied",
    "You are not allowed to see the history of this event registration.",
    403,
)
EVENT_NOT_FOUND = error("campaignevents-rest-event-not-found", "There is no event with this ID.", 404)
GET_DELETED = error(
    "campaignevents-rest-get-registration-deleted", "This event registration was deleted.", 404
)
CANNOT_SEE_PRIVATE = "campaignevents-rest-list-participants-cannot-see-private"


def ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_data(as_text=True)
    return resp.get_json()


def sync(services: Any) -> None:
    """Let the read models reach the head of the log (e-mail and aggregation write outside a
    request's read-your-writes)."""
    assert services.store.wait_for(services.app.recorder.max_notification_id(), "catalog")


def edit(client: Any, event_id: int, **fields: Any) -> None:
    body = registration_body(**{"start_time": START_2, "end_time": END_2, "status": "open", **fields})
    assert client.put(url(event_id), body).status_code == 204


def register(client: Any, event_id: int, private: bool = False, answers: Any = None) -> None:
    body: dict[str, Any] = {"is_private": private}
    if answers is not None:
        body["answers"] = answers
    assert ok(client.put(url(event_id, "/participants/self"), body)) == {"modified": True}


def entry(entry_id: int, at: str, kind: str, by: Any, **rest: Any) -> dict[str, Any]:
    """An expected history entry; ``by`` is the performer's client (None: the system)."""
    shown = {
        "id": entry_id,
        "at": f"2026-11-22T{at}Z" if len(at) == 8 else at,
        "kind": kind,
        "user_id": by.user.user_id if by is not None else None,
        "user_name": by.user.name if by is not None else None,
    }
    return {**shown, **rest}


def about(client: Any, private: bool) -> dict[str, Any]:
    return {
        "participant": {"user_id": client.user.user_id, "user_name": client.user.name, "private": private}
    }


def participants(client: Any, event_id: int, query: str) -> list[tuple[int, str, bool, str]]:
    rows = ok(client.get(url(event_id, "/participants" + query)))
    return [(r["participant_id"], r["user_name"], r["private"], r["user_registered_at"]) for r in rows]


def ints(value: Any) -> set[int]:
    if isinstance(value, bool):
        return set()
    if isinstance(value, int):
        return {value}
    if isinstance(value, dict):
        return set().union(*(ints(v) for k, v in value.items() if k != "id"))
    if isinstance(value, list):
        return set().union(*(ints(v) for v in value))
    return set()


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def jobs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Jobs the dispatcher enqueues, recorded and not run."""
    enqueued: list[str] = []

    def record(self: Any, func: str, *args: Any, job_id: str) -> None:
        enqueued.append(job_id)

    monkeypatch.setattr(InProcessQueue, "enqueue", record)
    return enqueued


@dataclass
class Cast:
    """Users are made in this order so that user ids (1..8) differ from organizer ids (1, 2)."""

    admin: Any
    carol: Any
    dave: Any
    erin: Any
    frank: Any
    olga: Any
    bob: Any
    oscar: Any


@pytest.fixture
def cast(api: Any, make_user: Any) -> Cast:
    return Cast(
        admin=api(make_user("Admin", "sysop")),
        carol=api(make_user("Carol")),
        dave=api(make_user("Dave")),
        erin=api(make_user("Erin")),
        frank=api(make_user("Frank")),
        olga=api(make_user("Olga", "event-organizer")),
        bob=api(make_user("Bob", "event-organizer")),
        oscar=api(make_user("Oscar", "event-organizer")),  # organizes other events, not this one
    )


@pytest.fixture
def event(cast: Cast) -> int:
    created = ok(cast.olga.post(BASE, registration_body()), 201)
    event_id: int = created["id"]
    return event_id


def story(c: Cast, event_id: int, clock: Any, services: Any) -> list[dict[str, Any]]:
    """Every kind of fact, one minute apart (the event was enabled at 12:00); returns the history
    the event's organizers should read afterwards."""

    def tick() -> None:
        clock.advance(minutes=1)

    tick()  # 12:01
    edit(c.olga, event_id)
    tick()  # 12:02
    edit(c.olga, event_id, status="closed", chat_url="https://chat.example.org/new")
    tick()  # 12:03
    edit(c.olga, event_id, chat_url=None)
    tick()  # 12:04
    assert (
        c.olga.put(url(event_id, "/organizers"), {"organizer_usernames": ["Olga", "Bob"]}).status_code == 204
    )
    tick()  # 12:05
    register(c.carol, event_id, private=True, answers=CAROL_ANSWERS)
    tick()  # 12:06
    register(c.dave, event_id)
    tick()  # 12:07
    register(c.frank, event_id)
    tick()  # 12:08
    register(c.dave, event_id, private=True)
    tick()  # 12:09
    register(c.erin, event_id, answers={"confidence": {"value": 4}})
    tick()  # 12:10
    register(c.erin, event_id, answers={})
    tick()  # 12:11
    assert ok(c.erin.delete(url(event_id, "/participants/self"))) == {"modified": True}
    tick()  # 12:12
    removed = c.olga.delete(url(event_id, "/participants"), {"user_ids": [c.dave.user.user_id]})
    assert ok(removed) == {"public": 0, "private": 1}
    tick()  # 12:13
    assert (
        c.bob.request("PATCH", url(event_id, "/worklist"), {"add": {"enwiki": ["A", "B"]}}).status_code == 204
    )
    tick()  # 12:14
    body = {"add": {"frwiki": ["C"]}, "remove": {"enwiki": ["A"]}}
    assert c.bob.request("PATCH", url(event_id, "/worklist"), body).status_code == 204
    tick()  # 12:15
    mail = {"subject": "Hello", "message": "See you there"}
    assert ok(c.olga.post(url(event_id, "/email"), mail), 202) == {"sent": 2}  # Carol and Frank
    clock.advance(days=91)  # 2027-02-21T12:15:00Z: Carol's answers are due for aggregation
    services.app.aggregate_answers()
    sync(services)
    tick()  # 2027-02-21T12:16:00Z
    assert c.admin.delete(url(event_id)).status_code == 204
    later = "2027-02-21T12:1{}:00Z".format
    return [
        entry(1, "12:00:00", "registration-enabled", c.olga, event_page="Event:PeerTest One"),
        entry(
            2,
            "12:01:00",
            "registration-edited",
            c.olga,
            changes={
                "start_time": {"old": START, "new": START_2},
                "end_time": {"old": END, "new": END_2},
            },
        ),
        entry(3, "12:02:00", "registration-closed", c.olga),
        entry(
            4,
            "12:02:00",
            "registration-edited",
            c.olga,
            changes={
                "chat_url": {"old": "https://chat.example.org/room", "new": "https://chat.example.org/new"}
            },
        ),
        entry(5, "12:03:00", "registration-reopened", c.olga),
        entry(
            6,
            "12:03:00",
            "registration-edited",
            c.olga,
            changes={"chat_url": {"old": "https://chat.example.org/new", "new": None}},
        ),
        entry(
            7,
            "12:04:00",
            "organizers-changed",
            c.olga,
            organizer_user_ids=[c.olga.user.user_id, c.bob.user.user_id],
        ),
        entry(8, "12:05:00", "participant-registered", c.carol, **about(c.carol, True)),
        entry(9, "12:05:00", "answers-submitted", c.carol, **about(c.carol, True)),
        entry(10, "12:06:00", "participant-registered", c.dave, **about(c.dave, False)),
        entry(11, "12:07:00", "participant-registered", c.frank, **about(c.frank, False)),
        entry(12, "12:08:00", "participant-privacy-changed", c.dave, **about(c.dave, True)),
        entry(13, "12:09:00", "participant-registered", c.erin, **about(c.erin, False)),
        entry(14, "12:09:00", "answers-submitted", c.erin, **about(c.erin, False)),
        entry(15, "12:10:00", "answers-removed", c.erin, **about(c.erin, False)),
        entry(16, "12:11:00", "participant-cancelled", c.erin, **about(c.erin, False)),
        entry(17, "12:12:00", "participant-removed", c.olga, **about(c.dave, True)),
        entry(18, "12:13:00", "worklist-changed", c.bob, added=2, removed=0),
        entry(19, "12:14:00", "worklist-changed", c.bob, added=1, removed=1),
        entry(20, "12:15:00", "participants-emailed", c.olga, recipients=2),
        entry(21, later(5), "answers-aggregated", None, **about(c.carol, True)),
        entry(22, later(5), "answers-counted", None, answers=3),
        entry(23, later(6), "registration-deleted", c.admin),
    ]


@pytest.fixture
def told(cast: Cast, event: int, clock: Any, services: Any) -> list[dict[str, Any]]:
    return story(cast, event, clock, services)


# --- the history, read whole -------------------------------------------------------------------------
def test_organizers_read_every_fact_in_order_with_who_and_when(cast: Cast, event: int, told: Any) -> None:
    got = ok(cast.olga.get(history(event)))
    assert [e["kind"] for e in got] == [e["kind"] for e in told]
    assert got == told
    assert all(list(e)[:5] == ENTRY_KEYS for e in got)


def test_a_co_organizer_and_a_sysop_read_the_same_history(cast: Cast, event: int, told: Any) -> None:
    assert ok(cast.bob.get(history(event))) == told
    assert ok(cast.admin.get(history(event))) == told


def test_answer_values_never_appear(cast: Cast, event: int, told: Any) -> None:
    resp = cast.olga.get(history(event))
    assert SECRET not in resp.get_data(as_text=True)
    for e in resp.get_json():
        if e["kind"].startswith("answers-"):
            extra = {k: v for k, v in e.items() if k not in [*ENTRY_KEYS, "participant"]}
            assert extra in ({}, {"answers": 3}), e  # a count, never a question, option or text
            assert not ints(e) & CAROL_OPTIONS, e


def test_the_mailing_entry_keeps_neither_subject_nor_message(cast: Cast, event: int, told: Any) -> None:
    text = cast.olga.get(history(event)).get_data(as_text=True)
    assert "See you there" not in text
    assert '"Hello"' not in text


def test_the_history_of_a_deleted_registration_stays_readable(cast: Cast, event: int, told: Any) -> None:
    assert ok(cast.olga.get(history(event)))[-1]["kind"] == "registration-deleted"


# --- paging --------------------------------------------------------------------------------------------
def test_keyset_paging_with_last_id_and_limit(cast: Cast, event: int, told: Any) -> None:
    pages = []
    last = 0
    while page := ok(cast.olga.get(history(event, f"?limit=5&last_id={last}"))):
        assert len(page) <= 5
        pages.append(page)
        last = page[-1]["id"]
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert [e for p in pages for e in p] == told
    assert ok(cast.olga.get(history(event, "?last_id=20"))) == told[20:]
    assert ok(cast.olga.get(history(event, "?last_id=23"))) == []


def test_the_default_page_is_50_entries(cast: Cast, event: int) -> None:
    for n in range(60):
        body = {"add": {"enwiki": [f"Page {n}"]}}
        assert cast.olga.request("PATCH", url(event, "/worklist"), body).status_code == 204
    first = ok(cast.olga.get(history(event)))
    assert [e["id"] for e in first] == list(range(1, 51))
    assert [e["id"] for e in ok(cast.olga.get(history(event, "?limit=500")))] == list(range(1, 62))
    assert [e["id"] for e in ok(cast.olga.get(history(event, "?last_id=50")))] == list(range(51, 62))


@pytest.mark.parametrize(
    ("query", "name", "code"),
    [
        ("?limit=0", "limit", "outofrange"),
        ("?limit=501", "limit", "outofrange"),
        ("?limit=ten", "limit", "badinteger"),
        ("?last_id=-1", "last_id", "outofrange"),
        ("?last_id=x", "last_id", "badinteger"),
    ],
)
def test_bad_paging_parameters_are_400(cast: Cast, event: int, query: str, name: str, code: str) -> None:
    got = cast.olga.get(history(event, query))
    assert got.status_code == 400
    body = got.get_json()
    assert (body["error"], body["name"], body["failureCode"]) == ("parameter-validation-failed", name, code)


# --- who may read it -------------------------------------------------------------------------------------
def test_only_organizers_and_sysops_may_read_it(api: Any, cast: Cast, event: int) -> None:
    register(cast.carol, event)
    for outsider in (api(), cast.carol, cast.oscar, cast.bob):
        assert_reply(outsider.get(history(event)), 403, HISTORY_DENIED, ordered=False)
    assert ok(cast.olga.get(history(event)))[0]["kind"] == "registration-enabled"
    assert ok(cast.admin.get(history(event)))[0]["kind"] == "registration-enabled"


def test_organizers_gained_and_lost(cast: Cast, event: int) -> None:
    assert (
        cast.olga.put(url(event, "/organizers"), {"organizer_usernames": ["Olga", "Bob"]}).status_code == 204
    )
    assert [e["kind"] for e in ok(cast.bob.get(history(event)))] == [
        "registration-enabled",
        "organizers-changed",
    ]
    assert cast.olga.put(url(event, "/organizers"), {"organizer_usernames": ["Olga"]}).status_code == 204
    assert_reply(cast.bob.get(history(event)), 403, HISTORY_DENIED, ordered=False)


def test_blocked_organizers_and_sysops_may_not(cast: Cast, event: int, services: Any) -> None:
    services.app.block_user(commands.BlockUser("Olga"))
    services.app.block_user(commands.BlockUser("Admin"))
    assert_reply(cast.olga.get(history(event)), 403, HISTORY_DENIED, ordered=False)
    assert_reply(cast.admin.get(history(event)), 403, HISTORY_DENIED, ordered=False)


def test_an_unknown_event_is_a_404_for_everyone(api: Any, cast: Cast, event: int) -> None:
    assert_reply(api().get(history(999)), 404, EVENT_NOT_FOUND, ordered=False)
    assert_reply(cast.admin.get(history(0)), 404, EVENT_NOT_FOUND, ordered=False)
    assert cast.admin.get(history("abc")).get_json()["failureCode"] == "badinteger"


# --- private participants ------------------------------------------------------------------------------
@pytest.fixture
def sysops_without_private(monkeypatch: pytest.MonkeyPatch) -> None:
    """A configuration where sysops read histories but may not see private participants (the only
    kind of history reader, here, who is not allowed to see them)."""
    monkeypatch.setitem(accounts.GROUP_RIGHTS, "sysop", accounts.GROUP_RIGHTS["sysop"] - {RIGHT_VIEW_PRIVATE})


def test_private_participants_entries_are_shown_only_to_who_may_see_them(
    cast: Cast, event: int, told: Any, sysops_without_private: None
) -> None:
    public = [e for e in told if not e.get("participant", {}).get("private")]
    shown = ok(cast.admin.get(history(event)))
    assert shown == public
    assert "Carol" not in json.dumps(shown)
    # Dave registered publicly (shown), then went private: what followed is hidden
    assert [e["kind"] for e in shown if e.get("participant", {}).get("user_name") == "Dave"] == [
        "participant-registered"
    ]
    assert ok(cast.olga.get(history(event))) == told  # organizers may see private participants


def test_the_private_filter_applies_to_keyset_pages(
    cast: Cast, event: int, told: Any, sysops_without_private: None
) -> None:
    public_ids = [e["id"] for e in told if not e.get("participant", {}).get("private")]
    page = ok(cast.admin.get(history(event, "?last_id=7&limit=3")))
    assert [e["id"] for e in page] == [i for i in public_ids if i > 7][:3]


# --- time travel: the details as they were ------------------------------------------------------------------
def details(client: Any, event_id: int, moment: str) -> Any:
    return client.get(url(event_id, f"?as_of={moment}"))


def test_details_as_they_were_before_and_after_edits(cast: Cast, event: int, clock: Any) -> None:
    original = ok(cast.olga.get(url(event)))
    clock.advance(minutes=10)
    edit(cast.olga, event)
    edited = ok(cast.olga.get(url(event)))
    clock.advance(minutes=10)
    edit(cast.olga, event, status="closed")
    closed = ok(cast.olga.get(url(event)))
    assert (original["start_time"], edited["start_time"], closed["status"]) == (START, START_2, "closed")
    assert ok(details(cast.olga, event, "20261122120000")) == original  # the very moment of creation
    assert ok(details(cast.olga, event, "20261122120959")) == original
    assert ok(details(cast.olga, event, "20261122121000")) == edited
    assert ok(details(cast.olga, event, "20261122121959")) == edited
    assert ok(details(cast.olga, event, "20261122122000")) == closed
    assert ok(details(cast.olga, event, "20991231000000")) == closed


def test_as_of_accepts_iso_8601(cast: Cast, event: int, clock: Any) -> None:
    original = ok(cast.olga.get(url(event)))
    clock.advance(minutes=10)
    edit(cast.olga, event)
    assert ok(details(cast.olga, event, "2026-11-22T12:05:00Z")) == original
    assert ok(details(cast.olga, event, "2026-11-22T12:10:00Z"))["start_time"] == START_2


def test_before_creation_there_was_no_registration(cast: Cast, event: int) -> None:
    assert_reply(details(cast.olga, event, "20261122115959"), 404, EVENT_NOT_FOUND, ordered=False)


def test_after_deletion_it_was_deleted(cast: Cast, event: int, clock: Any) -> None:
    original = ok(cast.olga.get(url(event)))
    clock.advance(hours=1)
    assert cast.olga.delete(url(event)).status_code == 204
    assert_reply(details(cast.olga, event, "20261122130000"), 404, GET_DELETED, ordered=False)
    assert_reply(details(cast.olga, event, "20270101000000"), 404, GET_DELETED, ordered=False)
    assert ok(details(cast.olga, event, "20261122125959")) == original


def test_as_of_shows_the_urls(cast: Cast, event: int) -> None:
    now = ok(cast.admin.get(url(event)))  # a sysop who neither organizes nor takes part
    assert "meeting_url" not in now and "chat_url" not in now
    then = ok(details(cast.admin, event, "20261122120000"))
    assert then == {
        **ok(cast.olga.get(url(event))),
        "meeting_url": "https://meet.example.org/abc",
        "chat_url": "https://chat.example.org/room",
    }


def test_as_of_is_for_history_readers_only(api: Any, cast: Cast, event: int) -> None:
    register(cast.carol, event)
    for outsider in (api(), cast.carol, cast.oscar):
        assert_reply(details(outsider, event, "20261122120000"), 403, HISTORY_DENIED, ordered=False)
        assert outsider.get(url(event)).status_code == 200  # without as_of the details are public


def test_a_bad_as_of_is_a_400(cast: Cast, event: int) -> None:
    expected = path_error(
        "as_of", "yesterday", "badtimestamp", 'Invalid value "yesterday" for timestamp parameter "as_of".'
    )
    assert_reply(details(cast.olga, event, "yesterday"), 400, expected, ordered=False)


def test_as_of_an_unknown_event_is_a_404(cast: Cast, event: int) -> None:
    assert_reply(details(cast.admin, 999, "20261122120000"), 404, EVENT_NOT_FOUND, ordered=False)


def test_a_registration_takes_more_edits_than_its_snapshot_interval(
    cast: Cast, event: int, clock: Any
) -> None:
    statuses = []
    for n in range(55):
        clock.advance(minutes=1)
        body = registration_body(status="open", chat_url=f"https://chat.example.org/{n}")
        statuses.append(cast.olga.put(url(event), body).status_code)
    assert statuses == [204] * 55  # more facts than any snapshot interval: no 500 at the 50th
    assert ok(cast.olga.get(url(event)))["chat_url"] == "https://chat.example.org/54"


def test_as_of_far_back_in_a_long_history(cast: Cast, event: int, clock: Any) -> None:
    """A long history (60 edits): old moments are rebuilt right."""
    for n in range(60):
        clock.advance(minutes=1)
        edit(cast.olga, event, chat_url=f"https://chat.example.org/{n}")
    assert ok(details(cast.olga, event, "20261122120500"))["chat_url"] == "https://chat.example.org/4"
    assert ok(details(cast.olga, event, "20261122125230"))["chat_url"] == "https://chat.example.org/51"
    assert ok(details(cast.olga, event, "20261122130000"))["chat_url"] == "https://chat.example.org/59"


def test_the_details_as_of_an_entry_s_time_include_that_entry(cast: Cast, event: int, clock: Any) -> None:
    clock.advance(seconds=7.5)
    edit(cast.olga, event)
    shown = ok(cast.olga.get(history(event)))[-1]
    assert (shown["kind"], shown["at"]) == ("registration-edited", "2026-11-22T12:00:07Z")
    assert ok(details(cast.olga, event, shown["at"]))["start_time"] == START_2


def test_the_participants_as_of_an_entry_s_time_include_that_entry(
    cast: Cast, event: int, clock: Any
) -> None:
    clock.advance(seconds=7.5)
    register(cast.carol, event)
    shown = ok(cast.olga.get(history(event)))[-1]
    assert (shown["kind"], shown["at"]) == ("participant-registered", "2026-11-22T12:00:07Z")
    assert [r[1] for r in participants(cast.olga, event, "?include_private=true&as_of=" + shown["at"])] == [
        "Carol"
    ]


# --- time travel: the participants as they were ---------------------------------------------------------
@pytest.fixture
def timeline(cast: Cast, event: int, clock: Any) -> Cast:
    """12:01 Carol (public), 12:02 Dave (private), 12:03 Erin (public), 12:04 Carol goes private,
    12:05 Erin cancels, 12:06 Frank registers, 12:07 Dave is removed, 12:08 Erin comes back."""
    answers = {"confidence": {"value": 3}}
    clock.advance(minutes=1)
    register(cast.carol, event, answers=answers)
    clock.advance(minutes=1)
    register(cast.dave, event, private=True)
    clock.advance(minutes=1)
    register(cast.erin, event)
    clock.advance(minutes=1)
    register(cast.carol, event, private=True, answers=answers)
    clock.advance(minutes=1)
    assert ok(cast.erin.delete(url(event, "/participants/self"))) == {"modified": True}
    clock.advance(minutes=1)
    register(cast.frank, event)
    clock.advance(minutes=1)
    removed = cast.olga.delete(url(event, "/participants"), {"user_ids": [cast.dave.user.user_id]})
    assert ok(removed) == {"public": 0, "private": 1}
    clock.advance(minutes=1)
    register(cast.erin, event)
    return cast


def at(minute: int) -> str:
    return f"2026112212{minute:02d}00"


def test_participants_as_they_were(timeline: Cast, event: int) -> None:
    olga = timeline.olga
    query = "?include_private={}&as_of={}".format
    assert participants(olga, event, query("true", "20261122120330")) == [
        (1, "Carol", False, at(1)),
        (2, "Dave", True, at(2)),
        (3, "Erin", False, at(3)),
    ]
    assert participants(olga, event, query("false", "20261122120330")) == [
        (1, "Carol", False, at(1)),
        (3, "Erin", False, at(3)),
    ]
    # Carol went private at 12:04; Erin cancelled at 12:05 but had not yet at 12:04
    assert participants(olga, event, query("false", at(4))) == [(3, "Erin", False, at(3))]
    # Frank registered later: absent before 12:06
    assert participants(olga, event, query("true", at(5))) == [
        (1, "Carol", True, at(1)),
        (2, "Dave", True, at(2)),
    ]
    # Dave was removed later: present before 12:07
    assert participants(olga, event, query("true", at(6))) == [
        (1, "Carol", True, at(1)),
        (2, "Dave", True, at(2)),
        (4, "Frank", False, at(6)),
    ]
    # Erin came back at 12:08, with her old participant id and a new registration time
    assert participants(olga, event, query("true", at(8))) == [
        (1, "Carol", True, at(1)),
        (3, "Erin", False, at(8)),
        (4, "Frank", False, at(6)),
    ]
    assert participants(olga, event, query("true", "20261122115900")) == []


def test_participants_as_of_filter_like_the_live_list(timeline: Cast, event: int) -> None:
    dave = timeline.dave.user.user_id
    query = "?include_private=true&as_of=" + at(6)
    assert [r[1] for r in participants(timeline.olga, event, query + "&username_filter=A")] == [
        "Carol",
        "Dave",
        "Frank",
    ]
    assert [r[1] for r in participants(timeline.olga, event, query + f"&exclude_users={dave}")] == [
        "Carol",
        "Frank",
    ]
    assert [r[1] for r in participants(timeline.olga, event, query + "&last_participant_id=1")] == [
        "Dave",
        "Frank",
    ]


def test_participants_as_of_have_no_answers(timeline: Cast, event: int) -> None:
    live = ok(timeline.olga.get(url(event, "/participants?include_private=true")))
    assert "non_pii_answers" in live[0]  # the organizer sees answers in the live list...
    then = ok(timeline.olga.get(url(event, "/participants?include_private=true&as_of=" + at(6))))
    assert then
    for row in then:  # ...but not in the past one
        assert list(row) == [
            "participant_id",
            "user_id",
            "user_registered_at",
            "user_registered_at_formatted",
            "private",
            "user_name",
            "user_page",
        ]


def test_participants_as_of_is_for_history_readers_only(api: Any, timeline: Cast, event: int) -> None:
    for outsider in (api(), timeline.carol, timeline.oscar):
        assert_reply(
            outsider.get(url(event, "/participants?include_private=false&as_of=" + at(6))),
            403,
            HISTORY_DENIED,
            ordered=False,
        )
    assert ok(timeline.admin.get(url(event, "/participants?include_private=true&as_of=" + at(6))))


def test_participants_as_of_needs_the_private_right_for_private_ones(
    timeline: Cast, event: int, sysops_without_private: None
) -> None:
    admin = timeline.admin
    got = admin.get(url(event, "/participants?include_private=true&as_of=" + at(6)))
    assert (got.status_code, got.get_json()["errorKey"]) == (403, CANNOT_SEE_PRIVATE)
    assert participants(admin, event, "?include_private=false&as_of=" + at(6)) == [(4, "Frank", False, at(6))]


def test_participants_as_of_page_like_the_live_list(cast: Cast, event: int, make_user: Any, api: Any) -> None:
    for n in range(25):
        register(api(make_user(f"Extra {n:02d}")), event)
    moment = "20261122120000"
    first = ok(cast.olga.get(url(event, f"/participants?include_private=true&as_of={moment}")))
    assert [r["participant_id"] for r in first] == list(range(1, 21))
    rest = ok(
        cast.olga.get(url(event, f"/participants?include_private=true&as_of={moment}&last_participant_id=20"))
    )
    assert [r["participant_id"] for r in rest] == list(range(21, 26))
