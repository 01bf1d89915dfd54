"""Participant questions: the built-in registry, and validation of submitted answers.

Option 0 of every multiple-choice question is the "skip" placeholder: submitting it means no answer.
Only questions enabled for the event (or answered before by this user) are read; unknown names are
ignored, as the reference does.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.errors import InvalidAnswer

TEXT = "text"


@dataclass(frozen=True)
class Question:
    id: int
    name: str
    type: str  # radio | select
    label: str
    options: tuple[tuple[str, int], ...]  # (label, value), in display order
    pii: bool
    other_options: dict[int, str] = field(default_factory=dict)  # value -> label of its text field

    def option_label(self, value: int) -> str | None:
        return next((label for label, v in self.options if v == value), None)


QUESTIONS: tuple[Question, ...] = (
    Question(
        1,
        "gender",
        "radio",
        "What is your gender identity? (optional)",
        (
            ("Prefer not to say", 0),
            ("Man", 1),
            ("Woman", 2),
            ("Agender", 3),
            ("Non-binary", 4),
            ("Gender not listed", 5),
        ),
        pii=True,
    ),
    Question(
        2,
        "age",
        "select",
        "What is your age? (optional)",
        (
            ("Select age range", 0),
            ("Under 25", 1),
            ("25–34", 2),
            ("35–44", 3),
            ("45–54", 4),
            ("55–64", 5),
            ("65–74", 6),
            ("75–84", 7),
            ("85+", 8),
        ),
        pii=True,
    ),
    Question(
        3,
        "profession",
        "select",
        "What is your profession? (optional)",
        (
            ("Select your profession", 0),
            ("Artist/creative professional", 1),
            ("Educator", 2),
            ("Librarian", 3),
            ("Mass media professional", 4),
            ("Museum or archive professional", 5),
            ("Non-profit professional", 6),
            ("Researcher", 7),
            ("Software engineer", 8),
            ("Student", 9),
            ("Profession not listed", 10),
        ),
        pii=True,
    ),
    Question(
        4,
        "confidence",
        "radio",
        "How confident do you feel contributing to the Wikimedia projects involved in this event? (optional)",
        (
            ("Prefer not to say", 0),
            ("I have never contributed to a Wikimedia project before", 1),
            ("I have some experience, but don't feel confident", 2),
            ("I have some experience, and feel confident contributing, but would like to learn more", 3),
            ("I am confident that I can contribute without any support", 4),
        ),
        pii=False,
    ),
    Question(
        5,
        "affiliate",
        "select",
        "Do you belong to any Wikimedia affiliates (chapters, user groups, thematic organizations)? "
        "(optional)",
        (("Select an option", 0), ("Yes", 1), ("No", 2)),
        pii=False,
        other_options={1: "Please state"},
    ),
)
BY_ID = {q.id: q for q in QUESTIONS}
BY_NAME = {q.name: q for q in QUESTIONS}
ALL_QUESTION_IDS = [q.id for q in QUESTIONS]


@dataclass(frozen=True)
class Answer:
    question_id: int
    option: int
    other: str | None = None


def validate_answers(given: Any, readable: set[int]) -> dict[int, Answer]:
    """Parse ``{"<name>": {"value": int, "other": str}}`` into answers keyed by question id.

    ``readable`` holds the ids read (enabled for the event, or answered before). A placeholder value
    means no answer; anything malformed raises ``InvalidAnswer(name)``.
    """
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise InvalidAnswer("answers")
    answers: dict[int, Answer] = {}
    for name, raw in given.items():
        question = BY_NAME.get(name)
        if question is None or question.id not in readable:
            continue
        answer = _parse(question, raw)
        if answer is not None:
            answers[question.id] = answer
    return dict(sorted(answers.items()))


def _parse(question: Question, raw: Any) -> Answer | None:
    if not isinstance(raw, dict) or "value" not in raw:
        raise InvalidAnswer(question.name)
    value = raw["value"]
    if isinstance(value, bool) or not isinstance(value, int) or question.option_label(value) is None:
        raise InvalidAnswer(question.name)
    if value == 0:
        return None
    other = raw.get("other")
    if value not in question.other_options or other is None:
        return Answer(question.id, value)
    if not isinstance(other, str):
        raise InvalidAnswer(question.name)
    return Answer(question.id, value, other or None)


# --- sealing: answers are recorded only encrypted, under a key kept outside the log ------------
def seal(answers: dict[int, Answer], key: bytes) -> str:
    """AES-256-GCM ciphertext of the answers (random nonce), as URL-safe base64 text."""
    plain = json.dumps([[a.question_id, a.option, a.other] for a in answers.values()]).encode()
    nonce = os.urandom(12)
    return base64.urlsafe_b64encode(nonce + AESGCM(key).encrypt(nonce, plain, b"answers")).decode()


def unseal(sealed: str, key: bytes) -> dict[int, Answer]:
    raw = base64.urlsafe_b64decode(sealed.encode())
    plain = AESGCM(key).decrypt(raw[:12], raw[12:], b"answers")
    return {q: Answer(q, option, other) for q, option, other in json.loads(plain)}


def tally(sealed: str, key: bytes) -> list[tuple[int, int]]:
    """The (question id, option) pairs of a sealed answer set (what aggregation counts)."""
    raw = base64.urlsafe_b64decode(sealed.encode())
    plain = AESGCM(key).decrypt(raw[:12], raw[12:], b"answers")
    return [(q, option) for q, option, _other in json.loads(plain)]


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def key_id(sealed: str | None) -> str | None:
    """The id of the key a ``<key id>.<ciphertext>`` answer set is sealed under."""
    return sealed.partition(".")[0] if sealed else None


# --- aggregation stamps: whose answers a registration's batches counted ------------------------
def period(registered_at: datetime) -> str:
    """A participant's registration period, named by the second it began (``%Y%m%d%H%M%S``, as the
    catalog's ``registered_at`` holds it): re-registering begins a new one. Two periods of one
    participant never share a second once answers are due (due means 90 days after the first
    answer, or an event over, which nobody can join again)."""
    text = registered_at.isoformat()
    return text[0:4] + text[5:7] + text[8:10] + text[11:13] + text[14:16] + text[17:19]


class Stamps:
    """Which participants' answers the registration's batches aggregated: user id -> the
    registration period (``period``) whose answers were counted. Immutable (a fact makes a new one),
    so copying the registration aggregate shares it instead of copying thousands of entries."""

    __slots__ = ("_periods",)

    def __init__(self, periods: dict[int, str] | None = None) -> None:
        self._periods: dict[int, str] = periods or {}

    def covers(self, user_id: int, registered_at: datetime) -> bool:
        """Whether the answers of ``user_id``'s registration period that began at ``registered_at``
        were aggregated."""
        found = self._periods.get(user_id)
        return found is not None and found == period(registered_at)

    def covers_period(self, user_id: int, registration_period: str) -> bool:
        return self._periods.get(user_id) == registration_period

    def stamped(self, entries: Iterable[tuple[int, str]]) -> Stamps:
        periods = dict(self._periods)
        periods.update(entries)
        return Stamps(periods)

    def __len__(self) -> int:
        return len(self._periods)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stamps) and other._periods == self._periods

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._periods.items())))

    def __copy__(self) -> Stamps:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Stamps:
        return self

    def to_json(self) -> list[list[Any]]:
        """As snapshots store it: ``[[user id, period], ...]``."""
        return [[user_id, p] for user_id, p in self._periods.items()]

    @classmethod
    def from_json(cls, stored: list[list[Any]] | None) -> Stamps:
        return cls({int(user_id): str(p) for user_id, p in stored or ()})


NO_STAMPS = Stamps()


def present(answers: dict[int, Answer], enabled: list[int]) -> dict[str, dict[str, Any]]:
    """The participant's own view: ``{"gender": {"value": 2}, "affiliate": {"value": 1, "other": "x"}}``,
    with ``"removed": true`` for questions no longer enabled for the event."""
    shown: dict[str, dict[str, Any]] = {}
    for answer in answers.values():
        question = BY_ID[answer.question_id]
        entry: dict[str, Any] = {"value": answer.option}
        if answer.other:
            entry["other"] = answer.other
        if answer.question_id not in enabled:
            entry["removed"] = True
        shown[question.name] = entry
    return shown


def non_pii_message(answer: Answer | None) -> str | None:
    """The label an organizer sees for a non-PII answer (None: no response)."""
    if answer is None:
        return None
    label = BY_ID[answer.question_id].option_label(answer.option) or ""
    return f"{label}: {answer.other}" if answer.other else label
