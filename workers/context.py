"""What a job runs against: the ``JobContext`` the composition root (``api/bootstrap.py``) builds
once per process and hands to whatever runs jobs there — the RQ worker (``workers/rq_worker.py``)
or the in-process queue (``workers/queues.py``). Job functions take it as their first argument,
then the ids they were enqueued with; no job looks its services up anywhere else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from domain.application import CampaignEvents
from workers.mailers import Mailer


class CatchUp(Protocol):
    def catch_up(self) -> object:
        """Bring the read models up to the log's head."""
        ...


class PlaceRequests(Protocol):
    """The places read model, as the registration e-mails ask it (``projections.places.PlacesViews``)."""

    def managed(self, aggregate_id: str, request_version: int) -> bool | None: ...

    def status(self, event_id: int, user_id: int) -> tuple[str, int | None]: ...


@dataclass(frozen=True)
class MailSettings:
    mail_from: str  # CAMPAIGNEVENTS_MAIL_FROM
    event_link: Callable[[int, str], str]  # (event id, event page) -> the event's absolute link


@dataclass(frozen=True)
class JobContext:
    app: CampaignEvents
    projector: CatchUp
    mailer: Mailer
    mail: MailSettings
    places: PlaceRequests | None = None  # None: no places read model (every request confirmed)
