"""The catalog's handlers for the poll facts on an event (``domain/audiences.py``,
``domain/polls.py``): each is an audit-history entry of the event, with who and when. Kept here so
the catalog only lists them.

History kinds: ``audience-changed`` (``for_everyone``), ``audience-group-attached``/``-detached``
(``group_id``), ``audience-subgroup-attached``/``-detached`` (``subgroup_id``, ``group_id``),
``decision-added``/``decision-changed`` (``decision_id``, ``decision``, ``color``,
``show_in_calendar``), ``decision-removed`` (``decision_id``: its votes went with it), and
``vote-cast``/``vote-removed`` about the voter (``subject``; ``decision_id``). A vote's note is
never in the history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from eventsourcing.utils import get_topic

from domain import audiences, polls

if TYPE_CHECKING:
    from projections.catalog import Fold


def _for_everyone(f: Fold, e: audiences.ForEveryoneSet) -> None:
    f.record(e.event_id, e, "audience-changed", {"for_everyone": e.for_everyone})


def _group(kind: str) -> Callable[[Fold, Any], None]:
    def handle(f: Fold, e: Any) -> None:
        f.record(e.event_id, e, kind, {"group_id": e.group_id})

    return handle


def _subgroup(kind: str) -> Callable[[Fold, Any], None]:
    def handle(f: Fold, e: Any) -> None:
        f.record(e.event_id, e, kind, {"subgroup_id": e.subgroup_id, "group_id": e.group_id})

    return handle


def _decision(kind: str) -> Callable[[Fold, Any], None]:
    def handle(f: Fold, e: Any) -> None:
        details = {
            "decision_id": e.decision_id,
            "decision": e.label,
            "color": e.color,
            "show_in_calendar": e.show_in_calendar,
        }
        f.record(e.event_id, e, kind, details)

    return handle


def _decision_removed(f: Fold, e: polls.DecisionRemoved) -> None:
    f.record(e.event_id, e, "decision-removed", {"decision_id": e.decision_id})


def _vote(f: Fold, e: Any) -> None:
    f.record(e.event_id, e, "vote-cast", {"decision_id": e.decision_id}, subject=e.user_id)


def _vote_removed(f: Fold, e: polls.Vote.VoteRemoved) -> None:
    f.record(e.event_id, e, "vote-removed", {}, subject=e.user_id)


HANDLERS: dict[str, Callable[[Fold, Any], None]] = {
    get_topic(audiences.ForEveryoneSet): _for_everyone,
    get_topic(audiences.GroupAttached): _group("audience-group-attached"),
    get_topic(audiences.GroupDetached): _group("audience-group-detached"),
    get_topic(audiences.SubgroupAttached): _subgroup("audience-subgroup-attached"),
    get_topic(audiences.SubgroupDetached): _subgroup("audience-subgroup-detached"),
    get_topic(polls.DecisionAdded): _decision("decision-added"),
    get_topic(polls.DecisionChanged): _decision("decision-changed"),
    get_topic(polls.DecisionRemoved): _decision_removed,
    get_topic(polls.Vote.VoteCast): _vote,
    get_topic(polls.Vote.VoteRecast): _vote,
    get_topic(polls.Vote.VoteRemoved): _vote_removed,
}
