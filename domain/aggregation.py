"""Answer aggregation in batches: one fact on the registration counts a batch of participants'
answers into the event's totals and stamps those participants, instead of a fact per participant.

``EventRegistration.AnswersAggregated`` (defined here: ``domain/registration.py`` is full) carries
the totals added, never who gave what, and the participants stamped with the registration period
whose answers were counted (``domain.answers.period``). From then on that participant's answers
cannot change (``Participant.answers_aggregated``) and read as none; their keys are destroyed once
the fact is committed (``domain/handlers/answers.py``). Logs written before it hold a
``Participant.AnswersAggregated`` per participant and an ``AnswersCounted`` per batch instead: both
still load and mean what they meant.
"""

from __future__ import annotations

from datetime import datetime

from domain.payloads import AggregatedParticipant, AnswerCount
from domain.registration import EventRegistration


class AnswersAggregated(EventRegistration.AnswersCounted):
    """A batch of participants' answers counted: ``counts`` added to the totals (as
    ``AnswersCounted``), ``participants`` stamped (each with the registration period counted).
    ``performed_by`` is None: the scheduled job does it, nobody in particular."""

    class_version = 1  # (not AnswersCounted's 2: this fact never had another shape)
    event_id: int
    participants: list[AggregatedParticipant]
    performed_by: int | None

    def apply(self, aggregate: EventRegistration) -> None:  # type: ignore[override]
        super().apply(aggregate)
        stamps = ((p["user_id"], p["period"]) for p in self.participants)
        aggregate.aggregated = aggregate.aggregated.stamped(stamps)


def record_batch(
    registration: EventRegistration,
    counts: list[AnswerCount],
    participants: list[AggregatedParticipant],
    at: datetime,
) -> None:
    """Record one batch; nothing when it stamps nobody."""
    if participants:
        registration.trigger_event(
            AnswersAggregated,
            event_id=registration.event_id,
            counts=counts,
            participants=participants,
            performed_by=None,
            timestamp=at,
        )
