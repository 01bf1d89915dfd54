"""RSVP answers that take no place (domain/rsvps.py): load -> the rules -> save, retried on conflict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.handlers import retrying
from domain.results import Written
from domain.rsvps import RsvpAnswers, rsvps_id

if TYPE_CHECKING:
    from domain.application import CampaignEvents


@dataclass(frozen=True)
class AnswerRsvp:
    performer: int | None
    event_id: int
    user_id: int
    answer: str  # domain.rsvps.MAYBE or NOT_ATTENDING


@dataclass(frozen=True)
class WithdrawRsvp:
    performer: int | None
    event_id: int
    user_id: int


def answers_of(app: CampaignEvents, event_id: int) -> RsvpAnswers | None:
    return app.find(RsvpAnswers, rsvps_id(event_id))


def answer_rsvp(app: CampaignEvents, cmd: AnswerRsvp) -> Written:
    def attempt() -> int:
        registration = app.registration(cmd.event_id)
        now = app.clock.now()
        answers = answers_of(app, cmd.event_id) or RsvpAnswers.start(cmd.event_id, now)
        if not answers.answer(registration, app.account(cmd.performer), cmd.user_id, cmd.answer, now):
            return 0
        return app.save_all(answers)

    return Written(retrying(attempt), cmd.event_id)


def withdraw_rsvp(app: CampaignEvents, cmd: WithdrawRsvp) -> Written:
    def attempt() -> int:
        registration = app.registration(cmd.event_id)
        answers = answers_of(app, cmd.event_id)
        if answers is None:
            return 0
        if not answers.withdraw(registration, app.account(cmd.performer), cmd.user_id, app.clock.now()):
            return 0
        return app.save_all(answers)

    return Written(retrying(attempt), cmd.event_id)
