"""The last answers that differed from the reference (issue 10, part A, items 1-9).

Each test pins the exact status, envelope (key order included), ``errorKey``, ``failureCode`` and
English text. Where REL1_43 (the observed transcript) and the newest CampaignEvents branch differ,
the newest branch's key and text are the ones expected (``API.md``, "Sources, in order of
authority").
"""

from __future__ import annotations

from typing import Any

import pytest

from api.messages import CATALOGUE
from tests.api.helpers import (
    BASE,
    EVENT_NOT_FOUND,
    NAMESPACE_NOT_ALLOWED,
    NO_PARTICIPATION_OPTIONS,
    People,
    assert_json,
    assert_text,
    body_error,
    create,
    edit_body,
    error,
    raw,
    url,
)
from tests.conftest import registration_body


@pytest.fixture
def admin(api: Any, people: People) -> Any:
    """Admin with a cookie session (the client adds the CSRF token to every body)."""
    return api(people.admin, session=True)


@pytest.fixture
def bearer(api: Any, people: People) -> Any:
    """Admin with a bearer token (CSRF-safe: a request may carry no body at all)."""
    return api(people.admin)


def participants_self(event_id: object) -> str:
    return url(event_id) + "/participants/self"


def organizers(event_id: object) -> str:
    return url(event_id) + "/organizers"


def email(event_id: object) -> str:
    return url(event_id) + "/email"


# --- 1. an event page outside the allowed namespaces ---------------------------------------------
def test_page_outside_the_allowed_namespaces(admin: Any) -> None:
    assert_text(admin.post(BASE, registration_body("Main page")), 400, NAMESPACE_NOT_ALLOWED)
    assert_json(
        admin.post(BASE, registration_body("Talk:Foo")),
        400,
        error(
            "campaignevents-error-page-namespace-not-allowed",
            "The event page must be in one of the permitted namespaces",
            400,
        ),
    )


def test_the_page_error_wins_over_a_bad_timezone(admin: Any) -> None:
    body = registration_body("Special:Nothing", timezone="Mars/Olympus_Mons")
    assert_text(admin.post(BASE, body), 400, NAMESPACE_NOT_ALLOWED)


def test_an_edit_moving_the_page_outside_the_allowed_namespaces(admin: Any) -> None:
    create(admin)
    assert_text(admin.put(url(1), edit_body("Main page")), 400, NAMESPACE_NOT_ALLOWED)


# --- 2. neither online nor in person -------------------------------------------------------------
def test_neither_online_nor_in_person(admin: Any) -> None:
    both_false = registration_body(online_meeting=False, inperson_meeting=False, meeting_url=...)
    assert_text(admin.post(BASE, both_false), 400, NO_PARTICIPATION_OPTIONS)
    both_omitted = registration_body(online_meeting=..., inperson_meeting=..., meeting_url=...)
    assert_text(admin.post(BASE, both_omitted), 400, NO_PARTICIPATION_OPTIONS)


def test_no_participation_option_comes_before_the_meeting_checks(admin: Any) -> None:
    """The reference makes no further meeting check: a meeting URL is not "not online" here."""
    body = registration_body(online_meeting=False, meeting_url="not a url", meeting_country="Italy")
    assert_json(
        admin.post(BASE, body),
        400,
        error(
            "campaignevents-error-no-participation-options", "Choose at least one participation option.", 400
        ),
    )


# --- 3. tracking tool texts, and the whole catalogue -------------------------------------------------
def test_tracking_tool_without_its_event_id(admin: Any) -> None:
    assert_json(
        admin.post(BASE, registration_body(tracking_tool_id="wikimedia-pe-dashboard")),
        400,
        error(
            "campaignevents-error-trackingtool-without-eventid",
            "Provide the identifier of the event on the given tracking tool.",
            400,
        ),
    )


def test_tracking_tool_event_id_without_the_tool(admin: Any) -> None:
    assert_json(
        admin.post(BASE, registration_body(tracking_tool_event_id="Institution/Course")),
        400,
        error(
            "campaignevents-error-trackingtool-eventid-without-toolid",
            "Provide the identifier of the tracking tool",
            400,
        ),
    )


