"""Places: a participant limit, a fair waitlist, approval and check-in.

The organizer's settings are facts on the EventRegistration (``PlacesSet``); approval, decline and
check-in are organizer facts on the Participant; a registration stays the request it always was.
Who gets a place is not decided here: the places read model (``projections/places.py``) folds the
log in order and every outcome it reaches comes back as a ``PlaceDecided`` fact on the Participant
(recorded by a job, idempotently). The rules below check, then record; the facts' ``apply`` sets the
state. See DESIGN.md, "Places".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from domain import errors
from domain.accounts import Account

if TYPE_CHECKING:
    from domain.participants import Participant
    from domain.registration import EventRegistration

# What the fold decides about a request (``PlaceDecided.outcome``).
CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
PROMOTED = "promoted"
REFUSED = "refused"
PENDING = "pending"
OUTCOMES = (CONFIRMED, WAITLISTED, PROMOTED, REFUSED, PENDING)
# What a participant's status can be (``GET …/participants/self/status``).
DECLINED = "declined"
NONE = "none"
CHECK_IN_GRACE = timedelta(days=7)


@dataclass(frozen=True)
class PlacesSettings:
    """``participant_limit`` None: no limit."""

    participant_limit: int | None = None
    waitlist: bool = True
    requires_approval: bool = False


DEFAULT = PlacesSettings()


# --- errors --------------------------------------------------------------------------------
class RegisterEventFull(errors.DomainError):
    """The event is full and its waitlist is off (400)."""

    key = "campaignevents-register-event-full"


class InvalidParticipantLimit(errors.DomainError):
    key = "campaignevents-rest-places-invalid-limit"


class PlacesDenied(errors.EditDenied):  # 403, as EditDenied
    key = "campaignevents-rest-places-permission-denied"


class ApprovalDenied(errors.EditDenied):
    key = "campaignevents-rest-approval-permission-denied"


class CheckInDenied(errors.EditDenied):
    key = "campaignevents-rest-check-in-permission-denied"


class NotAParticipant(errors.NotParticipant):  # 404, as NotParticipant
    key = "campaignevents-rest-participant-not-found"


class NotPending(errors.DomainError):
    key = "campaignevents-rest-approval-not-pending"


class CheckInOutsideWindow(errors.DomainError):
    key = "campaignevents-rest-check-in-outside-window"


class CheckInNotConfirmed(errors.DomainError):
    key = "campaignevents-rest-check-in-not-confirmed"


PLACE_ERRORS: tuple[type[errors.DomainError], ...] = (
    RegisterEventFull,
    InvalidParticipantLimit,
    PlacesDenied,
    ApprovalDenied,
    CheckInDenied,
    NotAParticipant,
    NotPending,
    CheckInOutsideWindow,
    CheckInNotConfirmed,
)


# --- facts on the EventRegistration ---------------------------------------------------------
class PlacesSet(Aggregate.Event):
    """The organizer set the event's places (the whole setting; history shows what changed)."""

    event_id: int
    participant_limit: int | None
    waitlist: bool
    requires_approval: bool
    performed_by: int

    def apply(self, aggregate: Any) -> None:
        # plain JSON values in the state, so registration snapshots round-trip them
        vars(aggregate)["places"] = {
            "participant_limit": self.participant_limit,
            "waitlist": self.waitlist,
            "requires_approval": self.requires_approval,
        }


def places_of(registration: EventRegistration) -> PlacesSettings:
    """The event's settings (the default until an organizer set them)."""
    found: dict[str, Any] | None = vars(registration).get("places")
    return DEFAULT if found is None else PlacesSettings(**found)


def ever_set(registration: EventRegistration) -> bool:
    """Whether organizers ever set the event's places. Until they do, the places fold decides
    nothing it would tell or refuse: every request is confirmed, with no outbox entry."""
    return "places" in vars(registration)


def set_places(
    registration: EventRegistration, editor: Account | None, settings: PlacesSettings, at: datetime
) -> bool:
    """Organizers only, not on a deleted registration; a limit is a positive integer (or None).
    False when nothing changes."""
    performer = registration.check_may_change(editor, PlacesDenied, errors.EditRegistrationDeleted)
    limit = settings.participant_limit
    if limit is not None and limit <= 0:
        raise InvalidParticipantLimit()
    if settings == places_of(registration) and "places" in vars(registration):
        return False
    registration.trigger_event(
        PlacesSet,
        event_id=registration.event_id,
        participant_limit=limit,
        waitlist=settings.waitlist,
        requires_approval=settings.requires_approval,
        performed_by=performer.user_id,
        timestamp=at,
    )
    return True


