"""Commands: what a caller asks the application to do. Frozen dataclasses, imperative names."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.accounts import Account
from domain.content import ContentInput
from domain.details import DetailsInput


@dataclass(frozen=True)
class CreateUser:
    name: str
    email: str | None = None
    groups: tuple[str, ...] = ()
    password: str | None = None


@dataclass(frozen=True)
class BlockUser:
    name: str


@dataclass(frozen=True)
class UnblockUser:
    name: str


@dataclass(frozen=True)
class ReissueToken:
    name: str


@dataclass(frozen=True)
class SetPassword:
    name: str
    password: str


@dataclass(frozen=True)
class ChangeGroups:
    name: str
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnableRegistration:
    performer: int | None
    details: DetailsInput
    caller: Account | None = field(default=None, compare=False, repr=False)  # performer's, if loaded


@dataclass(frozen=True)
class EditRegistration:
    performer: int | None
    event_id: int
    details: DetailsInput
    status: str = field(default="open")


@dataclass(frozen=True)
class DeleteRegistration:
    performer: int | None
    event_id: int


@dataclass(frozen=True)
class SetOrganizers:
    performer: int | None
    event_id: int
    usernames: tuple[str, ...]


@dataclass(frozen=True)
class RegisterParticipant:
    performer: int | None
    event_id: int
    private: bool
    answers: object = None
    full: bool = False  # the places read model saw the event full with its waitlist off
    caller: Account | None = field(default=None, compare=False, repr=False)  # performer's, if loaded


@dataclass(frozen=True)
class CancelRegistration:
    performer: int | None
    event_id: int


@dataclass(frozen=True)
class RemoveParticipants:
    """``user_ids`` None means everyone; with ``invert`` everyone except ``user_ids``."""

    performer: int | None
    event_id: int
    user_ids: tuple[int, ...] | None
    invert: bool = False


@dataclass(frozen=True)
class EmailParticipants:
    performer: int | None
    event_id: int
    subject: str
    message: str
    user_ids: tuple[int, ...] | None = None
    invert: bool = False
    ccme: bool = False


@dataclass(frozen=True)
class ChangeWorklist:
    """``add``/``remove``: wiki id -> page titles (adds are applied before removes)."""

    performer: int | None
    event_id: int
    add: dict[str, list[str]]
    remove: dict[str, list[str]]


@dataclass(frozen=True)
class SetPlaces:
    performer: int | None
    event_id: int
    participant_limit: int | None
    waitlist: bool
    requires_approval: bool


@dataclass(frozen=True)
class DecideApproval:
    performer: int | None
    event_id: int
    user_id: int
    approve: bool


@dataclass(frozen=True)
class CheckIn:
    """``checked_in`` False: undo the check-in."""

    performer: int | None
    event_id: int
    user_id: int
    checked_in: bool


@dataclass(frozen=True)
class RecordPlaceDecision:
    """What the places fold decided about a request (a job records it)."""

    event_id: int
    user_id: int
    outcome: str
    request_version: int


# --- calendars, rich content, moderation (domain/calendars.py, content.py, moderation.py) ------
@dataclass(frozen=True)
class SetContent:
    """``content``: a ``domain.content.ContentInput`` (its None parts are left as they are)."""

    performer: int | None
    event_id: int
    content: ContentInput


@dataclass(frozen=True)
class Moderate:
    """The flags to set (None: unchanged)."""

    performer: int | None
    event_id: int
    locked: bool | None = None
    hidden: int | None = None
    featured: bool | None = None


@dataclass(frozen=True)
class MoveToCalendar:
    performer: int | None
    event_id: int
    calendar_id: int


@dataclass(frozen=True)
class CreateCalendar:
    """``performer`` None: the command line (acts as the service, like ``users create``)."""

    performer: int | None
    title: str
    colour: str
    approve_events: bool = False


@dataclass(frozen=True)
class ChangeCalendar:
    """The parts to change (None: unchanged)."""

    performer: int | None
    calendar_id: int
    title: str | None = None
    colour: str | None = None
    approve_events: bool | None = None


@dataclass(frozen=True)
class DeleteCalendar:
    performer: int | None
    calendar_id: int

