"""Snapshots of a registration, so that loading one (or its state at a past version) reads the
newest snapshot at or before that version and only the facts after it, however long its history.

The state holds a ``Details`` dataclass and organizers keyed by user id (``int`` keys, which JSON
would turn into strings). A snapshot stores them as plain JSON values (``details`` as its dict,
``organizers`` as a list of dicts, the aggregation stamps as ``[[user id, period], ...]``) and turns
them back on load; everything else in the state (ints, strings, lists, string-keyed maps, datetimes)
already round-trips through the transcoder.
The stored topic is this module's class: it never moves.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Self

from eventsourcing.domain import Snapshot

from domain.answers import Stamps
from domain.details import Details


class RegistrationSnapshot(Snapshot):
    @classmethod
    def take(cls, aggregate: Any) -> Self:
        snapshot: Self = super().take(aggregate)
        state = snapshot.state
        state["details"] = state["details"].to_dict()
        state["organizers"] = [asdict(o) for o in state["organizers"].values()]
        state["aggregated"] = state["aggregated"].to_json()
        return snapshot

    def mutate(self, _: None) -> Any:
        from domain.registration import Organizer  # (it imports this module)

        aggregate = super().mutate(None)
        state = vars(aggregate)
        state["details"] = Details.from_dict(state["details"])
        state["organizers"] = {o["user_id"]: Organizer(**o) for o in state["organizers"]}
        state["aggregated"] = Stamps.from_json(state.get("aggregated"))  # older snapshots: none
        return aggregate
