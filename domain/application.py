"""The eventsourcing Application: the store, its settings and the ports, and one entry per command.

Each command method hands over to its handler in ``domain/handlers/`` (load -> call the aggregate
-> save, retried on conflict); the reads live in ``domain/queries.py``; the rules live in the
aggregates and, for who may see what, in ``domain/policies.py``.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Repository
from eventsourcing.domain import Aggregate

from domain import commands
from domain.details import DetailsInput, Policy
from domain.handlers import accounts, answers, mailings, organizers, participants, registrations, worklist
from domain.handlers import content as content_handlers
from domain.handlers import places as places_handlers
from domain.handlers.answers import AGGREGATION_BATCH
from domain.indexes import Sequence, sequence_id
from domain.mailings import Mailing
from domain.polling import Polling
from domain.ports import Clock, KeyStore, ParticipantDirectory
from domain.registration import EventRegistration, registration_id
from domain.results import AggregationReport, Emailed, NewUser, Registered, Removed, Written
from domain.snapshots import Loading


class CampaignEvents(Polling):  # Polling: groups, audiences, polls (domain/polling.py)
    name = "CampaignEvents"
    # Sequences and registrations are snapshotted (a registration's state round-trips through
    # domain/snapshots.py), so a long history loads, and reads at a past version, in bounded time.
    snapshotting_intervals = {Sequence: 200, EventRegistration: 50}  # noqa: RUF012
    env = {"AGGREGATE_CACHE_MAXSIZE": "5000", "AGGREGATE_CACHE_FASTFORWARD": "y"}  # noqa: RUF012

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Clock,
        policy: Policy,
        directory: ParticipantDirectory,
        keys: KeyStore,
        wiki_id: str = "local",
    ) -> None:
        super().__init__(env)
        self.clock = clock
        self.policy = policy
        self.wiki_id = wiki_id
        self.directory = directory
        self.keys = keys

    def construct_repository(self) -> Repository[UUID]:
        """The library's repository, save that a kind never snapshotted is loaded without first
        looking for its snapshot (``domain/snapshots.Loading``; ``Queries.find`` says which)."""
        library = super().construct_repository()
        loading = Loading(self.events, snapshot_store=self.snapshots)
        loading.cache = library.cache
        loading.fastforward = library.fastforward
        loading.fastforward_skipping = library.fastforward_skipping
        loading.deepcopy_from_cache = library.deepcopy_from_cache
        self.loading = loading
        return loading

    def registration_as_cached(self, event_id: int) -> EventRegistration | None:
        """The registration as this process last loaded it, not brought up to date and not copied
        (the caller must not change it): a hint, never a rule's input. None: not in the cache."""
        found = self.loading.cached(registration_id(event_id))
        return found if isinstance(found, EventRegistration) else None

    # --- plumbing the handlers use -----------------------------------------------------------
    def sequence(self, name: str) -> Sequence:
        found = self.find(Sequence, sequence_id(name))
        return found if found is not None else Sequence.start(name, self.clock.now())

    def save_all(self, *aggregates: Aggregate) -> int:
        """Save atomically; the log position of the last event written (0: nothing to save)."""
        if not aggregates:
            return 0
        recordings = self.save(*aggregates)
        return max((r.notification.id for r in recordings), default=0)

    # --- accounts ----------------------------------------------------------------------------
    def create_user(self, cmd: commands.CreateUser) -> NewUser:
        return accounts.create_user(self, cmd)

    def reissue_token(self, cmd: commands.ReissueToken) -> str:
        return accounts.reissue_token(self, cmd)

    def set_password(self, cmd: commands.SetPassword) -> None:
        accounts.set_password(self, cmd)

    def change_groups(self, cmd: commands.ChangeGroups) -> bool:
        return accounts.change_groups(self, cmd)

    def block_user(self, cmd: commands.BlockUser) -> bool:
        return accounts.block_user(self, cmd)

    def unblock_user(self, cmd: commands.UnblockUser) -> bool:
        return accounts.unblock_user(self, cmd)

    # --- registrations and organizers --------------------------------------------------------
    def enable_registration(self, cmd: commands.EnableRegistration) -> Written:
        return registrations.enable_registration(self, cmd)

    def edit_registration(self, cmd: commands.EditRegistration) -> Written:
        return registrations.edit_registration(self, cmd)

    def delete_registration(self, cmd: commands.DeleteRegistration) -> Written:
        return registrations.delete_registration(self, cmd)

    def set_organizers(self, cmd: commands.SetOrganizers) -> Written:
        return organizers.set_organizers(self, cmd)

    # --- participants ------------------------------------------------------------------------
    def register_participant(self, cmd: commands.RegisterParticipant) -> Registered:
        return participants.register_participant(self, cmd)

    def cancel_registration(self, cmd: commands.CancelRegistration) -> Registered:
        return participants.cancel_registration(self, cmd)

    def remove_participants(self, cmd: commands.RemoveParticipants) -> Removed:
        return participants.remove_participants(self, cmd)

    # --- places (domain/places.py) ----------------------------------------------------------
    def set_places(self, cmd: commands.SetPlaces) -> Written:
        return places_handlers.set_places(self, cmd)

    def decide_approval(self, cmd: commands.DecideApproval) -> Written:
        return places_handlers.decide_approval(self, cmd)

    def check_in(self, cmd: commands.CheckIn) -> Written:
        return places_handlers.check_in(self, cmd)

    def record_place_decision(self, cmd: commands.RecordPlaceDecision) -> bool:
        return places_handlers.record_place_decision(self, cmd)

    # --- calendars, rich content, moderation (domain/calendars.py, content.py, moderation.py) --
    default_calendar_title = "Events"  # CAMPAIGNEVENTS_DEFAULT_CALENDAR (set by the composition root)

    def set_content(self, cmd: commands.SetContent) -> Written:
        return content_handlers.set_content(self, cmd)

    def moderate(self, cmd: commands.Moderate) -> Written:
        return content_handlers.moderate(self, cmd)

    def move_to_calendar(self, cmd: commands.MoveToCalendar) -> Written:
        return content_handlers.move_to_calendar(self, cmd)

    def ensure_default_calendar(self) -> int:
        return content_handlers.ensure_default_calendar(self, self.default_calendar_title)

    def create_calendar(self, cmd: commands.CreateCalendar) -> Written:
        return content_handlers.create_calendar(self, cmd, self.default_calendar_title)

    def change_calendar(self, cmd: commands.ChangeCalendar) -> Written:
        return content_handlers.change_calendar(self, cmd)

    def delete_calendar(self, cmd: commands.DeleteCalendar) -> Written:
        return content_handlers.delete_calendar(self, cmd)

    # --- worklist ----------------------------------------------------------------------------
    def change_worklist(self, cmd: commands.ChangeWorklist) -> Written:
        return worklist.change_worklist(self, cmd)

    # --- e-mail (the request; the job's reports) ---------------------------------------------
    def email_participants(self, cmd: commands.EmailParticipants) -> Emailed:
        return mailings.email_participants(self, cmd)

    def resolve_recipients(self, mailing_id: UUID) -> Mailing:
        return mailings.resolve_recipients(self, mailing_id)

    def record_delivery(self, mailing: Mailing, recipient: int) -> Mailing:
        return mailings.record_delivery(self, mailing, recipient)

    def record_notice(self, notice_id: UUID, kind: str, user_id: int, event_id: int) -> None:
        mailings.record_notice(self, notice_id, kind, user_id, event_id)

    # --- answer aggregation (the scheduled job) ----------------------------------------------
    def aggregate_answers(self, batch: int = AGGREGATION_BATCH) -> AggregationReport:
        return answers.aggregate_answers(self, batch)

    def destroy_spent_keys(self, batch: int = AGGREGATION_BATCH) -> int:
        return answers.destroy_spent_keys(self, batch)


__all__ = ["CampaignEvents", "DetailsInput", "NewUser", "Policy", "Written"]
