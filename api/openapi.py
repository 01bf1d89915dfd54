"""The OpenAPI document, generated from the marshmallow schemas, served at /campaignevents/v0/openapi.json.

``ROUTES`` is the table of every route the app serves: one ``Op`` each, with the body schema class the
route loads, its query parameters, its success responses and, per error status, the reasons it answers
with (message keys; the English descriptions are the API page's, seed 000, where it has them). What
many routes share is added by ``_operation``: a path parameter's ``badinteger``; a body's validation,
size and content-type errors; a write's CSRF errors and contention; everyone's invalid bearer token,
storage outage and server error. Schema classes and marshmallow fields may stand anywhere in the table:
``document`` turns a class into a component reference (registering it) and a field into its JSON schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Response, jsonify
from marshmallow import Schema, fields

from api import params, schemas
from api.messages import CATALOGUE
from api.routes import history, worklist
from api.routes.content import ContentBody, ModerationBody
from api.routes.email import EmailBody
from api.routes.organizers import SetOrganizersBody
from api.routes.participants import RegisterBody, RemoveBody
from api.routes.places import ApprovalBody, PlacesBody
from api.routes.schedule import CANCELLED_FOR, DEFAULT_OCCURRENCES, MAX_OCCURRENCES, ScheduleBody
from api.routes.worklist import WorklistBody
from domain import errors as rules
from domain.accounts import EMAIL_LIMIT
from domain.answers import QUESTIONS
from domain.registration import MAX_ORGANIZERS
from domain.schedule import MAX_EXCEPTIONS, MAX_RULE_CHARS, MAX_SESSIONS, MAX_TEXT_BYTES, MAX_TITLE_BYTES
from domain.schedule_errors import InvalidOccurrenceRange, InvalidSchedule
from projections.places import WAITLIST_PAGE
from projections.views import EVENTS_BY_USER, ORGANIZERS_PAGE, PARTICIPANTS_PAGE

bp = Blueprint("openapi", __name__, url_prefix="/campaignevents/v0")

V0 = "/campaignevents/v0"
REGISTRATION = f"{V0}/event_registration/{{id}}"

# Who may call: anyone (a token or a session is used when given), a signed-in user, or a signed-in
# user writing (cookie sessions then send the CSRF token as ``token`` in the JSON body).
PUBLIC, USER, WRITE = "public", "user", "write"
SECURITY: dict[str, list[dict[str, list[str]]]] = {
    PUBLIC: [{}, {"bearer": []}, {"cookie": []}],
    USER: [{"bearer": []}, {"cookie": []}],
    WRITE: [{"bearer": []}, {"cookie": []}],
}

PATH_PARAMETERS = {
    "id": "ID of the event registration",
    "userid": "The central user ID",
    "user_id": "The central user ID",
    "secret": "The feed's secret (64 hexadecimal digits), as `GET …/participant/self/calendar_url` gives it",
}
# path parameters that are not integers (no ``badinteger``): their schema
PATH_SCHEMAS: dict[str, dict[str, Any]] = {"secret": {"type": "string"}}


@dataclass(frozen=True)
class Op:
    """One route: ``errors`` maps a status to the reasons this route has for it (the shared ones are
    added by ``_operation``)."""

    method: str
    path: str
    tag: str
    summary: str
    description: str
    ok: dict[int, dict[str, Any]]
    errors: dict[int, tuple[str, ...]] = field(default_factory=dict)
    body: type[Schema] | None = None
    body_required: bool = True
    query: tuple[dict[str, Any], ...] = ()
    auth: str = PUBLIC
    path_descriptions: dict[str, str] = field(default_factory=dict)
    contended: bool = True  # a write retried on concurrent changes (503 when they persist)


def ref(schema: type[Schema]) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{schema.__name__}"}


def _json(schema: Any, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if headers:
        response["headers"] = headers
    return response


def _array(schema: type[Schema], description: str, max_items: int) -> dict[str, Any]:
    return _json({"type": "array", "items": schema, "maxItems": max_items}, description)


def _empty(description: str) -> dict[str, Any]:
    return {"description": description}


def _query(name: str, schema: dict[str, Any], description: str, *, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _pipe_separated(name: str, description: str) -> dict[str, Any]:
    return _query(
        name,
        {"type": "string", "pattern": r"^([+-]?[0-9]+(\|[+-]?[0-9]+)*)?$", "example": "3|5"},
        description + " A `|`-separated list of integers (MediaWiki's multi-value form).",
    )


# --- the shared reasons ---------------------------------------------------------------------------
EVENT_NOT_FOUND = (
    "`campaignevents-rest-event-not-found`: The given ID does not correspond to an existing event "
    "registration"
)
USER_NOT_FOUND = "`campaignevents-rest-user-not-found`: The user does not exist"
EDIT_DENIED = (
    "`campaignevents-edit-not-allowed-registration`: You are not allowed to edit this event registration"
)
EDIT_DELETED = "`campaignevents-edit-registration-deleted`: The event registration was deleted"
HISTORY_DENIED = (
    "`campaignevents-rest-history-permission-denied`: You are not an organizer of the event or a sysop "
    "(the history, and `as_of`, are theirs only)"
)
BAD_AS_OF = "`badtimestamp` (parameter validation): `as_of` is not a timestamp"


def _rules(base: type[rules.DomainError]) -> list[type[rules.DomainError]]:
    """The rules under ``base``, in the order they are declared (the order they are checked in)."""
    found: list[type[rules.DomainError]] = []
    for rule in base.__subclasses__():
        found.extend([rule, *_rules(rule)])
    return found


INVALID_EVENT_DATA = (
    "The event data is invalid. Only the first rule that fails is answered: the event page, the timezone "
    "and times, the wikis, the participation options and meeting details, the chat URL, the tracking "
    "tool, and last whether the page already has a registration:",
    *(f"`{rule.key}`: {CATALOGUE[rule.key]}" for rule in _rules(rules.InvalidEventData)),
)
BODY_400 = (
    "`rest-body-validation-error` (parameter validation: `missingparam`, `needstring`, `badbool-type`, "
    "`badinteger-type`, `badtimestamp`, `badtitle`, `badvalue`, `baduser`, `multivalue-must-be-array`, "
    "`notarray`, `toomanyvalues`, `maxbytes`, ...): a body field is missing or invalid; only the first "
    "failure, in the schema's field order, is reported",
    "`rest-extraneous-body-fields`: the body has fields the route does not take",
    "`rest-json-body-parse-error`: the body is not a JSON object",
)
CSRF_400 = "`rest-extraneous-csrf-token`: a non-empty `token` with bearer authentication"
CSRF_403 = (
    "`rest-badtoken`: The provided CSRF token does not match (missing, invalid, or there is no session); "
    "cookie authentication only",
)
AS_OF_DESCRIPTION = (
    "A moment in the past, as a timestamp in any format MediaWiki reads (`20261122120000`, ISO 8601): the "
    "answer as it was then, rebuilt from the event's history. For the event's organizers and sysops only."
)


INVALID_TOKEN = (
    "`campaignevents-rest-invalid-token`: The bearer token is unknown, revoked or malformed (never read "
    "as anonymous)"
)
UNSUPPORTED_TYPE = "`rest-unsupported-content-type`: A body that is not `application/json`"
INTERNAL_ERROR = (
    "`campaignevents-rest-internal-error`: An unexpected error (logged with the request ID, which the "
    "message names)"
)
UNAVAILABLE = (
    "`campaignevents-rest-unavailable`: The database or Redis does not answer; try again after "
    "`Retry-After` seconds"
)
BUSY = "`campaignevents-rest-busy`: Too many concurrent changes to the same event, even after retries"
ERROR_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"schema": {"type": "string", "example": 'Bearer error="invalid_token"'}}},
    503: {"Retry-After": {"description": "Storage outages only", "schema": {"type": "integer"}}},
}


# --- query parameters -----------------------------------------------------------------------------
AS_OF = _query("as_of", {"type": "string", "example": "20261122120000"}, AS_OF_DESCRIPTION)
PARTICIPANT_QUERY = (
    _query(
        "include_private",
        {"type": "boolean"},
        "Whether to include private participants in the result. The request will fail with a 403 error "
        "if the user is not allowed to view them. `1`, `true`, `on`, `yes` and `0`, `false`, `off`, `no` "
        "or empty are accepted, in any case.",
        required=True,
    ),
    _query(
        "last_participant_id",
        {"type": "integer"},
        f"Default null: if null, get the first {PARTICIPANTS_PAGE} participants; if not null, get the next "
        f"{PARTICIPANTS_PAGE} participants (this is the participant_id of the last one, not the user ID)",
    ),
    _query(
        "username_filter",
        {"type": "string", "minLength": 1},
        "String to filter participants by user_name (case-insensitive substring; if given, not empty)",
    ),
    _pipe_separated("exclude_users", "Central user IDs to exclude from the result set."),
    AS_OF,
)


# --- the routes -----------------------------------------------------------------------------------
ROUTES: tuple[Op, ...] = (
    Op(
        "post",
        f"{V0}/event_registration",
        "Event registrations",
        "Enable an event registration",
        "Enables an event registration. The performer of the request is also automatically added as event "
        "organizer (the `creator`). Requires the right to enable registrations (group `event-organizer`).",
        ok={
            201: _json(
                schemas.IdResponse,
                "Success: the event registration was enabled. The Location header points to the "
                "registration resource.",
                headers={"Location": {"schema": {"type": "string", "format": "uri"}}},
            )
        },
        errors={
            400: INVALID_EVENT_DATA,
            403: (
                "`campaignevents-rest-enable-registration-permission-denied`: You cannot enable event "
                "registrations",
            ),
        },
        body=schemas.RegistrationBody,
        auth=WRITE,
    ),
    Op(
        "get",
        REGISTRATION,
        "Event registrations",
        "Get details of an event",
        "Returns the details of a given event registration: the same keys that you can use to edit it. "
        "`meeting_url` and `chat_url` are null when unset; when set, they are shown only to the event's "
        "organizers and its active participants (public or private) who are not blocked, and the keys are "
        "omitted for everyone else. With `as_of`, the registration as it was then (both URLs shown).",
        ok={200: _json(schemas.RegistrationDetails, "Success")},
        errors={
            400: (BAD_AS_OF,),
            403: (HISTORY_DENIED,),
            404: (
                EVENT_NOT_FOUND + " (with `as_of`: it did not exist yet)",
                "`campaignevents-rest-get-registration-deleted`: The event registration was deleted "
                "(at `as_of`, when given)",
            ),
        },
        query=(AS_OF,),
    ),
    Op(
        "put",
        REGISTRATION,
        "Event registrations",
        "Edit an event registration",
        "Edits an event registration: a full replacement (optional fields left out are cleared), plus "
        "`status`. The start may be in the past.",
        ok={204: _empty("Success: the event registration was edited.")},
        errors={
            400: (
                *INVALID_EVENT_DATA,
                EDIT_DELETED,
                "`campaignevents-edit-organizers-not-allowed`: a current organizer may no longer organize "
                "events",
                "`campaignevents-event-dates-cannot-be-changed`: the event has ended and has answers, and "
                "the new end is in the future",
            ),
            403: (EDIT_DENIED,),
            404: (EVENT_NOT_FOUND,),
        },
        body=schemas.RegistrationEditBody,
        auth=WRITE,
    ),
    Op(
        "delete",
        REGISTRATION,
        "Event registrations",
        "Delete a registration",
        "Deletes an event registration (a soft delete: the registration keeps its event page). The "
        "event's organizers and users with the delete-registration right (sysops) may.",
        ok={204: _empty("Success")},
        errors={
            403: (
                "`campaignevents-delete-not-allowed-registration`: You are not allowed to delete the "
                "registration",
            ),
            404: (
                EVENT_NOT_FOUND,
                "`campaignevents-rest-delete-already-deleted`: The event registration is already deleted",
            ),
        },
        body=schemas.BodySchema,
        body_required=False,
        auth=WRITE,
    ),
    Op(
        "get",
        f"{V0}/organizer/{{userid}}/event_registrations",
        "Listings",
        "List all events from an organizer",
        "Lists all the event registrations from an organizer (where the user is a current organizer), by "
        f"event ID, at most {EVENTS_BY_USER}. If the event is deleted, there's an additional "
        '`"event_deleted": true` element.',
        ok={200: _array(schemas.EventListItem, "Success: list all the events.", EVENTS_BY_USER)},
        errors={404: (USER_NOT_FOUND,)},
        path_descriptions={"userid": "The central user ID of the organizer"},
    ),
    Op(
        "get",
        f"{V0}/participant/{{userid}}/event_registrations",
        "Listings",
        "List all events a participant has registered for",
        "Lists all the event registrations a participant has registered for: active, public registrations "
        f"only (private ones never appear, not even to the participant), by event ID, at most "
        f'{EVENTS_BY_USER}. If the event is deleted, there\'s an additional `"event_deleted": true` element.',
        ok={200: _array(schemas.EventListItem, "Success: list all the events.", EVENTS_BY_USER)},
        errors={404: (USER_NOT_FOUND,)},
        path_descriptions={"userid": "The central user ID of the participant"},
    ),
    Op(
        "put",
        f"{REGISTRATION}/participants/self",
        "Participants",
        "Register as a participant",
        "Registers the user as a participant to an event, or updates the registration (privacy, answers). "
        "The answers are replaced by the ones given: leaving `answers` out deletes the stored ones.",
        ok={200: _json(schemas.ModifiedResponse, "Success")},
        errors={
            400: (
                "`campaignevents-rest-register-invalid-answer`: The answers provided are malformed or "
                "otherwise invalid",
                "`campaignevents-register-registration-deleted`: The event was deleted",
                "`campaignevents-register-event-past`: The event has already ended (new registrations only)",
                "`campaignevents-register-event-not-open`: The event registration is not open (new "
                "registrations only)",
                "`campaignevents-register-answers-aggregated-error`: answers were given, but the ones "
                "provided before have already been aggregated and deleted",
            ),
            403: (
                "`campaignevents-register-not-allowed`: You cannot register for events (anonymous or "
                "blocked)",
            ),
            404: (EVENT_NOT_FOUND,),
        },
        body=RegisterBody,
        auth=WRITE,
    ),
    Op(
        "delete",
        f"{REGISTRATION}/participants/self",
        "Participants",
        "Cancel registration as a participant",
        "Cancels the registration as a participant to an event (`modified` is false when the user was not "
        "registered). Closed and ended events may be left too; the user's stored answers are deleted.",
        ok={200: _json(schemas.ModifiedResponse, "Success")},
        errors={
            400: ("`campaignevents-unregister-registration-deleted`: The event was deleted",),
            403: (
                "`campaignevents-unregister-not-allowed`: You are not allowed to cancel your registration "
                "for this event (anonymous)",
            ),
            404: (EVENT_NOT_FOUND,),
        },
        body=schemas.BodySchema,
        body_required=False,
        auth=WRITE,
    ),
    Op(
        "get",
        f"{REGISTRATION}/participants/self",
        "Participants",
        "Get your registration information",
        "Returns the registration information of the current user as participant of a given event. "
        'Answers are keyed by question name (`[]` when there are none); `"removed": true` marks a question '
        "that is no longer enabled for the event.",
        ok={200: _json(schemas.OwnRegistration, "Success")},
        errors={
            403: (
                "`campaignevents-register-not-allowed`: You are not allowed to register for events "
                "(anonymous)",
            ),
            404: (
                EVENT_NOT_FOUND,
                "`campaignevents-rest-get-registration-info-notparticipant`: The user does not participate "
                "in the given event",
            ),
        },
        auth=USER,
    ),
    Op(
        "delete",
        f"{REGISTRATION}/participants",
        "Participants",
        "Remove participants from an event",
        "Removes participant(s) from an event: without `user_ids`, all of them; with `invert_users`, all "
        "but those. Closed and ended events too; the removed participants' answers are deleted.",
        ok={
            200: _json(
                schemas.RemovedResponse, "Success: the number of public and private participants removed"
            )
        },
        errors={
            400: (
                "`campaignevents-rest-remove-participants-invalid-users-ids`: user_ids is an empty array "
                "(checked before the event is looked up)",
                "`campaignevents-unregister-participants-registration-deleted`: The event was deleted",
            ),
            403: (
                "`campaignevents-unregister-participants-permission-denied`: You are not allowed to remove "
                "participants for this event",
            ),
            404: (EVENT_NOT_FOUND,),
        },
        body=RemoveBody,
        body_required=False,
        auth=WRITE,
    ),
    Op(
        "get",
        f"{REGISTRATION}/participants",
        "Participants",
        "List the participants of an event",
        "Returns a list of participants of a given event registration, by participant ID. This is "
        f"hard-limited to {PARTICIPANTS_PAGE} results. If the user is visible, `user_name` and `user_page` "
        'are set; an account that cannot be found has `"not_found": true` instead. If the user making the '
        "request is an organizer of the event, `user_is_valid_recipient` (organizers who may e-mail "
        "participants) and, until the event ends, `non_pii_answers` are also set (a string explaining why "
        "when the participant's answers have already been aggregated). With `as_of`, the active "
        "participants as they were then, without the organizers' properties.",
        ok={200: _array(schemas.ParticipantEntry, "Success", PARTICIPANTS_PAGE)},
        errors={
            400: (
                "`missingparam`, `badbool` (parameter validation): `include_private` is missing or not a "
                "boolean",
                "`badinteger` (parameter validation): `last_participant_id` or a value of `exclude_users` "
                "is not an integer",
                "`campaignevents-rest-list-participants-empty-filter`: `username_filter` is given but empty",
                BAD_AS_OF,
            ),
            403: (
                "`campaignevents-rest-list-participants-cannot-see-private`: include_private is true, but "
                "the user is not allowed to view private participants",
                HISTORY_DENIED,
            ),
            404: (EVENT_NOT_FOUND,),
        },
        query=PARTICIPANT_QUERY,
    ),
    Op(
        "get",
        f"{REGISTRATION}/organizers",
        "Organizers",
        "List the organizers of an event",
        "Returns a list of organizers of a given event registration, by organizer ID. This is hard-limited "
        f"to {ORGANIZERS_PAGE} results.",
        ok={200: _array(schemas.OrganizerEntry, "Success", ORGANIZERS_PAGE)},
        errors={
            400: ("`badinteger` (parameter validation): `last_organizer_id` is not an integer",),
            404: (EVENT_NOT_FOUND,),
        },
        query=(
            _query(
                "last_organizer_id",
                {"type": "integer"},
                f"Default null: if null, get the first {ORGANIZERS_PAGE} organizers; if not null, get the "
                f"next {ORGANIZERS_PAGE} organizers (this is the organizer_id, not the user ID)",
            ),
        ),
    ),
    Op(
        "put",
        f"{REGISTRATION}/organizers",
        "Organizers",
        "Update the list of organizers",
        "Updates the list of organizers of a given event registration (a full replacement).",
        ok={204: _empty("Success")},
        errors={
            400: (
                "`campaignevents-rest-set-organizers-empty-list`: organizer_usernames is an empty array",
                EDIT_DELETED,
                f"`campaignevents-edit-too-many-organizers`: more than {MAX_ORGANIZERS} organizers",
                "`campaignevents-edit-organizers-not-allowed`: users that do not exist or are not allowed "
                "to be organizers",
                "`campaignevents-edit-removed-creator`: the event creator is left out, and the performer "
                "is not the creator",
            ),
            403: (EDIT_DENIED,),
            404: (EVENT_NOT_FOUND,),
        },
        body=SetOrganizersBody,
        auth=WRITE,
    ),
    Op(
        "get",
        f"{V0}/participant_questions",
        "Listings",
        "Get available participant questions",
        "Returns the list of available participant questions, keyed by question ID (`[]` when no question "
        "is selected).",
        ok={200: _json(schemas.PARTICIPANT_QUESTIONS, "Success")},
        errors={400: ("`badinteger` (parameter validation): a value of `question_ids` is not an integer",)},
        query=(
            _pipe_separated(
                "question_ids",
                "Only include questions with the given IDs. Unrecognized IDs are ignored.",
            ),
        ),
    ),
    Op(
        "get",
        f"{REGISTRATION}/aggregated_answers",
        "Answers",
        "Get the aggregated answers of an event",
        "The totals of the participants' answers, for the event's organizers, once the event has ended and "
        "every answer has been aggregated. Small counts are hidden: a question with fewer than 10 answers "
        'shows only a message, an option with 1 to 4 answers shows the range "1-4".',
        ok={200: _json(schemas.AggregatedAnswers, "Success")},
        errors={
            400: (
                "`campaignevents-rest-aggregated-answers-not-available`: the event has not ended, or some "
                "answers are not aggregated yet",
            ),
            403: (
                "`campaignevents-rest-aggregated-answers-permission-denied`: You are not an organizer of "
                "the event",
            ),
            404: (EVENT_NOT_FOUND,),
        },
        auth=USER,
    ),
    Op(
        "post",
        f"{REGISTRATION}/email",
        "E-mail",
        "Email participants",
        "Sends an email to the selected participants (active ones, private included): `user_ids` with "
        "`invert_users` false selects those, with `invert_users` true all but those; without `user_ids` "
        "(or with an empty list), all of them. The e-mails are queued and sent by the worker; invalid "
        "recipients are skipped and not counted. With `ccme`, the sender gets a copy.",
        ok={
            202: _json(schemas.SentResponse, "Accepted: the e-mails are queued; `sent` is how many"),
            200: _json(schemas.SentResponse, 'Nobody was selected: `{"sent": 0}`'),
        },
        errors={
            400: (
                "`mailnologin`: You cannot send e-mail (no valid e-mail address, or blocked)",
                f"`actionthrottledtext`: You are throttled from sending email ({EMAIL_LIMIT} sends in 24 "
                "hours)",
            ),
            403: (
                'A bare `{"httpCode": 403, "httpReason": "Forbidden"}`: You are not allowed to email '
                "participants (organizers of the event with the email-participants right only)",
            ),
            404: (EVENT_NOT_FOUND,),
        },
        body=EmailBody,
        auth=WRITE,
    ),
    Op(
        "get",
        f"{REGISTRATION}/worklist",
        "Worklist",
        "List the articles of an event's worklist",
        "Returns a page of the event's worklist, in the order the articles were added, and the total. "
        "Public: no authentication is needed.",
        ok={200: _json(schemas.WorklistPage, "Success")},
        errors={
            400: (
                "`badinteger`, `outofrange` (parameter validation): `limit` or `offset` is not an integer "
                "or out of its range",
            ),
            404: (
                "`campaignevents-rest-get-worklist-not-found`: There is no event registration with this ID.",
            ),
        },
        query=(
            _query(
                "limit",
                {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": worklist.MAX_LIMIT,
                    "default": worklist.DEFAULT_LIMIT,
                },
                "Number of articles to return",
            ),
            _query(
                "offset", {"type": "integer", "minimum": 0, "default": 0}, "Zero-based offset for pagination"
            ),
        ),
    ),
    Op(
        "patch",
        f"{REGISTRATION}/worklist",
        "Worklist",
        "Change an event's worklist",
        "The event's organizers add and remove articles: both keyed by wiki ID, additions applied before "
        "removals; a title already present is not added twice. Titles are stored in database-key form "
        "(`Main_Page`).",
        ok={204: _empty("Success")},
        errors={
            400: (
                "`campaignevents-worklist-invalid-wiki`: Unknown wiki",
                "`campaignevents-worklist-invalid-title`: Invalid page title",
                EDIT_DELETED,
            ),
            403: (EDIT_DENIED,),
            404: (EVENT_NOT_FOUND,),
        },
        body=WorklistBody,
        body_required=False,
        auth=WRITE,
    ),
    Op(
        "get",
        f"{REGISTRATION}/history",
        "History",
        "Get the history of an event",
        "The audit history of an event registration, oldest first, for its organizers and sysops: who did "
        "what and when (never the answers themselves). Page with `last_id`.",
        ok={200: _array(schemas.HistoryEntry, "Success", history.MAX_LIMIT)},
        errors={
            400: (
                "`badinteger`, `outofrange` (parameter validation): `last_id` or `limit` is not an integer "
                "or out of its range",
            ),
            403: (HISTORY_DENIED,),
            404: (EVENT_NOT_FOUND,),
        },
        query=(
            _query(
                "last_id",
                {"type": "integer", "minimum": 0},
                "Default null: if null, start from the first entry; if not null, the entries after this ID",
            ),
            _query(
                "limit",
                {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": history.MAX_LIMIT,
                    "default": history.DEFAULT_LIMIT,
                },
                "Number of entries to return",
            ),
        ),
        auth=USER,
    ),
    Op(
        "post",
        "/auth/login",
        "Authentication",
        "Start a cookie session",
        "Sets an HttpOnly, SameSite=Lax session cookie (`campaignevents_session`). Writes made with it must "
        "carry the session's CSRF token (`GET /auth/csrf_token`) as `token` in their JSON body.",
        ok={200: _json(schemas.LoginResponse, "Logged in; session cookie set")},
        errors={
            401: ("`campaignevents-rest-login-failed`: Incorrect username or password",),
            429: ("`campaignevents-rest-login-throttled`: Too many login attempts from this address",),
        },
        body=schemas.LoginBody,
    ),
    Op(
        "post",
        "/auth/logout",
        "Authentication",
        "End the cookie session",
        "Ends the cookie session; the body carries the session's CSRF token.",
        ok={204: _empty("Logged out")},
        body=schemas.BodySchema,
        body_required=False,
        auth=WRITE,
        contended=False,
    ),
    Op(
        "get",
        "/auth/csrf_token",
        "Authentication",
        "Get the session's CSRF token",
        "The CSRF token that cookie-authenticated writes send as `token` (`+\\` when there is no session).",
        ok={200: _json(schemas.CsrfToken, "Token")},
    ),
)

# --- places (issue 13; api/routes/places.py) -----------------------------------------------------
_SETTINGS = {
    "type": "object",
    "required": ["participant_limit", "waitlist", "requires_approval"],
    "properties": {
        "participant_limit": {"type": "integer", "nullable": True, "minimum": 1},
        "waitlist": {"type": "boolean"},
        "requires_approval": {"type": "boolean"},
    },
}
_STATUS = {"type": "string", "enum": ["confirmed", "waitlisted", "pending", "declined", "none"]}
_POSITION = {"type": "integer", "nullable": True, "description": "Position on the waitlist (1: next)"}
NOT_A_PARTICIPANT = "`campaignevents-rest-participant-not-found`: The user is not registered for the event"
GONE_ON_GET = "`campaignevents-rest-get-registration-deleted`: The event registration was deleted"
PLACES_ROUTES: tuple[Op, ...] = (
    Op(
        "get",
        f"{REGISTRATION}/places",
        "Places",
        "Get the event's places settings",
        "The participant limit (null: none), whether a full event keeps a waitlist, and whether "
        "registrations need an organizer's approval.",
        ok={200: _json(_SETTINGS, "Success")},
        errors={404: (EVENT_NOT_FOUND, GONE_ON_GET)},
    ),
    Op(
        "put",
        f"{REGISTRATION}/places",
        "Places",
        "Set the event's places",
        "Organizers set the whole setting. Raising the limit promotes the first waitlisted registrants "
        "(in the order their requests were recorded); lowering it keeps everyone confirmed and only "
        "stops new confirmations.",
        ok={200: _json(_SETTINGS, "Success: the settings now in force")},
        errors={
            400: (
                "`campaignevents-rest-places-invalid-limit`: participant_limit is not positive",
                EDIT_DELETED,
            ),
            403: ("`campaignevents-rest-places-permission-denied`: You are not an organizer of the event",),
            404: (EVENT_NOT_FOUND,),
        },
        body=PlacesBody,
        auth=WRITE,
    ),
    Op(
        "get",
        f"{REGISTRATION}/waitlist",
        "Places",
        "Get the waitlist",
        "The waitlist in request order: organizers get names and positions, everyone else its length only "
        f"(so private registrants are never revealed). At most {WAITLIST_PAGE} entries.",
        ok={
            200: _json(
                {
                    "type": "object",
                    "required": ["length"],
                    "properties": {
                        "length": {"type": "integer"},
                        "waitlist": {
                            "type": "array",
                            "maxItems": WAITLIST_PAGE,
                            "items": {
                                "type": "object",
                                "properties": {
                                    "position": {"type": "integer"},
                                    "user_id": {"type": "integer"},
                                    "user_name": {"type": "string", "nullable": True},
                                    "private": {"type": "boolean"},
                                },
                            },
                        },
                    },
                },
                "Success",
            )
        },
        errors={404: (EVENT_NOT_FOUND, GONE_ON_GET)},
    ),
    Op(
        "get",
        f"{REGISTRATION}/participants/self/status",
        "Places",
        "Get your place status",
        "Whether your registration holds a place, waits (and where), awaits approval or was declined.",
        ok={
            200: _json(
                {"type": "object", "properties": {"status": _STATUS, "waitlist_position": _POSITION}},
                "Success",
            )
        },
        errors={
            403: ("`campaignevents-register-not-allowed`: You are not signed in",),
            404: (EVENT_NOT_FOUND, GONE_ON_GET),
        },
    ),
    Op(
        "post",
        f"{REGISTRATION}/participants/{{userid}}/approval",
        "Places",
        "Approve or decline a registration",
        "Organizers approve (the registration then takes a place, or the waitlist) or decline (the person "
        "is no longer registered) a pending registration; the person is told by e-mail.",
        ok={
            200: _json(
                {
                    "type": "object",
                    "properties": {
                        "user_id": {"type": "integer"},
                        "status": _STATUS,
                        "waitlist_position": _POSITION,
                    },
                },
                "Success: the registration's status now",
            )
        },
        errors={
            400: (
                "`campaignevents-rest-approval-not-pending`: The registration is not awaiting approval",
                EDIT_DELETED,
            ),
            403: ("`campaignevents-rest-approval-permission-denied`: You are not an organizer of the event",),
            404: (EVENT_NOT_FOUND, USER_NOT_FOUND, NOT_A_PARTICIPANT),
        },
        body=ApprovalBody,
        auth=WRITE,
    ),
    *(
        Op(
            method,
            f"{REGISTRATION}/participants/{{userid}}/check_in",
            "Places",
            summary,
            "Organizers check in a participant who holds a place (or undo it), from the event's start to 7 "
            "days after its end. `modified` is false when it already was so.",
            ok={200: _json(schemas.ModifiedResponse, "Success")},
            errors={
                400: (
                    "`campaignevents-rest-check-in-outside-window`: Not between the event's start and 7 days "
                    "after its end",
                    "`campaignevents-rest-check-in-not-confirmed`: The participant does not hold a place",
                    EDIT_DELETED,
                ),
                403: (
                    "`campaignevents-rest-check-in-permission-denied`: You are not an organizer of the event",
                ),
                404: (EVENT_NOT_FOUND, USER_NOT_FOUND, NOT_A_PARTICIPANT),
            },
            body=schemas.BodySchema,
            body_required=False,
            auth=WRITE,
        )
        for method, summary in (("put", "Check a participant in"), ("delete", "Undo a check-in"))
    ),
    Op(
        "get",
        f"{REGISTRATION}/counts",
        "Places",
        "Get the event's counts",
        "Confirmed participants (public and private), waitlisted, pending and checked-in registrants, and "
        "the limit; kept by the places read model.",
        ok={
            200: _json(
                {
                    "type": "object",
                    "properties": {
                        "participants": {
                            "type": "object",
                            "properties": {"public": {"type": "integer"}, "private": {"type": "integer"}},
                        },
                        "waitlisted": {"type": "integer"},
                        "pending": {"type": "integer"},
                        "checked_in": {"type": "integer"},
                        "participant_limit": {"type": "integer", "nullable": True},
                    },
                },
                "Success",
            )
        },
        errors={404: (EVENT_NOT_FOUND, GONE_ON_GET)},
    ),
)
ROUTES += PLACES_ROUTES

# --- calendars, rich content, moderation (issue 17; api/routes/content.py) -----------------------
_PLACE = {
    "type": "object",
    "nullable": True,
    "description": "latitude (-90..90) and longitude (-180..180), "
    "both or neither; address_lines (at most 5), city, region, country (2 letters), postal_code",
}
_CONTENT = {
    "type": "object",
    "properties": {
        "description_html": {"type": "string", "description": "Sanitized HTML (never the raw input)"},
        "description_text": {"type": "string", "description": "Its plain text"},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
        "prefix": {"type": "string", "nullable": True},
        "location": _PLACE,
        "venue": {"type": "object", "nullable": True, "description": "title, description, address"},
        "calendar_id": {"type": "integer"},
    },
}
_FLAGS = {
    "type": "object",
    "properties": {
        "locked": {"type": "boolean"},
        "hidden": {"type": "integer", "enum": [0, 1, -1]},
        "featured": {"type": "boolean"},
    },
}
_CALENDAR = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "colour": {"type": "string", "pattern": "^#[0-9a-f]{6}$"},
        "approve_events": {"type": "boolean"},
    },
}
HIDDEN_NOTE = " A hidden event answers as one that does not exist to anyone but its organizers and sysops."
CONTENT_RULES = tuple(
    f"`{key}`: {CATALOGUE[key]}"
    for key in (
        "campaignevents-rest-content-description-too-long",
        "campaignevents-rest-content-invalid-location",
        "campaignevents-rest-content-location-and-venue",
        "campaignevents-rest-content-invalid-venue",
        "campaignevents-rest-content-invalid-tag",
        "campaignevents-rest-content-too-many-tags",
        "campaignevents-rest-content-invalid-prefix",
        "campaignevents-rest-calendar-unknown",
    )
)
CONTENT_ROUTES: tuple[Op, ...] = (
    Op(
        "get",
        f"{REGISTRATION}/content",
        "Content",
        "Get the event's rich content",
        "The description (sanitized HTML and its plain text), tags, prefix, location or venue, and "
        "calendar. Events no one moved are in the default calendar (1)." + HIDDEN_NOTE,
        ok={200: _json(_CONTENT, "Success")},
        errors={404: (EVENT_NOT_FOUND, GONE_ON_GET)},
    ),
    Op(
        "put",
        f"{REGISTRATION}/content",
        "Content",
        "Set the event's rich content",
        "The event's organizers. Keys left out stay as they are; `location: null` or `venue: null` "
        "clears the place; `calendar_id` moves the event (into a calendar whose events need approval, "
        "by someone who is not a sysop: it is hidden pending approval).",
        ok={204: _empty("Success")},
        errors={
            400: (*CONTENT_RULES, EDIT_DELETED),
            403: (
                "`campaignevents-rest-content-permission-denied`: "
                + CATALOGUE["campaignevents-rest-content-permission-denied"],
                EDIT_DENIED,
            ),
            404: (EVENT_NOT_FOUND,),
        },
        body=ContentBody,
        auth=WRITE,
    ),
    Op(
        "get",
        f"{REGISTRATION}/moderation",
        "Content",
        "Get the event's moderation flags",
        "locked (no new participants but from moderators), hidden (1 pending approval, -1 hidden by a "
        "moderator), featured." + HIDDEN_NOTE,
        ok={200: _json(_FLAGS, "Success")},
        errors={404: (EVENT_NOT_FOUND, GONE_ON_GET)},
    ),
    Op(
        "put",
        f"{REGISTRATION}/moderation",
        "Content",
        "Set the event's moderation flags",
        "Moderators: sysops and the event's organizers. Keys left out stay as they are.",
        ok={204: _empty("Success")},
        errors={
            400: (
                "`campaignevents-rest-moderation-invalid-hidden`: "
                + CATALOGUE["campaignevents-rest-moderation-invalid-hidden"],
                EDIT_DELETED,
            ),
            403: (
                "`campaignevents-rest-moderation-permission-denied`: "
                + CATALOGUE["campaignevents-rest-moderation-permission-denied"],
            ),
            404: (EVENT_NOT_FOUND,),
        },
        body=ModerationBody,
        auth=WRITE,
    ),
    Op(
        "get",
        f"{V0}/calendars",
        "Content",
        "List the calendars",
        "Every calendar, by id; calendar 1 is the default one.",
        ok={200: _json({"type": "array", "items": _CALENDAR}, "Success")},
    ),
    Op(
        "get",
        f"{V0}/calendars/{{id}}",
        "Content",
        "Get a calendar",
        "One calendar.",
        ok={200: _json(_CALENDAR, "Success")},
        errors={404: ("`campaignevents-rest-calendar-not-found`: There is no calendar with this ID.",)},
    ),
)
ROUTES += CONTENT_ROUTES

# --- schedules, occurrences, calendar feeds (issue 14; api/routes/schedule.py) -----------------
_TS = {"type": "string", "example": "20301014100000"}
_SESSION = {
    "type": "object",
    "required": ["id", "start", "end"],
    "properties": {
        "id": {
            "type": "string",
            "description": "1 to 64 letters, digits, `_` or `-`, starting with a letter or digit",
        },
        "title": {"type": "string", "nullable": True, "description": f"At most {MAX_TITLE_BYTES} bytes"},
        "start": _TS,
        "end": _TS,
        "location": {"type": "string", "nullable": True, "description": f"At most {MAX_TEXT_BYTES} bytes"},
        "coordinates": {
            "type": "object",
            "nullable": True,
            "required": ["latitude", "longitude"],
            "properties": {"latitude": {"type": "number"}, "longitude": {"type": "number"}},
        },
        "description": {"type": "string", "nullable": True, "description": f"At most {MAX_TEXT_BYTES} bytes"},
    },
}
_SCHEDULE = {
    "type": "object",
    "properties": {
        "sessions": {"type": "array", "items": _SESSION, "maxItems": MAX_SESSIONS},
        "recurrence": {"type": "string", "nullable": True, "description": "An RFC 5545 RRULE"},
        "exceptions": {"type": "array", "items": {"type": "string", "format": "date"}},
        "timezone": {"type": "string"},
        "start_time": {"type": "string", "description": "The v0 start derived from the schedule"},
        "end_time": {"type": "string", "description": "The v0 end derived from the schedule"},
    },
}
_OCCURRENCES = {
    "type": "object",
    "properties": {
        "timezone": {"type": "string"},
        "occurrences": {
            "type": "array",
            "maxItems": MAX_OCCURRENCES,
            "items": {
                "type": "object",
                "properties": {
                    "session_id": {"type": "string"},
                    "start": {"type": "string", "description": "Local time, TS_MW"},
                    "end": {"type": "string", "description": "Local time, TS_MW"},
                    "start_utc": {"type": "string", "format": "date-time"},
                    "end_utc": {"type": "string", "format": "date-time"},
                },
            },
        },
        "more": {
            "type": "boolean",
            "description": "Whether occurrences after the last one shown are in the range",
        },
    },
}
_FEED_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "The feed's revision (for `If-None-Match`)"},
    "Last-Modified": {"schema": {"type": "string"}, "description": "For `If-Modified-Since`"},
}
FEED_OK = {
    200: {
        "description": "The feed (RFC 5545). Meeting URLs only in the events whose URL the reader may see "
        "(their organizers and active participants); events deleted in the last "
        f"{CANCELLED_FOR.days} days are there with `STATUS:CANCELLED`; hidden events only for their "
        "moderators.",
        "headers": {**_FEED_HEADERS, "Cache-Control": {"schema": {"type": "string", "example": "no-cache"}}},
        "content": {"text/calendar": {"schema": {"type": "string"}}},
    },
    304: {
        "description": "Not modified: the `If-None-Match` or `If-Modified-Since` sent matches",
        "headers": _FEED_HEADERS,
    },
}
FEED_QUERY_NOTE = (
    " Conditional requests (`If-None-Match`, `If-Modified-Since`) are answered 304 when nothing changed."
)
SCHEDULE_RULES = tuple(
    f"`{rule.key}`: {CATALOGUE[rule.key]}"
    for rule in _rules(InvalidSchedule)
    if rule is not InvalidOccurrenceRange
)
SCHEDULE_ROUTES: tuple[Op, ...] = (
    Op(
        "get",
        f"{REGISTRATION}/schedule",
        "Schedules",
        "Get the event's schedule",
        "The sessions (times in the event's timezone), the recurrence rule and its exception dates, and "
        "the v0 start and end derived from them. An event without a schedule has no sessions. With "
        "`as_of`, as it was then." + HIDDEN_NOTE,
        ok={200: _json(_SCHEDULE, "Success")},
        errors={
            400: (BAD_AS_OF,),
            403: (HISTORY_DENIED,),
            404: (EVENT_NOT_FOUND + " (with `as_of`: it did not exist yet)", GONE_ON_GET),
        },
        query=(AS_OF,),
    ),
    Op(
        "put",
        f"{REGISTRATION}/schedule",
        "Schedules",
        "Set the event's schedule",
        "The event's organizers replace the schedule: sessions, and optionally a recurrence rule (at most "
        "daily) with exception dates. The event's v0 start and end become the schedule's first start and "
        "last end. A v0 edit (`PUT …/event_registration/{id}`) that changes the start, end or timezone "
        "replaces the schedule by that single period.",
        ok={204: _empty("Success (also when the schedule was already this one)")},
        errors={
            400: (
                *SCHEDULE_RULES,
                EDIT_DELETED,
                "`campaignevents-event-dates-cannot-be-changed`: the event has ended and has answers, and "
                "the new end is in the future",
            ),
            403: (EDIT_DENIED,),
            404: (EVENT_NOT_FOUND,),
        },
        body=ScheduleBody,
        auth=WRITE,
    ),
    Op(
        "get",
        f"{REGISTRATION}/occurrences",
        "Schedules",
        "List the event's occurrences",
        "The occurrences that start in [`from`, `to`), in time order (an event without a schedule has one: "
        "its start and end)." + HIDDEN_NOTE,
        ok={200: _json(_OCCURRENCES, "Success")},
        errors={
            400: (
                "`missingparam`, `badtimestamp` (parameter validation): `from` or `to` is missing or not a "
                "timestamp",
                "`badinteger`, `outofrange` (parameter validation): `limit` is not an integer from 1 to "
                f"{MAX_OCCURRENCES}",
                f"`{InvalidOccurrenceRange.key}`: {CATALOGUE[InvalidOccurrenceRange.key]}",
            ),
            404: (EVENT_NOT_FOUND, GONE_ON_GET),
        },
        query=(
            _query("from", _TS, "Start of the range: a timestamp (TS_MW, ISO 8601...)", required=True),
            _query("to", _TS, "End of the range (excluded)", required=True),
            _query(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_OCCURRENCES},
                f"At most this many occurrences (default {DEFAULT_OCCURRENCES})",
            ),
        ),
    ),
    Op(
        "get",
        f"{REGISTRATION}/calendar.ics",
        "Schedules",
        "Get the event's calendar feed",
        "The event as iCalendar (one VEVENT per session, with RRULE/EXDATE)." + FEED_QUERY_NOTE + HIDDEN_NOTE,
        ok=FEED_OK,
        errors={
            404: (
                EVENT_NOT_FOUND,
                GONE_ON_GET + f" more than {CANCELLED_FOR.days} days ago",
            )
        },
    ),
    Op(
        "get",
        f"{V0}/organizer/{{user_id}}/calendar.ics",
        "Schedules",
        "Get an organizer's calendar feed",
        "The events the user organizes, as iCalendar (empty for a user who organizes none)."
        + FEED_QUERY_NOTE,
        ok=FEED_OK,
        errors={404: (USER_NOT_FOUND,)},
    ),
    Op(
        "get",
        f"{V0}/participant/feed/{{secret}}.ics",
        "Schedules",
        "Get a participant's secret calendar feed",
        "The events the feed's owner joined (publicly or privately), as iCalendar; the secret address is "
        "the only key, so calendar applications need no credentials." + FEED_QUERY_NOTE,
        ok=FEED_OK,
        errors={
            404: (
                "`campaignevents-rest-feed-not-found`: "
                + CATALOGUE["campaignevents-rest-feed-not-found"]
                + " (never issued, or revoked)",
            )
        },
    ),
    Op(
        "get",
        f"{V0}/participant/self/calendar_url",
        "Schedules",
        "Get your secret calendar feed address",
        "The address of your participant feed; the first call (or the first after a revocation) issues it, "
        "later calls give the same address.",
        ok={
            200: _json(
                {
                    "type": "object",
                    "required": ["url"],
                    "properties": {"url": {"type": "string", "format": "uri"}},
                },
                "Success",
            )
        },
        errors={
            401: (
                "`campaignevents-rest-feed-url-anonymous`: "
                + CATALOGUE["campaignevents-rest-feed-url-anonymous"],
            )
        },
        auth=USER,
    ),
    Op(
        "delete",
        f"{V0}/participant/self/calendar_url",
        "Schedules",
        "Revoke your secret calendar feed address",
        "The address stops answering (404); the next `GET …/participant/self/calendar_url` issues a new one. "
        "Also 204 when there was none.",
        ok={204: _empty("Success")},
        body=schemas.BodySchema,
        body_required=False,
        auth=WRITE,
        contended=False,
    ),
)
ROUTES += SCHEDULE_ROUTES

# What the body schemas' fields mean, where the route modules do not say (the API page's words). A
# value of None removes the key that the field's type gave.
BODY_FIELDS: dict[type[Schema], dict[str, dict[str, Any]]] = {
    RegisterBody: {
        "is_private": {"description": "Whether the registration should be private."},
        "answers": {
            "type": None,
            "oneOf": [
                {
                    "type": "object",
                    "properties": {question.name: schemas.AnswerInput for question in QUESTIONS},
                    "additionalProperties": True,
                },
                {"type": "array", "maxItems": 0},
            ],
            "description": "Answers to the participant questions enabled for this event, keyed by question "
            "name: the format that `GET .../participants/self` returns (`[]` reads as no answers). The "
            "IDs of the questions are in the event's details, their names and options in "
            "`GET /campaignevents/v0/participant_questions`. Only the questions enabled for the event (and "
            "those answered before) are read: any other name is ignored, whatever its value.",
        },
    },
    RemoveBody: {
        "user_ids": {
            "description": "List of user ids to be removed; if omitted, remove all. Passing an empty array "
            "will result in an error."
        },
        "invert_users": {
            "description": "Remove all participants except `user_ids` (true) or only those (false). "
            "Defaults to false."
        },
    },
    EmailBody: {
        "subject": {"description": "The subject for the email (non-empty)"},
        "message": {"description": "The message body for the email, plaintext only (non-empty)"},
        "user_ids": {"description": "Array of user ids for the email recipients"},
        "invert_users": {
            "description": "Whether to invert the selection of users: select the provided user ids "
            "(false), or all participants except the provided user ids (true). Defaults to false."
        },
        "ccme": {"description": "Send a copy of the message to the sender. Defaults to false."},
    },
    SetOrganizersBody: {
        "organizer_usernames": {"description": f"A list of usernames (at most {MAX_ORGANIZERS} organizers)"}
    },
    schemas.LoginBody: {"username": {"description": "User name"}, "password": {"description": "Password"}},
    ScheduleBody: {
        "sessions": {
            "type": "array",
            "items": _SESSION,
            "maxItems": MAX_SESSIONS,
            "description": "The sessions; `start` and `end` as v0's `start_time` (TS_MW, ISO 8601...), "
            "read in the event's timezone",
        },
        "recurrence": {
            "type": "string",
            "maxLength": MAX_RULE_CHARS,
            "description": "An RFC 5545 RRULE (at most daily, at the sessions' times), e.g. "
            "`FREQ=WEEKLY;COUNT=4`",
        },
        "exceptions": {
            "type": "array",
            "items": {"type": "string", "example": "2030-10-21"},
            "maxItems": MAX_EXCEPTIONS,
            "description": "Dates (`YYYY-MM-DD`, or a timestamp: its local date) the recurrence skips",
        },
    },
}
TOKEN = {"description": "The CSRF token of cookie sessions (`GET /auth/csrf_token`); bearer tokens need none"}


@cache
def document() -> dict[str, Any]:
    from api.app import MAX_BODY_BYTES  # the app imports this module

    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="CampaignEvents",
        version="v0",
        openapi_version="3.0.3",
        plugins=[plugin],
        info={"description": INFO},
    )
    for tag in dict.fromkeys(op.tag for op in ROUTES):
        spec.tag({"name": tag})
    converter = plugin.converter
    assert converter is not None
    for param_field, kind in (
        (params.Str, "string"),
        (params.Bool, "boolean"),
        (params.Int, "integer"),
        (params.Title, "string"),
        (params.Enum, "string"),
        (params.Timestamp, "string"),
        (params.Username, "string"),
        (params.Multi, "array"),
        (params.JsonObject, "object"),
        (params.TitlesByWiki, "object"),
    ):
        converter.map_to_openapi_type(param_field, kind, None)  # type: ignore[no-untyped-call]
    converter.add_attribute_function(_field_properties)  # type: ignore[no-untyped-call]

    def resolve(node: Any) -> Any:
        """Schema classes → component references; fields → their JSON schema."""
        if isinstance(node, type) and issubclass(node, Schema):
            if node.__name__ not in spec.components.schemas:
                spec.components.schema(node.__name__, schema=node)
            return ref(node)
        if isinstance(node, fields.Field):
            return resolve(converter.field2property(node))
        if isinstance(node, dict):
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, (list, tuple)):
            return [resolve(v) for v in node]
        return node

    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme(
        "cookie", {"type": "apiKey", "in": "cookie", "name": "campaignevents_session"}
    )
    paths: dict[str, dict[str, Any]] = {}
    for op in ROUTES:
        paths.setdefault(op.path, {})[op.method] = resolve(_operation(op, MAX_BODY_BYTES))
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    body_fields = {
        body: {name: resolve(extra) for name, extra in BODY_FIELDS.get(body, {}).items()}
        for body in dict.fromkeys(op.body for op in ROUTES if op.body is not None)
    }
    doc = spec.to_dict()
    for body, extras in body_fields.items():
        component = doc["components"]["schemas"][body.__name__]
        component["additionalProperties"] = False  # load_body refuses fields it does not know
        properties = component["properties"]
        if "token" in properties:
            properties["token"].update(TOKEN)
        for name, extra in extras.items():
            properties[name].update(extra)
            for key in [k for k, v in extra.items() if v is None]:
                del properties[name][key]
    # Inside one answer, keys other than ``value`` and ``other`` are ignored (as the reference does).
    answer = doc["components"]["schemas"]["AnswerInput"]
    answer["additionalProperties"] = True
    answer["description"] = (
        "One answer. Other keys are ignored; `other` is read only where the chosen option takes a text."
    )
    return doc


def _operation(op: Op, max_body_bytes: int) -> dict[str, Any]:
    names = re.findall(r"\{([^}]+)\}", op.path)
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": op.path_descriptions.get(name, PATH_PARAMETERS[name]),
            "schema": PATH_SCHEMAS.get(name, {"type": "integer"}),
        }
        for name in names
    ]
    reasons: dict[int, list[str]] = {}

    def add(status: int, *lines: str) -> None:
        reasons.setdefault(status, []).extend(lines)

    integers = [name for name in names if name not in PATH_SCHEMAS]
    add(400, *(f"`badinteger` (parameter validation): `{name}` is not an integer" for name in integers))
    if op.body is not None:
        add(400, *BODY_400)
    if op.auth == WRITE:
        add(400, CSRF_400)
        add(403, *CSRF_403)
    for status, own in op.errors.items():
        add(status, *own)
    add(401, INVALID_TOKEN)
    if op.body is not None:
        add(413, f"`rest-http-413`: The body is larger than {max_body_bytes} bytes")
        add(415, UNSUPPORTED_TYPE)
    if op.body is not None and op.method in ("post", "put") and op.path.startswith(V0 + "/"):
        add(411, f"`rest-request-body-expected`: The {op.method.upper()} request has no body")
    add(500, INTERNAL_ERROR)
    add(503, UNAVAILABLE)
    if op.auth == WRITE and op.contended:
        add(503, BUSY)
    responses: dict[str, Any] = {str(status): response for status, response in op.ok.items()}
    for status, lines in reasons.items():
        if lines:
            description = "\n".join(f"- {line}" for line in lines)
            responses[str(status)] = _json(schemas.ErrorEnvelope, description, ERROR_HEADERS.get(status))
    operation: dict[str, Any] = {
        "tags": [op.tag],
        "summary": op.summary,
        "description": op.description,
        "security": SECURITY[op.auth],
    }
    if parameters or op.query:
        operation["parameters"] = [*parameters, *op.query]
    if op.body is not None:
        operation["requestBody"] = {
            "required": op.body_required,
            "content": {"application/json": {"schema": op.body}},
        }
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def _field_properties(
    self: Any, field: fields.Field[Any], ret: dict[str, Any], **kwargs: Any
) -> dict[str, Any]:
    """What apispec cannot see in the project's own fields (an attribute function of its converter)."""
    extra: dict[str, Any] = {}
    if isinstance(field.parent, fields.List):  # a list's items: ``null`` is not "not given" there
        ret.pop("default", None)
        ret.pop("nullable", None)
    if isinstance(field, schemas.OneOf):
        extra["oneOf"] = [self.field2property(choice) for choice in field.choices]
    elif isinstance(field, params.Multi):
        extra["maxItems"] = field.limit
    elif isinstance(field, params.Int):
        extra.update(
            {k: v for k, v in (("minimum", field.minimum), ("maximum", field.maximum)) if v is not None}
        )
    elif isinstance(field, params.Enum):
        extra["enum"] = list(field.choices)
    elif isinstance(field, params.TitlesByWiki):
        extra["additionalProperties"] = {"type": "array", "items": {"type": "string"}}
        extra["description"] = (
            ret.get("description", "") + " (keyed by wiki ID; `[]` reads as an empty object)"
        ).strip()
    return extra


INFO = """The CampaignEvents REST API as a standalone, event-sourced service.

- JSON in, JSON out. Bodies are typed strictly (booleans are JSON booleans, integers JSON integers, \
lists JSON arrays); JSON `null` for an optional field means "not given".
- Every error is the envelope `ErrorEnvelope`: `errorKey`, `messageTranslations`, `httpCode`, \
`httpReason`, with `error`, `name`, `value`, `failureCode` and `failureData` first for parameter \
validation failures (`parameter-validation-failed`). Only the first failure is reported: parameters \
and body are checked first, then the CSRF token.
- An unknown path is a 404 `rest-no-match`. A method a path does not have is a 405 whose body has no \
`errorKey`: `messageTranslations`, `httpCode` and `httpReason` only, with an `Allow` header listing the \
path's methods. A POST or PUT without any body is a 411 `rest-request-body-expected`.
- Authentication: `Authorization: Bearer <token>` (a personal API token, CSRF-safe), or a cookie session \
(`POST /auth/login`) whose writes carry the CSRF token as `token` in the JSON body. Without either, the \
caller is anonymous.
- Every response carries an `X-Request-Id` header (the request's own, when it sent a valid one).
"""


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(document())
