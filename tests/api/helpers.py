"""Helpers for the API tests: paths, exact-body assertions, the observed transcript's bodies.

Bodies the reference transcript shows (``campaignevents-observed.md``, Peer A) are kept here as the
exact JSON text the real extension sent, so a test can compare the whole response, key order
included.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from tests.conftest import registration_body, stop_projector, use_cheap_passwords

__all__ = ["registration_body", "stop_projector"]  # re-exported: tests import them from here too

BASE = "/campaignevents/v0/event_registration"
LOCATION_BASE = "http://campaignevents.test" + BASE
WIKI = "local"  # the test settings' CAMPAIGNEVENTS_WIKI_ID (the transcript's wiki was "my_wiki")


def url(event_id: object, tail: str = "") -> str:
    return f"{BASE}/{event_id}{tail}"


def text(resp: Any) -> str:
    """The response body as sent, without the trailing newline Flask adds to JSON."""
    body: str = resp.get_data(as_text=True)
    return body.removesuffix("\n")


def key_order(value: Any) -> Any:
    """The keys of every object in ``value``, nested, in order (to compare key order too)."""
    if isinstance(value, dict):
        return [(k, key_order(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [key_order(v) for v in value]
    return None


def assert_text(resp: Any, status: int, expected: str) -> None:
    """Status and the exact JSON text of the body (the transcript's bodies are compact JSON)."""
    assert (resp.status_code, text(resp)) == (status, expected)
    assert resp.headers["Content-Type"] == "application/json"


def assert_json(resp: Any, status: int, expected: Any, *, ordered: bool = True) -> None:
    """Status, the whole JSON body and (``ordered``) the order of its keys."""
    got = resp.get_json()
    assert resp.status_code == status, got
    assert got == expected
    if ordered:
        assert key_order(got) == key_order(expected)


def assert_reply(resp: Any, status: int, expected: Any, *, ordered: bool = True) -> None:
    """``assert_json``, and the JSON ``Content-Type``."""
    assert_json(resp, status, expected, ordered=ordered)
    assert resp.headers["Content-Type"] == "application/json"


def assert_empty(resp: Any, status: int = 204) -> None:
    assert (resp.status_code, resp.get_data()) == (status, b""), resp.get_data(as_text=True)


def error(key: str, message: str, status: int) -> dict[str, Any]:
    """The extension's four-key error envelope."""
    return {
        "errorKey": key,
        "messageTranslations": {"en": message},
        "httpCode": status,
        "httpReason": {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}[status],
    }


def body_error(name: str, value: Any, code: str, message: str, data: Any = None) -> dict[str, Any]:
    """A body parameter's validation failure (``rest-body-validation-error``)."""
    return {
        "error": "parameter-validation-failed",
        "name": name,
        "value": value,
        "failureCode": code,
        "failureData": data,
        "errorKey": "rest-body-validation-error",
        "messageTranslations": {"en": "Invalid request body: " + message},
        "httpCode": 400,
        "httpReason": "Bad Request",
    }


def path_error(name: str, value: Any, code: str, message: str, data: Any = None) -> dict[str, Any]:
    """A path or query parameter's validation failure (``errorKey`` is the failure code, no prefix)."""
    return {
        "error": "parameter-validation-failed",
        "name": name,
        "value": value,
        "failureCode": code,
        "failureData": data,
        "errorKey": code,
        "messageTranslations": {"en": message},
        "httpCode": 400,
        "httpReason": "Bad Request",
    }


def missing(name: str) -> dict[str, Any]:
    return body_error(name, None, "missingparam", f'The "{name}" parameter must be set.')


def edit_body(page: str = "Event:PeerTest One", **overrides: Any) -> dict[str, Any]:
    """The transcript's PUT body (#49): the create body with new times and ``status``."""
    fields: dict[str, Any] = {
        "start_time": "20300105090000",
        "end_time": "20300105170000",
        "status": "open",
    }
    fields.update(overrides)
    return registration_body(page, **fields)


def create(client: Any, page: str = "Event:PeerTest One", **overrides: Any) -> int:
    """Enable a registration (must succeed) and return its id."""
    resp = client.post(BASE, registration_body(page, **overrides))
    assert resp.status_code == 201, resp.get_json()
    event_id: int = resp.get_json()["id"]
    return event_id


def raw(client: Any, method: str, path: str, **kw: Any) -> Any:
    """A request exactly as given: no CSRF token added (cookies and bearer header still apply)."""
    headers = {**client._headers(), **kw.pop("headers", {})}
    return client.client.open(path, method=method, headers=headers, **kw)


def observed_details(
    observed: str,
    *,
    wikis: list[str] | None = None,
    hide_urls: bool = False,
    **changes: Any,
) -> dict[str, Any]:
    """A transcript GET body, made ours: our wiki id, the seed's ``wikis`` after ``chat_url``, and
    (``hide_urls``) set meeting/chat URLs omitted as the newest branch does for non-participants."""
    parsed: dict[str, Any] = json.loads(observed)
    parsed["event_page_wiki"] = WIKI
    ours: dict[str, Any] = {}
    for key, value in parsed.items():
        ours[key] = changes.get(key, value)
        if key == "chat_url":
            ours["wikis"] = [] if wikis is None else wikis
    if hide_urls:
        for key in ("chat_url", "meeting_url"):
            if ours[key] is not None:
                del ours[key]
    return ours


class People:
    """The transcript's cast, created on first use: Admin (sysop), Alice and Bob (event organizers),
    Carol (no groups), Dave (event organizer, blocked when a test says so)."""

    GROUPS: ClassVar[dict[str, tuple[str, ...]]] = {
        "admin": ("sysop",),
        "alice": ("event-organizer",),
        "bob": ("event-organizer",),
        "carol": (),
        "dave": ("event-organizer",),
    }

    def __init__(self, make_user: Any) -> None:
        self._make_user = make_user
        self._made: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name not in self.GROUPS:
            raise AttributeError(name)
        if name not in self._made:
            self._made[name] = self._make_user(name.capitalize(), *self.GROUPS[name])
        return self._made[name]


def make_people(make_user: Any, monkeypatch: Any) -> People:
    """The cast, with cheap password hashing (``tests.conftest.use_cheap_passwords``); the fixture
    ``people`` (tests/api/conftest.py) gives the same."""
    use_cheap_passwords(monkeypatch)
    return People(make_user)


# --- the transcript's bodies (Peer A, MW 1.43 + CampaignEvents REL1_43), verbatim ----------------
EVENT_NOT_FOUND = (
    '{"errorKey":"campaignevents-rest-event-not-found","messageTranslations":{"en":"There is no event '
    'with this ID."},"httpCode":404,"httpReason":"Not Found"}'
)
ID_ABC = (
    '{"error":"parameter-validation-failed","name":"id","value":"abc","failureCode":"badinteger",'
    '"failureData":null,"errorKey":"badinteger","messageTranslations":{"en":"Invalid value \\"abc\\" '
    'for integer parameter \\"id\\"."},"httpCode":400,"httpReason":"Bad Request"}'
)
NO_MATCH = (
    '{"errorKey":"rest-no-match","messageTranslations":{"en":"The requested relative path '
    '(/campaignevents/v0/nope) did not match any known handler"},"httpCode":404,"httpReason":"Not Found"}'
)
PATCH_NOT_ALLOWED = (
    '{"messageTranslations":{"en":"The request method (PATCH) was not one of the allowed methods for this '
    'path (HEAD, GET, PUT, DELETE)"},"httpCode":405,"httpReason":"Method Not Allowed"}'
)
ALREADY_REGISTERED = (
    '{"errorKey":"campaignevents-error-page-already-registered","messageTranslations":{"en":"The given '
    'event page already has an associated registration."},"httpCode":400,"httpReason":"Bad Request"}'
)
TOKEN_MISSING = (
    '{"errorKey":"rest-badtoken","messageTranslations":{"en":"The <var>token</var> parameter is required '
    'unless using a CSRF-safe authentication method."},"httpCode":403,"httpReason":"Forbidden"}'
)
TOKEN_INVALID = (
    '{"errorKey":"rest-badtoken","messageTranslations":{"en":"The CSRF token provided is invalid."},'
    '"httpCode":403,"httpReason":"Forbidden"}'
)
TOKEN_NO_SESSION = (
    '{"errorKey":"rest-badtoken","messageTranslations":{"en":"CSRF error - no session."},"httpCode":403,'
    '"httpReason":"Forbidden"}'
)
BAD_START_TIME = (
    '{"error":"parameter-validation-failed","name":"start_time","value":"notatime","failureCode":'
    '"badtimestamp","failureData":null,"errorKey":"rest-body-validation-error","messageTranslations":'
    '{"en":"Invalid request body: Invalid value \\"notatime\\" for timestamp parameter \\"start_time\\"."},'
    '"httpCode":400,"httpReason":"Bad Request"}'
)
START_AFTER_END = (
    '{"errorKey":"campaignevents-error-start-after-end","messageTranslations":{"en":"Enter an end date '
    'that comes after the start date."},"httpCode":400,"httpReason":"Bad Request"}'
)
START_PAST = (
    '{"errorKey":"campaignevents-error-start-past","messageTranslations":{"en":"Enter a start time in the '
    'future."},"httpCode":400,"httpReason":"Bad Request"}'
)
INVALID_TIMEZONE = (
    '{"errorKey":"campaignevents-error-invalid-timezone","messageTranslations":{"en":"Enter a valid '
    'timezone."},"httpCode":400,"httpReason":"Bad Request"}'
)
# #32 and #35 with the newest branch's keys and texts (API.md ranks them above REL1_43's)
NAMESPACE_NOT_ALLOWED = (
    '{"errorKey":"campaignevents-error-page-namespace-not-allowed","messageTranslations":{"en":"The event '
    'page must be in one of the permitted namespaces"},"httpCode":400,"httpReason":"Bad Request"}'
)
BAD_TITLE = (
    '{"error":"parameter-validation-failed","name":"event_page","value":"Event:<bad>","failureCode":'
    '"badtitle","failureData":null,"errorKey":"rest-body-validation-error","messageTranslations":{"en":'
    '"Invalid request body: Invalid value \\"Event:<bad>\\" for title parameter <var>event_page</var>: '
    'not a valid title string."},"httpCode":400,"httpReason":"Bad Request"}'
)
NO_PARTICIPATION_OPTIONS = (
    '{"errorKey":"campaignevents-error-no-participation-options","messageTranslations":{"en":"Choose at '
    'least one participation option."},"httpCode":400,"httpReason":"Bad Request"}'
)
INVALID_MEETING_URL = (
    '{"errorKey":"campaignevents-error-invalid-meeting-url","messageTranslations":{"en":"Enter a valid '
    'event meeting URL."},"httpCode":400,"httpReason":"Bad Request"}'
)
MEETING_URL_NOT_ONLINE = (
    '{"errorKey":"campaignevents-error-meeting-url-not-online","messageTranslations":{"en":"The meeting '
    'URL must not be specified if the event is not online."},"httpCode":400,"httpReason":"Bad Request"}'
)
INVALID_CHAT_URL = (
    '{"errorKey":"campaignevents-error-invalid-chat-url","messageTranslations":{"en":"Enter a valid chat '
    'URL."},"httpCode":400,"httpReason":"Bad Request"}'
)
INVALID_TRACKING_TOOL = (
    '{"errorKey":"campaignevents-error-invalid-trackingtool","messageTranslations":{"en":"Provide a valid '
    'tracking tool identifier"},"httpCode":400,"httpReason":"Bad Request"}'
)
ONLINE_MEETING_YES = (
    '{"error":"parameter-validation-failed","name":"online_meeting","value":"yes","failureCode":'
    '"badbool-type","failureData":null,"errorKey":"rest-body-validation-error","messageTranslations":{"en":'
    '"Invalid request body: Invalid value \\"yes\\" for boolean parameter \\"online_meeting\\". Got a '
    'string value instead."},"httpCode":400,"httpReason":"Bad Request"}'
)
FORM_BODY = (
    '{"errorKey":"rest-unsupported-content-type","messageTranslations":{"en":"Unsupported Content-Type: '
    'application/x-www-form-urlencoded"},"httpCode":415,"httpReason":"Unsupported Media Type"}'
)
MALFORMED_JSON = (
    '{"errorKey":"rest-json-body-parse-error","messageTranslations":{"en":"Parsing request body as JSON '
    'failed: not a valid JSON object"},"httpCode":400,"httpReason":"Bad Request"}'
)
MISSING_EVENT_PAGE = (
    '{"error":"parameter-validation-failed","name":"event_page","value":null,"failureCode":"missingparam",'
    '"failureData":null,"errorKey":"rest-body-validation-error","messageTranslations":{"en":"Invalid '
    'request body: The \\"event_page\\" parameter must be set."},"httpCode":400,"httpReason":"Bad Request"}'
)
ENABLE_DENIED = (
    '{"errorKey":"campaignevents-rest-enable-registration-permission-denied","messageTranslations":{"en":'
    '"You are not allowed to enable event registrations."},"httpCode":403,"httpReason":"Forbidden"}'
)
MISSING_STATUS = (
    '{"error":"parameter-validation-failed","name":"status","value":null,"failureCode":"missingparam",'
    '"failureData":null,"errorKey":"rest-body-validation-error","messageTranslations":{"en":"Invalid '
    'request body: The \\"status\\" parameter must be set."},"httpCode":400,"httpReason":"Bad Request"}'
)
BAD_STATUS = (
    '{"error":"parameter-validation-failed","name":"status","value":"weird","failureCode":"badvalue",'
    '"failureData":[],"errorKey":"rest-body-validation-error","messageTranslations":{"en":"Invalid '
    'request body: Unrecognized value for parameter \\"status\\": weird."},"httpCode":400,"httpReason":'
    '"Bad Request"}'
)
EDIT_DENIED = (
    '{"errorKey":"campaignevents-edit-not-allowed-registration","messageTranslations":{"en":"You are not '
    'allowed to edit this event registration."},"httpCode":403,"httpReason":"Forbidden"}'
)
DELETE_DENIED = (
    '{"errorKey":"campaignevents-delete-not-allowed-registration","messageTranslations":{"en":"You are not '
    'allowed to delete this event registration."},"httpCode":403,"httpReason":"Forbidden"}'
)
ALREADY_DELETED = (
    '{"errorKey":"campaignevents-rest-delete-already-deleted","messageTranslations":{"en":"This event '
    'registration is already deleted."},"httpCode":404,"httpReason":"Not Found"}'
)
GET_DELETED = (
    '{"errorKey":"campaignevents-rest-get-registration-deleted","messageTranslations":{"en":"This event '
    'registration was deleted."},"httpCode":404,"httpReason":"Not Found"}'
)
ALREADY_REGISTERED_DELETED = (
    '{"errorKey":"campaignevents-error-page-already-registered-deleted","messageTranslations":{"en":"You '
    "cannot complete the action because the event registration has been deleted from this event page."
    '"},"httpCode":400,"httpReason":"Bad Request"}'
)

# GET bodies (#12/#13, #48, #50, #125, #145-#149)
GET_CREATED = (
    '{"id":1,"name":"PeerTest One","event_page":"Event:PeerTest One","event_page_wiki":"my_wiki",'
    '"chat_url":"https://chat.example.org/room","tracking_tools":[],"status":"open","timezone":'
    '"Europe/Rome","start_time":"20300101100000","end_time":"20300101180000","online_meeting":true,'
    '"inperson_meeting":false,"meeting_url":"https://meet.example.org/abc","meeting_country":null,'
    '"meeting_address":null,"questions":[1,2,3,4,5]}'
)
GET_IN_PERSON = (
    '{"id":7,"name":"PeerTest T19","event_page":"Event:PeerTest T19","event_page_wiki":"my_wiki",'
    '"chat_url":null,"tracking_tools":[],"status":"open","timezone":"UTC","start_time":"20310101000000",'
    '"end_time":"20310102000000","online_meeting":false,"inperson_meeting":true,"meeting_url":null,'
    '"meeting_country":"Italy","meeting_address":"Via Roma 1","questions":[1,2,3,4,5]}'
)
GET_EDITED = (
    '{"id":1,"name":"PeerTest One","event_page":"Event:PeerTest One","event_page_wiki":"my_wiki",'
    '"chat_url":"https://chat.example.org/room","tracking_tools":[],"status":"open","timezone":'
    '"Europe/Rome","start_time":"20300105090000","end_time":"20300105170000","online_meeting":true,'
    '"inperson_meeting":false,"meeting_url":"https://meet.example.org/abc","meeting_country":null,'
    '"meeting_address":null,"questions":[1,2,3,4,5]}'
)
GET_CLOSED = (
    '{"id":1,"name":"PeerTest One","event_page":"Event:PeerTest One","event_page_wiki":"my_wiki",'
    '"chat_url":"https://chat.example.org/room","tracking_tools":[],"status":"closed","timezone":'
    '"Europe/Rome","start_time":"20300105090000","end_time":"20300105170000","online_meeting":true,'
    '"inperson_meeting":false,"meeting_url":"https://meet.example.org/abc","meeting_country":null,'
    '"meeting_address":null,"questions":[1,2,3,4,5]}'
)
GET_ISO_START = (
    '{"id":2,"name":"PeerTest T3","event_page":"Event:PeerTest T3","event_page_wiki":"my_wiki",'
    '"chat_url":"https://chat.example.org/room","tracking_tools":[],"status":"open","timezone":'
    '"Europe/Rome","start_time":"20300101100000","end_time":"20300101180000","online_meeting":true,'
    '"inperson_meeting":false,"meeting_url":"https://meet.example.org/abc","meeting_country":null,'
    '"meeting_address":null,"questions":[1,2,3,4,5]}'
)
GET_INTEGER_START = (
    '{"id":3,"name":"PeerTest T5","event_page":"Event:PeerTest T5","event_page_wiki":"my_wiki",'
    '"chat_url":"https://chat.example.org/room","tracking_tools":[],"status":"open","timezone":'
    '"Europe/Rome","start_time":"20300101100000","end_time":"20300101180000","online_meeting":true,'
    '"inperson_meeting":false,"meeting_url":"https://meet.example.org/abc","meeting_country":null,'
    '"meeting_address":null,"questions":[1,2,3,4,5]}'
)
GET_START_IS_END = (
    '{"id":4,"name":"PeerTest T7","event_page":"Event:PeerTest T7","event_page_wiki":"my_wiki",'
    '"chat_url":"https://chat.example.org/room","tracking_tools":[],"status":"open","timezone":'
    '"Europe/Rome","start_time":"20300101100000","end_time":"20300101100000","online_meeting":true,'
    '"inperson_meeting":false,"meeting_url":"https://meet.example.org/abc","meeting_country":null,'
    '"meeting_address":null,"questions":[1,2,3,4,5]}'
)
GET_OFFSET_TIMEZONE = (
    '{"id":5,"name":"PeerTest T10","event_page":"Event:PeerTest T10","event_page_wiki":"my_wiki",'
    '"chat_url":"https://chat.example.org/room","tracking_tools":[],"status":"open","timezone":"+05:30",'
    '"start_time":"20300101100000","end_time":"20300101180000","online_meeting":true,"inperson_meeting":'
    'false,"meeting_url":"https://meet.example.org/abc","meeting_country":null,"meeting_address":null,'
    '"questions":[1,2,3,4,5]}'
)
GET_ABBREVIATION_TIMEZONE = (
    '{"id":6,"name":"PeerTest T11","event_page":"Event:PeerTest T11","event_page_wiki":"my_wiki",'
    '"chat_url":"https://chat.example.org/room","tracking_tools":[],"status":"open","timezone":"CEST",'
    '"start_time":"20300101100000","end_time":"20300101180000","online_meeting":true,"inperson_meeting":'
    'false,"meeting_url":"https://meet.example.org/abc","meeting_country":null,"meeting_address":null,'
    '"questions":[1,2,3,4,5]}'
)
