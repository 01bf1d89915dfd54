"""DatePoll's message texts and error codes (``dialects-facts.md`` §2, seed 002), in one place."""

from __future__ import annotations

from typing import Any

# --- auth and middleware (§2.1) ----------------------------------------------------------------
TOKEN_NOT_PROVIDED = {"msg": "Token not provided.", "error_code": "token_not_provided"}
TOKEN_EXPIRED = {"msg": "Provided token is expired.", "error_code": "token_expired"}
TOKEN_INCORRECT = {"msg": "Your token is incorrect!", "error_code": "token_incorrect"}
FEATURE_DISABLED = {
    "msg": "The events feature is disabled on this DatePoll server",
    "error_code": "feature_disabled_events",
}
PERMISSION_DENIED = {
    "msg": "Permission denied",
    "error_code": "permissions_denied",
    "needed_permissions": ["root.administration", "events.*"],
}
# not in the reference (its sign-in form shows the msg):
SIGNIN_FAILED = {"msg": "Unauthorized", "error_code": "login_failed"}
SESSION_TOKEN_INCORRECT = {"msg": "Session token is incorrect", "error_code": "session_token_incorrect"}
SESSION_TOKEN_GOOD = "Session token is good"
LOGGED_OUT = "Successfully logged out"

# --- not found -----------------------------------------------------------------------------------
EVENT_NOT_FOUND = {"msg": "Event not found"}
VOTE_EVENT_NOT_FOUND = {"msg": "Event not found", "error_code": "event_not_found"}
DECISION_NOT_FOUND_FOR_EVENT = {
    "msg": "Decision for this event not found",
    "error_code": "decision_not_found_for_event",
}
DECISION_NOT_FOUND = {"msg": "Decision not found for this event"}
GROUP_NOT_FOUND = {"msg": "Group not found"}
SUBGROUP_NOT_FOUND = {"msg": "Subgroup not found"}
STANDARD_DECISION_NOT_FOUND = {"msg": "Standard decision not found"}
STANDARD_LOCATION_NOT_FOUND = {
    "msg": "Standard location not found",
    "error_code": "standard_location_not_found",
}
DELETION_FAILED = {"msg": "Deletion failed"}

# --- votes -----------------------------------------------------------------------------------------
NOT_ALLOWED = {"msg": "You are not allowed to vote for this event", "error_code": "not_allowed"}
ALREADY_VOTED = {"msg": "User already voted for event", "error_code": "already_voted"}
NOT_VOTED = {"msg": "There is no voting for this event to remove", "error_code": "not_voted"}

# --- successes (§2.2) ------------------------------------------------------------------------------
LIST_OPEN = "List of events"  # the seed's text (DatePoll's code today: "List of open events for user")
VOTING_SAVED = "Voting saved"
VOTE_REMOVED = "Decision for event removed successfully"
EVENT_INFORMATION = "Event information"
YEARS = "List of all years"
BY_YEAR = "List of App\\Http\\Controllers\\EventControllers\\EventController"
CREATED = "Successful created event"
UPDATED = "Successful updated event"
DELETED = "Successfully deleted event"
VOTES_APPLIED = "Successfully applied all votes"
VOTES_CANCELLED = "Decisions for event removed successfully"
GROUP_ADDED, GROUP_ALREADY_ADDED = "Group successfully added to event", "Group is already added to event"
SUBGROUP_ADDED = "Successfully added subgroup to event"
SUBGROUP_ALREADY_ADDED = "Subgroup is already added to event"
GROUP_REMOVED, GROUP_NOT_ADDED = "Successfully remove group from event", "Group is not added to event"
SUBGROUP_REMOVED = "Successfully remove subgroup from event"
SUBGROUP_NOT_ADDED = "Subgroup is not added to event"
JOINED_GROUPS, FREE_GROUPS = "List of joined groups", "List of free groups"
JOINED_SUBGROUPS, FREE_SUBGROUPS = "List of joined subgroups", "List of free subgroups"
STANDARD_DECISIONS = "List of all standard decisions"
STANDARD_DECISION_CREATED = "Successful created standard decision"
STANDARD_DECISION = "Standard decision information"
STANDARD_DECISION_DELETED = "Standard decision deleted"
STANDARD_LOCATIONS = "List of all standard locations"
STANDARD_LOCATION_CREATED = "Successful created standard location"
STANDARD_LOCATION = "Standard location information"
STANDARD_LOCATION_DELETED = "Standard location deleted"
VIEW_EVENTS = {"href": "api/v1/avent/administration/avent", "method": "GET"}

# --- validation (Lumen 8's English texts; the attribute as Lumen displays it) -----------------
RULE_TEXTS = {
    "required": "The {a} field is required.",
    "string": "The {a} must be a string.",
    "boolean": "The {a} field must be true or false.",
    "array": "The {a} must be an array.",
    "integer": "The {a} must be an integer.",
    "numeric": "The {a} must be a number.",
    "date": "The {a} is not a valid date.",
    "min": "The {a} must be at least {n} characters.",
    "max": "The {a} may not be greater than {n} characters.",
}


def attribute(field: str) -> str:
    """Lumen's displayable attribute: snake case, underscores as spaces (``forEveryone``:
    ``for everyone``)."""
    out = []
    for ch in field:
        if ch.isupper():
            out.append("_" + ch.lower())
        else:
            out.append(ch)
    return "".join(out).replace("_", " ")


def rule_text(rule: str, field: str, n: Any = None) -> str:
    return RULE_TEXTS[rule].format(a=attribute(field), n=n)
