"""Rich events: a description (sanitized HTML and its plain text), a location or a venue, a prefix
and tags — attributes of the EventRegistration that every dialect can show and set.

The facts are recorded on the EventRegistration (module-level classes: their topics never move);
their ``apply`` keeps the state as plain JSON values under ``content`` (so registration snapshots
round-trip it). ``set_content`` checks, then records one fact per part that changed. The
description is sanitized on the way in (``sanitize_html``): the raw HTML is never stored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import nh3
from eventsourcing.domain import Aggregate

from domain import errors
from domain.accounts import Account

if TYPE_CHECKING:
    from domain.registration import EventRegistration

MAX_DESCRIPTION = 65_536  # characters of HTML accepted (before sanitizing)
MAX_TAGS = 20
MAX_TAG_LENGTH = 50  # characters, after normalising (a prefix too)
MAX_ADDRESS_LINES = 5
MAX_LINE = 255  # an address line, a city, a region, a venue title
MAX_POSTAL_CODE = 20
MAX_VENUE_DESCRIPTION = 2_000

# The allow-list: text structure, emphasis, lists, quotes, links (http, https, mailto) and simple
# tables. No images, no styles, no forms, no scripts or event handlers, no other URL schemes.
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "code", "pre",
        "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "h2", "h3", "h4", "h5", "h6", "a", "span",
        "table", "thead", "tbody", "tr", "th", "td", "caption",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
BLOCKS = frozenset(
    {"p", "br", "hr", "li", "dt", "dd", "blockquote", "pre", "tr", "h2", "h3", "h4", "h5", "h6"}
)
_SPACES = re.compile(r"[^\S\n]+")
_LINES = re.compile(r"\s*\n\s*")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


# --- errors ------------------------------------------------------------------------------
class ContentDenied(errors.EditDenied):  # 403, as EditDenied
    key = "campaignevents-rest-content-permission-denied"


class DescriptionTooLong(errors.DomainError):
    key = "campaignevents-rest-content-description-too-long"


class InvalidLocation(errors.DomainError):
    key = "campaignevents-rest-content-invalid-location"


class LocationAndVenue(errors.DomainError):
    key = "campaignevents-rest-content-location-and-venue"


class InvalidVenue(errors.DomainError):
    key = "campaignevents-rest-content-invalid-venue"


class InvalidTag(errors.DomainError):
    key = "campaignevents-rest-content-invalid-tag"


class TooManyTags(errors.DomainError):
    key = "campaignevents-rest-content-too-many-tags"


class InvalidPrefix(errors.DomainError):
    key = "campaignevents-rest-content-invalid-prefix"


CONTENT_ERRORS: tuple[type[errors.DomainError], ...] = (
    ContentDenied,
    DescriptionTooLong,
    InvalidLocation,
    LocationAndVenue,
    InvalidVenue,
    InvalidTag,
    TooManyTags,
    InvalidPrefix,
)


# --- values --------------------------------------------------------------------------------
def sanitize_html(raw: str) -> str:
    """The description as stored and shown: ``raw`` cleaned to the allow-list by nh3 (html5ever
    parses it as a browser would, so unclosed and nested tricks close where a browser closes
    them); links get ``rel="noopener noreferrer"``."""
    return nh3.clean(
        raw,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        strip_comments=True,
        link_rel="noopener noreferrer",
    ).strip()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(sanitized: str) -> str:
    """The text of a sanitized description (Wild Apricot's text index, feeds): blocks on their own
    lines, runs of spaces as one."""
    parser = _Text()
    parser.feed(sanitized)
    parser.close()
    text = _SPACES.sub(" ", "".join(parser.parts))
    return _LINES.sub("\n", text).strip()


def normalise_label(value: str) -> str:
    """A tag or prefix as stored: NFC, spaces collapsed, trimmed."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def tag_key(tag: str) -> str:
    """The case-insensitive key two spellings of one tag share (as Wild Apricot's filters fold)."""
    return unicodedata.normalize("NFC", tag).casefold()


def _label_ok(raw: str, value: str) -> bool:  # controls checked in raw: split() eats U+001C..1F
    controls = any(unicodedata.category(c) == "Cc" for c in raw)
    return 0 < len(value) <= MAX_TAG_LENGTH and "," not in value and value.isprintable() and not controls


def normalise_tags(given: list[str]) -> list[str]:
    """Tags as stored: each normalised (1..MAX_TAG_LENGTH printable characters, no comma, since
    Invision sends tags as a comma list), duplicates by ``tag_key`` dropped (first spelling kept),
    at most MAX_TAGS, in the order given."""
    found: dict[str, str] = {}
    for raw in given:
        tag = normalise_label(raw)
        if not _label_ok(raw, tag):
            raise InvalidTag(raw[: MAX_TAG_LENGTH + 10])
        found.setdefault(tag_key(tag), tag)
    if len(found) > MAX_TAGS:
        raise TooManyTags(MAX_TAGS)
    return list(found.values())


def normalise_prefix(given: str | None) -> str | None:
    """A prefix as stored: as a tag; empty means none."""
    if given is None or (normalise_label(given) == "" and given.isprintable()):
        return None
    prefix = normalise_label(given)
    if not _label_ok(given, prefix):
        raise InvalidPrefix()
    return prefix


def _text(value: Any, limit: int, error: type[errors.DomainError], what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit or not value.isprintable():
        raise error(what)
    return value.strip() or None


@dataclass(frozen=True)
class Location:
    """A place: coordinates (both or neither) and an address; at least one of the two."""

    latitude: float | None = None
    longitude: float | None = None
    address_lines: tuple[str, ...] = ()
    city: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166 alpha-2, upper case
    postal_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "latitude": self.latitude,
            "longitude": self.longitude,
            "address_lines": list(self.address_lines),
            "city": self.city,
            "region": self.region,
            "country": self.country,
            "postal_code": self.postal_code,
        }

    @property
    def text(self) -> str:
        """One line: the address parts (what v0 calls the meeting address)."""
        parts = [*self.address_lines, self.city, self.region, self.postal_code, self.country]
        return ", ".join(p for p in parts if p)


def _coordinate(value: Any, bound: float, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
        raise InvalidLocation(what)
    return float(value)


def location_from(given: dict[str, Any], error: type[errors.DomainError] = InvalidLocation) -> Location:
    """A checked ``Location`` from a plain mapping (unknown keys refused)."""
    known = {"latitude", "longitude", "address_lines", "city", "region", "country", "postal_code"}
    if unknown := sorted(set(given) - known):
        raise error(unknown[0])
    latitude = _coordinate(given.get("latitude"), 90, "latitude")
    longitude = _coordinate(given.get("longitude"), 180, "longitude")
    if (latitude is None) != (longitude is None):
        raise error("latitude" if latitude is None else "longitude")
    lines = given.get("address_lines") or []
    if not isinstance(lines, list) or len(lines) > MAX_ADDRESS_LINES:
        raise error("address_lines")
    address = tuple(t for line in lines if (t := _text(line, MAX_LINE, error, "address_lines")))
    country = given.get("country")
    if country is not None and (not isinstance(country, str) or not _COUNTRY.match(country.strip().upper())):
        raise error("country")
    location = Location(
        latitude,
        longitude,
        address,
        _text(given.get("city"), MAX_LINE, error, "city"),
        _text(given.get("region"), MAX_LINE, error, "region"),
        country.strip().upper() if isinstance(country, str) else None,
        _text(given.get("postal_code"), MAX_POSTAL_CODE, error, "postal_code"),
    )
    if latitude is None and not location.text:
        raise error("empty")
    return location


@dataclass(frozen=True)
class Venue:
    title: str
    description: str | None = None
    address: Location | None = None

    def to_dict(self) -> dict[str, Any]:
        address = self.address.to_dict() if self.address is not None else None
        return {"title": self.title, "description": self.description, "address": address}


def venue_from(given: dict[str, Any]) -> Venue:
    if unknown := sorted(set(given) - {"title", "description", "address"}):
        raise InvalidVenue(unknown[0])
    title = _text(given.get("title"), MAX_LINE, InvalidVenue, "title")
    if title is None:
        raise InvalidVenue("title")
    description = _text(given.get("description"), MAX_VENUE_DESCRIPTION, InvalidVenue, "description")
    address = given.get("address")
    if address is not None and not isinstance(address, dict):
        raise InvalidVenue("address")
    return Venue(title, description, location_from(address, InvalidVenue) if address else None)


@dataclass(frozen=True)
class ContentInput:
    """What a caller sets; ``None`` parts are left as they are (``clear_place``: no location nor venue)."""

    description_html: str | None = None
    location: dict[str, Any] | None = None
    venue: dict[str, Any] | None = None
    clear_place: bool = False
    tags: list[str] | None = None
    prefix: str | None = None
    set_prefix: bool = False


@dataclass(frozen=True)
class Content:
    description_html: str = ""
    description_text: str = ""
    location: dict[str, Any] | None = None
    venue: dict[str, Any] | None = None
    tags: list[str] = field(default_factory=list)
    prefix: str | None = None


EMPTY = Content()


# --- facts on the EventRegistration ---------------------------------------------------------
class ContentFact(Aggregate.Event):
    performed_by: int

    def apply(self, aggregate: Any) -> None:
        state = vars(aggregate).setdefault("content", {})
        state.update(self.values())

    def values(self) -> dict[str, Any]:
        raise NotImplementedError


class DescriptionChanged(ContentFact):
    """The sanitized HTML and its plain text (never the raw HTML)."""

    html: str
    text: str

    def values(self) -> dict[str, Any]:
        return {"description_html": self.html, "description_text": self.text}


class PlaceChanged(ContentFact):
    """A location or a venue (never both), or neither."""

    location: dict[str, Any] | None
    venue: dict[str, Any] | None

    def values(self) -> dict[str, Any]:
        return {"location": self.location, "venue": self.venue}


class TagsChanged(ContentFact):
    tags: list[str]

    def values(self) -> dict[str, Any]:
        return {"tags": list(self.tags)}


class PrefixChanged(ContentFact):
    prefix: str | None

    def values(self) -> dict[str, Any]:
        return {"prefix": self.prefix}


def content_of(registration: EventRegistration) -> Content:
    found: dict[str, Any] = vars(registration).get("content") or {}
    return Content(**found)


def set_content(
    registration: EventRegistration, editor: Account | None, given: ContentInput, at: datetime
) -> bool:
    """Organizers only, not on a deleted registration; each part checked (description length,
    location or venue, tags, prefix) before anything is recorded; one fact per changed part.
    False when nothing changes."""
    performer = registration.check_may_change(editor, ContentDenied, errors.EditRegistrationDeleted)
    current = content_of(registration)
    facts: list[tuple[type[ContentFact], dict[str, Any]]] = []
    if given.description_html is not None:
        if len(given.description_html) > MAX_DESCRIPTION:
            raise DescriptionTooLong(MAX_DESCRIPTION)
        clean = sanitize_html(given.description_html)
        if clean != current.description_html:
            facts.append((DescriptionChanged, {"html": clean, "text": plain_text(clean)}))
    if given.location is not None and given.venue is not None:
        raise LocationAndVenue()
    if given.clear_place or given.location is not None or given.venue is not None:
        location = location_from(given.location).to_dict() if given.location is not None else None
        venue = venue_from(given.venue).to_dict() if given.venue is not None else None
        if (location, venue) != (current.location, current.venue):
            facts.append((PlaceChanged, {"location": location, "venue": venue}))
    if given.tags is not None and (tags := normalise_tags(given.tags)) != current.tags:
        facts.append((TagsChanged, {"tags": tags}))
    if given.set_prefix and (prefix := normalise_prefix(given.prefix)) != current.prefix:
        facts.append((PrefixChanged, {"prefix": prefix}))
    for fact, values in facts:
        registration.trigger_event(fact, performed_by=performer.user_id, timestamp=at, **values)
    return bool(facts)


def location_text(content: Content) -> str:
    """The event's place as one line (the venue's title first): Wild Apricot's ``Location``."""
    if content.venue is not None:
        address = content.venue.get("address")
        rest = location_from(address).text if address else ""
        return ", ".join(p for p in (content.venue["title"], rest) if p)
    if content.location is not None:
        return Location(
            **{**content.location, "address_lines": tuple(content.location["address_lines"])}
        ).text
    return ""
