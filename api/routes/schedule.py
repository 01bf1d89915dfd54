"""Schedules, occurrences and calendar feeds (issue 14): ``…/event_registration/{id}/schedule``,
``…/occurrences``, ``…/calendar.ics``, ``/organizer/{user_id}/calendar.ics`` and the participant's
secret feed (``/participant/self/calendar_url``, ``/participant/feed/{secret}.ics``).

Feeds are served from the feeds read model (``projections/feeds.py``): a feed's revision is one
primary-key read and gives the ETag, so a conditional GET that matches answers 304 without reading
an event; a full GET joins the events' stored VEVENT texts (``ical.assemble``), and the assembled
body is kept per ETag (a small LRU in this process) for the next reader of the same revision.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import weakref
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.http import http_date

from api.auth import caller, require_csrf
from api.context import services
from api.params import (
    BodySchema,
    Param,
    Str,
    Timestamp,
    _json_type,
    _validation_error,
    failure,
    load_body,
    path_int,
    query_int,
    query_timestamp,
)
from domain import errors, policies, scheduling
from domain.accounts import Account
from domain.credentials import token_hash
from domain.handlers import scheduling as handlers
from domain.schedule import MAX_EXCEPTIONS, MAX_SESSIONS, Coordinates, Schedule, Session, occurrences
from projections import ical
from projections.feeds import ORGANIZER, PARTICIPANT, FeedViews, Revision, feed_key

bp = Blueprint("schedule", __name__, url_prefix="/campaignevents/v0")
TS_MW = "%Y%m%d%H%M%S"
MAX_OCCURRENCES = 500
DEFAULT_OCCURRENCES = 100
CANCELLED_FOR = timedelta(days=30)
CALENDAR = "text/calendar; charset=utf-8"
FEED_PATH = "/campaignevents/v0/participant/feed/{secret}.ics"


# --- the body of PUT …/schedule ------------------------------------------------------------------


class Sessions(Param):
    """``[{"id", "start", "end", "title"?, "location"?, "description"?, "coordinates"?}]``; times
    as v0's ``start_time`` (TS_MW, ISO 8601…), read in the event's timezone."""

    empty_is_missing = False

    def convert(self, value: Any) -> list[Session]:
        if not isinstance(value, list):
            raise failure("notarray", value)
        if len(value) > MAX_SESSIONS:
            data = {"parameter": "sessions", "limit": MAX_SESSIONS}
            raise failure("toomanyvalues", value, data, MAX_SESSIONS)
        return [self._session(item) for item in value]

    def _session(self, item: Any) -> Session:
        if not isinstance(item, dict) or not {"id", "start", "end"} <= item.keys():
            raise failure("badvalue", item, [])
        unknown = item.keys() - {"id", "start", "end", "title", "location", "description", "coordinates"}
        if unknown:
            raise failure("badvalue", item, [])
        texts = {name: _optional_text(item.get(name)) for name in ("title", "location", "description")}
        stamp = Timestamp()
        return Session(
            id=_text(item["id"]),
            start=datetime.strptime(stamp.convert(item["start"]), TS_MW),
            end=datetime.strptime(stamp.convert(item["end"]), TS_MW),
            coordinates=_coordinates(item.get("coordinates")),
            **texts,
        )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise failure("needstring", value, None, _json_type(value))
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _coordinates(value: Any) -> Coordinates | None:
    if value is None:
        return None
    numbers = (int, float)
    if (
        not isinstance(value, dict)
        or set(value) != {"latitude", "longitude"}
        or not all(isinstance(v, numbers) and not isinstance(v, bool) for v in value.values())
    ):
        raise failure("badvalue", value, [])
    return Coordinates(float(value["latitude"]), float(value["longitude"]))


class Dates(Param):
    """Exception dates: ``YYYY-MM-DD`` (or any v0 timestamp: its local date)."""

    empty_is_missing = False

    def convert(self, value: Any) -> list[date]:
        if not isinstance(value, list):
            raise failure("notarray", value)
        if len(value) > MAX_EXCEPTIONS:
            data = {"parameter": "exceptions", "limit": MAX_EXCEPTIONS}
            raise failure("toomanyvalues", value, data, MAX_EXCEPTIONS)
        days = []
        for item in value:
            try:
                days.append(date.fromisoformat(_text(item)))
            except ValueError:
                days.append(datetime.strptime(Timestamp().convert(item), TS_MW).date())
        return days


class ScheduleBody(BodySchema):
    sessions = Sessions(required=True)
    recurrence = Str(max_bytes=1000)
    exceptions = Dates()


# --- schedule and occurrences --------------------------------------------------------------------


def _session_json(session: Session) -> dict[str, Any]:
    coordinates = session.coordinates
    return {
        "id": session.id,
        "title": session.title,
        "start": session.start.strftime(TS_MW),
        "end": session.end.strftime(TS_MW),
        "location": session.location,
        "coordinates": None
        if coordinates is None
        else {"latitude": coordinates.latitude, "longitude": coordinates.longitude},
        "description": session.description,
    }


@bp.get("/event_registration/<event_id>/schedule")
def get_schedule(event_id: str) -> Response:
    registration = _readable(path_int("id", event_id), query_timestamp("as_of"))
    schedule = scheduling.schedule_of(registration)
    d = registration.details
    return jsonify(
        {
            "sessions": [] if schedule is None else [_session_json(s) for s in schedule.sessions],
            "recurrence": None if schedule is None else schedule.recurrence,
            "exceptions": [] if schedule is None else [day.isoformat() for day in schedule.exceptions],
            "timezone": d.timezone,
            "start_time": d.start_local,
            "end_time": d.end_local,
        }
    )


@bp.put("/event_registration/<event_id>/schedule")
def put_schedule(event_id: str) -> tuple[str, int]:
    eid = path_int("id", event_id)
    body = load_body(ScheduleBody)
    require_csrf(body["token"])
    schedule = Schedule(tuple(body["sessions"]), body["recurrence"], tuple(body["exceptions"] or ()))
    cmd = scheduling.SetSchedule(caller().user_id, eid, schedule)
    services().written(handlers.set_schedule(services().app, cmd).position)
    return "", 204


@bp.get("/event_registration/<event_id>/occurrences")
def get_occurrences(event_id: str) -> Response:
    eid = path_int("id", event_id)
    start, end = _moment("from"), _moment("to")
    limit = query_int("limit", minimum=1, maximum=MAX_OCCURRENCES) or DEFAULT_OCCURRENCES
    registration = _readable(eid, None)
    d = registration.details
    schedule = scheduling.schedule_of(registration) or Schedule(
        (Session("event", datetime.strptime(d.start_local, TS_MW), datetime.strptime(d.end_local, TS_MW)),)
    )
    found = list(occurrences(schedule, d.timezone, start, end, limit + 1))
    return jsonify(
        {
            "timezone": d.timezone,
            "occurrences": [
                {
                    "session_id": o.session_id,
                    "start": o.start_local.strftime(TS_MW),
                    "end": o.end_local.strftime(TS_MW),
                    "start_utc": o.start_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "end_utc": o.end_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
                for o in found[:limit]
            ],
            "more": len(found) > limit,
        }
    )


def _moment(name: str) -> datetime:
    """A required timestamp query parameter (v0's formats), at the start of the second it names."""
    moment = query_timestamp(name)
    if moment is None:
        raise _validation_error("query", name, "missingparam", None, None, [])
    return moment.replace(microsecond=0)


def _readable(event_id: int, as_of: datetime | None) -> Any:
    """The registration as anyone who may see the event reads it (v0's GET rules); with
    ``as_of``, as it was then (organizers and sysops, v0's time travel)."""
    app = services().app
    if as_of is not None:
        return app.registration_as_of(caller().user_id, event_id, as_of)
    view = app.registration_for_reading(event_id, caller().user_id)
    if view.is_deleted:
        raise errors.RegistrationDeletedOnGet()
    return app.registration(event_id)


# --- feeds ---------------------------------------------------------------------------------------


class _Bodies:
    """Assembled feed bodies by ETag, the newest few (per process)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.found: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, tag: str) -> bytes | None:
        with self.lock:
            body = self.found.get(tag)
            if body is not None:
                self.found.move_to_end(tag)
            return body

    def keep(self, tag: str, body: bytes) -> None:
        with self.lock:
            self.found[tag] = body
            while len(self.found) > self.size:
                self.found.popitem(last=False)


# one cache per feeds read model (per app's services): a tag names a revision of one database only
_BODIES: weakref.WeakKeyDictionary[FeedViews, _Bodies] = weakref.WeakKeyDictionary()
_BODIES_LOCK = threading.Lock()


def _bodies() -> _Bodies:
    views = _feeds()
    with _BODIES_LOCK:
        found = _BODIES.get(views)
        if found is None:
            found = _BODIES[views] = _Bodies()
        return found


class _Viewer:
    """A registration as the read policies see it for one viewer, from the feed's links."""

    def __init__(self, user_id: int, roles: set[str]) -> None:
        self.user_id, self.roles = user_id, roles
        self.questions: list[int] = []

    def is_organizer(self, user_id: int | None) -> bool:
        return user_id == self.user_id and ORGANIZER in self.roles

    def participates(self, user_id: int) -> bool:
        return user_id == self.user_id and PARTICIPANT in self.roles

    def has_ended(self, now: datetime) -> bool:
        return False


def _feeds() -> FeedViews:
    views = services().feeds
    assert views is not None
    return views


def _reader(viewer: Account | None) -> int | None:
    """Whose roles a feed's visibility needs: none for nobody or a blocked account."""
    return None if viewer is None or viewer.blocked else viewer.user_id


def _restricted(found: Revision) -> frozenset[int]:
    """The events not everyone may see: hidden (``found.hidden``) or not for everyone
    (``found.audiences``), all of them."""
    return frozenset(found.hidden.keys() | found.audiences.keys())


def _visibility(viewer: Account | None, found: Revision) -> tuple[frozenset[int], frozenset[int]]:
    """The events whose meeting URL ``viewer`` may see, and those of the restricted events
    (``_restricted``) ``viewer`` may see: ``policies.can_see_event`` (domain/policies.py; nobody
    and a blocked account see none of either)."""
    if viewer is None or viewer.blocked:
        return frozenset(), frozenset()
    roles = found.roles
    full = frozenset(
        event_id
        for event_id, held in roles.items()
        if policies.can_see_meeting_urls(viewer, view := _Viewer(viewer.user_id, held), view.participates)
    )
    seen = frozenset(
        event_id
        for event_id in _restricted(found)
        if policies.can_see_event(
            viewer,
            _Viewer(viewer.user_id, roles.get(event_id, set())),
            found.hidden.get(event_id, 0),
            found.audiences.get(event_id),
        )
    )
    return full, seen


def _serve(feed: str, found: Revision, viewer: Account | None, select: dict[str, Any]) -> Response:
    """The feed, or 304 when the client has this revision (ETag or Last-Modified). ``found`` is
    all the ETag is made of (``FeedViews.revision``, one read): hiding or showing an event, or a
    change of the viewer's roles, changes the ETag as a new revision of the feed does."""
    now = services().clock.now()
    restricted = _restricted(found)
    full, seen = _visibility(viewer, found)
    unseen = restricted - seen
    revision, modified = found.stamp or (0, "1970-01-01T00:00:00+00:00")
    variant = "/".join(",".join(map(str, sorted(ids))) for ids in (full, restricted, seen))
    seed = f"{feed}|{revision}|{now.astimezone(UTC).date()}|{variant}"
    tag = hashlib.sha256(seed.encode()).hexdigest()[:32]
    last_modified = datetime.fromisoformat(modified).replace(microsecond=0)
    headers = {"ETag": f'"{tag}"', "Last-Modified": _http_date(last_modified), "Cache-Control": "no-cache"}
    if _not_modified(tag, last_modified):
        return Response(status=304, headers=headers)
    bodies = _bodies()
    body = bodies.get(tag)
    if body is None:
        shown_from = (now - CANCELLED_FOR).astimezone(UTC).isoformat()
        rows = _feeds().parts(shown_from=shown_from, **select)
        parts = [
            (*part[:3], text if event_id in full else part[3])
            for event_id, part, text in rows
            if event_id not in unseen
        ]
        body = ical.assemble(parts)
        bodies.keep(tag, body)
    return Response(body, status=200, headers=headers, content_type=CALENDAR)


def _not_modified(tag: str, last_modified: datetime) -> bool:
    if request.headers.get("If-None-Match") in (f'"{tag}"', f'W/"{tag}"'):  # as sent back: no parsing
        return True
    if request.if_none_match:
        return request.if_none_match.contains_weak(tag)
    since = request.if_modified_since
    return since is not None and last_modified <= since


def _http_date(moment: datetime) -> str:
    return http_date(moment)


@bp.get("/event_registration/<event_id>/calendar.ics")
def event_feed(event_id: str) -> Response:
    eid = path_int("id", event_id)
    app, who = services().app, caller()
    row = _feeds().event(eid)
    if row is None:
        app.registration_for_reading(eid, who.user_id)  # EventNotFound
        raise errors.EventNotFound()  # not projected yet
    feed = feed_key("e", eid)
    found = _feeds().revision(feed, _reader(who.account))
    if eid in _restricted(found):  # EventNotFound but to those who may see it (its moderators...)
        app.registration_for_reading(eid, who.user_id)
    if (
        row.deleted_at is not None
        and datetime.fromisoformat(row.deleted_at) < services().clock.now() - CANCELLED_FOR
    ):
        raise errors.RegistrationDeletedOnGet()
    return _serve(feed, found, who.account, {"event_id": eid})


@bp.get("/organizer/<user_id>/calendar.ics")
def organizer_feed(user_id: str) -> Response:
    uid = path_int("user_id", user_id)
    feed = feed_key(ORGANIZER, uid)
    account = caller().account
    found = _feeds().revision(feed, _reader(account))
    if found.stamp is None:
        services().app.existing_account(uid)  # 404 for nobody; an empty calendar otherwise
    return _serve(feed, found, account, {"user": (ORGANIZER, uid)})


@bp.get("/participant/feed/<secret>.ics")
def participant_feed(secret: str) -> Response:
    owner = _feeds().user_of_secret(token_hash(secret)) if len(secret) == 64 else None
    if owner is None:
        raise scheduling.FeedNotFound()
    feed = feed_key(PARTICIPANT, owner)
    account = services().app.account(owner)
    return _serve(feed, _feeds().revision(feed, _reader(account)), account, {"user": (PARTICIPANT, owner)})


@bp.get("/participant/self/calendar_url")
def calendar_url() -> Response:
    account = caller().account
    if account is None:
        raise scheduling.FeedUrlAnonymous()
    live = scheduling.feed_url_of(account)
    secret = None if live is None else _secret(live["nonce"])
    if live is None or secret is None or token_hash(secret) != live["secret_hash"]:
        nonce = secrets.token_hex(16)
        secret = _secret(nonce)
        cmd = scheduling.IssueFeedUrl(account.user_id, nonce, token_hash(secret))
        services().written(handlers.issue_feed_url(services().app, cmd))
    return jsonify({"url": _absolute(FEED_PATH.format(secret=secret))})


@bp.delete("/participant/self/calendar_url")
def revoke_calendar_url() -> tuple[str, int]:
    body = load_body(BodySchema)
    require_csrf(body["token"])
    account = caller().account
    if account is None:
        raise scheduling.FeedUrlAnonymous()
    services().written(handlers.revoke_feed_url(services().app, scheduling.RevokeFeedUrl(account.user_id)))
    return "", 204


def _secret(nonce: str) -> str:
    """The feed secret of ``nonce``: an HMAC under the service's key (the log keeps only its hash)."""
    key = services().settings.secret_key.encode()
    return hmac.new(key, f"calendar-feed:{nonce}".encode(), hashlib.sha256).hexdigest()


def _absolute(path: str) -> str:
    base = services().settings.base_url or request.host_url.rstrip("/")
    return f"{base}{path}"
