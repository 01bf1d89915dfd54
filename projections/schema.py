"""The read-model tables. ``define(suffix)`` builds a set under other names, so a replay can fill
fresh tables beside the live ones and switch to them in one transaction.

Secondary indexes carry a random token in their names, so a rebuilt set never collides with the
live set's index names (table renames keep index names on both SQLite and PostgreSQL).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text

LIVE = ""
REBUILD = "__rebuild"
TABLE_NAMES = (
    "rm_users",
    "rm_registrations",
    "rm_organizers",
    "rm_participants",
    "rm_worklist",
    "rm_history",
)


@dataclass(frozen=True)
class Tables:
    metadata: MetaData
    tracking: Table
    users: Table
    registrations: Table
    organizers: Table
    participants: Table
    worklist: Table
    history: Table

    def models(self) -> list[Table]:
        return [
            self.users,
            self.registrations,
            self.organizers,
            self.participants,
            self.worklist,
            self.history,
        ]


def define(suffix: str = LIVE) -> Tables:
    md = MetaData()
    token = secrets.token_hex(3)

    def ix(table: str, *cols: str) -> Index:
        return Index(f"ix_{table}_{'_'.join(cols)}_{token}", *cols)

    tracking = Table(
        "rm_tracking" + suffix,
        md,
        Column("name", String(64), primary_key=True),
        Column("position", BigInteger, nullable=False),
    )
    users = Table(
        "rm_users" + suffix,
        md,
        Column("user_id", Integer, primary_key=True, autoincrement=False),
        Column("aggregate_id", String(36), nullable=False),
        Column("user_name", Text, nullable=False),
        Column("name_lower", Text, nullable=False),
        Column("email", Text, nullable=True),
        Column("blocked", Boolean, nullable=False),
        Index(f"ux_users_aggregate_{token}", "aggregate_id", unique=True),
    )
    registrations = Table(
        "rm_registrations" + suffix,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("aggregate_id", String(36), nullable=False),
        Column("name", Text, nullable=False),
        Column("end_utc", String(40), nullable=False),
        Column("deleted", Boolean, nullable=False),
        Column("status", String(8), nullable=False),
        Column("details", Text, nullable=False),  # JSON of the last details (history diffs)
        Column("wiki", String(64), nullable=False),  # served by GET details (as are the next)
        Column("questions", Text, nullable=False),  # JSON list of the enabled question ids
        Index(f"ux_registrations_aggregate_{token}", "aggregate_id", unique=True),
    )
    organizers = Table(
        "rm_organizers" + suffix,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("user_id", Integer, primary_key=True, autoincrement=False),
        Column("organizer_id", Integer, nullable=False),
        Column("role", String(16), nullable=False),
        Column("active", Boolean, nullable=False),
        ix("organizers", "event_id", "organizer_id"),
        ix("organizers", "user_id", "active", "event_id"),
    )
    participants = Table(
        "rm_participants" + suffix,
        md,
        Column("participant_id", Integer, primary_key=True, autoincrement=False),
        Column("aggregate_id", String(36), nullable=False),
        Column("event_id", Integer, nullable=False),
        Column("user_id", Integer, nullable=False),
        Column("private", Boolean, nullable=False),
        Column("active", Boolean, nullable=False),
        Column("registered_at", String(14), nullable=False),
        Column("answers_sealed", Text, nullable=True),  # ciphertext only; None once aggregated
        Column("first_answer_at", String(40), nullable=True),
        Column("aggregated", Boolean, nullable=False, default=False),
        Index(f"ux_participants_event_user_{token}", "event_id", "user_id", unique=True),
        Index(f"ux_participants_aggregate_{token}", "aggregate_id", unique=True),
        ix("participants", "event_id", "active", "participant_id"),
        ix("participants", "user_id", "active", "private", "event_id"),
        ix("participants", "first_answer_at"),
    )
    worklist = Table(
        "rm_worklist" + suffix,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("article_id", Integer, primary_key=True, autoincrement=False),
        Column("position", Integer, nullable=False),  # dense 1..n: offset paging by index
        Column("wiki_id", String(64), nullable=False),
        Column("page_title", Text, nullable=False),
        Column("added_by", Integer, nullable=False),
        Column("added_at", String(20), nullable=False),
        ix("worklist", "event_id", "position"),
    )
    history = Table(
        "rm_history" + suffix,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("entry_id", Integer, primary_key=True, autoincrement=False),
        Column("kind", String(40), nullable=False),
        Column("performed_by", Integer, nullable=True),
        Column("at", String(40), nullable=False),
        Column("subject_user_id", Integer, nullable=True),
        Column("private", Boolean, nullable=False),
        Column("details", Text, nullable=False),  # JSON, never personal answers
    )
    return Tables(md, tracking, users, registrations, organizers, participants, worklist, history)


PLACES_TABLE_NAMES = ("rm_places", "rm_place_members", "rm_place_outbox")


@dataclass(frozen=True)
class PlacesTables:
    """The places read model's own tables (``projections/places.py``, its own tracking position):
    outside ``Tables.models()``, so the catalog's replay neither drops nor refills them."""

    metadata: MetaData
    places: Table
    members: Table
    outbox: Table

    def models(self) -> list[Table]:
        return [self.places, self.members, self.outbox]


