"""PUT and DELETE /campaignevents/v0/event_registration/{id}: full replacement, page changes, the
check order of the reference (§1.2, §1.3) and deleted registrations (§3.4)."""

from __future__ import annotations

from typing import Any

import pytest

from domain import commands
from domain.details import Policy
from tests.api.helpers import (
    ALREADY_DELETED,
    ALREADY_REGISTERED,
    ALREADY_REGISTERED_DELETED,
    BAD_STATUS,
    BAD_TITLE,
    BASE,
    DELETE_DENIED,
    EDIT_DENIED,
    EVENT_NOT_FOUND,
    GET_CLOSED,
    GET_CREATED,
    GET_DELETED,
    GET_EDITED,
    ID_ABC,
    INVALID_TIMEZONE,
    MISSING_STATUS,
    NAMESPACE_NOT_ALLOWED,
    START_AFTER_END,
    TOKEN_INVALID,
    TOKEN_MISSING,
    TOKEN_NO_SESSION,
    People,
    assert_empty,
    assert_json,
    assert_text,
    body_error,
    create,
    edit_body,
    error,
    observed_details,
    raw,
    url,
)
from tests.conftest import registration_body

EDIT_DELETED = error("campaignevents-edit-registration-deleted", "This event registration was deleted.", 400)


@pytest.fixture
def admin(api: Any, people: People) -> Any:
    """Admin (sysop) with a cookie session; creator of registration 1."""
    client = api(people.admin, session=True)
    create(client)
    return client


@pytest.fixture
def bob(api: Any, people: People) -> Any:
    """Bob: an event organizer, but not of registration 1."""
    return api(people.bob, session=True)


# --- PUT: success --------------------------------------------------------------------------------
def test_update_then_read_back(admin: Any, api: Any) -> None:
    assert_empty(admin.put(url(1), edit_body()))  # 49
    assert_json(admin.get(url(1)), 200, observed_details(GET_EDITED))
    assert_json(api().get(url(1)), 200, observed_details(GET_EDITED, hide_urls=True))  # 50


def test_close_and_reopen(admin: Any, api: Any) -> None:
    assert_empty(admin.put(url(1), edit_body(status="closed")))  # 123
    assert_json(api().get(url(1)), 200, observed_details(GET_CLOSED, hide_urls=True))  # 125
    assert_empty(admin.put(url(1), edit_body()))  # 126
    assert api().get(url(1)).get_json()["status"] == "open"


def test_update_with_bearer(api: Any, people: People, admin: Any) -> None:
    assert_empty(api(people.admin).put(url(1), edit_body(timezone="UTC")))
    assert admin.get(url(1)).get_json()["timezone"] == "UTC"


def test_put_is_a_full_replacement(api: Any, people: People) -> None:
    alice = api(people.alice)
    create(
        alice,
        inperson_meeting=True,
        meeting_country="Italy",
        meeting_address="Via Roma 1",
        wikis=["enwiki"],
    )
    assert_empty(alice.put(url(1), edit_body(meeting_url=..., chat_url=...)))
    got = alice.get(url(1)).get_json()
    assert {
        k: got[k] for k in ("meeting_url", "chat_url", "meeting_country", "meeting_address", "wikis")
    } == {
        "meeting_url": None,
        "chat_url": None,
        "meeting_country": None,
        "meeting_address": None,
        "wikis": [],
    }
    assert (got["inperson_meeting"], got["online_meeting"]) == (False, True)


def test_put_keeps_id_name_questions_and_organizers(admin: Any) -> None:
    assert_empty(admin.put(url(1), edit_body(wikis=["*"])))
    got = admin.get(url(1)).get_json()
    assert (got["id"], got["name"], got["questions"], got["wikis"]) == (
        1,
        "PeerTest One",
        [1, 2, 3, 4, 5],
        ["*"],
    )
    assert_empty(admin.put(url(1), edit_body()))  # still an organizer


def test_start_in_the_past_is_allowed_on_edit(admin: Any) -> None:
    body = edit_body(start_time="20200101100000", end_time="20200102100000")
    assert_empty(admin.put(url(1), body))
    assert admin.get(url(1)).get_json()["start_time"] == "20200101100000"


