"""The worklist (seed 004): the public, paged GET .../event_registration/{id}/worklist and the
organizers' PATCH that changes it.

The first five tests are the story's Gherkin scenarios, one test each, named after them (the story
speaks of registration 42, so those tests make 41 registrations first). The others pin the rest of
the contract in ``API.md`` ("The worklist"): database-key titles, order added, no duplicates, adds
before removes, the limits of ``limit``/``offset``, the errors, and the PATCH's permissions, which are
those of editing the registration.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from domain import commands
from tests.api.helpers import assert_reply, error, path_error, registration_body
from tests.unit.test_application import details

BASE = "/campaignevents/v0/event_registration"
AT = "2026-11-22T12:00:00Z"  # the fake clock's start, as the worklist shows it
FIELDS = ["id", "page_title", "wiki_id", "added_by_user_id", "added_at"]
FIVE = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"]

pytestmark = pytest.mark.usefixtures("cheap_passwords")


# --- helpers -----------------------------------------------------------------------------------
def worklist(event_id: object, query: str = "") -> str:
    return f"{BASE}/{event_id}/worklist{query}"


NOT_FOUND = error(
    "campaignevents-rest-get-worklist-not-found", "There is no event registration with this ID.", 404
)
EVENT_NOT_FOUND = error("campaignevents-rest-event-not-found", "There is no event with this ID.", 404)
EDIT_DENIED = error(
    "campaignevents-edit-not-allowed-registration",
    "You are not allowed to edit this event registration.",
    403,
)
DELETED = error("campaignevents-edit-registration-deleted", "This event registration was deleted.", 400)
TOKEN_MISSING = error(
    "rest-badtoken",
    "The <var>token</var> parameter is required unless using a CSRF-safe authentication method.",
    403,
)


def invalid_wiki(wiki: str) -> dict[str, Any]:
    return error("campaignevents-worklist-invalid-wiki", f"Unknown wiki: {wiki}", 400)


def invalid_title(title: str) -> dict[str, Any]:
    return error("campaignevents-worklist-invalid-title", f"Invalid page title: {title}", 400)


def change(client: Any, event_id: object, add: Any = None, remove: Any = None) -> Any:
    body: dict[str, Any] = {}
    if add is not None:
        body["add"] = add
    if remove is not None:
        body["remove"] = remove
    return client.request("PATCH", worklist(event_id), body)


def changed(client: Any, event_id: object, add: Any = None, remove: Any = None) -> None:
    resp = change(client, event_id, add, remove)
    assert (resp.status_code, resp.get_data()) == (204, b""), resp.get_data(as_text=True)


def articles(client: Any, event_id: object, query: str = "?limit=500") -> list[tuple[str, str]]:
    """The whole worklist as (wiki id, title), in order."""
    resp = client.get(worklist(event_id, query))
    assert resp.status_code == 200, resp.get_json()
    return [(a["wiki_id"], a["page_title"]) for a in resp.get_json()["articles"]]


def article(article_id: int, title: str, wiki: str, by: int, at: str = AT) -> dict[str, Any]:
    return {"id": article_id, "page_title": title, "wiki_id": wiki, "added_by_user_id": by, "added_at": at}


# --- fixtures ----------------------------------------------------------------------------------
# cheap passwords: tests/conftest.py (pytestmark above); the projector stops in ``services``' teardown


@pytest.fixture
def olga(api: Any, make_user: Any) -> Any:
    """The event's creator (an event organizer)."""
    return api(make_user("Olga", "event-organizer"))


@pytest.fixture
def event(olga: Any) -> int:
    resp = olga.post(BASE, registration_body())
    assert resp.status_code == 201, resp.get_json()
    event_id: int = resp.get_json()["id"]
    return event_id


@pytest.fixture
def event_42(olga: Any, services: Any) -> int:
    """Event registration 42 (ids are handed out from 1: 41 others come first)."""
    for n in range(1, 42):
        services.app.enable_registration(
            commands.EnableRegistration(olga.user.user_id, details(f"Event:Filler {n}"))
        )
    resp = olga.post(BASE, registration_body("Event:The answer"))
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["id"] == 42
    return 42


@pytest.fixture
def five_articles(olga: Any, event_42: int) -> int:
    changed(olga, event_42, add={"enwiki": FIVE})
    return event_42


