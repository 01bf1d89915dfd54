"""Organizers: GET and PUT .../event_registration/{id}/organizers.

Whole bodies, key order included, where the observed transcript (``campaignevents-observed.md``,
Peer A) shows the case; its row numbers are in the comments. The cast has the transcript's user
ids: Admin 1 (sysop), Alice 3 and Bob 4 (event organizers), Carol 5 (no groups), Dave 6 (event
organizer, blocked when a test says so); id 2 is a filler account, as on the real wiki.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain import commands
from tests.api.conftest import Cast
from tests.api.helpers import assert_empty, assert_reply, create, error, path_error, registration_body, url

pytestmark = pytest.mark.usefixtures("cheap_passwords")


def organizers(event_id: object, query: str = "") -> str:
    return url(event_id, "/organizers") + query


def user_page(name: str) -> dict[str, str]:
    return {
        "path": f"/w/index.php?title=User:{name.replace(' ', '_')}&action=edit&redlink=1",
        "title": f"User:{name} (page does not exist)",
        "classes": "new mw-userlink",
    }


def organizer(organizer_id: int, user: Any, role: str = "organizer") -> dict[str, Any]:
    return {
        "organizer_id": organizer_id,
        "user_id": user.user_id,
        "user_name": user.name,
        "roles": [role],
        "user_page": user_page(user.name),
    }


EVENT_NOT_FOUND = error("campaignevents-rest-event-not-found", "There is no event with this ID.", 404)
EDIT_DENIED = error(
    "campaignevents-edit-not-allowed-registration",
    "You are not allowed to edit this event registration.",
    403,
)
EDIT_DELETED = error("campaignevents-edit-registration-deleted", "This event registration was deleted.", 400)
CANNOT_SEE_PRIVATE = error(
    "campaignevents-rest-list-participants-cannot-see-private",
    "You are not authorized to view participants who registered privately for this event.",
    403,
)
TOKEN_MISSING = error(
    "rest-badtoken",
    "The <var>token</var> parameter is required unless using a CSRF-safe authentication method.",
    403,
)
TOKEN_INVALID = error("rest-badtoken", "The CSRF token provided is invalid.", 403)
TOKEN_NO_SESSION = error("rest-badtoken", "CSRF error - no session.", 403)
EXTRANEOUS_TOKEN = error(
    "rest-extraneous-csrf-token",
    "Extraneous CSRF token found. CSRF tokens must not be used when using authentication mechanisms "
    "such as OAuth that are safe against CSRF attacks.",
    400,
)
ID_ABC = path_error("id", "abc", "badinteger", 'Invalid value "abc" for integer parameter "id".')

# the transcript's bodies, verbatim
OBSERVED_58 = (
    '[{"organizer_id":1,"user_id":1,"user_name":"Admin","roles":["creator"],"user_page":{"path":'
    '"/w/index.php?title=User:Admin&action=edit&redlink=1","title":"User:Admin (page does not exist)",'
    '"classes":"new mw-userlink"}}]'
)
OBSERVED_60 = (
    '[{"organizer_id":1,"user_id":1,"user_name":"Admin","roles":["creator"],"user_page":{"path":'
    '"/w/index.php?title=User:Admin&action=edit&redlink=1","title":"User:Admin (page does not exist)",'
    '"classes":"new mw-userlink"}},{"organizer_id":8,"user_id":3,"user_name":"Alice","roles":["organizer"],'
    '"user_page":{"path":"/w/index.php?title=User:Alice&action=edit&redlink=1","title":"User:Alice (page '
    'does not exist)","classes":"new mw-userlink"}}]'
)
OBSERVED_62 = (
    '{"errorKey":"campaignevents-rest-set-organizers-empty-list","messageTranslations":{"en":"<var>'
    'organizer_usernames</var> must be an array of usernames and cannot be empty"},"httpCode":400,'
    '"httpReason":"Bad Request"}'
)
OBSERVED_63 = (
    '{"errorKey":"campaignevents-edit-organizers-not-allowed","messageTranslations":{"en":"NoSuchUser12345 '
    'doesn\'t have the needed permissions to be an organizer."},"httpCode":400,"httpReason":"Bad Request"}'
)


# cheap passwords, the cast with the transcript's user ids and its clients: tests/api/conftest.py
@pytest.fixture
def event(admin: Any) -> int:
    """The transcript's event 1, enabled by Admin."""
    return create(admin)


