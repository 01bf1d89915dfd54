"""Organizers of an event: replace the list (organizer ids come from one sequence across events)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from domain import commands
from domain.handlers import retrying
from domain.results import Written

if TYPE_CHECKING:
    from domain.application import CampaignEvents


def set_organizers(app: CampaignEvents, cmd: commands.SetOrganizers) -> Written:
    def attempt() -> Written:
        registration = app.registration(cmd.event_id)
        now = app.clock.now()
        organizer_ids = app.sequence("organizers")
        registration.set_organizers(
            list(cmd.usernames),
            editor=app.account(cmd.performer),
            find_account=app.account_by_name,
            account_of=app.existing_account,
            new_id=lambda: organizer_ids.allocate(now),
            at=now,
        )
        touched: list[Aggregate] = [registration]
        if organizer_ids.pending_events:
            touched.insert(0, organizer_ids)
        return Written(app.save_all(*touched), registration.event_id)

    return retrying(attempt)
