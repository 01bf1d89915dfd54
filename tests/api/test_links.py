"""User and event links: ``CAMPAIGNEVENTS_USER_URL`` and ``CAMPAIGNEVENTS_EVENT_URL``.

By default a user's link is this service's list of the events they registered for, and an e-mail's
event link is the registration's details under ``CAMPAIGNEVENTS_BASE_URL``: both answer. A configured
template is filled in (names as MediaWiki writes titles in URLs); a MediaWiki red link template shows as
a red link. E-mail is asserted on the messages the mail layer builds (a recording mailer: the SMTP path
itself is covered by the integration tests against the SMTP sink).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from email.message import EmailMessage
from typing import Any

import pytest

from api import links
from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from domain.ports import FakeClock
from tests.api.helpers import BASE, create, stop_projector

WIKI_USER = "https://meta.example.org/wiki/User:{user_name}?uid={user_id}"
WIKI_EVENT = "https://meta.example.org/wiki/{event_page}#registration-{event_id}"
RED_LINK = "/w/index.php?title=User:{user_name}&action=edit&redlink=1"


class RecordingMailer:
    """Keeps every message it is given (a fake to read, in place of SMTP)."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    @contextmanager
    def connection(self) -> Iterator[Callable[[EmailMessage], None]]:
        yield self.sent.append

    def wait_for(self, count: int) -> list[EmailMessage]:
        deadline = time.monotonic() + 10
        while len(self.sent) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.sent) == count, [m["To"] for m in self.sent]
        return list(self.sent)


