"""Command handlers, one module per aggregate family: load -> call the aggregate -> save.

The aggregates check the rules; a handler only finds what they need, gives it to them, and saves.
Each attempt is retried on the event store's version conflict (``retrying``), so every check runs
again against the state it writes over; nothing outside the event store is changed inside an
attempt that could be retried without harm (side effects come after the commit, or are idempotent).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from eventsourcing.persistence import IntegrityError

from domain import errors

MAX_ATTEMPTS = 30
T = TypeVar("T")
log = logging.getLogger("campaignevents.domain")


def retrying(attempt: Callable[[], T]) -> T:
    """Run ``attempt``, reloading and retrying on a version conflict with jittered backoff;
    ``Contention`` when the aggregate stays contested (the API answers 503: try again)."""
    for n in range(MAX_ATTEMPTS):
        try:
            return attempt()
        except IntegrityError:
            time.sleep(random.uniform(0, min(0.05, 0.001 * 2**n)))
    raise errors.Contention()


def after_commit(cleanup: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """Key destruction that follows a committed write: if the key store is unreachable now, the
    write still stands (answering an error would invite a retry of what is done) and the key
    sweep (``destroy_spent_keys``) finishes the job."""
    try:
        cleanup(*args, **kwargs)
    except Exception as error:
        log.warning("key cleanup deferred to the sweep: %s", error)
