"""Invision's output objects (dialects-facts §3.8, seed 003): event, calendar, geolocation, venue,
member. Times are UTC to the minute (``YYYY-MM-DDTHH:MM:00Z``); fields the domain does not have take
the defaults documented in docs/dialects.md."""

from __future__ import annotations

from typing import Any

from api import links
from api.bootstrap import Services
from api.invision.reads import EventRow
from domain.accounts import Account
from projections.content_views import CalendarRow

CALENDAR_CLASS = "IPS\\calendar\\Calendar"
PHOTO = "/campaignevents/static/default-photo.png"
ADMINISTRATORS = {"id": 4, "name": "Administrators", "formattedName": "Administrators"}
MEMBERS = {"id": 3, "name": "Members", "formattedName": "Members"}


def minute(stamp: str | None) -> str | None:
    """``YYYY-MM-DD HH:MM:SS`` (UTC) as Invision writes it, to the minute."""
    return None if stamp is None else f"{stamp[:10]}T{stamp[11:16]}:00Z"


def _base(services: Services) -> str:
    return services.settings.base_url or ""


def calendar(services: Services, row: CalendarRow) -> dict[str, Any]:
    return {
        "id": row.calendar_id,
        "name": row.title,
        "url": f"{_base(services)}/campaignevents/v0/calendars/{row.calendar_id}",
        "class": CALENDAR_CLASS,
        "permissions": None,
    }


def geolocation(location: dict[str, Any] | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {
        "lat": location.get("latitude"),
        "long": location.get("longitude"),
        "addressLines": list(location.get("address_lines") or []),
        "city": location.get("city"),
        "region": location.get("region"),
        "country": location.get("country"),
        "postalCode": location.get("postal_code"),
    }


def venue(event_id: int, given: dict[str, Any] | None) -> dict[str, Any] | None:
    """A venue belongs to its event: its id is the event's."""
    if given is None:
        return None
    return {
        "id": event_id,
        "title": given["title"],
        "description": given.get("description") or "",
        "address": geolocation(given.get("address")),
    }


def member(services: Services, account: Account | None, viewer: Account, user_id: int = 0) -> dict[str, Any]:
    """An account as Invision's member object; e-mail only to the account itself and sysops; an
    unknown account (0: a guest) with empty values."""
    if account is None:
        name, groups, joined, uid = "Guest", [], None, user_id
    else:
        name, groups, uid = account.user_name, list(account.groups), account.user_id
        joined = account.created_on.strftime("%Y-%m-%d %H:%M:%S")
    may_see_email = account is not None and (viewer.user_id == uid or "sysop" in viewer.groups)
    return {
        "id": uid,
        "name": name,
        "title": None,
        "timezone": "UTC",
        "formattedName": name,
        "ipAddress": "",
        "primaryGroup": ADMINISTRATORS if "sysop" in groups else MEMBERS,
        "secondaryGroups": [{"id": 0, "name": g, "formattedName": g} for g in groups if g != "sysop"],
        "email": (account.email or "") if may_see_email and account is not None else "",
        "joined": minute(joined),
        "registrationIpAddress": "",
        "warningPoints": 0,
        "reputationPoints": 0,
        "photoUrl": f"{_base(services)}{PHOTO}",
        "photoUrlIsDefault": True,
        "coverPhotoUrl": "",
        "profileUrl": links.user_url(services.settings.user_url, uid, name) if account else None,
        "validating": False,
        "posts": 0,
        "lastActivity": None,
        "lastVisit": None,
        "lastPost": None,
        "profileViews": 0,
        "birthday": None,
        "customFields": [],
    }


def event(
    services: Services,
    row: EventRow,
    calendars: dict[int, CalendarRow],
    members: dict[int, dict[str, Any]],
) -> dict[str, Any]:
    recurrence = row.recurrence
    place = row.location
    if row.venue is not None:
        place = row.venue.get("address")
    cal = calendars.get(row.calendar_id) or services.content.default
    rsvp = row.status == "open"
    return {
        "id": row.event_id,
        "title": row.title,
        "calendar": calendar(services, cal),
        "start": minute(row.start_utc),
        "end": None if row.first_end == row.start_utc else minute(row.first_end),
        "recurrence": f"RRULE:{recurrence}" if recurrence else None,
        "rsvp": rsvp,
        "rsvpLimit": row.participant_limit,
        "location": geolocation(place),
        "venue": venue(row.event_id, row.venue),
        "author": members[row.author],
        "postedDate": minute(row.posted),
        "description": row.description_html,
        "comments": 0,
        "reviews": 0,
        "views": 0,
        "prefix": row.prefix,
        "tags": list(row.tags),
        "locked": row.locked,
        "hidden": row.hidden != 0,
        "featured": row.featured,
        "url": links.event_url(services.settings.event_url, _base(services), row.event_id, row.page),
    }


def events(services: Services, viewer: Account, rows: list[EventRow]) -> list[dict[str, Any]]:
    """Events with their calendars and authors read once per page (the caller's account as read by
    the authentication when it is the author)."""
    calendars = {
        cid: found for cid in {r.calendar_id for r in rows} if (found := services.content.calendar(cid))
    }
    members = {
        uid: member(services, viewer if uid == viewer.user_id else services.app.account(uid), viewer, uid)
        for uid in {r.author for r in rows}
    }
    return [event(services, row, calendars, members) for row in rows]


def paginated(results: list[Any], page: int, per_page: int, total: int) -> dict[str, Any]:
    return {
        "page": page,
        "perPage": per_page,
        "totalResults": total,
        "totalPages": -(-total // per_page) if per_page else 0,
        "results": results,
    }
