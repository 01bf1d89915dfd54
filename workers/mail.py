"""E-mail jobs: organizers' messages to participants, and registration confirmations.

Each delivery is recorded as a fact right after the SMTP server accepts it, so a job retried or
restarted after a crash sends only to the recipients not yet recorded.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from uuid import UUID, uuid5

from api.messages import text
from api.metrics import counted
from domain.accounts import Account
from domain.indexes import ROOT
from workers import runtime


def event_url(event_id: int) -> str:
    base = runtime.services().settings.base_url or "http://127.0.0.1:8000"
    return f"{base}/campaignevents/v0/event_registration/{event_id}"


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
    """Send an organizer's message to every recipient not yet recorded; returns how many it sent."""
    services = runtime.services()
    app = services.app
    mailing = app.resolve_recipients(UUID(mailing_id))
    sender = app.account(mailing.sender_id)
    registration = app.registration_for_reading(mailing.event_id)
    if sender is None:
        return 0
    sent = 0
    for user_id in mailing.pending():
        recipient = app.account(user_id)
        if recipient is None or not recipient.is_valid_recipient:
            continue
        footer = text(
            "campaignevents-email-footer", sender.user_name, recipient.user_name, event_url(mailing.event_id)
        )
        body = f"{mailing.message}\n\n-- \n{footer}"
        services.mailer.send(compose(recipient, mailing.subject, body, reply_to=sender))
        app.record_delivery(mailing.id, user_id)
        sent += 1
    current = app.mailing(mailing.id)
    if mailing.copy_to_sender and current is not None and not current.copy_delivered:
        subject = text("campaignevents-email-copy-subject", registration.details.name)
        footer = text("campaignevents-email-copy-footer", event_url(mailing.event_id))
        body = f"{mailing.message}\n\n-- \n{footer}"
        services.mailer.send(compose(sender, subject, body))
        app.record_delivery(mailing.id, 0)
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
        "campaignevents-email-confirmation-body", user.user_name, name, event_url(participant.event_id)
    )
    services.mailer.send(compose(user, text("campaignevents-email-confirmation-subject", name), body))
    app.record_notice(notice, "registration-confirmation", participant.user_id, participant.event_id)
    return True
