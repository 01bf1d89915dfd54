"""Schedules on events, and the secret address of a participant's calendar feed: the facts and the
rules that record them (the schedule itself, its checks and its expansion: ``domain/schedule.py``).

**Facts on the EventRegistration.** ``ScheduleSet`` records the whole normalised schedule with who
set it, and the overall period derived from it (``derive_span``): its ``apply`` moves the event's
``start_local``/``end_local``/``start_utc``/``end_utc`` (what v0 shows as ``start_time``/
``end_time``), so every reader of the details sees the derived values. ``ScheduleCleared`` records
that a v0 edit moved the event's period away from the derived one: the schedule is replaced by that
single period. Both subclass ``EventRegistration.Event`` (the catalog reads the rows of every such
fact in its batch); their topics (``domain.scheduling:…``) never move.

**The v0 rules on the derived values** (checked here, in the same order as an edit): the editor is
an organizer, the registration is not deleted, the schedule is valid, the derived end is not before
the derived start, and an event that has ended with aggregated or stored answers keeps its end in the
past ("dates cannot be changed"). A start in the past is refused only when an event is created, as
v0 does; a schedule is always set on an existing event (an edit), so it is not refused.

**Facts on the Account.** ``FeedUrlIssued`` records a random nonce and the SHA-256 hash of the feed
secret; the secret itself is derived outside the domain from the nonce and the service's key (an
HMAC), so the log alone cannot rebuild it. ``FeedUrlRevoked`` ends it: the read model drops its hash.

State is kept as plain JSON values in the aggregate's ``__dict__`` (as ``domain/places.py`` does), so
registration snapshots round-trip it without knowing about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from domain import errors
from domain.accounts import Account
from domain.registration import EventRegistration
from domain.schedule import Schedule, check_schedule, derive_span

TS_MW = "%Y%m%d%H%M%S"


class ScheduleSet(EventRegistration.Event):
    """An organizer set the event's schedule (``Schedule.to_payload()``, normalised) and with it
    the event's period: the derived start and end, local (TS_MW) and UTC (ISO 8601)."""

    event_id: int
    schedule: dict[str, Any]
    start_local: str
    end_local: str
    start_utc: str
    end_utc: str
    performed_by: int

    def apply(self, aggregate: Any) -> None:
        aggregate.details = replace(
            aggregate.details,
            start_local=self.start_local,
            end_local=self.end_local,
            start_utc=self.start_utc,
            end_utc=self.end_utc,
        )
        vars(aggregate)["schedule"] = dict(self.schedule)


class ScheduleCleared(EventRegistration.Event):
    """A v0 edit gave the event another period (or timezone): its schedule is replaced by that
    single period (recorded right after the edit's facts, by the same editor)."""

    event_id: int
    performed_by: int

    def apply(self, aggregate: Any) -> None:
        vars(aggregate)["schedule"] = None


def schedule_of(registration: Any) -> Schedule | None:
    """The event's schedule (None: its single v0 period)."""
    found: dict[str, Any] | None = vars(registration).get("schedule")
    return None if found is None else Schedule.from_payload(found)


def set_schedule(
    registration: EventRegistration,
    editor: Account | None,
    given: Schedule,
    *,
    now: datetime,
    answers_stored: Callable[[], bool],
) -> bool:
    """Check (see the module's docstring) and record ``ScheduleSet``; False when the schedule is
    already this one (nothing recorded)."""
    performer = registration.check_may_change(editor)
    timezone = registration.details.timezone
    schedule = check_schedule(given, timezone)
    span = derive_span(schedule, timezone)
    if span.end_local < span.start_local:  # v0's rule; a derived period never breaks it
        raise errors.StartAfterEnd()
    ended_with_answers = registration.has_ended(now) and (
        bool(registration.answer_counts) or answers_stored()
    )
    if ended_with_answers and span.end_utc > now:
        raise errors.EventDatesCannotBeChanged()
    payload = schedule.to_payload()
    if vars(registration).get("schedule") == payload:
        return False
    registration.trigger_event(
        ScheduleSet,
        event_id=registration.event_id,
        schedule=payload,
        start_local=span.start_local.strftime(TS_MW),
        end_local=span.end_local.strftime(TS_MW),
        start_utc=span.start_utc.isoformat(),
        end_utc=span.end_utc.isoformat(),
        performed_by=performer.user_id,
        timestamp=now,
    )
    return True


def after_edit(registration: EventRegistration, performed_by: int, before: Any, at: datetime) -> bool:
    """After a v0 edit (``before``: the details it started from): an event with a schedule whose
    timezone, start or end the edit changed gets ``ScheduleCleared``. An edit that sends the
    derived start and end again keeps the schedule. True when the schedule was cleared."""
    if vars(registration).get("schedule") is None:
        return False
    now = registration.details
    period = ("timezone", "start_local", "end_local")
    if all(getattr(now, name) == getattr(before, name) for name in period):
        return False
    registration.trigger_event(
        ScheduleCleared, event_id=registration.event_id, performed_by=performed_by, timestamp=at
    )
    return True


# --- the participant's feed address -------------------------------------------------------------


class FeedUrlIssued(Account.Event):
    """A secret feed address for this account: the nonce it is derived from and its hash."""

    user_id: int
    nonce: str
    secret_hash: str

    def apply(self, aggregate: Any) -> None:
        vars(aggregate)["feed_url"] = {"nonce": self.nonce, "secret_hash": self.secret_hash}


class FeedUrlRevoked(Account.Event):
    """The account's feed address no longer answers (its hash is dropped from the read model)."""

    user_id: int
    secret_hash: str

    def apply(self, aggregate: Any) -> None:
        vars(aggregate)["feed_url"] = None


def feed_url_of(account: Account) -> dict[str, str] | None:
    """``{"nonce", "secret_hash"}`` of the account's live feed address, or None."""
    found: dict[str, str] | None = vars(account).get("feed_url")
    return found


def issue_feed_url(account: Account, nonce: str, secret_hash: str, at: datetime) -> None:
    """A new address (replacing a live one, whose hash the read model drops)."""
    account.trigger_event(
        FeedUrlIssued, user_id=account.user_id, nonce=nonce, secret_hash=secret_hash, timestamp=at
    )


def revoke_feed_url(account: Account, at: datetime) -> bool:
    """End the live address; False when there is none."""
    live = feed_url_of(account)
    if live is None:
        return False
    account.trigger_event(
        FeedUrlRevoked, user_id=account.user_id, secret_hash=live["secret_hash"], timestamp=at
    )
    return True


# --- commands (kept with their capability: domain/commands.py is shared by every family) ---------


@dataclass(frozen=True)
class SetSchedule:
    performer: int | None
    event_id: int
    schedule: Schedule


@dataclass(frozen=True)
class IssueFeedUrl:
    """The caller's secret feed address: ``nonce`` and the hash of the secret derived from it."""

    performer: int
    nonce: str
    secret_hash: str


@dataclass(frozen=True)
class RevokeFeedUrl:
    performer: int


# --- errors of the feed address (the schedule's own: domain/schedule_errors.py) -------------------


class FeedUrlAnonymous(errors.DomainError):
    """Only a logged-in caller (bearer or cookie) has a feed address (401)."""

    key = "campaignevents-rest-feed-url-anonymous"


class FeedNotFound(errors.DomainError):
    """No live feed at this address: never issued, or revoked (404)."""

    key = "campaignevents-rest-feed-not-found"