# Every English text the reference documents quote (campaignevents-behaviour.md and
# campaignevents-observed.md), plus the newest branch's texts the issue names, for the keys of our
# catalogue. Placeholders as the catalogue writes them.
REFERENCE_TEXTS: dict[str, str] = {
    "rest-body-validation-error": "Invalid request body: $1",
    "paramvalidator-missingparam": 'The "$1" parameter must be set.',
    "paramvalidator-badinteger": 'Invalid value "$2" for integer parameter "$1".',
    "paramvalidator-badinteger-type": (
        'Invalid value "$2" for integer parameter "$1". Got a $3 value instead.'
    ),
    "paramvalidator-badbool-type": 'Invalid value "$2" for boolean parameter "$1". Got a $3 value instead.',
    "paramvalidator-badtimestamp": 'Invalid value "$2" for timestamp parameter "$1".',
    "paramvalidator-badtitle": (
        'Invalid value "$2" for title parameter <var>$1</var>: not a valid title string.'
    ),
    "paramvalidator-badvalue": 'Unrecognized value for parameter "$1": $2.',
    "paramvalidator-baduser": 'Invalid value "$2" for user parameter <var>$1</var>.',
    "paramvalidator-notarray": "Invalid value for parameter <var>$1</var>: array expected.",
    "paramvalidator-multivalue-must-be-array": 'Multi-value parameter "$1" must be given as an array.',
    "rest-extraneous-body-fields": "Extraneous fields found in request body: $1",
    "rest-json-body-parse-error": "Parsing request body as JSON failed: not a valid JSON object",
    "rest-unsupported-content-type": "Unsupported Content-Type: $1",
    "rest-request-body-expected": "The $1 request method expects a request body",
    "rest-no-match": "The requested relative path ($1) did not match any known handler",
    "rest-wrong-method": "The request method ($1) was not one of the allowed methods for this path ($2)",
    "rest-badtoken-missing": (
        "The <var>token</var> parameter is required unless using a CSRF-safe authentication method."
    ),
    "rest-badtoken-nosession": "CSRF error - no session.",
    "rest-badtoken": "The CSRF token provided is invalid.",
    "rest-extraneous-csrf-token": (
        "Extraneous CSRF token found. CSRF tokens must not be used when using authentication mechanisms "
        "such as OAuth that are safe against CSRF attacks."
    ),
    "campaignevents-rest-event-not-found": "There is no event with this ID.",
    "campaignevents-rest-user-not-found": "There is no user with this central ID.",
    "campaignevents-rest-get-registration-deleted": "This event registration was deleted.",
    "campaignevents-rest-delete-already-deleted": "This event registration is already deleted.",
    "campaignevents-rest-enable-registration-permission-denied": (
        "You are not allowed to enable event registrations."
    ),
    "campaignevents-edit-not-allowed-registration": "You are not allowed to edit this event registration.",
    "campaignevents-delete-not-allowed-registration": (
        "You are not allowed to delete this event registration."
    ),
    "campaignevents-error-page-namespace-not-allowed": (
        "The event page must be in one of the permitted namespaces"
    ),
    "campaignevents-error-page-with-section": "The event page must not contain a section name.",
    "campaignevents-error-page-already-registered": (
        "The given event page already has an associated registration."
    ),
    "campaignevents-error-page-already-registered-deleted": (
        "You cannot complete the action because the event registration has been deleted from this event page."
    ),
    "campaignevents-error-invalid-timezone": "Enter a valid timezone.",
    "campaignevents-error-empty-start": "Choose a start time.",
    "campaignevents-error-invalid-start": "The event start time is invalid.",
    "campaignevents-error-empty-end": "Enter an end time.",
    "campaignevents-error-invalid-end": "The event end time is invalid.",
    "campaignevents-error-start-after-end": "Enter an end date that comes after the start date.",
    "campaignevents-error-start-past": "Enter a start time in the future.",
    "campaignevents-error-no-participation-options": "Choose at least one participation option.",
    "campaignevents-error-invalid-meeting-url": "Enter a valid event meeting URL.",
    "campaignevents-error-meeting-url-not-online": (
        "The meeting URL must not be specified if the event is not online."
    ),
    "campaignevents-error-invalid-address": "Enter a valid address.",
    "campaignevents-error-countryoraddress-not-in-person": (
        "The meeting country and address must not be specified if the event is not in-person."
    ),
    "campaignevents-error-invalid-chat-url": "Enter a valid chat URL.",
    "campaignevents-error-trackingtool-without-eventid": (
        "Provide the identifier of the event on the given tracking tool."
    ),
    "campaignevents-error-trackingtool-eventid-without-toolid": "Provide the identifier of the tracking tool",
    "campaignevents-error-invalid-trackingtool": "Provide a valid tracking tool identifier",
    "campaignevents-edit-registration-deleted": "This event registration was deleted.",
    "campaignevents-edit-invalid-username": '"$1" is not a valid username.',
    "campaignevents-rest-set-organizers-empty-list": (
        "<var>organizer_usernames</var> must be an array of usernames and cannot be empty"
    ),
    "campaignevents-edit-too-many-organizers": "You can't add more than $1 organizers.",
    "campaignevents-edit-removed-creator": "You cannot remove $1 because this user is the event creator",
    "campaignevents-rest-register-invalid-answer": "Invalid answer to the question $1",
    "campaignevents-register-not-allowed": "You are not allowed to register for events.",
    "campaignevents-register-registration-deleted": (
        "You cannot register for this event because it was deleted."
    ),
    "campaignevents-register-event-past": "This event registration period has already finished.",
    "campaignevents-register-event-not-open": "This event registration is closed.",
    "campaignevents-register-answers-aggregated-error": (
        "You cannot provide answers because the ones you already provided have already been aggregated "
        "and deleted."
    ),
    "campaignevents-unregister-not-allowed": "You are not allowed to cancel your registration.",
    "campaignevents-unregister-registration-deleted": (
        "You cannot cancel your event registration because it was deleted."
    ),
    "campaignevents-rest-get-registration-info-notparticipant": "You are not participating in this event.",
    "campaignevents-rest-remove-participants-invalid-users-ids": (
        "Parameter 'user_ids' must be an array of user ids, or null (to remove all users)"
    ),
    "campaignevents-unregister-participants-permission-denied": "You are not allowed to remove participants",
    "campaignevents-unregister-participants-registration-deleted": (
        "You cannot remove participants from this event because it was deleted."
    ),
    "campaignevents-rest-list-participants-cannot-see-private": (
        "You are not authorized to view participants who registered privately for this event."
    ),
    "campaignevents-rest-list-participants-empty-filter": (
        "The username filter, if specified, must be a non-empty string."
    ),
    "campaignevents-participant-answers-aggregated": (
        "This participant's responses have been aggregated and deleted"
    ),
    "campaignevents-participant-no-response": "No response",
    "campaignevents-event-dates-cannot-be-changed": (
        "The event has ended, so you cannot change the event dates to future dates. This restriction "
        "protects participant data."
    ),
    "campaignevents-aggregated-answers-too-few": "This question has received less than 10 total responses.",
    "actionthrottledtext": (
        "As an anti-abuse measure, you are limited from performing this action too many times in a short "
        "space of time, and you have exceeded this limit.\nPlease try again in a few minutes."
    ),
    "mailnologin": "No send address",  # MediaWiki core's English text of the key the sender check sends
    "campaignevents-email-copy-subject": "Copy of your message to participants of $1",
    "campaignevents-rest-get-worklist-not-found": "There is no event registration with this ID.",
}
RETIRED = (
    "campaignevents-error-page-not-event-namespace",
    "campaignevents-error-no-meeting-type",
    "paramvalidator-notmulti",
)