# --- the story's Gherkin scenarios ---------------------------------------------------------------
def test_successful_paginated_response(api: Any, five_articles: int) -> None:
    resp = api().get(worklist(42, "?limit=3&offset=0"))
    assert resp.status_code == 200
    body = resp.get_json()
    assert len(body["articles"]) == 3
    assert all(list(item) == FIELDS for item in body["articles"])
    assert body["total"] == 5
    assert [a["page_title"] for a in body["articles"]] == FIVE[:3]


def test_paginated_response_second_page(api: Any, five_articles: int) -> None:
    resp = api().get(worklist(42, "?limit=3&offset=3"))
    assert resp.status_code == 200
    body = resp.get_json()
    assert len(body["articles"]) == 2
    assert body["total"] == 5
    assert [a["page_title"] for a in body["articles"]] == FIVE[3:]


def test_default_pagination_when_no_parameters_provided(api: Any, five_articles: int) -> None:
    resp = api().get(worklist(42))
    assert resp.status_code == 200
    assert len(resp.get_json()["articles"]) == 5
    assert resp.get_json()["total"] == 5


def test_event_not_found_returns_404(api: Any, event: int) -> None:
    assert_reply(api().get(worklist(9999)), 404, NOT_FOUND)


def test_empty_worklist_returns_empty_array(api: Any, event_42: int) -> None:
    assert_reply(api().get(worklist(42)), 200, {"articles": [], "total": 0})


# --- GET: the body, the order, the paging ---------------------------------------------------------
def test_the_whole_body_in_the_order_added(
    api: Any, olga: Any, make_user: Any, event: int, clock: Any, services: Any
) -> None:
    bob = api(make_user("Bob", "event-organizer"))
    services.app.set_organizers(commands.SetOrganizers(olga.user.user_id, event, ("Olga", "Bob")))
    changed(olga, event, add={"enwiki": ["Main Page"], "frwiki": ["Paris"]})
    clock.advance(minutes=90, seconds=7)
    changed(bob, event, add={"local": ["Zebra"], "enwiki": ["Aardvark"]})
    later = "2026-11-22T13:30:07Z"
    assert_reply(
        api().get(worklist(event)),
        200,
        {
            "articles": [
                article(1, "Main_Page", "enwiki", olga.user.user_id),
                article(2, "Paris", "frwiki", olga.user.user_id),
                article(3, "Zebra", "local", bob.user.user_id, later),
                article(4, "Aardvark", "enwiki", bob.user.user_id, later),
            ],
            "total": 4,
        },
    )


def test_default_limit_is_20(api: Any, olga: Any, event: int) -> None:
    titles = [f"Page {n:02d}" for n in range(25)]
    changed(olga, event, add={"enwiki": titles})
    first = api().get(worklist(event)).get_json()
    assert (len(first["articles"]), first["total"]) == (20, 25)
    assert [a["page_title"] for a in first["articles"]] == [t.replace(" ", "_") for t in titles[:20]]
    rest = api().get(worklist(event, "?offset=20")).get_json()
    assert [a["id"] for a in rest["articles"]] == [21, 22, 23, 24, 25]
    assert rest["total"] == 25


def test_limit_500_is_allowed(api: Any, olga: Any, event: int) -> None:
    changed(olga, event, add={"enwiki": [f"P{n}" for n in range(505)]})
    body = api().get(worklist(event, "?limit=500")).get_json()
    assert (len(body["articles"]), body["total"]) == (500, 505)
    assert [a["id"] for a in api().get(worklist(event, "?limit=500&offset=500")).get_json()["articles"]] == [
        501,
        502,
        503,
        504,
        505,
    ]


def test_an_offset_past_the_end_is_an_empty_page(api: Any, olga: Any, event: int) -> None:
    changed(olga, event, add={"enwiki": ["A", "B"]})
    assert_reply(api().get(worklist(event, "?offset=2")), 200, {"articles": [], "total": 2})
    assert_reply(api().get(worklist(event, "?offset=1000000&limit=500")), 200, {"articles": [], "total": 2})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "?limit=abc",
            path_error("limit", "abc", "badinteger", 'Invalid value "abc" for integer parameter "limit".'),
        ),
        (
            "?limit=2.5",
            path_error("limit", "2.5", "badinteger", 'Invalid value "2.5" for integer parameter "limit".'),
        ),
        (
            "?offset=x",
            path_error("offset", "x", "badinteger", 'Invalid value "x" for integer parameter "offset".'),
        ),
        (
            "?limit=501",
            path_error(
                "limit",
                "501",
                "outofrange",
                'The value "501" for parameter "limit" must be between 1 and 500.',
                {"min": 1, "curmax": 500, "max": 500, "highmax": 500},
            ),
        ),
        (
            "?limit=0",
            path_error(
                "limit",
                "0",
                "outofrange",
                'The value "0" for parameter "limit" must be between 1 and 500.',
                {"min": 1, "curmax": 500, "max": 500, "highmax": 500},
            ),
        ),
        (
            "?offset=-1",
            path_error(
                "offset",
                "-1",
                "outofrange",
                'The value "-1" for parameter "offset" must be no less than 0.',
                {"min": 0, "curmax": None, "max": None, "highmax": None},
            ),
        ),
    ],
)
def test_a_bad_limit_or_offset_is_a_400(api: Any, event: int, query: str, expected: dict[str, Any]) -> None:
    assert_reply(api().get(worklist(event, query)), 400, expected)


