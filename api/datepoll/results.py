"""``resultGroups`` as JSON text, kept per (event, anonymous) with the polls read model's tracking
position it was read at: while that position has not moved, no fact the results are made of (names,
groups, memberships, audience, decisions, votes: all in that model) can have changed, so the text
is served again without reading or serialising 1,000 voters. Any poll fact moves the position and
the next request reads afresh. The position is read before the results (a result may be newer
than its key, never older). One cache per Flask app (its read store), bounded (least recently
used out). The event's decisions and the caller's vote (the same model's) are kept the same way
(``kept``), so a warm request reads the position and nothing else of the polls model."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app

from projections import polls as poll_model

MAX_ENTRIES = 1024
T = TypeVar("T")
EXTENSION = "datepoll-results"


class ResultsCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple[Any, ...], tuple[int, Any]] = OrderedDict()

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def cache() -> ResultsCache:
    found: ResultsCache = current_app.extensions.setdefault(EXTENSION, ResultsCache())
    return found


def position(services: Any) -> int:
    """The polls model's tracking position: read it once, before the reads it keys (through the
    store's one prepared read of every position: no statement compiled per request)."""
    return int(services.store.positions([poll_model.NAME])[poll_model.NAME])


def kept(key: tuple[Any, ...], at: int, make: Callable[[], T]) -> T:
    """What ``make`` read, kept while the polls model is at position ``at``. The value is shared
    between requests: callers never change it."""
    entries = cache()
    with entries.lock:
        found = entries.entries.get(key)
        if found is not None and found[0] == at:
            entries.entries.move_to_end(key)
            value: T = found[1]
            return value
    value = make()
    with entries.lock:
        entries.entries[key] = (at, value)
        entries.entries.move_to_end(key)
        while len(entries.entries) > MAX_ENTRIES:
            entries.entries.popitem(last=False)
    return value


def result_groups_json(services: Any, event_id: int, anonymous: bool, at: int | None = None) -> str:
    """``resultGroups`` as JSON text (``at``: the position, when the caller read it already)."""
    at = position(services) if at is None else at
    return kept(
        ("results", event_id, anonymous),
        at,
        lambda: json.dumps(services.polls.result_groups(event_id, anonymous), separators=(",", ":")),
    )
