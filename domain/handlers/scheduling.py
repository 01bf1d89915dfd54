"""Schedules and the participant's feed address: load -> the rules in ``domain/scheduling.py`` ->
save."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain import errors, scheduling
from domain.handlers import retrying
from domain.results import Written

if TYPE_CHECKING:
    from domain.application import CampaignEvents


def set_schedule(app: CampaignEvents, cmd: scheduling.SetSchedule) -> Written:
    def attempt() -> Written:
        registration = app.registration(cmd.event_id)
        changed = scheduling.set_schedule(
            registration,
            app.account(cmd.performer),
            cmd.schedule,
            now=app.clock.now(),
            answers_stored=lambda: app.participant_directory().has_answers(cmd.event_id),
        )
        return Written(app.save_all(registration) if changed else 0, cmd.event_id)

    return retrying(attempt)


def issue_feed_url(app: CampaignEvents, cmd: scheduling.IssueFeedUrl) -> int:
    """The position of the fact (for read-your-writes)."""

    def attempt() -> int:
        account = app.account(cmd.performer)
        if account is None:
            raise errors.UserNotFound(str(cmd.performer))
        scheduling.issue_feed_url(account, cmd.nonce, cmd.secret_hash, app.clock.now())
        return app.save_all(account)

    return retrying(attempt)


def revoke_feed_url(app: CampaignEvents, cmd: scheduling.RevokeFeedUrl) -> int:
    """The position of the fact; 0 when there was no live address."""

    def attempt() -> int:
        account = app.account(cmd.performer)
        if account is None:
            raise errors.UserNotFound(str(cmd.performer))
        if not scheduling.revoke_feed_url(account, app.clock.now()):
            return 0
        return app.save_all(account)

    return retrying(attempt)