def test_times_are_normalised_on_edit(admin: Any) -> None:
    assert_empty(admin.put(url(1), edit_body(start_time="2030-01-05T09:00:00Z", end_time=20300105170000)))
    got = admin.get(url(1)).get_json()
    assert (got["start_time"], got["end_time"]) == ("20300105090000", "20300105170000")


# --- PUT: event page changes -----------------------------------------------------------------------
def test_change_event_page_frees_the_old_page(admin: Any, api: Any) -> None:
    assert_empty(admin.put(url(1), edit_body("Event:PeerTest Three")))  # 56
    got = api().get(url(1)).get_json()
    assert (got["event_page"], got["name"]) == ("Event:PeerTest Three", "PeerTest Three")
    assert create(admin, "Event:PeerTest One") == 2
    assert_text(admin.post(BASE, registration_body("Event:PeerTest Three")), 400, ALREADY_REGISTERED)


def test_change_to_a_page_of_another_registration(admin: Any) -> None:
    create(admin, "Event:Other")
    assert_text(admin.put(url(1), edit_body("Event:Other")), 400, ALREADY_REGISTERED)
    assert admin.get(url(1)).get_json()["event_page"] == "Event:PeerTest One"


def test_change_to_a_page_of_a_deleted_registration(admin: Any) -> None:
    create(admin, "Event:Other")
    assert_empty(admin.delete(url(2)))
    assert_text(admin.put(url(1), edit_body("Event:Other")), 400, ALREADY_REGISTERED_DELETED)


def test_unchanged_page_skips_the_namespace_check(admin: Any, services: Any) -> None:
    services.app.policy = Policy(allowed_namespaces=("Project",), known_wikis=("local", "enwiki", "frwiki"))
    assert_empty(admin.put(url(1), edit_body("event:PeerTest_One")))
    assert_text(admin.put(url(1), edit_body("Event:Elsewhere")), 400, NAMESPACE_NOT_ALLOWED)
    assert_empty(admin.put(url(1), edit_body("Project:Elsewhere")))


# --- PUT: errors, in the reference's order ---------------------------------------------------------
def test_update_without_status(admin: Any) -> None:
    assert_text(admin.put(url(1), edit_body(status=...)), 400, MISSING_STATUS)  # 51


def test_update_bad_status(admin: Any) -> None:
    assert_text(admin.put(url(1), edit_body(status="weird")), 400, BAD_STATUS)  # 52


def test_empty_status_is_a_badvalue(admin: Any) -> None:
    message = 'Unrecognized value for parameter "status": .'
    assert_json(
        admin.put(url(1), edit_body(status="")), 400, body_error("status", "", "badvalue", message, [])
    )


def test_empty_event_page_is_a_badtitle(admin: Any) -> None:
    message = 'Invalid value "" for title parameter <var>event_page</var>: not a valid title string.'
    assert_json(admin.put(url(1), edit_body("")), 400, body_error("event_page", "", "badtitle", message))


def test_update_invalid_title(admin: Any) -> None:
    assert_text(admin.put(url(1), edit_body("Event:<bad>")), 400, BAD_TITLE)


def test_update_by_non_organizer(bob: Any, api: Any, people: People, admin: Any) -> None:
    assert_text(bob.put(url(1), edit_body()), 403, EDIT_DENIED)  # 53
    assert_text(api(people.carol).put(url(1), edit_body()), 403, EDIT_DENIED)
    assert_text(api(people.alice).put(url(1), edit_body()), 403, EDIT_DENIED)
    assert admin.get(url(1)).get_json()["start_time"] == "20300101100000"


def test_update_by_blocked_organizer(admin: Any, services: Any) -> None:
    services.app.block_user(commands.BlockUser("Admin"))
    assert_text(admin.put(url(1), edit_body()), 403, EDIT_DENIED)


def test_update_by_anonymous(admin: Any, api: Any) -> None:
    assert_text(api().put(url(1), edit_body(token="+\\")), 403, TOKEN_NO_SESSION)  # 54
    assert_text(api().put(url(1), edit_body()), 403, TOKEN_MISSING)


