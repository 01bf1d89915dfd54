"""Hostile request bodies on every write route: each must be refused with a 4xx in the error envelope,
never a 5xx, and must store nothing.

Every write route the app serves (POST/PUT/PATCH/DELETE under ``/campaignevents/v0`` and ``/auth``;
``test_every_write_route_is_covered`` fails for one without an entry in ``ROUTES``) is called by the
event's creator with a bearer token, so permission is never the first failure. Each route has a
*base* body that the route accepts (``test_base_bodies_are_accepted``); the properties break it in
exactly one way that MediaWiki's REST rules (``/work/shared/API.md`` "Conventions",
``campaignevents-behaviour.md`` §0.3/§0.4) must refuse:

* malformed JSON bytes (truncated, mangled, not UTF-8, bare scalars);
* a field of a wrong JSON type, or an extraneous field;
* huge strings where they cannot be valid, in bodies up to ~1 MB; bodies over the 1 MiB limit (413);
* unicode edge cases (NUL and other controls, lone surrogates escaped in JSON, bidi marks, emoji and
  ZWJ sequences, combining marks, BOM, U+FFFD, non-characters) where they cannot be valid;
* out-of-range numbers (huge, negative, fractional) where they cannot be valid;
* deeply nested arrays and objects (up to 200 levels; deeper is a parse error, see below).

"Refused" means: a 4xx status; a JSON body that a strict parser reads (no ``NaN``); the envelope's
keys in the documented order (``error``, ``name``, ``value``, ``failureCode``, ``failureData``,
``errorKey``, ``messageTranslations``, ``httpCode``, ``httpReason``; an extraneous field's envelope
has ``error``, ``failureCode``, ``name``, ``failureData`` first, as observed; a bare refusal only
``httpCode``/``httpReason``); ``httpCode`` equal to the status; and the event store's last
notification id unchanged.

Each property test reuses one app and one prepared event for all its examples (the function-scoped
fixtures are shared across examples on purpose: a rejected request changes nothing, and the store
check proves it).

The cases this suite once found broken (top-level arrays, UTF-16 bodies, lone surrogates, NaN,
deep nesting, 64-bit ids, null list items, oversized addresses, look-alike timezones) are pinned one
by one at the end as regression tests; a ``KNOWN_*`` list turns a route's case into a strict xfail
should a new one be found.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from werkzeug.http import HTTP_STATUS_CODES

from api.app import MAX_BODY_BYTES
from api.ops import limiter
from domain import commands, credentials
from domain.details import DetailsInput
from domain.validation import parse_title
from projections.dispatcher import NAME as DISPATCHER
from tests.api.helpers import raw, stop_projector
from tests.conftest import registration_body

V0 = "/campaignevents/v0"
EVENT = V0 + "/event_registration/<event_id>"
# The envelopes' documented key lists (campaignevents-observed.md "Error response format"): an
# extension error, a parameter-validation failure, an extraneous body field, the bare refusal.
ENVELOPES = tuple(
    keys.split()
    for keys in (
        "errorKey messageTranslations httpCode httpReason",
        "error name value failureCode failureData errorKey messageTranslations httpCode httpReason",
        "error failureCode name failureData errorKey messageTranslations httpCode httpReason",
        "httpCode httpReason",
    )
)
PARSE_ERROR = "rest-json-body-parse-error"
HYPOTHESIS = settings(
    max_examples=50,
    deadline=None,
    # one app per test function, shared by its examples on purpose (see the module docstring)
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


# --- the routes -------------------------------------------------------------------------------------
# Kinds of field, by what makes a value of them invalid whatever the rest of the body says.
TITLE = "title"  # event_page
TIMEZONE = "timezone"
TIMESTAMP = "timestamp"  # strings and JSON integers are read
ENUM = "enum"  # status
URL = "url"  # meeting_url / chat_url (the base event is online: a URL must be valid)
NOT_IN_PERSON = "not-in-person"  # meeting_country / meeting_address (the base event is online only)
TOOL = "tool"  # tracking tool fields: none is configured, any value is refused
TEXT = "text"  # e-mail subject/message: any non-empty string is valid
BOOL = "bool"
TOKEN = "token"  # with bearer auth, null and "" pass; anything else is refused
WIKIS = "wikis"  # array of known wiki ids
INTS = "ints"  # array of user ids
USERNAMES = "usernames"  # array of user names
ANSWERS = "answers"  # {"<question name>": {"value": int, "other": str}}
TITLES_BY_WIKI = "titles-by-wiki"  # {"<wiki id>": ["Title", ...]}
LOGIN_NAME = "login-name"
PASSWORD = "password"
LIMIT = "limit"  # participant_limit: a positive integer or null
HIDDEN = "hidden"  # moderation: -1, 0 or 1
CALENDAR = "calendar"  # calendar_id: an id (an unknown one is 404)
HTML = "html"  # description_html: any string of at most 65,536 characters
TAGS = "tags"  # array of labels of 1-50 printable characters, no comma
PREFIX = "prefix"  # a label of 1-50 printable characters
PLACE = "place"  # location / venue: an object of known keys, or null
SESSIONS = "sessions"  # [{"id", "start", "end", ...}]
RECURRENCE = "recurrence"  # an RRULE of at most 1000 characters
DATES = "dates"  # array of YYYY-MM-DD (or timestamps)

STRINGY = {
    TITLE,
    TIMEZONE,
    TIMESTAMP,
    ENUM,
    URL,
    NOT_IN_PERSON,
    TOOL,
    TEXT,
    TOKEN,
    LOGIN_NAME,
    PASSWORD,
    HTML,
    PREFIX,
    RECURRENCE,
}


class Ctx:
    """The prepared world of one test function: the creator's bearer client and an event with a
    participant. (A plain class: failing examples print it as one short line.)"""

    def __init__(
        self,
        client: Any,
        services: Any,
        event_id: int,
        page: str,
        participant_id: int,
        password: str,
        pending_id: int = 0,
        clock: Any = None,
    ) -> None:
        self.client = client
        self.services = services
        self.event_id = event_id
        self.page = page
        self.participant_id = participant_id
        self.password = password
        self.pending_id = pending_id  # a request awaiting the organizers' approval
        self.clock = clock

    def __repr__(self) -> str:
        return f"Ctx(event_id={self.event_id})"


@dataclass(frozen=True)
class Route:
    id: str
    method: str
    rule: str
    base: Callable[[Ctx], dict[str, Any]]
    fields: dict[str, tuple[str, bool]]  # field -> (kind, required), in the schema's order
    target: str = "participant_id"  # the Ctx attribute a <userid> in the rule stands for
    prepare: Callable[[Ctx], None] | None = None  # what the base body needs of the world besides

    def path(self, ctx: Ctx) -> str:
        path = self.rule.replace("<event_id>", str(ctx.event_id))
        return path.replace("<userid>", str(getattr(ctx, self.target)))

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How Hypothesis shows it in a failing example: one short line."""
        printer.text(f"<{self.method} {self.rule}>")


