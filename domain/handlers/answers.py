"""Answer aggregation: count due participants' answers into their event's totals, then destroy
their keys (after the commit); and the sweep that destroys keys no answer set uses any more."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from domain.answers import unseal
from domain.handlers import retrying
from domain.handlers.participants import key_id
from domain.participants import Participant
from domain.payloads import AnswerCount
from domain.results import AggregationReport

if TYPE_CHECKING:
    from domain.application import CampaignEvents

ANSWERS_TTL = timedelta(days=90)
KEY_GRACE = timedelta(minutes=10)
AGGREGATION_BATCH = 500


def aggregate_answers(app: CampaignEvents, batch: int = AGGREGATION_BATCH) -> AggregationReport:
    """Count every due participant's answers into their event's totals, stamp them, destroy
    their keys. Idempotent: a participant is counted in the same transaction that stamps it, and
    a rerun after a crash finds stamped participants no longer due (and finishes their keys)."""
    now = app.clock.now()
    participants = 0
    events: set[int] = set()
    cursor: tuple[int, int] | None = None
    directory = app.participant_directory()
    while due := directory.due_for_aggregation(now, now - ANSWERS_TTL, batch, cursor):
        by_event: dict[int, list[int]] = {}
        for event_id, _participant, user_id in due:
            by_event.setdefault(event_id, []).append(user_id)
        participants += sum(_aggregate_event(app, e, users, now) for e, users in by_event.items())
        events |= set(by_event)
        cursor = due[-1][0], due[-1][1]
    return AggregationReport(participants, len(events), destroy_spent_keys(app))


def _aggregate_event(app: CampaignEvents, event_id: int, user_ids: list[int], now: datetime) -> int:
    def attempt() -> list[Participant]:
        registration = app.registration(event_id)
        ended = registration.has_ended(now)
        due = [
            p
            for p in app.participants(event_id, user_ids)
            if p.is_due_for_aggregation(ended, now - ANSWERS_TTL)
        ]
        counts: Counter[tuple[int, int]] = Counter()
        held = app.key_store().keys_of(event_id, [p.user_id for p in due])  # one read per batch
        for p in due:
            if p.sealed_answers is not None:
                kid, _, ciphertext = p.sealed_answers.partition(".")
                key = held.get((p.user_id, kid))
                answers = unseal(ciphertext, key) if key is not None else {}
                counts.update((a.question_id, a.option) for a in answers.values())
            p.stamp_aggregated(now)
        touched: list[Aggregate] = list(due)
        if counts:
            totals = [AnswerCount(question_id=q, option=o, count=n) for (q, o), n in sorted(counts.items())]
            registration.count_answers(totals, now)
            touched.append(registration)
        app.save_all(*touched)
        return due

    stamped = retrying(attempt)
    app.key_store().destroy_participants(event_id, [p.user_id for p in stamped])
    return len(stamped)


def destroy_spent_keys(app: CampaignEvents, batch: int = AGGREGATION_BATCH) -> int:
    """Destroy keys no answer set uses any more (aggregated, cancelled, removed, replaced) — the
    second half of a crash-interrupted write. Keys younger than ``KEY_GRACE`` are left alone: a
    key is created just before the answers sealed under it are saved."""
    keys = app.key_store()
    destroyed = 0
    after: tuple[int, int, str] | None = None
    created_before = app.clock.now() - KEY_GRACE
    while page := keys.holders(after, batch, created_before):
        for event_id, user_id, kid in page:
            participant = app.participant(event_id, user_id)
            if participant is None or key_id(participant.sealed_answers) != kid:
                keys.destroy_key(event_id, user_id, kid)
                destroyed += 1
        after = page[-1]
    return destroyed
