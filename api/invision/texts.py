"""Invision's error codes and messages (dialects-facts §3.3, §3.5, §3.7); the ones the reference does
not name (marked *project*) follow its pattern: ``<severity><app code>/<letter>`` and an
UPPER_SNAKE message."""

from __future__ import annotations

Code = tuple[str, str, int]  # (errorCode, errorMessage, HTTP status)

# framework (system/Dispatcher/Api.php)
NO_API_KEY: Code = ("2S290/6", "NO_API_KEY", 401)
INVALID_API_KEY: Code = ("3S290/7", "INVALID_API_KEY", 401)
INVALID_ACCESS_TOKEN: Code = ("3S290/9", "INVALID_ACCESS_TOKEN", 401)
INVALID_APP: Code = ("2S290/1", "INVALID_APP", 404)
INVALID_CONTROLLER: Code = ("2S290/5", "INVALID_CONTROLLER", 404)
NO_ENDPOINT: Code = ("2S291/1", "NO_ENDPOINT", 404)
BAD_METHOD: Code = ("3S291/2", "BAD_METHOD", 405)
REQUEST_REFUSED = "INVALID_REQUEST"  # *project*: werkzeug refused the request (413: body too large)
TOO_MANY_REQUESTS: Code = ("1S290/D", "TOO_MANY_REQUESTS_WITH_BAD_KEY", 429)

# GET /calendar/events
INVALID_DATE: Code = ("1L296/M", "INVALID_DATE", 403)
# GET /calendar/events/{id} and its sub-resources
INVALID_ID: Code = ("2L296/1", "INVALID_ID", 404)
COMMENTS_INVALID_ID: Code = ("2L296/2", "INVALID_ID", 404)
REVIEWS_INVALID_ID: Code = ("2L296/3", "INVALID_ID", 404)
RSVPS_INVALID_ID: Code = ("2L296/4", "INVALID_ID", 404)
DELETE_INVALID_ID: Code = ("2L296/5", "INVALID_ID", 404)
DELETE_NO_PERMISSION: Code = ("2F294/B", "NO_PERMISSION", 404)

# POST /calendar/events (create), in the reference's order
NO_CALENDAR: Code = ("1L296/6", "NO_CALENDAR", 400)
NO_PERMISSION: Code = ("2L296/C", "NO_PERMISSION", 403)
NO_AUTHOR: Code = ("1L296/7", "NO_AUTHOR", 400)
NO_TITLE: Code = ("1L296/8", "NO_TITLE", 400)
NO_DESC: Code = ("1L296/9", "NO_DESC", 400)
INVALID_START: Code = ("1L296/A", "INVALID_START", 400)
INVALID_END: Code = ("1L296/B", "INVALID_END", 400)

# POST /calendar/events/{id} (edit)
EDIT_INVALID_ID: Code = ("1L296/I", "INVALID_ID", 404)  # the docs' code (the source reuses 1L296/D)
EDIT_NO_CALENDAR: Code = ("1L296/D", "NO_CALENDAR", 400)
EDIT_NO_AUTHOR: Code = ("1L296/E", "NO_AUTHOR", 400)
EDIT_INVALID_START: Code = ("1L296/G", "INVALID_START", 400)
EDIT_INVALID_END: Code = ("1L296/H", "INVALID_END", 400)
EDIT_NO_PERMISSION: Code = ("2L296/D", "NO_PERMISSION", 403)

# RSVPs
INVALID_EVENT: Code = ("2L296/J", "INVALID_EVENT", 404)
INVALID_MEMBER: Code = ("2L296/K", "INVALID_MEMBER", 404)
INVALID_RESPONSE: Code = ("1L296/L", "INVALID_RESPONSE", 400)
RSVP_NOT_ALLOWED: Code = ("2L296/N", "NO_PERMISSION", 403)  # *project*: rsvp off, locked
RSVP_LIMIT_REACHED: Code = ("2L296/O", "RSVP_LIMIT_REACHED", 403)  # *project*: full, no waitlist

# event values the domain refuses (*project*)
INVALID_LOCATION: Code = ("1L296/P", "INVALID_LOCATION", 400)
INVALID_TAGS: Code = ("1L296/Q", "INVALID_TAGS", 400)
INVALID_RECURRENCE: Code = ("1L296/R", "INVALID_RECURRENCE", 400)
INVALID_RSVP_LIMIT: Code = ("1L296/S", "INVALID_RSVP_LIMIT", 400)
INVALID_TITLE: Code = ("1L296/T", "INVALID_TITLE", 400)
INVALID_DESCRIPTION: Code = ("1L296/U", "INVALID_DESCRIPTION", 400)
INVALID_VALUE: Code = ("1L296/V", "INVALID_VALUE", 400)
TRY_AGAIN: Code = ("1L296/W", "TRY_AGAIN", 503)

# calendars
CALENDAR_INVALID_ID: Code = ("1L364/1", "INVALID_ID", 404)
CALENDAR_NO_TITLE: Code = ("1L364/2", "NO_TITLE", 400)  # *project*
CALENDAR_NO_PERMISSION: Code = ("2L364/3", "NO_PERMISSION", 403)  # *project*
CALENDAR_NOT_EMPTY: Code = ("1L364/4", "CALENDAR_NOT_EMPTY", 400)  # *project*
CALENDAR_DEFAULT_KEPT: Code = ("1L364/5", "DEFAULT_CALENDAR", 400)  # *project*
CALENDAR_INVALID_COLOR: Code = ("1L364/6", "INVALID_COLOR", 400)  # *project*

UNKNOWN_ERROR = "UNKNOWN_ERROR"

# The RSVP rules' keys (domain/rsvps.py) surface only through Invision's RSVP routes: their texts, and
# the code each is answered with (api/invision/rsvps.py).
RSVP_RULE_TEXTS: dict[str, str] = {
    "campaignevents-rest-rsvp-closed": "RSVPs are closed for this event: no new or changed answers.",
    "campaignevents-rest-rsvp-permission-denied": "You may only answer for yourself.",
    "campaignevents-rest-rsvp-invalid-answer": 'The answer must be "maybe" or "not attending".',
}
RSVP_RULE_CODES: dict[str, Code] = {
    "campaignevents-rest-rsvp-closed": RSVP_NOT_ALLOWED,
    "campaignevents-rest-rsvp-permission-denied": INVALID_MEMBER,
    "campaignevents-rest-rsvp-invalid-answer": INVALID_RESPONSE,
}