REGISTRATION_FIELDS: dict[str, tuple[str, bool]] = {
    "event_page": (TITLE, True),
    "chat_url": (URL, False),
    "wikis": (WIKIS, True),
    "tracking_tool_id": (TOOL, False),
    "tracking_tool_event_id": (TOOL, False),
    "timezone": (TIMEZONE, True),
    "start_time": (TIMESTAMP, True),
    "end_time": (TIMESTAMP, True),
    "online_meeting": (BOOL, False),
    "inperson_meeting": (BOOL, False),
    "meeting_url": (URL, False),
    "meeting_country": (NOT_IN_PERSON, False),
    "meeting_address": (NOT_IN_PERSON, False),
    "token": (TOKEN, False),
}
ONLY_TOKEN: dict[str, tuple[str, bool]] = {"token": (TOKEN, False)}
SESSION = {"id": "day-1", "start": "20300101100000", "end": "20300101120000", "title": "Morning"}

ROUTES: tuple[Route, ...] = (
    Route(
        "create",
        "POST",
        V0 + "/event_registration",
        lambda c: registration_body("Event:Hostile new"),
        REGISTRATION_FIELDS,
    ),
    Route(
        "edit",
        "PUT",
        EVENT,
        lambda c: registration_body(c.page, status="open"),
        {**REGISTRATION_FIELDS, "status": (ENUM, True)},
    ),
    Route("delete", "DELETE", EVENT, lambda c: {}, ONLY_TOKEN),
    Route(
        "register",
        "PUT",
        EVENT + "/participants/self",
        lambda c: {"is_private": False},
        {"is_private": (BOOL, True), "answers": (ANSWERS, False), "token": (TOKEN, False)},
    ),
    Route("cancel", "DELETE", EVENT + "/participants/self", lambda c: {}, ONLY_TOKEN),
    Route(
        "remove participants",
        "DELETE",
        EVENT + "/participants",
        lambda c: {"user_ids": [c.participant_id]},
        {"user_ids": (INTS, False), "invert_users": (BOOL, False), "token": (TOKEN, False)},
    ),
    Route(
        "set organizers",
        "PUT",
        EVENT + "/organizers",
        lambda c: {"organizer_usernames": ["Creator"]},
        {"organizer_usernames": (USERNAMES, True), "token": (TOKEN, False)},
    ),
    Route(
        "email",
        "POST",
        EVENT + "/email",
        lambda c: {"subject": "Hello", "message": "See you there"},
        {
            "subject": (TEXT, True),
            "message": (TEXT, True),
            "user_ids": (INTS, False),
            "invert_users": (BOOL, False),
            "ccme": (BOOL, False),
            "token": (TOKEN, False),
        },
    ),
    Route(
        "change worklist",
        "PATCH",
        EVENT + "/worklist",
        lambda c: {"add": {"local": ["Main Page"]}},
        {"add": (TITLES_BY_WIKI, False), "remove": (TITLES_BY_WIKI, False), "token": (TOKEN, False)},
    ),
    Route(
        "login",
        "POST",
        "/auth/login",
        lambda c: {"username": "Creator", "password": c.password},
        {"username": (LOGIN_NAME, True), "password": (PASSWORD, True)},
    ),
    Route("logout", "POST", "/auth/logout", lambda c: {}, ONLY_TOKEN),
    Route(
        "places",
        "PUT",
        EVENT + "/places",
        lambda c: {"participant_limit": 10, "waitlist": True, "requires_approval": True},
        {
            "participant_limit": (LIMIT, False),
            "waitlist": (BOOL, True),
            "requires_approval": (BOOL, True),
            "token": (TOKEN, False),
        },
    ),
    Route(
        "approval",
        "POST",
        EVENT + "/participants/<userid>/approval",
        lambda c: {"approve": True},
        {"approve": (BOOL, True), "token": (TOKEN, False)},
        target="pending_id",
    ),
    Route(
        "check in",
        "PUT",
        EVENT + "/participants/<userid>/check_in",
        lambda c: {},
        ONLY_TOKEN,
        prepare=lambda c: _during_the_event(c),
    ),
    Route(
        "undo check in",
        "DELETE",
        EVENT + "/participants/<userid>/check_in",
        lambda c: {},
        ONLY_TOKEN,
        prepare=lambda c: _during_the_event(c),
    ),
    Route(
        "schedule",
        "PUT",
        EVENT + "/schedule",
        lambda c: {"sessions": [dict(SESSION)], "recurrence": "FREQ=WEEKLY;COUNT=3", "exceptions": []},
        {
            "sessions": (SESSIONS, True),
            "recurrence": (RECURRENCE, False),
            "exceptions": (DATES, False),
            "token": (TOKEN, False),
        },
    ),
    Route(
        "content",
        "PUT",
        EVENT + "/content",
        lambda c: {"description_html": "<p>Hello</p>", "tags": ["Outdoor"], "prefix": "Meetup"},
        {
            "description_html": (HTML, False),
            "tags": (TAGS, False),
            "prefix": (PREFIX, False),
            "location": (PLACE, False),
            "venue": (PLACE, False),
            "calendar_id": (CALENDAR, False),
            "token": (TOKEN, False),
        },
    ),
    Route(
        "moderation",
        "PUT",
        EVENT + "/moderation",
        lambda c: {"locked": False, "hidden": 0, "featured": True},
        {
            "locked": (BOOL, False),
            "hidden": (HIDDEN, False),
            "featured": (BOOL, False),
            "token": (TOKEN, False),
        },
    ),
    Route("revoke calendar url", "DELETE", V0 + "/participant/self/calendar_url", lambda c: {}, ONLY_TOKEN),
)
BY_ID = {r.id: r for r in ROUTES}


