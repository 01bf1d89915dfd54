"""The rules of a schedule (``domain.schedule``) that can fail, one exception class each.

They subclass ``DomainError`` directly, so the edge answers them with its default status, 400, and the
message key names the problem. ``params`` fill ``$1``, ``$2``... of the English texts, which belong in
the API's message catalogue. They are kept apart from ``domain.errors`` (and from
``InvalidEventData``, whose subclasses the OpenAPI document lists one by one from the catalogue) until
the schedule routes exist.
"""

from __future__ import annotations

from domain.errors import DomainError


class InvalidSchedule(DomainError):
    """Base for the 400s of schedule validation (the first broken rule wins)."""


class NoSessions(InvalidSchedule):
    key = "campaignevents-error-schedule-no-sessions"


class TooManySessions(InvalidSchedule):
    """``params``: (the maximum,)."""

    key = "campaignevents-error-schedule-too-many-sessions"


class InvalidSessionId(InvalidSchedule):
    """``params``: (the id as given,)."""

    key = "campaignevents-error-schedule-invalid-session-id"


class DuplicateSessionId(InvalidSchedule):
    """``params``: (the id,)."""

    key = "campaignevents-error-schedule-duplicate-session-id"


class InvalidSessionTime(InvalidSchedule):
    """``params``: (the session id,). A time that has no UTC value in the event's timezone."""

    key = "campaignevents-error-schedule-invalid-session-time"


class SessionEndBeforeStart(InvalidSchedule):
    """``params``: (the session id,)."""

    key = "campaignevents-error-schedule-session-end-before-start"


class InvalidLatitude(InvalidSchedule):
    """``params``: (the session id,)."""

    key = "campaignevents-error-schedule-invalid-latitude"


class InvalidLongitude(InvalidSchedule):
    """``params``: (the session id,)."""

    key = "campaignevents-error-schedule-invalid-longitude"


class SessionTextTooLong(InvalidSchedule):
    """``params``: (the session id, the field name, the maximum in bytes)."""

    key = "campaignevents-error-schedule-session-text-too-long"


class InvalidRecurrence(InvalidSchedule):
    """Not an RFC 5545 RRULE value: syntax, an unknown part, a repeated part, a bad value."""

    key = "campaignevents-error-schedule-invalid-recurrence"


class RecurrenceCountAndUntil(InvalidSchedule):
    key = "campaignevents-error-schedule-recurrence-count-and-until"


class UnsupportedRecurrence(InvalidSchedule):
    """``params``: (the part, e.g. ``FREQ=HOURLY`` or ``BYHOUR``)."""

    key = "campaignevents-error-schedule-unsupported-recurrence"


class RecurrenceNotAligned(InvalidSchedule):
    """``params``: (the session id,). The session's start is not an occurrence of the rule."""

    key = "campaignevents-error-schedule-recurrence-not-aligned"


class RecurrenceUntilBeforeStart(InvalidSchedule):
    """``params``: (the session id,). The rule ends before the session's first occurrence."""

    key = "campaignevents-error-schedule-recurrence-until-before-start"


class RecurrenceTooLong(InvalidSchedule):
    """``params``: (the horizon in years,). A finite rule must end within the horizon."""

    key = "campaignevents-error-schedule-recurrence-too-long"


class TooManyRecurringSessions(InvalidSchedule):
    """``params``: (the maximum,)."""

    key = "campaignevents-error-schedule-too-many-recurring-sessions"


class ExceptionsWithoutRecurrence(InvalidSchedule):
    key = "campaignevents-error-schedule-exceptions-without-recurrence"


class TooManyExceptions(InvalidSchedule):
    """``params``: (the maximum,)."""

    key = "campaignevents-error-schedule-too-many-exceptions"


class NoOccurrences(InvalidSchedule):
    """The exception dates remove every occurrence of a finite schedule."""

    key = "campaignevents-error-schedule-no-occurrences"


class InvalidOccurrenceRange(InvalidSchedule):
    """An occurrences query whose range ends before it starts."""

    key = "campaignevents-error-schedule-invalid-occurrence-range"
