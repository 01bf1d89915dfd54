"""E-mail to participants: the request is recorded (the dispatcher turns it into a job); the job
fixes the recipients once and records each delivery and each notice it sends."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError

from domain import commands, errors
from domain.handlers import retrying
from domain.mailings import Mailing
from domain.notices import Notice
from domain.results import Emailed

if TYPE_CHECKING:
    from domain.application import CampaignEvents


def email_participants(app: CampaignEvents, cmd: commands.EmailParticipants) -> Emailed:
    """The count comes from one query on the read side, so the request costs the same for 10 or
    10,000 recipients."""
    registration = app.registration(cmd.event_id)
    sender = registration.check_may_email(app.account(cmd.performer))
    directory = app.participant_directory()
    user_ids = list(cmd.user_ids) if cmd.user_ids else None
    invert = bool(cmd.invert and user_ids)
    if not directory.count_recipients(cmd.event_id, user_ids, invert, valid_only=False):
        return Emailed(0, False)
    valid = directory.count_recipients(cmd.event_id, user_ids, invert, valid_only=True)
    sender_selected = sender.user_id in directory.recipients(
        cmd.event_id, [sender.user_id], False, valid_only=True
    ) and (user_ids is None or (sender.user_id in user_ids) != invert)
    others = valid - int(sender_selected)
    copy = cmd.ccme and others > 0
    sent = others if copy else valid
    mailing_id = uuid4()

    def attempt() -> int:
        account = app.existing_account(sender.user_id)
        now = app.clock.now()
        mailing = Mailing.request(
            mailing_id,
            event_id=cmd.event_id,
            sender=account,
            subject=cmd.subject,
            message=cmd.message,
            user_ids=user_ids,
            invert=invert,
            copy_to_sender=copy,
            expected=sent,
            at=now,
        )
        account.use_email_quota(now)
        return app.save_all(account, mailing)

    return Emailed(sent, True, retrying(attempt), mailing_id)


def resolve_recipients(app: CampaignEvents, mailing_id: UUID) -> Mailing:
    """Fix the mailing's recipient list once (idempotent); returns the mailing."""

    def attempt() -> Mailing:
        mailing = app.find(Mailing, mailing_id)
        if mailing is None:
            raise errors.EventNotFound()
        if mailing.recipients is None:
            found = app.participant_directory().recipients(
                mailing.event_id, mailing.user_ids, mailing.invert, valid_only=True
            )
            if mailing.copy_to_sender:
                found = [u for u in found if u != mailing.sender_id]
            mailing.resolve(found, app.clock.now())
            app.save_all(mailing)
        return mailing

    return retrying(attempt)


def record_delivery(app: CampaignEvents, mailing: Mailing, recipient: int) -> Mailing:
    """Record one delivery on the mailing the job holds (one appended event, no reload: the
    cost stays flat over 10,000 recipients); reload only when another run wrote meanwhile.
    Returns the mailing to go on with."""
    if mailing.record_delivery(recipient, app.clock.now()):
        try:
            app.save_all(mailing)
        except IntegrityError:
            fresh = app.find(Mailing, mailing.id)
            assert fresh is not None
            if fresh.record_delivery(recipient, app.clock.now()):
                app.save_all(fresh)
            return fresh
    return mailing


def record_notice(app: CampaignEvents, notice_id: UUID, kind: str, user_id: int, event_id: int) -> None:
    with suppress(IntegrityError):  # recorded already by another run of the same job
        app.save_all(Notice.sent(notice_id, kind, user_id, event_id, app.clock.now()))
