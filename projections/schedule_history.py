"""The catalog's handlers for the schedule facts (``domain/scheduling.py``): the registration row
follows the derived period (v0's ``start_time``/``end_time`` and the ``end_utc`` the lists sort
and filter by), and each fact is an audit-history entry. Kept here so the catalog only lists them.

History kinds: ``schedule-changed`` (``details``: the period's changes by their API names, as
``registration-edited`` shows them, and the schedule's shape: sessions, recurrence, exception
count) and ``schedule-removed`` (a v0 edit replaced the schedule by a single period).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from eventsourcing.utils import get_topic

from domain import scheduling

if TYPE_CHECKING:
    from projections.catalog import Fold

PERIOD = {"start_local": "start_time", "end_local": "end_time"}


def _schedule_set(f: Fold, e: scheduling.ScheduleSet) -> None:
    from projections.catalog import sortable  # (the catalog imports this module)

    row = f.registration(e)
    old = json.loads(row["details"])
    new = {
        "start_local": e.start_local,
        "end_local": e.end_local,
        "start_utc": e.start_utc,
        "end_utc": e.end_utc,
    }
    details = {**old, **new}
    row.update(end_utc=sortable(e.end_utc), details=json.dumps(details, sort_keys=True))
    changes = {
        api: {"old": old.get(field), "new": new[field]}
        for field, api in PERIOD.items()
        if old.get(field) != new[field]
    }
    shape = {
        "sessions": len(e.schedule["sessions"]),
        "recurrence": e.schedule.get("recurrence"),
        "exceptions": len(e.schedule.get("exceptions", ())),
    }
    f.record(e.event_id, e, "schedule-changed", {"changes": changes, **shape})


def _schedule_cleared(f: Fold, e: scheduling.ScheduleCleared) -> None:
    f.record(e.event_id, e, "schedule-removed", {})


HANDLERS: dict[str, Callable[[Fold, Any], None]] = {
    get_topic(scheduling.ScheduleSet): _schedule_set,
    get_topic(scheduling.ScheduleCleared): _schedule_cleared,
}
