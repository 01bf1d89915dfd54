"""The authorization matrix: every route the app serves under ``/campaignevents/v0`` and ``/auth``,
asked by every kind of caller, with the status (and, for errors, the ``errorKey``) each must get.

One table, ``MATRIX``: a row per route and method (a few routes have extra rows for a query that
changes who may ask, e.g. ``include_private=true``), a column per kind of caller (``CALLERS``). A
route the app serves without a row fails ``test_matrix_covers_every_route``.

Each column runs in its own freshly prepared world (the function-scoped app fixtures). Before any
cell runs, every write row gets its own event and the read rows share one (one live, one deleted):
the creator enables each and adds the co-organizer with ``PUT organizers``; a public participant, a
private participant and a third user register; the "(deleted)" rows' events are then deleted by
their creator, and the third user is blocked sitewide. So a write that succeeds (deletes the event,
removes participants, ...) cannot change any other cell. Rows marked ``after_end`` run last, once
the clock has moved past the end of every event (aggregated answers are only shown then).

All cells of a column are checked and every mismatch is reported at once.

Sources: the rights table and the per-endpoint rules of the reference
(``/work/shared/reference/campaignevents-behaviour.md``, §1.x and §3.6); ``/work/shared/API.md`` for
CSRF and bearer rules; for the routes the reference does not have (worklist, history, aggregated
answers, ``as_of``, ``/auth``), the service's own documented behaviour (module docstrings of
``api/routes/``, API.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from argon2 import PasswordHasher

from domain import commands, credentials
from domain.details import DetailsInput
from domain.validation import parse_title
from tests.api.helpers import raw, stop_projector
from tests.conftest import User, registration_body

V0 = "/campaignevents/v0"
EVENT = V0 + "/event_registration/<event_id>"
NOW_TS_MW = "20261122120000"  # the fake clock's start: ``as_of`` "now"

CALLERS = (
    "anonymous",  # no credentials at all
    "no_csrf",  # the creator's cookie session, writes sent without the CSRF token
    "participant",  # registered publicly; no groups
    "private",  # registered privately; no groups
    "other",  # no groups, not registered
    "blocked",  # event-organizer group, registered publicly, then blocked sitewide
    "organizer",  # event-organizer, added as co-organizer with PUT organizers
    "creator",  # event-organizer who enabled the registration
    "sysop",  # sysop group, not an organizer of the event
)
USERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "creator": ("Creator", ("event-organizer",)),
    "organizer": ("Coorganizer", ("event-organizer",)),
    "participant": ("Participant", ()),
    "private": ("Private", ()),
    "other": ("Other", ()),
    "blocked": ("Blocked", ("event-organizer",)),
    "sysop": ("Sysop", ("sysop",)),
}
BARE = "<bare>"  # the envelope without errorKey/messageTranslations (POST email's refusal)
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
MISSING_TOKEN = "The <var>token</var> parameter is required unless using a CSRF-safe authentication method."


@dataclass(frozen=True)
class Expect:
    status: int
    key: str | None = None  # errorKey (None: a success, no envelope); BARE: bare envelope
    message: str | None = None  # messageTranslations.en, when the text itself matters

    def __str__(self) -> str:
        return f"{self.status} {self.key}" if self.key else str(self.status)


def ok(status: int = 200) -> Expect:
    return Expect(status)


# The cells, named once. Reference lines: "ref §x" = campaignevents-behaviour.md, "API" = API.md.
TOKEN = Expect(403, "rest-badtoken", MISSING_TOKEN)  # ref §0.2; API "Anonymous writes ... missing"
ENABLE = Expect(403, "campaignevents-rest-enable-registration-permission-denied")  # ref §1.1 step 3
EDIT = Expect(403, "campaignevents-edit-not-allowed-registration")  # ref §1.2 step 5, §1.12 step 4
DELETE = Expect(403, "campaignevents-delete-not-allowed-registration")  # ref §1.3 step 5
REGISTER = Expect(403, "campaignevents-register-not-allowed")  # ref §1.7 step 4, §1.9
NOT_PARTICIPANT = Expect(404, "campaignevents-rest-get-registration-info-notparticipant")  # ref §1.9
REMOVE = Expect(403, "campaignevents-unregister-participants-permission-denied")  # ref §1.10 step 4
PRIVATE = Expect(403, "campaignevents-rest-list-participants-cannot-see-private")  # ref §1.13 step 3
EMAIL = Expect(403, BARE)  # ref §1.15 step 2: bare 403
AGGREGATED = Expect(403, "campaignevents-rest-aggregated-answers-permission-denied")  # ref §3.6 stats
HISTORY = Expect(403, "campaignevents-rest-history-permission-denied")  # api/routes/history.py
# on a deleted event (ref §3.4)
GONE = Expect(404, "campaignevents-rest-get-registration-deleted")
# places (issue 13; api/routes/places.py): organizer-only writes with their own keys
PLACES_DENIED = Expect(403, "campaignevents-rest-places-permission-denied")
APPROVAL_DENIED = Expect(403, "campaignevents-rest-approval-permission-denied")
NOT_PENDING = Expect(400, "campaignevents-rest-approval-not-pending")
CHECK_IN_DENIED = Expect(403, "campaignevents-rest-check-in-permission-denied")
CHECK_IN_OUTSIDE = Expect(400, "campaignevents-rest-check-in-outside-window")
ALREADY_DELETED = Expect(404, "campaignevents-rest-delete-already-deleted")
EDIT_DELETED = Expect(400, "campaignevents-edit-registration-deleted")
REGISTER_DELETED = Expect(400, "campaignevents-register-registration-deleted")
UNREGISTER_DELETED = Expect(400, "campaignevents-unregister-registration-deleted")
REMOVE_DELETED = Expect(400, "campaignevents-unregister-participants-registration-deleted")
# content, moderation, calendars (issue 17; api/routes/content.py)
CONTENT_DENIED = Expect(403, "campaignevents-rest-content-permission-denied")
MODERATION_DENIED = Expect(403, "campaignevents-rest-moderation-permission-denied")
NO_CALENDAR = Expect(404, "campaignevents-rest-calendar-not-found")
# schedules and feeds (issue 14; api/routes/schedule.py)
FEED_URL_ANONYMOUS = Expect(401, "campaignevents-rest-feed-url-anonymous")
NO_FEED = Expect(404, "campaignevents-rest-feed-not-found")
UNKNOWN_SECRET = "0" * 64
SCHEDULE = {"sessions": [{"id": "day", "start": "20300101100000", "end": "20300101120000"}]}
OCCURRENCES = "from=20290101000000&to=20310101000000"


@dataclass
class World:
    users: dict[str, User]
    events: dict[str, int] = field(default_factory=dict)  # row id -> its event
    pages: dict[str, str] = field(default_factory=dict)  # row id -> its event's page
    secrets: dict[str, str] = field(default_factory=dict)  # user kind -> their feed secret

    def user_id(self, kind: str) -> int:
        return self.users[kind].user_id


Body = Callable[[World, str], Any]
SHARED = "shared"  # the event every read row asks about
SHARED_DELETED = "shared (deleted)"  # ... and the deleted one the "(deleted)" read rows ask about


@dataclass(frozen=True)
class Row:
    id: str
    method: str
    rule: str  # as flask_app.url_map spells it
    cells: tuple[Expect, ...]  # in CALLERS order
    body: Body | None = None
    query: str = ""
    userid: str | None = None  # which user's id fills <userid> and <user_id> (their feed secret: <secret>)
    name: str | None = None  # what fills <name>, <calendar_id> and (without userid) <secret>
    after_end: bool = False
    deleted: bool = False  # asks about an event its creator deleted
    own_client: bool = False  # changes the session: asked with a fresh client of the same kind
    reference: str = ""

    @property
    def event(self) -> str | None:
        """Which prepared event the row asks about: its own for a write (so a write that succeeds
        changes nothing the other rows see), the shared one for a read; None without one."""
        if "<event_id>" not in self.rule:
            return None
        if self.method != "GET":
            return self.id
        return SHARED_DELETED if self.deleted else SHARED

    def path(self, world: World) -> str:
        path = self.rule.replace("<event_id>", str(world.events.get(self.event or "", 0)))
        if self.userid is not None:
            path = path.replace("<userid>", str(world.user_id(self.userid)))
            path = path.replace("<user_id>", str(world.user_id(self.userid)))
            path = path.replace("<secret>", world.secrets.get(self.userid, ""))
        if self.name is not None:
            for slot in ("<name>", "<calendar_id>", "<secret>"):
                path = path.replace(slot, self.name)
        return path + (f"?{self.query}" if self.query else "")


def cells(*expected: Expect) -> tuple[Expect, ...]:
    assert len(expected) == len(CALLERS), expected
    return expected


def login_body(world: World, caller: str) -> dict[str, str]:
    """Valid credentials: the caller's own (the anonymous client logs in as "Other", the cookie
    session as its own user, the creator)."""
    kind = {"anonymous": "other", "no_csrf": "creator"}.get(caller, caller)
    user = world.users[kind]
    return {"username": user.name, "password": user.password}


ALL_200 = cells(*[ok()] * len(CALLERS))


def ORGANIZERS_ONLY(organizers: Expect) -> tuple[Expect, ...]:
    return cells(TOKEN, TOKEN, EDIT, EDIT, EDIT, EDIT, organizers, organizers, EDIT)


ORGANIZERS_ONLY_204 = ORGANIZERS_ONLY(ok(204))

# fmt: off
MATRIX: tuple[Row, ...] = (
    # cells: anonymous, no_csrf, participant, private, other, blocked, organizer, creator, sysop
    Row("create", "POST", V0 + "/event_registration",
        cells(TOKEN, TOKEN, ENABLE, ENABLE, ENABLE, ENABLE, ok(201), ok(201), ok(201)),
        body=lambda w, c: registration_body("Event:Matrix new"),
        reference="ref §1.1 steps 2-3, §3.6 'enable registrations'; blocked loses every right (§0.5)"),
    Row("details", "GET", EVENT, ALL_200, reference="ref §1.4: no auth"),
    Row("details as_of", "GET", EVENT,
        cells(HISTORY, ok(), HISTORY, HISTORY, HISTORY, HISTORY, ok(), ok(), ok()),
        query=f"as_of={NOW_TS_MW}",
        reference="service feature: time travel for organizers and sysops (can_see_history)"),
    Row("edit", "PUT", EVENT, ORGANIZERS_ONLY_204,
        body=lambda w, c: registration_body(w.pages["edit"], status="closed", start_time="20300101120000"),
        reference="ref §1.2 step 5, §3.6 'edit event': organizers only, sysop is not one"),
    Row("delete", "DELETE", EVENT,
        cells(TOKEN, TOKEN, DELETE, DELETE, DELETE, DELETE, ok(204), ok(204), ok(204)),
        reference="ref §1.3 step 5, §3.6 'delete event': delete-registration right (sysop) or edit rule"),
    Row("register", "PUT", EVENT + "/participants/self",
        cells(TOKEN, TOKEN, ok(), ok(), ok(), REGISTER, ok(), ok(), ok()),
        body=lambda w, c: {"is_private": False},
        reference="ref §1.7 step 4, §3.6 'register': named and not blocked"),
    Row("cancel", "DELETE", EVENT + "/participants/self",
        cells(TOKEN, TOKEN, ok(), ok(), ok(), ok(), ok(), ok(), ok()),
        reference="ref §1.8 step 2, §3.6 'cancel own registration': named, blocked allowed"),
    Row("own registration", "GET", EVENT + "/participants/self",
        cells(REGISTER, NOT_PARTICIPANT, ok(), ok(), NOT_PARTICIPANT, ok(), NOT_PARTICIPANT,
              NOT_PARTICIPANT, NOT_PARTICIPANT),
        reference="ref §1.9: no account 403, not an active participant 404 (no block check)"),
    Row("remove participants", "DELETE", EVENT + "/participants",
        cells(TOKEN, TOKEN, REMOVE, REMOVE, REMOVE, REMOVE, ok(), ok(), REMOVE),
        body=lambda w, c: {"user_ids": [w.user_id("participant")]},
        reference="ref §1.10 step 4, §3.6: the edit rule (sysop is not an organizer)"),
    Row("participants", "GET", EVENT + "/participants", ALL_200, query="include_private=false",
        reference="ref §1.13: no auth"),
    Row("participants private", "GET", EVENT + "/participants",
        cells(PRIVATE, ok(), PRIVATE, PRIVATE, PRIVATE, PRIVATE, ok(), ok(), ok()),
        query="include_private=true",
        reference="ref §1.13 step 3, §3.6 'view private participants': edit rule or view-private right"),
    Row("participants as_of", "GET", EVENT + "/participants",
        cells(HISTORY, ok(), HISTORY, HISTORY, HISTORY, HISTORY, ok(), ok(), ok()),
        query=f"include_private=false&as_of={NOW_TS_MW}",
        reference="service feature: time travel for organizers and sysops (can_see_history)"),
    Row("organizers", "GET", EVENT + "/organizers", ALL_200, reference="ref §1.11: no auth"),
    Row("set organizers", "PUT", EVENT + "/organizers", ORGANIZERS_ONLY_204,
        body=lambda w, c: {"organizer_usernames": ["Creator", "Coorganizer"]},
        reference="ref §1.12 step 4, §3.6: the edit rule"),
    Row("events by organizer", "GET", V0 + "/organizer/<userid>/event_registrations", ALL_200,
        userid="creator", reference="ref §1.5: no auth"),
    Row("events by participant", "GET", V0 + "/participant/<userid>/event_registrations", ALL_200,
        userid="participant", reference="ref §1.6: no auth"),
    Row("participant questions", "GET", V0 + "/participant_questions", ALL_200,
        reference="ref §1.14: no auth"),
    Row("aggregated answers", "GET", EVENT + "/aggregated_answers",
        cells(AGGREGATED, ok(), AGGREGATED, AGGREGATED, AGGREGATED, AGGREGATED, ok(), ok(), AGGREGATED),
        after_end=True,
        reference="ref §3.6 'see aggregated stats': the edit rule; api/routes/answers.py (ended event)"),
    Row("email", "POST", EVENT + "/email",
        cells(TOKEN, TOKEN, EMAIL, EMAIL, EMAIL, EMAIL, ok(202), ok(202), EMAIL),
        body=lambda w, c: {"subject": "Hello", "message": "See you there"},
        reference="ref §1.15 step 2 (bare 403), §3.6 'email participants': edit rule + email right"),
    Row("worklist", "GET", EVENT + "/worklist", ALL_200, reference="API.md worklist: public"),
    Row("change worklist", "PATCH", EVENT + "/worklist", ORGANIZERS_ONLY_204,
        body=lambda w, c: {"add": {"local": ["Main Page"]}},
        reference="API.md worklist: 'Organizers change it'; the edit rule's key"),
    Row("history", "GET", EVENT + "/history",
        cells(HISTORY, ok(), HISTORY, HISTORY, HISTORY, HISTORY, ok(), ok(), ok()),
        reference="api/routes/history.py: organizers and sysops who are not blocked"),

    # --- the same event routes against an event its creator deleted (ref §3.4) --------------------
    Row("details (deleted)", "GET", EVENT, cells(*[GONE] * len(CALLERS)), deleted=True,
        reference="ref §1.4, §3.4: 404 get-registration-deleted for everyone"),
    Row("details as_of (deleted)", "GET", EVENT,
        cells(HISTORY, GONE, HISTORY, HISTORY, HISTORY, HISTORY, GONE, GONE, GONE),
        query=f"as_of={NOW_TS_MW}", deleted=True,
        reference="service feature: permission first, then the deleted version is a 404 like GET (§3.4)"),
    Row("edit (deleted)", "PUT", EVENT, ORGANIZERS_ONLY(EDIT_DELETED),
        body=lambda w, c: registration_body(w.pages["edit (deleted)"], status="open"), deleted=True,
        reference="ref §3.4 'PUT edit': 403 if not organizer, else 400 edit-registration-deleted"),
    Row("delete (deleted)", "DELETE", EVENT,
        cells(TOKEN, TOKEN, *[ALREADY_DELETED] * 7), deleted=True,
        reference="ref §1.3 steps 1-5: already deleted (404) is checked before permission"),
    Row("register (deleted)", "PUT", EVENT + "/participants/self",
        cells(TOKEN, TOKEN, REGISTER_DELETED, REGISTER_DELETED, REGISTER_DELETED, REGISTER, REGISTER_DELETED,
              REGISTER_DELETED, REGISTER_DELETED),
        body=lambda w, c: {"is_private": False}, deleted=True,
        reference="ref §1.7 steps 4-6: permission (403) before deleted (400)"),
    Row("cancel (deleted)", "DELETE", EVENT + "/participants/self",
        cells(TOKEN, TOKEN, *[UNREGISTER_DELETED] * 7), deleted=True,
        reference="ref §1.8 steps 2-3, §3.4: every named user (blocked too) gets 400"),
    Row("own registration (deleted)", "GET", EVENT + "/participants/self",
        cells(REGISTER, NOT_PARTICIPANT, ok(), ok(), NOT_PARTICIPANT, ok(), NOT_PARTICIPANT,
              NOT_PARTICIPANT, NOT_PARTICIPANT), deleted=True,
        reference="ref §1.9, §3.4: no deleted-event check"),
    Row("remove participants (deleted)", "DELETE", EVENT + "/participants",
        cells(TOKEN, TOKEN, REMOVE, REMOVE, REMOVE, REMOVE, REMOVE_DELETED, REMOVE_DELETED, REMOVE),
        body=lambda w, c: {"user_ids": [w.user_id("participant")]}, deleted=True,
        reference="ref §1.10 steps 4-5, §3.4: permission (403) before deleted (400)"),
    Row("participants (deleted)", "GET", EVENT + "/participants", ALL_200, query="include_private=false",
        deleted=True, reference="ref §1.13, §3.4: no check"),
    Row("participants private (deleted)", "GET", EVENT + "/participants",
        cells(PRIVATE, ok(), PRIVATE, PRIVATE, PRIVATE, PRIVATE, ok(), ok(), ok()),
        query="include_private=true", deleted=True, reference="ref §1.13, §3.4: no check"),
    Row("participants as_of (deleted)", "GET", EVENT + "/participants",
        cells(HISTORY, ok(), HISTORY, HISTORY, HISTORY, HISTORY, ok(), ok(), ok()),
        query=f"include_private=false&as_of={NOW_TS_MW}", deleted=True,
        reference="service feature; like the live list, no deleted-event check (§3.4 GET participants)"),
    # places (issue 13): anyone reads; organizers write; the deleted event is gone (404) to reads
    Row("places", "GET", EVENT + "/places", ALL_200, reference="service feature: anyone reads"),
    Row("set places", "PUT", EVENT + "/places",
        cells(TOKEN, TOKEN, *[PLACES_DENIED] * 4, ok(), ok(), PLACES_DENIED),
        body=lambda w, c: {"participant_limit": 5, "waitlist": True, "requires_approval": False},
        reference="service feature: the edit rule (sysop is not an organizer)"),
    Row("waitlist", "GET", EVENT + "/waitlist", ALL_200,
        reference="service feature: names for organizers, the length for others"),
    Row("own status", "GET", EVENT + "/participants/self/status", cells(REGISTER, *[ok()] * 8),
        reference="service feature: like own registration, an account is needed"),
    Row("approval", "POST", EVENT + "/participants/<userid>/approval",
        cells(TOKEN, TOKEN, *[APPROVAL_DENIED] * 4, NOT_PENDING, NOT_PENDING, APPROVAL_DENIED),
        body=lambda w, c: {"approve": True}, userid="participant",
        reference="service feature: the edit rule, then only a pending registration"),
    Row("check in", "PUT", EVENT + "/participants/<userid>/check_in",
        cells(TOKEN, TOKEN, *[CHECK_IN_DENIED] * 4, CHECK_IN_OUTSIDE, CHECK_IN_OUTSIDE, CHECK_IN_DENIED),
        body=lambda w, c: {}, userid="participant",
        reference="service feature: the edit rule, then the event's start to 7 days after its end"),
    Row("undo check in", "DELETE", EVENT + "/participants/<userid>/check_in",
        cells(TOKEN, TOKEN, *[CHECK_IN_DENIED] * 4, CHECK_IN_OUTSIDE, CHECK_IN_OUTSIDE, CHECK_IN_DENIED),
        userid="participant",
        reference="service feature: as check in"),
    Row("counts", "GET", EVENT + "/counts", ALL_200, reference="service feature: anyone reads"),
    Row("places (deleted)", "GET", EVENT + "/places", cells(*[GONE] * 9), deleted=True,
        reference="service feature: a deleted registration is gone, as its details"),
    Row("set places (deleted)", "PUT", EVENT + "/places",
        cells(TOKEN, TOKEN, *[PLACES_DENIED] * 4, EDIT_DELETED, EDIT_DELETED, PLACES_DENIED),
        body=lambda w, c: {"participant_limit": 5, "waitlist": True, "requires_approval": False},
        deleted=True, reference="service feature: permission (403) before deleted (400), as edit"),
    Row("waitlist (deleted)", "GET", EVENT + "/waitlist", cells(*[GONE] * 9), deleted=True,
        reference="service feature: a deleted registration is gone"),
    Row("own status (deleted)", "GET", EVENT + "/participants/self/status", cells(*[GONE] * 9),
        deleted=True, reference="service feature: a deleted registration is gone"),
    Row("approval (deleted)", "POST", EVENT + "/participants/<userid>/approval",
        cells(TOKEN, TOKEN, *[APPROVAL_DENIED] * 4, EDIT_DELETED, EDIT_DELETED, APPROVAL_DENIED),
        body=lambda w, c: {"approve": True}, userid="participant", deleted=True,
        reference="service feature: permission (403) before deleted (400)"),
    Row("check in (deleted)", "PUT", EVENT + "/participants/<userid>/check_in",
        cells(TOKEN, TOKEN, *[CHECK_IN_DENIED] * 4, EDIT_DELETED, EDIT_DELETED, CHECK_IN_DENIED),
        body=lambda w, c: {}, userid="participant", deleted=True,
        reference="service feature: permission (403) before deleted (400)"),
    Row("undo check in (deleted)", "DELETE", EVENT + "/participants/<userid>/check_in",
        cells(TOKEN, TOKEN, *[CHECK_IN_DENIED] * 4, EDIT_DELETED, EDIT_DELETED, CHECK_IN_DENIED),
        userid="participant", deleted=True,
        reference="service feature: permission (403) before deleted (400)"),
    Row("counts (deleted)", "GET", EVENT + "/counts", cells(*[GONE] * 9), deleted=True,
        reference="service feature: a deleted registration is gone"),
    Row("organizers (deleted)", "GET", EVENT + "/organizers", ALL_200, deleted=True,
        reference="ref §1.11, §3.4: deleted events still listed"),
    Row("set organizers (deleted)", "PUT", EVENT + "/organizers", ORGANIZERS_ONLY(EDIT_DELETED),
        body=lambda w, c: {"organizer_usernames": ["Creator", "Coorganizer"]}, deleted=True,
        reference="ref §3.4 'PUT organizers': 403 if not organizer, else 400 edit-registration-deleted"),
    Row("aggregated answers (deleted)", "GET", EVENT + "/aggregated_answers",
        cells(AGGREGATED, ok(), AGGREGATED, AGGREGATED, AGGREGATED, AGGREGATED, ok(), ok(), AGGREGATED),
        after_end=True, deleted=True,
        reference="unsure: no rule for deleted events; taken as the other organizer reads (§3.4 'no check')"),
    Row("email (deleted)", "POST", EVENT + "/email",
        cells(TOKEN, TOKEN, EMAIL, EMAIL, EMAIL, EMAIL, ok(202), ok(202), EMAIL),
        body=lambda w, c: {"subject": "Hello", "message": "See you there"}, deleted=True,
        reference="ref §1.15 step 1, §3.4 'POST email: no check — behave normally'"),
    Row("worklist (deleted)", "GET", EVENT + "/worklist", ALL_200, deleted=True,
        reference="unsure: API.md says nothing on deleted events; taken as the public lists (§3.4)"),
    Row("change worklist (deleted)", "PATCH", EVENT + "/worklist", ORGANIZERS_ONLY(EDIT_DELETED),
        body=lambda w, c: {"add": {"local": ["Main Page"]}}, deleted=True,
        reference="unsure: no rule; taken as PUT edit/organizers (§3.4): 403, else 400 ...-deleted"),
    Row("history (deleted)", "GET", EVENT + "/history",
        cells(HISTORY, ok(), HISTORY, HISTORY, HISTORY, HISTORY, ok(), ok(), ok()), deleted=True,
        reference="unsure: service feature; the audit trail of a deleted event stays readable"),

    # --- schedules and calendar feeds (issue 14; api/routes/schedule.py) -----------------------------
    Row("schedule", "GET", EVENT + "/schedule", ALL_200, reference="service feature: anyone reads"),
    Row("schedule as_of", "GET", EVENT + "/schedule",
        cells(HISTORY, ok(), HISTORY, HISTORY, HISTORY, HISTORY, ok(), ok(), ok()),
        query=f"as_of={NOW_TS_MW}", reference="service feature: time travel as details as_of"),
    Row("set schedule", "PUT", EVENT + "/schedule", ORGANIZERS_ONLY_204, body=lambda w, c: SCHEDULE,
        reference="service feature: the edit rule (sysop is not an organizer), as PUT edit"),
    Row("occurrences", "GET", EVENT + "/occurrences", ALL_200, query=OCCURRENCES,
        reference="service feature: anyone reads"),
    Row("event feed", "GET", EVENT + "/calendar.ics", ALL_200,
        reference="service feature: public feed (meeting URL only for organizers and participants)"),
    Row("organizer feed", "GET", V0 + "/organizer/<user_id>/calendar.ics", ALL_200, userid="creator",
        reference="service feature: public feed of an organizer's events"),
    Row("participant feed", "GET", V0 + "/participant/feed/<secret>.ics", ALL_200, userid="participant",
        reference="service feature: the secret address is the key, whoever asks"),
    Row("participant feed (unknown)", "GET", V0 + "/participant/feed/<secret>.ics",
        cells(*[NO_FEED] * len(CALLERS)), name=UNKNOWN_SECRET,
        reference="service feature: an address never issued (or revoked) answers 404 to everyone"),
    Row("calendar url", "GET", V0 + "/participant/self/calendar_url",
        cells(FEED_URL_ANONYMOUS, *[ok()] * 8),
        reference="service feature: any signed-in user has a feed address (a blocked one too: the feed "
                  "then shows no meeting URL)"),
    Row("revoke calendar url", "DELETE", V0 + "/participant/self/calendar_url",
        cells(TOKEN, TOKEN, *[ok(204)] * 7), body=lambda w, c: {},
        reference="service feature: a write (CSRF first), 204 also without an address"),
    Row("schedule (deleted)", "GET", EVENT + "/schedule", cells(*[GONE] * 9), deleted=True,
        reference="service feature: a deleted registration is gone, as its details"),
    Row("set schedule (deleted)", "PUT", EVENT + "/schedule", ORGANIZERS_ONLY(EDIT_DELETED),
        body=lambda w, c: SCHEDULE, deleted=True,
        reference="service feature: permission (403) before deleted (400), as edit"),
    Row("occurrences (deleted)", "GET", EVENT + "/occurrences", cells(*[GONE] * 9), query=OCCURRENCES,
        deleted=True, reference="service feature: a deleted registration is gone"),
    Row("event feed (deleted)", "GET", EVENT + "/calendar.ics", ALL_200, deleted=True,
        reference="service feature: served, CANCELLED, for 30 days after the deletion"),

    # --- content, moderation, calendars (issue 17; api/routes/content.py) ----------------------------
    Row("content", "GET", EVENT + "/content", ALL_200, reference="service feature: anyone reads"),
    Row("set content", "PUT", EVENT + "/content",
        cells(TOKEN, TOKEN, *[CONTENT_DENIED] * 4, ok(204), ok(204), CONTENT_DENIED),
        body=lambda w, c: {"tags": ["matrix"]},
        reference="service feature: the edit rule with its own key (sysop is not an organizer)"),
    Row("moderation", "GET", EVENT + "/moderation", ALL_200, reference="service feature: anyone reads"),
    Row("set moderation", "PUT", EVENT + "/moderation",
        cells(TOKEN, TOKEN, *[MODERATION_DENIED] * 4, ok(204), ok(204), ok(204)),
        body=lambda w, c: {"featured": True},
        reference="service feature: moderators are sysops and the event's organizers, not blocked"),
    Row("content (deleted)", "GET", EVENT + "/content", cells(*[GONE] * 9), deleted=True,
        reference="service feature: a deleted registration is gone"),
    Row("set content (deleted)", "PUT", EVENT + "/content",
        cells(TOKEN, TOKEN, *[CONTENT_DENIED] * 4, EDIT_DELETED, EDIT_DELETED, CONTENT_DENIED),
        body=lambda w, c: {"tags": ["matrix"]}, deleted=True,
        reference="service feature: permission (403) before deleted (400)"),
    Row("moderation (deleted)", "GET", EVENT + "/moderation", cells(*[GONE] * 9), deleted=True,
        reference="service feature: a deleted registration is gone"),
    Row("set moderation (deleted)", "PUT", EVENT + "/moderation",
        cells(TOKEN, TOKEN, *[MODERATION_DENIED] * 4, EDIT_DELETED, EDIT_DELETED, EDIT_DELETED),
        body=lambda w, c: {"featured": True}, deleted=True,
        reference="service feature: permission (403) before deleted (400)"),
    Row("calendars", "GET", V0 + "/calendars", ALL_200, reference="service feature: anyone reads"),
    Row("calendar", "GET", V0 + "/calendars/<calendar_id>", ALL_200, name="1",
        reference="service feature: the default calendar is there before it is recorded"),
    Row("calendar (unknown)", "GET", V0 + "/calendars/<calendar_id>", cells(*[NO_CALENDAR] * 9), name="999",
        reference="service feature: 404 calendar-not-found for everyone"),

    # --- not about an event --------------------------------------------------------------------------
    Row("openapi", "GET", V0 + "/openapi.json", ALL_200, reference="public document"),
    Row("docs", "GET", V0 + "/docs", ALL_200, reference="public page (Swagger UI)"),
    Row("docs asset", "GET", V0 + "/docs/<name>", ALL_200, name="swagger-ui.css", reference="public asset"),
    Row("login", "POST", "/auth/login", ALL_200, body=login_body, own_client=True,
        reference="API.md cookie sessions: valid credentials log in (a sitewide block does not stop it)"),
    Row("logout", "POST", "/auth/logout",
        cells(TOKEN, TOKEN, ok(204), ok(204), ok(204), ok(204), ok(204), ok(204), ok(204)), own_client=True,
        reference="API.md: cookie writes need the token; bearer is CSRF-safe"),
    Row("csrf token", "GET", "/auth/csrf_token", ALL_200, reference="API.md: anyone (`+\\` without session)"),
    Row("wild apricot token", "POST", "/auth/token", cells(*[Expect(400)] * len(CALLERS)),
        body=lambda w, c: {"grant_type": "password"},
        reference="Wild Apricot dialect (api/wildapricot/tokens.py): the form's credentials decide, not "
                  "the caller's; a JSON body has no grant_type: 400 invalid_request (OAuth's body)"),
)
# fmt: on

# Cells where the service disagrees with the reference: (row id, caller) -> why, left out of the column
# tests while a fix is pending (none today: every cell matches).
KNOWN_WRONG_CELLS: dict[tuple[str, str], str] = {}


@pytest.fixture(autouse=True)
def _projector_stops_before_the_database_closes(services: Any) -> Iterator[None]:
    yield
    stop_projector(services)


@pytest.fixture
def cheap_passwords(monkeypatch: Any) -> None:
    """argon2's defaults cost ~0.5 s a login; the parameters travel in each hash."""
    monkeypatch.setattr(credentials, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def served_routes(flask_app: Any) -> set[tuple[str, str]]:
    served = set()
    for rule in flask_app.url_map.iter_rules():
        if rule.rule.startswith((V0 + "/", "/auth/")):
            served |= {(m, rule.rule) for m in rule.methods or () if m not in ("HEAD", "OPTIONS")}
    return served


def test_matrix_covers_every_route(flask_app: Any) -> None:
    served = served_routes(flask_app)
    in_table = {(row.method, row.rule) for row in MATRIX}
    assert served - in_table == set(), "routes served without a row in MATRIX"
    assert in_table - served == set(), "rows in MATRIX for routes the app does not serve"
    ids = [row.id for row in MATRIX]
    assert len(ids) == len(set(ids))
    assert all(len(row.cells) == len(CALLERS) for row in MATRIX)
    assert set(KNOWN_WRONG_CELLS) <= {(r.id, c) for r in MATRIX for c in CALLERS}


def prepare_world(api: Any, make_user: Any, services: Any, rows: tuple[Row, ...]) -> World:
    """The users, then the events the rows ask about. The co-organizer is added with ``PUT
    organizers``; the rest goes through the application service (the commands the routes run;
    quicker than HTTP, which waits for the read models after each write)."""
    world = World({kind: make_user(name, *groups) for kind, (name, groups) in USERS.items()})
    app = services.app
    creator = world.user_id("creator")
    creator_client = api(world.users["creator"])
    wanted = {row.event: row.deleted for row in rows if row.event is not None}
    for n, (name, deleted) in enumerate(wanted.items()):
        world.pages[name] = f"Event:Matrix {n}"
        body = registration_body(world.pages[name])
        page = parse_title(body["event_page"])
        assert page is not None
        details = DetailsInput(
            page=page,
            timezone=body["timezone"],
            start=body["start_time"],
            end=body["end_time"],
            wikis=body["wikis"],
            online=True,
            meeting_url=body["meeting_url"],
            chat_url=body["chat_url"],
        )
        event_id = app.enable_registration(commands.EnableRegistration(creator, details)).event_id
        world.events[name] = event_id
        resp = creator_client.put(
            f"{V0}/event_registration/{event_id}/organizers",
            {"organizer_usernames": ["Creator", "Coorganizer"]},
        )
        assert resp.status_code == 204, resp.get_json()
        for kind, private in (("participant", False), ("private", True), ("blocked", False)):
            app.register_participant(commands.RegisterParticipant(world.user_id(kind), event_id, private))
        if deleted:
            app.delete_registration(commands.DeleteRegistration(creator, event_id))
    secret_url = api(world.users["participant"]).get(V0 + "/participant/self/calendar_url").get_json()["url"]
    world.secrets["participant"] = secret_url.rsplit("/", 1)[1].removesuffix(".ics")
    app.block_user(commands.BlockUser(world.users["blocked"].name))
    services.written(app.recorder.max_notification_id())  # the read models have caught up
    return world


def client_for(api: Any, world: World, caller: str) -> Any:
    if caller == "anonymous":
        return api()
    if caller == "no_csrf":
        return api(world.users["creator"], session=True)
    return api(world.users[caller])


def ask(client: Any, world: World, row: Row, caller: str) -> Any:
    """The well-formed request of ``row``, exactly as built: no CSRF token is ever added."""
    kw: dict[str, Any] = {}
    if row.body is not None:
        kw["json"] = row.body(world, caller)
    return raw(client, row.method, row.path(world), **kw)


def mismatch(world: World, row: Row, caller: str, expected: Expect, resp: Any) -> str | None:
    """What is wrong with the response to one cell (None when it is right)."""
    got = resp.get_json(silent=True)
    status = resp.status_code
    where = f"{row.id:<24} x {caller:<11}"
    detail = f"[{row.method} {row.path(world)}]"
    if status != expected.status:
        key = got.get("errorKey") if isinstance(got, dict) else None
        return f"{where} expected {expected}, got {status} {key}  {detail} ({row.reference})"
    if expected.key is None:
        return None
    if not isinstance(got, dict):
        return f"{where} expected an error envelope, got {resp.get_data()[:120]!r}"
    keys = list(got)
    if expected.key == BARE:
        if keys != ["httpCode", "httpReason"]:
            return f"{where} expected the bare envelope, got {got}"
        return None
    if got.get("errorKey") != expected.key:
        return f"{where} expected {expected}, got {status} {got.get('errorKey')}  {detail} ({row.reference})"
    if keys not in ENVELOPES:
        return f"{where} envelope keys not as documented: {keys}"
    if expected.message is not None and got["messageTranslations"] != {"en": expected.message}:
        return f"{where} expected message {expected.message!r}, got {got['messageTranslations']}"
    return None


def run_column(
    api: Any, make_user: Any, services: Any, clock: Any, caller: str, rows: tuple[Row, ...]
) -> list[str]:
    world = prepare_world(api, make_user, services, rows)
    client = client_for(api, world, caller)
    column = CALLERS.index(caller)
    problems = []
    ordered = [r for r in rows if not r.after_end] + [r for r in rows if r.after_end]
    moved = False
    for row in ordered:
        if row.after_end and not moved:
            clock.advance(days=5 * 365)  # every prepared event (2030) has ended
            moved = True
        asker = client_for(api, world, caller) if row.own_client else client
        problem = mismatch(world, row, caller, row.cells[column], ask(asker, world, row, caller))
        if problem is not None:
            problems.append(problem)
    return problems


@pytest.mark.usefixtures("cheap_passwords")
@pytest.mark.parametrize("caller", CALLERS)
def test_authorization_matrix(api: Any, make_user: Any, services: Any, clock: Any, caller: str) -> None:
    rows = tuple(r for r in MATRIX if (r.id, caller) not in KNOWN_WRONG_CELLS)
    problems = run_column(api, make_user, services, clock, caller, rows)
    assert not problems, "\n" + "\n".join(problems)


# --- login protection --------------------------------------------------------------------------------
@pytest.mark.usefixtures("cheap_passwords")
def test_sixth_failed_login_for_an_account_is_throttled(api: Any, make_user: Any) -> None:
    """5 failed logins for one account from one address are answered (401); the 6th is a 429."""
    user = make_user("Target")
    client = api()
    wrong = {"username": user.name, "password": "not-the-password"}
    statuses = [client.post("/auth/login", wrong).status_code for _ in range(5)]
    assert statuses == [401] * 5
    resp = client.post("/auth/login", wrong)
    got = resp.get_json()
    assert resp.status_code == 429, got
    assert got["errorKey"] == "campaignevents-rest-login-throttled"
    assert list(got) == ["errorKey", "messageTranslations", "httpCode", "httpReason"]
    assert (got["httpCode"], got["httpReason"]) == (429, "Too Many Requests")
    # the right password does not get through the throttle either
    right = client.post("/auth/login", {"username": user.name, "password": user.password})
    assert right.status_code == 429
