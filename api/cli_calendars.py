"""``campaignevents calendars list|create|rename|delete``: the calendars events are filed in, managed
by the operator (``performer`` None: the service itself), as the domain records them
(``domain/calendars.py``). Registered on the main command by ``install``.

Every answer is one JSON line; a broken rule is ``error: <text>`` on stderr and exit status 1."""

from __future__ import annotations

from typing import Any

import click

from api.cli_groups import _echo, _run, _services
from domain import commands
from domain.calendars import DEFAULT_CALENDAR_ID, DEFAULT_COLOUR, Calendar
from domain.handlers.content import find_calendar


def _json(calendar: Calendar) -> dict[str, Any]:
    return {
        "calendar_id": calendar.number,
        "title": calendar.title,
        "colour": calendar.colour,
        "approve_events": calendar.approve_events,
    }


@click.group("calendars")
def calendars() -> None:
    """Calendars: a title, a colour, and whether events filed in them need approval."""


@calendars.command("list")
def calendars_list() -> None:
    """One line per calendar (not deleted), by id; calendar 1 is the default one."""
    with _services() as s:
        last = s.app.sequence("calendars").last
        if find_calendar(s.app, DEFAULT_CALENDAR_ID, deleted_too=True) is None:  # not recorded yet
            title = s.app.default_calendar_title
            _echo({"calendar_id": 1, "title": title, "colour": DEFAULT_COLOUR, "approve_events": False})
        for number in range(1, last + 1):
            found = find_calendar(s.app, number)
            if found is not None:
                _echo(_json(found))


@calendars.command("create")
@click.argument("title")
@click.option("--colour", default=DEFAULT_COLOUR, show_default=True, help="#rrggbb")
@click.option("--approve-events/--no-approve-events", default=False, help="events filed here wait hidden")
def calendars_create(title: str, colour: str, approve_events: bool) -> None:
    """Create a calendar; prints its id."""
    cmd = commands.CreateCalendar(None, title, colour, approve_events)
    with _services() as s:
        made = _run(lambda: s.app.create_calendar(cmd))
    _echo({"calendar_id": made.event_id})


@calendars.command("rename")
@click.argument("calendar_id", type=int)
@click.argument("title")
def calendars_rename(calendar_id: int, title: str) -> None:
    cmd = commands.ChangeCalendar(None, calendar_id, title=title)
    with _services() as s:
        written = _run(lambda: s.app.change_calendar(cmd))
    _echo({"calendar_id": calendar_id, "changed": written.position > 0})


@calendars.command("delete")
@click.argument("calendar_id", type=int)
def calendars_delete(calendar_id: int) -> None:
    """Delete an empty calendar (not the default one)."""
    with _services() as s:
        _run(lambda: s.app.delete_calendar(commands.DeleteCalendar(None, calendar_id)))
    _echo({"calendar_id": calendar_id, "deleted": True})


def install(main: click.Group) -> None:
    main.add_command(calendars)
