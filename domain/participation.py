"""v0's participation options (online / in person, meeting URL, country, address) that follow an
event's place when a dialect sets or clears it (Invision's ``location``; DIALECTS.md: "in person
when it has a place, else online").

The rule, for creation and edits alike: with a location or a venue the event is in person, its
meeting address the place's one line (``content.location_text``; none when the place has only
coordinates), its country kept; it stays online too only when it has a meeting URL (a real online
part, set through v0: a hybrid event stays hybrid). Without a place it is online only: address and
country dropped (v0 refuses them on an event that is not in person), the meeting URL kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.content import Content, location_text


class Options(Protocol):
    @property
    def online(self) -> bool: ...
    @property
    def inperson(self) -> bool: ...
    @property
    def meeting_url(self) -> str | None: ...
    @property
    def meeting_country(self) -> str | None: ...
    @property
    def meeting_address(self) -> str | None: ...


@dataclass(frozen=True)
class Participation:
    online: bool
    inperson: bool
    meeting_url: str | None
    meeting_country: str | None
    meeting_address: str | None

    @classmethod
    def of(cls, options: Options) -> Participation:
        return cls(
            options.online,
            options.inperson,
            options.meeting_url,
            options.meeting_country,
            options.meeting_address,
        )


def participation_for(current: Options, place: Content) -> Participation:
    """The options an event with ``current`` options has once its place is ``place``."""
    if place.location is None and place.venue is None:
        return Participation(True, False, current.meeting_url, None, None)
    online = current.online and current.meeting_url is not None
    return Participation(
        online=online,
        inperson=True,
        meeting_url=current.meeting_url if online else None,
        meeting_country=current.meeting_country,
        meeting_address=location_text(place) or None,
    )
