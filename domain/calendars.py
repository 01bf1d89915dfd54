"""Calendars: named groups of events (a title, a colour, whether events need approval). Every event
is in exactly one; an event no fact moved is in the default calendar.

The default calendar is always calendar 1 (``DEFAULT_CALENDAR_ID``): it is created, with the
configured title, before any other calendar takes an id from the ``calendars`` sequence (at init,
or on demand in the same atomic save as the first other calendar), so every process agrees on it
without asking. Events made anywhere, and events recorded before calendars existed, read as in it.

Moving an event is a fact on the EventRegistration (``CalendarMoved``, a module-level class whose
topic never moves); the calendars it leaves and joins count their events (``EventFiled`` /
``EventUnfiled``, saved atomically with the move), so a calendar that holds events cannot be
deleted. The default calendar keeps no count and cannot be deleted.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import errors, moderation, policies
from domain.accounts import Account
from domain.indexes import ROOT

if TYPE_CHECKING:
    from domain.registration import EventRegistration

DEFAULT_CALENDAR_ID = 1
DEFAULT_TITLE = "Events"
DEFAULT_COLOUR = "#3366cc"
MAX_TITLE = 255
_COLOUR = re.compile(r"^#[0-9a-f]{6}$")


def calendar_id(number: int) -> UUID:
    return uuid5(ROOT, f"calendar:{number}")


# --- errors --------------------------------------------------------------------------------
class CalendarNotFound(errors.DomainError):  # 400: a calendar id given that names none
    key = "campaignevents-rest-calendar-unknown"


class CalendarDenied(errors.EditDenied):  # 403, as EditDenied
    key = "campaignevents-rest-calendar-permission-denied"


class InvalidCalendarTitle(errors.DomainError):
    key = "campaignevents-rest-calendar-invalid-title"


class InvalidColour(errors.DomainError):
    key = "campaignevents-rest-calendar-invalid-colour"


class CalendarNotEmpty(errors.DomainError):
    key = "campaignevents-rest-calendar-not-empty"


class DefaultCalendarKept(errors.DomainError):
    key = "campaignevents-rest-calendar-default-kept"


CALENDAR_ERRORS: tuple[type[errors.DomainError], ...] = (
    CalendarNotFound,
    CalendarDenied,
    InvalidCalendarTitle,
    InvalidColour,
    CalendarNotEmpty,
    DefaultCalendarKept,
)


def check_title(title: str) -> str:
    cleaned = " ".join(title.split())  # split() takes U+001C..1F for spaces: controls checked in title
    controls = any(unicodedata.category(c) == "Cc" for c in title)
    if not cleaned or len(cleaned) > MAX_TITLE or not cleaned.isprintable() or controls:
        raise InvalidCalendarTitle()
    return cleaned


def check_colour(colour: str) -> str:
    lowered = colour.strip().lower()
    if not _COLOUR.match(lowered):
        raise InvalidColour(colour[:20])
    return lowered


def may_manage(account: Account | None) -> bool:
    """Creating, changing and deleting calendars: sysops (not blocked). ``None`` is the service
    itself (the command line, like ``users create``); callers turn an unknown or anonymous
    caller into ``CalendarDenied`` before they get here."""
    return account is None or (not account.blocked and "sysop" in account.groups)


class Calendar(Aggregate):
    number: int
    title: str
    colour: str
    approve_events: bool
    events: int
    deleted: bool

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    class CalendarCreated(Aggregate.Created):
        """``performed_by`` None: the service created it (the default calendar)."""

        number: int
        title: str
        colour: str
        approve_events: bool
        performed_by: int | None

        def apply(self, aggregate: Calendar) -> None:  # type: ignore[override]
            aggregate.number = self.number
            aggregate.title = self.title
            aggregate.colour = self.colour
            aggregate.approve_events = self.approve_events
            aggregate.events = 0
            aggregate.deleted = False

    class CalendarRenamed(Aggregate.Event):
        title: str
        performed_by: int | None

        def apply(self, aggregate: Calendar) -> None:  # type: ignore[override]
            aggregate.title = self.title

    class CalendarSettingsChanged(Aggregate.Event):
        colour: str
        approve_events: bool
        performed_by: int | None

        def apply(self, aggregate: Calendar) -> None:  # type: ignore[override]
            aggregate.colour = self.colour
            aggregate.approve_events = self.approve_events

    class EventFiled(Aggregate.Event):
        event_id: int

        def apply(self, aggregate: Calendar) -> None:  # type: ignore[override]
            aggregate.events += 1

    class EventUnfiled(Aggregate.Event):
        event_id: int

        def apply(self, aggregate: Calendar) -> None:  # type: ignore[override]
            aggregate.events -= 1

    class CalendarDeleted(Aggregate.Event):
        performed_by: int | None

        def apply(self, aggregate: Calendar) -> None:  # type: ignore[override]
            aggregate.deleted = True

    @classmethod
    def create(
        cls, number: int, title: str, colour: str, approve_events: bool, by: Account | None, at: datetime
    ) -> Calendar:
        """A new calendar, by a sysop (``by`` None: the service itself)."""
        if not may_manage(by):
            raise CalendarDenied()
        return cls._create(
            cls.CalendarCreated,
            id=calendar_id(number),
            number=number,
            title=check_title(title),
            colour=check_colour(colour),
            approve_events=approve_events,
            performed_by=_id(by),
            timestamp=at,
        )

    def rename(self, title: str, by: Account | None, at: datetime) -> bool:
        self._check_manage(by)
        cleaned = check_title(title)
        if cleaned == self.title:
            return False
        self.trigger_event(self.CalendarRenamed, title=cleaned, performed_by=_id(by), timestamp=at)
        return True

    def change_settings(self, colour: str, approve_events: bool, by: Account | None, at: datetime) -> bool:
        self._check_manage(by)
        checked = check_colour(colour)
        if (checked, approve_events) == (self.colour, self.approve_events):
            return False
        self.trigger_event(
            self.CalendarSettingsChanged,
            colour=checked,
            approve_events=approve_events,
            performed_by=_id(by),
            timestamp=at,
        )
        return True

    def delete(self, by: Account | None, at: datetime) -> None:
        """Sysops; never the default calendar, nor one that holds events (move them first)."""
        self._check_manage(by)
        if self.number == DEFAULT_CALENDAR_ID:
            raise DefaultCalendarKept()
        if self.events > 0:
            raise CalendarNotEmpty(self.events)
        self.trigger_event(self.CalendarDeleted, performed_by=_id(by), timestamp=at)

    def _check_manage(self, by: Account | None) -> None:
        if self.deleted:
            raise CalendarNotFound()
        if not may_manage(by):
            raise CalendarDenied()


def _id(by: Account | None) -> int | None:
    return by.user_id if by is not None else None


# --- the fact on the EventRegistration ------------------------------------------------------
class CalendarMoved(Aggregate.Event):
    """The event moved from calendar ``previous`` to ``calendar_id``."""

    calendar_id: int
    previous: int
    performed_by: int

    def apply(self, aggregate: Any) -> None:
        vars(aggregate)["calendar_id"] = self.calendar_id


def calendar_of(registration: EventRegistration) -> int:
    found: int = vars(registration).get("calendar_id", DEFAULT_CALENDAR_ID)
    return found


def move_event(
    registration: EventRegistration,
    target: Calendar | None,
    source: Calendar | None,
    editor: Account | None,
    at: datetime,
) -> bool:
    """Move the event into ``target`` (None: no such calendar): its organizers, not deleted, an
    existing calendar. ``source`` is the calendar it leaves (None for the default). The
    calendars' counts change with it; filing into a calendar whose events need approval, by
    someone who is not a sysop, hides the event pending approval. False when it is there already."""
    if editor is None or not policies.can_edit(editor, registration):
        raise errors.EditDenied()
    if registration.is_deleted:
        raise errors.EditRegistrationDeleted()
    if target is None or target.deleted:
        raise CalendarNotFound()
    previous = calendar_of(registration)
    if target.number == previous:
        return False
    registration.trigger_event(
        CalendarMoved, calendar_id=target.number, previous=previous, performed_by=editor.user_id, timestamp=at
    )
    if source is not None and source.number != DEFAULT_CALENDAR_ID:
        source.trigger_event(Calendar.EventUnfiled, event_id=registration.event_id, timestamp=at)
    if target.number != DEFAULT_CALENDAR_ID:
        target.trigger_event(Calendar.EventFiled, event_id=registration.event_id, timestamp=at)
    if target.approve_events:
        moderation.hold_for_approval(registration, editor, at)
    return True
