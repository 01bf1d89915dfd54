"""Shapes of list entries, as the reference shows them (hand-built dicts: these are bulk paths)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

from api import links
from api.context import services
from api.messages import text
from domain.details import Details

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class Shown(Protocol):
    """A registration as GET details shows it: the aggregate (``as_of``) or the read model's view."""

    @property
    def event_id(self) -> int: ...
    @property
    def wiki(self) -> str: ...
    @property
    def details(self) -> Details: ...
    @property
    def status(self) -> str: ...
    @property
    def questions(self) -> Sequence[int]: ...


def details(registration: Shown, show_urls: bool) -> dict[str, Any]:
    """GET /event_registration/{id}, in ``api.schemas.RegistrationDetails``'s field order (built by
    hand: this is the hottest read). Meeting and chat URLs that are set are left out unless
    ``show_urls``."""
    d = registration.details
    tools = []
    if d.tracking_tool_id is not None:
        tools = [{"tool_id": d.tracking_tool_id, "tool_event_id": d.tracking_tool_event_id}]
    view: dict[str, Any] = {
        "id": registration.event_id,
        "name": d.name,
        "event_page": d.page,
        "event_page_wiki": registration.wiki,
        "chat_url": d.chat_url,
        "wikis": list(d.wikis),
        "tracking_tools": tools,
        "status": registration.status,
        "timezone": d.timezone,
        "start_time": d.start_local,
        "end_time": d.end_local,
        "online_meeting": d.online,
        "inperson_meeting": d.inperson,
        "meeting_url": d.meeting_url,
        "meeting_country": d.meeting_country,
        "meeting_address": d.meeting_address,
        "questions": list(registration.questions),
    }
    if not show_urls:
        for key in ("chat_url", "meeting_url"):
            if view[key] is not None:
                del view[key]
    return view


def user_page(user_name: str, user_id: int) -> dict[str, str]:
    """The user's link, where ``CAMPAIGNEVENTS_USER_URL`` points. MediaWiki shows a link to a page
    that does not exist (a template with ``redlink=1``) as a red one: so is it shown here."""
    return dict(_user_page(services().settings.user_url, user_id, user_name))


@lru_cache(maxsize=8192)
def _user_page(template: str, user_id: int, user_name: str) -> dict[str, str]:
    """(Cached: a pure function of its arguments; callers get a copy.)"""
    path = links.user_url(template, user_id, user_name)
    if links.is_red_link(template):
        return {
            "path": path,
            "title": f"User:{user_name} (page does not exist)",
            "classes": "new mw-userlink",
        }
    return {"path": path, "title": f"User:{user_name}", "classes": "mw-userlink"}


def formatted(ts_mw: str) -> str:
    """``20261122012904`` → ``01:29, 22 November 2026`` (UTC; there are no user preferences).
    Sliced, not parsed: the read model stores the fixed-width form."""
    return f"{ts_mw[8:10]}:{ts_mw[10:12]}, {int(ts_mw[6:8])} {MONTHS[int(ts_mw[4:6]) - 1]} {ts_mw[:4]}"


def no_response(question_id: int) -> dict[str, Any]:
    return {"message": text("campaignevents-participant-no-response"), "questionID": question_id}
