"""Reusable presets for polls: standard decisions (a label, a colour, shown in calendars or not)
and standard locations (a name, a location text, coordinates), each an aggregate with an integer id
from its own sequence. The poll administration creates and deletes them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import errors, people
from domain.audiences import PollAdministrationDenied
from domain.indexes import ROOT
from domain.polls import DecisionInput, check_decision

STANDARD_DECISIONS = "standard-decisions"  # sequence names
STANDARD_LOCATIONS = "standard-locations"
LOCATION_MAX = 190


def preset_id(kind: str, number: int) -> UUID:
    return uuid5(ROOT, f"{kind}:{number}")


class PresetNotFound(errors.DomainError):
    key = "campaignevents-poll-preset-not-found"


class InvalidLocation(errors.DomainError):
    key = "campaignevents-poll-invalid-location"


def check_may_administer(held: Iterable[str]) -> None:
    if not people.may_administer(held):
        raise PollAdministrationDenied()


class StandardDecision(Aggregate):
    number: int
    label: str
    color: str
    show_in_calendar: bool
    deleted: bool

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    class StandardDecisionCreated(Aggregate.Created):
        number: int
        label: str
        color: str
        show_in_calendar: bool
        performed_by: int | None

        def apply(self, aggregate: StandardDecision) -> None:  # type: ignore[override]
            aggregate.number = self.number
            aggregate.label = self.label
            aggregate.color = self.color
            aggregate.show_in_calendar = self.show_in_calendar
            aggregate.deleted = False

    class StandardDecisionDeleted(Aggregate.Event):
        number: int
        performed_by: int | None

        def apply(self, aggregate: StandardDecision) -> None:  # type: ignore[override]
            aggregate.deleted = True

    @classmethod
    def create(
        cls, number: int, given: DecisionInput, held: Iterable[str], performed_by: int | None, at: datetime
    ) -> StandardDecision:
        check_may_administer(held)
        d = check_decision(given)
        return cls._create(
            cls.StandardDecisionCreated,
            id=preset_id(STANDARD_DECISIONS, number),
            number=number,
            label=d.label,
            color=d.color,
            show_in_calendar=d.show_in_calendar,
            performed_by=performed_by,
            timestamp=at,
        )

    def delete(self, held: Iterable[str], performed_by: int | None, at: datetime) -> None:
        check_may_administer(held)
        if self.deleted:
            raise PresetNotFound(str(self.number))
        self.trigger_event(
            self.StandardDecisionDeleted, number=self.number, performed_by=performed_by, timestamp=at
        )


class StandardLocation(Aggregate):
    number: int
    name: str
    location: str | None
    x: float | None
    y: float | None
    deleted: bool

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    class StandardLocationCreated(Aggregate.Created):
        number: int
        name: str
        location: str | None
        x: float | None
        y: float | None
        performed_by: int | None

        def apply(self, aggregate: StandardLocation) -> None:  # type: ignore[override]
            aggregate.number = self.number
            aggregate.name = self.name
            aggregate.location = self.location
            aggregate.x = self.x
            aggregate.y = self.y
            aggregate.deleted = False

    class StandardLocationDeleted(Aggregate.Event):
        number: int
        performed_by: int | None

        def apply(self, aggregate: StandardLocation) -> None:  # type: ignore[override]
            aggregate.deleted = True

    @classmethod
    def create(
        cls,
        number: int,
        name: str,
        location: str | None,
        x: float | None,
        y: float | None,
        held: Iterable[str],
        performed_by: int | None,
        at: datetime,
    ) -> StandardLocation:
        """A name of 1-190 characters, a location text of at most 190, coordinates in degrees
        (latitude -90..90, longitude -180..180) or none."""
        check_may_administer(held)
        name = name.strip()
        if not name or len(name) > LOCATION_MAX:
            raise InvalidLocation("name")
        if location is not None and len(location) > LOCATION_MAX:
            raise InvalidLocation("location")
        if (x is not None and not -90 <= x <= 90) or (y is not None and not -180 <= y <= 180):
            raise InvalidLocation("coordinates")
        return cls._create(
            cls.StandardLocationCreated,
            id=preset_id(STANDARD_LOCATIONS, number),
            number=number,
            name=name,
            location=location,
            x=x,
            y=y,
            performed_by=performed_by,
            timestamp=at,
        )

    def delete(self, held: Iterable[str], performed_by: int | None, at: datetime) -> None:
        check_may_administer(held)
        if self.deleted:
            raise PresetNotFound(str(self.number))
        self.trigger_event(
            self.StandardLocationDeleted, number=self.number, performed_by=performed_by, timestamp=at
        )


PRESET_FACTS = (
    StandardDecision.StandardDecisionCreated,
    StandardDecision.StandardDecisionDeleted,
    StandardLocation.StandardLocationCreated,
    StandardLocation.StandardLocationDeleted,
)
