"""The application's part for groups, audiences, polls and presets: the reads their rules need and
one entry per command (each handing over to ``domain/handlers/groups.py`` or ``polls.py``).
``CampaignEvents`` inherits it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import takewhile
from typing import TYPE_CHECKING, Any, TypeVar, cast

from eventsourcing.application import project_aggregate
from eventsourcing.domain import Aggregate

from domain import people, poll_commands
from domain.accounts import Account
from domain.groups import Group, GroupNotFound, SubgroupNotFound, group_aggregate_id
from domain.handlers import groups as group_handlers
from domain.handlers import polls as poll_handlers
from domain.indexes import UniqueIndex, index_id
from domain.polls import Vote, vote_id
from domain.presets import preset_id
from domain.queries import Queries
from domain.results import Made, Written

if TYPE_CHECKING:
    from domain.application import CampaignEvents

P = TypeVar("P", bound=Aggregate)


class Polling(Queries):
    # --- reads the rules need ----------------------------------------------------------------
    def group(self, group_id: int) -> Group:
        """A live group; ``GroupNotFound`` otherwise."""
        found = self.find(Group, group_aggregate_id(group_id)) if group_id > 0 else None
        if found is None or found.deleted:
            raise GroupNotFound(str(group_id))
        return found

    def group_of_subgroup(self, subgroup_id: int) -> Group:
        """The live group that holds a live subgroup; ``SubgroupNotFound`` otherwise."""
        index = self.find(UniqueIndex, index_id("subgroup", str(subgroup_id))) if subgroup_id > 0 else None
        group = self.find(Group, group_aggregate_id(index.owner)) if index and index.owner else None
        if group is None or group.deleted or subgroup_id not in group.subgroups:
            raise SubgroupNotFound(str(subgroup_id))
        return group

    def poll_permissions(self, account: Account | None) -> frozenset[str]:
        """The permission strings ``account`` holds (``people.permissions``), its live groups' included."""
        if account is None:
            return frozenset()
        granted: list[str] = []
        for group_id in people.group_ids(account):
            group = self.find(Group, group_aggregate_id(group_id))
            if group is not None and not group.deleted:
                granted += group.permissions
        return people.permissions(account, granted)

    def vote(self, event_id: int, user_id: int | None) -> Vote | None:
        return self.find(Vote, vote_id(event_id, user_id)) if user_id is not None else None

    def vote_as_of(self, event_id: int, user_id: int, moment: datetime) -> Vote | None:
        """The user's vote record as it was at ``moment`` (None: none yet), from its own few facts;
        read its decision against ``registration_as_of`` (``polls.current_decision``)."""
        facts: Iterator[Any] = iter(self.events.get(vote_id(event_id, user_id)))
        until = takewhile(lambda fact: bool(fact.timestamp <= moment), facts)
        state: Vote | None = project_aggregate(None, until)
        return state

    def preset(self, kind: type[P], name: str, number: int) -> P | None:
        return self.find(kind, preset_id(name, number))

    # --- groups, subgroups, members, names ---------------------------------------------------
    def _app(self) -> CampaignEvents:
        return cast("CampaignEvents", self)

    def create_group(self, cmd: poll_commands.CreateGroup) -> Made:
        return group_handlers.create_group(self._app(), cmd)

    def change_group(self, cmd: poll_commands.ChangeGroup) -> Written:
        return group_handlers.change_group(self._app(), cmd)

    def delete_group(self, cmd: poll_commands.DeleteGroup) -> Written:
        return group_handlers.delete_group(self._app(), cmd)

    def create_subgroup(self, cmd: poll_commands.CreateSubgroup) -> Made:
        return group_handlers.create_subgroup(self._app(), cmd)

    def change_subgroup(self, cmd: poll_commands.ChangeSubgroup) -> Written:
        return group_handlers.change_subgroup(self._app(), cmd)

    def delete_subgroup(self, cmd: poll_commands.DeleteSubgroup) -> Written:
        return group_handlers.delete_subgroup(self._app(), cmd)

    def change_membership(self, cmd: poll_commands.ChangeMembership) -> Written:
        return group_handlers.change_membership(self._app(), cmd)

    def set_person_name(self, cmd: poll_commands.SetPersonName) -> Written:
        return group_handlers.set_person_name(self._app(), cmd)

    # --- audiences, decisions, votes, presets ------------------------------------------------
    def set_for_everyone(self, cmd: poll_commands.SetForEveryone) -> Written:
        return poll_handlers.set_for_everyone(self._app(), cmd)

    def attach_to_event(self, cmd: poll_commands.AttachToEvent) -> tuple[bool, Written]:
        return poll_handlers.attach_to_event(self._app(), cmd)

    def set_decisions(self, cmd: poll_commands.SetDecisions) -> tuple[list[int], Written]:
        return poll_handlers.set_decisions(self._app(), cmd)

    def cast_vote(self, cmd: poll_commands.CastVote) -> Written:
        return poll_handlers.cast_vote(self._app(), cmd)

    def remove_vote(self, cmd: poll_commands.RemoveVote) -> Written:
        return poll_handlers.remove_vote(self._app(), cmd)

    def cast_votes_for(self, cmd: poll_commands.CastVotesFor) -> Written:
        return poll_handlers.cast_votes_for(self._app(), cmd)

    def remove_votes_for(self, cmd: poll_commands.RemoveVotesFor) -> Written:
        return poll_handlers.remove_votes_for(self._app(), cmd)

    def create_standard_decision(self, cmd: poll_commands.CreateStandardDecision) -> Made:
        return poll_handlers.create_standard_decision(self._app(), cmd)

    def create_standard_location(self, cmd: poll_commands.CreateStandardLocation) -> Made:
        return poll_handlers.create_standard_location(self._app(), cmd)

    def delete_preset(self, cmd: poll_commands.DeletePreset) -> Written:
        return poll_handlers.delete_preset(self._app(), cmd)
