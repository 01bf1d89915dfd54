"""DatePoll fixtures: an administration account (event-organizer), members, sign-in, a client
that sends ``?token=`` as the web client does, and an event made through DatePoll."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.bootstrap import Services
from domain import poll_commands

BASE = "/api/v1/avent"


@dataclass
class Dp:
    client: FlaskClient
    token: str | None

    def call(self, method: str, path: str, body: Any = None, *, token: str | None = "use") -> Any:
        query = {} if token is None else {"token": self.token if token == "use" else token}
        return self.client.open(path, method=method, json=body, query_string=query)

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("PUT", path, body, **kw)

    def delete(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("DELETE", path, body, **kw)


def signin(app: Flask, name: str, password: str) -> dict[str, Any]:
    resp = app.test_client().post("/api/auth/signin", json={"username": name, "password": password})
    assert resp.status_code == 200, resp.get_json()
    body: dict[str, Any] = resp.get_json()
    return body


@pytest.fixture
def dp(flask_app: Flask, make_user: Any) -> Any:
    """``dp(name, *groups)``: a signed-in DatePoll client for a new account."""

    def make(name: str, *groups: str) -> Dp:
        user = make_user(name, *groups)
        client = Dp(flask_app.test_client(), signin(flask_app, user.name, user.password)["token"])
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


def date(when: str, location: str = "", x: float = -199, y: float = -199, **more: Any) -> dict[str, Any]:
    return {"id": -1, "date": when, "location": location, "x": x, "y": y, "description": "", **more}


def event_body(name: str = "Macklemore Konzert", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "forEveryone": True,
        "description": "",
        "decisions": [
            {"id": -1, "decision": "Ja", "show_in_calendar": True, "color": "#008b02"},
            {"id": -1, "decision": "Nein", "show_in_calendar": False, "color": "#b80000"},
            {"id": -1, "decision": "Vielleicht", "show_in_calendar": True, "color": "#fccb00"},
        ],
        "dates": [
            date("2030-01-30 15:00:00", x=48.675076, y=15.866749),
            date("2030-01-30 16:00:00", "Nowhere", x=48.670088, y=15.911347),
            date("2030-01-30 17:00:00"),
        ],
        "startDate": None,
        "endDate": None,
    }  # fmt: skip
    body.update(overrides)
    return body


def make_group(services: Services, name: str, order: int = 0, permissions: tuple[str, ...] = ()) -> int:
    made = services.app.create_group(poll_commands.CreateGroup(name, order=order, permissions=permissions))
    services.written(made.position)
    return made.id


def make_subgroup(services: Services, group_id: int, name: str, order: int = 0) -> int:
    made = services.app.create_subgroup(poll_commands.CreateSubgroup(group_id, name, order=order))
    services.written(made.position)
    return made.id


def join(
    services: Services, user_id: int, group_id: int | None = None, subgroup_id: int | None = None
) -> None:
    services.written(
        services.app.change_membership(
            poll_commands.ChangeMembership(user_id, group_id, subgroup_id)
        ).position
    )


def set_name(services: Services, name: str, first: str, last: str) -> None:
    services.written(services.app.set_person_name(poll_commands.SetPersonName(name, first, last)).position)