@pytest.mark.parametrize("event_id", ["0", "-1", "2"])
def test_zero_negative_and_unknown_ids_are_404(api: Any, event: int, event_id: str) -> None:
    assert_reply(api().get(worklist(event_id)), 404, NOT_FOUND)


def test_a_non_integer_id_is_a_400(api: Any) -> None:
    assert_reply(
        api().get(worklist("abc")),
        400,
        path_error("id", "abc", "badinteger", 'Invalid value "abc" for integer parameter "id".'),
    )


def test_the_bad_parameter_is_reported_before_the_missing_event(api: Any) -> None:
    assert api().get(worklist(9999, "?limit=0")).get_json()["failureCode"] == "outofrange"


def test_each_event_has_its_own_worklist(api: Any, olga: Any, event: int) -> None:
    other = olga.post(BASE, registration_body("Event:Other")).get_json()["id"]
    changed(olga, event, add={"enwiki": ["A", "B"]})
    changed(olga, other, add={"enwiki": ["B", "C", "D"]})
    changed(olga, event, remove={"enwiki": ["B"]})
    assert_reply(
        api().get(worklist(event)),
        200,
        {"articles": [article(1, "A", "enwiki", olga.user.user_id)], "total": 1},
    )
    body = api().get(worklist(other)).get_json()
    assert [(a["id"], a["page_title"]) for a in body["articles"]] == [(1, "B"), (2, "C"), (3, "D")]
    assert body["total"] == 3


# --- PATCH: titles, duplicates, adds before removes ------------------------------------------------
def test_a_change_is_a_204_with_no_body(olga: Any, event: int) -> None:
    resp = change(olga, event, add={"enwiki": ["Main Page"]})
    assert (resp.status_code, resp.get_data()) == (204, b"")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Main Page", "Main_Page"),
        ("main page", "Main_page"),
        ("Main_Page", "Main_Page"),
        ("  Foo   bar  ", "Foo_bar"),
        ("Foo__bar", "Foo_bar"),
        ("talk:foo bar", "Talk:Foo_bar"),
        ("Event:Spring meetup", "Event:Spring_meetup"),
        (":Leading colon", "Leading_colon"),
    ],
)
def test_titles_are_kept_in_database_key_form(api: Any, olga: Any, event: int, given: str, kept: str) -> None:
    changed(olga, event, add={"enwiki": [given]})
    assert articles(api(), event) == [("enwiki", kept)]


def test_a_title_already_present_is_not_added_twice(api: Any, olga: Any, event: int) -> None:
    changed(olga, event, add={"enwiki": ["Main Page", "Main_Page", "main Page", "Other"]})
    changed(olga, event, add={"enwiki": [" Main  Page ", "Other", "New"]})
    assert articles(api(), event) == [("enwiki", "Main_Page"), ("enwiki", "Other"), ("enwiki", "New")]
    assert [a["id"] for a in api().get(worklist(event)).get_json()["articles"]] == [1, 2, 3]


def test_the_same_title_on_two_wikis_is_two_articles(api: Any, olga: Any, event: int) -> None:
    changed(olga, event, add={"enwiki": ["Main Page"], "frwiki": ["Main Page"]})
    assert articles(api(), event) == [("enwiki", "Main_Page"), ("frwiki", "Main_Page")]
    changed(olga, event, remove={"frwiki": ["Main Page"]})
    assert articles(api(), event) == [("enwiki", "Main_Page")]


def test_the_service_s_own_wiki_id_is_a_known_wiki(api: Any, olga: Any, event: int) -> None:
    changed(olga, event, add={"local": ["Home"]})
    assert articles(api(), event) == [("local", "Home")]


