"""Moderation flags of an event: locked, hidden (pending approval, or hidden by a moderator) and
featured. Moderators are sysops and the event's organizers (``policies.can_moderate``).

Locked: no new participants (or RSVPs) except by moderators. Hidden: the event is invisible to
everyone but its moderators, in every API (``policies.can_see_event``; the read side keeps the flag
in ``rm_event_content.hidden``). Each change is a fact on the EventRegistration (module-level
classes; their topics never move); the state is kept as plain values under ``moderation``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from eventsourcing.domain import Aggregate

from domain import audiences, errors, policies
from domain.accounts import Account

if TYPE_CHECKING:
    from domain.groups import Group
    from domain.registration import EventRegistration

VISIBLE = 0
PENDING_APPROVAL = 1
HIDDEN_BY_MODERATOR = -1
HIDDEN_VALUES = (VISIBLE, PENDING_APPROVAL, HIDDEN_BY_MODERATOR)


class HiddenFlags(Protocol):
    def hidden(self, event_id: int) -> int:
        """The event's hidden flag as the read side holds it (0: visible)."""
        ...


class ModerationDenied(errors.EditDenied):  # 403, as EditDenied
    key = "campaignevents-rest-moderation-permission-denied"


class InvalidHidden(errors.DomainError):
    key = "campaignevents-rest-moderation-invalid-hidden"


class RegisterEventLocked(errors.DomainError):
    key = "campaignevents-register-event-locked"


MODERATION_ERRORS: tuple[type[errors.DomainError], ...] = (
    ModerationDenied,
    InvalidHidden,
    RegisterEventLocked,
)


@dataclass(frozen=True)
class Flags:
    locked: bool = False
    hidden: int = VISIBLE
    featured: bool = False


DEFAULT = Flags()


class ModerationFact(Aggregate.Event):
    """``performed_by`` None: recorded by the service itself (filing into an approval calendar)."""

    performed_by: int | None

    def apply(self, aggregate: Any) -> None:
        vars(aggregate).setdefault("moderation", {}).update(self.values())

    def values(self) -> dict[str, Any]:
        raise NotImplementedError


class EventLocked(ModerationFact):
    def values(self) -> dict[str, Any]:
        return {"locked": True}


class EventUnlocked(ModerationFact):
    def values(self) -> dict[str, Any]:
        return {"locked": False}


class EventHidden(ModerationFact):
    """``hidden``: 1 pending approval, -1 hidden by a moderator."""

    hidden: int

    def values(self) -> dict[str, Any]:
        return {"hidden": self.hidden}


class EventShown(ModerationFact):
    def values(self) -> dict[str, Any]:
        return {"hidden": VISIBLE}


class EventFeatured(ModerationFact):
    def values(self) -> dict[str, Any]:
        return {"featured": True}


class EventUnfeatured(ModerationFact):
    def values(self) -> dict[str, Any]:
        return {"featured": False}


def flags_of(registration: EventRegistration) -> Flags:
    found: dict[str, Any] = vars(registration).get("moderation") or {}
    return Flags(**found)


def moderate(
    registration: EventRegistration,
    moderator: Account | None,
    at: datetime,
    *,
    locked: bool | None = None,
    hidden: int | None = None,
    featured: bool | None = None,
) -> bool:
    """Set the flags given (None: unchanged): moderators only, not on a deleted registration,
    ``hidden`` one of -1, 0, 1. One fact per flag that changes; False when none does."""
    if moderator is None or not policies.can_moderate(moderator, registration):
        raise ModerationDenied()
    if registration.is_deleted:
        raise errors.EditRegistrationDeleted()
    if hidden is not None and (isinstance(hidden, bool) or hidden not in HIDDEN_VALUES):
        raise InvalidHidden()
    now = flags_of(registration)
    facts: list[tuple[type[ModerationFact], dict[str, Any]]] = []
    if locked is not None and locked != now.locked:
        facts.append((EventLocked if locked else EventUnlocked, {}))
    if hidden is not None and hidden != now.hidden:
        facts.append((EventShown, {}) if hidden == VISIBLE else (EventHidden, {"hidden": hidden}))
    if featured is not None and featured != now.featured:
        facts.append((EventFeatured if featured else EventUnfeatured, {}))
    for fact, values in facts:
        registration.trigger_event(fact, performed_by=moderator.user_id, timestamp=at, **values)
    return bool(facts)


def hold_for_approval(registration: EventRegistration, by: Account, at: datetime) -> None:
    """An event filed into a calendar whose events need approval, by someone who is not a sysop,
    waits hidden (pending approval) until a moderator shows it; nothing when already hidden."""
    if "sysop" in by.groups or flags_of(registration).hidden != VISIBLE:
        return
    registration.trigger_event(EventHidden, performed_by=by.user_id, hidden=PENDING_APPROVAL, timestamp=at)


def check_visible(
    registration: EventRegistration, user: Account | None, groups: Iterable[Group] = ()
) -> None:
    """Acting on a hidden event, or on one for groups ``user`` is not in (its live audience:
    ``groups`` are the Group aggregates ``audiences.deciding_groups`` names): its moderators only;
    to anyone else it does not exist (``policies.can_see_event``)."""
    hidden, audience = flags_of(registration).hidden, audiences.live_audience(registration, groups)
    if not policies.can_see_event(user, registration, hidden, audience):
        raise errors.EventNotFound()


def check_not_locked(registration: EventRegistration, user: Account | None) -> None:
    """Joining a locked event: moderators only."""
    if flags_of(registration).locked and not policies.can_moderate(user, registration):
        raise RegisterEventLocked()
