"""``resultGroups`` as JSON text, kept per (event, anonymous) with the revisions it was read at:
the event's (how many facts changed its audience, decisions and votes) and the people data's (how
many changed accounts, names, groups, subgroups and memberships), both counted by the polls read
model in the transaction that applies those facts (``rm_poll_revisions``). While they have not
moved, nothing the results are made of has changed, so the text is served again without reading
or serialising 1,000 voters; a write anywhere else (a registration, another event's vote) moves
neither. The revisions are read, in one query, before the results (a kept value may be newer than
its key, never older), so a vote, a decision, a membership or a name is seen by the next request.
One cache per Flask app (its read store), bounded (least recently used out), with hit and miss
counters. The event's decisions and the caller's vote are kept the same way (``kept``), so a warm
request reads the revisions and nothing else of the polls model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app

from api.kept import Kept
from projections.poll_views import PollViews

MAX_ENTRIES = 1024
T = TypeVar("T")
EXTENSION = "datepoll-results"
Revision = tuple[int, int]  # (the event's, the people data's)


def cache() -> Kept:
    found: Kept = current_app.extensions.setdefault(EXTENSION, Kept(MAX_ENTRIES))
    return found


def revision(services: Any, event_id: int) -> Revision:
    """The event's and the people data's revisions: read them once, before the reads they key."""
    found: Revision = services.polls.revision(event_id)
    return found


def kept(key: tuple[Any, ...], at: Revision, make: Callable[[], T]) -> T:
    """What ``make`` read, kept while the revisions are ``at``. The value is shared between
    requests: callers never change it."""
    return cache().get(key, at, make)


def result_groups_json(services: Any, event_id: int, anonymous: bool, at: Revision | None = None) -> str:
    """``resultGroups`` as JSON text (``at``: the revisions, when the caller read them already)."""
    at = revision(services, event_id) if at is None else at
    views: PollViews = services.polls
    return kept(("results", event_id, anonymous), at, lambda: views.result_groups_json(event_id, anonymous))
