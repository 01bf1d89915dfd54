"""Every English text the Wild Apricot dialect sends in its error bodies, keyed by message key.

The reference (dialects-facts.md §1.1, §1.4; Wild Apricot's "API status codes" help page) fixes the
statuses and the envelope -- ``{"code": "Validation", "message": ..., "details": [{key, value,
restriction}]}`` for a bad ``$filter``/``$sort``/paging value (400) and HTTP 404 ("404.14") for a query
string over 4,096 characters -- but quotes no message text. The texts below are therefore our own,
written in the reference's terms. Placeholders are ``str.format`` fields.
"""

from __future__ import annotations

# The ``code`` of each envelope. "Validation" is the reference's; "NotFound" is ours (the reference's
# 404.14 is an IIS status whose body is not documented).
CODE_VALIDATION = "Validation"
CODE_NOT_FOUND = "NotFound"
# The ``code`` of the other envelopes, by HTTP status (our own names, in the reference's style).
CODES: dict[int, str] = {
    400: CODE_VALIDATION,
    401: "Unauthorized",
    403: "Forbidden",
    404: CODE_NOT_FOUND,
    405: "MethodNotAllowed",
    409: "Conflict",
    429: "TooManyRequests",
    503: "ServiceUnavailable",
}

CATALOGUE: dict[str, str] = {
    "filter-invalid": "Invalid $filter at character {column}: expected {expected}, found {found}.",
    "filter-restriction": "expected {expected} at character {column}, found {found}",
    "sort-invalid": "Invalid $sort at character {column}: expected {expected}, found {found}.",
    "sort-restriction": "expected {expected} at character {column}, found {found}",
    "paging-invalid": "Invalid value {value} for {parameter}: expected a whole number from 0 to {maximum}.",
    "paging-restriction": "a whole number from 0 to {maximum}",
    "query-too-long": (
        "HTTP Error 404.14 - Not Found: the query string is {length} characters long, "
        "longer than the {limit} characters allowed."
    ),
    "query-too-long-restriction": "at most {limit} characters",
    # How an error names what it found and what it expected.
    "found-end": "the end of the expression",
    "found-text": "'{text}'",
    "found-bad-string": "a quoted string that is not closed or holds a control character",
    "expected-or": "{head} or {last}",
    # The dialect's routes.
    "not-found": "The resource does not exist.",
    "method-not-allowed": "The method {method} is not allowed here.",
    "other-account": "Access denied: this token is for another account.",
    "token-missing": "Authorization required: send Authorization: Bearer <access token> (see /auth/token).",
    "token-invalid": "The access token is invalid, expired or revoked.",
    "body-invalid": "The request body must be a JSON object.",
    "domain": "{text}",
    "field-required": "The field {field} is required.",
    "field-invalid": "The field {field} has an invalid value.",
    "id-mismatch": "The Id in the body ({given}) does not match the id in the URL ({expected}).",
    "registration-type": "Each event has one registration type, whose id is the event's id ({expected}).",
    "contact-not-self": "An account registers itself only: Contact.Id must be your own contact id.",
    "waitlist-automatic": (
        "The waitlist moves by itself: a waitlisted registration is confirmed when a place frees up."
    ),
    "event-filter-required": "One of contactId, eventId or $filter (ID in [...]) is required.",
    "try-again": "Please try again.",
}


def text(key: str, **params: object) -> str:
    """The text of ``key`` with ``params`` filled in; an unknown key is a programming error."""
    return CATALOGUE[key].format(**params)
