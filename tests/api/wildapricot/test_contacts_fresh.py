"""The contacts list reads the catalog's users table: an account made just before (not through an
API write that waits for the read models) is listed at once, as ``contacts/{id}`` shows it."""

from __future__ import annotations

from typing import Any

from domain import commands
from tests.api.wildapricot.conftest import BASE


def test_an_account_made_just_before_is_listed(wa: Any, services: Any) -> None:
    boss = wa("Boss", "event-organizer")
    for n in range(3):
        made = services.app.create_user(commands.CreateUser(f"New{n}", None, (), f"pw-new-{n}-secret"))
        listed = boss.get(BASE + "/Contacts", query_string={"$top": "100"})
        assert listed.status_code == 200, listed.get_json()
        assert made.user_id in {c["Id"] for c in listed.get_json()["Contacts"]}
        assert boss.get(BASE + f"/Contacts/{made.user_id}").get_json()["DisplayName"] == f"New{n}"