def put(client: Any, event_id: object, *names: str) -> Any:
    return client.put(organizers(event_id), {"organizer_usernames": list(names)})


def set_to(client: Any, event_id: object, *names: str) -> None:
    assert_empty(put(client, event_id, *names))


def block(services: Any, user: Any) -> None:
    services.app.block_user(commands.BlockUser(user.name))
    services.written(services.app.recorder.max_notification_id())


def not_allowed(text: str) -> dict[str, Any]:
    return error("campaignevents-edit-organizers-not-allowed", text, 400)


# --- GET ------------------------------------------------------------------------------------------
def test_list_the_creator(api: Any, event: int) -> None:
    assert_reply(api().get(organizers(event)), 200, json.loads(OBSERVED_58))  # 58


def test_set_then_list_and_page(api: Any, cast: Cast, admin: Any, event: int) -> None:
    set_to(admin, event, "Admin", "Alice")  # 59
    both = [organizer(1, cast.admin, "creator"), organizer(2, cast.alice)]
    assert_reply(api().get(organizers(event)), 200, both)  # 60
    assert_reply(api().get(organizers(event, "?last_organizer_id=1")), 200, both[1:])  # 61
    assert_reply(api().get(organizers(event, "?last_organizer_id=2")), 200, [])


def test_organizer_ids_are_global_as_in_the_transcript(api: Any, admin: Any, alice: Any, event: int) -> None:
    for page in ("Event:PeerTest T3", "Event:PeerTest T5", "Event:PeerTest T7", "Event:PeerTest T10"):
        create(admin, page)
    create(admin, "Event:PeerTest T11")
    create(alice, "Event:PeerTest T19")  # 47: event 7, its creator is organizer row 7
    set_to(admin, event, "Admin", "Alice")  # 59
    assert_reply(api().get(organizers(event)), 200, json.loads(OBSERVED_60))  # 60


def test_list_unknown_event_and_bad_ids(api: Any, event: int) -> None:
    assert_reply(api().get(organizers(999999)), 404, EVENT_NOT_FOUND)  # 65
    assert_reply(api().get(organizers(0)), 404, EVENT_NOT_FOUND)
    assert_reply(api().get(organizers("abc")), 400, ID_ABC)
    resp = api().get(organizers(event, "?last_organizer_id=abc"))
    body = resp.get_json()
    assert (resp.status_code, body["errorKey"], body["name"], body["value"]) == (
        400,
        "badinteger",
        "last_organizer_id",
        "abc",
    )


def test_ten_organizers_and_paging(api: Any, cast: Cast, make_user: Any, admin: Any, event: int) -> None:
    extra = [make_user(f"Org {n}", "event-organizer") for n in range(1, 10)]
    set_to(admin, event, "Admin", *(u.name for u in extra))
    everyone = [organizer(1, cast.admin, "creator")] + [organizer(n + 1, u) for n, u in enumerate(extra, 1)]
    assert_reply(api().get(organizers(event)), 200, everyone)
    assert_reply(api().get(organizers(event, "?last_organizer_id=5")), 200, everyone[5:])
    assert_reply(api().get(organizers(event, "?last_organizer_id=10")), 200, [])
    # removed organizers leave gaps; pages follow the ids
    set_to(admin, event, "Admin", "Org 2", "Org 9")
    assert_reply(api().get(organizers(event, "?last_organizer_id=1")), 200, [everyone[2], everyone[9]])


def test_deleted_event_still_lists_its_organizers(api: Any, cast: Cast, admin: Any, event: int) -> None:
    set_to(admin, event, "Alice")
    assert_empty(admin.delete(url(event)))
    assert_reply(api().get(organizers(event)), 200, [organizer(2, cast.alice)])  # 142


# --- PUT ------------------------------------------------------------------------------------------
def test_empty_list(admin: Any, bob: Any, event: int) -> None:
    assert_reply(put(admin, event), 400, json.loads(OBSERVED_62))  # 62
    assert_reply(put(bob, event), 400, json.loads(OBSERVED_62))  # before the permission check
    assert_reply(put(admin, 999999), 404, EVENT_NOT_FOUND)  # after the lookup


