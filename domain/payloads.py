"""Typed items of the registration's facts (stored as JSON objects, so a shape change needs a
``class_version`` and an upcaster on the fact)."""

from __future__ import annotations

from typing import TypedDict


class OrganizerEntry(TypedDict):
    user_id: int
    organizer_id: int
    role: str


class AnswerCount(TypedDict):
    """Aggregated answers: how many gave ``option`` to ``question_id`` (never who)."""

    question_id: int
    option: int
    count: int


class AggregatedParticipant(TypedDict):
    """A participant whose answers a batch counted: who, and the registration period counted
    (``domain.answers.period``: the second it began)."""

    user_id: int
    period: str
