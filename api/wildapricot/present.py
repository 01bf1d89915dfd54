"""Wild Apricot's shapes (dialects-facts §1.5-1.7) from the domain's read models: every field the
domain has a value for, the documented default for the others (docs/dialects.md, "Wild Apricot")."""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo
from typing import Any

from api.numbers import is_digits
from api.wildapricot.blueprint import account_url
from api.wildapricot.reads import EventRow
from domain import scheduling
from domain.schedule import event_tzinfo
from domain.scheduling import TS_MW

REGISTRATION_TYPE_NAME = "Participant"


@functools.lru_cache(maxsize=256)
def _zone(name: str) -> tzinfo:
    """``event_tzinfo``, once per zone name (a page shows 40 moments, mostly in one zone)."""
    return event_tzinfo(name)


def moment(iso_utc: str, zone: str) -> str:
    """An ISO 8601 UTC moment in the event's zone, whole seconds with the offset."""
    return datetime.fromisoformat(iso_utc).astimezone(_zone(zone)).isoformat(timespec="seconds")


def local_moment(naive: datetime, zone: str) -> str:
    return naive.replace(tzinfo=event_tzinfo(zone), fold=0).isoformat(timespec="seconds")


def offset_minutes(iso_utc: str, zone: str) -> int:
    offset = datetime.fromisoformat(iso_utc).astimezone(event_tzinfo(zone)).utcoffset()
    return 0 if offset is None else int(offset.total_seconds() // 60)


def link(kind: str, ident: int, name: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"Id": ident, "Url": account_url(kind, ident)}
    if name is not None:
        found["Name"] = name
    return found


def event(row: EventRow, *, details: bool = False, registration: Any = None) -> dict[str, Any]:
    d = row.details
    zone = d["timezone"]
    enabled = row.status == "open"
    body: dict[str, Any] = {
        "Id": row.event_id,
        "Url": account_url("Events", row.event_id),
        "Name": d["name"],
        "EventType": "Regular",
        "StartDate": moment(d["start_utc"], zone),
        "StartTimeSpecified": True,
        "EndDate": moment(d["end_utc"], zone),
        "EndTimeSpecified": True,
        "Location": row.location,
        "RegistrationEnabled": enabled,
        "HasEnabledRegistrationTypes": enabled,
        "RegistrationsLimit": row.limit,
        "Tags": list(row.tags),
        "AccessLevel": "AdminOnly" if row.hidden else "Public",
        "PendingRegistrationsCount": row.pending,
        "ConfirmedRegistrationsCount": row.confirmed,
        "CheckedInAttendeesNumber": row.checked_in,
        "InviteeStat": {"NotResponded": 0, "NotAttended": 0, "Attended": 0, "MaybeAttended": 0},
    }
    if registration is not None:
        sessions = _sessions(registration, zone)
        if sessions:
            body["Sessions"] = sessions
    if details:
        body["Details"] = _details(row, registration)
    return body


def _sessions(registration: Any, zone: str) -> list[dict[str, Any]]:
    """The schedule's sessions when it has more than one (a multi-session event)."""
    schedule = scheduling.schedule_of(registration)
    if schedule is None or len(schedule.sessions) < 2:
        return []
    return [
        {
            "Id": int(s.id) if is_digits(s.id) and len(s.id) < 10 else n,
            "Title": s.title or "",
            "StartDate": local_moment(s.start, zone),
            "StartTimeSpecified": True,
            "EndDate": local_moment(s.end, zone),
            "EndTimeSpecified": True,
        }
        for n, s in enumerate(schedule.sessions, 1)
    ]


def _details(row: EventRow, registration: Any) -> dict[str, Any]:
    d = row.details
    zone = d["timezone"]
    organizer = None
    if registration is not None:
        creators = sorted(
            (o for o in registration.organizers.values() if o.active), key=lambda o: o.organizer_id
        )
        if creators:
            organizer = link("Contacts", creators[0].user_id)
    return {
        "DescriptionHtml": row.description_html,
        "PaymentInstructions": "",
        "TimeZone": {"ZoneId": zone, "Name": zone, "UtcOffset": offset_minutes(d["start_utc"], zone)},
        "RegistrationTypes": [registration_type(row)],
        "EventRegistrationFields": [],
        "TotalPaid": 0,
        "TotalDue": 0,
        "AccessControl": {
            "AccessLevel": "AdminOnly" if row.hidden else "Public",
            "AvailableForAnyLevel": True,
            "AvailableForLevels": [],
            "AvailableForAnyGroup": True,
            "AvailableForGroups": [],
        },
        "GuestRegistrationSettings": {"Enabled": False, "CreateContactMode": "NeverCreateContact"},
        "Organizer": organizer,
        "PaymentMethod": "Undefined",
        "RegistrationConfirmationExtraInfo": "",
        "RegistrationMessage": "",
        "SendEmailCopy": False,
        "IsWaitlistEnabled": row.waitlist,
        "WaitlistSettings": {
            "WaitlistType": "Auto" if row.waitlist else "None",
            "InformationToCollect": "RegistrationInformation" if row.waitlist else "None",
        },
        "MultipleRegistrationAllowed": False,
        "AttendeesDisplaySettings": {"VisibleTo": "Public", "ShowPendingAttendees": False},
    }


def registration_type(row: EventRow) -> dict[str, Any]:
    """The one registration type of an event: its id is the event's."""
    return {
        "Id": row.event_id,
        "Url": account_url("EventRegistrationTypes", row.event_id),
        "IsEnabled": row.status == "open",
        "EventId": row.event_id,
        "Name": REGISTRATION_TYPE_NAME,
        "Description": "",
        "BasePrice": 0,
        "GuestPrice": 0,
        "UseTaxScopeSettings": False,
        "Availability": "Everyone",
        "RegistrationCode": None,
        "AvailableForMembershipLevels": [],
        "AvailableFrom": None,
        "AvailableThrough": None,
        "MaximumRegistrantsCount": row.limit,
        "CurrentRegistrantsCount": row.confirmed,
        "GuestRegistrationPolicy": "Disabled",
        "UnavailabilityPolicy": "ShowDisabled",
        "CancellationBehaviour": "Allow",
        "CancellationDaysBeforeEvent": None,
        "IsWaitlistEnabled": row.waitlist,
    }


def registration_date(registered_at: str, zone: str) -> str:
    """``registered_at`` (TS_MW, UTC) in the event's zone."""
    naive = datetime.strptime(registered_at, TS_MW)
    return (
        naive.replace(tzinfo=event_tzinfo("UTC")).astimezone(event_tzinfo(zone)).isoformat(timespec="seconds")
    )
