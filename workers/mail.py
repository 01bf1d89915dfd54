"""E-mail jobs: organizers' messages to participants, and registration confirmations.

Each delivery is recorded as a fact right after the SMTP server accepts it, so a job retried or
restarted after a crash sends only to the recipients not yet recorded. A message that can never
be delivered (``Undeliverable``: an address the server refuses for good) is logged and skipped,
not retried.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import suppress
from email.headerregistry import Address
from email.message import EmailMessage
from typing import TypeVar
from uuid import UUID, uuid5

from domain.accounts import Account
from domain.indexes import ROOT
from domain.mailings import Mailing
from workers.context import JobContext, MailSettings
from workers.drafts import Draft
from workers.mailers import Undeliverable, draft_sender
from workers.metrics import counted
from workers.texts import mail_text

log = logging.getLogger("campaignevents.mail")
LOOKAHEAD = 16  # recipients' accounts loaded ahead of the message being sent
T = TypeVar("T")


def address(account: Account) -> Address:
    """The account's name and address as a header value: any Unicode in the name (encoded by the
    e-mail policy), an IDNA-encoded domain, a local part as given (non-ASCII needs SMTPUTF8)."""
    local, _, domain = (account.email or "").rpartition("@")
    with suppress(UnicodeError):  # not a valid IDN: as given (SMTPUTF8 carries it)
        domain = domain.encode("idna").decode("ascii")
    return Address(account.user_name, local, domain)


def draft(mail: MailSettings, to: Account, subject: str, body: str, reply_to: Account | None = None) -> Draft:
    replies = address(reply_to) if reply_to is not None and reply_to.email else None
    return Draft(mail.mail_from, address(to), subject, body, replies)


def compose(
    mail: MailSettings, to: Account, subject: str, body: str, reply_to: Account | None = None
) -> EmailMessage:
    return draft(mail, to, subject, body, reply_to).message()


@counted("send_mailing")
def send_mailing(context: JobContext, mailing_id: str) -> int:
    """Send an organizer's message to every recipient not yet recorded; returns how many it sent.

    Over one connection. Each delivery is recorded right after the SMTP server accepted it, in a
    thread of its own while the next message is prepared and sent; the server is asked to accept
    that next message only once the record is committed (``workers.mailers.transmit``). So a
    crash anywhere leaves at most the one accepted message unrecorded, as when the record came
    first."""
    app, mail = context.app, context.mail
    mailing = app.resolve_recipients(UUID(mailing_id))
    sender = app.account(mailing.sender_id)
    registration = app.registration_for_reading(mailing.event_id)
    if sender is None:
        return 0
    link = mail.event_link(mailing.event_id, registration.details.page)
    recording: Future[Mailing] | None = None

    def recorded() -> None:
        """Wait for the previous delivery's record (its error, if any, is raised here)."""
        nonlocal mailing, recording
        if recording is not None:
            mailing, recording = recording.result(), None

    sent = 0
    with (
        ThreadPoolExecutor(1, "record-delivery") as records,
        ThreadPoolExecutor(1, "load-recipients") as loads,
        draft_sender(context.mailer) as send,
    ):
        pending = mailing.pending()
        for user_id, loading in zip(pending, _ahead(loads, app.account, pending), strict=True):
            if user_id in mailing.delivered:  # recorded by another run meanwhile
                continue
            recipient = loading.result()
            if recipient is None or not recipient.is_valid_recipient:
                continue
            footer = mail_text("campaignevents-email-footer", sender.user_name, recipient.user_name, link)
            body = f"{mailing.message}\n\n-- \n{footer}"
            try:
                send(draft(mail, recipient, mailing.subject, body, reply_to=sender), recorded)
            except (Undeliverable, ValueError) as error:
                log.error("mailing %s: not delivered to user %d, for good: %s", mailing_id, user_id, error)
                continue
            recording = records.submit(app.record_delivery, mailing, user_id)
            sent += 1
        recorded()
        if mailing.copy_to_sender and not mailing.copy_delivered:
            subject = mail_text("campaignevents-email-copy-subject", registration.details.name)
            footer = mail_text("campaignevents-email-copy-footer", link)
            try:
                send(draft(mail, sender, subject, f"{mailing.message}\n\n-- \n{footer}"), recorded)
            except (Undeliverable, ValueError) as error:
                log.error("mailing %s: the sender's copy not delivered, for good: %s", mailing_id, error)
                return sent
            app.record_delivery(mailing, 0)
    return sent


def _ahead(executor: Executor, load: Callable[[int], T], keys: list[int]) -> Iterator[Future[T]]:
    """``load(key)`` for each key in turn, run by ``executor`` up to ``LOOKAHEAD`` keys ahead of
    the one the caller is at (the recipients' accounts load while messages go out)."""
    window: deque[Future[T]] = deque()
    for key in keys:
        window.append(executor.submit(load, key))
        if len(window) > LOOKAHEAD:
            yield window.popleft()
    yield from window


@counted("send_confirmation")
def send_confirmation(
    context: JobContext, participant_aggregate: str, version: int, user_id: int | None = None
) -> bool:
    """The registration confirmation a new (or returning) registrant gets; sent once per
    registration fact, whoever runs the job how many times. Not for a request on an event whose
    organizers set places: what the places fold decided is told instead (workers/places.py).
    ``user_id``: the registrant, when the fact named them (jobs enqueued before it was passed, and
    those of a re-registration, find them through the participant)."""
    app, mail = context.app, context.mail
    user = None if user_id is None else app.account(user_id)
    if user_id is not None and (user is None or not user.is_valid_recipient):
        return False  # nobody to tell, whatever else holds: asked first, without the participant
    participant = app.participant_by_aggregate(UUID(participant_aggregate))
    if participant is None:
        return False
    if user is None or user.user_id != participant.user_id:
        user = app.account(participant.user_id)
    if user is None or not user.is_valid_recipient:
        return False  # nobody to tell, whatever else holds (so asked first: the cheapest answer)
    notice = uuid5(ROOT, f"notice:confirmation:{participant_aggregate}:{version}")
    if app.notice_sent(notice):
        return False
    from workers.places import decided_by_places  # (workers.places uses this module's compose)

    registration = app.registration_for_reading(participant.event_id)
    if decided_by_places(context, registration, participant_aggregate, version):
        return False  # an event with places: the decision's notice tells the truth, once
    name = registration.details.name
    body = mail_text(
        "campaignevents-email-confirmation-body",
        user.user_name,
        name,
        mail.event_link(participant.event_id, registration.details.page),
    )
    subject = mail_text("campaignevents-email-confirmation-subject", name)
    try:
        with context.mailer.connection() as send:
            send(compose(mail, user, subject, body))
    except (Undeliverable, ValueError) as error:
        log.error("confirmation %s: not delivered to user %d, for good: %s", notice, user.user_id, error)
        return False
    app.record_notice(notice, "registration-confirmation", participant.user_id, participant.event_id)
    return True
