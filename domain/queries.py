"""Reads of the event store: lookups by id, natural key and token, a participant's own answers,
the registration as it was at a moment, and the aggregated totals. ``Queries`` is the part of the
application that reads; it never records a fact."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import takewhile
from typing import Any, TypeVar, cast, overload
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, project_aggregate
from eventsourcing.domain import Aggregate

from domain import errors, places, policies
from domain.accounts import Account, account_id
from domain.answers import Answer, unseal
from domain.credentials import token_hash, verify_password
from domain.details import Policy
from domain.indexes import Sequence, UniqueIndex, index_id, sequence_id
from domain.mailings import Mailing
from domain.moderation import HiddenFlags
from domain.notices import Notice
from domain.participants import Participant, participant_id
from domain.ports import Clock, KeyStore, ParticipantDirectory
from domain.reading import RegistrationView
from domain.registration import EventRegistration, registration_id
from domain.snapshots import projector_for
from domain.validation import normalise_username

A = TypeVar("A", bound=Aggregate)


class _Aggregate:
    """``registration_for_reading`` without a viewer: the aggregate, not the read model's view."""


_AGGREGATE = _Aggregate()


class Queries(Application[UUID]):
    clock: Clock
    policy: Policy
    wiki_id: str
    directory: ParticipantDirectory
    keys: KeyStore
    hidden_flags: HiddenFlags | None = None  # the read side's; set by the composition root
    visibility: policies.VisibilityReads | None = None  # likewise (can_see_event's inputs)

    def find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate with this id if it is a ``kind`` (a defensive copy: changes are the caller's)."""
        try:
            found: Aggregate = self.repository.get(aggregate_id, projector_func=self._loader(kind))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, kind) else None

    def _loader(self, kind: type[Aggregate]) -> Callable[[Any, Iterable[Any]], Any]:
        """A kind never snapshotted loads from its facts alone (``domain/snapshots.Loading``)."""
        return projector_for(kind, self.snapshotting_intervals)

    # --- accounts ----------------------------------------------------------------------------
    def account(self, user_id: int | None) -> Account | None:
        if user_id is None or user_id <= 0:
            return None
        return self.find(Account, account_id(user_id))

    def performer_account(self, user_id: int | None, loaded: Account | None) -> Account | None:
        """The performer's account: ``loaded`` when the caller already read it in this request
        (the API's authentication does, once per request), else from the store."""
        if loaded is not None and user_id is not None and loaded.user_id == user_id:
            return loaded
        return self.account(user_id)

    def existing_account(self, user_id: int) -> Account:
        account = self.account(user_id)
        if account is None:
            raise errors.UserNotFound(str(user_id))
        return account

    def named_account(self, name: str) -> Account:
        account = self.account_by_name(name)
        if account is None:
            raise errors.UserNotFound(name)
        return account

    def accounts(self) -> Iterator[Account]:
        """Every account, in the order they were created."""
        sequence = self.find(Sequence, sequence_id("users"))
        for user_id in range(1, (sequence.last if sequence is not None else 0) + 1):
            account = self.account(user_id)
            if account is not None:
                yield account

    def account_by_name(self, name: str) -> Account | None:
        normalised = normalise_username(name)
        if normalised is None:
            return None
        index = self.find(UniqueIndex, index_id("username", normalised))
        return self.account(index.owner) if index is not None else None

    def account_by_token(self, token: str) -> Account | None:
        index = self._index_state(index_id("token", token_hash(token)))  # every request: no copy
        return self.account(index.owner) if index is not None else None

    def _index_state(self, aggregate_id: UUID) -> UniqueIndex | None:
        """An index as ``find`` reads it, without the defensive copy: only its owner is read here."""
        try:
            found: Aggregate = self.repository.get(
                aggregate_id, projector_func=self._loader(UniqueIndex), deepcopy_from_cache=False
            )
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, UniqueIndex) else None

    def authenticate(self, name: str, password: str) -> Account:
        account = self.account_by_name(name)
        if account is None or not verify_password(account.password_hash, password):
            raise errors.LoginFailed()
        return account

    # --- registrations -----------------------------------------------------------------------
    def registration(self, event_id: int) -> EventRegistration:
        """The registration with this id, deleted or not; ``EventNotFound`` otherwise."""
        found = self.find(EventRegistration, registration_id(event_id)) if event_id > 0 else None
        if found is None:
            raise errors.EventNotFound()
        return found

    @overload
    def registration_for_reading(self, event_id: int) -> EventRegistration: ...

    @overload
    def registration_for_reading(self, event_id: int, viewer: int | None) -> RegistrationView: ...

    def registration_for_reading(
        self, event_id: int, viewer: int | _Aggregate | None = _AGGREGATE
    ) -> EventRegistration | RegistrationView:
        """The registration, deleted or not; ``EventNotFound`` otherwise. With ``viewer``: as the
        read model serves it, read for that viewer (one indexed read; what every GET uses).
        Without: the aggregate from the event store, not copied (the caller must not change it),
        for state the read model does not serve."""
        if not isinstance(viewer, _Aggregate):
            found = self.participant_directory().registration(event_id, viewer) if event_id > 0 else None
            if found is None:
                raise errors.EventNotFound()
            hidden, audience = self.visibility.visibility(event_id) if self.visibility else (0, None)
            if not policies.seen_by_all(hidden, audience) and not policies.can_see_event(
                self.account(viewer), found, hidden, audience
            ):
                raise errors.EventNotFound()  # hidden, or not for the viewer: as if it did not exist
            return found
        return self._registration_state(event_id)

    def registration_as_of(self, performer: int | None, event_id: int, moment: datetime) -> EventRegistration:
        """The registration as it was at ``moment``, from the log (organizers and sysops): the
        newest snapshot at or before that version and the few facts after it."""
        registration = self.registration_for_reading(event_id, viewer=performer)
        if not policies.can_see_history(self.account(performer), registration):
            raise errors.HistoryDenied()
        aggregate_id = registration_id(event_id)
        newest: Any = next(iter(self.events.get(aggregate_id, desc=True, limit=1)), None)
        version = self._last_version_at(aggregate_id, newest.originator_version if newest else 0, moment)
        if version == 0:
            raise errors.EventNotFound()
        past: EventRegistration = self.repository.get(aggregate_id, version=version)
        if past.is_deleted:
            raise errors.RegistrationDeletedOnGet()
        return past

    def _last_version_at(self, aggregate_id: UUID, latest: int, moment: datetime) -> int:
        """The aggregate's last version recorded at or before ``moment`` (0: none), by a binary
        search over versions (timestamps grow with versions): a few one-event reads, not the stream."""
        low, high = 0, latest
        while low < high:
            middle = (low + high + 1) // 2
            fact: Any = next(iter(self.events.get(aggregate_id, gt=middle - 1, lte=middle)))
            if fact.timestamp <= moment:
                low = middle
            else:
                high = middle - 1
        return low

    def participants_as_of(
        self, event_id: int, user_ids: Iterable[int], moment: datetime
    ) -> Iterator[Participant]:
        """The participants among ``user_ids`` (in the order their first registration was
        recorded) as they were at ``moment``, each folded by its aggregate from its own few facts
        (with the place the places fold had decided for it by then: ``places.as_at_moment``);
        it stops at the first who had not registered yet (nor has anyone after them)."""
        for user_id in user_ids:
            facts = list(self.events.get(participant_id(event_id, user_id)))
            until = list(takewhile(lambda fact: cast(Any, fact).timestamp <= moment, facts))
            state: Participant | None = project_aggregate(None, until)
            if state is None:
                return
            yield places.as_at_moment(state, facts[len(until) :])

    def aggregated_results(self, performer: int | None, event_id: int) -> EventRegistration:
        """The registration whose totals an organizer may read: ended, every answer aggregated."""
        registration = self._registration_state(event_id)
        if not policies.can_read_aggregated_answers(self.account(performer), registration):
            raise errors.AggregatedAnswersDenied()
        now = self.clock.now()
        stored = registration.has_ended(now) and self.participant_directory().has_answers(event_id)
        if not policies.aggregated_answers_available(registration, now, stored):
            raise errors.AggregatedAnswersNotAvailable()
        return registration

    def _registration_state(self, event_id: int) -> EventRegistration:
        """As ``registration``, without the defensive copy (the caller must not change it)."""
        try:
            found: Aggregate | None = self.repository.get(
                registration_id(event_id),
                projector_func=self._loader(EventRegistration),
                deepcopy_from_cache=False,
            )
        except AggregateNotFoundError:
            found = None
        if event_id <= 0 or not isinstance(found, EventRegistration):
            raise errors.EventNotFound()
        return found

    # --- participants ------------------------------------------------------------------------
    def participant(self, event_id: int, user_id: int | None) -> Participant | None:
        """The user's participant record for the event, active or not."""
        if user_id is None:
            return None
        return self.find(Participant, participant_id(event_id, user_id))

    def participants(self, event_id: int, user_ids: list[int]) -> list[Participant]:
        found = (self.find(Participant, participant_id(event_id, u)) for u in user_ids if u > 0)
        return [p for p in found if p is not None]

    def participant_by_aggregate(self, aggregate_id: UUID) -> Participant | None:
        return self.find(Participant, aggregate_id)

    def own_registration(self, performer: int | None, event_id: int) -> Participant:
        self.registration_for_reading(event_id, viewer=performer)
        account = self.account(performer)
        if account is None:
            raise errors.RegisterNotAllowed()
        participant = self.participant(event_id, account.user_id)
        if participant is None or not participant.active:
            raise errors.NotParticipant()
        return participant

    def is_active_participant(self, event_id: int, user_id: int | None) -> bool:
        participant = self.participant(event_id, user_id)
        return participant is not None and participant.active

    def answers_of(
        self, participant: Participant | None, registration: EventRegistration | None = None
    ) -> dict[int, Answer]:
        """The participant's answers, decrypted; empty when none, once aggregated (``registration``:
        the event's, read here when not given) or once their key is gone."""
        if participant is None or participant.sealed_answers is None:
            return {}
        if registration is None:
            registration = self._registration_state(participant.event_id)
        if participant.answers_aggregated(registration):
            return {}
        return self.unseal_for(participant.event_id, participant.user_id, participant.sealed_answers)

    def unseal_for(self, event_id: int, user_id: int, sealed: str) -> dict[int, Answer]:
        """Open ``<key id>.<ciphertext>`` with its key (empty once the key is destroyed)."""
        key_id, _, ciphertext = sealed.partition(".")
        key = self.key_store().get(event_id, user_id, key_id)
        return unseal(ciphertext, key) if key is not None else {}

    # --- e-mail ------------------------------------------------------------------------------
    def mailing(self, mailing_id: UUID) -> Mailing | None:
        return self.find(Mailing, mailing_id)

    def notice_sent(self, notice_id: UUID) -> bool:
        return self.find(Notice, notice_id) is not None

    # --- ports -------------------------------------------------------------------------------
    def key_store(self) -> KeyStore:
        return self.keys

    def participant_directory(self) -> ParticipantDirectory:
        return self.directory
