"""A registration as the read side serves it: the catalog read model's row, read for one viewer.

The read policies (``domain/policies.py``) take either this or the ``EventRegistration``
aggregate: both answer ``is_organizer``, ``has_ended`` and ``questions``. A view answers
``is_organizer`` (and ``participates``) only for the viewer it was read for; asking about anyone
else is a programming error, never a silent "no".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.details import Details

STATUS_CLOSED = "closed"


@dataclass(frozen=True)
class RegistrationView:
    event_id: int
    wiki: str
    status: str
    details: Details
    questions: list[int]
    deleted: bool
    viewer_id: int | None = None
    viewer_organizes: bool = False
    viewer_participates: bool = False

    @property
    def is_deleted(self) -> bool:
        return self.deleted

    @property
    def is_closed(self) -> bool:
        return self.status == STATUS_CLOSED

    def is_organizer(self, user_id: int | None) -> bool:
        """Whether ``user_id`` (the viewer) is an active organizer of the event."""
        return user_id is not None and self._about_viewer(user_id) and self.viewer_organizes

    def participates(self, user_id: int) -> bool:
        """Whether ``user_id`` (the viewer) is an active participant of the event."""
        return self._about_viewer(user_id) and self.viewer_participates

    def has_ended(self, now: datetime) -> bool:
        return self.details.end_utc_dt < now

    def _about_viewer(self, user_id: int) -> bool:
        if user_id != self.viewer_id:
            raise ValueError(f"registration {self.event_id} read for {self.viewer_id}, not {user_id}")
        return True
