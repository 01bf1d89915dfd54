"""The EventRegistration aggregate: one per event registration (the thing with an integer id)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import errors, policies
from domain.accounts import Account
from domain.answers import NO_STAMPS, Stamps
from domain.details import Details, DetailsInput, Policy, validate_details
from domain.indexes import ROOT
from domain.payloads import AnswerCount, OrganizerEntry
from domain.snapshots import RegistrationSnapshot

STATUS_OPEN = "open"
STATUS_CLOSED = "closed"
ROLE_CREATOR = "creator"
ROLE_ORGANIZER = "organizer"
MAX_ORGANIZERS = 10


def registration_id(event_id: int) -> UUID:
    return uuid5(ROOT, f"registration:{event_id}")


@dataclass
class Organizer:
    organizer_id: int
    user_id: int
    role: str
    active: bool = True


class EventRegistration(Aggregate):
    event_id: int
    wiki: str
    details: Details
    status: str
    questions: list[int]
    organizers: dict[int, Organizer]
    deleted_at: datetime | None
    answer_counts: dict[str, int]
    aggregated: Stamps  # whose answers were counted in batches (domain/aggregation.py)

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    Snapshot = RegistrationSnapshot  # JSON-safe state: see domain/snapshots.py

    class RegistrationEnabled(Aggregate.Created):
        event_id: int
        wiki: str
        details: dict[str, Any]
        questions: list[int]
        performed_by: int
        creator_organizer_id: int

        def apply(self, aggregate: EventRegistration) -> None:  # type: ignore[override]
            aggregate.event_id = self.event_id
            aggregate.wiki = self.wiki
            aggregate.details = Details.from_dict(self.details)
            aggregate.status = STATUS_OPEN
            aggregate.questions = list(self.questions)
            aggregate.organizers = {}
            creator = Organizer(self.creator_organizer_id, self.performed_by, ROLE_CREATOR)
            aggregate.organizers[self.performed_by] = creator
            aggregate.deleted_at = None
            aggregate.answer_counts = {}
            aggregate.aggregated = NO_STAMPS

    class RegistrationEdited(Aggregate.Event):
        """Legacy, no longer recorded (kept so old logs replay): the whole new details and status."""

        details: dict[str, Any]
        status: str
        performed_by: int

        def apply(self, aggregate: EventRegistration) -> None:  # type: ignore[override]
            aggregate.details = Details.from_dict(self.details)
            aggregate.status = self.status

    class RegistrationClosed(Aggregate.Event):
        performed_by: int

        def apply(self, aggregate: EventRegistration) -> None:  # type: ignore[override]
            aggregate.status = STATUS_CLOSED

    class RegistrationReopened(Aggregate.Event):
        performed_by: int

        def apply(self, aggregate: EventRegistration) -> None:  # type: ignore[override]
            aggregate.status = STATUS_OPEN

    class DetailsChanged(Aggregate.Event):
        """Base of the facts an edit records about the details, each naming the fields it sets
        (``DETAILS_FIELDS``). ``continues``: made in the same edit as the fact just before it (the
        audit history shows one entry per edit)."""

        DETAILS_FIELDS: ClassVar[tuple[str, ...]] = ()
        performed_by: int
        continues: bool

        def values(self) -> dict[str, Any]:
            return {name: getattr(self, name) for name in self.DETAILS_FIELDS}

        def apply(self, aggregate: EventRegistration) -> None:  # type: ignore[override]
            aggregate.details = replace(aggregate.details, **self.values())

    class PageMoved(DetailsChanged):
        DETAILS_FIELDS = ("page", "namespace", "name")
        page: str
        namespace: str
        name: str

    class Rescheduled(DetailsChanged):
        DETAILS_FIELDS = ("timezone", "start_local", "end_local", "start_utc", "end_utc")
        timezone: str
        start_local: str
        end_local: str
        start_utc: str
        end_utc: str

    class WikisChanged(DetailsChanged):
        DETAILS_FIELDS = ("wikis",)
        wikis: list[str]

    class MeetingChanged(DetailsChanged):
        DETAILS_FIELDS = ("online", "inperson", "meeting_url", "meeting_country", "meeting_address")
        online: bool
        inperson: bool
        meeting_url: str | None
        meeting_country: str | None
        meeting_address: str | None

    class ChatUrlChanged(DetailsChanged):
        DETAILS_FIELDS = ("chat_url",)
        chat_url: str | None

    class TrackingToolChanged(DetailsChanged):
        DETAILS_FIELDS = ("tracking_tool_id", "tracking_tool_event_id")
        tracking_tool_id: str | None
        tracking_tool_event_id: str | None

    class DetailsResubmitted(DetailsChanged):
        """An edit that changed nothing (it still shows in the audit history)."""

    class OrganizersSet(Aggregate.Event):
        """The full new organizer list; anyone not in it is removed (and keeps their organizer_id
        should they come back). Version 1 stored ``[[user_id, organizer_id, role], ...]``."""

        class_version = 2
        organizers: list[OrganizerEntry]
        performed_by: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["organizers"] = [
                {"user_id": u, "organizer_id": o, "role": r} for u, o, r in state["organizers"]
            ]

        def apply(self, aggregate: EventRegistration) -> None:  # type: ignore[override]
            for organizer in aggregate.organizers.values():
                organizer.active = False
            for entry in self.organizers:
                user_id = entry["user_id"]
                aggregate.organizers[user_id] = Organizer(entry["organizer_id"], user_id, entry["role"])

    class AnswersCounted(Aggregate.Event):
        """Aggregated answers added to the event's totals. Non-personal: counts only, never who
        gave them. Version 1 stored ``[[question_id, option, n], ...]``."""

        class_version = 2
        counts: list[AnswerCount]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["counts"] = [{"question_id": q, "option": o, "count": n} for q, o, n in state["counts"]]

        def apply(self, aggregate: EventRegistration) -> None:  # type: ignore[override]
            for c in self.counts:
                key = f"{c['question_id']}:{c['option']}"
                aggregate.answer_counts[key] = aggregate.answer_counts.get(key, 0) + c["count"]

    class RegistrationDeleted(Aggregate.Event):
        performed_by: int

        def apply(self, aggregate: EventRegistration) -> None:  # type: ignore[override]
            aggregate.deleted_at = self.timestamp

    @classmethod
    def enable(
        cls,
        *,
        event_id: int,
        wiki: str,
        given: DetailsInput,
        policy: Policy,
        now: datetime,
        creator: Account | None,
        page_holder: EventRegistration | None,
        questions: list[int],
        creator_organizer_id: int,
    ) -> EventRegistration:
        """Enable a registration for ``given``: the creator may enable registrations and organize
        events, the details are valid (a start in the past is refused), and the page is free
        (``page_holder``: the registration holding it now, if any)."""
        if creator is None or not policies.can_enable(creator):
            raise errors.EnableRegistrationDenied()
        details = validate_details(given, policy, now, creating=True)
        check_page_free(page_holder, event_id=None)
        check_may_organize([creator])
        return cls._create(
            cls.RegistrationEnabled,
            id=registration_id(event_id),
            event_id=event_id,
            wiki=wiki,
            details=details.to_dict(),
            questions=questions,
            performed_by=creator.user_id,
            creator_organizer_id=creator_organizer_id,
            timestamp=now,
        )

    def edit(
        self,
        given: DetailsInput,
        status: str,
        *,
        policy: Policy,
        now: datetime,
        editor: Account | None,
        page_holder: EventRegistration | None,
        account_of: Callable[[int], Account],
        answers_stored: Callable[[], bool],
    ) -> Details:
        """Edit the details and status, in the reference's order of checks: valid details, the
        editor is an organizer, the new page (if it changes) is free (``page_holder``), not deleted,
        every organizer may still organize, and an ended event with answers (``answer_counts`` or
        ``answers_stored()``) keeps its end in the past. Returns the new details."""
        details = validate_details(given, policy, now, creating=False, current_page=self.details.page)
        if editor is None or not policies.can_edit(editor, self):
            raise errors.EditDenied()
        if details.page != self.details.page:
            check_page_free(page_holder, self.event_id)
        if self.is_deleted:
            raise errors.EditRegistrationDeleted()
        check_may_organize([account_of(o.user_id) for o in self.active_organizers()])
        if self.has_ended(now) and details.end_utc_dt > now and (self.answer_counts or answers_stored()):
            raise errors.EventDatesCannotBeChanged()
        self._record_edit(details, status, editor.user_id, now)
        return details

    def _record_edit(self, details: Details, status: str, performed_by: int, at: datetime) -> None:
        """Record what the edit changed: closing or reopening first, then each group of details
        that differs, in a fixed order; an edit that changes nothing is recorded as resubmitted."""
        if status_changed := status != self.status:
            fact = self.RegistrationClosed if status == STATUS_CLOSED else self.RegistrationReopened
            self.trigger_event(fact, performed_by=performed_by, timestamp=at)
        continues = False
        for kind in DETAIL_FACTS:
            new = {name: getattr(details, name) for name in kind.DETAILS_FIELDS}
            if all(getattr(self.details, name) == value for name, value in new.items()):
                continue
            self.trigger_event(kind, performed_by=performed_by, continues=continues, timestamp=at, **new)
            continues = True
        if not continues and not status_changed:
            self.trigger_event(
                self.DetailsResubmitted, performed_by=performed_by, continues=False, timestamp=at
            )

    def set_organizers(
        self,
        usernames: list[str],
        *,
        editor: Account | None,
        find_account: Callable[[str], Account | None],
        account_of: Callable[[int], Account],
        new_id: Callable[[], int],
        at: datetime,
    ) -> None:
        """Replace the organizer list: not empty, by an organizer, not deleted, at most
        ``MAX_ORGANIZERS``, every one may organize, and the creator stays (unless the creator is
        the editor, or was removed before). Newcomers get an organizer_id from ``new_id`` (one
        sequence across events); returning ones keep theirs; the creator keeps the creator role."""
        names = list(dict.fromkeys(usernames))
        if not names:
            raise errors.SetOrganizersEmptyList()
        if editor is None or not policies.can_edit(editor, self):
            raise errors.EditDenied()
        if self.is_deleted:
            raise errors.EditRegistrationDeleted()
        if len(names) > MAX_ORGANIZERS:
            raise errors.TooManyOrganizers(MAX_ORGANIZERS)
        accounts = {name: find_account(name) for name in names}
        refused = [n for n, a in accounts.items() if a is None or not policies.may_organize(a)]
        if refused:
            raise errors.OrganizersNotAllowed(len(refused), tuple(refused))
        user_ids = [a.user_id for a in accounts.values() if a is not None]
        creator = self.creator
        keeps_creator = creator.user_id in user_ids or editor.user_id == creator.user_id
        if creator.active and not keeps_creator:
            raise errors.RemovedCreator(account_of(creator.user_id).user_name)
        entries = [
            OrganizerEntry(user_id=u, organizer_id=known.organizer_id, role=known.role)
            if (known := self.organizers.get(u)) is not None
            else OrganizerEntry(user_id=u, organizer_id=new_id(), role=ROLE_ORGANIZER)
            for u in user_ids
        ]
        self.trigger_event(self.OrganizersSet, organizers=entries, performed_by=editor.user_id, timestamp=at)

    def count_answers(self, counts: list[AnswerCount], at: datetime) -> None:
        self.trigger_event(self.AnswersCounted, counts=counts, timestamp=at)

    def delete(self, performer: Account | None, at: datetime) -> None:
        """Delete: not twice, and only by holders of the delete right or the event's organizers."""
        if self.is_deleted:
            raise errors.AlreadyDeleted()
        if performer is None or not policies.can_delete(performer, self):
            raise errors.DeleteDenied()
        self.trigger_event(self.RegistrationDeleted, performed_by=performer.user_id, timestamp=at)

    def check_may_change(
        self,
        editor: Account | None,
        denied: type[errors.DomainError] = errors.EditDenied,
        deleted: type[errors.DomainError] = errors.EditRegistrationDeleted,
    ) -> Account:
        """What organizer-only changes of the event's satellites (worklist) check: the editor is
        an organizer and the registration is not deleted. Returns the editor."""
        if editor is None or not policies.can_edit(editor, self):
            raise denied()
        if self.is_deleted:
            raise deleted()
        return editor

    def check_may_remove_participants(self, remover: Account | None) -> Account:
        return self.check_may_change(
            remover, errors.RemoveParticipantsDenied, errors.RemoveParticipantsDeleted
        )

    def check_may_email(self, sender: Account | None) -> Account:
        """E-mailing participants: an organizer holding the e-mail right."""
        if sender is None or not policies.can_email(sender, self):
            raise errors.EmailDenied()
        return sender

    @property
    def creator(self) -> Organizer:
        return next(o for o in self.organizers.values() if o.role == ROLE_CREATOR)

    @property
    def is_closed(self) -> bool:
        return self.status == STATUS_CLOSED

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def is_organizer(self, user_id: int | None) -> bool:
        organizer = self.organizers.get(user_id) if user_id is not None else None
        return organizer is not None and organizer.active

    def active_organizers(self) -> list[Organizer]:
        return sorted((o for o in self.organizers.values() if o.active), key=lambda o: o.organizer_id)

    def has_ended(self, now: datetime) -> bool:
        return self.details.end_utc_dt < now


def check_page_free(holder: EventRegistration | None, event_id: int | None) -> None:
    """A page belongs to one registration: ``holder`` is the one holding it now (None: free)."""
    if holder is None or holder.event_id == event_id:
        return
    if holder.is_deleted:
        raise errors.PageAlreadyRegisteredDeleted()
    raise errors.PageAlreadyRegistered()


def check_may_organize(accounts: list[Account]) -> None:
    refused = [a.user_name for a in accounts if not policies.may_organize(a)]
    if refused:
        raise errors.OrganizersNotAllowed(len(refused), tuple(refused))


DETAIL_FACTS: tuple[type[EventRegistration.DetailsChanged], ...] = (
    EventRegistration.PageMoved,
    EventRegistration.Rescheduled,
    EventRegistration.WikisChanged,
    EventRegistration.MeetingChanged,
    EventRegistration.ChatUrlChanged,
    EventRegistration.TrackingToolChanged,
)