@pytest.mark.parametrize("key", sorted(REFERENCE_TEXTS))
def test_the_catalogue_has_the_reference_text(key: str) -> None:
    assert CATALOGUE.get(key) == REFERENCE_TEXTS[key]


def test_the_rel1_43_keys_are_gone() -> None:
    assert [key for key in RETIRED if key in CATALOGUE] == []


# --- 4. a page title with a section ---------------------------------------------------------------
SECTION = error(
    "campaignevents-error-page-with-section", "The event page must not contain a section name.", 400
)


def test_a_page_with_a_section_is_a_domain_error(admin: Any) -> None:
    resp = admin.post(BASE, registration_body("Event:Foo#Agenda"))
    assert_json(resp, 400, SECTION)
    assert list(resp.get_json()) == ["errorKey", "messageTranslations", "httpCode", "httpReason"]


def test_the_section_is_checked_before_the_namespace_and_the_timezone(admin: Any) -> None:
    assert_json(
        admin.post(BASE, registration_body("Main page#Agenda", timezone="Mars/Olympus_Mons")), 400, SECTION
    )


def test_a_section_on_the_unchanged_page_of_an_edit(admin: Any) -> None:
    create(admin)
    assert_json(admin.put(url(1), edit_body("Event:PeerTest One#Agenda")), 400, SECTION)


