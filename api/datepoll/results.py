"""``resultGroups`` as JSON text, kept per (event, anonymous) with the polls read model's tracking
position it was read at: while that position has not moved, no fact the results are made of (names,
groups, memberships, audience, decisions, votes: all in that model) can have changed, so the text
is served again without reading or serialising 1,000 voters. Any poll fact moves the position and
the next request reads afresh. The position is read before the results (a result may be newer
than its key, never older). One cache per Flask app (its read store), bounded (least recently
used out)."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from flask import current_app

from projections import polls as poll_model

MAX_ENTRIES = 256
EXTENSION = "datepoll-results"


class ResultsCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple[int, bool], tuple[int, str]] = OrderedDict()

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def cache() -> ResultsCache:
    found: ResultsCache = current_app.extensions.setdefault(EXTENSION, ResultsCache())
    return found


def result_groups_json(services: Any, event_id: int, anonymous: bool) -> str:
    kept, key = cache(), (event_id, anonymous)
    position = services.store.position(poll_model.NAME)
    with kept.lock:
        found = kept.entries.get(key)
        if found is not None and found[0] == position:
            kept.entries.move_to_end(key)
            return found[1]
    text = json.dumps(services.polls.result_groups(event_id, anonymous), separators=(",", ":"))
    with kept.lock:
        kept.entries[key] = (position, text)
        kept.entries.move_to_end(key)
        while len(kept.entries) > MAX_ENTRIES:
            kept.entries.popitem(last=False)
    return text