@pytest.fixture
def sqlite_settings(sqlite_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The shared test settings with this module's templates (the defaults unless parametrized)."""
    user_url, event_url = getattr(request, "param", (links.DEFAULT_USER_URL, links.DEFAULT_EVENT_URL))
    return replace(sqlite_settings, user_url=user_url, event_url=event_url)


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def services(sqlite_settings: Settings, clock: FakeClock, mailer: RecordingMailer) -> Iterator[Services]:
    """The shared fixture's services, built with the recording mailer (the jobs get it at construction)."""
    init_store(sqlite_settings)
    built = build_services(sqlite_settings, clock, mailer=mailer)
    yield built
    stop_projector(built)
    built.close()


@pytest.fixture
def cast(api: Any, make_user: Any, mailer: RecordingMailer) -> dict[str, Any]:
    """Olga organizes "Event:Edit-a-thon 2030"; Mary Ann and Zoë register (two confirmations)."""
    olga = make_user("Olga", "event-organizer")
    mary, zoe = make_user("Mary Ann"), make_user("Zoë", email="zoe@example.org")
    event = create(api(olga), "Event:Edit-a-thon 2030")
    for user in (mary, zoe):
        resp = api(user).put(f"{BASE}/{event}/participants/self", {"is_private": False})
        assert resp.status_code == 200, resp.get_json()
    mailer.wait_for(2)
    return {"olga": olga, "mary": mary, "zoe": zoe, "event": event, "api": api}


def participants(cast: dict[str, Any]) -> list[dict[str, Any]]:
    resp = cast["api"]().get(f"{BASE}/{cast['event']}/participants?include_private=false")
    assert resp.status_code == 200
    entries: list[dict[str, Any]] = resp.get_json()
    return entries


def organizers(cast: dict[str, Any]) -> list[dict[str, Any]]:
    resp = cast["api"]().get(f"{BASE}/{cast['event']}/organizers")
    assert resp.status_code == 200
    entries: list[dict[str, Any]] = resp.get_json()
    return entries


def email_everyone(cast: dict[str, Any], mailer: RecordingMailer) -> list[EmailMessage]:
    mailer.sent.clear()
    body = {"subject": "Tomorrow", "message": "Bring a laptop.", "ccme": True}
    resp = cast["api"](cast["olga"]).post(f"{BASE}/{cast['event']}/email", body)
    assert resp.status_code == 202, resp.get_json()
    return mailer.wait_for(3)  # Mary Ann, Zoë and Olga's copy


# --- the defaults ----------------------------------------------------------------------------------
def test_by_default_a_user_link_is_their_events_on_this_service(cast: dict[str, Any]) -> None:
    mary, zoe, olga = cast["mary"], cast["zoe"], cast["olga"]
    assert [e["user_page"] for e in participants(cast)] == [
        {
            "path": f"/campaignevents/v0/participant/{mary.user_id}/event_registrations",
            "title": "User:Mary Ann",
            "classes": "mw-userlink",
        },
        {
            "path": f"/campaignevents/v0/participant/{zoe.user_id}/event_registrations",
            "title": "User:Zoë",
            "classes": "mw-userlink",
        },
    ]
    assert organizers(cast)[0]["user_page"] == {
        "path": f"/campaignevents/v0/participant/{olga.user_id}/event_registrations",
        "title": "User:Olga",
        "classes": "mw-userlink",
    }
    # the link leads somewhere: the events Mary Ann registered for
    followed = cast["api"]().get(participants(cast)[0]["user_page"]["path"])
    assert (followed.status_code, followed.get_json()) == (
        200,
        [{"event_id": cast["event"], "event_name": "Edit-a-thon 2030"}],
    )


def test_by_default_e_mails_link_the_event_details_under_the_base_url(
    cast: dict[str, Any], mailer: RecordingMailer
) -> None:
    details = f"http://campaignevents.test/campaignevents/v0/event_registration/{cast['event']}"
    confirmation = mailer.sent[0].get_content()
    assert confirmation == (
        "Hello Mary Ann,\n\nyou are now registered for the event Edit-a-thon 2030 "
        f"({details}).\n\nTo cancel your registration, use the event's page or the API.\n"
    )
    messages = email_everyone(cast, mailer)
    assert messages[0].get_content() == (
        "Bring a laptop.\n\n-- \nThis email was sent by Olga to Mary Ann, a registered participant of the "
        f"following event: {details}. If you reply, your reply will go to Olga.\n"
    )
    assert (
        messages[2]
        .get_content()
        .endswith(
            f"This is a copy of the email you sent to the participants of the following event: {details}.\n"
        )
    )
    followed = cast["api"](cast["mary"]).get(details.removeprefix("http://campaignevents.test"))
    assert (followed.status_code, followed.get_json()["name"]) == (200, "Edit-a-thon 2030")


# --- configured templates --------------------------------------------------------------------------
@pytest.mark.parametrize("sqlite_settings", [(WIKI_USER, WIKI_EVENT)], indirect=True)
def test_configured_templates_are_filled_in(cast: dict[str, Any], mailer: RecordingMailer) -> None:
    mary, zoe = cast["mary"], cast["zoe"]
    assert [e["user_page"] for e in participants(cast)] == [
        {
            "path": f"https://meta.example.org/wiki/User:Mary_Ann?uid={mary.user_id}",
            "title": "User:Mary Ann",
            "classes": "mw-userlink",
        },
        {
            "path": f"https://meta.example.org/wiki/User:Zo%C3%AB?uid={zoe.user_id}",
            "title": "User:Zoë",
            "classes": "mw-userlink",
        },
    ]
    page = f"https://meta.example.org/wiki/Event:Edit-a-thon_2030#registration-{cast['event']}"
    assert f"the event Edit-a-thon 2030 ({page})." in mailer.sent[0].get_content()
    messages = email_everyone(cast, mailer)
    assert [f"following event: {page}." in m.get_content() for m in messages] == [True, True, True]


@pytest.mark.parametrize("sqlite_settings", [(RED_LINK, "/events/{event_id}")], indirect=True)
def test_a_red_link_template_shows_as_mediawiki_shows_a_missing_user_page(
    cast: dict[str, Any], mailer: RecordingMailer
) -> None:
    assert participants(cast)[0]["user_page"] == {
        "path": "/w/index.php?title=User:Mary_Ann&action=edit&redlink=1",
        "title": "User:Mary Ann (page does not exist)",
        "classes": "new mw-userlink",
    }
    # a path template is put under the base URL in e-mails
    assert f"(http://campaignevents.test/events/{cast['event']})" in mailer.sent[0].get_content()


# --- the settings ----------------------------------------------------------------------------------
def test_settings_read_the_templates_from_the_environment() -> None:
    env = {"CAMPAIGNEVENTS_DATA_DIR": "/nonexistent", "CAMPAIGNEVENTS_SECRET_KEY": "x"}
    default = Settings.from_env(env)
    assert (default.user_url, default.event_url) == (
        "/campaignevents/v0/participant/{user_id}/event_registrations",
        "/campaignevents/v0/event_registration/{event_id}",
    )
    configured = Settings.from_env(
        env | {"CAMPAIGNEVENTS_USER_URL": WIKI_USER, "CAMPAIGNEVENTS_EVENT_URL": WIKI_EVENT}
    )
    assert (configured.user_url, configured.event_url) == (WIKI_USER, WIKI_EVENT)


@pytest.mark.parametrize(
    ("variable", "template", "message"),
    [
        (
            "CAMPAIGNEVENTS_USER_URL",
            "/wiki/User:{username}",
            "CAMPAIGNEVENTS_USER_URL: unknown placeholder {username} (it may use {user_id}, {user_name})",
        ),
        (
            "CAMPAIGNEVENTS_EVENT_URL",
            "/wiki/{user_name}",
            "CAMPAIGNEVENTS_EVENT_URL: unknown placeholder {user_name} (it may use {event_id}, {event_page})",
        ),
    ],
)
def test_a_template_with_an_unknown_placeholder_is_refused_at_start(
    variable: str, template: str, message: str
) -> None:
    env = {"CAMPAIGNEVENTS_SECRET_KEY": "x", variable: template}
    with pytest.raises(ValueError) as refused:
        Settings.from_env(env)
    assert str(refused.value) == message


def test_names_and_titles_are_written_as_mediawiki_writes_them_in_urls() -> None:
    assert links.user_url("/u/{user_name}/{user_id}", 7, "O'Brien (bot)") == "/u/O%27Brien_(bot)/7"
    assert links.user_url("/u/{user_name}", 7, "A&B=C?") == "/u/A%26B%3DC%3F"
    assert (
        links.event_url("/e/{event_page}", "https://x.org/", 3, "Event:Foo bar")
        == "https://x.org/e/Event:Foo_bar"
    )
    assert links.event_url("https://w.org/{event_id}", "https://x.org", 3, "Event:Foo") == "https://w.org/3"
    assert links.is_red_link(RED_LINK)
    assert not links.is_red_link("/w/index.php?title=User:{user_name}&redlink=10")