def _during_the_event(ctx: Ctx) -> None:
    """Check-in is open from the event's start (2030-01-01 09:00 UTC) to a week after its end, for
    a participant who holds a place (the participant's request, undecided, is pending while approval
    is required: it is no longer)."""
    ctx.clock.current = datetime(2030, 1, 1, 9, 30, tzinfo=UTC)
    no_approval = commands.SetPlaces(ctx.client.user.user_id, ctx.event_id, None, False, False)
    ctx.services.written(ctx.services.app.set_places(no_approval).position)


def routes(*marks: tuple[str, str]) -> list[Any]:
    """Every route as a pytest param; ``(route id, reason)`` pairs become strict xfails."""
    known = dict(marks)
    assert set(known) <= set(BY_ID), set(known) - set(BY_ID)
    return [
        pytest.param(
            r, id=r.id, marks=[pytest.mark.xfail(strict=True, reason=known[r.id])] if r.id in known else []
        )
        for r in ROUTES
    ]


# --- the world and the checks ----------------------------------------------------------------------------
@pytest.fixture
def ctx(api: Any, make_user: Any, services: Any, monkeypatch: Any, clock: Any) -> Iterator[Ctx]:
    """The creator, an event it enabled, a participant and (once approval is required) a pending
    request (made through the application service:
    HTTP would wait for the read models after each write; ``test_base_bodies_are_accepted`` is the
    HTTP control)."""
    monkeypatch.setattr(credentials, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    creator = make_user("Creator", "event-organizer")
    participant = make_user("Participant")
    page = "Event:Hostile"
    body = registration_body(page)
    title = parse_title(page)
    assert title is not None
    details = DetailsInput(
        page=title,
        timezone=body["timezone"],
        start=body["start_time"],
        end=body["end_time"],
        wikis=body["wikis"],
        online=True,
        meeting_url=body["meeting_url"],
        chat_url=body["chat_url"],
    )
    app = services.app
    event_id = app.enable_registration(commands.EnableRegistration(creator.user_id, details)).event_id
    app.register_participant(commands.RegisterParticipant(participant.user_id, event_id, False))
    app.set_places(commands.SetPlaces(creator.user_id, event_id, None, False, True))
    pending = make_user("Pending")
    app.register_participant(commands.RegisterParticipant(pending.user_id, event_id, False))
    # the registrations' jobs and the places fold record facts of their own (confirmation, the
    # pending decision): let them all finish before measuring
    for _ in range(3):
        assert services.queue.wait_idle()
        head = app.recorder.max_notification_id() or 0
        services.written(head)
        for name in ("catalog", "places", DISPATCHER):
            assert services.store.wait_for(head, name, timeout=10)
    yield Ctx(
        api(creator), services, event_id, page, participant.user_id, creator.password, pending.user_id, clock
    )
    stop_projector(services)


def _no_constants(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def strict_json(data: bytes) -> Any:
    """RFC 8259 JSON only: UTF-8, no NaN/Infinity."""
    return json.loads(data.decode("utf-8"), parse_constant=_no_constants)


def send(ctx: Ctx, route: Route, body: bytes) -> Any:
    if route.id == "login":
        limiter.reset()  # the login rate limit would answer 429 after ten examples
    return raw(ctx.client, route.method, route.path(ctx), data=body, content_type="application/json")


def last_notification(ctx: Ctx) -> int:
    found: int | None = ctx.services.app.recorder.max_notification_id()
    return found or 0


def refused(ctx: Ctx, route: Route, body: bytes) -> dict[str, Any]:
    """Send ``body``; assert it is refused as the module docstring says; return the envelope."""
    before = last_notification(ctx)
    resp = send(ctx, route, body)
    after = last_notification(ctx)
    shown = body[:300] + (b"..." if len(body) > 300 else b"")
    data = resp.get_data()
    assert 400 <= resp.status_code < 500, (
        f"{route.method} {route.rule} {shown!r} -> {resp.status_code} {data[:300]!r}"
    )
    assert after == before, f"{shown!r} stored something ({before} -> {after}) and got {resp.status_code}"
    assert resp.mimetype == "application/json", (shown, resp.mimetype)
    try:
        envelope = strict_json(data)
    except ValueError as error:
        raise AssertionError(
            f"{shown!r}: the response is not strict JSON ({error}): {data[:300]!r}"
        ) from None
    assert isinstance(envelope, dict), envelope
    keys = list(envelope)
    assert keys in ENVELOPES, f"envelope keys not as documented: {keys}"
    assert envelope["httpCode"] == resp.status_code
    assert envelope["httpReason"] == HTTP_STATUS_CODES[resp.status_code]
    if "messageTranslations" in envelope:
        assert list(envelope["messageTranslations"]) == ["en"]
        assert isinstance(envelope["messageTranslations"]["en"], str)
    return envelope


def dumps(body: Any, *, ascii_only: bool = True) -> bytes:
    return json.dumps(body, ensure_ascii=ascii_only, allow_nan=False).encode("utf-8")


def test_every_write_route_is_covered(flask_app: Any) -> None:
    served = {
        (method, rule.rule)
        for rule in flask_app.url_map.iter_rules()
        if rule.rule.startswith((V0 + "/", "/auth/"))
        # Wild Apricot's /auth/token answers in OAuth's shape: tests/api/test_dialects_hostile.py
        and not rule.endpoint.startswith("wildapricot.")
        for method in rule.methods or ()
        if method in ("POST", "PUT", "PATCH", "DELETE")
    }
    assert served == {(r.method, r.rule) for r in ROUTES}


@pytest.mark.parametrize("route", routes())
def test_base_bodies_are_accepted(ctx: Ctx, route: Route) -> None:
    """The control: every property below breaks an accepted body in one way."""
    if route.prepare is not None:
        route.prepare(ctx)
    resp = send(ctx, route, dumps(route.base(ctx)))
    assert 200 <= resp.status_code < 300, resp.get_data()


# --- value strategies --------------------------------------------------------------------------------------
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
containers = st.lists(json_values, max_size=3) | st.dictionaries(st.text(max_size=6), json_values, max_size=3)
numbers = st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False)
not_strings = st.booleans() | numbers | containers  # and not null
not_timestamps = st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | containers  # (ints: Unix)
not_bools = st.text(max_size=12) | numbers | containers
not_ints = (
    st.text(max_size=12) | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | containers
)
non_empty_lists = st.lists(json_values, min_size=1, max_size=3)
small_dicts = st.dictionaries(st.text(max_size=4), json_values, max_size=2)
not_arrays = st.text(max_size=8) | numbers | st.booleans() | small_dicts  # and not null
not_objects = st.text(max_size=8) | numbers | st.booleans() | non_empty_lists  # [] reads as {}

# Unicode edge cases. HARD ones survive MediaWiki's title/user-name normalisation (bidi marks and
# space-like characters are stripped or folded, so they cannot make a value invalid on their own).
CONTROLS = ("\x00", "\x01", "\x1f", "\x7f", "\x85", "\x9f")
SURROGATES = ("\ud800", "\udbff", "\udc00", "\udfff", "\udc00\ud800")  # lone, or a reversed pair
HARD = (
    *CONTROLS,
    "\u0301",  # combining acute accent
    "e\u0301\u0327\u0308",  # stacked combining marks
    "\u200b",  # zero width space
    "\u200d",  # zero width joiner
    "\ufeff",  # BOM / zero width no-break space
    "\ufffd",  # replacement character
    "\uffff",  # non-character
    "\U0001f600",  # emoji
    "\U0001f469\u200d\U0001f4bb",  # ZWJ emoji sequence
    "\U0001f1fa\U0001f1f8",  # flag (regional indicators)
    "\U000e0001",  # language tag
    "\u0627\u0644\u0639",  # Arabic (RTL)
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew (RTL)
)
SOFT = (
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u00a0",
    "\u3000",
)
# (not NUL: MediaWiki trims it off the ends of titles and names, like PHP's trim())
ILLEGAL_IN_TITLE = (*CONTROLS[1:], "\ufffd")
ILLEGAL_IN_USERNAME = (*ILLEGAL_IN_TITLE, "#", "<", ">", "[", "]", "|", "{", "}", "/", "@", ":")
VISIBLE = tuple(h for h in HARD if h.strip())  # a URL that is blank once trimmed is "not given"


def edge_text(required: tuple[str, ...], *, surrogates: bool = True) -> st.SearchStrategy[str]:
    """A string mixing ASCII, edge cases and (optionally) lone surrogates, holding at least one of
    ``required``."""
    pieces = st.sampled_from(("a", "Z", "7", " ", "-", *HARD, *SOFT, *(SURROGATES if surrogates else ())))
    return st.builds(
        lambda before, must, after: _unpaired("".join(before) + must + "".join(after)),
        st.lists(pieces, max_size=6),
        st.sampled_from(required),
        st.lists(pieces, max_size=6),
    )


def _unpaired(text: str) -> str:
    """``text`` with an ``a`` between a high surrogate and a low one right after it: the two pieces
    side by side would be a valid pair (``"\\ud800\\udc00"`` in JSON is U+10000, a valid
    character), not the lone surrogates they stand for."""
    return re.sub("([\ud800-\udbff])(?=[\udc00-\udfff])", "\\1a", text)


def one_of_list(item: st.SearchStrategy[Any], valid: list[Any]) -> st.SearchStrategy[list[Any]]:
    """A list holding ``item`` somewhere among valid items."""
    return st.builds(lambda before, bad, after: [*before, bad, *after], st.just(valid), item, st.just([]))


# Each builder returns the strategy of invalid values of a kind for one category, or None when that
# category cannot make the kind invalid (a huge e-mail subject is a valid subject).
def wrong_type(kind: str, required: bool) -> st.SearchStrategy[Any]:
    null = [st.none()] if required else []
    if kind == TIMESTAMP:  # JSON integers are timestamps too
        return st.one_of(not_timestamps, *null)
    if kind == TOKEN:
        return not_strings | st.text(min_size=1, max_size=12)
    if kind in STRINGY:
        return st.one_of(not_strings, *null)
    if kind == BOOL:
        return st.one_of(not_bools, *null)
    if kind == WIKIS:
        unknown = st.text(max_size=8).filter(lambda w: w not in ("local", "enwiki", "frwiki", "*"))
        return st.one_of(not_arrays, one_of_list(not_strings, ["local"]), one_of_list(unknown, []), *null)
    if kind == INTS:  # [null] and huge ints are known bugs (below)
        return not_arrays | one_of_list(not_ints, [])
    if kind == USERNAMES:  # [null] is a known bug (below)
        return st.one_of(not_arrays, one_of_list(not_strings, ["Creator"]), *null)
    if kind == ANSWERS:  # an answer must be an object with an integer "value"
        not_an_answer = not_strings.filter(lambda v: not isinstance(v, dict)) | st.text()
        return st.one_of(
            not_objects,
            st.fixed_dictionaries({"gender": not_an_answer}),
            st.fixed_dictionaries({"gender": st.fixed_dictionaries({"value": not_ints})}),
        )
    if kind == TITLES_BY_WIKI:  # the titles of a wiki must be an array of strings
        return st.one_of(
            not_objects,
            st.fixed_dictionaries({"local": st.none() | not_arrays}),
            st.fixed_dictionaries({"local": one_of_list(not_strings, ["Main Page"])}),
        )
    if kind in (LIMIT, HIDDEN, CALENDAR):  # null is "not given" (for a limit: none)
        return not_ints
    if kind == TAGS:
        return not_arrays | one_of_list(not_strings, ["Outdoor"])
    if kind == PLACE:  # an object of known keys only
        return not_objects | st.dictionaries(st.sampled_from(["k", "x", "lat"]), json_values, min_size=1)
    if kind == SESSIONS:
        return st.one_of(
            st.none(),
            not_arrays,
            one_of_list(not_objects, [SESSION]),
            st.sampled_from(["id", "title"]).flatmap(
                lambda name: not_strings.map(lambda v: [{**SESSION, name: v}])
            ),
            st.sampled_from(["start", "end"]).flatmap(  # a session's times are timestamps (integers too)
                lambda name: (not_timestamps | st.none()).map(lambda v: [{**SESSION, name: v}])
            ),
        )
    if kind == DATES:
        return not_arrays | one_of_list(
            st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | containers, []
        )
    raise AssertionError(kind)


def _huge(pattern: str, size: int) -> str:
    """``pattern`` repeated to about ``size`` bytes of JSON (escapes counted)."""
    escaped = len(json.dumps(pattern, ensure_ascii=False)[1:-1].encode("utf-8"))
    return pattern * max(1, size // escaped)


def huge_strings(min_size: int, alphabet: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        _huge,
        st.text(alphabet=alphabet, min_size=1, max_size=8),
        st.sampled_from([min_size, 100_000, 500_000, HUGE]) | st.integers(min_size, HUGE),
    )


HUGE = MAX_BODY_BYTES - 20_000  # a huge string, with the rest of the body, stays under the limit
NO_SURROGATES = st.characters(exclude_categories=["Cs"])
# no whitespace (a blank URL reads as "not given") and no "/" (never "//host")
NOT_A_URL = st.characters(exclude_categories=["Cs", "Zs", "Zl", "Zp", "Cc"], exclude_characters="/")


def huge(kind: str) -> st.SearchStrategy[Any] | None:
    big = huge_strings(10_000, NO_SURROGATES)
    if kind in (TITLE, TIMEZONE, TIMESTAMP, ENUM, NOT_IN_PERSON, TOOL, TOKEN, LOGIN_NAME, PASSWORD, BOOL):
        return big.map(lambda s: "Event:" + s) if kind == TITLE else big
    if kind == URL:
        return huge_strings(10_000, NOT_A_URL)
    if kind in (WIKIS, USERNAMES, INTS, TAGS, DATES):
        return big.map(lambda s: [s])
    if kind in (LIMIT, HIDDEN, CALENDAR, PREFIX, RECURRENCE):
        return big
    if kind == HTML:  # more than 65,536 characters
        return huge_strings(70_000, st.sampled_from("abcxyz<>"))
    if kind == PLACE:
        return big.map(lambda s: {"city": s}) | big.map(lambda s: {"title": s})
    if kind == SESSIONS:
        return big.map(lambda s: [{**SESSION, "title": s}]) | big.map(lambda s: [{**SESSION, "id": s}])
    if kind == ANSWERS:
        return big | big.map(lambda s: {"gender": s}) | big.map(lambda s: [s])
    if kind == TITLES_BY_WIKI:
        return big.map(lambda s: {s: ["Main Page"]}) | big.map(
            lambda s: {"local": ["Main Page", "Event:" + s]}
        )
    return None  # TEXT: any string is a valid subject or message


def unicode_edge(kind: str) -> st.SearchStrategy[Any] | None:
    """Edge strings where they cannot be valid. Lone surrogates go everywhere except titles, user
    names and passwords (known bugs, below)."""
    anything = edge_text(HARD)
    if kind == TITLE:
        return edge_text(ILLEGAL_IN_TITLE, surrogates=False).map(lambda s: "Event:" + s)
    if kind in (TIMEZONE, TIMESTAMP, ENUM, NOT_IN_PERSON, TOOL, BOOL):
        return anything
    if kind == TOKEN:
        return anything  # non-empty: an extraneous CSRF token
    if kind == URL:  # no "/": never "//host"
        return edge_text(VISIBLE)
    if kind in (LOGIN_NAME, PASSWORD):
        return edge_text(HARD, surrogates=False)
    if kind in (WIKIS, INTS):
        return anything.map(lambda s: [s])
    if kind == USERNAMES:
        return edge_text(ILLEGAL_IN_USERNAME, surrogates=False).map(lambda s: [s])
    if kind == ANSWERS:
        return anything | anything.map(lambda s: {"gender": {"value": s}})
    if kind == TITLES_BY_WIKI:
        return anything.map(lambda s: {s: ["Main Page"]}) | edge_text(ILLEGAL_IN_TITLE, surrogates=False).map(
            lambda s: {"local": [s]}
        )
    if kind in (LIMIT, HIDDEN, CALENDAR, RECURRENCE):
        return anything
    if kind == HTML:  # any string is HTML: only what is not a string of characters
        return edge_text(SURROGATES)
    if kind == PREFIX:  # not printable
        return edge_text(CONTROLS)
    if kind in (TAGS, DATES):
        return edge_text(CONTROLS).map(lambda s: [s])
    if kind == PLACE:
        return edge_text(CONTROLS).map(lambda s: {"city": s}) | anything.map(lambda s: {s: "x"})
    if kind == SESSIONS:
        return anything.map(lambda s: [{**SESSION, "start": s}]) | anything.map(
            lambda s: [{**SESSION, "id": s}]
        )
    return None


def out_of_range(kind: str) -> st.SearchStrategy[Any] | None:
    """Numbers where they cannot be valid: huge (beyond 64 bits), negative, fractional."""
    finite = st.floats(allow_nan=False, allow_infinity=False)
    if kind == TIMESTAMP:  # |n| >= 1e14 is out of range as TS_MW and as Unix seconds
        return finite | st.integers(10**14, 2**80) | st.integers(-(2**80), -(10**14))
    if kind == INTS:  # huge ints in user_ids are known bugs (below); negative ids are valid ids
        return finite.map(lambda f: [f]) | numbers
    if kind == ANSWERS:
        return numbers | st.fixed_dictionaries(
            {
                "gender": st.fixed_dictionaries(
                    {"value": finite | st.integers(6, 2**80) | st.integers(-(2**80), -1)}
                )
            }
        )
    if kind in (WIKIS, USERNAMES, TITLES_BY_WIKI):
        return numbers | numbers.map(lambda n: [n]) | numbers.map(lambda n: {"local": [n]})
    beyond_64_bits = st.integers(2**63, 2**80) | st.integers(-(2**80), -(2**63) - 1)
    if kind == LIMIT:  # positive, within 64 bits
        return finite | st.integers(-(2**70), 0) | beyond_64_bits
    if kind == HIDDEN:
        return finite | st.integers(2, 2**80) | st.integers(-(2**80), -2)
    if kind == CALENDAR:  # no calendar has such an id
        return finite | beyond_64_bits | st.integers(-(2**62), 0)
    if kind in (TAGS, PLACE):
        return numbers | numbers.map(lambda n: [n]) | numbers.map(lambda n: {"city": n})
    if kind == DATES:
        return numbers | finite.map(lambda f: [f]) | st.integers(10**14, 2**80).map(lambda n: [n])
    if kind == SESSIONS:
        far = st.integers(10**14, 2**80) | st.integers(-(2**80), -(10**14))
        latitudes = st.floats(90.001, 1e300) | st.floats(-1e300, -90.001)
        return (
            numbers
            | far.map(lambda n: [{**SESSION, "start": n}])
            | latitudes.map(lambda x: [{**SESSION, "coordinates": {"latitude": x, "longitude": 0}}])
        )
    return numbers  # every other kind is a string or a boolean


def nested(kind: str) -> st.SearchStrategy[Any] | None:
    """Arrays and objects nested 2 to 200 deep (deeper is a known bug, below)."""

    def build(shape: list[str], leaf: Any) -> Any:
        value = leaf
        for wrapper in reversed(shape):
            value = [value] if wrapper == "[" else {"k": value}
        return value

    deep = st.builds(build, st.lists(st.sampled_from("[{"), min_size=2, max_size=200), scalars)
    if kind == ANSWERS:
        return deep.filter(lambda v: isinstance(v, list)) | deep.map(lambda v: {"gender": v})
    if kind == TITLES_BY_WIKI:
        return deep.filter(lambda v: isinstance(v, list)) | deep.map(lambda v: {"local": v})
    return deep


EXTRANEOUS_KEYS = edge_text(HARD) | st.text(min_size=1)


def broken_body(
    ctx: Ctx,
    route: Route,
    data: st.DataObject,
    values: Callable[[str, bool], st.SearchStrategy[Any] | None],
    keys: st.SearchStrategy[str] = EXTRANEOUS_KEYS,
) -> tuple[dict[str, Any], str]:
    """The base body with one field given an invalid value (or one extraneous field added);
    returns the body and the name of the broken field."""
    choices = [
        (name, s)
        for name, (kind, required) in route.fields.items()
        if (s := values(kind, required)) is not None
    ]
    extraneous = values("extraneous", False)
    name = data.draw(
        st.sampled_from([n for n, _ in choices] + (["<extraneous>"] if extraneous is not None else []))
    )
    body = route.base(ctx)
    if name == "<extraneous>":
        assert extraneous is not None
        name = data.draw(keys, "key")
        assume(name not in route.fields)
        body[name] = data.draw(extraneous, "value")
        return body, name
    body[name] = data.draw(dict(choices)[name], name)
    return body, name


def extraneous_values(category: Callable[[str], st.SearchStrategy[Any] | None]) -> Callable[..., Any]:
    """``category`` for the fields, and for an extraneous field any value of that category."""

    def values(kind: str, required: bool) -> st.SearchStrategy[Any] | None:
        if kind == "extraneous":
            return category(BOOL)  # every value is wrong for a boolean: any of them will do
        return category(kind)

    return values


# --- the properties ---------------------------------------------------------------------------------------
def _mangled(base: bytes, data: st.DataObject) -> bytes:
    how = data.draw(st.sampled_from(["truncate", "delete", "insert", "quotes", "junk", "twice"]))
    if how == "truncate":
        return base[: data.draw(st.integers(1, len(base) - 1))]
    if how == "delete":
        at = data.draw(st.integers(0, len(base) - 1))
        return base[:at] + base[at + 1 :]
    if how == "insert":
        at = data.draw(st.integers(0, len(base)))
        junk = data.draw(
            st.sampled_from([b"{", b"}", b"[", b"]", b",", b":", b'"', b"\\", b"'", b"x", b"\x00", b"\xff"])
        )
        return base[:at] + junk + base[at:]
    if how == "quotes":
        return base.replace(b'"', b"'")
    if how == "junk":
        return base + data.draw(st.sampled_from([b"x", b" //", b"/* c */", b",", b"}", b"\xc3"]))
    return base + base


def _lax_container(body: bytes) -> bool:
    """Whether Python's lax parser would read a JSON array or object (UTF-16/32 included): the
    known-bug territory of top-level arrays and non-UTF-8 bodies, and any body that is valid."""
    try:
        return isinstance(json.loads(body), (list, dict))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False


@pytest.mark.parametrize("route", routes())
@HYPOTHESIS
@given(data=st.data())
def test_malformed_json_is_a_parse_error(ctx: Ctx, route: Route, data: st.DataObject) -> None:
    base = dumps(route.base(ctx)) if route.base(ctx) else b'{"token":""}'
    body = data.draw(
        st.one_of(
            st.binary(min_size=1, max_size=64),
            st.text(min_size=1, max_size=64).map(lambda t: t.encode("utf-8", "surrogatepass")),
            st.just(None),  # a mangled base body
            scalars.map(lambda v: json.dumps(v).encode()),  # valid JSON, not an object
        )
    )
    if body is None:
        body = _mangled(base, data)
    assume(body != b"")  # an empty body is no body: {}
    assume(not _lax_container(body))
    envelope = refused(ctx, route, body)
    assert envelope["errorKey"] == PARSE_ERROR, envelope


@pytest.mark.parametrize("route", routes())
@HYPOTHESIS
@given(data=st.data())
def test_wrong_json_types_are_refused(ctx: Ctx, route: Route, data: st.DataObject) -> None:
    def values(kind: str, required: bool) -> st.SearchStrategy[Any]:
        return json_values if kind == "extraneous" else wrong_type(kind, required)

    body, name = broken_body(ctx, route, data, values)
    envelope = refused(ctx, route, dumps(body))
    assert envelope["httpCode"] in (400, 401), envelope  # 401: a wrong login name or password
    if envelope.get("errorKey") in ("rest-body-validation-error", "rest-extraneous-body-fields"):
        sent = json.loads(json.dumps(name))  # "\ud800\udc00" escapes arrive as one character
        assert envelope["name"] == sent, (name, envelope)


@pytest.mark.parametrize("route", routes())
@HYPOTHESIS
@given(data=st.data())
def test_huge_strings_are_refused(ctx: Ctx, route: Route, data: st.DataObject) -> None:
    body, _ = broken_body(ctx, route, data, extraneous_values(huge), st.text(NO_SURROGATES, min_size=1))
    raw_body = dumps(body, ascii_only=False)
    assert len(raw_body) <= MAX_BODY_BYTES
    event(f"body of {len(raw_body) // 100_000 * 100}-{len(raw_body) // 100_000 * 100 + 99} KB")
    refused(ctx, route, raw_body)


@pytest.mark.parametrize("route", routes())
@HYPOTHESIS
@given(data=st.data())
def test_bodies_over_the_limit_are_413(ctx: Ctx, route: Route, data: st.DataObject) -> None:
    size = data.draw(st.integers(MAX_BODY_BYTES + 1, MAX_BODY_BYTES + 300_000), "size")
    if data.draw(st.booleans(), "valid JSON"):
        body = dumps({**route.base(ctx), "padding": ""})
        body = body[:-2] + b"x" * (size - len(body)) + b'"}'
    else:
        body = data.draw(st.sampled_from([b"{", b"[", b"x", b"\xff"])) * size
    assert len(body) == size
    envelope = refused(ctx, route, body)
    assert envelope["httpCode"] == 413, envelope


@pytest.mark.parametrize("route", routes())
@HYPOTHESIS
@given(data=st.data())
def test_unicode_edge_cases_are_refused(ctx: Ctx, route: Route, data: st.DataObject) -> None:
    body, _ = broken_body(ctx, route, data, extraneous_values(unicode_edge))
    refused(ctx, route, dumps(body))  # lone surrogates travel as \\udXXX escapes


@pytest.mark.parametrize("route", routes())
@HYPOTHESIS
@given(data=st.data())
def test_out_of_range_numbers_are_refused(ctx: Ctx, route: Route, data: st.DataObject) -> None:
    body, _ = broken_body(ctx, route, data, extraneous_values(out_of_range))
    refused(ctx, route, dumps(body))


@pytest.mark.parametrize("route", routes())
@HYPOTHESIS
@given(data=st.data())
def test_deeply_nested_values_are_refused(ctx: Ctx, route: Route, data: st.DataObject) -> None:
    body, _ = broken_body(ctx, route, data, extraneous_values(nested))
    refused(ctx, route, dumps(body))


# --- once-known bugs, now regression tests -----------------------------------------------------------------
# Each test below states the reference's expectation; a route that breaks it again can be listed in the
# test's KNOWN_* list as a strict xfail with the observed behaviour as the reason.


def first_field(route: Route) -> str:
    return next(iter(route.fields))


def with_field(ctx: Ctx, route: Route, name: str, value: Any) -> dict[str, Any]:
    return {**route.base(ctx), name: value}


ARRAY_READ_AS_EMPTY = "a top-level JSON array is read as {} (api/params.py _json_object): "
KNOWN_ARRAY: list[tuple[str, str]] = []  # fixed: every case now refused as the reference says


@pytest.mark.parametrize("route", routes(*KNOWN_ARRAY))
def test_top_level_arrays_are_refused(ctx: Ctx, route: Route) -> None:
    """A non-empty JSON array is decoded by PHP to an array with keys 0, 1, ...: extraneous fields
    (ref §0.3, "Extraneous fields"; an empty array is an empty body)."""
    for body in (b"[1]", b'[{"token": ""}]', b"[[]]"):
        refused(ctx, route, body)


KNOWN_UTF16: list[tuple[str, str]] = []  # fixed: every case now refused as the reference says


@pytest.mark.parametrize("route", routes(*KNOWN_UTF16))
def test_utf16_and_utf32_bodies_are_a_parse_error(ctx: Ctx, route: Route) -> None:
    """JSON bodies are UTF-8 (RFC 8259 §8.1); PHP's json_decode reads nothing else."""
    text = json.dumps(route.base(ctx))
    for encoding in ("utf-16", "utf-16-le", "utf-32"):
        envelope = refused(ctx, route, text.encode(encoding))
        assert envelope["errorKey"] == PARSE_ERROR, (encoding, envelope)


IN_PERSON: dict[str, Any] = {"online_meeting": False, "meeting_url": ..., "inperson_meeting": True}
SURROGATE_CASES: list[tuple[str, str, Callable[[Ctx], dict[str, Any]]]] = [
    ("create", "event_page", lambda c: registration_body("Event:Lone \ud800")),
    ("create", "timezone", lambda c: registration_body("Event:Lone", timezone="Europe/\ud800")),
    (
        "create",
        "chat_url",
        lambda c: registration_body("Event:Lone", chat_url="https://chat.example.org/\ud800"),
    ),
    (
        "create",
        "meeting_url",
        lambda c: registration_body("Event:Lone", meeting_url="https://x.example.org/\udc00"),
    ),
    (
        "create",
        "meeting_country (in person)",
        lambda c: registration_body("Event:Lone", **IN_PERSON, meeting_country="It\ud800aly"),
    ),
    (
        "create",
        "meeting_address (in person)",
        lambda c: registration_body(
            "Event:Lone", **IN_PERSON, meeting_country="Italy", meeting_address="Via \udfff"
        ),
    ),
    ("create", "wikis", lambda c: registration_body("Event:Lone", wikis=["\ud800"])),
    ("edit", "event_page", lambda c: registration_body(c.page + " \ud800", status="open")),
    (
        "edit",
        "chat_url",
        lambda c: registration_body(c.page, status="open", chat_url="https://chat.example.org/\ud800"),
    ),
    ("edit", "status", lambda c: registration_body(c.page, status="\ud800")),
    ("delete", "token", lambda c: {"token": "\ud800"}),
    (
        "register",
        "answers other text",
        lambda c: {"is_private": False, "answers": {"affiliate": {"value": 1, "other": "W\ud800"}}},
    ),
    ("register", "answer name", lambda c: {"is_private": False, "answers": {"\ud800": {"value": 1}}}),
    ("cancel", "token", lambda c: {"token": "\udc00"}),
    ("remove participants", "user_ids", lambda c: {"user_ids": ["\ud800"]}),
    ("set organizers", "organizer_usernames", lambda c: {"organizer_usernames": ["Creator", "Co\ud800"]}),
    ("email", "subject", lambda c: {"subject": "Hi \ud800", "message": "m"}),
    ("email", "message", lambda c: {"subject": "Hi", "message": "\udc00 m"}),
    ("change worklist", "wiki id", lambda c: {"add": {"\ud800": ["Main Page"]}}),
    ("change worklist", "title", lambda c: {"add": {"local": ["Main \ud800"]}}),
    ("login", "username", lambda c: {"username": "Creator\ud800", "password": c.password}),
    ("login", "password", lambda c: {"username": "Creator", "password": "\ud800"}),
    ("logout", "token", lambda c: {"token": "\ud800"}),
]
ENCODE_500 = "-> 500 (UnicodeEncodeError: surrogates not allowed"
KNOWN_SURROGATE: dict[tuple[str, str], str] = {}  # fixed: every case now refused as the reference says


def _surrogate_cases() -> list[Any]:
    return [
        pytest.param(
            BY_ID[route_id],
            body,
            id=f"{route_id}-{label}",
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_SURROGATE[(route_id, label)])]
            if (route_id, label) in KNOWN_SURROGATE
            else [],
        )
        for route_id, label, body in SURROGATE_CASES
    ]


