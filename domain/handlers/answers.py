"""Answer aggregation, in batches (``domain/aggregation.py``): per event, a batch of due
participants is counted and stamped by one fact on the registration, and their keys are destroyed
once that fact is committed; and the sweep that destroys keys no answer set uses any more.

No Participant aggregate is loaded: the sealed answers come from the read side (the job brings it
to the log's head first), their keys from the key store, both read at once per batch.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from domain.aggregation import record_batch
from domain.answers import key_id, tally
from domain.handlers import retrying
from domain.participants import Participant
from domain.payloads import AggregatedParticipant, AnswerCount
from domain.ports import DueAnswers, SpentKeys
from domain.registration import EventRegistration
from domain.results import AggregationReport

if TYPE_CHECKING:
    from domain.application import CampaignEvents

ANSWERS_TTL = timedelta(days=90)
KEY_GRACE = timedelta(minutes=10)
AGGREGATION_BATCH = 2000  # participants per fact (and per key-store transaction)


def aggregate_answers(app: CampaignEvents, batch: int = AGGREGATION_BATCH) -> AggregationReport:
    """Count every due participant's answers into their event's totals, stamp them, destroy
    their keys. Idempotent: the registration's facts say who is done, so a rerun after a crash
    between a fact and its key deletion counts nobody twice, and destroys those keys (here when
    the read side still lists them as due, else in the sweep)."""
    now = app.clock.now()
    participants = 0
    events: set[int] = set()
    cursor: int | None = None
    directory = app.participant_directory()
    saved: dict[int, EventRegistration] = {}
    while True:
        with _collector_paused():
            due = directory.due_for_aggregation(now, now - ANSWERS_TTL, batch, cursor)
            if not due:
                break
            by_event: dict[int, list[DueAnswers]] = {}
            for row in due:
                by_event.setdefault(row.event_id, []).append(row)
            participants += sum(_aggregate_batch(app, e, rows, now, saved) for e, rows in by_event.items())
            events |= set(by_event)
            cursor = due[-1].participant_id
            del due, by_event
    return AggregationReport(participants, len(events), destroy_spent_keys(app))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while one page of due participants is aggregated.
    A page makes thousands of objects that live until it is done (its rows, keys, stamps, fact) and
    hold no cycles: reference counting frees them. Left running, the collector scans them several
    times a page and moves them to its older generations, which sets off full collections - a pass
    over every object of the process (50-160 ms in the benchmark's) that finds none of them garbage.
    Paused, it runs once the page is done, on what is left. The pause is process-wide: other
    threads' cycles wait that long (a page takes tens of milliseconds). Already paused: untouched."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _aggregate_batch(
    app: CampaignEvents,
    event_id: int,
    due: list[DueAnswers],
    now: datetime,
    saved: dict[int, EventRegistration],
) -> int:
    """One fact for the batch, then its keys, in the key store's ``spend_keys``: the keys are read,
    the fact committed, then the keys destroyed, and no key is made or destroyed meanwhile - so a
    command giving new answers either made its key before (and the participant waits for a later
    run) or checks the registration after the fact (``raced``).

    A participant the registration already stamped for this registration period (a rerun after a
    crash, or a read side behind the log) is not counted again: only the key of the answers listed
    is destroyed. One who holds a key besides the one their listed answers are sealed under is left
    for a later run: their answers are being replaced, or the read side is behind (a key a failed
    command left is the sweep's).

    ``saved`` holds the registration as this run last saved it: the next batch of the event starts
    from it instead of loading it again (a copy from the cache, brought forward by decoding the
    fact just written). Had anything else written the registration since, saving on that version
    fails like any stale write, and the retry loads it afresh."""
    stamped: list[AggregatedParticipant] = []

    def use(held: dict[tuple[int, str], bytes]) -> SpentKeys:
        holding = Counter(user_id for user_id, _ in held)

        def attempt() -> SpentKeys:
            registration = saved.pop(event_id, None)
            if registration is None:
                registration = app.registration(event_id)
            covered = registration.aggregated.covers_period
            counts: dict[tuple[int, int], int] = {}
            stamped.clear()
            done: list[tuple[int, str]] = []
            for r in due:
                user_id = r.user_id
                kid, _, ciphertext = r.sealed.partition(".")
                if covered(user_id, r.period):
                    done.append((user_id, kid))
                    continue
                key = held.get((user_id, kid))
                if holding[user_id] > (key is not None):
                    continue
                if key is not None:
                    for pair in tally(ciphertext, key):
                        counts[pair] = counts.get(pair, 0) + 1
                stamped.append({"user_id": user_id, "period": r.period})
            totals = [AnswerCount(question_id=q, option=o, count=n) for (q, o), n in sorted(counts.items())]
            record_batch(registration, totals, stamped, now)
            app.save_all(registration)
            saved[event_id] = registration
            return SpentKeys([s["user_id"] for s in stamped], done)

        return retrying(attempt)

    app.key_store().spend_keys(event_id, [r.user_id for r in due], use)
    return len(stamped)


def destroy_spent_keys(app: CampaignEvents, batch: int = AGGREGATION_BATCH) -> int:
    """Destroy keys no answer set uses any more (aggregated, cancelled, removed, replaced) — the
    second half of a crash-interrupted write. Keys younger than ``KEY_GRACE`` are left alone: a
    key is created just before the answers sealed under it are saved."""
    keys = app.key_store()
    destroyed = 0
    after: tuple[int, int, str] | None = None
    created_before = app.clock.now() - KEY_GRACE
    registrations: dict[int, EventRegistration] = {}
    while page := keys.holders(after, batch, created_before):
        for event_id, user_id, kid in page:
            participant = app.participant(event_id, user_id)
            if (
                participant is None
                or key_id(participant.sealed_answers) != kid
                or _aggregated(app, participant, registrations)
            ):
                keys.destroy_key(event_id, user_id, kid)
                destroyed += 1
        after = page[-1]
    return destroyed


def _aggregated(app: CampaignEvents, participant: Participant, read: dict[int, EventRegistration]) -> bool:
    registration = read.get(participant.event_id)
    if registration is None:
        registration = read[participant.event_id] = app.registration_for_reading(participant.event_id)
    return participant.answers_aggregated(registration)


def may_be_due(registration: EventRegistration, participant: Participant, now: datetime) -> bool:
    """Whether answers being saved may already be due for aggregation (with ``KEY_GRACE`` to spare:
    the job's clock may run ahead): the event has ended, or the first answer is that old. Only
    then can a batch stamp the participant while the answers are saved (``raced``)."""
    soon = now + KEY_GRACE
    first = participant.first_answer_at
    return registration.has_ended(soon) or (first is not None and first < soon - ANSWERS_TTL)


def raced(app: CampaignEvents, participant: Participant) -> bool:
    """Whether a batch stamped the participant's registration period after a command checked it
    was not (the registration read afresh once the command's answers are committed)."""
    return participant.answers_aggregated(app.registration_for_reading(participant.event_id))