# --- facts on the Participant ---------------------------------------------------------------
class PlaceDecided(Aggregate.Event):
    """The places fold decided this request (``request_version``): confirmed, waitlisted, promoted
    from the waitlist, pending approval, or refused (full, waitlist off: the request is void)."""

    outcome: str
    request_version: int

    def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
        aggregate.decided = [*aggregate.decided, self.outcome]
        aggregate.place_status = CONFIRMED if self.outcome == PROMOTED else self.outcome
        if self.outcome == REFUSED:
            aggregate.leave()


class RegistrationApproved(Aggregate.Event):
    performed_by: int

    def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
        aggregate.place_status = "approved"


class RegistrationDeclined(Aggregate.Event):
    performed_by: int

    def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
        aggregate.place_status = DECLINED
        aggregate.leave()


class CheckedIn(Aggregate.Event):
    performed_by: int

    def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
        aggregate.checked_in = True


class CheckInUndone(Aggregate.Event):
    performed_by: int

    def apply(self, aggregate: Participant) -> None:  # type: ignore[override]
        aggregate.checked_in = False


def decide(participant: Participant, outcome: str, request_version: int, at: datetime) -> bool:
    """Record the fold's decision once: False when this request already has it, or when the
    participant moved on (cancelled, removed, declined, or registered again since)."""
    if outcome not in OUTCOMES:
        raise ValueError(outcome)
    if not participant.active or participant.request_version != request_version:
        return False
    if outcome in participant.decided:
        return False
    participant.trigger_event(PlaceDecided, outcome=outcome, request_version=request_version, timestamp=at)
    return True


def holds_place(participant: Participant) -> bool:
    """Registered and not waiting for a place: no decision (an event without places) or confirmed
    (promotions and approvals included)."""
    return participant.active and vars(participant).get("place_status") in (None, CONFIRMED)


def as_at_moment(participant: Participant, later: Iterable[Any]) -> Participant:
    """``participant`` folded up to a moment, given the facts recorded after it: a request the
    places fold had decided at that moment but whose decision was recorded later (by the decision
    job, moments after) gets that first decision's status — the fold decides a request's first
    outcome at the request's own place in the log."""
    if not participant.active or vars(participant).get("place_status") is not None:
        return participant
    for fact in later:
        if isinstance(fact, PlaceDecided) and fact.request_version == participant.request_version:
            participant.place_status = CONFIRMED if fact.outcome == PROMOTED else fact.outcome
            break
    return participant


def is_pending(participant: Participant, registration: EventRegistration) -> bool:
    """Awaiting an organizer: decided pending, or not decided yet on an event that needs approval."""
    if not participant.active:
        return False
    status = participant.place_status
    return status == PENDING or (status is None and places_of(registration).requires_approval)


def approve(
    participant: Participant | None,
    registration: EventRegistration,
    organizer: Account | None,
    approved: bool,
    at: datetime,
) -> None:
    """Organizers approve or decline a pending request (a declined participant is no longer
    registered); anything else is refused."""
    performer = registration.check_may_change(organizer, ApprovalDenied, errors.EditRegistrationDeleted)
    if participant is None or not participant.active:
        raise NotAParticipant()
    if not is_pending(participant, registration):
        raise NotPending()
    fact = RegistrationApproved if approved else RegistrationDeclined
    participant.trigger_event(fact, performed_by=performer.user_id, timestamp=at)


def check_in(
    participant: Participant | None,
    registration: EventRegistration,
    organizer: Account | None,
    checked_in: bool,
    now: datetime,
) -> bool:
    """Organizers check a participant who holds a place in (or undo it), from the event's start
    to ``CHECK_IN_GRACE`` after its end. False when it already is so."""
    performer = registration.check_may_change(organizer, CheckInDenied, errors.EditRegistrationDeleted)
    details = registration.details
    if not details.start_utc_dt <= now <= details.end_utc_dt + CHECK_IN_GRACE:
        raise CheckInOutsideWindow()
    if participant is None or not participant.active:
        raise NotAParticipant()
    if participant.place_status in (WAITLISTED, PENDING, "approved") or is_pending(participant, registration):
        raise CheckInNotConfirmed()
    if participant.checked_in == checked_in:
        return False
    fact = CheckedIn if checked_in else CheckInUndone
    participant.trigger_event(fact, performed_by=performer.user_id, timestamp=now)
    return True
