"""Answers kept in a process while the read-model revision they were read at stays current — one
mechanism for the dialects that serve large, rarely changing reads (Invision's list totals and ids,
DatePoll's results). The caller reads the revision first, then asks ``get``: a kept value may be
newer than its key, never older. Bounded (least recently used out), thread-safe, with hit and miss
counters (tests and benches read them)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Kept:
    def __init__(self, size: int) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.entries: OrderedDict[Hashable, tuple[Any, Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0  # values read afresh: none kept, or kept at another revision

    def get(self, key: Hashable, at: Any, make: Callable[[], T]) -> T:
        """What ``make`` reads, kept while the revision is ``at``. The value is shared between
        requests: callers never change it."""
        with self.lock:
            found = self.entries.get(key)
            if found is not None and found[0] == at:
                self.entries.move_to_end(key)
                self.hits += 1
                value: T = found[1]
                return value
            self.misses += 1
        value = make()
        with self.lock:
            self.entries[key] = (at, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