def test_update_with_bad_tokens(admin: Any) -> None:
    assert_text(raw(admin, "PUT", url(1), json=edit_body()), 403, TOKEN_MISSING)
    assert_text(admin.put(url(1), edit_body(token="bad+\\")), 403, TOKEN_INVALID)


def test_update_non_existent(admin: Any) -> None:
    assert_text(admin.put(url(999999), edit_body()), 404, EVENT_NOT_FOUND)  # 55
    assert_text(admin.put(url(0), edit_body()), 404, EVENT_NOT_FOUND)


def test_update_end_before_start(admin: Any) -> None:
    assert_text(admin.put(url(1), edit_body(end_time="20300101000000")), 400, START_AFTER_END)  # 57


def test_non_organizer_sending_invalid_data_gets_the_400(bob: Any, admin: Any) -> None:
    assert_text(bob.put(url(1), edit_body(end_time="20300101000000")), 400, START_AFTER_END)
    assert_text(bob.put(url(1), edit_body(timezone="Mars/Olympus_Mons")), 400, INVALID_TIMEZONE)
    assert_text(bob.put(url(1), edit_body(status="weird")), 400, BAD_STATUS)


def test_permission_comes_before_the_page_availability(admin: Any, bob: Any) -> None:
    create(admin, "Event:Other")
    assert_text(bob.put(url(1), edit_body("Event:Other")), 403, EDIT_DENIED)
    assert_text(bob.put(url(1), edit_body("Talk:Other")), 400, NAMESPACE_NOT_ALLOWED)


def test_anonymous_sending_invalid_body_gets_the_400_before_the_token_check(admin: Any, api: Any) -> None:
    assert_text(api().put(url(1), edit_body(status="weird", token="+\\")), 400, BAD_STATUS)
    # ...but domain rules come after the token check
    assert_text(api().put(url(1), edit_body(end_time="20300101000000", token="+\\")), 403, TOKEN_NO_SESSION)


def test_bad_token_on_a_non_existent_event_is_403(admin: Any) -> None:
    assert_text(admin.put(url(999999), edit_body(token="bad+\\")), 403, TOKEN_INVALID)
    assert_text(admin.delete(url(999999), {"token": "bad+\\"}), 403, TOKEN_INVALID)


def test_not_found_comes_before_the_event_data_but_after_the_body(admin: Any) -> None:
    assert_text(admin.put(url(999999), edit_body(end_time="20300101000000")), 404, EVENT_NOT_FOUND)
    assert_text(admin.put(url(999999), edit_body(status="weird")), 400, BAD_STATUS)


def test_path_id_is_validated_before_the_body(admin: Any) -> None:
    assert_text(admin.put(url("abc"), {}), 400, ID_ABC)
    assert_text(admin.delete(url("abc")), 400, ID_ABC)


def test_update_with_extraneous_field(admin: Any) -> None:
    got = admin.put(url(1), edit_body(is_test_event=False)).get_json()
    assert (got["errorKey"], got["failureData"]) == ("rest-extraneous-body-fields", ["is_test_event"])


# --- DELETE ----------------------------------------------------------------------------------------
def test_delete_by_non_organizer(admin: Any, bob: Any, api: Any, people: People) -> None:
    assert_text(bob.delete(url(1)), 403, DELETE_DENIED)  # 132
    assert_text(api(people.carol).delete(url(1)), 403, DELETE_DENIED)
    assert admin.get(url(1)).status_code == 200


def test_delete_without_token(admin: Any) -> None:
    assert_text(raw(admin, "DELETE", url(1)), 403, TOKEN_MISSING)  # 133
    assert_text(admin.delete(url(1), {"token": "bad+\\"}), 403, TOKEN_INVALID)


def test_delete_by_anonymous(admin: Any, api: Any) -> None:
    assert_text(api().delete(url(1), {"token": "+\\"}), 403, TOKEN_NO_SESSION)  # 134
    assert_text(api().delete(url(1)), 403, TOKEN_MISSING)