def test_an_empty_section_is_no_section_and_the_title_before_it_must_be_valid(admin: Any, api: Any) -> None:
    assert_text(admin.post(BASE, registration_body("Event:Foo#")), 201, '{"id":1}')
    assert api().get(url(1)).get_json()["event_page"] == "Event:Foo"
    resp = admin.post(BASE, registration_body("Event:<bad>#Agenda"))
    assert (resp.status_code, resp.get_json()["failureCode"]) == (400, "badtitle")


# --- 5. POST or PUT without any body ----------------------------------------------------------------
def no_body(method: str) -> dict[str, Any]:
    return {
        "errorKey": "rest-request-body-expected",
        "messageTranslations": {"en": f"The {method} request method expects a request body"},
        "httpCode": 411,
        "httpReason": "Length Required",
    }


def test_post_and_put_without_a_body(bearer: Any, admin: Any) -> None:
    create(admin)
    assert_json(raw(bearer, "POST", BASE), 411, no_body("POST"))
    assert_json(raw(bearer, "PUT", url(1)), 411, no_body("PUT"))
    assert_json(raw(bearer, "PUT", participants_self(1)), 411, no_body("PUT"))
    assert_json(raw(bearer, "PUT", organizers(1)), 411, no_body("PUT"))
    assert_json(raw(bearer, "POST", email(1)), 411, no_body("POST"))


def test_no_body_comes_before_everything_else(bearer: Any, api: Any, people: People) -> None:
    """Before the Content-Type, the path parameter, the CSRF check, the permission and the lookup."""
    assert_json(raw(bearer, "POST", BASE, content_type="text/plain"), 411, no_body("POST"))
    assert_json(raw(bearer, "POST", BASE, content_type="application/json"), 411, no_body("POST"))
    assert_json(raw(bearer, "PUT", url("abc")), 411, no_body("PUT"))
    assert_json(raw(bearer, "PUT", url(999999)), 411, no_body("PUT"))
    assert_json(raw(api(), "POST", BASE), 411, no_body("POST"))
    assert_json(raw(api(people.carol, session=True), "POST", BASE), 411, no_body("POST"))


def test_delete_needs_no_body(bearer: Any, admin: Any) -> None:
    create(admin)
    assert_json(raw(bearer, "DELETE", participants_self(1)), 200, {"modified": False})
    assert_text(raw(bearer, "DELETE", url(999999)), 404, EVENT_NOT_FOUND)


def test_an_empty_json_object_is_a_body(bearer: Any) -> None:
    resp = bearer.post(BASE, {})
    assert (resp.status_code, resp.get_json()["failureCode"]) == (400, "missingparam")