def test_adds_come_before_removes(api: Any, olga: Any, event: int) -> None:
    changed(olga, event, add={"enwiki": ["Kept", "Old"]})
    # "New" is added then removed; "Old" is present, re-added (no-op) and removed
    changed(olga, event, add={"enwiki": ["New", "Old", "Fresh"]}, remove={"enwiki": ["new", "Old"]})
    assert articles(api(), event) == [("enwiki", "Kept"), ("enwiki", "Fresh")]


def test_removing_keeps_the_order_and_the_ids_of_the_others(api: Any, olga: Any, event: int) -> None:
    changed(olga, event, add={"enwiki": ["A", "B", "C", "D", "E"]})
    changed(olga, event, remove={"enwiki": ["B", "D"]})
    body = api().get(worklist(event, "?limit=2&offset=1")).get_json()
    assert [(a["id"], a["page_title"]) for a in body["articles"]] == [(3, "C"), (5, "E")]
    assert body["total"] == 3


def test_an_article_added_again_gets_a_new_id_at_the_end(api: Any, olga: Any, event: int) -> None:
    changed(olga, event, add={"enwiki": ["A", "B", "C"]})
    changed(olga, event, remove={"enwiki": ["A"]})
    changed(olga, event, add={"enwiki": ["A"]})
    body = api().get(worklist(event)).get_json()
    assert [(a["id"], a["page_title"]) for a in body["articles"]] == [(2, "B"), (3, "C"), (4, "A")]


def test_removing_an_absent_title_changes_nothing(api: Any, olga: Any, event: int) -> None:
    changed(olga, event, add={"enwiki": ["A"]})
    changed(olga, event, remove={"enwiki": ["Nope"], "frwiki": ["A"]})
    changed(olga, event)
    changed(olga, event, add={}, remove=[])
    assert articles(api(), event) == [("enwiki", "A")]


