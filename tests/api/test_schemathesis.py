"""Schemathesis over every operation of /campaignevents/v0/openapi.json: no 500, and every response is
one the document promises (a documented status code, its content type, its schema, its headers).

The document is loaded in-process from a throwaway app (schemathesis' WSGI support) when this module
is imported, so pytest collects one test per operation. Each test runs against a fresh app of its own
(the ``flask_app`` fixture, on a new SQLite file) seeded with known objects (see ``USER_IDS`` and
``EVENT_IDS``) and calls as their organizer, Alice, with her bearer token. Every operation first gets
its explicit examples (its happy path on the seeded objects, and regressions), then schemathesis'
coverage phase (boundary and invalid values) and fuzzing; half of the fuzzed cases have their ``id``
or ``userid`` pointed at a seeded object, and half of the fuzzed bodies are replaced by a valid body
with at most one generated field in it, so that requests get past parameter validation to the domain.

All the examples of a test share its app: the function-scoped fixtures are reused across Hypothesis
examples on purpose (an app per example would be far too slow), so that health check is suppressed.
Generation is deterministic (``derandomize`` and a fixed seed) and bounded for CI on a 2-core
machine. For a deeper local run: ``CAMPAIGNEVENTS_FUZZ_EXAMPLES=500 CAMPAIGNEVENTS_FUZZ_SEED=7``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from api.ops import limiter
from domain.ports import FakeClock
from tests.api.helpers import BASE, create, edit_body, make_people, stop_projector
from tests.conftest import registration_body

OPENAPI = "/campaignevents/v0/openapi.json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
MAX_EXAMPLES = int(os.environ.get("CAMPAIGNEVENTS_FUZZ_EXAMPLES", "150"))
SEED = int(os.environ.get("CAMPAIGNEVENTS_FUZZ_SEED", "20261122"))

# The seeded world, the same in every test: Alice (event organizer, the caller), Bob (event organizer)
# and Carol (no groups).
USER_IDS = [1, 2, 3]
EVENT_ID = 1  # Alice's, open, in 2030; Bob (public) and Carol (private) take part; a worklist
DELETED_ID = 2  # Alice's, deleted
ENDED_ID = 3  # Alice's, ended on 23 November 2026 with Bob and Carol's answers aggregated
OTHERS_ID = 4  # Bob's, open, in 2030; Alice takes part (public, with answers)
EVENT_IDS = [EVENT_ID, DELETED_ID, ENDED_ID, OTHERS_ID]
SOON = {"timezone": "UTC", "start_time": "20261123100000", "end_time": "20261123120000"}
ANSWERS = {"gender": {"value": 1}, "confidence": {"value": 2}}
TOO_BIG = 2**64  # beyond a 64-bit integer: PHP's json_decode reads it as a float

V0 = "/campaignevents/v0"
REG = f"{V0}/event_registration/{{id}}"
VALID_BODIES: dict[str, dict[str, Any]] = {
    f"POST {V0}/event_registration": registration_body("Event:Fuzzing Again"),
    f"PUT {REG}": edit_body("Event:Fuzzing"),
    f"PUT {REG}/participants/self": {"is_private": False, "answers": ANSWERS},
    f"DELETE {REG}/participants": {"user_ids": [2], "invert_users": False},
    f"PUT {REG}/organizers": {"organizer_usernames": ["Alice", "Bob"]},
    f"POST {REG}/email": {"subject": "Hello", "message": "See you there", "user_ids": [2, 3]},
    f"PATCH {REG}/worklist": {"add": {"local": ["Main Page", "Sandbox"]}, "remove": {"local": ["Sandbox"]}},
    "POST /auth/login": {"username": "Alice", "password": "pw-Alice-secret"},
}
EXAMPLES: dict[str, list[dict[str, Any]]] = {
    label: [{"path_parameters": {"id": EVENT_ID} if "{id}" in label else {}, "body": body}]
    for label, body in VALID_BODIES.items()
}
for label, examples in {
    f"GET {REG}": [
        {"path_parameters": {"id": EVENT_ID}},
        {"path_parameters": {"id": ENDED_ID}, "query": {"as_of": "20261122120000"}},
    ],
    f"DELETE {REG}": [{"path_parameters": {"id": ENDED_ID}, "body": {}}],
    f"GET {V0}/organizer/{{userid}}/event_registrations": [{"path_parameters": {"userid": 1}}],
    f"GET {V0}/participant/{{userid}}/event_registrations": [{"path_parameters": {"userid": 2}}],
    f"GET {REG}/participants/self": [{"path_parameters": {"id": OTHERS_ID}}],
    f"DELETE {REG}/participants/self": [{"path_parameters": {"id": OTHERS_ID}, "body": {}}],
    f"GET {REG}/participants": [
        {"path_parameters": {"id": EVENT_ID}, "query": {"include_private": "true"}},
        {"path_parameters": {"id": ENDED_ID}, "query": {"include_private": "1", "as_of": "20261123110000"}},
    ],
    f"DELETE {REG}/participants": [{"path_parameters": {"id": EVENT_ID}, "body": {"user_ids": [TOO_BIG]}}],
    f"GET {REG}/organizers": [{"path_parameters": {"id": EVENT_ID}}],
    f"GET {V0}/participant_questions": [{"query": {"question_ids": "1|4|5"}}],
    f"GET {REG}/aggregated_answers": [{"path_parameters": {"id": ENDED_ID}}],
    f"POST {REG}/email": [
        {"path_parameters": {"id": EVENT_ID}, "body": {"subject": "s", "message": "m", "user_ids": [TOO_BIG]}}
    ],
    f"GET {REG}/worklist": [{"path_parameters": {"id": EVENT_ID}, "query": {"limit": 1}}],
    f"GET {REG}/history": [{"path_parameters": {"id": EVENT_ID}, "query": {"limit": 5}}],
    "POST /auth/logout": [{"body": {}}],
    "GET /auth/csrf_token": [{}],
}.items():
    EXAMPLES.setdefault(label, []).extend(examples)


def _load_schema() -> Any:
    """The document as the app serves it, fetched in-process from a throwaway app."""
    with tempfile.TemporaryDirectory() as tmp:
        throwaway = Settings(database_url=f"sqlite:///{Path(tmp) / 'events.db'}", secret_key="schema")
        init_store(throwaway)
        services = build_services(throwaway)
        try:
            config = schemathesis.Config.from_dict({"seed": SEED})  # and no schemathesis.toml
            return schemathesis.openapi.from_wsgi(OPENAPI, create_app(services=services), config=config)
        finally:
            services.close()


schema = _load_schema()


@pytest.fixture(autouse=True)
def _projector_stops_before_the_database_closes(services: Services) -> Iterator[None]:
    yield
    stop_projector(services)


@pytest.fixture
def caller(
    make_user: Any, monkeypatch: pytest.MonkeyPatch, api: Any, services: Services, clock: FakeClock
) -> Any:
    """Seed the app (see ``USER_IDS`` and ``EVENT_IDS``) and return the organizer we call as, Alice."""
    people = make_people(make_user, monkeypatch)
    alice, bob, carol = people.alice, people.bob, people.carol
    assert [alice.user_id, bob.user_id, carol.user_id] == USER_IDS

    def ok(resp: Any, status: int = 200) -> None:
        assert resp.status_code == status, resp.get_json()

    assert create(api(alice), "Event:Fuzzing") == EVENT_ID
    assert create(api(alice), "Event:Deleted") == DELETED_ID
    ok(api(alice).delete(f"{BASE}/{DELETED_ID}"), 204)
    assert create(api(alice), "Event:Ended", **SOON) == ENDED_ID
    assert create(api(bob), "Event:Elsewhere") == OTHERS_ID
    for event_id, person, private in (
        (EVENT_ID, bob, False),
        (EVENT_ID, carol, True),
        (ENDED_ID, bob, False),
        (ENDED_ID, carol, True),
        (OTHERS_ID, alice, False),
    ):
        body = {"is_private": private, "answers": ANSWERS}
        ok(api(person).put(f"{BASE}/{event_id}/participants/self", body))
    ok(api(alice).request("PATCH", f"{BASE}/{EVENT_ID}/worklist", {"add": {"local": ["Main Page"]}}), 204)
    clock.advance(days=2)  # Event:Ended is over, and its answers are aggregated
    services.app.aggregate_answers()
    services.written(services.app.recorder.max_notification_id())
    ok(api(alice).get(f"{BASE}/{ENDED_ID}/aggregated_answers"))
    return alice


@schema.hook
def before_generate_case(context: Any, strategy: Any) -> Any:
    """Half of the time, point ``id`` at a seeded registration and ``userid`` at a seeded user; half
    of the time, send a valid body or a valid body with one generated field (valid or not) in it, so
    that the request gets past the body checks to the domain's (the generated ``token`` is left out:
    a bearer request may not carry one)."""
    valid = VALID_BODIES.get(context.operation.label)

    @st.composite
    def biased(draw: st.DrawFn, case: Any) -> Any:
        for name, known in (("id", EVENT_IDS), ("userid", USER_IDS)):
            if name in case.path_parameters and draw(st.booleans()):
                case.path_parameters = {**case.path_parameters, name: draw(st.sampled_from(known))}
        if valid is not None and draw(st.booleans()):
            generated = case.body if isinstance(case.body, dict) else {}
            variants = [valid, *({**valid, k: v} for k, v in generated.items() if k != "token")]
            case.body = draw(st.sampled_from(variants))
        return case

    return strategy.flatmap(biased)


@schema.hook
def before_add_examples(context: Any, examples: list[Any]) -> None:
    operation = context.operation
    examples.extend(operation.Case(**example) for example in EXAMPLES.get(operation.label, ()))


# schemathesis 4.32 draws from the `random` module while generating headers (Hypothesis seeds it: the
# runs stay deterministic)
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_response_is_documented(case: Any, flask_app: Any, caller: Any) -> None:
    if case.operation.path == "/auth/login":
        limiter.reset()  # every login gets past the rate limit to the body and the password
    case.call_and_validate(app=flask_app, headers=caller.bearer, checks=CHECKS)
