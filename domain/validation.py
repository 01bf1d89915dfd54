"""Pure validation and normalisation of event registration values: MediaWiki's rules for titles,
user names, timestamps and timezones, and CampaignEvents' rule for meeting and chat URLs."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

NAMESPACE_IDS: dict[str, int] = {
    "": 0, "Talk": 1, "User": 2, "User talk": 3, "Project": 4, "Project talk": 5, "File": 6,
    "File talk": 7, "MediaWiki": 8, "MediaWiki talk": 9, "Template": 10, "Template talk": 11,
    "Help": 12, "Help talk": 13, "Category": 14, "Category talk": 15, "Special": -1, "Media": -2,
    "Event": 1728, "Event talk": 1729,
}  # fmt: skip
_TRIM = " \t\n\r\0\x0b"  # what PHP's trim() removes
_NAMESPACE_BY_KEY = {name.lower().replace(" ", "_"): name for name in NAMESPACE_IDS if name}

_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e]+")
_SPACES = re.compile("[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_PREFIX = re.compile(r"(.+?)_*:_*(.*)", re.DOTALL)
_CONTROL = r"\x00-\x1f\x7f-\x9f"
_ILLEGAL_IN_TITLE = re.compile(
    rf"^:|[#<>\[\]|{{}}{_CONTROL}\ufffd]|%[0-9A-Fa-f]{{2}}|&[A-Za-z0-9\u0080-\U0010ffff]+;|~~~"
)
_RELATIVE_PATH = re.compile(r"\.\.?(?:/.*)?|.*/\.\.?(?:/.*)?", re.DOTALL)
_ILLEGAL_IN_USERNAME = re.compile(r"[/@:]")
_IPV4_LIKE = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.(?:xxx|\d{1,3})", re.ASCII)
_MAX_USERNAME_CHARS = 85


@dataclass(frozen=True)
class PageTitle:
    """A parsed title: canonical namespace name ("" for main), the text with spaces, and the
    section a link to it names (``"Agenda"`` for ``Event:Foo#Agenda``; None without one)."""

    namespace: str
    text: str
    section: str | None = None

    @property
    def prefixed(self) -> str:
        """The title as shown: "Event:Foo bar", or "Foo bar" in the main namespace."""
        return f"{self.namespace}:{self.text}" if self.namespace else self.text

    @property
    def dbkey(self) -> str:
        """The prefixed title with underscores for spaces: "Event:Foo_bar"."""
        return self.prefixed.replace(" ", "_")


def parse_title(raw: str) -> PageTitle | None:
    """Parse ``raw`` with MediaWiki's title rules; None when it is not a valid title string.

    Whitespace is trimmed, runs of spaces/underscores become one space, one leading ':' is dropped,
    a canonical namespace prefix is recognised case-insensitively, and the first letter of the text
    is upper-cased. Invalid: an empty text, illegal characters (``# < > [ ] | { }``, controls,
    U+FFFD, %XX escapes, HTML entities), '~~~', relative paths, more than 255 UTF-8 bytes (512 in
    Special), a leading ':' after the namespace, and Talk:<namespace>:... titles.
    """
    key = _clean(raw)
    if key.startswith(":"):
        key = key[1:].strip("_")
    split = _split_namespace(key)
    if split is None:
        return None
    namespace, key = split
    if _is_malformed(key, 512 if namespace == "Special" else 255):
        return None
    return PageTitle(namespace, _ucfirst(key).replace("_", " "))


def parse_page_title(raw: str) -> PageTitle | None:
    """``parse_title`` for a link target, as MediaWiki's title parser reads one: what follows the
    first ``#`` is the section (kept in ``section``, spaces for underscores; an empty one is none),
    and only what precedes it must be a valid title."""
    head, hash_mark, fragment = raw.partition("#")
    title = parse_title(head)
    section = _clean(fragment).replace("_", " ") if hash_mark else ""
    if title is None or not section:
        return title
    return replace(title, section=section)


def normalise_username(raw: str) -> str | None:
    """Canonical MediaWiki user name for ``raw`` (title rules, '_' read as space, first letter
    upper-cased); None when empty, longer than 85 characters, containing any of
    ``# < > [ ] | { } / @ :`` or a control character, invalid as a title, or looking like an IP."""
    key = _clean(raw)
    if _ILLEGAL_IN_USERNAME.search(key) or _is_malformed(key, 255):
        return None
    name = _ucfirst(key).replace("_", " ")
    # IPv6 forms need ':', which is already refused above.
    if len(name) > _MAX_USERNAME_CHARS or _IPV4_LIKE.fullmatch(name):
        return None
    return name


def _clean(raw: str) -> str:
    """NFC-normalise, drop bidi marks, turn space/underscore runs into one '_' and trim them."""
    text = unicodedata.normalize("NFC", raw.strip(_TRIM))
    return _SPACES.sub("_", _BIDI_MARKS.sub("", text)).strip("_")


def _split_namespace(key: str) -> tuple[str, str] | None:
    """(namespace, rest) of a cleaned key; ("", key) without a known prefix; None for Talk:Ns:x."""
    match = _PREFIX.fullmatch(key)
    namespace = _NAMESPACE_BY_KEY.get(match.group(1).lower()) if match else None
    if match is None or namespace is None:
        return "", key
    rest = match.group(2)
    inner = _PREFIX.fullmatch(rest)
    if namespace == "Talk" and inner and inner.group(1).lower() in _NAMESPACE_BY_KEY:
        return None
    return namespace, rest


def _is_malformed(key: str, max_bytes: int) -> bool:
    """True when a cleaned key without namespace breaks one of MediaWiki's title rules."""
    return (
        key == ""
        or _ILLEGAL_IN_TITLE.search(key) is not None
        or _RELATIVE_PATH.fullmatch(key) is not None
        or len(key.encode("utf-8")) > max_bytes
    )


def _ucfirst(text: str) -> str:
    """Upper-case the first character, unless its upper case is more than one character."""
    first = text[:1].upper()
    return (first if len(first) == 1 else text[:1]) + text[1:]


# Timestamps

_TS_MW = re.compile(r"(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)", re.ASCII)
_TS_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,]\d{1,6})?(?:Z|[+-]\d\d:\d\d)?", re.ASCII
)
_TS_DB = re.compile(r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)", re.ASCII)
_TS_UNIX = re.compile(r"-?\d{1,13}", re.ASCII)
_EPOCH = datetime(1970, 1, 1)