def test_concurrent_changes_lose_nothing(api: Any, olga: Any, event: int) -> None:
    """Eight organizers' requests at once on a worklist that does not exist yet: every title is kept,
    each with its own id."""
    statuses: list[int] = []

    def add(n: int) -> None:
        statuses.append(
            change(api(olga.user), event, add={"enwiki": [f"T{n}-{k}" for k in range(5)]}).status_code
        )

    threads = [threading.Thread(target=add, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [204] * 8
    body = api().get(worklist(event, "?limit=500")).get_json()
    assert body["total"] == 40
    assert sorted(a["id"] for a in body["articles"]) == list(range(1, 41))
    assert sorted(a["page_title"] for a in body["articles"]) == sorted(
        f"T{n}-{k}" for n in range(8) for k in range(5)
    )


# --- PATCH: errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("side", ["add", "remove"])
def test_an_unknown_wiki_is_a_400_and_nothing_changes(api: Any, olga: Any, event: int, side: str) -> None:
    changed(olga, event, add={"enwiki": ["A"]})
    body = {"add": {"enwiki": ["B"]}, side: {"enwiki": ["C"], "dewiki": ["X"]}}
    assert_reply(olga.request("PATCH", worklist(event), body), 400, invalid_wiki("dewiki"))
    assert_reply(change(olga, event, add={"*": ["B"]}), 400, invalid_wiki("*"))
    assert articles(api(), event) == [("enwiki", "A")]


@pytest.mark.parametrize("title", ["A<b", "[[Link]]", "Foo|bar", "", "   ", "Special:Random", "a" * 256])
def test_an_invalid_title_is_a_400_and_nothing_changes(api: Any, olga: Any, event: int, title: str) -> None:
    assert_reply(change(olga, event, add={"enwiki": ["Good", title]}), 400, invalid_title(title))
    assert_reply(change(olga, event, remove={"frwiki": [title]}), 400, invalid_title(title))
    assert articles(api(), event) == []


@pytest.mark.parametrize(
    "body",
    [
        {"add": ["Main Page"]},
        {"add": {"enwiki": "Main Page"}},
        {"add": {"enwiki": [1]}},
        {"remove": "Main Page"},
    ],
)
def test_a_malformed_delta_is_a_body_validation_error(olga: Any, event: int, body: dict[str, Any]) -> None:
    resp = olga.request("PATCH", worklist(event), body)
    got = resp.get_json()
    assert resp.status_code == 400, got
    assert (got["errorKey"], got["failureCode"], got["name"]) == (
        "rest-body-validation-error",
        "badvalue",
        next(iter(body)),
    )


def test_an_extraneous_body_field_is_refused(olga: Any, event: int) -> None:
    resp = olga.request("PATCH", worklist(event), {"add": {"enwiki": ["A"]}, "replace": True})
    got = resp.get_json()
    assert resp.status_code == 400
    assert (got["errorKey"], got["failureData"]) == ("rest-extraneous-body-fields", ["replace"])


def test_an_unknown_event_is_a_404(olga: Any) -> None:
    assert_reply(change(olga, 9999, add={"enwiki": ["A"]}), 404, EVENT_NOT_FOUND)
    assert_reply(change(olga, 0, add={"enwiki": ["A"]}), 404, EVENT_NOT_FOUND)


# --- PATCH: who may, as for editing --------------------------------------------------------------
def test_users_who_may_not_edit_the_registration_get_403(
    api: Any, make_user: Any, olga: Any, event: int
) -> None:
    outsiders = [
        api(make_user("Carol")),  # no rights
        api(make_user("Oscar", "event-organizer")),  # may organize, but not this event
        api(make_user("Admin", "sysop")),  # sysops may not edit others' registrations either
    ]
    for outsider in outsiders:
        assert_reply(change(outsider, event, add={"enwiki": ["A"]}), 403, EDIT_DENIED)
    assert articles(api(), event) == []


def test_an_anonymous_change_needs_a_token_first(api: Any, event: int) -> None:
    assert_reply(change(api(), event, add={"enwiki": ["A"]}), 403, TOKEN_MISSING)


def test_a_co_organizer_may_change_it(api: Any, olga: Any, make_user: Any, event: int, services: Any) -> None:
    bob = api(make_user("Bob", "event-organizer"))
    assert_reply(change(bob, event, add={"enwiki": ["A"]}), 403, EDIT_DENIED)
    services.app.set_organizers(commands.SetOrganizers(olga.user.user_id, event, ("Olga", "Bob")))
    changed(bob, event, add={"enwiki": ["A"]})
    assert api().get(worklist(event)).get_json()["articles"][0]["added_by_user_id"] == bob.user.user_id


def test_a_removed_organizer_may_no_longer_change_it(
    api: Any, olga: Any, make_user: Any, event: int, services: Any
) -> None:
    bob = api(make_user("Bob", "event-organizer"))
    services.app.set_organizers(commands.SetOrganizers(olga.user.user_id, event, ("Olga", "Bob")))
    services.app.set_organizers(commands.SetOrganizers(olga.user.user_id, event, ("Olga",)))
    assert_reply(change(bob, event, add={"enwiki": ["A"]}), 403, EDIT_DENIED)


def test_a_blocked_organizer_gets_403(api: Any, olga: Any, event: int, services: Any) -> None:
    services.app.block_user(commands.BlockUser("Olga"))
    assert_reply(change(olga, event, add={"enwiki": ["A"]}), 403, EDIT_DENIED)
    assert articles(api(), event) == []


def test_a_session_change_needs_the_csrf_token(api: Any, olga: Any, event: int) -> None:
    session = api(olga.user, session=True)
    changed(session, event, add={"enwiki": ["With token"]})
    resp = session.client.open(worklist(event), method="PATCH", json={"add": {"enwiki": ["Without token"]}})
    assert_reply(resp, 403, TOKEN_MISSING)
    assert articles(api(), event) == [("enwiki", "With_token")]


def test_a_deleted_registration_cannot_be_changed(api: Any, olga: Any, make_user: Any, event: int) -> None:
    changed(olga, event, add={"enwiki": ["A"]})
    assert olga.delete(f"{BASE}/{event}").status_code == 204
    assert_reply(change(olga, event, add={"enwiki": ["B"]}), 400, DELETED)
    assert_reply(change(olga, event, remove={"enwiki": ["A"]}), 400, DELETED)
    # as for editing, the permission is checked before the deletion
    assert_reply(change(api(make_user("Carol")), event, add={"enwiki": ["B"]}), 403, EDIT_DENIED)


def test_as_for_editing_invalid_data_comes_before_the_permission(
    api: Any, make_user: Any, event: int
) -> None:
    carol = api(make_user("Carol"))
    assert_reply(change(carol, event, add={"dewiki": ["A"]}), 400, invalid_wiki("dewiki"))
    assert_reply(change(carol, event, add={"enwiki": ["A<b"]}), 400, invalid_title("A<b"))
    # ...and after the lookup
    assert_reply(change(carol, 9999, add={"dewiki": ["A"]}), 404, EVENT_NOT_FOUND)