@pytest.mark.parametrize(("route", "body"), _surrogate_cases())
def test_lone_surrogates_are_refused(ctx: Ctx, route: Route, body: Callable[[Ctx], dict[str, Any]]) -> None:
    """A lone surrogate escape (``"\\ud800"``) is not a character: PHP's json_decode fails on it
    (JSON_ERROR_UTF16), so MediaWiki answers 400 ``rest-json-body-parse-error``; at the least it
    must be a 4xx that stores nothing."""
    refused(ctx, route, dumps(body(ctx)))


KNOWN_NON_FINITE: list[tuple[str, str]] = []  # fixed: every case now refused as the reference says


@pytest.mark.parametrize("route", routes(*KNOWN_NON_FINITE))
def test_non_finite_numbers_are_refused_with_strict_json(ctx: Ctx, route: Route) -> None:
    """``NaN`` and ``Infinity`` are not JSON (RFC 8259 §6; PHP's json_decode fails on them: 400
    ``rest-json-body-parse-error``); ``1e400`` is JSON but overflows to infinity, and the answer
    must still be JSON, which ``NaN``/``Infinity`` in an echoed ``value`` are not."""
    name = first_field(route)
    template = dumps(with_field(ctx, route, name, "@@"))
    for literal in (b"NaN", b"Infinity", b"-Infinity"):
        envelope = refused(ctx, route, template.replace(b'"@@"', literal))
        assert envelope["errorKey"] == PARSE_ERROR, (literal, envelope)
    refused(ctx, route, template.replace(b'"@@"', b"1e400"))