def parse_timestamp(value: object) -> str | None:
    """Normalise ``value`` to TS_MW 'YYYYMMDDHHMMSS'; None when it is not a usable timestamp.

    Accepted: 14-digit strings and ints (TS_MW); other ints and strings of up to 13 digits
    (optionally negative) as Unix seconds UTC; ISO 8601 with optional fraction and a 'Z' or
    '±HH:MM' suffix that is ignored (the wall-clock digits are kept); 'YYYY-MM-DD HH:MM:SS'.
    Booleans, floats and other types, impossible dates and years outside 1..9999 give None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _from_int(value)
    if isinstance(value, str):
        return _from_str(value)
    return None


def _from_int(value: int) -> str | None:
    """A 14-digit int is TS_MW, any other int Unix seconds."""
    if 10**13 <= value < 10**14:
        return _format(_to_datetime(_TS_MW.fullmatch(str(value))))
    return _format(_from_unix(value))


def _from_str(value: str) -> str | None:
    """Try Unix seconds, then TS_MW, ISO 8601 and TS_DB, in that order."""
    if _TS_UNIX.fullmatch(value):
        return _format(_from_unix(int(value)))
    for pattern in (_TS_MW, _TS_ISO, _TS_DB):
        match = pattern.fullmatch(value)
        if match:
            return _format(_to_datetime(match))
    return None


def _from_unix(seconds: int) -> datetime | None:
    """Naive UTC datetime of Unix ``seconds``; None when outside datetime's range."""
    try:
        return _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        return None


def _to_datetime(match: re.Match[str] | None) -> datetime | None:
    """Naive datetime of the six captured fields; None for no match or an impossible date."""
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(field) for field in match.groups()[:6])
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _format(moment: datetime | None) -> str | None:
    """TS_MW form of ``moment`` (zero-padded, also for years before 1000)."""
    return None if moment is None else f"{moment.year:04d}" + moment.strftime("%m%d%H%M%S")


# Timezones

_OFFSET = re.compile(r"([+-])([01]\d|2[0-3]):([0-5]\d)", re.ASCII)
_IANA_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*", re.ASCII)
_NOT_ZONE_NAMES = frozenset({"localtime", "posixrules"})
_ABBREVIATION_MINUTES: dict[str, int] = {
    "UTC": 0, "GMT": 0, "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120, "WAT": 60,
    "EET": 120, "EEST": 180, "SAST": 120, "CAT": 120, "EAT": 180, "MSK": 180, "PKT": 300,
    "IST": 330, "WIB": 420, "HKT": 480, "SGT": 480, "PHT": 480, "AWST": 480, "JST": 540,
    "KST": 540, "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
    "HST": -600, "AKST": -540, "AKDT": -480, "PST": -480, "PDT": -420, "MST": -420,
    "MDT": -360, "CST": -360, "CDT": -300, "EST": -300, "EDT": -240,
}  # fmt: skip


def is_valid_timezone(tz: str) -> bool:
    """True for a '±HH:MM' offset, a known abbreviation (any case) or an IANA zone name."""
    return _fixed_offset(tz) is not None or _zone(tz) is not None