def define_places(suffix: str = LIVE) -> PlacesTables:
    md = MetaData()
    token = secrets.token_hex(3)
    places = Table(
        "rm_places" + suffix,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("configured", Boolean, nullable=False),  # an organizer set places at least once
        Column("participant_limit", Integer, nullable=True),
        Column("waitlist", Boolean, nullable=False),
        Column("requires_approval", Boolean, nullable=False),
        Column("confirmed_public", Integer, nullable=False),
        Column("confirmed_private", Integer, nullable=False),
        Column("waitlisted", Integer, nullable=False),
        Column("pending", Integer, nullable=False),
        Column("checked_in", Integer, nullable=False),
        Column("requests", Integer, nullable=False),  # requests folded so far: the log order
    )
    members = Table(
        "rm_place_members" + suffix,
        md,
        Column("aggregate_id", String(36), primary_key=True),
        Column("event_id", Integer, nullable=False),
        Column("user_id", Integer, nullable=False),
        Column("status", String(12), nullable=False),
        Column("private", Boolean, nullable=False),
        Column("request_seq", Integer, nullable=False),
        Column("request_version", Integer, nullable=False),
        Column("checked_in", Boolean, nullable=False),
        Index(f"ux_place_members_event_user_{token}", "event_id", "user_id", unique=True),
        Index(f"ix_place_members_event_status_seq_{token}", "event_id", "status", "request_seq"),
    )
    outbox = Table(
        "rm_place_outbox" + suffix,
        md,
        Column("entry_id", BigInteger, primary_key=True, autoincrement=False),
        Column("event_id", Integer, nullable=False),
        Column("user_id", Integer, nullable=False),
        Column("aggregate_id", String(36), nullable=False),
        Column("outcome", String(12), nullable=False),
        Column("request_version", Integer, nullable=False),
        Column("at", String(40), nullable=False),
        # was this request decided by the places fold (the registration e-mail's question)
        Index(f"ix_place_outbox_request_{token}", "aggregate_id", "request_version"),
    )
    return PlacesTables(md, places, members, outbox)


# --- calendar feeds (projections/feeds.py) ---------------------------------------------------
# Their own tracking row (``feeds``), outside ``Tables.models()``: the catalog's replay leaves them.
FEEDS_TABLE_NAMES = ("rm_feed_events", "rm_feed_links", "rm_feed_stamps", "rm_feed_secrets")


@dataclass(frozen=True)
class FeedTables:
    metadata: MetaData
    events: Table
    links: Table
    stamps: Table
    secrets: Table

    def models(self) -> list[Table]:
        return [self.events, self.links, self.stamps, self.secrets]