KNOWN_DEEP: list[tuple[str, str]] = []  # fixed: every case now refused as the reference says


@pytest.mark.parametrize("route", routes(*KNOWN_DEEP))
def test_nesting_beyond_the_json_depth_limit_is_a_parse_error(ctx: Ctx, route: Route) -> None:
    """PHP's json_decode stops at depth 512 (400 ``rest-json-body-parse-error``); below it, a nested
    value where a scalar is expected is an ordinary 4xx."""
    name = first_field(route)
    for depth in (600, 100_000):
        envelope = refused(ctx, route, b"[" * depth + b"]" * depth)
        assert envelope["errorKey"] == PARSE_ERROR, (depth, envelope)
        envelope = refused(
            ctx,
            route,
            dumps(with_field(ctx, route, name, "@@")).replace(b'"@@"', b"[" * depth + b"]" * depth),
        )
        assert envelope["errorKey"] == PARSE_ERROR, (depth, envelope)
    refused(ctx, route, dumps(with_field(ctx, route, name, "@@")).replace(b'"@@"', b"[" * 500 + b"]" * 500))


KNOWN_HUGE_IDS: list[tuple[str, str]] = []  # fixed: every case now refused as the reference says


@pytest.mark.parametrize("route", [p for p in routes(*KNOWN_HUGE_IDS) if "user_ids" in p.values[0].fields])
def test_user_ids_beyond_64_bits_are_refused(ctx: Ctx, route: Route) -> None:
    """PHP decodes integers beyond 64 bits as floats: not an integer, 400 ``badinteger``."""
    for n in (2**63, 10**30, -(2**63) - 1):
        refused(ctx, route, dumps(with_field(ctx, route, "user_ids", [n])))


