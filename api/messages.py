"""The message catalogue: every English text the API sends, keyed by its message key.

Texts are those of the reference (MediaWiki core and the CampaignEvents extension); keys of our own
are marked. ``$1``, ``$2``... are parameters; ``{{PLURAL:$1|one|many}}`` picks by a count.
"""

from __future__ import annotations

import re

from workers.texts import MAIL_TEXTS

CATALOGUE: dict[str, str] = {
    # MediaWiki core REST framework and ParamValidator
    "rest-body-validation-error": "Invalid request body: $1",
    "paramvalidator-missingparam": 'The "$1" parameter must be set.',
    "paramvalidator-badinteger": 'Invalid value "$2" for integer parameter "$1".',
    "paramvalidator-badinteger-type": (
        'Invalid value "$2" for integer parameter "$1". Got a $3 value instead.'
    ),
    "paramvalidator-badbool": (
        'Invalid value "$2" for boolean parameter "$1". Pass 1, true, on, yes for true, '
        "or 0, false, off, no for false."
    ),
    "paramvalidator-badbool-type": ('Invalid value "$2" for boolean parameter "$1". Got a $3 value instead.'),
    "paramvalidator-badtimestamp": 'Invalid value "$2" for timestamp parameter "$1".',
    "paramvalidator-badtitle": (
        'Invalid value "$2" for title parameter <var>$1</var>: not a valid title string.'
    ),
    "paramvalidator-badvalue": 'Unrecognized value for parameter "$1": $2.',
    "paramvalidator-badvalue-multi": 'Unrecognized values for parameter "$1": $2.',
    # $2 is the rejected value in our parameter order (name, value, extras...): the limit is $3
    "paramvalidator-toomanyvalues": 'Too many values supplied for parameter "$1". The limit is $3.',
    "paramvalidator-needstring": 'Invalid value "$2" for string parameter "$1". Got a $3 value instead.',
    "paramvalidator-multivalue-must-be-array": 'Multi-value parameter "$1" must be given as an array.',
    "paramvalidator-notarray": "Invalid value for parameter <var>$1</var>: array expected.",
    "paramvalidator-maxbytes": 'Parameter "$1" cannot be longer than $3 bytes; the value given is $4 bytes.',
    "paramvalidator-baduser": 'Invalid value "$2" for user parameter <var>$1</var>.',
    "paramvalidator-outofrange": 'The value "$2" for parameter "$1" must be between $3 and $4.',
    "paramvalidator-outofrange-min": 'The value "$2" for parameter "$1" must be no less than $3.',
    "rest-extraneous-body-fields": "Extraneous fields found in request body: $1",
    "rest-json-body-parse-error": "Parsing request body as JSON failed: not a valid JSON object",
    "rest-unsupported-content-type": "Unsupported Content-Type: $1",
    "rest-request-body-expected": "The $1 request method expects a request body",
    "rest-no-match": "The requested relative path ($1) did not match any known handler",
    "rest-wrong-method": ("The request method ($1) was not one of the allowed methods for this path ($2)"),
    "rest-badtoken-missing": (
        "The <var>token</var> parameter is required unless using a CSRF-safe authentication method."
    ),
    "rest-badtoken-nosession": "CSRF error - no session.",
    "rest-badtoken": "The CSRF token provided is invalid.",
    "rest-extraneous-csrf-token": (
        "Extraneous CSRF token found. CSRF tokens must not be used when using authentication "
        "mechanisms such as OAuth that are safe against CSRF attacks."
    ),
    # our own
    "campaignevents-rest-internal-error": "An internal error occurred. Request ID: $1",
    "campaignevents-rest-invalid-token": "The access token is invalid or has been revoked.",
    "campaignevents-rest-login-failed": "Incorrect username or password entered. Please try again.",
    "campaignevents-error-username-taken": 'The username "$1" is already taken.',
    "campaignevents-error-unknown-group": "Unknown group: $1.",
    "campaignevents-error-group-added-and-removed": "A group cannot be both added and removed: $1.",
    "campaignevents-error-empty-password": "The password must not be empty.",
    # CampaignEvents
    "campaignevents-rest-event-not-found": "There is no event with this ID.",
    "campaignevents-rest-user-not-found": "There is no user with this central ID.",
    "campaignevents-rest-get-registration-deleted": "This event registration was deleted.",
    "campaignevents-rest-delete-already-deleted": "This event registration is already deleted.",
    "campaignevents-rest-enable-registration-permission-denied": (
        "You are not allowed to enable event registrations."
    ),
    "campaignevents-edit-not-allowed-registration": ("You are not allowed to edit this event registration."),
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
    "campaignevents-error-too-many-wikis": "Enter a maximum of $1 wikis.",
    "campaignevents-error-invalid-wikis": "The following wikis are not recognized: $1.",
    "campaignevents-error-no-participation-options": "Choose at least one participation option.",
    "campaignevents-error-invalid-meeting-url": "Enter a valid event meeting URL.",
    "campaignevents-error-meeting-url-not-online": (
        "The meeting URL must not be specified if the event is not online."
    ),
    "campaignevents-error-invalid-address": "Enter a valid address.",
    "campaignevents-error-invalid-country": "Enter a valid country.",
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
    "campaignevents-edit-organizers-not-allowed": (
        "$2 {{PLURAL:$1|doesn't|don't}} have the needed permissions to be "
        "{{PLURAL:$1|an organizer|organizers}}."
    ),
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
    # calendars, rich content, moderation (our own)
    "campaignevents-rest-content-permission-denied": (
        "You are not allowed to change the content of this event."
    ),
    "campaignevents-rest-content-description-too-long": "The description is longer than $1 characters.",
    "campaignevents-rest-content-invalid-location": "The location is invalid ($1).",
    "campaignevents-rest-content-location-and-venue": "An event has a location or a venue, not both.",
    "campaignevents-rest-content-invalid-venue": "The venue is invalid ($1).",
    "campaignevents-rest-content-invalid-tag": (
        'Invalid tag "$1": a tag has 1 to 50 printable characters and no comma.'
    ),
    "campaignevents-rest-content-too-many-tags": "An event has at most $1 tags.",
    "campaignevents-rest-content-invalid-prefix": "A prefix has 1 to 50 printable characters and no comma.",
    "campaignevents-rest-moderation-permission-denied": (
        "Only sysops and the event's organizers can lock, hide or feature this event."
    ),
    "campaignevents-rest-moderation-invalid-hidden": (
        "hidden is 0 (visible), 1 (pending approval) or -1 (hidden by a moderator)."
    ),
    "campaignevents-register-event-locked": "This event is locked: it takes no new participants.",
    "campaignevents-rest-calendar-not-found": "There is no calendar with this ID.",
    "campaignevents-rest-calendar-unknown": "There is no calendar with this ID.",
    "campaignevents-rest-calendar-permission-denied": "Only sysops can create, change or delete calendars.",
    "campaignevents-rest-calendar-invalid-title": "A calendar title has 1 to 255 printable characters.",
    "campaignevents-rest-calendar-invalid-colour": 'Invalid colour "$1": use the form #rrggbb.',
    "campaignevents-rest-calendar-not-empty": (
        "This calendar still holds {{PLURAL:$1|one event|$1 events}}: move them to another calendar first."
    ),
    "campaignevents-rest-calendar-default-kept": "The default calendar cannot be deleted.",
    # places (our own)
    "campaignevents-register-event-full": "This event is full and does not keep a waitlist.",
    "campaignevents-rest-places-invalid-limit": (
        "The participant limit must be a positive integer, or null for no limit."
    ),
    "campaignevents-rest-places-permission-denied": "You are not allowed to change the places of this event.",
    "campaignevents-rest-approval-permission-denied": (
        "You are not allowed to approve or decline registrations for this event."
    ),
    "campaignevents-rest-approval-not-pending": "This registration is not awaiting approval.",
    "campaignevents-rest-check-in-permission-denied": (
        "You are not allowed to check participants in for this event."
    ),
    "campaignevents-rest-check-in-outside-window": (
        "Participants can be checked in from the start of the event until 7 days after its end."
    ),
    "campaignevents-rest-check-in-not-confirmed": "Only participants who hold a place can be checked in.",
    "campaignevents-rest-participant-not-found": "This user is not registered for this event.",
    "campaignevents-register-answers-aggregated-error": (
        "You cannot provide answers because the ones you already provided have already been "
        "aggregated and deleted."
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
        "The event has ended, so you cannot change the event dates to future dates. This "
        "restriction protects participant data."
    ),
    "campaignevents-aggregated-answers-too-few": "This question has received less than 10 total responses.",
    "actionthrottledtext": (
        "As an anti-abuse measure, you are limited from performing this action too many times in a "
        "short space of time, and you have exceeded this limit.\nPlease try again in a few minutes."
    ),
    # core's key for "the sender has no confirmed address"; its text is the short title (the long
    # one is "mailnologintext", which the REST answer does not use)
    "mailnologin": "No send address",
    "campaignevents-rest-email-permission-denied": "Forbidden",
    "campaignevents-rest-get-worklist-not-found": "There is no event registration with this ID.",
    # our own
    "campaignevents-rest-login-throttled": (
        "Too many login attempts. Please wait a few minutes and try again."
    ),
    "campaignevents-worklist-invalid-wiki": "Unknown wiki: $1",
    "campaignevents-worklist-invalid-title": "Invalid page title: $1",
    "campaignevents-rest-history-permission-denied": (
        "You are not allowed to see the history of this event registration."
    ),
    "campaignevents-rest-unavailable": (
        "The service cannot reach its storage right now; please try again shortly."
    ),
    "campaignevents-rest-busy": (
        "The service is busy with concurrent changes to the same item; please try again."
    ),
    "campaignevents-rest-aggregated-answers-permission-denied": (
        "You are not allowed to see the aggregated responses of this event."
    ),
    "campaignevents-rest-aggregated-answers-not-available": (
        "The aggregated responses are available once the event has ended and every response has "
        "been aggregated."
    ),
    # our own: schedules and calendar feeds (domain/schedule_errors.py, domain/scheduling.py)
    "campaignevents-error-schedule-no-sessions": "A schedule needs at least one session.",
    "campaignevents-error-schedule-too-many-sessions": "A schedule can have at most $1 sessions.",
    "campaignevents-error-schedule-invalid-session-id": (
        'Invalid session ID "$1": use 1 to 64 letters, digits, "_" or "-", starting with a letter or digit.'
    ),
    "campaignevents-error-schedule-duplicate-session-id": 'The session ID "$1" is used more than once.',
    "campaignevents-error-schedule-invalid-session-time": (
        'A time of session "$1" does not exist in the event\'s timezone.'
    ),
    "campaignevents-error-schedule-session-end-before-start": 'Session "$1" ends before it starts.',
    "campaignevents-error-schedule-invalid-latitude": (
        'The latitude of session "$1" must be a number between -90 and 90.'
    ),
    "campaignevents-error-schedule-invalid-longitude": (
        'The longitude of session "$1" must be a number between -180 and 180.'
    ),
    "campaignevents-error-schedule-session-text-too-long": (
        'The $2 of session "$1" cannot be longer than $3 bytes.'
    ),
    "campaignevents-error-schedule-invalid-recurrence": "The recurrence is not a valid RFC 5545 RRULE.",
    "campaignevents-error-schedule-recurrence-count-and-until": (
        "A recurrence rule cannot have both COUNT and UNTIL."
    ),
    "campaignevents-error-schedule-unsupported-recurrence": (
        "The recurrence part $1 is not supported: events repeat at most daily, at their sessions' times."
    ),
    "campaignevents-error-schedule-recurrence-not-aligned": (
        'The start of session "$1" is not an occurrence of the recurrence rule.'
    ),
    "campaignevents-error-schedule-recurrence-until-before-start": (
        'The recurrence rule ends before session "$1" starts.'
    ),
    "campaignevents-error-schedule-recurrence-too-long": (
        "A recurrence rule with an end must end within $1 years of the first session."
    ),
    "campaignevents-error-schedule-too-many-recurring-sessions": (
        "A recurring schedule can have at most $1 sessions."
    ),
    "campaignevents-error-schedule-exceptions-without-recurrence": (
        "Exception dates need a recurrence rule."
    ),
    "campaignevents-error-schedule-too-many-exceptions": "A schedule can have at most $1 exception dates.",
    "campaignevents-error-schedule-no-occurrences": (
        "The exception dates leave no occurrence of the schedule."
    ),
    "campaignevents-error-schedule-invalid-occurrence-range": (
        'The "to" time of the occurrences asked for is before the "from" time.'
    ),
    "campaignevents-rest-feed-url-anonymous": "You must be logged in to have a calendar feed address.",
    "campaignevents-rest-feed-not-found": "There is no calendar feed at this address.",
    **MAIL_TEXTS,  # the e-mails' texts live with the jobs that send them
}

_PLURAL = re.compile(r"\{\{PLURAL:\$(\d+)\|([^|}]*)\|([^}]*)\}\}")
_PARAM = re.compile(r"\$(\d+)")


def text(key: str, *params: object) -> str:
    """The English text of ``key`` with its parameters filled in."""
    template = CATALOGUE[key]

    def plural(m: re.Match[str]) -> str:
        count = _param(params, int(m.group(1)))
        return m.group(2) if count in ("1", "-1") else m.group(3)

    template = _PLURAL.sub(plural, template)
    return _PARAM.sub(lambda m: _param(params, int(m.group(1))), template)


def _param(params: tuple[object, ...], n: int) -> str:
    if not 0 < n <= len(params):
        return f"${n}"
    value = params[n - 1]
    return listed(value) if isinstance(value, (list, tuple)) else str(value)


def listed(items: list[object] | tuple[object, ...]) -> str:
    """A list as MediaWiki's English list parameters read: "A", "A and B", "A, B and C"."""
    names = [str(i) for i in items]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
