"""Audit-history entries for calendar moves, rich content and moderation flags: the catalog's fold
(``projections.catalog``) records them beside its own entries (the rows live in
``projections/content.py``). Details are never personal: what changed, not the old text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from eventsourcing.utils import get_topic

from domain import calendars, content, moderation


class HistoryFold(Protocol):
    def registration(self, e: Any) -> dict[str, Any]: ...

    def record(self, event_id: int, e: Any, kind: str, details: dict[str, Any]) -> None: ...


Handler = Callable[[Any, Any], None]


def _entry(kind: str, details: Callable[[Any], dict[str, Any]] = lambda e: {}) -> Handler:
    def handle(f: HistoryFold, e: Any) -> None:
        f.record(f.registration(e)["event_id"], e, kind, details(e))

    return handle


HANDLERS: dict[str, Handler] = {
    get_topic(content.DescriptionChanged): _entry("description-changed"),
    get_topic(content.PlaceChanged): _entry(
        "place-changed", lambda e: {"location": e.location is not None, "venue": e.venue is not None}
    ),
    get_topic(content.TagsChanged): _entry("tags-changed", lambda e: {"tags": list(e.tags)}),
    get_topic(content.PrefixChanged): _entry("prefix-changed", lambda e: {"prefix": e.prefix}),
    get_topic(calendars.CalendarMoved): _entry(
        "calendar-moved", lambda e: {"calendar_id": e.calendar_id, "previous_calendar_id": e.previous}
    ),
    get_topic(moderation.EventLocked): _entry("event-locked"),
    get_topic(moderation.EventUnlocked): _entry("event-unlocked"),
    get_topic(moderation.EventHidden): _entry("event-hidden", lambda e: {"hidden": e.hidden}),
    get_topic(moderation.EventShown): _entry("event-shown"),
    get_topic(moderation.EventFeatured): _entry("event-featured"),
    get_topic(moderation.EventUnfeatured): _entry("event-unfeatured"),
}
