"""Hostile requests on every route of the three dialects (Wild Apricot, DatePoll, Invision): never a
5xx, always a body that parses (strict JSON, or well-formed XML where Wild Apricot was asked for
it), and on a 4xx the dialect's own error shape.

The routes are read from the dialects' own dispatch tables (``api.wildapricot.blueprint.ROUTES``,
``api.invision.blueprint.ENDPOINTS``) and from the Flask url_map (DatePoll's blueprint), so a route
added later is covered without a change here. Each is called authenticated (an organizer and sysop
whose token/key the dialect's conftest helpers obtain) and unauthenticated or with a garbage
credential, with hostile path ids, query strings, bodies (JSON for Wild Apricot and DatePoll, form
bodies with bracketed names for Invision, raw non-UTF-8 bytes for all) and headers.

One world per test function, shared by its examples on purpose (as tests/api/test_hostile_input.py).
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from argon2 import PasswordHasher
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.datepoll.blueprint import bp as datepoll_bp
from api.invision.blueprint import ENDPOINTS
from api.ops import limiter
from api.wildapricot.blueprint import ROUTES as WA_ROUTES
from domain import commands, credentials
from domain.details import DetailsInput
from domain.validation import parse_title
from tests.api.datepoll.conftest import event_body as dp_event_body
from tests.api.datepoll.conftest import signin
from tests.api.helpers import stop_projector
from tests.api.invision.conftest import event_form
from tests.api.wildapricot.conftest import event_body as wa_event_body
from tests.api.wildapricot.conftest import token_for
from tests.conftest import registration_body

HYPOTHESIS = settings(
    # bounded for the suite; DIALECTS_HOSTILE_EXAMPLES=1000 for a longer hunt
    max_examples=int(os.environ.get("DIALECTS_HOSTILE_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


# --- the routes, from the dialects' own tables ------------------------------------------------------
@dataclass(frozen=True)
class Route:
    method: str
    template: str  # with {0}, {1} … where the table has an id

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(f"<{self.method} {self.template}>")


def _templated(pattern: str, group: str) -> str:
    count = iter(range(100))
    return re.sub(group, lambda _: "{" + str(next(count)) + "}", pattern)


def wa_routes() -> list[Route]:
    found = [Route("POST", "/auth/token")]
    for pattern, methods in WA_ROUTES:
        text = pattern.pattern.removesuffix(r"/?\Z")
        path = "/v2/" + _templated(text, r"\(\?P<\w+>\[\^/\]\+\)")
        found += [Route(method, path) for method in methods]
    return found


def invision_routes() -> list[Route]:
    found = []
    for controller, pattern, methods in ENDPOINTS:
        rest = _templated(pattern.pattern.removesuffix(r"/?\Z"), r"\(\[\^/\]\+\)")
        found += [Route(method, f"/calendar/{controller}{rest}") for method in methods]
    return found


def datepoll_routes(app: Flask) -> list[Route]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != datepoll_bp.name:
            continue
        path = _templated(rule.rule, r"<[^>]+>")
        found += [Route(m, path) for m in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    return found


def test_the_tables_are_read(flask_app: Flask) -> None:
    """The enumeration finds the dialects' routes (a sample of each, not a stale full list)."""
    wa = {(r.method, r.template) for r in wa_routes()}
    assert ("PUT", "/v2/accounts/{0}/events/{1}") in wa and ("POST", "/auth/token") in wa
    ic = {(r.method, r.template) for r in invision_routes()}
    assert ("PUT", "/calendar/events/{0}/rsvps/{1}") in ic and ("POST", "/calendar/calendars") in ic
    dp = {(r.method, r.template) for r in datepoll_routes(flask_app)}
    assert ("POST", "/api/v1/avent/vote") in dp and ("POST", "/api/auth/signin") in dp
    assert len(wa) >= 20 and len(ic) >= 15 and len(dp) >= 30


# --- hostile pieces -------------------------------------------------------------------------------------
SURROGATES = ("\ud800", "\udfff", "\udc00\ud800")
EDGE = ("\x00", "\x1f", "\u202e", "\ufeff", "\ufffd", "\uffff", "\U0001f600", "e\u0301", *SURROGATES)
IDS = ("0", "-1", "1", "2", str(2**63), str(2**64), "99999999999999999999", "abc", "1.5", "1e3", "%00",
       "%C3%A9", "%FF", "%ED%A0%80", "\u0661", " 1", "null", "true", "[]", "{}")  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**30])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(EDGE)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
