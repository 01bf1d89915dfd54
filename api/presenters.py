"""Shapes of list entries, as the reference shows them (hand-built dicts: these are bulk paths)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api import links
from api.context import services
from api.messages import text

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


def user_page(user_name: str, user_id: int) -> dict[str, str]:
    """The user's link, where ``CAMPAIGNEVENTS_USER_URL`` points. MediaWiki shows a link to a page
    that does not exist (a template with ``redlink=1``) as a red one: so is it shown here."""
    template = services().settings.user_url
    path = links.user_url(template, user_id, user_name)
    if links.is_red_link(template):
        return {
            "path": path,
            "title": f"User:{user_name} (page does not exist)",
            "classes": "new mw-userlink",
        }
    return {"path": path, "title": f"User:{user_name}", "classes": "mw-userlink"}


def formatted(ts_mw: str) -> str:
    """``20261122012904`` → ``01:29, 22 November 2026`` (UTC; there are no user preferences)."""
    moment = datetime.strptime(ts_mw, "%Y%m%d%H%M%S")
    return f"{moment:%H:%M}, {moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def no_response(question_id: int) -> dict[str, Any]:
    return {"message": text("campaignevents-participant-no-response"), "questionID": question_id}
