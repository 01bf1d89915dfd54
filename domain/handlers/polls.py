"""Audiences, decisions, votes and presets (``domain/audiences.py``, ``polls.py``, ``presets.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain import audiences, poll_commands, polls
from domain.handlers import retrying
from domain.handlers.groups import load_deciding_groups
from domain.presets import (
    STANDARD_DECISIONS,
    STANDARD_LOCATIONS,
    PresetNotFound,
    StandardDecision,
    StandardLocation,
)
from domain.results import Made, Written

if TYPE_CHECKING:
    from domain.application import CampaignEvents


def set_for_everyone(app: CampaignEvents, cmd: poll_commands.SetForEveryone) -> Written:
    def attempt() -> int:
        registration, performer = app.registration(cmd.event_id), app.account(cmd.performer)
        held = app.poll_permissions(performer)
        if not audiences.set_for_everyone(registration, performer, held, cmd.for_everyone, app.clock.now()):
            return 0
        return app.save_all(registration)

    return Written(retrying(attempt), cmd.event_id)


def attach_to_event(app: CampaignEvents, cmd: poll_commands.AttachToEvent) -> tuple[bool, Written]:
    """Attach or detach a live group or subgroup; (False, nothing written) when it already is so.
    The event is found first, then the group (``EventNotFound``, ``GroupNotFound``...)."""

    def attempt() -> tuple[bool, int]:
        registration, performer = app.registration(cmd.event_id), app.account(cmd.performer)
        held, now = app.poll_permissions(performer), app.clock.now()
        if cmd.subgroup_id is not None:
            group = app.group_of_subgroup(cmd.subgroup_id)
            group.subgroup(cmd.subgroup_id)
            changed = audiences.attach_subgroup(
                registration, performer, held, cmd.subgroup_id, group.group_id, cmd.attach, now
            )
        else:
            assert cmd.group_id is not None
            app.group(cmd.group_id).check_live()
            changed = audiences.attach_group(registration, performer, held, cmd.group_id, cmd.attach, now)
        return changed, app.save_all(registration) if changed else 0

    changed, position = retrying(attempt)
    return changed, Written(position, cmd.event_id)


def set_decisions(app: CampaignEvents, cmd: poll_commands.SetDecisions) -> tuple[list[int], Written]:
    def attempt() -> tuple[list[int], int]:
        registration, performer = app.registration(cmd.event_id), app.account(cmd.performer)
        now = app.clock.now()
        sequence = app.sequence(polls.DECISIONS)
        ids = polls.set_decisions(
            registration,
            performer,
            app.poll_permissions(performer),
            list(cmd.decisions),
            lambda: sequence.allocate(now),
            now,
        )
        return ids, app.save_all(registration, sequence)

    ids, position = retrying(attempt)
    return ids, Written(position, cmd.event_id)


def cast_vote(app: CampaignEvents, cmd: poll_commands.CastVote) -> Written:
    def attempt() -> int:
        registration, voter = app.registration(cmd.event_id), app.account(cmd.performer)
        voted = polls.cast(
            app.vote(cmd.event_id, cmd.performer),
            registration,
            voter,
            cmd.decision_id,
            cmd.additional_information,
            app.clock.now(),
            load_deciding_groups(app, registration, voter),
        )
        return app.save_all(voted)

    return Written(retrying(attempt), cmd.event_id)


def remove_vote(app: CampaignEvents, cmd: poll_commands.RemoveVote) -> Written:
    def attempt() -> int:
        registration = app.registration(cmd.event_id)
        vote = app.vote(cmd.event_id, cmd.performer)
        return app.save_all(polls.remove(vote, registration, app.account(cmd.performer), app.clock.now()))

    return Written(retrying(attempt), cmd.event_id)


def cast_votes_for(app: CampaignEvents, cmd: poll_commands.CastVotesFor) -> Written:
    """Every listed user's vote, saved together (all or none); an unknown user is ``UserNotFound``."""

    def attempt() -> int:
        registration, performer = app.registration(cmd.event_id), app.account(cmd.performer)
        held, now = app.poll_permissions(performer), app.clock.now()
        votes = []
        for user_id in dict.fromkeys(cmd.user_ids):
            app.existing_account(user_id)
            votes.append(
                polls.cast_for(
                    app.vote(cmd.event_id, user_id),
                    registration,
                    performer,
                    held,
                    user_id,
                    cmd.decision_id,
                    cmd.additional_information,
                    now,
                )
            )
        return app.save_all(*votes)

    return Written(retrying(attempt), cmd.event_id)


def remove_votes_for(app: CampaignEvents, cmd: poll_commands.RemoveVotesFor) -> Written:
    def attempt() -> int:
        registration, performer = app.registration(cmd.event_id), app.account(cmd.performer)
        held, now = app.poll_permissions(performer), app.clock.now()
        audiences.check_administration(registration, performer, held)
        removed = []
        for user_id in dict.fromkeys(cmd.user_ids):
            vote = app.vote(cmd.event_id, user_id)
            if polls.remove_for(vote, registration, performer, held, now):
                assert vote is not None
                removed.append(vote)
        return app.save_all(*removed)

    return Written(retrying(attempt), cmd.event_id)


def create_standard_decision(app: CampaignEvents, cmd: poll_commands.CreateStandardDecision) -> Made:
    def attempt() -> Made:
        now, performer = app.clock.now(), app.account(cmd.performer)
        sequence = app.sequence(STANDARD_DECISIONS)
        made = StandardDecision.create(
            sequence.allocate(now), cmd.decision, app.poll_permissions(performer), cmd.performer, now
        )
        return Made(made.number, app.save_all(sequence, made))

    return retrying(attempt)


def create_standard_location(app: CampaignEvents, cmd: poll_commands.CreateStandardLocation) -> Made:
    def attempt() -> Made:
        now, performer = app.clock.now(), app.account(cmd.performer)
        sequence = app.sequence(STANDARD_LOCATIONS)
        made = StandardLocation.create(
            sequence.allocate(now),
            cmd.name,
            cmd.location,
            cmd.x,
            cmd.y,
            app.poll_permissions(performer),
            cmd.performer,
            now,
        )
        return Made(made.number, app.save_all(sequence, made))

    return retrying(attempt)


def delete_preset(app: CampaignEvents, cmd: poll_commands.DeletePreset) -> Written:
    kinds: dict[str, type[StandardDecision] | type[StandardLocation]] = {
        STANDARD_DECISIONS: StandardDecision,
        STANDARD_LOCATIONS: StandardLocation,
    }

    def attempt() -> int:
        preset = app.preset(kinds[cmd.kind], cmd.kind, cmd.number)
        if preset is None:
            raise PresetNotFound(str(cmd.number))
        performer = app.account(cmd.performer)
        preset.delete(app.poll_permissions(performer), cmd.performer, app.clock.now())
        return app.save_all(preset)

    return Written(retrying(attempt))