# --- 6. a list parameter given as a scalar -------------------------------------------------------------
def test_array_parameters_given_a_scalar_are_notarray(admin: Any) -> None:
    create(admin)
    assert_json(
        admin.post(email(1), {"subject": "Hi", "message": "Hello", "user_ids": 4}),
        400,
        body_error(
            "user_ids", 4, "notarray", "Invalid value for parameter <var>user_ids</var>: array expected."
        ),
    )
    assert_json(
        admin.put(participants_self(1), {"is_private": False, "answers": "gender"}),
        400,
        body_error(
            "answers", "gender", "notarray", "Invalid value for parameter <var>answers</var>: array expected."
        ),
    )


def test_the_body_is_checked_before_the_lookup(admin: Any) -> None:
    assert_json(
        admin.post(email(999999), {"subject": "Hi", "message": "Hello", "user_ids": "4"}),
        400,
        body_error(
            "user_ids", "4", "notarray", "Invalid value for parameter <var>user_ids</var>: array expected."
        ),
    )


def test_multi_value_parameters_given_a_scalar(admin: Any) -> None:
    create(admin)
    assert_json(
        admin.put(organizers(1), {"organizer_usernames": "Admin"}),
        400,
        body_error(
            "organizer_usernames",
            "Admin",
            "multivalue-must-be-array",
            'Multi-value parameter "organizer_usernames" must be given as an array.',
        ),
    )
    assert_json(
        admin.delete(url(1) + "/participants", {"user_ids": 4}),
        400,
        body_error(
            "user_ids",
            4,
            "multivalue-must-be-array",
            'Multi-value parameter "user_ids" must be given as an array.',
        ),
    )
    assert_json(
        admin.post(BASE, registration_body(wikis="local")),
        400,
        body_error(
            "wikis",
            "local",
            "multivalue-must-be-array",
            'Multi-value parameter "wikis" must be given as an array.',
        ),
    )


# --- 7. PUT organizers without organizer_usernames ------------------------------------------------------
EMPTY_LIST = error(
    "campaignevents-rest-set-organizers-empty-list",
    "<var>organizer_usernames</var> must be an array of usernames and cannot be empty",
    400,
)


def test_put_organizers_without_the_list(admin: Any) -> None:
    create(admin)
    assert_json(admin.put(organizers(1), {}), 400, EMPTY_LIST)
    assert_json(admin.put(organizers(1), {"organizer_usernames": None}), 400, EMPTY_LIST)
    assert_json(admin.put(organizers(1), {"organizer_usernames": []}), 400, EMPTY_LIST)


def test_the_lookup_comes_before_the_empty_list(admin: Any) -> None:
    assert_text(admin.put(organizers(999999), {}), 404, EVENT_NOT_FOUND)


# --- 8. an invalid user name in organizer_usernames -----------------------------------------------------
def test_an_invalid_user_name(admin: Any) -> None:
    create(admin)
    assert_json(
        admin.put(organizers(1), {"organizer_usernames": ["Admin", "Foo|bar"]}),
        400,
        body_error(
            "organizer_usernames",
            "Foo|bar",
            "baduser",
            'Invalid value "Foo|bar" for user parameter <var>organizer_usernames</var>.',
        ),
    )


# --- 9. the e-mail throttle text -------------------------------------------------------------------------
def test_the_sixth_mail_of_the_day_is_throttled(admin: Any, api: Any, people: People) -> None:
    create(admin)
    joined = api(people.bob, session=True).put(participants_self(1), {"is_private": False})
    assert joined.status_code == 200, joined.get_json()
    for _ in range(5):
        sent = admin.post(email(1), {"subject": "Hi", "message": "Hello"})
        assert sent.status_code == 202, sent.get_json()
    resp = admin.post(email(1), {"subject": "Hi", "message": "Hello"})
    assert_json(
        resp,
        400,
        error(
            "actionthrottledtext",
            "As an anti-abuse measure, you are limited from performing this action too many times in a "
            "short space of time, and you have exceeded this limit.\nPlease try again in a few minutes.",
            400,
        ),
    )
