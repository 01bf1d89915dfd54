"""Who may do and see what: the one home of the access and visibility rules every route asks.

Pure functions of the viewer's account and the registration (plus a fact or two the caller looked
up). A blocked account has no rights (``Account.has_right``), so it passes none of these.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from domain.accounts import (
    RIGHT_DELETE,
    RIGHT_EMAIL,
    RIGHT_ENABLE,
    RIGHT_ORGANIZE,
    RIGHT_VIEW_PRIVATE,
    Account,
)
from domain.answers import BY_ID
from domain.audiences import Audience, admits


class EventRegistration(Protocol):
    """What the rules read of a registration: the aggregate, or the read side's
    ``domain.reading.RegistrationView``."""

    @property
    def questions(self) -> Sequence[int]: ...

    def is_organizer(self, user_id: int | None) -> bool: ...

    def has_ended(self, now: datetime) -> bool: ...


class VisibilityReads(Protocol):
    """The inputs of ``can_see_event`` as the read side holds them (set on the application by the
    composition root)."""

    def visibility(self, event_id: int) -> tuple[int, Audience]:
        """The event's hidden flag (0: visible) and its audience (for everyone when unknown)."""
        ...

    def among(self, event_ids: list[int]) -> dict[int, tuple[int, Audience]]:
        """As ``visibility``, for those of ``event_ids`` not ``seen_by_all``."""
        ...


# Aggregated answers: a question with fewer answers shows a message instead of counts, and an
# option with 1 to MIN_OPTION_ANSWERS - 1 answers shows a range instead of its count.
MIN_QUESTION_ANSWERS = 10
MIN_OPTION_ANSWERS = 5


def can_edit(viewer: Account | None, registration: EventRegistration) -> bool:
    """Current organizer who may enable registrations or organize events (and is not blocked)."""
    if viewer is None:
        return False
    may_organize = viewer.has_right(RIGHT_ENABLE) or viewer.has_right(RIGHT_ORGANIZE)
    return may_organize and registration.is_organizer(viewer.user_id)


def can_delete(viewer: Account | None, registration: EventRegistration) -> bool:
    """Holders of the delete right, and the event's organizers."""
    allowed = viewer is not None and viewer.has_right(RIGHT_DELETE)
    return allowed or can_edit(viewer, registration)


def can_enable(viewer: Account | None) -> bool:
    return viewer is not None and viewer.has_right(RIGHT_ENABLE)


def may_organize(account: Account) -> bool:
    """Whether the account may be (or stay) an organizer of an event."""
    return account.has_right(RIGHT_ORGANIZE)


def can_email(viewer: Account | None, registration: EventRegistration) -> bool:
    return can_edit(viewer, registration) and viewer is not None and viewer.has_right(RIGHT_EMAIL)


def can_see_private(viewer: Account | None, registration: EventRegistration) -> bool:
    """Private participants: holders of the view-private right, and the event's organizers."""
    if viewer is not None and viewer.has_right(RIGHT_VIEW_PRIVATE):
        return True
    return can_edit(viewer, registration)


def can_see_history(viewer: Account | None, registration: EventRegistration) -> bool:
    """The audit history and time travel: the event's organizers and sysops (not blocked)."""
    if viewer is None or viewer.blocked:
        return False
    return "sysop" in viewer.groups or can_edit(viewer, registration)


def can_see_meeting_urls(
    viewer: Account | None, registration: EventRegistration, participates: Callable[[int], bool]
) -> bool:
    """Meeting and chat URLs: organizers and active participants (``participates(user_id)``), not
    blocked."""
    if viewer is None or viewer.blocked:
        return False
    return registration.is_organizer(viewer.user_id) or participates(viewer.user_id)


def can_see_non_pii_answers(viewer: Account | None, registration: EventRegistration, now: datetime) -> bool:
    """Participants' non-PII answers in the list: the event's organizers, until the event ends."""
    return can_edit(viewer, registration) and not registration.has_ended(now)


def non_pii_question_ids(registration: EventRegistration) -> list[int]:
    """The enabled questions whose answers organizers may see (PII answers are never shown)."""
    return [q for q in registration.questions if q in BY_ID and not BY_ID[q].pii]


def can_read_aggregated_answers(viewer: Account | None, registration: EventRegistration) -> bool:
    return can_edit(viewer, registration)


def aggregated_answers_available(
    registration: EventRegistration, now: datetime, answers_stored: bool
) -> bool:
    """Totals are readable once the event has ended and no stored answer awaits aggregation."""
    return registration.has_ended(now) and not answers_stored


def question_total_shown(total: int) -> bool:
    return total >= MIN_QUESTION_ANSWERS


def shown_count(n: int) -> int | str:
    """An option's count as organizers see it: small counts become a range."""
    return n if n == 0 or n >= MIN_OPTION_ANSWERS else f"1-{MIN_OPTION_ANSWERS - 1}"


def can_see_waitlist_names(viewer: Account | None, registration: EventRegistration) -> bool:
    """The waitlist's names and positions: the event's organizers (others see only its length, so
    a private registrant on it is never revealed to those who may not see private participants)."""
    return can_edit(viewer, registration)


def can_moderate(viewer: Account | None, registration: EventRegistration) -> bool:
    """Moderation (lock, hide, feature, and acting on a locked event): sysops and the event's
    organizers, not blocked."""
    if viewer is None or viewer.blocked:
        return False
    return "sysop" in viewer.groups or can_edit(viewer, registration)


def seen_by_all(hidden: int, audience: Audience | None = None) -> bool:
    """Not hidden and for everyone: ``can_see_event`` holds for every viewer (none need be read)."""
    return hidden == 0 and (audience is None or audience.for_everyone)


def can_see_event(
    viewer: Account | None, registration: EventRegistration, hidden: int, audience: Audience | None = None
) -> bool:
    """A hidden event (``hidden`` 1: pending approval, -1: hidden by a moderator) is seen only by
    its moderators; every API answers others as for an event that does not exist. An event for some
    groups only (its ``audience``, domain/audiences.py) is seen by their members
    (``audiences.admits``) and its moderators, in the same way, in every API (reads, lists, feeds,
    and acting on it: ``moderation.check_visible``). ``audience`` None: for everyone."""
    shown = hidden == 0 and (audience is None or admits(audience, viewer))
    return shown or can_moderate(viewer, registration)
