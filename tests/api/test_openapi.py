"""The OpenAPI document (/campaignevents/v0/openapi.json) and its docs page.

The document is valid OpenAPI 3.0; it documents exactly the routes the app serves (every rule under
/campaignevents/v0 and /auth, each method); and real responses match it: for each request made here,
the status is one the document lists for that operation, and the JSON body validates (``jsonschema``)
against the schema the document gives for that status, references resolved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from flask import Flask
from openapi_spec_validator import OpenAPIV30SpecValidator

from tests.api.helpers import People, create, make_people, stop_projector
from tests.conftest import registration_body

V0 = "/campaignevents/v0"
REG = f"{V0}/event_registration/{{id}}"
METHODS = ("get", "put", "post", "delete", "patch")
NOW = "20261122120000"  # the fake clock's time


@pytest.fixture(autouse=True)
def _projector_stops_before_the_database_closes(services: Any) -> Iterator[None]:
    yield
    stop_projector(services)


@pytest.fixture
def people(make_user: Any, monkeypatch: pytest.MonkeyPatch) -> People:
    return make_people(make_user, monkeypatch)


@pytest.fixture
def doc(api: Any) -> dict[str, Any]:
    resp = api().get(f"{V0}/openapi.json")
    assert resp.status_code == 200
    document: dict[str, Any] = resp.get_json()
    return document


# --- helpers ---------------------------------------------------------------------------------------
def template(path: str) -> str:
    """A path with its parameters blanked, Flask's ``<x>`` and OpenAPI's ``{x}`` alike."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def as_json_schema(node: Any, doc: dict[str, Any]) -> Any:
    """An OpenAPI 3.0 schema as plain JSON Schema: references inlined, ``nullable`` as a null type."""
    if isinstance(node, list):
        return [as_json_schema(v, doc) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return as_json_schema(doc["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]], doc)
    converted = {k: as_json_schema(v, doc) for k, v in node.items() if k not in ("nullable", "example")}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def documented_schema(doc: dict[str, Any], method: str, path: str, status: int) -> dict[str, Any] | None:
    """The JSON schema of the documented response (None for a response without a body)."""
    responses = doc["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path}: {status} is not documented"
    content = responses[str(status)].get("content")
    if content is None:
        return None
    schema: dict[str, Any] = as_json_schema(content["application/json"]["schema"], doc)
    return schema


def conforms(doc: dict[str, Any], method: str, path: str, resp: Any, status: int) -> Any:
    """Assert the response has ``status``, a documented one, and the body its schema says."""
    assert resp.status_code == status, resp.get_data(as_text=True)
    schema = documented_schema(doc, method, path, status)
    if schema is None:
        assert resp.get_data() == b""
        return None
    body = resp.get_json()
    jsonschema.Draft4Validator(schema).validate(body)
    return body


# --- the document itself ---------------------------------------------------------------------------
def test_the_document_is_valid_openapi_3_0(doc: dict[str, Any]) -> None:
    assert doc["openapi"].startswith("3.0.")
    OpenAPIV30SpecValidator(doc).validate()


def test_every_route_the_app_serves_is_documented_and_nothing_else(
    flask_app: Flask, doc: dict[str, Any]
) -> None:
    served = {
        (template(rule.rule), method.lower())
        for rule in flask_app.url_map.iter_rules()
        if rule.rule.startswith((f"{V0}/", "/auth/"))
        and rule.endpoint.split(".")[0] not in ("openapi", "docs", "wildapricot")  # a dialect's /auth/token:
        for method in rule.methods or ()  # docs/dialects.md (OAuth's errors, not v0's envelope)
        if method not in ("HEAD", "OPTIONS")
    }
    documented = {
        (template(path), method)
        for path, item in doc["paths"].items()
        for method in item
        if method in METHODS
    }
    assert served == documented
    assert (f"{V0}/event_registration/{{}}/worklist", "patch") in served


def test_every_error_response_is_the_envelope(doc: dict[str, Any]) -> None:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, (method, path, status)
                    assert response["description"], (method, path, status)


def test_the_parameters_the_routes_read_are_documented(doc: dict[str, Any]) -> None:
    def query(path: str, method: str = "get") -> dict[str, dict[str, Any]]:
        parameters = doc["paths"][path][method]["parameters"]
        return {p["name"]: p for p in parameters if p["in"] == "query"}

    participants = query(f"{REG}/participants")
    assert participants["include_private"]["required"] is True
    assert participants["include_private"]["schema"] == {"type": "boolean"}
    assert set(participants) == {
        "include_private",
        "last_participant_id",
        "username_filter",
        "exclude_users",
        "as_of",
    }
    assert re.fullmatch(participants["exclude_users"]["schema"]["pattern"], "3|5|-7")
    assert not re.fullmatch(participants["exclude_users"]["schema"]["pattern"], "3,5")
    assert set(query(REG)) == {"as_of"}
    assert set(query(f"{REG}/organizers")) == {"last_organizer_id"}
    assert set(query(f"{V0}/participant_questions")) == {"question_ids"}
    worklist = query(f"{REG}/worklist")
    assert worklist["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 500, "default": 20}
    assert worklist["offset"]["schema"] == {"type": "integer", "minimum": 0, "default": 0}
    history = query(f"{REG}/history")
    assert history["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}
    assert history["last_id"]["schema"] == {"type": "integer", "minimum": 0}
    bodies = {
        (path, method): op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if "requestBody" in op
    }
    assert bodies[(f"{REG}/participants/self", "put")] == "RegisterBody"
    assert bodies[(f"{REG}/participants", "delete")] == "RemoveBody"
    assert bodies[(f"{REG}/organizers", "put")] == "SetOrganizersBody"
    assert bodies[(f"{REG}/email", "post")] == "EmailBody"
    assert bodies[(f"{REG}/worklist", "patch")] == "WorklistBody"
    remove = doc["components"]["schemas"]["RemoveBody"]
    assert set(remove["properties"]) == {"token", "user_ids", "invert_users"}
    assert remove["additionalProperties"] is False


def test_the_docs_page_renders_the_document_from_local_assets(api: Any) -> None:
    client = api()
    resp = client.get(f"{V0}/docs")
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    page = resp.get_data(as_text=True)
    assert f'"{V0}/openapi.json"' in page
    assert "validatorUrl: null" in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith(f"{V0}/docs/") for s in sources), sources
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert asset.get_data()
    bundle = client.get(f"{V0}/docs/swagger-ui-bundle.js").get_data(as_text=True)
    assert "SwaggerUIBundle" in bundle
    assert client.get(f"{V0}/docs/index.html").status_code == 404  # it points at a remote example


# --- real responses against the document ----------------------------------------------------------
def test_registration_responses_match_the_document(api: Any, people: People, doc: dict[str, Any]) -> None:
    alice = api(people.alice)
    conforms(doc, "post", f"{V0}/event_registration", alice.post(f"{V0}/event_registration", {}), 400)
    created = alice.post(f"{V0}/event_registration", registration_body())
    event = conforms(doc, "post", f"{V0}/event_registration", created, 201)["id"]
    assert created.headers["Location"].endswith(f"/event_registration/{event}")

    details = conforms(doc, "get", REG, alice.get(f"{V0}/event_registration/{event}"), 200)
    assert details["meeting_url"] == "https://meet.example.org/abc"
    hidden = conforms(doc, "get", REG, api().get(f"{V0}/event_registration/{event}"), 200)
    assert "meeting_url" not in hidden
    past = alice.get(f"{V0}/event_registration/{event}?as_of={NOW}")
    assert conforms(doc, "get", REG, past, 200)["id"] == event

    schema = documented_schema(doc, "get", REG, 200)
    assert schema is not None
    with pytest.raises(jsonschema.ValidationError):  # the schema is strict enough to catch a stray key
        jsonschema.Draft4Validator(schema).validate({**details, "surprise": 1})

    edited = alice.put(f"{V0}/event_registration/{event}", registration_body(status="closed"))
    conforms(doc, "put", REG, edited, 204)
    conforms(doc, "get", REG, api(people.carol).get(f"{V0}/event_registration/{event}?as_of={NOW}"), 403)
    conforms(doc, "delete", REG, api(people.carol).delete(f"{V0}/event_registration/{event}"), 403)
    conforms(doc, "delete", REG, alice.delete(f"{V0}/event_registration/{event}"), 204)
    conforms(doc, "get", REG, api().get(f"{V0}/event_registration/{event}"), 404)
    conforms(doc, "get", REG, api().get(f"{V0}/event_registration/abc"), 400)


def test_participant_responses_match_the_document(api: Any, people: People, doc: dict[str, Any]) -> None:
    alice, bob, carol = api(people.alice), api(people.bob), api(people.carol)
    event = create(alice)
    base = f"{V0}/event_registration/{event}"
    answers = {"confidence": {"value": 1}, "affiliate": {"value": 1, "other": "WMDE"}}
    registered = bob.put(f"{base}/participants/self", {"is_private": False, "answers": answers})
    assert conforms(doc, "put", f"{REG}/participants/self", registered, 200) == {"modified": True}
    private = carol.put(f"{base}/participants/self", {"is_private": True})
    conforms(doc, "put", f"{REG}/participants/self", private, 200)

    own = conforms(doc, "get", f"{REG}/participants/self", bob.get(f"{base}/participants/self"), 200)
    assert own["answers"]["affiliate"] == {"value": 1, "other": "WMDE"}
    none = conforms(doc, "get", f"{REG}/participants/self", carol.get(f"{base}/participants/self"), 200)
    assert none["answers"] == []
    conforms(doc, "get", f"{REG}/participants/self", alice.get(f"{base}/participants/self"), 404)

    listed = alice.get(f"{base}/participants?include_private=true")
    entries = conforms(doc, "get", f"{REG}/participants", listed, 200)
    assert [e["user_name"] for e in entries] == ["Bob", "Carol"]
    assert all("user_is_valid_recipient" in e and isinstance(e["non_pii_answers"], list) for e in entries)
    public = api().get(f"{base}/participants?include_private=false&exclude_users={people.carol.user_id}|999")
    assert [e["user_name"] for e in conforms(doc, "get", f"{REG}/participants", public, 200)] == ["Bob"]
    past = alice.get(f"{base}/participants?include_private=true&as_of={NOW}")
    assert len(conforms(doc, "get", f"{REG}/participants", past, 200)) == 2
    conforms(doc, "get", f"{REG}/participants", api().get(f"{base}/participants"), 400)
    conforms(doc, "get", f"{REG}/participants", api().get(f"{base}/participants?include_private=1"), 403)

    by_participant = f"{V0}/participant/{{userid}}/event_registrations"
    joined = api().get(f"{V0}/participant/{people.bob.user_id}/event_registrations")
    assert conforms(doc, "get", by_participant, joined, 200) == [
        {"event_id": event, "event_name": "PeerTest One"}
    ]
    conforms(doc, "get", by_participant, api().get(f"{V0}/participant/999/event_registrations"), 404)

    mailed = alice.post(f"{base}/email", {"subject": "Hello", "message": "See you there"})
    assert conforms(doc, "post", f"{REG}/email", mailed, 202) == {"sent": 2}
    nobody = alice.post(f"{base}/email", {"subject": "Hello", "message": "Hi", "user_ids": [999]})
    assert conforms(doc, "post", f"{REG}/email", nobody, 200) == {"sent": 0}
    denied = carol.post(f"{base}/email", {"subject": "Hello", "message": "Hi"})
    assert conforms(doc, "post", f"{REG}/email", denied, 403) == {"httpCode": 403, "httpReason": "Forbidden"}

    conforms(doc, "get", f"{REG}/aggregated_answers", alice.get(f"{base}/aggregated_answers"), 400)
    cancelled = carol.delete(f"{base}/participants/self")
    assert conforms(doc, "delete", f"{REG}/participants/self", cancelled, 200) == {"modified": True}
    removed = alice.delete(f"{base}/participants", {"user_ids": [people.bob.user_id]})
    assert conforms(doc, "delete", f"{REG}/participants", removed, 200) == {"public": 1, "private": 0}

    history = conforms(doc, "get", f"{REG}/history", alice.get(f"{base}/history"), 200)
    kinds = {entry["kind"] for entry in history}
    assert {
        "registration-enabled",
        "participant-registered",
        "answers-submitted",
        "participants-emailed",
    } <= kinds
    conforms(doc, "get", f"{REG}/history", bob.get(f"{base}/history"), 403)
    conforms(doc, "get", f"{REG}/history", alice.get(f"{base}/history?limit=501"), 400)


def test_organizer_worklist_and_listing_responses_match_the_document(
    api: Any, people: People, doc: dict[str, Any]
) -> None:
    alice = api(people.alice)
    event = create(alice)
    base = f"{V0}/event_registration/{event}"
    changed = alice.put(f"{base}/organizers", {"organizer_usernames": ["Alice", people.bob.name]})
    conforms(doc, "put", f"{REG}/organizers", changed, 204)
    conforms(
        doc, "put", f"{REG}/organizers", alice.put(f"{base}/organizers", {"organizer_usernames": []}), 400
    )
    organizers = conforms(doc, "get", f"{REG}/organizers", api().get(f"{base}/organizers"), 200)
    assert [(o["user_name"], o["roles"]) for o in organizers] == [
        ("Alice", ["creator"]),
        ("Bob", ["organizer"]),
    ]
    conforms(doc, "get", f"{REG}/organizers", api().get(f"{base}/organizers?last_organizer_id=x"), 400)

    patch = {"add": {"enwiki": ["Main Page", "Foo"]}, "remove": {"enwiki": ["Foo"]}}
    conforms(doc, "patch", f"{REG}/worklist", alice.request("PATCH", f"{base}/worklist", patch), 204)
    bad = alice.request("PATCH", f"{base}/worklist", {"add": {"nowiki": ["Foo"]}})
    conforms(doc, "patch", f"{REG}/worklist", bad, 400)
    page = conforms(doc, "get", f"{REG}/worklist", api().get(f"{base}/worklist?limit=1&offset=0"), 200)
    assert (page["total"], [a["page_title"] for a in page["articles"]]) == (1, ["Main_Page"])
    conforms(doc, "get", f"{REG}/worklist", api().get(f"{V0}/event_registration/999/worklist"), 404)
    conforms(doc, "get", f"{REG}/worklist", api().get(f"{base}/worklist?offset=-1"), 400)

    by_organizer = f"{V0}/organizer/{{userid}}/event_registrations"
    mine = api().get(f"{V0}/organizer/{people.alice.user_id}/event_registrations")
    assert conforms(doc, "get", by_organizer, mine, 200) == [
        {"event_id": event, "event_name": "PeerTest One"}
    ]
    questions = conforms(
        doc, "get", f"{V0}/participant_questions", api().get(f"{V0}/participant_questions"), 200
    )
    assert questions["5"]["other-options"] == {"1": {"type": "text", "label": "Please state"}}
    none = api().get(f"{V0}/participant_questions?question_ids=")
    assert conforms(doc, "get", f"{V0}/participant_questions", none, 200) == []


def test_auth_responses_match_the_document(api: Any, people: People, doc: dict[str, Any]) -> None:
    anonymous = api()
    assert conforms(doc, "get", "/auth/csrf_token", anonymous.get("/auth/csrf_token"), 200) == {
        "token": "+\\"
    }
    login = {"username": "Alice", "password": people.alice.password}
    assert (
        conforms(doc, "post", "/auth/login", anonymous.post("/auth/login", login), 200)["user_name"]
        == "Alice"
    )
    wrong = api().post("/auth/login", {"username": "Alice", "password": "nope"})
    conforms(doc, "post", "/auth/login", wrong, 401)
    invalid = api().get("/auth/csrf_token", headers={"Authorization": "Bearer nope"})
    conforms(doc, "get", "/auth/csrf_token", invalid, 401)
    assert invalid.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    session = api(people.bob, session=True)
    conforms(doc, "post", "/auth/logout", session.post("/auth/logout", {"token": "bad+\\"}), 403)
    conforms(doc, "post", "/auth/logout", session.post("/auth/logout"), 204)