NULL_ITEM_CASES = [
    ("remove participants", "user_ids"),
    ("email", "user_ids"),
    ("set organizers", "organizer_usernames"),
    ("create", "wikis"),
    ("edit", "wikis"),
]
KNOWN_NULL_ITEM: dict[tuple[str, str], str] = {}  # fixed: every case now refused as the reference says


@pytest.mark.parametrize(
    ("route", "name"),
    [
        pytest.param(
            BY_ID[r],
            n,
            id=f"{r}-{n}",
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_NULL_ITEM[(r, n)])]
            if (r, n) in KNOWN_NULL_ITEM
            else [],
        )
        for r, n in NULL_ITEM_CASES
    ],
)
def test_null_inside_an_array_field_is_refused(ctx: Ctx, route: Route, name: str) -> None:
    """``null`` is "not given" for a field, not for an item of an array: it is not an integer, a
    user name or a wiki id (400 parameter validation)."""
    valid = route.base(ctx).get(name) or []
    refused(ctx, route, dumps(with_field(ctx, route, name, [*valid, None])))


KNOWN_ADDRESS: list[tuple[str, str]] = []  # fixed: every case now refused as the reference says


@pytest.mark.parametrize("route", [p for p in routes(*KNOWN_ADDRESS) if p.values[0].id in ("create", "edit")])
def test_meeting_address_over_8192_bytes_is_refused(ctx: Ctx, route: Route) -> None:
    """ref §1.1: ``meeting_address`` is a string of at most 8192 bytes (more: 400 ``maxbytes``)."""
    body = {
        **route.base(ctx),
        "online_meeting": False,
        "inperson_meeting": True,
        "meeting_country": "Italy",
        "meeting_address": "é" * 4097,  # 8194 bytes, 4097 characters
    }
    del body["meeting_url"]
    refused(ctx, route, dumps(body))