def test_delete_non_existent(admin: Any) -> None:
    assert_text(admin.delete(url(999999)), 404, EVENT_NOT_FOUND)  # 135
    assert_text(admin.delete(url(-1)), 404, EVENT_NOT_FOUND)


def test_delete_lookup_comes_before_the_permission_check(admin: Any, bob: Any, api: Any) -> None:
    assert_text(bob.delete(url(999999)), 404, EVENT_NOT_FOUND)
    assert_text(api().delete(url(999999), {"token": "+\\"}), 403, TOKEN_NO_SESSION)  # CSRF first


def test_delete_by_organizer(api: Any, people: People) -> None:
    alice = api(people.alice)
    create(alice)
    assert_empty(alice.delete(url(1)))
    assert_text(alice.get(url(1)), 404, GET_DELETED)


def test_delete_by_sysop_who_is_not_an_organizer(api: Any, people: People) -> None:
    create(api(people.alice))
    assert_empty(api(people.admin, session=True).delete(url(1)))  # 136


def test_delete_by_blocked_sysop_or_blocked_organizer(api: Any, people: People, services: Any) -> None:
    admin, alice = api(people.admin), api(people.alice)
    create(alice)
    services.app.block_user(commands.BlockUser("Admin"))
    services.app.block_user(commands.BlockUser("Alice"))
    assert_text(admin.delete(url(1)), 403, DELETE_DENIED)
    assert_text(alice.delete(url(1)), 403, DELETE_DENIED)


def test_delete_with_extraneous_body_field(admin: Any) -> None:
    got = admin.delete(url(1), {"reason": "x"}).get_json()
    assert (got["errorKey"], got["failureData"]) == ("rest-extraneous-body-fields", ["reason"])
    assert admin.get(url(1)).status_code == 200


def test_delete_with_bearer(api: Any, people: People, admin: Any) -> None:
    assert_empty(api(people.admin).delete(url(1)))


# --- a deleted registration ----------------------------------------------------------------------
@pytest.fixture
def deleted(admin: Any) -> Any:
    assert_empty(admin.delete(url(1)))
    return admin


def test_delete_again(deleted: Any, bob: Any) -> None:
    assert_text(deleted.delete(url(1)), 404, ALREADY_DELETED)  # 137
    assert_text(bob.delete(url(1)), 404, ALREADY_DELETED)  # before the permission check


def test_get_deleted(deleted: Any, api: Any) -> None:
    assert_text(api().get(url(1)), 404, GET_DELETED)  # 138


def test_update_deleted_by_organizer(deleted: Any) -> None:
    assert_json(deleted.put(url(1), edit_body()), 400, EDIT_DELETED)


def test_update_deleted_by_non_organizer(deleted: Any, bob: Any) -> None:
    assert_text(bob.put(url(1), edit_body()), 403, EDIT_DENIED)  # 139 (Admin was no organizer there)


def test_update_deleted_checks_data_and_page_first(deleted: Any) -> None:
    assert_text(deleted.put(url(1), edit_body(end_time="20300101000000")), 400, START_AFTER_END)
    create(deleted, "Event:Other")
    assert_text(deleted.put(url(1), edit_body("Event:Other")), 400, ALREADY_REGISTERED)
    assert_json(deleted.put(url(1), edit_body("Event:Free")), 400, EDIT_DELETED)
    assert create(deleted, "Event:Free") == 3  # the refused move did not take the page


def test_enable_on_the_page_of_a_deleted_registration(deleted: Any) -> None:
    assert_text(deleted.post(BASE, registration_body()), 400, ALREADY_REGISTERED_DELETED)  # 144


def test_deleted_registration_keeps_its_body_hidden_from_the_organizer_too(deleted: Any) -> None:
    assert_text(deleted.get(url(1)), 404, GET_DELETED)


def test_other_registrations_are_untouched(api: Any, people: People, admin: Any) -> None:
    create(admin, "Event:Second")
    assert_empty(admin.delete(url(1)))
    assert_json(
        api().get(url(2)),
        200,
        observed_details(GET_CREATED, id=2, name="Second", event_page="Event:Second", hide_urls=True),
    )
