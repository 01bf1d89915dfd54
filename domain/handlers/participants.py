"""Participants: register (with answers, sealed under a key of their own), cancel, remove.

Answer keys live outside the event log. A key is made at most once per command (a retried
attempt reuses it) and the participant's other keys are destroyed after the commit; a key left
behind by a failed command is found by the sweep (``answers.destroy_spent_keys``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from domain import commands, errors
from domain.answers import Answer, key_id, seal, validate_answers
from domain.handlers import after_commit, retrying
from domain.handlers import answers as aggregation
from domain.handlers.groups import load_deciding_groups
from domain.participants import Participant, check_may_cancel
from domain.ports import KeyStore
from domain.results import Registered, Removed

if TYPE_CHECKING:
    from domain.application import CampaignEvents


def register_participant(app: CampaignEvents, cmd: commands.RegisterParticipant) -> Registered:
    sealer = Sealer(app.key_store())
    user = app.performer_account(cmd.performer, cmd.caller)  # read once (not changed here)

    def attempt() -> tuple[Participant, bool, bool, bool, int]:
        registration = app.registration(cmd.event_id)
        participant = app.participant(cmd.event_id, user.user_id) if user else None
        had_key = participant is not None and participant.sealed_answers is not None
        current = app.answers_of(participant, registration)  # none once aggregated
        answers = validate_answers(cmd.answers, set(registration.questions) | set(current))
        now = app.clock.now()
        answering, groups = bool(answers), load_deciding_groups(app, registration, user)
        if participant is None:
            participant = Participant.register(
                registration, user, cmd.private, answering=answering, at=now, full=cmd.full, groups=groups
            )
            modified = True
        else:
            modified = participant.register_again(
                registration, user, cmd.private, answering=answering, at=now, full=cmd.full, groups=groups
            )
        sealing = answers != current and answering
        if answers != current:
            participant.replace_answers(sealer.seal(participant, answers, now), now)
            modified = True
        due_soon = sealing and aggregation.may_be_due(registration, participant, now)
        return participant, modified, had_key, due_soon, app.save_all(participant)

    participant, modified, had_key, due_soon, position = retrying(attempt)
    if due_soon and aggregation.raced(app, participant):
        _withdraw(app, participant)
    # Only the current answer set stays readable. Without a key sealed before or now there is none
    # of its own to destroy (a failed command's key is the sweep's): no key-store write then.
    if modified and (had_key or sealer.made is not None):
        keep = key_id(participant.sealed_answers)
        after_commit(app.key_store().destroy, participant.event_id, participant.user_id, keep=keep)
    return Registered(modified, position)


def _withdraw(app: CampaignEvents, lost: Participant) -> None:
    """New answers saved while a batch of the aggregation stamped this participant (checked before
    it was committed): they are refused after all. They are withdrawn - so the read side lists
    nothing left to aggregate - and every key of the participant goes."""

    def attempt() -> int:
        participant = app.participant(lost.event_id, lost.user_id)
        if participant is None or participant.sealed_answers is None:
            return 0
        participant.replace_answers(None, app.clock.now())
        return app.save_all(participant)

    retrying(attempt)
    after_commit(app.key_store().destroy, lost.event_id, lost.user_id)
    raise errors.AnswersAggregated()


def cancel_registration(app: CampaignEvents, cmd: commands.CancelRegistration) -> Registered:
    def attempt() -> tuple[Participant | None, int]:
        registration = app.registration(cmd.event_id)
        user = app.account(cmd.performer)
        check_may_cancel(registration, user)  # even when not registered
        assert user is not None
        participant = app.participant(cmd.event_id, user.user_id)
        if participant is None or not participant.cancel(registration, user, app.clock.now()):
            return None, 0
        return participant, app.save_all(participant)

    cancelled, position = retrying(attempt)
    if cancelled is None:
        return Registered(False, 0)
    after_commit(app.key_store().destroy, cancelled.event_id, cancelled.user_id)
    return Registered(True, position)


def remove_participants(app: CampaignEvents, cmd: commands.RemoveParticipants) -> Removed:
    if cmd.user_ids is not None and not cmd.user_ids:
        raise errors.RemoveParticipantsInvalidUserIds()

    def attempt() -> tuple[list[Participant], int]:
        registration = app.registration(cmd.event_id)
        remover = registration.check_may_remove_participants(app.account(cmd.performer))
        now = app.clock.now()
        targets = app.participants(cmd.event_id, _removal_targets(app, cmd))
        removed = [p for p in targets if p.remove(registration, remover, now)]
        return removed, app.save_all(*removed)

    removed, position = retrying(attempt)
    for p in removed:
        after_commit(app.key_store().destroy, p.event_id, p.user_id)
    private = sum(1 for p in removed if p.private)
    return Removed(len(removed) - private, private, position)


def _removal_targets(app: CampaignEvents, cmd: commands.RemoveParticipants) -> list[int]:
    if cmd.user_ids is not None and not cmd.invert:
        return list(dict.fromkeys(cmd.user_ids))
    excluded = set(cmd.user_ids or ())
    return [u for u in app.participant_directory().active_participants(cmd.event_id) if u not in excluded]


class Sealer:
    """Seals answer sets under a new key of the participant's own (each answer set gets its own
    key, so destroying the older keys makes every replaced answer set unreadable). The key is made
    once, on first use: a retried attempt seals under the same key instead of making another."""

    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys
        self.made: tuple[str, bytes] | None = None

    def seal(self, participant: Participant, answers: dict[int, Answer], now: datetime) -> str | None:
        if not answers:
            return None
        if self.made is None:
            self.made = self.keys.create(participant.event_id, participant.user_id, now)
        kid, key = self.made
        return f"{kid}.{seal(answers, key)}"

