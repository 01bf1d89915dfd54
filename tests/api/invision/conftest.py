"""Invision fixtures: a client that sends the personal API token as Invision's clients do (HTTP
Basic user name with an empty password, ``?key=``, or a bearer token), form-encoded."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

BASE = "/api/calendar"


@dataclass
class Ic:
    client: FlaskClient
    token: str
    user_id: int
    mode: str = "basic"

    def headers(self) -> dict[str, str]:
        if self.mode == "basic":
            return {"Authorization": "Basic " + base64.b64encode(f"{self.token}:".encode()).decode()}
        if self.mode == "bearer":
            return {"Authorization": f"Bearer {self.token}"}
        return {}

    def call(self, method: str, path: str, data: Any = None, query: Any = None) -> Any:
        query = dict(query or {})
        if self.mode == "key":
            query["key"] = self.token
        return self.client.open(
            BASE + path, method=method, data=data, query_string=query, headers=self.headers()
        )

    def get(self, path: str, query: Any = None) -> Any:
        return self.call("GET", path, query=query)

    def post(self, path: str, data: Any = None) -> Any:
        return self.call("POST", path, data=data)

    def put(self, path: str, data: Any = None) -> Any:
        return self.call("PUT", path, data=data)

    def delete(self, path: str) -> Any:
        return self.call("DELETE", path)


@pytest.fixture
def ic(flask_app: Flask, make_user: Any) -> Any:
    """``ic(name, *groups, mode=...)``: an Invision client for a new account."""

    def make(name: str, *groups: str, mode: str = "basic") -> Ic:
        user = make_user(name, *groups)
        return Ic(flask_app.test_client(), user.token, user.user_id, mode)

    return make


def event_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "calendar": "1",
        "title": "Meetup at the park",
        "description": "<p>Bring <b>snacks</b><script>alert(1)</script></p>",
        "start": "2030-05-01 18:00",
        "end": "2030-05-01 20:30",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def error_of(resp: Any) -> tuple[int, str, str]:
    body = resp.get_json()
    return resp.status_code, body["errorCode"], body["errorMessage"]
