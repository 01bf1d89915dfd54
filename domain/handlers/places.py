"""Places: the organizer's settings, approval, check-in, and recording what the places fold decided."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain import commands, places
from domain.handlers import retrying
from domain.participants import Participant
from domain.results import Written

if TYPE_CHECKING:
    from domain.application import CampaignEvents


def set_places(app: CampaignEvents, cmd: commands.SetPlaces) -> Written:
    def attempt() -> int:
        registration = app.registration(cmd.event_id)
        settings = places.PlacesSettings(cmd.participant_limit, cmd.waitlist, cmd.requires_approval)
        if not places.set_places(registration, app.account(cmd.performer), settings, app.clock.now()):
            return 0
        return app.save_all(registration)

    return Written(retrying(attempt), cmd.event_id)


def decide_approval(app: CampaignEvents, cmd: commands.DecideApproval) -> Written:
    def attempt() -> int:
        registration = app.registration(cmd.event_id)
        organizer = app.account(cmd.performer)
        participant = _target(app, cmd.event_id, cmd.user_id)
        places.approve(participant, registration, organizer, cmd.approve, app.clock.now())
        assert participant is not None
        return app.save_all(participant)

    return Written(retrying(attempt), cmd.event_id)


def check_in(app: CampaignEvents, cmd: commands.CheckIn) -> Written:
    def attempt() -> int:
        registration = app.registration(cmd.event_id)
        organizer = app.account(cmd.performer)
        participant = _target(app, cmd.event_id, cmd.user_id)
        now = app.clock.now()
        if not places.check_in(participant, registration, organizer, cmd.checked_in, now):
            return 0
        assert participant is not None
        return app.save_all(participant)

    return Written(retrying(attempt), cmd.event_id)


def record_place_decision(app: CampaignEvents, cmd: commands.RecordPlaceDecision) -> bool:
    """Idempotent: False when the request already has this decision or the participant moved on."""

    def attempt() -> bool:
        participant = app.participant(cmd.event_id, cmd.user_id)
        if participant is None:
            return False
        if not participant.decide_place(cmd.outcome, cmd.request_version, app.clock.now()):
            return False
        app.save_all(participant)
        return True

    return retrying(attempt)


def _target(app: CampaignEvents, event_id: int, user_id: int) -> Participant | None:
    """The participant an organizer acts on (an unknown user is a 404, as elsewhere)."""
    app.existing_account(user_id)
    return app.participant(event_id, user_id)
