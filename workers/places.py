"""Places jobs: record what the places fold decided (from its outbox), and tell the person about a
promotion from the waitlist, an approval or a decline — once, whoever runs the job how many times."""

from __future__ import annotations

import re
from uuid import UUID, uuid5

from domain import commands, places
from domain.indexes import ROOT
from domain.participants import Participant
from domain.registration import EventRegistration
from domain.snapshots import from_events
from workers.context import JobContext
from workers.mail import compose
from workers.metrics import counted
from workers.texts import mail_text

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
    "campaignevents-email-approved-waitlisted-subject": "Your registration for $1 was approved",
    "campaignevents-email-approved-waitlisted-body": (
        "Hello $1,\n\nthe organizers approved your registration for the event $2 ($3). The event is "
        "full: you are on its waitlist, at position $4. You will get an e-mail when a place is yours."
    ),
    "campaignevents-email-waitlisted-subject": "You are on the waitlist for $1",
    "campaignevents-email-waitlisted-body": (
        "Hello $1,\n\nthe event $2 ($3) is full: you are on its waitlist, at position $4. You will "
        "get an e-mail when a place is yours.\n\nTo leave the waitlist, cancel your registration."
    ),
    "campaignevents-email-pending-subject": "Your registration for $1 awaits approval",
    "campaignevents-email-pending-body": (
        "Hello $1,\n\nyour registration for the event $2 ($3) awaits the organizers' approval. You "
        "will get an e-mail when they have decided."
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
    """One e-mail per fact, recorded as a notice. ``kind``: a decision (confirmed, waitlisted,
    pending, promoted) or declined. A decision that is no longer true when the job runs (the
    person cancelled, was promoted or approved meanwhile) is not told: the newer fact tells."""
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
    position: int | None = None
    key = kind
    if kind in places.OUTCOMES:
        past: Participant = app.repository.get(
            UUID(participant_aggregate), version=version, projector_func=from_events
        )
        if not participant.active or participant.request_version != past.request_version:
            return False  # moved on (cancelled, removed, registered again)
        if kind in (places.WAITLISTED, places.PENDING) and participant.place_status != kind:
            return False  # promoted or approved since: that decision tells
        approved = places.PENDING in past.decided[:-1]
        if kind == places.WAITLISTED:
            if context.places is None:
                return False
            status, position = context.places.status(participant.event_id, participant.user_id)
            if status != places.WAITLISTED:
                return False  # promoted by the fold already: its recorded decision tells
            key = "approved-waitlisted" if approved else kind
        elif kind == places.CONFIRMED:
            key = "approved" if approved else "confirmation"
    registration = app.registration_for_reading(participant.event_id)
    name = registration.details.name
    link = context.mail.event_link(participant.event_id, registration.details.page)
    if key == "confirmation":  # the registration confirmation, as on an event without places
        subject = mail_text("campaignevents-email-confirmation-subject", name)
        body = mail_text("campaignevents-email-confirmation-body", user.user_name, name, link)
    else:
        subject = place_text(f"campaignevents-email-{key}-subject", name)
        body = place_text(f"campaignevents-email-{key}-body", user.user_name, name, link, position)
    with context.mailer.connection() as send:
        send(compose(context.mail, user, subject, body))
    app.record_notice(notice, f"place-{key}", participant.user_id, participant.event_id)
    return True


class NotFoldedYet(Exception):
    """The places fold has not reached the request yet (the job is retried)."""


def decided_by_places(
    context: JobContext, registration: EventRegistration, participant_aggregate: str, version: int
) -> bool:
    """Whether this request was decided on an event whose organizers set places: then its
    decision's notice tells the person, and the registration confirmation is not sent. The fold is
    brought up to the log's head first when it has not reached the request. ``registration``, read
    after the request was recorded, has every fact before it: without places set the fold decided
    nothing to tell, and is not read."""
    if context.places is None or not places.ever_set(registration):
        return False
    found = context.places.managed(participant_aggregate, version)
    if found is None:
        context.projector.catch_up()
        found = context.places.managed(participant_aggregate, version)
    if found is None:
        raise NotFoldedYet(f"request {participant_aggregate} v{version}")
    return found