def test_unknown_user(admin: Any, event: int) -> None:
    assert_reply(put(admin, event, "Admin", "NoSuchUser12345"), 400, json.loads(OBSERVED_63))  # 63


def test_user_without_the_organizer_right(admin: Any, event: int) -> None:
    assert_reply(
        put(admin, event, "Admin", "Carol"),
        400,
        not_allowed("Carol doesn't have the needed permissions to be an organizer."),
    )


def test_blocked_user_cannot_be_an_organizer(services: Any, cast: Cast, admin: Any, event: int) -> None:
    block(services, cast.dave)
    assert_reply(
        put(admin, event, "Admin", "Dave"),
        400,
        not_allowed("Dave doesn't have the needed permissions to be an organizer."),
    )


def test_several_users_without_the_right(admin: Any, event: int) -> None:
    text = "Carol and NoSuchUser12345 don't have the needed permissions to be organizers."
    assert_reply(put(admin, event, "Admin", "Carol", "NoSuchUser12345"), 400, not_allowed(text))
    text = "Carol, NoSuchUser12345 and Zed don't have the needed permissions to be organizers."
    assert_reply(put(admin, event, "Carol", "NoSuchUser12345", "Zed"), 400, not_allowed(text))


def test_several_users_without_the_right_plural_form(admin: Any, event: int) -> None:
    resp = put(admin, event, "Admin", "Carol", "NoSuchUser12345")
    body = resp.get_json()
    assert (resp.status_code, body["errorKey"]) == (400, "campaignevents-edit-organizers-not-allowed")
    message = body["messageTranslations"]["en"]
    assert message.startswith("Carol")
    assert "NoSuchUser12345" in message
    assert message.endswith(" don't have the needed permissions to be organizers.")


def test_non_organizer(bob: Any, admin: Any, event: int) -> None:
    assert_reply(put(bob, event, "Bob"), 403, EDIT_DENIED)  # 64
    assert_reply(put(admin, create(bob, "Event:Bob's"), "Admin"), 403, EDIT_DENIED)  # a sysop is no organizer


def test_unknown_event_and_bad_id(admin: Any) -> None:
    assert_reply(put(admin, 999999, "Admin"), 404, EVENT_NOT_FOUND)
    assert_reply(put(admin, "abc", "Admin"), 400, ID_ABC)


def test_too_many_organizers(make_user: Any, admin: Any, event: int) -> None:
    names = [f"Org {n}" for n in range(1, 11)]  # they need not even exist: the count comes first
    expected = error("campaignevents-edit-too-many-organizers", "You can't add more than 10 organizers.", 400)
    assert_reply(put(admin, event, "Admin", *names), 400, expected)
    for name in names[:9]:
        make_user(name, "event-organizer")
    set_to(admin, event, "Admin", *names[:9])


def test_names_are_normalised_and_deduplicated(api: Any, cast: Cast, admin: Any, event: int) -> None:
    set_to(admin, event, "admin", "alice", "Alice", " alice_")
    assert_reply(
        api().get(organizers(event)), 200, [organizer(1, cast.admin, "creator"), organizer(2, cast.alice)]
    )


def test_invalid_username(admin: Any, event: int) -> None:
    resp = put(admin, event, "Admin", "Foo#bar")
    body = resp.get_json()
    assert resp.status_code == 400
    assert (body["error"], body["name"], body["value"], body["failureCode"], body["errorKey"]) == (
        "parameter-validation-failed",
        "organizer_usernames",
        "Foo#bar",
        "baduser",
        "rest-body-validation-error",
    )


def test_missing_list(admin: Any, event: int) -> None:
    """Not a missing parameter: an absent list is the empty list (issue 10 item 7)."""
    expected = {
        "errorKey": "campaignevents-rest-set-organizers-empty-list",
        "messageTranslations": {
            "en": "<var>organizer_usernames</var> must be an array of usernames and cannot be empty"
        },
        "httpCode": 400,
        "httpReason": "Bad Request",
    }
    assert_reply(admin.put(organizers(event), {}), 400, expected)


