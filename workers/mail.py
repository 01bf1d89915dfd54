"""E-mail jobs: organizers' messages to participants, and registration confirmations.

Each delivery is recorded as a fact right after the SMTP server accepts it, so a job retried or
restarted after a crash sends only to the recipients not yet recorded.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from uuid import UUID, uuid5

from api import links
from api.messages import text
from api.metrics import counted
from domain.accounts import Account
from domain.indexes import ROOT
from workers import runtime


def event_url(event_id: int, event_page: str) -> str:
    """The event's link in e-mails: ``CAMPAIGNEVENTS_EVENT_URL``, a path under the base URL."""
    settings = runtime.services().settings
    return links.event_url(
        settings.event_url, settings.base_url or "http://127.0.0.1:8000", event_id, event_page
    )


def compose(to: Account, subject: str, body: str, reply_to: Account | None = None) -> EmailMessage:
    settings = runtime.services().settings
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = formataddr((to.user_name, to.email or ""))
    if reply_to is not None and reply_to.email:
        message["Reply-To"] = formataddr((reply_to.user_name, reply_to.email))
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="campaignevents")
    message.set_content(body)
    return message


@counted("send_mailing")
def send_mailing(mailing_id: str) -> int:
    """Send an organizer's message to every recipient not yet recorded; returns how many it sent.

    Each delivery is recorded right after the SMTP server accepts it, over one connection."""
    services = runtime.services()
    app = services.app
    mailing = app.resolve_recipients(UUID(mailing_id))
    sender = app.account(mailing.sender_id)
    registration = app.registration_for_reading(mailing.event_id)
    if sender is None:
        return 0
    sent = 0
    link = event_url(mailing.event_id, registration.details.page)
    with services.mailer.connection() as send:
        for user_id in mailing.pending():
            if user_id in mailing.delivered:  # recorded by another run meanwhile
                continue
            recipient = app.account(user_id)
            if recipient is None or not recipient.is_valid_recipient:
                continue
            footer = text("campaignevents-email-footer", sender.user_name, recipient.user_name, link)
            send(compose(recipient, mailing.subject, f"{mailing.message}\n\n-- \n{footer}", reply_to=sender))
            mailing = app.record_delivery(mailing, user_id)
            sent += 1
        if mailing.copy_to_sender and not mailing.copy_delivered:
            subject = text("campaignevents-email-copy-subject", registration.details.name)
            footer = text("campaignevents-email-copy-footer", link)
            send(compose(sender, subject, f"{mailing.message}\n\n-- \n{footer}"))
            app.record_delivery(mailing, 0)
    return sent


@counted("send_confirmation")
def send_confirmation(participant_aggregate: str, version: int) -> bool:
    """The registration confirmation a new (or returning) registrant gets; sent once per
    registration fact, whoever runs the job how many times."""
    services = runtime.services()
    app = services.app
    notice = uuid5(ROOT, f"notice:confirmation:{participant_aggregate}:{version}")
    if app.notice_sent(notice):
        return False
    participant = app.participant_by_aggregate(UUID(participant_aggregate))
    if participant is None:
        return False
    user = app.account(participant.user_id)
    registration = app.registration_for_reading(participant.event_id)
    if user is None or not user.is_valid_recipient:
        return False
    name = registration.details.name
    body = text(
        "campaignevents-email-confirmation-body",
        user.user_name,
        name,
        event_url(participant.event_id, registration.details.page),
    )
    with services.mailer.connection() as send:
        send(compose(user, text("campaignevents-email-confirmation-subject", name), body))
    app.record_notice(notice, "registration-confirmation", participant.user_id, participant.event_id)
    return True
