"""Places jobs: record what the places fold decided (from its outbox), and tell the person about a
promotion from the waitlist, an approval or a decline — once, whoever runs the job how many times."""

from __future__ import annotations

import re
from uuid import UUID, uuid5

from domain import commands
from domain.indexes import ROOT
from workers.context import JobContext
from workers.mail import compose
from workers.metrics import counted

PLACE_TEXTS: dict[str, str] = {
    "campaignevents-email-promoted-subject": "A place is yours: $1",
    "campaignevents-email-promoted-body": (
        "Hello $1,\n\na place became free and you are now registered for the event $2 ($3); you were "
        "on its waitlist.\n\nTo cancel your registration, use the event's page or the API."
    ),
    "campaignevents-email-approved-subject": "Your registration for $1 was approved",
    "campaignevents-email-approved-body": (
        "Hello $1,\n\nthe organizers approved your registration for the event $2 ($3)."
    ),
    "campaignevents-email-declined-subject": "Your registration for $1 was declined",
    "campaignevents-email-declined-body": (
        "Hello $1,\n\nthe organizers declined your registration for the event $2 ($3)."
    ),
}
_PARAM = re.compile(r"\$(\d+)")


def place_text(key: str, *params: object) -> str:
    return _PARAM.sub(lambda m: str(params[int(m.group(1)) - 1]), PLACE_TEXTS[key])


@counted("record_place_decision")
def record_decision(context: JobContext, event_id: int, user_id: int, outcome: str, version: int) -> bool:
    """Record the fold's decision on the Participant (skipped when already recorded, or when the
    participant moved on since)."""
    return context.app.record_place_decision(
        commands.RecordPlaceDecision(event_id, user_id, outcome, version)
    )


@counted("send_place_notice")
def send_place_notice(context: JobContext, participant_aggregate: str, version: int, kind: str) -> bool:
    """One e-mail per fact (``kind``: promoted, approved, declined), recorded as a notice."""
    app = context.app
    notice = uuid5(ROOT, f"notice:place:{participant_aggregate}:{version}")
    if app.notice_sent(notice):
        return False
    participant = app.participant_by_aggregate(UUID(participant_aggregate))
    if participant is None:
        return False
    user = app.account(participant.user_id)
    if user is None or not user.is_valid_recipient:
        return False
    registration = app.registration_for_reading(participant.event_id)
    name = registration.details.name
    link = context.mail.event_link(participant.event_id, registration.details.page)
    subject = place_text(f"campaignevents-email-{kind}-subject", name)
    body = place_text(f"campaignevents-email-{kind}-body", user.user_name, name, link)
    with context.mailer.connection() as send:
        send(compose(context.mail, user, subject, body))
    app.record_notice(notice, f"place-{kind}", participant.user_id, participant.event_id)
    return True
