"""The editable details of an event registration, and the rules that validate them.

``validate_details`` reports only the first broken rule, in the reference's order: page (a section,
then the namespace), timezone, start/end, wikis, meeting information, chat URL, tracking tool.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from domain import errors
from domain.validation import PageTitle, is_valid_timezone, is_valid_url, local_to_utc

ALL_WIKIS = "*"
MAX_WIKIS = 100
MAX_ADDRESS_BYTES = 8192


@dataclass(frozen=True)
class DetailsInput:
    """What a caller asked for, after the API's parameter validation (types and formats)."""

    page: PageTitle
    timezone: str
    start: str  # TS_MW, local time in ``timezone``
    end: str
    wikis: list[str]
    online: bool = False
    inperson: bool = False
    meeting_url: str | None = None
    meeting_country: str | None = None
    meeting_address: str | None = None
    chat_url: str | None = None
    tracking_tool_id: str | None = None
    tracking_tool_event_id: str | None = None


@dataclass(frozen=True)
class Details:
    """Validated details, as recorded in the registration's events."""

    page: str  # prefixed title, "Event:Foo bar"
    namespace: str
    name: str
    timezone: str
    start_local: str
    end_local: str
    start_utc: str  # ISO 8601
    end_utc: str
    wikis: list[str] = field(default_factory=list)  # ["*"] for all
    online: bool = False
    inperson: bool = False
    meeting_url: str | None = None
    meeting_country: str | None = None
    meeting_address: str | None = None
    chat_url: str | None = None
    tracking_tool_id: str | None = None
    tracking_tool_event_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Details:
        return cls(**data)

    @property
    def end_utc_dt(self) -> datetime:
        return datetime.fromisoformat(self.end_utc)

    @property
    def start_utc_dt(self) -> datetime:
        return datetime.fromisoformat(self.start_utc)


@dataclass(frozen=True)
class Policy:
    """Configuration the rules read: allowed namespaces, known wikis, tracking tools."""

    allowed_namespaces: tuple[str, ...] = ("Event",)
    known_wikis: tuple[str, ...] = ("local",)
    tracking_tools: tuple[str, ...] = ()


def validate_details(
    given: DetailsInput,
    policy: Policy,
    now: datetime,
    *,
    creating: bool,
    current_page: str | None = None,
) -> Details:
    """Return validated details or raise the first ``InvalidEventData`` in the reference's order.

    On edit (``creating=False``) a start in the past is allowed, and an unchanged page skips the
    namespace check.
    """
    _check_page(given.page, policy, current_page)
    start_utc, end_utc = _check_times(given, now, creating=creating)
    wikis = normalise_wikis(given.wikis, policy.known_wikis)
    meeting_url, country, address = _check_meeting(given)
    chat_url = _check_url(given.chat_url, errors.InvalidChatUrl)
    _check_tracking_tool(given, policy)
    return Details(
        page=given.page.prefixed,
        namespace=given.page.namespace,
        name=given.page.text,
        timezone=given.timezone,
        start_local=given.start,
        end_local=given.end,
        start_utc=start_utc.isoformat(),
        end_utc=end_utc.isoformat(),
        wikis=wikis,
        online=given.online,
        inperson=given.inperson,
        meeting_url=meeting_url,
        meeting_country=country,
        meeting_address=address,
        chat_url=chat_url,
        tracking_tool_id=given.tracking_tool_id,
        tracking_tool_event_id=given.tracking_tool_event_id,
    )


def _check_page(page: PageTitle, policy: Policy, current_page: str | None) -> None:
    if page.section is not None:
        raise errors.PageWithSection()
    if page.prefixed == current_page:
        return
    if page.namespace not in policy.allowed_namespaces:
        raise errors.PageNamespaceNotAllowed()


def _check_times(given: DetailsInput, now: datetime, *, creating: bool) -> tuple[datetime, datetime]:
    if not is_valid_timezone(given.timezone):
        raise errors.InvalidTimezone()
    if not given.start:
        raise errors.EmptyStart()
    try:
        start_utc = local_to_utc(given.start, given.timezone)
    except ValueError:
        raise errors.InvalidStart() from None
    if not given.end:
        raise errors.EmptyEnd()
    try:
        end_utc = local_to_utc(given.end, given.timezone)
    except ValueError:
        raise errors.InvalidEnd() from None
    if given.start > given.end:
        raise errors.StartAfterEnd()
    if creating and start_utc < now:
        raise errors.StartPast()
    return start_utc, end_utc


def normalise_wikis(wikis: list[str], known: tuple[str, ...]) -> list[str]:
    """Deduplicate; ``["*"]`` or a list naming every known wiki reads back as ``["*"]``."""
    unique = list(dict.fromkeys(wikis))
    if len(unique) > MAX_WIKIS:
        raise errors.TooManyWikis(MAX_WIKIS)
    if ALL_WIKIS in unique or (known and set(unique) == set(known)):
        return [ALL_WIKIS]
    unknown = [w for w in unique if w not in known]
    if unknown:
        raise errors.InvalidWikis(", ".join(unknown))
    return unique


def _check_meeting(given: DetailsInput) -> tuple[str | None, str | None, str | None]:
    if not given.online and not given.inperson:
        raise errors.NoParticipationOptions()
    meeting_url = _check_url(given.meeting_url, errors.InvalidMeetingUrl)
    if meeting_url is not None and not given.online:
        raise errors.MeetingUrlNotOnline()
    country = _trimmed(given.meeting_country)
    address = _trimmed(given.meeting_address)
    if not given.inperson and (country is not None or address is not None):
        raise errors.CountryOrAddressNotInPerson()
    if country == "":
        raise errors.InvalidCountry()
    if address == "":
        raise errors.InvalidAddress()
    if address is not None:
        address = address.encode()[:MAX_ADDRESS_BYTES].decode(errors="ignore")
    return meeting_url, country, address


def _check_url(url: str | None, error: type[errors.DomainError]) -> str | None:
    url = _trimmed(url)
    if url is None or url == "":
        return None
    if not is_valid_url(url):
        raise error()
    return url


def _check_tracking_tool(given: DetailsInput, policy: Policy) -> None:
    tool, tool_event = given.tracking_tool_id, given.tracking_tool_event_id
    if tool is not None and tool_event is None:
        raise errors.TrackingToolWithoutEventId()
    if tool is None and tool_event is not None:
        raise errors.TrackingToolEventIdWithoutToolId()
    if tool is not None and tool not in policy.tracking_tools:
        raise errors.InvalidTrackingTool()


def _trimmed(value: str | None) -> str | None:
    return None if value is None else value.strip()