def test_token_checks(api: Any, cast: Cast, event: int) -> None:
    assert_reply(
        api().put(organizers(event), {"organizer_usernames": ["Admin"], "token": "+\\"}),
        403,
        TOKEN_NO_SESSION,
    )
    assert_reply(
        api().client.put(organizers(event), json={"organizer_usernames": ["Admin"]}), 403, TOKEN_MISSING
    )
    session = api(cast.admin, session=True)
    assert_reply(
        session.client.put(organizers(event), json={"organizer_usernames": ["Admin"]}), 403, TOKEN_MISSING
    )
    assert_reply(
        session.put(organizers(event), {"organizer_usernames": ["Admin"], "token": "no"}), 403, TOKEN_INVALID
    )
    bearer = api(cast.admin)
    assert_reply(
        bearer.put(organizers(event), {"organizer_usernames": ["Admin"], "token": "x"}), 400, EXTRANEOUS_TOKEN
    )
    assert_empty(session.put(organizers(event), {"organizer_usernames": ["Admin", "Bob"]}))


def test_non_creator_cannot_remove_the_creator(
    api: Any, cast: Cast, admin: Any, alice: Any, event: int
) -> None:
    set_to(admin, event, "Admin", "Alice")
    expected = error(
        "campaignevents-edit-removed-creator",
        "You cannot remove Admin because this user is the event creator",
        400,
    )
    assert_reply(put(alice, event, "Alice", "Bob"), 400, expected)
    set_to(alice, event, "Admin", "Bob")  # removing themself is fine, keeping the creator
    assert_reply(
        api().get(organizers(event)),
        200,
        [organizer(1, cast.admin, "creator"), organizer(3, cast.bob)],
    )


def test_creator_removes_themself_and_loses_edit_rights(api: Any, cast: Cast, alice: Any, bob: Any) -> None:
    event = create(alice, "Event:PeerTest T19")
    assert_empty(put(alice, event, "Bob"))  # 127
    assert_reply(api().get(organizers(event)), 200, [organizer(2, cast.bob)])  # 128
    edit = alice.put(url(event), registration_body("Event:PeerTest T19", status="open"))
    assert_reply(edit, 403, EDIT_DENIED)  # 129
    assert_reply(alice.get(url(event, "/participants?include_private=true")), 403, CANNOT_SEE_PRIVATE)  # 130
    assert_reply(bob.get(url(event, "/participants?include_private=true")), 200, [])  # 131
    assert_reply(put(alice, event, "Alice"), 403, EDIT_DENIED)
    # with the creator gone, any organizer may set any list
    set_to(bob, event, "Dave")
    assert_reply(api().get(organizers(event)), 200, [organizer(3, cast.dave)])


def test_restored_organizers_keep_their_ids_and_roles(api: Any, cast: Cast, alice: Any, bob: Any) -> None:
    event = create(alice, "Event:PeerTest T19")
    set_to(alice, event, "Alice", "Bob", "Dave")
    set_to(alice, event, "Alice", "Dave")
    set_to(alice, event, "Dave", "Alice", "Bob")
    expected = [organizer(1, cast.alice, "creator"), organizer(2, cast.bob), organizer(3, cast.dave)]
    assert_reply(api().get(organizers(event)), 200, expected)
    set_to(alice, event, "Bob")
    set_to(bob, event, "Bob", "Alice", "Admin")
    expected = [organizer(1, cast.alice, "creator"), organizer(2, cast.bob), organizer(4, cast.admin)]
    assert_reply(api().get(organizers(event)), 200, expected)
    assert_reply(
        put(bob, event, "Bob"),
        400,
        error(
            "campaignevents-edit-removed-creator",
            "You cannot remove Alice because this user is the event creator",
            400,
        ),
    )


def test_blocked_organizer_cannot_set_organizers(api: Any, cast: Cast, services: Any) -> None:
    dave = api(cast.dave)
    event = create(dave, "Event:Dave's")
    block(services, cast.dave)
    assert_reply(put(dave, event, "Dave", "Bob"), 403, EDIT_DENIED)


def test_deleted_event(admin: Any, bob: Any, event: int) -> None:
    set_to(admin, event, "Admin", "Alice")
    assert_empty(admin.delete(url(event)))
    assert_reply(put(admin, event, "Admin"), 400, EDIT_DELETED)
    assert_reply(put(bob, event, "Bob"), 403, EDIT_DENIED)
    assert_reply(put(admin, event), 400, json.loads(OBSERVED_62))
