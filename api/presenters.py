"""Shapes of list entries, as the reference shows them (hand-built dicts: these are bulk paths)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

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


# MediaWiki's wfUrlencode() leaves these unescaped in the titles of the links it renders.
TITLE_SAFE = ";@$!*(),/~:"


def user_page(user_name: str) -> dict[str, str]:
    """The user page link MediaWiki renders for a user page that does not exist (there is no wiki)."""
    title = f"User:{user_name}"
    dbkey = quote(title.replace(" ", "_"), safe=TITLE_SAFE)
    return {
        "path": f"/w/index.php?title={dbkey}&action=edit&redlink=1",
        "title": f"{title} (page does not exist)",
        "classes": "new mw-userlink",
    }


def formatted(ts_mw: str) -> str:
    """``20261122012904`` → ``01:29, 22 November 2026`` (UTC; there are no user preferences)."""
    moment = datetime.strptime(ts_mw, "%Y%m%d%H%M%S")
    return f"{moment:%H:%M}, {moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def no_response(question_id: int) -> dict[str, Any]:
    return {"message": text("campaignevents-participant-no-response"), "questionID": question_id}
