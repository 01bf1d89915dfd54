"""Calendars: creation and its rules, renaming, settings, deletion, and moving events between them."""

from __future__ import annotations

import pytest

from domain import calendars, errors, moderation
from domain.calendars import DEFAULT_CALENDAR_ID, Calendar, calendar_of, move_event
from tests.unit.domain.factories import NOW, account, organizer, registration


def make(number: int = 2, *, approve: bool = False, by: object = None) -> Calendar:
    return Calendar.create(number, "Meet-ups", "#AABBCC", approve, by, NOW)  # type: ignore[arg-type]


def test_create_checks_title_colour_and_rights() -> None:
    made = make()
    assert (made.number, made.title, made.colour, made.approve_events, made.events) == (
        2,
        "Meet-ups",
        "#aabbcc",
        False,
        0,
    )
    assert made.id == calendars.calendar_id(2)
    for title in ("", "   ", "x" * 256, "bad\x00", "\x1fTitle", "a\x1cb", "two\nlines"):  # 1C..1F: split()
        with pytest.raises(calendars.InvalidCalendarTitle):
            Calendar.create(3, title, "#000000", False, None, NOW)
    for colour in ("red", "#abc", "#abcdeg", "aabbcc", ""):
        with pytest.raises(calendars.InvalidColour):
            Calendar.create(3, "T", colour, False, None, NOW)
    with pytest.raises(calendars.CalendarDenied):
        Calendar.create(3, "T", "#000000", False, organizer(), NOW)
    sysop = account("Sue", "sysop")
    assert (
        Calendar.create(3, "T", "#000000", False, sysop, NOW).collect_events()[0].performed_by
        == sysop.user_id
    )


def test_rename_settings_and_delete() -> None:
    cal, sysop = make(), account("Sue", "sysop")
    assert cal.rename("  New   name ", sysop, NOW) and cal.title == "New name"
    assert not cal.rename("New name", sysop, NOW)
    with pytest.raises(calendars.CalendarDenied):
        cal.rename("x", organizer(), NOW)
    assert cal.change_settings("#000000", True, sysop, NOW) and cal.approve_events
    cal.delete(sysop, NOW)
    with pytest.raises(calendars.CalendarNotFound):
        cal.rename("again", sysop, NOW)
    with pytest.raises(calendars.DefaultCalendarKept):
        make(DEFAULT_CALENDAR_ID).delete(None, NOW)


def test_events_start_in_the_default_calendar_and_move_as_a_fact() -> None:
    olga = organizer()
    reg = registration(olga)
    assert calendar_of(reg) == DEFAULT_CALENDAR_ID
    target = make()
    assert move_event(reg, target, None, olga, NOW)
    moved = reg.collect_events()[-1]
    assert isinstance(moved, calendars.CalendarMoved)
    assert (moved.calendar_id, moved.previous, moved.performed_by) == (2, 1, olga.user_id)
    assert calendar_of(reg) == 2 and target.events == 1
    assert not move_event(reg, target, target, olga, NOW)  # already there
    with pytest.raises(calendars.CalendarNotEmpty):
        target.delete(None, NOW)
    assert move_event(reg, make(DEFAULT_CALENDAR_ID), target, olga, NOW)
    assert target.events == 0
    target.delete(None, NOW)
    assert target.deleted


def test_moving_needs_an_organizer_a_live_event_and_a_calendar() -> None:
    olga = organizer()
    reg = registration(olga)
    with pytest.raises(errors.EditDenied):
        move_event(reg, make(), None, organizer("Oscar"), NOW)
    with pytest.raises(calendars.CalendarNotFound):
        move_event(reg, None, None, olga, NOW)
    reg.delete(olga, NOW)
    with pytest.raises(errors.EditRegistrationDeleted):
        move_event(reg, make(), None, olga, NOW)


def test_an_approval_calendar_holds_events_of_non_sysops_for_approval() -> None:
    olga, sysop = organizer(), account("Sue", "sysop", "event-organizer")
    reg = registration(olga)
    move_event(reg, make(approve=True), None, olga, NOW)
    assert moderation.flags_of(reg).hidden == moderation.PENDING_APPROVAL
    other = registration(sysop)
    move_event(other, make(approve=True), None, sysop, NOW)
    assert moderation.flags_of(other).hidden == moderation.VISIBLE