def utc_offset_at(tz: str, local: datetime) -> timedelta:
    """UTC offset of ``tz`` at the local wall-clock time ``local`` (read naive, fold=0).

    Raises ValueError when ``tz`` is not a valid timezone identifier.
    """
    fixed = _fixed_offset(tz)
    if fixed is not None:
        return fixed
    zone = _zone(tz)
    if zone is None:
        raise ValueError(f"invalid timezone: {tz!r}")
    return zone.utcoffset(local.replace(tzinfo=None, fold=0)) or timedelta(0)


def local_to_utc(ts_mw: str, tz: str) -> datetime:
    """Aware UTC datetime of the TS_MW local time ``ts_mw`` in ``tz``.

    Raises ValueError when ``ts_mw`` is not a valid TS_MW string or ``tz`` is not valid.
    """
    local = _to_datetime(_TS_MW.fullmatch(ts_mw))
    if local is None:
        raise ValueError(f"invalid TS_MW timestamp: {ts_mw!r}")
    try:
        return (local - utc_offset_at(tz, local)).replace(tzinfo=UTC)
    except OverflowError as exc:
        raise ValueError(f"timestamp out of range in UTC: {ts_mw!r}") from exc


def _fixed_offset(tz: str) -> timedelta | None:
    """The fixed offset of a '±HH:MM' string or a known abbreviation; None otherwise."""
    match = _OFFSET.fullmatch(tz)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        return sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
    minutes = _ABBREVIATION_MINUTES.get(tz.upper()) if tz.isascii() else None
    return None if minutes is None else timedelta(minutes=minutes)


def _zone(tz: str) -> zoneinfo.ZoneInfo | None:
    """The IANA zone called exactly ``tz``; None for anything else (paths, unknown names)."""
    if not _IANA_NAME.fullmatch(tz) or tz in _NOT_ZONE_NAMES:
        return None
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


# URLs

_BLANK_OR_CONTROL = re.compile(rf"[\s{_CONTROL}]")
_URL = re.compile(r"(?:([A-Za-z][A-Za-z0-9+.-]*):)?//([^/?#]*)(.*)", re.DOTALL)
_USERINFO = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})*", re.ASCII)
_HOST_PORT = re.compile(r"(\[[^\]]*\]|[^:\[\]]*)(?::(\d{0,5}))?", re.ASCII)
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", re.ASCII)
_HEX_GROUP = re.compile(r"[0-9A-Fa-f]{1,4}", re.ASCII)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}", re.ASCII)


def is_valid_url(url: str) -> bool:
    """CampaignEvents' rule for meeting and chat URLs.

    After trimming what PHP's trim() removes: an http/https scheme (any case) or a
    protocol-relative '//host'; no whitespace or control character anywhere; valid user info and
    port if given; a host that is an IPv6 literal or, after IDNA conversion, a DNS name of
    letter/digit/hyphen labels. The path, query and fragment may hold any other character,
    including non-ASCII ones.
    """
    text = url.strip(_TRIM)
    if _BLANK_OR_CONTROL.search(text):
        return False
    match = _URL.fullmatch(text)
    if match is None:
        return False
    scheme = match.group(1)
    if scheme is not None and scheme.lower() not in ("http", "https"):
        return False
    return _is_valid_authority(match.group(2))


def _is_valid_authority(authority: str) -> bool:
    """True for '[userinfo@]host[:port]' with a valid user info, host and port (0..65535)."""
    userinfo, _, host_port = authority.rpartition("@")
    match = _HOST_PORT.fullmatch(host_port)
    if match is None or not _USERINFO.fullmatch(userinfo) or int(match.group(2) or 0) > 65535:
        return False
    return _is_valid_host(match.group(1))


def _is_valid_host(host: str) -> bool:
    """True for an IPv6 literal in brackets or a DNS name (IDN allowed, trailing dot allowed)."""
    if host.startswith("["):
        return _is_ipv6(host[1:-1])
    try:
        name = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    name = name.removesuffix(".")
    return 0 < len(name) <= 253 and all(_LABEL.fullmatch(label) for label in name.split("."))


def _is_ipv6(text: str) -> bool:
    """True for an IPv6 address in RFC 4291 text form ('::' and a dotted IPv4 tail allowed)."""
    last = text.rpartition(":")[2]
    if ":" in text and "." in last:
        if not _IPV4.fullmatch(last):
            return False
        text = text[: -len(last)] + "0:0"
    head, compressed, tail = text.partition("::")
    groups = [group for part in (head, tail) if part for group in part.split(":")]
    if not all(_HEX_GROUP.fullmatch(group) for group in groups):
        return False
    return len(groups) < 8 if compressed else len(groups) == 8