KNOWN_TIMEZONE: list[tuple[str, str]] = []  # fixed: every case now refused as the reference says


@pytest.mark.parametrize(
    "route", [p for p in routes(*KNOWN_TIMEZONE) if p.values[0].id in ("create", "edit")]
)
def test_non_ascii_lookalike_timezones_are_refused(ctx: Ctx, route: Route) -> None:
    """Timezones are IANA names, ``±HH:MM`` or abbreviations (ref §3.1: what PHP's DateTimeZone
    reads): ``Eſt`` (long s) and ``ıst`` (dotless i) are none of them, though their upper case is."""
    for timezone in ("E\u017ft", "\u0131st"):
        envelope = refused(ctx, route, dumps(with_field(ctx, route, "timezone", timezone)))
        assert envelope["errorKey"] == "campaignevents-error-invalid-timezone", envelope


def test_an_unknown_calendar_stores_no_content(ctx: Ctx) -> None:
    """Found by test_out_of_range_numbers_are_refused[content]: ``PUT …/content`` with an unknown
    ``calendar_id`` recorded the content, then refused the move (400 with the content changed).
    The calendar is now looked up first: the refusal stores nothing."""
    route = BY_ID["content"]
    for calendar_id in (-74, 0, 999, 2**62):
        envelope = refused(ctx, route, dumps(with_field(ctx, route, "calendar_id", calendar_id)))
        assert (envelope["httpCode"], envelope["errorKey"]) == (400, "campaignevents-rest-calendar-unknown")