hostile_values = (
    json_values
    | st.integers(1, 4).map(lambda n: "x" * 100_000 * n)
    | st.integers(2, 300).map(lambda d: json.loads("[" * d + "]" * d))
)
query_text = st.text(st.characters(codec="utf-8"), max_size=30) | st.sampled_from(EDGE)


def encoded(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


@st.composite
def query_strings(draw: st.DrawFn, names: tuple[str, ...]) -> str:
    pairs = draw(st.lists(st.tuples(st.sampled_from(names) | query_text, query_text), max_size=4))
    raw = "&".join(f"{encoded(k)}={encoded(v)}" for k, v in pairs)
    if draw(st.booleans()):
        raw += draw(st.sampled_from(["&%FF=%FE", "&a[b][][c]=1", "&&&", "&=x", "&%", "&a=%zz"]))
    return raw


def json_bytes(value: Any) -> bytes:
    try:
        return json.dumps(value).encode()
    except (ValueError, RecursionError):
        return b"[]"


@st.composite
def json_bodies(draw: st.DrawFn, base: dict[str, Any]) -> bytes:
    """A valid-looking body with one field (maybe nested) broken, or raw hostile bytes."""
    how = draw(st.sampled_from(["field", "nested", "value", "raw", "literal"]))
    if how == "raw":
        return draw(
            st.sampled_from([b"\xff\xfe", b"{\xc3}", b'{"a": "\xed\xa0\x80"}', b"{", b"", DEEP, OVER_LIMIT])
            | st.binary(max_size=40)
        )
    if how == "literal":
        field = json.dumps(draw(st.sampled_from(sorted(base)) | st.text(max_size=5)))
        literal = draw(st.sampled_from(["NaN", "Infinity", "1e400", "-1e400", str(2**64), '"\\ud800"']))
        return f"{{{field}: {literal}}}".encode()
    if how == "value":
        return json_bytes(draw(hostile_values))
    body = json.loads(json.dumps(base))
    key = draw(st.sampled_from(sorted(body)) | st.text(max_size=8))
    if how == "nested" and isinstance(body.get(key), dict) and body[key]:
        body[key][draw(st.sampled_from(sorted(body[key])))] = draw(hostile_values)
    elif how == "nested" and isinstance(body.get(key), list) and body[key]:
        body[key][0] = draw(hostile_values)
    else:
        body[key] = draw(hostile_values)
    return json_bytes(body)


@st.composite
def bracketed_names(draw: st.DrawFn, names: tuple[str, ...]) -> str:
    """Invision/PHP form names: ``a[b][][c]``, deep, odd."""
    name = draw(st.sampled_from(names) | query_text)
    parts = draw(
        st.lists(st.sampled_from(["[]", "[b]", "[0]", "[", "]", "[[", "[x]]", "[\u00e9]"]), max_size=6)
    )
    if draw(st.integers(0, 9)) == 0:
        parts = ["[a]"] * draw(st.integers(50, 300))
    return name + "".join(parts)


@st.composite
def form_bodies(draw: st.DrawFn, base: dict[str, Any]) -> bytes:
    names = (*base, "tags", "location", "venue", "status", "rsvps", "recurrence")
    pairs = [(k, str(v)) for k, v in base.items()] if draw(st.booleans()) else []
    pairs += draw(
        st.lists(
            st.tuples(
                bracketed_names(names),
                query_text | st.integers(1, 3).map(lambda n: "y" * 100_000 * n) | st.sampled_from(IDS),
            ),
            min_size=1,
            max_size=5,
        )
    )
    if draw(st.booleans()):  # repeated keys
        pairs += pairs[:2]
    raw = "&".join(f"{encoded(k)}={encoded(v)}" for k, v in pairs).encode()
    if draw(st.integers(0, 4)) == 0:
        raw += draw(
            st.sampled_from([b"&%FF=%FE", b"&t=%ED%A0%80", b"&\xff=\xfe", b"&a[=1", b"&%", OVER_LIMIT])
        )
    return raw


# --- the world ------------------------------------------------------------------------------------------
@dataclass
class World:
    app: Flask
    event_id: int
    user_id: int
    wa_token: str
    dp_token: str
    ic_key: str

    def __repr__(self) -> str:
        return f"World(event_id={self.event_id})"


@pytest.fixture
def world(flask_app: Flask, make_user: Any, services: Any, monkeypatch: Any) -> Iterator[World]:
    monkeypatch.setattr(credentials, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    boss = make_user("Boss", "event-organizer", "sysop")
    page = "Event:Dialects hostile"
    body = registration_body(page)
    title = parse_title(page)
    assert title is not None
    details = DetailsInput(
        page=title,
        timezone=body["timezone"],
        start=body["start_time"],
        end=body["end_time"],
        wikis=body["wikis"],
        online=True,
        meeting_url=body["meeting_url"],
    )
    made = services.app.enable_registration(commands.EnableRegistration(boss.user_id, details))
    services.app.register_participant(commands.RegisterParticipant(boss.user_id, made.event_id, False))
    services.written(services.app.recorder.max_notification_id() or 0)
    assert services.queue.wait_idle()
    yield World(
        flask_app,
        made.event_id,
        boss.user_id,
        token_for(flask_app, boss.token)["access_token"],
        signin(flask_app, boss.name, boss.password)["token"],
        boss.token,
    )
    stop_projector(services)


def path_of(route: Route, ids: list[str]) -> str:
    return route.template.format(*ids, *["1"] * 5)


def strict_json(data: bytes) -> Any:
    def no_constants(name: str) -> Any:
        raise ValueError(name)

    return json.loads(data.decode("utf-8"), parse_constant=no_constants)


def checked(resp: Any, what: str) -> Any:
    """Never a 5xx; the body parses; returns it parsed (JSON) or None (XML, empty)."""
    data = resp.get_data()
    assert resp.status_code < 500, f"{what} -> {resp.status_code} {data[:400]!r}"
    assert b"Traceback" not in data, what
    if resp.mimetype in ("application/xml", "text/xml"):
        ElementTree.fromstring(data)
        return None
    if resp.status_code in (204, 304) or resp.mimetype == "text/calendar":
        return None
    assert resp.mimetype == "application/json", (what, resp.status_code, resp.mimetype, data[:200])
    try:
        return strict_json(data)
    except ValueError as error:
        raise AssertionError(f"{what}: not strict JSON ({error}): {data[:300]!r}") from None


# --- Wild Apricot -------------------------------------------------------------------------------------
WA_QUERY = ("$filter", "$sort", "$top", "$skip", "$count", "idsOnly", "IDs", "includeEventDetails",
            "eventId", "contactId", "includeDetails", "includeWaitList")  # fmt: skip
WA_BODY = {
    **wa_event_body(),
    "Id": 1,
    "Event": {"Id": 1},
    "Contact": {"Id": 1},
    "RegistrationTypeId": 1,
    "CheckedIn": True,
}


def wa_shape(body: Any, route: Route, status: int) -> None:
    if route.template == "/auth/token":
        assert isinstance(body, dict) and set(body) >= {"error", "error_description"}, body
        return
    assert isinstance(body, dict) and list(body) == ["code", "message", "details"], body
    assert isinstance(body["message"], str) and isinstance(body["details"], list), body


@pytest.mark.parametrize("authenticated", [True, False], ids=["token", "no-token"])
@HYPOTHESIS
@given(data=st.data())
def test_wild_apricot(world: World, authenticated: bool, data: st.DataObject) -> None:
    route = data.draw(st.sampled_from(wa_routes()), "route")
    ids = [data.draw(st.sampled_from(["1", str(world.event_id), *IDS]), "id") for _ in range(3)]
    query = data.draw(query_strings(WA_QUERY), "query")
    headers = {}
    if route.template == "/auth/token":
        key = world.ic_key if authenticated else data.draw(query_text)
        raw_auth = data.draw(
            st.sampled_from(
                [
                    "Basic " + base64.b64encode(f"APIKEY:{key}".encode("utf-8", "surrogatepass")).decode(),
                    "Basic !!!not-base64",
                    "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
                    "Bearer " + world.wa_token,
                    "",
                ]
            )
        )
        form = data.draw(form_bodies({"grant_type": "client_credentials", "scope": "auto"}), "form")
        if raw_auth:
            headers["Authorization"] = raw_auth
        resp = world.app.test_client().open(
            route.template, method="POST", data=form, query_string=query, headers=headers,
            content_type="application/x-www-form-urlencoded",
        )  # fmt: skip
    else:
        if authenticated:
            headers["Authorization"] = f"Bearer {world.wa_token}"
        else:
            garbage = data.draw(st.sampled_from(["", "Bearer ", "Bearer x.y.z", "Basic !!", "Bearer \u00e9"]))
            if garbage:
                headers["Authorization"] = garbage
        if data.draw(st.booleans(), "xml"):
            headers["Accept"] = "application/xml"
        body = data.draw(json_bodies(WA_BODY), "body") if route.method in ("POST", "PUT") else None
        resp = world.app.test_client().open(
            path_of(route, ids), method=route.method, data=body, query_string=query, headers=headers,
            content_type="application/json",
        )  # fmt: skip
    parsed = checked(resp, f"{route.method} {route.template} {ids}")
    if 400 <= resp.status_code < 500 and parsed is not None:
        wa_shape(parsed, route, resp.status_code)


# --- DatePoll ---------------------------------------------------------------------------------------------
DP_QUERY = ("token", "year", "page", "limit", "search")
DP_BODY = {
    **dp_event_body(),
    "decision_id": 1,
    "event_id": 1,
    "additional_information": "",
    "user_ids": [1],
    "group_id": 1,
    "subgroup_id": 1,
    "decision": "Ja",
    "location": "Here",
    "username": "Boss",
    "password": "pw-Boss-secret",
}


def dp_shape(body: Any) -> None:
    """``{"msg", …}`` or Lumen's 422 field map ``{field: [text, …]}``."""
    assert isinstance(body, dict) and body, body
    if "msg" in body:
        assert isinstance(body["msg"], str), body
        return
    for field, said in body.items():
        assert isinstance(field, str) and isinstance(said, list) and all(isinstance(s, str) for s in said), (
            body
        )


@pytest.mark.parametrize("authenticated", [True, False], ids=["token", "no-token"])
@HYPOTHESIS
@given(data=st.data())
def test_datepoll(world: World, authenticated: bool, data: st.DataObject) -> None:
    limiter.reset()  # sign-in examples would meet the login throttle
    route = data.draw(st.sampled_from(datepoll_routes(world.app)), "route")
    ids = [data.draw(st.sampled_from(["1", str(world.event_id), "2030", *IDS]), "id") for _ in range(3)]
    query = data.draw(query_strings(DP_QUERY), "query")
    token = world.dp_token if authenticated else data.draw(st.sampled_from(["", "x", "a.b.c", world.ic_key]))
    query = f"token={encoded(token)}&{query}" if data.draw(st.booleans()) or authenticated else query
    headers = {}
    if data.draw(st.booleans()):
        headers["Authorization"] = data.draw(
            st.sampled_from([f"Bearer {token}", "Bearer \u00e9", "Basic !!"])
        )
    body = data.draw(json_bodies(DP_BODY), "body") if route.method != "GET" else None
    resp = world.app.test_client().open(
        path_of(route, ids), method=route.method, data=body, query_string=query, headers=headers,
        content_type="application/json",
    )  # fmt: skip
    parsed = checked(resp, f"{route.method} {route.template} {ids}")
    if 400 <= resp.status_code < 500 and parsed is not None:
        dp_shape(parsed)


# --- Invision -----------------------------------------------------------------------------------------------
IC_QUERY = ("key", "page", "perPage", "sortBy", "sortDir", "calendars", "rangeStart", "rangeEnd",
            "hidden", "featured", "locked", "authors", "tags", "hasTags")  # fmt: skip


def ic_shape(body: Any) -> None:
    assert isinstance(body, dict) and list(body) == ["errorCode", "errorMessage"], body
    assert isinstance(body["errorCode"], str) and isinstance(body["errorMessage"], str), body


@pytest.mark.parametrize("authenticated", [True, False], ids=["key", "no-key"])
@HYPOTHESIS
@given(data=st.data())
def test_invision(world: World, authenticated: bool, data: st.DataObject) -> None:
    route = data.draw(st.sampled_from(invision_routes()), "route")
    ids = [
        data.draw(st.sampled_from(["1", str(world.event_id), str(world.user_id), *IDS]), "id")
        for _ in range(3)
    ]
    query = data.draw(query_strings(IC_QUERY), "query")
    headers = {}
    key = world.ic_key
    if authenticated:
        how = data.draw(st.sampled_from(["basic", "bearer", "key"]))
        if how == "basic":
            headers["Authorization"] = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
        elif how == "bearer":
            headers["Authorization"] = f"Bearer {key}"
        else:
            query = f"key={key}&{query}"
    else:
        garbage = data.draw(
            st.sampled_from(
                ["", "Basic !!!", "Basic " + base64.b64encode(b"\xff:").decode(), "Bearer ", "Bearer x"]
            )
        )
        if garbage:
            headers["Authorization"] = garbage
    path = path_of(route, ids)
    if data.draw(st.booleans(), "index.php"):
        url, query = "/api/index.php", f"/{path.lstrip('/')}&{query}"
    else:
        url = "/api" + path
    body = data.draw(form_bodies(event_form()), "form") if route.method in ("POST", "PUT") else None
    resp = world.app.test_client().open(
        url, method=route.method, data=body, query_string=query, headers=headers,
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    parsed = checked(resp, f"{route.method} {url} {ids}")
    if 400 <= resp.status_code < 500 and parsed is not None:
        ic_shape(parsed)


# --- once-found 500s, now regression tests ---------------------------------------------------------
DEEP = b"[" * 100_000 + b"]" * 100_000
OVER_LIMIT = b"x" * (1024 * 1024 + 10)


def test_deep_json_is_unreadable_json_not_a_500(world: World) -> None:
    """Found by test_datepoll: a body of 100,000 ``[`` made Flask's ``get_json(silent=True)`` raise
    RecursionError (500 in v0's envelope). The app's JSON provider now reads it as unreadable JSON:
    DatePoll validates an absent body (422 field map), Wild Apricot answers 400 ``body-invalid``."""
    client = world.app.test_client()
    resp = client.post(
        "/api/v1/avent/administration/addGroupToEvent", data=DEEP, content_type="application/json",
        query_string={"token": world.dp_token},
    )  # fmt: skip
    assert resp.status_code == 422, resp.get_data()[:300]
    dp_shape(strict_json(resp.get_data()))
    resp = client.post(
        "/v2/accounts/1/events", data=DEEP, content_type="application/json",
        headers={"Authorization": f"Bearer {world.wa_token}"},
    )  # fmt: skip
    assert resp.status_code == 400, resp.get_data()[:300]
    assert strict_json(resp.get_data())["code"] == "Validation"


def test_bodies_over_the_limit_are_413_in_each_dialects_shape(world: World) -> None:
    """Found by test_invision: a form body over the 1 MiB limit raised werkzeug's
    RequestEntityTooLarge inside Invision's dispatcher, whose catch-all answered 500 ``EX…``;
    DatePoll and Wild Apricot answered 413 in v0's envelope. Each now answers 413 in its own shape."""
    client = world.app.test_client()
    basic_key = "Basic " + base64.b64encode(f"{world.ic_key}:".encode()).decode()
    resp = client.post(
        "/api/calendar/events", data=b"title=" + OVER_LIMIT, headers={"Authorization": basic_key},
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert resp.status_code == 413, resp.get_data()[:300]
    ic_shape(strict_json(resp.get_data()))
    resp = client.post(
        "/api/v1/avent/vote", data=OVER_LIMIT, content_type="application/json",
        query_string={"token": world.dp_token},
    )  # fmt: skip
    assert resp.status_code == 413, resp.get_data()[:300]
    dp_shape(strict_json(resp.get_data()))
    resp = client.post(
        "/v2/accounts/1/events", data=OVER_LIMIT, content_type="application/json",
        headers={"Authorization": f"Bearer {world.wa_token}"},
    )  # fmt: skip
    assert resp.status_code == 413, resp.get_data()[:300]
    wa_shape(strict_json(resp.get_data()), Route("POST", "/v2/accounts/{0}/events"), 413)
    resp = client.post(
        "/auth/token",
        data=b"grant_type=" + OVER_LIMIT,
        headers={"Authorization": "Basic " + base64.b64encode(f"APIKEY:{world.ic_key}".encode()).decode()},
        content_type="application/x-www-form-urlencoded",
    )
    assert resp.status_code == 413, resp.get_data()[:300]
    wa_shape(strict_json(resp.get_data()), Route("POST", "/auth/token"), 413)  # OAuth's shape
