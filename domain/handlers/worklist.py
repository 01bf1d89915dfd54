"""The worklist of an event: organizers add and remove articles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain import commands
from domain.handlers import retrying
from domain.results import Written
from domain.worklist import Worklist, worklist_id

if TYPE_CHECKING:
    from domain.application import CampaignEvents


def change_worklist(app: CampaignEvents, cmd: commands.ChangeWorklist) -> Written:
    def attempt() -> Written:
        registration = app.registration(cmd.event_id)
        now = app.clock.now()
        worklist = app.find(Worklist, worklist_id(cmd.event_id)) or Worklist.start(cmd.event_id, now)
        changed = worklist.change(
            cmd.add,
            cmd.remove,
            registration=registration,
            editor=app.account(cmd.performer),
            known_wikis={*app.policy.known_wikis, app.wiki_id},
            at=now,
        )
        return Written(app.save_all(worklist) if changed else 0, cmd.event_id)

    return retrying(attempt)
