"""Participant questions: the built-in registry, and validation of submitted answers.

Option 0 of every multiple-choice question is the "skip" placeholder: submitting it means no answer.
Only questions enabled for the event (or answered before by this user) are read; unknown names are
ignored, as the reference does.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
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


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


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
