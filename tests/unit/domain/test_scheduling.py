"""The schedule facts on the EventRegistration (domain/scheduling.py): derived start/end, v0's date
rules on the derived values, DST, the rules' order, edits that keep or clear a schedule, the feed
address facts on the Account, and a replay of the facts giving the same state."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from eventsourcing.application import Application

from domain import errors, scheduling
from domain import schedule_errors as rules
from domain.schedule import HORIZON, Schedule, Session, occurrences
from tests.unit.domain.factories import (
    NOW,
    account,
    details,
    edit,
    ended_registration,
    organizer,
    registration,
)

MONDAY = datetime(2030, 10, 14, 10, 0)  # two weeks before the end of CEST


def weekly(rule: str = "FREQ=WEEKLY;COUNT=4", start: datetime = MONDAY) -> Schedule:
    return Schedule((Session("s1", start, start + timedelta(hours=2)),), rule)


def rome_registration() -> tuple[object, object]:
    creator = organizer()
    return registration(creator, given=details(timezone="Europe/Rome")), creator


def test_the_event_period_is_derived_from_the_schedule() -> None:
    reg, creator = rome_registration()
    assert scheduling.set_schedule(reg, creator, weekly(), now=NOW, answers_stored=lambda: False)  # type: ignore[arg-type]
    d = reg.details  # type: ignore[attr-defined]
    assert (d.start_local, d.end_local) == ("20301014100000", "20301104120000")
    assert (d.start_utc, d.end_utc) == ("2030-10-14T08:00:00+00:00", "2030-11-04T11:00:00+00:00")
    assert scheduling.schedule_of(reg) == weekly()
    # the same schedule again records nothing
    assert not scheduling.set_schedule(reg, creator, weekly(), now=NOW, answers_stored=lambda: False)  # type: ignore[arg-type]


def test_a_weekly_10_00_in_rome_stays_10_00_across_the_october_change() -> None:
    reg, creator = rome_registration()
    scheduling.set_schedule(reg, creator, weekly(), now=NOW, answers_stored=lambda: False)  # type: ignore[arg-type]
    found = list(occurrences(scheduling.schedule_of(reg), "Europe/Rome", NOW, NOW + HORIZON * 2, 10))  # type: ignore[arg-type]
    assert [o.start_local.hour for o in found] == [10, 10, 10, 10]
    assert [o.start_utc.hour for o in found] == [8, 8, 9, 9]


def test_an_open_ended_rule_ends_at_the_horizon() -> None:
    reg, creator = rome_registration()
    scheduling.set_schedule(reg, creator, weekly("FREQ=WEEKLY"), now=NOW, answers_stored=lambda: False)  # type: ignore[arg-type]
    end = reg.details.end_utc_dt  # type: ignore[attr-defined]
    assert datetime.fromisoformat("2030-10-14T08:00:00+00:00") + HORIZON - timedelta(days=7) < end
    assert not reg.has_ended(NOW + timedelta(days=365 * 9))  # type: ignore[attr-defined]


def test_only_organizers_and_not_on_a_deleted_registration() -> None:
    reg, creator = rome_registration()
    with pytest.raises(errors.EditDenied):
        scheduling.set_schedule(reg, account("Eve"), weekly(), now=NOW, answers_stored=lambda: False)  # type: ignore[arg-type]
    reg.delete(creator, NOW)  # type: ignore[attr-defined]
    with pytest.raises(errors.EditRegistrationDeleted):
        scheduling.set_schedule(reg, creator, weekly(), now=NOW, answers_stored=lambda: False)  # type: ignore[arg-type]


def test_an_invalid_schedule_is_refused_with_its_key() -> None:
    reg, creator = rome_registration()
    with pytest.raises(rules.RecurrenceCountAndUntil):
        bad = weekly("FREQ=WEEKLY;COUNT=2;UNTIL=20301231")
        scheduling.set_schedule(reg, creator, bad, now=NOW, answers_stored=lambda: False)  # type: ignore[arg-type]


def test_dates_cannot_be_changed_after_an_ended_event_has_answers() -> None:
    creator = organizer()
    reg, later = ended_registration(creator)
    future = weekly("FREQ=WEEKLY;COUNT=2", start=datetime(2031, 1, 6, 10))
    with pytest.raises(errors.EventDatesCannotBeChanged):
        scheduling.set_schedule(reg, creator, future, now=later, answers_stored=lambda: True)
    past = weekly("FREQ=WEEKLY;COUNT=2", start=datetime(2029, 1, 1, 10))
    assert scheduling.set_schedule(reg, creator, past, now=later, answers_stored=lambda: True)
    assert scheduling.set_schedule(reg, creator, future, now=later, answers_stored=lambda: False)


def test_an_edit_keeps_the_schedule_with_the_derived_times_and_clears_it_otherwise() -> None:
    reg, creator = rome_registration()
    scheduling.set_schedule(reg, creator, weekly(), now=NOW, answers_stored=lambda: False)  # type: ignore[arg-type]
    same = details(timezone="Europe/Rome", start="20301014100000", end="20301104120000")
    before = reg.details  # type: ignore[attr-defined]
    edit(reg, creator, same)  # type: ignore[arg-type]
    assert not scheduling.after_edit(reg, creator.user_id, before, NOW)  # type: ignore[arg-type,attr-defined]
    assert scheduling.schedule_of(reg) is not None
    before = reg.details  # type: ignore[attr-defined]
    edit(reg, creator, details(timezone="Europe/Rome", start="20301201100000", end="20301201120000"))  # type: ignore[arg-type]
    assert scheduling.after_edit(reg, creator.user_id, before, NOW)  # type: ignore[arg-type,attr-defined]
    assert scheduling.schedule_of(reg) is None
    assert reg.details.start_local == "20301201100000"  # type: ignore[attr-defined]
    assert isinstance(reg.pending_events[-1], scheduling.ScheduleCleared)  # type: ignore[attr-defined]


def test_the_facts_replay_to_the_same_state() -> None:
    reg, creator = rome_registration()
    scheduling.set_schedule(reg, creator, weekly(), now=NOW, answers_stored=lambda: False)  # type: ignore[arg-type]
    app: Application[object] = Application()
    app.save(reg)  # type: ignore[arg-type]
    again = app.repository.get(reg.id)  # type: ignore[attr-defined]
    assert scheduling.schedule_of(again) == weekly() and again.details == reg.details  # type: ignore[attr-defined]


def test_the_feed_address_facts() -> None:
    alice = account("Alice")
    assert scheduling.feed_url_of(alice) is None
    assert not scheduling.revoke_feed_url(alice, NOW)
    scheduling.issue_feed_url(alice, "n1", "h1", NOW)
    assert scheduling.feed_url_of(alice) == {"nonce": "n1", "secret_hash": "h1"}
    assert scheduling.revoke_feed_url(alice, NOW)
    assert scheduling.feed_url_of(alice) is None
