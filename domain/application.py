"""The eventsourcing Application: one method per command, integer ids, atomic uniqueness, retries.

Each command loads what it needs, checks the rules in the reference's order, records facts on the
aggregates and saves them together. A version conflict or a duplicate key raises the library's
``IntegrityError``; the command is then reloaded and retried a bounded number of times, so every
check is repeated against the state it writes over.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain import commands, errors
from domain.accounts import (
    GROUP_RIGHTS,
    RIGHT_DELETE,
    RIGHT_EMAIL,
    RIGHT_ENABLE,
    RIGHT_ORGANIZE,
    RIGHT_VIEW_PRIVATE,
    Account,
    account_id,
)
from domain.answers import ALL_QUESTION_IDS, Answer, seal, unseal, validate_answers
from domain.credentials import hash_password, new_token, token_hash, verify_password
from domain.details import Details, DetailsInput, Policy, validate_details
from domain.indexes import Sequence, UniqueIndex, index_id, sequence_id
from domain.mailings import Mailing
from domain.notices import Notice
from domain.participants import Participant, participant_id
from domain.ports import Clock, KeyStore, ParticipantDirectory
from domain.registration import MAX_ORGANIZERS, STATUS_CLOSED, EventRegistration, registration_id
from domain.validation import normalise_username, parse_title
from domain.worklist import Worklist, worklist_id

MAX_ATTEMPTS = 30
log = logging.getLogger("campaignevents.domain")
ANSWERS_TTL = timedelta(days=90)
KEY_GRACE = timedelta(minutes=10)
AGGREGATION_BATCH = 500
T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class Written:
    """What a command wrote: the log position of its last event (for read-your-writes)."""

    position: int
    event_id: int = 0


@dataclass(frozen=True)
class Registered:
    modified: bool
    position: int


@dataclass(frozen=True)
class Removed:
    public: int
    private: int
    position: int


@dataclass(frozen=True)
class Emailed:
    """``selected`` False: nobody matched (the API answers 200 instead of 202)."""

    sent: int
    selected: bool
    position: int = 0
    mailing_id: UUID | None = None


@dataclass(frozen=True)
class AggregationReport:
    participants: int
    events: int
    keys_destroyed: int


@dataclass(frozen=True)
class NewUser:
    user_id: int
    user_name: str
    token: str


class CampaignEvents(Application[UUID]):
    name = "CampaignEvents"
    # Sequences are snapshotted; a registration's few facts load from the aggregate cache (its
    # state holds dataclasses and int-keyed maps that the JSON transcoder would not round-trip).
    snapshotting_intervals = {Sequence: 200}  # noqa: RUF012
    env = {"AGGREGATE_CACHE_MAXSIZE": "5000", "AGGREGATE_CACHE_FASTFORWARD": "y"}  # noqa: RUF012

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Clock,
        policy: Policy,
        wiki_id: str = "local",
    ) -> None:
        super().__init__(env)
        self.clock = clock
        self.policy = policy
        self.wiki_id = wiki_id
        self.directory: ParticipantDirectory | None = None
        self.keys: KeyStore | None = None

    # --- accounts ----------------------------------------------------------------------
    def create_user(self, cmd: commands.CreateUser) -> NewUser:
        name = normalise_username(cmd.name)
        if name is None:
            raise errors.InvalidUsername(cmd.name)
        unknown = [g for g in cmd.groups if g not in GROUP_RIGHTS]
        if unknown:
            raise errors.UnknownGroup(", ".join(unknown))
        token = new_token()
        password_hash = hash_password(cmd.password) if cmd.password else None

        def attempt() -> NewUser:
            if self._find(UniqueIndex, index_id("username", name)) is not None:
                raise errors.UsernameTaken(name)
            now = self.clock.now()
            sequence = self._sequence("users")
            user_id = sequence.allocate(now)
            account = Account.create(
                user_id=user_id,
                user_name=name,
                email=cmd.email,
                groups=list(cmd.groups),
                token_hash=token_hash(token),
                password_hash=password_hash,
                performed_by=None,
                at=now,
            )
            name_index = UniqueIndex.claim("username", name, user_id, now)
            token_index = UniqueIndex.claim("token", token_hash(token), user_id, now)
            self.save(sequence, account, name_index, token_index)
            return NewUser(user_id, name, token)

        return self._retrying(attempt)

    def block_user(self, cmd: commands.BlockUser) -> bool:
        return self._retrying(lambda: self._change_account(cmd.name, Account.block))

    def unblock_user(self, cmd: commands.UnblockUser) -> bool:
        return self._retrying(lambda: self._change_account(cmd.name, Account.unblock))

    def reissue_token(self, cmd: commands.ReissueToken) -> str:
        """A new personal API token; the old one's index is released in the same save, so it stops
        authenticating at once in every process."""
        token = new_token()

        def attempt() -> str:
            account, now = self._named_account(cmd.name), self.clock.now()
            old_hash = account.reissue_token(token_hash(token), None, now)
            old = self._find(UniqueIndex, index_id("token", old_hash))
            if old is not None:
                old.release(now)
            new = UniqueIndex.claim("token", token_hash(token), account.user_id, now)
            self.save(account, new, *([old] if old is not None else []))
            return token

        return self._retrying(attempt)

    def set_password(self, cmd: commands.SetPassword) -> None:
        self._retrying(
            lambda: self._change_account(cmd.name, lambda a, by, at: a.set_password(cmd.password, by, at))
        )

    def change_groups(self, cmd: commands.ChangeGroups) -> bool:
        def change(account: Account, by: int | None, at: datetime) -> bool:
            return account.change_groups(cmd.add, cmd.remove, by, at)

        return self._retrying(lambda: self._change_account(cmd.name, change))

    def accounts(self) -> Iterator[Account]:
        """Every account, in the order they were created."""
        sequence = self._find(Sequence, sequence_id("users"))
        for user_id in range(1, (sequence.last if sequence is not None else 0) + 1):
            account = self.account(user_id)
            if account is not None:
                yield account

    def _change_account(self, name: str, change: Callable[[Account, int | None, datetime], T]) -> T:
        account = self._named_account(name)
        changed = change(account, None, self.clock.now())
        self.save(account)
        return changed

    def _named_account(self, name: str) -> Account:
        account = self.account_by_name(name)
        if account is None:
            raise errors.UserNotFound(name)
        return account

    def account(self, user_id: int | None) -> Account | None:
        if user_id is None or user_id <= 0:
            return None
        return self._find(Account, account_id(user_id))

    def account_by_name(self, name: str) -> Account | None:
        normalised = normalise_username(name)
        if normalised is None:
            return None
        index = self._find(UniqueIndex, index_id("username", normalised))
        return self.account(index.owner) if index is not None else None

    def account_by_token(self, token: str) -> Account | None:
        index = self._find(UniqueIndex, index_id("token", token_hash(token)))
        return self.account(index.owner) if index is not None else None

    def authenticate(self, name: str, password: str) -> Account:
        account = self.account_by_name(name)
        if account is None or not verify_password(account.password_hash, password):
            raise errors.LoginFailed()
        return account

    # --- event registrations -------------------------------------------------------------
    def enable_registration(self, cmd: commands.EnableRegistration) -> Written:
        performer = self.account(cmd.performer)
        if performer is None or not performer.has_right(RIGHT_ENABLE):
            raise errors.EnableRegistrationDenied()

        def attempt() -> Written:
            now = self.clock.now()
            details = validate_details(cmd.details, self.policy, now, creating=True)
            page_index = self._page_index(details.page)
            self._check_page_free(page_index, event_id=None)
            self._check_organizers([performer])
            sequence = self._sequence("registrations")
            organizer_ids = self._sequence("organizers")
            event_id = sequence.allocate(now)
            registration = EventRegistration.enable(
                event_id=event_id,
                wiki=self.wiki_id,
                details=details,
                questions=ALL_QUESTION_IDS,
                performed_by=performer.user_id,
                creator_organizer_id=organizer_ids.allocate(now),
                at=now,
            )
            page_index = self._claim_page(page_index, details.page, event_id, now)
            return Written(self._save(sequence, organizer_ids, registration, page_index), event_id)

        return self._retrying(attempt)

    def edit_registration(self, cmd: commands.EditRegistration) -> Written:
        def attempt() -> Written:
            registration = self.registration(cmd.event_id)
            now = self.clock.now()
            details = validate_details(
                cmd.details,
                self.policy,
                now,
                creating=False,
                current_page=registration.details.page,
            )
            performer = self.account(cmd.performer)
            if not self.can_edit(performer, registration):
                raise errors.EditDenied()
            assert performer is not None
            touched: list[Aggregate] = [registration]
            if details.page != registration.details.page:
                touched += self._move_page(registration, details, now)
            if registration.is_deleted:
                raise errors.EditRegistrationDeleted()
            self._check_organizers(
                [self._existing_account(o.user_id) for o in registration.active_organizers()]
            )
            self._check_dates_protected(registration, details, now)
            registration.edit(details, cmd.status, performer.user_id, now)
            return Written(self._save(*touched), registration.event_id)

        return self._retrying(attempt)

    def _check_dates_protected(
        self, registration: EventRegistration, details: Details, now: datetime
    ) -> None:
        """An ended event with answers (stored or aggregated) cannot move its end into the future."""
        if not registration.has_ended(now) or details.end_utc_dt <= now:
            return
        if registration.answer_counts or self._directory().has_answers(registration.event_id):
            raise errors.EventDatesCannotBeChanged()

    def delete_registration(self, cmd: commands.DeleteRegistration) -> Written:
        def attempt() -> Written:
            registration = self.registration(cmd.event_id)
            if registration.is_deleted:
                raise errors.AlreadyDeleted()
            performer = self.account(cmd.performer)
            allowed = performer is not None and performer.has_right(RIGHT_DELETE)
            if not (allowed or self.can_edit(performer, registration)):
                raise errors.DeleteDenied()
            assert performer is not None
            registration.delete(performer.user_id, self.clock.now())
            return Written(self._save(registration), registration.event_id)

        return self._retrying(attempt)

    def set_organizers(self, cmd: commands.SetOrganizers) -> Written:
        def attempt() -> Written:
            registration = self.registration(cmd.event_id)
            names = list(dict.fromkeys(cmd.usernames))
            if not names:
                raise errors.SetOrganizersEmptyList()
            performer = self.account(cmd.performer)
            if not self.can_edit(performer, registration):
                raise errors.EditDenied()
            assert performer is not None
            if registration.is_deleted:
                raise errors.EditRegistrationDeleted()
            if len(names) > MAX_ORGANIZERS:
                raise errors.TooManyOrganizers(MAX_ORGANIZERS)
            accounts = {name: self.account_by_name(name) for name in names}
            refused = [n for n, a in accounts.items() if a is None or not a.has_right(RIGHT_ORGANIZE)]
            if refused:
                raise errors.OrganizersNotAllowed(len(refused), tuple(refused))
            user_ids = [a.user_id for a in accounts.values() if a is not None]
            creator = registration.creator
            keeps_creator = creator.user_id in user_ids or performer.user_id == creator.user_id
            if creator.active and not keeps_creator:
                raise errors.RemovedCreator(self._existing_account(creator.user_id).user_name)
            now = self.clock.now()
            organizer_ids = self._sequence("organizers")
            registration.set_organizers(user_ids, lambda: organizer_ids.allocate(now), performer.user_id, now)
            touched: list[Aggregate] = [registration]
            if organizer_ids.pending_events:
                touched.insert(0, organizer_ids)
            return Written(self._save(*touched), registration.event_id)

        return self._retrying(attempt)

    # --- participants ---------------------------------------------------------------------
    def register_participant(self, cmd: commands.RegisterParticipant) -> Registered:
        def attempt() -> Registered:
            registration = self.registration(cmd.event_id)
            performer = self.account(cmd.performer)
            participant = self.participant(cmd.event_id, cmd.performer) if performer else None
            current = self.answers_of(participant)
            answers = validate_answers(cmd.answers, set(registration.questions) | set(current))
            if performer is None or performer.blocked:
                raise errors.RegisterNotAllowed()
            if registration.is_deleted:
                raise errors.RegisterRegistrationDeleted()
            now = self.clock.now()
            if participant is None or not participant.active:
                if registration.has_ended(now):
                    raise errors.RegisterEventPast()
                if registration.status == STATUS_CLOSED:
                    raise errors.RegisterEventNotOpen()
            if answers and participant is not None and participant.aggregated_at is not None:
                raise errors.AnswersAggregated()
            if participant is None:
                participant = Participant.register(cmd.event_id, performer.user_id, cmd.private, now)
                modified = True
            else:
                modified = participant.register_again(cmd.private, now)
            if answers != current:
                participant.replace_answers(self._seal(participant, answers, now), now)
                modified = True
            position = self._save(participant)
            if modified:  # only the current answer set stays readable
                keep = self._key_id(participant.sealed_answers)
                self._after_commit(self._keys().destroy, participant.event_id, participant.user_id, keep=keep)
            return Registered(modified, position)

        return self._retrying(attempt)

    def answers_of(self, participant: Participant | None) -> dict[int, Answer]:
        """The participant's answers, decrypted; empty when none (or once their key is gone)."""
        if participant is None or participant.sealed_answers is None:
            return {}
        return self.unseal_for(participant.event_id, participant.user_id, participant.sealed_answers)

    def unseal_for(self, event_id: int, user_id: int, sealed: str) -> dict[int, Answer]:
        """Open ``<key id>.<ciphertext>`` with its key (empty once the key is destroyed)."""
        key_id, _, ciphertext = sealed.partition(".")
        key = self._keys().get(event_id, user_id, key_id)
        return unseal(ciphertext, key) if key is not None else {}

    def _seal(self, participant: Participant, answers: dict[int, Answer], now: datetime) -> str | None:
        """Seal under a new key of the participant's own (each answer set gets its own key, so
        destroying the older keys makes every replaced answer set unreadable)."""
        if not answers:
            return None
        key_id, key = self._keys().create(participant.event_id, participant.user_id, now)
        return f"{key_id}.{seal(answers, key)}"

    @staticmethod
    def _key_id(sealed: str | None) -> str | None:
        return sealed.partition(".")[0] if sealed else None

    @staticmethod
    def _after_commit(cleanup: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        """Key destruction that follows a committed write: if the key store is unreachable now, the
        write still stands (answering an error would invite a retry of what is done) and the key
        sweep (``destroy_spent_keys``) finishes the job."""
        try:
            cleanup(*args, **kwargs)
        except Exception as error:
            log.warning("key cleanup deferred to the sweep: %s", error)

    def _keys(self) -> KeyStore:
        if self.keys is None:
            raise RuntimeError("no answer key store configured")
        return self.keys

    def _directory(self) -> ParticipantDirectory:
        if self.directory is None:
            raise RuntimeError("no participant directory configured")
        return self.directory

    def cancel_registration(self, cmd: commands.CancelRegistration) -> Registered:
        def attempt() -> Registered:
            registration = self.registration(cmd.event_id)
            performer = self.account(cmd.performer)
            if performer is None:
                raise errors.UnregisterNotAllowed()
            if registration.is_deleted:
                raise errors.UnregisterRegistrationDeleted()
            participant = self._find(Participant, participant_id(cmd.event_id, performer.user_id))
            if participant is None or not participant.cancel(self.clock.now()):
                return Registered(False, 0)
            position = self._save(participant)
            self._after_commit(self._keys().destroy, cmd.event_id, performer.user_id)
            return Registered(True, position)

        return self._retrying(attempt)

    def remove_participants(self, cmd: commands.RemoveParticipants) -> Removed:
        if cmd.user_ids is not None and not cmd.user_ids:
            raise errors.RemoveParticipantsInvalidUserIds()

        def attempt() -> Removed:
            registration = self.registration(cmd.event_id)
            performer = self.account(cmd.performer)
            if not self.can_edit(performer, registration):
                raise errors.RemoveParticipantsDenied()
            assert performer is not None
            if registration.is_deleted:
                raise errors.RemoveParticipantsDeleted()
            now = self.clock.now()
            removed = [
                p
                for p in self._participants(cmd.event_id, self._removal_targets(cmd))
                if p.remove(performer.user_id, now)
            ]
            private = sum(1 for p in removed if p.private)
            position = self._save(*removed)
            for p in removed:
                self._after_commit(self._keys().destroy, p.event_id, p.user_id)
            return Removed(len(removed) - private, private, position)

        return self._retrying(attempt)

    def _removal_targets(self, cmd: commands.RemoveParticipants) -> list[int]:
        if cmd.user_ids is not None and not cmd.invert:
            return list(dict.fromkeys(cmd.user_ids))
        excluded = set(cmd.user_ids or ())
        return [u for u in self._directory().active_participants(cmd.event_id) if u not in excluded]

    def _participants(self, event_id: int, user_ids: list[int]) -> list[Participant]:
        found = (self._find(Participant, participant_id(event_id, u)) for u in user_ids if u > 0)
        return [p for p in found if p is not None]

    def participant(self, event_id: int, user_id: int | None) -> Participant | None:
        """The user's participant record for the event, active or not."""
        if user_id is None:
            return None
        return self._find(Participant, participant_id(event_id, user_id))

    def own_registration(self, performer: int | None, event_id: int) -> Participant:
        self.registration_for_reading(event_id)
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

    def can_see_private(self, viewer: Account | None, registration: EventRegistration) -> bool:
        if viewer is not None and viewer.has_right(RIGHT_VIEW_PRIVATE):
            return True
        return self.can_edit(viewer, registration)

    def can_email(self, viewer: Account | None, registration: EventRegistration) -> bool:
        return self.can_edit(viewer, registration) and viewer is not None and viewer.has_right(RIGHT_EMAIL)

    # --- worklist ----------------------------------------------------------------------------
    def change_worklist(self, cmd: commands.ChangeWorklist) -> Written:
        def attempt() -> Written:
            registration = self.registration(cmd.event_id)
            add, remove = self._worklist_titles(cmd.add), self._worklist_titles(cmd.remove)
            performer = self.account(cmd.performer)
            if not self.can_edit(performer, registration):
                raise errors.EditDenied()
            assert performer is not None
            if registration.is_deleted:
                raise errors.EditRegistrationDeleted()
            now = self.clock.now()
            worklist = self._find(Worklist, worklist_id(cmd.event_id)) or Worklist.start(cmd.event_id, now)
            if not worklist.change(add, remove, performer.user_id, now):
                return Written(0, cmd.event_id)
            return Written(self._save(worklist), cmd.event_id)

        return self._retrying(attempt)

    def _worklist_titles(self, by_wiki: dict[str, list[str]]) -> list[tuple[str, str]]:
        """Titles in database-key form (``Main_Page``), in the order given; the first unknown wiki or
        invalid title is the error."""
        known = set(self.policy.known_wikis) | {self.wiki_id}
        found: list[tuple[str, str]] = []
        for wiki, titles in by_wiki.items():
            if wiki not in known:
                raise errors.WorklistInvalidWiki(wiki)
            for raw in titles:
                title = parse_title(raw)
                if title is None or title.namespace in ("Special", "Media"):
                    raise errors.WorklistInvalidTitle(raw)
                found.append((wiki, title.dbkey))
        return found

    # --- history -----------------------------------------------------------------------------
    def can_see_history(self, viewer: Account | None, registration: EventRegistration) -> bool:
        """The event's organizers and sysops (who are not blocked)."""
        if viewer is None or viewer.blocked:
            return False
        return "sysop" in viewer.groups or self.can_edit(viewer, registration)

    def registration_as_of(self, performer: int | None, event_id: int, moment: datetime) -> EventRegistration:
        """The registration as it was at ``moment``, rebuilt from the log (organizers and sysops)."""
        registration = self.registration_for_reading(event_id)
        if not self.can_see_history(self.account(performer), registration):
            raise errors.HistoryDenied()
        version = self._last_version_at(registration.id, registration.version, moment)
        if version == 0:
            raise errors.EventNotFound()
        past: EventRegistration = self.repository.get(registration.id, version=version)
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

    # --- e-mail ------------------------------------------------------------------------------
    def email_participants(self, cmd: commands.EmailParticipants) -> Emailed:
        """Record the request (the dispatcher turns it into a job). The count comes from one query
        on the read side, so the request costs the same for 10 or 10,000 recipients."""
        registration = self.registration(cmd.event_id)
        performer = self.account(cmd.performer)
        if performer is None or not self.can_email(performer, registration):
            raise errors.EmailDenied()
        directory = self._directory()
        user_ids = list(cmd.user_ids) if cmd.user_ids else None
        invert = bool(cmd.invert and user_ids)
        if not directory.count_recipients(cmd.event_id, user_ids, invert, valid_only=False):
            return Emailed(0, False)
        if not performer.is_valid_recipient:
            raise errors.SenderCannotEmail()
        valid = directory.count_recipients(cmd.event_id, user_ids, invert, valid_only=True)
        sender_selected = performer.user_id in directory.recipients(
            cmd.event_id, [performer.user_id], False, valid_only=True
        ) and (user_ids is None or (performer.user_id in user_ids) != invert)
        others = valid - int(sender_selected)
        copy = cmd.ccme and others > 0
        sent = others if copy else valid
        mailing_id = uuid4()

        def attempt() -> int:
            account = self._existing_account(performer.user_id)
            now = self.clock.now()
            if not account.use_email_quota(now):
                raise errors.EmailThrottled()
            mailing = Mailing.request(
                mailing_id,
                event_id=cmd.event_id,
                sender_id=account.user_id,
                subject=cmd.subject,
                message=cmd.message,
                user_ids=user_ids,
                invert=invert,
                copy_to_sender=copy,
                expected=sent,
                at=now,
            )
            return self._save(account, mailing)

        return Emailed(sent, True, self._retrying(attempt), mailing_id)

    def mailing(self, mailing_id: UUID) -> Mailing | None:
        return self._find(Mailing, mailing_id)

    def resolve_recipients(self, mailing_id: UUID) -> Mailing:
        """Fix the mailing's recipient list once (idempotent); returns the mailing."""

        def attempt() -> Mailing:
            mailing = self._find(Mailing, mailing_id)
            if mailing is None:
                raise errors.EventNotFound()
            if mailing.recipients is None:
                found = self._directory().recipients(
                    mailing.event_id, mailing.user_ids, mailing.invert, valid_only=True
                )
                if mailing.copy_to_sender:
                    found = [u for u in found if u != mailing.sender_id]
                mailing.resolve(found, self.clock.now())
                self._save(mailing)
            return mailing

        return self._retrying(attempt)

    def record_delivery(self, mailing: Mailing, recipient: int) -> Mailing:
        """Record one delivery on the mailing the job holds (one appended event, no reload: the
        cost stays flat over 10,000 recipients); reload only when another run wrote meanwhile.
        Returns the mailing to go on with."""
        if mailing.record_delivery(recipient, self.clock.now()):
            try:
                self._save(mailing)
            except IntegrityError:
                fresh = self._find(Mailing, mailing.id)
                assert fresh is not None
                if fresh.record_delivery(recipient, self.clock.now()):
                    self._save(fresh)
                return fresh
        return mailing

    def notice_sent(self, notice_id: UUID) -> bool:
        return self._find(Notice, notice_id) is not None

    def record_notice(self, notice_id: UUID, kind: str, user_id: int, event_id: int) -> None:
        with suppress(IntegrityError):  # recorded already by another run of the same job
            self._save(Notice.sent(notice_id, kind, user_id, event_id, self.clock.now()))

    def participant_by_aggregate(self, aggregate_id: UUID) -> Participant | None:
        return self._find(Participant, aggregate_id)

    # --- answer aggregation ----------------------------------------------------------------
    def aggregate_answers(self, batch: int = AGGREGATION_BATCH) -> AggregationReport:
        """Count every due participant's answers into their event's totals, stamp them, destroy
        their keys. Idempotent: a participant is counted in the same transaction that stamps it, and
        a rerun after a crash finds stamped participants no longer due (and finishes their keys)."""
        now = self.clock.now()
        participants = 0
        events: set[int] = set()
        cursor: tuple[int, int] | None = None
        while due := self._directory().due_for_aggregation(now, now - ANSWERS_TTL, batch, cursor):
            by_event: dict[int, list[int]] = {}
            for event_id, _participant, user_id in due:
                by_event.setdefault(event_id, []).append(user_id)
            participants += sum(self._aggregate_event(e, users, now) for e, users in by_event.items())
            events |= set(by_event)
            cursor = due[-1][0], due[-1][1]
        return AggregationReport(participants, len(events), self.destroy_spent_keys())

    def _aggregate_event(self, event_id: int, user_ids: list[int], now: datetime) -> int:
        def attempt() -> list[Participant]:
            registration = self.registration(event_id)
            cutoff = now - ANSWERS_TTL
            ended = registration.has_ended(now)
            due = [
                p
                for p in self._participants(event_id, user_ids)
                if p.sealed_answers is not None
                and p.aggregated_at is None
                and (ended or (p.first_answer_at is not None and p.first_answer_at < cutoff))
            ]
            counts: Counter[tuple[int, int]] = Counter()
            for p in due:
                counts.update((a.question_id, a.option) for a in self.answers_of(p).values())
                p.stamp_aggregated(now)
            touched: list[Aggregate] = list(due)
            if counts:
                registration.count_answers([[q, o, n] for (q, o), n in sorted(counts.items())], now)
                touched.append(registration)
            self._save(*touched)
            return due

        stamped = self._retrying(attempt)
        self._keys().destroy_participants(event_id, [p.user_id for p in stamped])
        return len(stamped)

    def destroy_spent_keys(self, batch: int = AGGREGATION_BATCH) -> int:
        """Destroy keys no answer set uses any more (aggregated, cancelled, removed, replaced) — the
        second half of a crash-interrupted write. Keys younger than ``KEY_GRACE`` are left alone: a
        key is created just before the answers sealed under it are saved."""
        keys = self._keys()
        destroyed = 0
        after: tuple[int, int, str] | None = None
        created_before = self.clock.now() - KEY_GRACE
        while page := keys.holders(after, batch, created_before):
            for event_id, user_id, key_id in page:
                participant = self.participant(event_id, user_id)
                if participant is None or self._key_id(participant.sealed_answers) != key_id:
                    keys.destroy_key(event_id, user_id, key_id)
                    destroyed += 1
            after = page[-1]
        return destroyed

    def aggregated_results(self, performer: int | None, event_id: int) -> EventRegistration:
        """The registration whose totals an organizer may read: ended, every answer aggregated."""
        registration = self.registration_for_reading(event_id)
        if not self.can_edit(self.account(performer), registration):
            raise errors.AggregatedAnswersDenied()
        now = self.clock.now()
        if not registration.has_ended(now) or self._directory().has_answers(event_id):
            raise errors.AggregatedAnswersNotAvailable()
        return registration

    # --- lookups ---------------------------------------------------------------------------
    def registration(self, event_id: int) -> EventRegistration:
        """The registration with this id, deleted or not; ``EventNotFound`` otherwise."""
        found = self._find(EventRegistration, registration_id(event_id)) if event_id > 0 else None
        if found is None:
            raise errors.EventNotFound()
        return found

    def registration_for_reading(self, event_id: int) -> EventRegistration:
        """As ``registration``, without the defensive copy (the caller must not change it)."""
        if event_id <= 0:
            raise errors.EventNotFound()
        try:
            found: EventRegistration = self.repository.get(
                registration_id(event_id), deepcopy_from_cache=False
            )
        except AggregateNotFoundError:
            raise errors.EventNotFound() from None
        return found

    # --- rules shared by commands ---------------------------------------------------------
    @staticmethod
    def can_edit(performer: Account | None, registration: EventRegistration) -> bool:
        """Current organizer who may enable registrations or organize events (and is not blocked)."""
        if performer is None:
            return False
        may_organize = performer.has_right(RIGHT_ENABLE) or performer.has_right(RIGHT_ORGANIZE)
        return may_organize and registration.is_organizer(performer.user_id)

    @staticmethod
    def _check_organizers(accounts: list[Account]) -> None:
        refused = [a.user_name for a in accounts if not a.has_right(RIGHT_ORGANIZE)]
        if refused:
            raise errors.OrganizersNotAllowed(len(refused), tuple(refused))

    def _page_index(self, page: str) -> UniqueIndex | None:
        return self._find(UniqueIndex, index_id("page", self._page_key(page)))

    def _page_key(self, page: str) -> str:
        return f"{self.wiki_id}|{page}"

    def _check_page_free(self, index: UniqueIndex | None, event_id: int | None) -> None:
        if index is None or index.owner is None or index.owner == event_id:
            return
        holder = self.registration(index.owner)
        if holder.is_deleted:
            raise errors.PageAlreadyRegisteredDeleted()
        raise errors.PageAlreadyRegistered()

    def _claim_page(self, index: UniqueIndex | None, page: str, event_id: int, now: Any) -> UniqueIndex:
        if index is None:
            return UniqueIndex.claim("page", self._page_key(page), event_id, now)
        index.reclaim(event_id, now)
        return index

    def _move_page(self, registration: EventRegistration, details: Details, now: Any) -> list[Aggregate]:
        new_index = self._page_index(details.page)
        self._check_page_free(new_index, registration.event_id)
        claimed = self._claim_page(new_index, details.page, registration.event_id, now)
        old_index = self._page_index(registration.details.page)
        if old_index is None:
            return [claimed]
        old_index.release(now)
        return [claimed, old_index]

    def _existing_account(self, user_id: int) -> Account:
        account = self.account(user_id)
        if account is None:
            raise errors.UserNotFound(str(user_id))
        return account

    # --- plumbing -------------------------------------------------------------------------
    def _sequence(self, name: str) -> Sequence:
        found = self._find(Sequence, sequence_id(name))
        return found if found is not None else Sequence.start(name, self.clock.now())

    def _find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        try:
            found: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, kind) else None

    def _save(self, *aggregates: Aggregate) -> int:
        if not aggregates:
            return 0
        recordings = self.save(*aggregates)
        return max((r.notification.id for r in recordings), default=0)

    @staticmethod
    def _retrying(attempt: Callable[[], T]) -> T:
        """Run ``attempt``, reloading and retrying on a version conflict with jittered backoff;
        ``Contention`` when the aggregate stays contested (the API answers 503: try again)."""
        for n in range(MAX_ATTEMPTS):
            try:
                return attempt()
            except IntegrityError:
                time.sleep(random.uniform(0, min(0.05, 0.001 * 2**n)))
        raise errors.Contention()


__all__ = ["CampaignEvents", "DetailsInput", "NewUser", "Policy", "Written"]
