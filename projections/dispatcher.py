"""The dispatcher: turns facts that need outside work into jobs, never from a request itself.

Job ids derive from the fact, so a batch retried after a failure (Redis down, a crash before the
position was saved) enqueues the same jobs again and the jobs, being idempotent, run in effect once.
Another deployment's facts give the same ids: RQ stores them under the deployment's namespace
(``workers.queues.namespaced_job_id``), so deployments sharing one Redis never share a job record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from eventsourcing.utils import get_topic
from sqlalchemy.engine import Connection

from domain import places
from domain.mailings import Mailing
from domain.participants import Participant
from projections.schema import Tables

NAME = "dispatcher"
SEND_MAILING = "workers.mail.send_mailing"
SEND_CONFIRMATION = "workers.mail.send_confirmation"
SEND_PLACE_NOTICE = "workers.places.send_place_notice"
# On an event whose organizers set places, each recorded decision tells the person once (confirmed,
# waitlisted with the position, pending approval, promoted; after an approval: approved) and so
# does a decline; the registration confirmation is then left out (workers/mail.py). An approval
# itself is told by the decision that follows it (confirmed or waitlisted): one e-mail, true.
PLACE_NOTICES = (places.PlaceDecided, places.RegistrationApproved, places.RegistrationDeclined)
PLACE_NOTICE_TOPICS = tuple(get_topic(kind) for kind in PLACE_NOTICES)


def place_notice(event: Any) -> tuple[str, int, str] | None:
    """(participant aggregate, fact version, kind) of a fact that tells the person, or None."""
    if isinstance(event, places.PlaceDecided):
        if event.outcome == places.REFUSED:  # the request answered 400: nothing to tell
            return None
        kind = str(event.outcome)
    elif isinstance(event, places.RegistrationDeclined):
        kind = "declined"
    else:
        return None
    return str(event.originator_id), event.originator_version, kind


class JobQueue(Protocol):
    """Where the dispatcher puts jobs (implemented in ``workers/queues.py``): the job function's
    dotted path, its arguments (ids), and an id derived from the fact."""

    def enqueue(self, func: str, *args: Any, job_id: str) -> None: ...

    def close(self) -> None:
        """Stop taking jobs; wait for the ones running (before the stores they use close)."""
        ...


class Dispatcher:
    name = NAME
    read_model = None  # no tables: it only enqueues jobs (replay leaves its position alone)
    topics: tuple[str, ...] = (
        get_topic(Mailing.ParticipantsEmailed),
        get_topic(Participant.ParticipantRegistered),
        get_topic(Participant.ParticipantReregistered),
        *PLACE_NOTICE_TOPICS,
    )

    def __init__(self, queue: JobQueue) -> None:
        self.queue = queue

    def apply(self, conn: Connection, tables: Tables, events: Sequence[Any]) -> None:
        for event in events:
            if isinstance(event, PLACE_NOTICES):
                notice = place_notice(event)
                if notice is not None:
                    self.queue.enqueue(
                        SEND_PLACE_NOTICE, *notice, job_id=f"place-notice-{notice[0]}-{notice[1]}"
                    )
                continue
            if isinstance(event, Mailing.ParticipantsEmailed):
                self.queue.enqueue(
                    SEND_MAILING, str(event.originator_id), job_id=f"mailing-{event.originator_id}"
                )
            else:
                version = event.originator_version
                # a first registration names its user: the job asks first whether they can be
                # told, without loading the participant (the job id is the fact's, as before)
                named = (event.user_id,) if isinstance(event, Participant.ParticipantRegistered) else ()
                self.queue.enqueue(
                    SEND_CONFIRMATION,
                    str(event.originator_id),
                    version,
                    *named,
                    job_id=f"confirm-{event.originator_id}-{version}",
                )
