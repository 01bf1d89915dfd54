"""The catalog's handlers for the places facts (``domain/places.py``): an audit-history entry for
each. The participant row's ``active`` stays "the request is alive" (a waitlisted or pending
request is); a refusal or a decline ends it. Who *holds a place* is the places fold's status
(``rm_place_members``), which every v0 participant selection reads (``projections/views.py``), so
the lists agree with it the moment a write answers, without waiting for the recorded decision.
Kept here so the catalog only lists them.

History kinds: ``places-changed``; ``place-confirmed`` and ``participant-promoted`` (holds a
place); ``participant-waitlisted``, ``participant-pending``, ``participant-refused``,
``participant-declined`` (does not; the ``participant-`` prefix makes ``as_of`` lists drop them);
``place-approved``; ``checked-in`` and ``check-in-undone``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from eventsourcing.utils import get_topic

from domain import places

if TYPE_CHECKING:
    from projections.catalog import Fold

HOLDS_PLACE = {places.CONFIRMED: "place-confirmed", places.PROMOTED: "participant-promoted"}
NO_PLACE = {
    places.WAITLISTED: "participant-waitlisted",
    places.PENDING: "participant-pending",
    places.REFUSED: "participant-refused",
}
LEFT = {"active": False, "answers_sealed": None, "first_answer_at": None}


def _places_set(f: Fold, e: places.PlacesSet) -> None:
    details = {
        "participant_limit": e.participant_limit,
        "waitlist": e.waitlist,
        "requires_approval": e.requires_approval,
    }
    f.record(e.event_id, e, "places-changed", details)


def _decided(f: Fold, e: places.PlaceDecided) -> None:
    row = f.participant(e)
    if e.outcome in HOLDS_PLACE:
        kind = HOLDS_PLACE[e.outcome]
    else:
        if e.outcome == places.REFUSED:  # the request is void
            row.update(LEFT)
        kind = NO_PLACE[e.outcome]
    f.record(row["event_id"], e, kind, {}, subject=row["user_id"], private=bool(row["private"]))


def _participant(kind: str, **values: Any) -> Callable[[Fold, Any], None]:
    def handle(f: Fold, e: Any) -> None:
        row = f.participant(e)
        row.update(values)
        f.record(row["event_id"], e, kind, {}, subject=row["user_id"], private=bool(row["private"]))

    return handle


HANDLERS: dict[str, Callable[[Fold, Any], None]] = {
    get_topic(places.PlacesSet): _places_set,
    get_topic(places.PlaceDecided): _decided,
    get_topic(places.RegistrationApproved): _participant("place-approved"),
    get_topic(places.RegistrationDeclined): _participant("participant-declined", **LEFT),
    get_topic(places.CheckedIn): _participant("checked-in"),
    get_topic(places.CheckInUndone): _participant("check-in-undone"),
}
