"""The documents say what the service does: README.md, docs/ and the served OpenAPI document.

- docs/errors.md is the page ``python -m api.errordoc`` generates from the code, and names every text
  of the message catalogue;
- every error key named anywhere in the documents is one the catalogue has (a failure code: one it
  has a ``paramvalidator-`` text for), and each rule's key is documented under the status it is sent
  with;
- every API path the README and docs/ name is a route the app serves (that the OpenAPI document and
  the app's routes are the same set is tests/api/test_openapi.py's);
- the examples of docs/api.md are what the service answers (405 without ``errorKey``, the envelope
  and a parameter failure, key order included);
- every ``CAMPAIGNEVENTS_*`` setting the service reads is in the README's configuration table;
- the documents link only to files in the repository.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from api import errordoc
from api.errors import from_domain
from api.messages import CATALOGUE
from api.openapi import _rules, document
from domain import errors as rules
from tests.api.helpers import BASE, create, key_order, make_people, stop_projector

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
# backticked tokens that are message keys by their form
KEY_LIKE = re.compile(
    r"`((?:rest|campaignevents|paramvalidator)-[a-z0-9-]*[a-z0-9]|mailnologin|actionthrottledtext)`"
)
CODES_INSIDE = re.compile(r"\(parameter validation: ([^)]*)\)")
CODES_BEFORE = re.compile(r"((?:`[a-z-]+`(?:, )?)+) \(parameter validation\)")
API_PATH = re.compile(r"(?<![\w.])((?:/campaignevents/v0|/auth)/[A-Za-z0-9_{}<>/.-]*)")


@pytest.fixture(autouse=True)
def _projector_stops_before_the_database_closes(services: Any) -> Iterator[None]:
    yield
    stop_projector(services)


def documents() -> dict[str, str]:
    """README.md, every page of docs/ and the OpenAPI document (as its JSON text)."""
    texts = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in [README, *DOCS]}
    texts["openapi.json"] = json.dumps(document(), ensure_ascii=False).replace("\\n", "\n")
    return texts


def openapi_descriptions() -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "description" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document())
    return found


# --- generated -------------------------------------------------------------------------------------
def test_the_committed_error_page_is_the_generated_one() -> None:
    committed = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert committed == errordoc.render(), "docs/errors.md is out of date: run python -m api.errordoc"


def test_the_error_page_names_every_text_of_the_catalogue() -> None:
    page = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z][a-z0-9-]*)`", page))
    missing = [
        key
        for key in CATALOGUE
        if key not in named
        and key.removeprefix("paramvalidator-") not in named
        and CATALOGUE[key].replace("\n", "\\n").replace("<", "&lt;").replace("|", "\\|") not in page
    ]
    assert missing == []


# --- error keys --------------------------------------------------------------------------------------
def test_every_error_key_the_documents_name_is_in_the_catalogue() -> None:
    unknown = {
        (name, key)
        for name, text in documents().items()
        for key in KEY_LIKE.findall(text)
        if key not in CATALOGUE and not re.fullmatch(r"rest-http-\d{3}", key)
    }
    assert unknown == set()


def test_every_failure_code_the_openapi_document_names_has_its_text() -> None:
    codes: set[str] = set()
    for description in openapi_descriptions():
        for group in [*CODES_INSIDE.findall(description), *CODES_BEFORE.findall(description)]:
            codes.update(re.findall(r"`([a-z-]+)`", group))
    assert {"missingparam", "badinteger", "notarray", "multivalue-must-be-array"} <= codes
    assert sorted(c for c in codes if f"paramvalidator-{c}" not in CATALOGUE) == []


def test_no_document_gives_a_wrong_method_an_error_key() -> None:
    for name, text in documents().items():
        assert "rest-wrong-method" not in text, name


def test_each_rule_is_documented_under_the_status_it_is_sent_with() -> None:
    documented = errordoc.statuses_by_key()
    checked = 0
    for rule in _rules(rules.DomainError):
        if rule.key in documented:
            assert documented[rule.key] == {from_domain(rule()).status}, rule.key
            checked += 1
    assert checked > 40


def test_the_event_data_rules_are_all_documented_on_create_and_edit() -> None:
    doc = document()
    for method, path in (("post", "/campaignevents/v0/event_registration"), ("put", BASE + "/{id}")):
        described = doc["paths"][path][method]["responses"]["400"]["description"]
        for rule in _rules(rules.InvalidEventData):
            assert f"`{rule.key}`: {CATALOGUE[rule.key]}" in described, (method, rule.key)


# --- routes and files --------------------------------------------------------------------------------
def _shape(path: str) -> str:
    """``/x/{id}/y``, ``/x/<event_id>/y`` and ``/x/12/y`` alike; no query string, no trailing dot."""
    path = path.split("?")[0].rstrip(".")
    return "/".join("{}" if re.fullmatch(r"\{[^}]*\}|<[^>]*>|\d+", s) else s for s in path.split("/"))


def test_every_api_path_the_readme_and_docs_name_is_served(flask_app: Flask) -> None:
    served = {_shape(rule.rule) for rule in flask_app.url_map.iter_rules()}
    named = {
        (p.name, _shape(path))
        for p in [README, *DOCS]
        for path in API_PATH.findall(p.read_text(encoding="utf-8"))
        if not path.rstrip(".").endswith("/")  # "/campaignevents/v0/..." names the prefix
    }
    assert len(named) > 10
    assert sorted(n for n in named if n[1] not in served) == []


def test_the_documents_link_only_to_files_in_the_repository() -> None:
    for page in [README, *DOCS]:
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text and "seed 0" not in text, page.name
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+://", target):
                continue
            assert (page.parent / target).exists(), (page.name, target)


def test_every_setting_the_service_reads_is_in_the_readme() -> None:
    read = set(re.findall(r"\"(CAMPAIGNEVENTS_[A-Z_]+)\"", (ROOT / "api" / "config.py").read_text()))
    readme = README.read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") :]
    assert {"CAMPAIGNEVENTS_USER_URL", "CAMPAIGNEVENTS_EVENT_URL"} <= read
    assert sorted(v for v in read if f"`{v}`" not in table) == []


# --- the examples of docs/api.md ---------------------------------------------------------------------
def _examples() -> str:
    return (ROOT / "docs" / "api.md").read_text(encoding="utf-8")


def _inline_json(starting: str) -> Any:
    """The JSON object written inline in docs/api.md (in backticks, perhaps over two lines)."""
    match = re.search(r"`(\{" + re.escape(starting) + r".*?\})`", _examples(), re.DOTALL)
    assert match is not None, starting
    return json.loads(re.sub(r"\n\s*", " ", match.group(1)))


def _block_json(starting: str) -> Any:
    match = re.search(r"```json\n(\{" + re.escape(starting) + r".*?)\n```", _examples(), re.DOTALL)
    assert match is not None, starting
    return json.loads(match.group(1))


def test_a_wrong_method_is_answered_as_documented(api: Any, make_user: Any, monkeypatch: Any) -> None:
    people = make_people(make_user, monkeypatch)
    event = create(api(people.alice))
    resp = api().request("PATCH", f"{BASE}/{event}")
    body = resp.get_json()
    assert (resp.status_code, resp.headers["Allow"]) == (405, "HEAD, GET, PUT, DELETE")
    assert "errorKey" not in body
    documented = _inline_json('"messageTranslations"')
    assert body == documented and key_order(body) == key_order(documented)


def test_the_error_examples_are_real_answers(api: Any, make_user: Any, monkeypatch: Any) -> None:
    people = make_people(make_user, monkeypatch)
    event = create(api(people.alice))
    not_found = api().get(f"{BASE}/{event + 100}")
    documented = _block_json('"errorKey"')
    assert (not_found.status_code, not_found.get_json()) == (404, documented)
    assert key_order(not_found.get_json()) == key_order(documented)
    bad = api().get(f"{BASE}/{event}/participants?include_private=maybe")
    documented = _block_json('"error"')
    assert (bad.status_code, bad.get_json()) == (400, documented)
    assert key_order(bad.get_json()) == key_order(documented)
    bare = api(people.bob).post(f"{BASE}/{event}/email", {"subject": "s", "message": "m"})
    assert (bare.status_code, bare.get_json()) == (403, _inline_json('"httpCode": 403'))
