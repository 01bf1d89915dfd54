"""Domain errors in Invision's codes (the rules the reference has no code for: texts' *project* codes)."""

from __future__ import annotations

from api.invision import texts
from domain import calendars, content, errors, moderation, places, rsvps, schedule_errors


def domain_error(failure: errors.DomainError, *, create: bool) -> texts.Code:
    if isinstance(failure, errors.EventNotFound):
        return texts.INVALID_ID if create else texts.EDIT_INVALID_ID
    if isinstance(failure, calendars.CalendarNotFound):
        return texts.NO_CALENDAR if create else texts.EDIT_NO_CALENDAR
    if isinstance(failure, errors.Contention):
        return texts.TRY_AGAIN
    if isinstance(failure, content.InvalidLocation | content.LocationAndVenue | content.InvalidVenue):
        return texts.INVALID_LOCATION
    if isinstance(failure, content.InvalidTag | content.TooManyTags | content.InvalidPrefix):
        return texts.INVALID_TAGS
    if isinstance(failure, content.DescriptionTooLong):
        return texts.INVALID_DESCRIPTION
    if isinstance(failure, schedule_errors.InvalidSchedule):
        return texts.INVALID_RECURRENCE
    if isinstance(failure, places.InvalidParticipantLimit):
        return texts.INVALID_RSVP_LIMIT
    if isinstance(failure, moderation.InvalidHidden):
        return texts.INVALID_VALUE
    if isinstance(
        failure, errors.EditDenied | errors.EnableRegistrationDenied | errors.DeleteDenied | rsvps.RsvpDenied
    ):
        return texts.NO_PERMISSION if create else texts.EDIT_NO_PERMISSION
    if isinstance(failure, errors.InvalidEventData):
        return texts.INVALID_TITLE if "page" in failure.key or "title" in failure.key else texts.INVALID_VALUE
    return texts.INVALID_VALUE
