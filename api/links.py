"""Where user and event links point: ``CAMPAIGNEVENTS_USER_URL`` and ``CAMPAIGNEVENTS_EVENT_URL``.

A template is a URL or a path with placeholders in braces: ``{user_id}`` and ``{user_name}`` for a
user, ``{event_id}`` and ``{event_page}`` for an event. Names and titles are filled in as MediaWiki
writes a page title in a URL (spaces as underscores, then percent-encoded): ``Mary_Ann``,
``Event:Edit-a-thon``. A template that starts with ``/`` is a path on this service: the API shows it
as it is, e-mails put ``CAMPAIGNEVENTS_BASE_URL`` in front of it.

The defaults point at this service's own routes: a user at the events they have registered for, an
event at its registration details.
"""

from __future__ import annotations

import re
from urllib.parse import quote

DEFAULT_USER_URL = "/campaignevents/v0/participant/{user_id}/event_registrations"
DEFAULT_EVENT_URL = "/campaignevents/v0/event_registration/{event_id}"
USER_PLACEHOLDERS = ("user_id", "user_name")
EVENT_PLACEHOLDERS = ("event_id", "event_page")

# MediaWiki's wfUrlencode() leaves these unescaped in the titles of the links it renders.
TITLE_SAFE = ";@$!*(),/~:"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def checked(variable: str, template: str, allowed: tuple[str, ...]) -> str:
    """The template, or ValueError naming the variable when it uses a placeholder it cannot have."""
    unknown = [name for name in _PLACEHOLDER.findall(template) if name not in allowed]
    if unknown:
        names = ", ".join("{" + name + "}" for name in allowed)
        raise ValueError(f"{variable}: unknown placeholder {{{unknown[0]}}} (it may use {names})")
    return template


def title_in_url(title: str) -> str:
    """``User:Mary Ann`` → ``User:Mary_Ann``; ``Zoë`` → ``Zo%C3%AB`` (as MediaWiki links a title)."""
    return quote(title.replace(" ", "_"), safe=TITLE_SAFE)


def fill(template: str, **values: str | int) -> str:
    """The template with its placeholders replaced (``checked`` has refused any other)."""
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)


def user_url(template: str, user_id: int, user_name: str) -> str:
    return fill(template, user_id=user_id, user_name=title_in_url(user_name))


def event_url(template: str, base_url: str, event_id: int, event_page: str) -> str:
    """An absolute link to the event: a path template is put under ``base_url``."""
    link = fill(template, event_id=event_id, event_page=title_in_url(event_page))
    return base_url.rstrip("/") + link if link.startswith("/") else link


def is_red_link(url: str) -> bool:
    """A MediaWiki link to a page that does not exist (``...&action=edit&redlink=1``)."""
    return re.search(r"[?&]redlink=1(&|$)", url) is not None
