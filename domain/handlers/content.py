"""Calendars, rich content and moderation flags: load -> the rules (domain/calendars.py,
content.py, moderation.py) -> save, retried on conflict."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from domain import calendars, commands, content, moderation
from domain.accounts import Account
from domain.calendars import DEFAULT_CALENDAR_ID, Calendar
from domain.handlers import retrying
from domain.indexes import Sequence
from domain.results import Written

if TYPE_CHECKING:
    from domain.application import CampaignEvents


def set_content(app: CampaignEvents, cmd: commands.SetContent) -> Written:
    def attempt() -> int:
        registration = app.registration(cmd.event_id)
        if not content.set_content(registration, app.account(cmd.performer), cmd.content, app.clock.now()):
            return 0
        return app.save_all(registration)

    return Written(retrying(attempt), cmd.event_id)


def moderate(app: CampaignEvents, cmd: commands.Moderate) -> Written:
    def attempt() -> int:
        registration = app.registration(cmd.event_id)
        changed = moderation.moderate(
            registration,
            app.account(cmd.performer),
            app.clock.now(),
            locked=cmd.locked,
            hidden=cmd.hidden,
            featured=cmd.featured,
        )
        return app.save_all(registration) if changed else 0

    return Written(retrying(attempt), cmd.event_id)


def move_to_calendar(app: CampaignEvents, cmd: commands.MoveToCalendar) -> Written:
    def attempt() -> int:
        registration = app.registration(cmd.event_id)
        target = find_calendar(app, cmd.calendar_id)
        source = find_calendar(app, calendars.calendar_of(registration))
        if target is None and cmd.calendar_id == DEFAULT_CALENDAR_ID and source is None:
            target = _unrecorded_default(app)  # no calendar was made yet: it is there already
        now = app.clock.now()
        if not calendars.move_event(registration, target, source, app.account(cmd.performer), now):
            return 0
        touched: list[Aggregate] = [registration]
        touched += [c for c in (source, target) if c is not None and c.number != DEFAULT_CALENDAR_ID]
        return app.save_all(*touched)

    return Written(retrying(attempt), cmd.event_id)


def ensure_default_calendar(app: CampaignEvents, title: str) -> int:
    """Create the default calendar (calendar 1, titled ``title``) unless it exists; the log
    position written (0: it existed). Safe when several processes race: one save wins, the
    others find it on their retry."""

    def attempt() -> int:
        if find_calendar(app, DEFAULT_CALENDAR_ID, deleted_too=True) is not None:
            return 0
        sequence = app.sequence("calendars")
        default, _ = _with_default(app, sequence, title)
        assert default is not None
        return app.save_all(sequence, default)

    return retrying(attempt)


def create_calendar(app: CampaignEvents, cmd: commands.CreateCalendar, default_title: str) -> Written:
    """A new calendar; the default calendar is created first in the same save if it does not
    exist yet, so that it keeps id 1."""

    def attempt() -> Written:
        by = _manager(app, cmd.performer)
        now = app.clock.now()
        sequence = app.sequence("calendars")
        default, _ = _with_default(app, sequence, default_title)
        calendar = Calendar.create(sequence.allocate(now), cmd.title, cmd.colour, cmd.approve_events, by, now)
        touched: list[Aggregate] = [sequence, calendar, *([default] if default is not None else [])]
        return Written(app.save_all(*touched), calendar.number)

    return retrying(attempt)


def change_calendar(app: CampaignEvents, cmd: commands.ChangeCalendar) -> Written:
    def attempt() -> int:
        by = _manager(app, cmd.performer)
        calendar = _existing(app, cmd.calendar_id)
        now = app.clock.now()
        changed = calendar.rename(cmd.title, by, now) if cmd.title is not None else False
        if cmd.colour is not None or cmd.approve_events is not None:
            colour = cmd.colour if cmd.colour is not None else calendar.colour
            approve = cmd.approve_events if cmd.approve_events is not None else calendar.approve_events
            changed = calendar.change_settings(colour, approve, by, now) or changed
        return app.save_all(calendar) if changed else 0

    return Written(retrying(attempt), cmd.calendar_id)


def delete_calendar(app: CampaignEvents, cmd: commands.DeleteCalendar) -> Written:
    def attempt() -> int:
        by = _manager(app, cmd.performer)
        if cmd.calendar_id == DEFAULT_CALENDAR_ID:  # kept, recorded yet or not (it always exists)
            raise calendars.DefaultCalendarKept()
        calendar = _existing(app, cmd.calendar_id)
        calendar.delete(by, app.clock.now())
        return app.save_all(calendar)

    return Written(retrying(attempt), cmd.calendar_id)


def find_calendar(app: CampaignEvents, number: int, *, deleted_too: bool = False) -> Calendar | None:
    found = app.find(Calendar, calendars.calendar_id(number)) if number > 0 else None
    return found if found is not None and (deleted_too or not found.deleted) else None


def _existing(app: CampaignEvents, number: int) -> Calendar:
    found = find_calendar(app, number)
    if found is None:
        raise calendars.CalendarNotFound()
    return found


def _manager(app: CampaignEvents, performer: int | None) -> Account | None:
    """The account acting (None: the service itself); an unknown account may not manage."""
    if performer is None:
        return None
    account = app.account(performer)
    if account is None or not calendars.may_manage(account):
        raise calendars.CalendarDenied()
    return account


def _unrecorded_default(app: CampaignEvents) -> Calendar:
    """The default calendar as it will be recorded (never saved from here)."""
    now = app.clock.now()
    return Calendar.create(
        DEFAULT_CALENDAR_ID, app.default_calendar_title, calendars.DEFAULT_COLOUR, False, None, now
    )


def _with_default(app: CampaignEvents, sequence: Sequence, title: str) -> tuple[Calendar | None, bool]:
    """The default calendar to save with ``sequence`` when it does not exist yet (it takes the
    sequence's first number, 1), or (None, False)."""
    if sequence.last >= DEFAULT_CALENDAR_ID:
        return None, False
    now = app.clock.now()
    number = sequence.allocate(now)
    return Calendar.create(number, title, calendars.DEFAULT_COLOUR, False, None, now), True