def define_feeds(suffix: str = LIVE) -> FeedTables:
    md = MetaData()
    token = secrets.token_hex(3)
    events = Table(
        "rm_feed_events" + suffix,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("aggregate_id", String(36), nullable=False),
        Column("state", Text, nullable=False),  # JSON: what a VEVENT is rendered from
        Column("sequence", Integer, nullable=False),
        Column("last_modified", String(40), nullable=False),  # ISO 8601, UTC
        Column("deleted_at", String(40), nullable=True),
        Column("zone", String(64), nullable=False),  # the VTIMEZONE it needs ("" for UTC)
        Column("first_year", Integer, nullable=False),
        Column("last_year", Integer, nullable=False),
        Column("public_text", Text, nullable=False),  # its VEVENTs without the meeting URL
        Column("full_text", Text, nullable=False),  # its VEVENTs with it
        Index(f"ux_feed_events_aggregate_{token}", "aggregate_id", unique=True),
    )
    links = Table(
        "rm_feed_links" + suffix,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("user_id", Integer, primary_key=True, autoincrement=False),
        Column("role", String(1), primary_key=True),  # "o" organizer, "p" participant
        Column("aggregate_id", String(36), nullable=True),  # the participant's aggregate
        Column("active", Boolean, nullable=False),
        Index(f"ix_feed_links_user_{token}", "user_id", "role", "event_id"),
        Index(f"ix_feed_links_aggregate_{token}", "aggregate_id"),
    )
    stamps = Table(
        "rm_feed_stamps" + suffix,
        md,
        Column("feed", String(32), primary_key=True),  # "e:<event>", "o:<user>", "p:<user>"
        Column("revision", Integer, nullable=False),
        Column("last_modified", String(40), nullable=False),
    )
    secrets_ = Table(
        "rm_feed_secrets" + suffix,
        md,
        Column("secret_hash", String(64), primary_key=True),
        Column("user_id", Integer, nullable=False),
    )
    return FeedTables(md, events, links, stamps, secrets_)


# --- rich content, moderation flags and calendars (projections/content.py) ---------------------
# Kept beside the catalog's set (their own tracking row, ``content``), not in ``Tables.models()``:
# the catalog's replay leaves them alone; ``projections.content.replay`` rebuilds them.
CONTENT_TABLE_NAMES = ("rm_event_content", "rm_event_tags", "rm_calendars")


@dataclass(frozen=True)
class ContentTables:
    metadata: MetaData
    content: Table
    tags: Table
    calendars: Table

    def models(self) -> list[Table]:
        return [self.content, self.tags, self.calendars]


def define_content(suffix: str = LIVE) -> ContentTables:
    md = MetaData()
    token = secrets.token_hex(3)
    content = Table(
        "rm_event_content" + suffix,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("aggregate_id", String(36), nullable=False),
        Column("calendar_id", Integer, nullable=False),
        Column("description_html", Text, nullable=False),
        Column("description_text", Text, nullable=False),
        Column("location", Text, nullable=True),  # JSON of domain.content.Location
        Column("latitude", Float, nullable=True),
        Column("longitude", Float, nullable=True),
        Column("country", String(2), nullable=True),
        Column("venue", Text, nullable=True),  # JSON of domain.content.Venue
        Column("location_text", Text, nullable=False),  # the place as one line
        Column("prefix", Text, nullable=True),
        Column("locked", Boolean, nullable=False),
        Column("hidden", Integer, nullable=False),
        Column("featured", Boolean, nullable=False),
        Index(f"ux_event_content_aggregate_{token}", "aggregate_id", unique=True),
        Index(f"ix_event_content_calendar_{token}", "calendar_id", "event_id"),
        Index(f"ix_event_content_hidden_{token}", "hidden", "event_id"),
    )
    tags = Table(
        "rm_event_tags" + suffix,
        md,
        Column("event_id", Integer, primary_key=True, autoincrement=False),
        Column("tag_key", Text, primary_key=True),
        Column("tag", Text, nullable=False),
        Column("position", Integer, nullable=False),
        Index(f"ix_event_tags_key_event_{token}", "tag_key", "event_id"),
    )
    calendars = Table(
        "rm_calendars" + suffix,
        md,
        Column("calendar_id", Integer, primary_key=True, autoincrement=False),
        Column("aggregate_id", String(36), nullable=False),
        Column("title", Text, nullable=False),
        Column("colour", String(7), nullable=False),
        Column("approve_events", Boolean, nullable=False),
        Column("deleted", Boolean, nullable=False),
        Index(f"ux_calendars_aggregate_{token}", "aggregate_id", unique=True),
    )
    return ContentTables(md, content, tags, calendars)
