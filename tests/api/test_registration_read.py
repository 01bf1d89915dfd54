"""GET /campaignevents/v0/event_registration/{id}: ids, deleted registrations, the whole body, and
who sees the meeting and chat URLs (organizers; not anonymous, other or blocked users)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from domain import commands
from tests.api.helpers import (
    BASE,
    EVENT_NOT_FOUND,
    GET_CREATED,
    GET_DELETED,
    ID_ABC,
    People,
    assert_json,
    assert_text,
    create,
    observed_details,
    path_error,
    url,
)
from tests.conftest import registration_body


@pytest.fixture
def admin(api: Any, people: People) -> Any:
    return api(people.admin, session=True)


@pytest.mark.parametrize("event_id", ["999999", "0", "-1", "+0", "00"])  # 4, 6, 7
def test_unknown_zero_and_negative_ids_are_404(api: Any, event_id: str) -> None:
    assert_text(api().get(url(event_id)), 404, EVENT_NOT_FOUND)


def test_unknown_id_after_existing_ones(admin: Any, api: Any) -> None:
    create(admin)
    assert_text(api().get(url(2)), 404, EVENT_NOT_FOUND)
    assert api().get(url("+1")).status_code == 200  # MediaWiki's integers take a sign


def test_non_integer_id_is_badinteger(api: Any) -> None:
    assert_text(api().get(url("abc")), 400, ID_ABC)  # 5


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("1.0", "1.0"),
        ("1e3", "1e3"),
        ("%201", " 1"),
        ("1_0", "1_0"),
        ("%D9%A1", "\u0661"),  # ARABIC-INDIC DIGIT ONE: not an ASCII digit
        ("0x1", "0x1"),
        ("99999999999999999999", "99999999999999999999"),  # beyond a 64-bit integer
    ],
)
def test_other_non_integers_are_badinteger(admin: Any, api: Any, raw: str, shown: str) -> None:
    create(admin)
    message = f'Invalid value "{shown}" for integer parameter "id".'
    assert_json(api().get(url(raw)), 400, path_error("id", shown, "badinteger", message))


def test_largest_64_bit_integer_is_an_unknown_id(api: Any) -> None:
    assert_text(api().get(url(2**63 - 1)), 404, EVENT_NOT_FOUND)


def test_anonymous_sees_everything_but_the_urls(admin: Any, api: Any) -> None:
    create(admin)
    resp = api().get(url(1))  # 12 (the newest branch omits set URLs for non-participants)
    assert_json(resp, 200, observed_details(GET_CREATED, hide_urls=True))
    assert "meeting_url" not in resp.get_json() and "chat_url" not in resp.get_json()


def test_organizer_sees_the_urls(admin: Any, api: Any, people: People) -> None:
    create(admin)
    assert_json(admin.get(url(1)), 200, observed_details(GET_CREATED))  # 13
    assert_json(api(people.admin).get(url(1)), 200, observed_details(GET_CREATED))


def test_other_users_do_not_see_the_urls(admin: Any, api: Any, people: People) -> None:
    create(admin)
    hidden = observed_details(GET_CREATED, hide_urls=True)
    for user in (people.bob, people.carol, people.alice):
        assert_json(api(user).get(url(1)), 200, hidden)
        assert_json(api(user, session=True).get(url(1)), 200, hidden)


def test_blocked_organizer_does_not_see_the_urls(admin: Any, api: Any, services: Any) -> None:
    create(admin)
    services.app.block_user(commands.BlockUser("Admin"))
    assert_json(admin.get(url(1)), 200, observed_details(GET_CREATED, hide_urls=True))
    services.app.unblock_user(commands.UnblockUser("Admin"))
    assert_json(admin.get(url(1)), 200, observed_details(GET_CREATED))


def test_active_participants_see_the_urls(admin: Any, api: Any, people: People, services: Any) -> None:
    create(admin)
    bob, carol = api(people.bob, session=True), api(people.carol)
    assert bob.put(url(1) + "/participants/self", {"is_private": False}).get_json() == {"modified": True}
    assert carol.put(url(1) + "/participants/self", {"is_private": True}).get_json() == {"modified": True}
    shown, hidden = observed_details(GET_CREATED), observed_details(GET_CREATED, hide_urls=True)
    assert_json(bob.get(url(1)), 200, shown)
    assert_json(carol.get(url(1)), 200, shown)  # a private participant too
    assert_json(api().get(url(1)), 200, hidden)
    assert bob.delete(url(1) + "/participants/self").get_json() == {"modified": True}
    assert_json(bob.get(url(1)), 200, hidden)  # no longer active
    services.app.block_user(commands.BlockUser("Carol"))
    assert_json(carol.get(url(1)), 200, hidden)  # blocked


def test_unset_urls_are_null_for_everyone(api: Any, people: People) -> None:
    create(api(people.alice), meeting_url=..., chat_url=...)
    for client in (api(), api(people.bob), api(people.alice)):
        got = client.get(url(1)).get_json()
        assert (got["meeting_url"], got["chat_url"]) == (None, None)
        assert list(got)[4:6] == ["chat_url", "wikis"]


def test_only_the_set_url_is_omitted(api: Any, people: People) -> None:
    create(api(people.alice), meeting_url=...)
    got = api().get(url(1)).get_json()
    assert got["meeting_url"] is None
    assert "chat_url" not in got
    assert api(people.alice).get(url(1)).get_json()["chat_url"] == "https://chat.example.org/room"


def test_deleted_registration_is_404(admin: Any, api: Any) -> None:
    create(admin)
    assert admin.delete(url(1)).status_code == 204
    assert_text(api().get(url(1)), 404, GET_DELETED)  # 138
    assert_text(admin.get(url(1)), 404, GET_DELETED)


def test_invalid_bearer_token_is_401_even_for_reading(admin: Any, api: Any) -> None:
    create(admin)
    resp = api().get(url(1), headers={"Authorization": "Bearer nope"})
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_get_ignores_a_body(admin: Any, api: Any) -> None:
    create(admin)
    resp = api().client.get(url(1), data="{not json", content_type="application/json")
    assert_json(resp, 200, observed_details(GET_CREATED, hide_urls=True))


class TestTrackingTools:
    """With a tracking tool configured (none is by default), GET lists it as ``tool_id``/``tool_event_id``."""

    @pytest.fixture
    def sqlite_settings(self, sqlite_settings: Any) -> Any:
        return replace(sqlite_settings, tracking_tools=("wikimedia-pe-dashboard",))

    def test_tracking_tool_is_read_back(self, admin: Any, api: Any) -> None:
        create(admin, tracking_tool_id="wikimedia-pe-dashboard", tracking_tool_event_id="Inst/Course")
        tools = api().get(url(1)).get_json()["tracking_tools"]
        assert tools == [{"tool_id": "wikimedia-pe-dashboard", "tool_event_id": "Inst/Course"}]
        assert list(tools[0]) == ["tool_id", "tool_event_id"]

    def test_unknown_tool_is_still_refused(self, admin: Any) -> None:
        body = registration_body(tracking_tool_id="other", tracking_tool_event_id="x")
        assert admin.post(BASE, body).get_json()["errorKey"] == "campaignevents-error-invalid-trackingtool"

    def test_pe_dashboard_without_event_id(self, admin: Any) -> None:
        body = registration_body(tracking_tool_id="wikimedia-pe-dashboard")
        got = admin.post(BASE, body).get_json()
        assert got["errorKey"] == "campaignevents-error-trackingtool-without-eventid"
