"""Router-level errors: unknown paths, wrong methods, content types, unparsable bodies, server errors
and the request id."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from tests.api.helpers import (
    BASE,
    FORM_BODY,
    MALFORMED_JSON,
    MISSING_EVENT_PAGE,
    NO_MATCH,
    PATCH_NOT_ALLOWED,
    People,
    assert_json,
    assert_text,
    create,
    raw,
    url,
)
from tests.conftest import registration_body


@pytest.fixture
def admin(api: Any, people: People) -> Any:
    return api(people.admin, session=True)


def not_allowed(method: str, allowed: str) -> str:
    return (
        f'{{"messageTranslations":{{"en":"The request method ({method}) was not one of the allowed methods '
        f'for this path ({allowed})"}},"httpCode":405,"httpReason":"Method Not Allowed"}}'
    )


# --- 404 / 405 ---------------------------------------------------------------------------------------
def test_unknown_route(api: Any) -> None:
    assert_text(api().get("/campaignevents/v0/nope"), 404, NO_MATCH)  # 8


@pytest.mark.parametrize(
    "path",
    ["/nope", "/campaignevents/v0/event_registration/1/nope", "/campaignevents/v1/event_registration/1"],
)
def test_other_unknown_paths(api: Any, path: str) -> None:
    message = f"The requested relative path ({path}) did not match any known handler"
    assert_json(
        api().post(path, {}),
        404,
        {
            "errorKey": "rest-no-match",
            "messageTranslations": {"en": message},
            "httpCode": 404,
            "httpReason": "Not Found",
        },
    )


def test_patch_on_a_registration(admin: Any) -> None:
    create(admin)
    resp = admin.request("PATCH", url(1), {})  # 9 (the client adds the token)
    assert_text(resp, 405, PATCH_NOT_ALLOWED)
    assert resp.headers["Allow"] == "HEAD, GET, PUT, DELETE"


def test_post_on_a_registration(api: Any) -> None:
    resp = api().post(url(1), {})
    assert_text(resp, 405, not_allowed("POST", "HEAD, GET, PUT, DELETE"))


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_wrong_method_on_the_collection(api: Any, method: str) -> None:
    resp = api().request(method, BASE)
    assert_text(resp, 405, not_allowed(method, "POST"))  # HEAD only goes with GET
    assert resp.headers["Allow"] == "POST"


def test_wrong_method_has_no_error_key(api: Any) -> None:
    assert "errorKey" not in api().request("PATCH", url(1)).get_json()


# --- content types and bodies ------------------------------------------------------------------------
def test_form_encoded_body(admin: Any) -> None:
    resp = raw(
        admin, "POST", BASE, data="event_page=x&token=y", content_type="application/x-www-form-urlencoded"
    )  # 42
    assert_text(resp, 415, FORM_BODY)


def test_other_content_type(admin: Any) -> None:
    resp = raw(admin, "PUT", url(1), data="{}", content_type="text/plain")
    expected = (
        '{"errorKey":"rest-unsupported-content-type","messageTranslations":{"en":"Unsupported Content-Type: '
        'text/plain"},"httpCode":415,"httpReason":"Unsupported Media Type"}'
    )
    assert_text(resp, 415, expected)


def test_json_with_charset_is_json(admin: Any) -> None:
    import json

    data = json.dumps(registration_body(token=admin.csrf))
    resp = raw(admin, "POST", BASE, data=data, content_type="application/json; charset=utf-8")
    assert resp.status_code == 201, resp.get_json()


def test_body_without_content_type_is_415(admin: Any) -> None:
    resp = raw(admin, "POST", BASE, data=b'{"event_page": "Event:X"}')
    assert resp.status_code == 415
    assert resp.get_json()["httpCode"] == 415


@pytest.mark.parametrize("data", ["{not json", '{"a": 1', "\xff"])
def test_malformed_json(admin: Any, data: str) -> None:
    resp = raw(admin, "POST", BASE, data=data.encode("latin-1"), content_type="application/json")  # 43
    assert_text(resp, 400, MALFORMED_JSON)


@pytest.mark.parametrize("data", ["42", '"text"', "null", "true"])
def test_json_that_is_not_an_object_or_array(admin: Any, data: str) -> None:
    resp = raw(admin, "POST", BASE, data=data, content_type="application/json")
    assert_text(resp, 400, MALFORMED_JSON)


def test_json_array_body(admin: Any) -> None:
    resp = raw(admin, "POST", BASE, data="[1,2]", content_type="application/json")  # 44
    assert_text(resp, 400, MISSING_EVENT_PAGE)


def test_malformed_json_comes_before_auth_checks(api: Any) -> None:
    resp = raw(api(), "POST", BASE, data="{not json", content_type="application/json")
    assert_text(resp, 400, MALFORMED_JSON)


def test_empty_json_body_on_delete_is_no_body(admin: Any) -> None:
    create(admin)
    resp = raw(admin, "DELETE", url(1), data="", content_type="application/json")
    assert resp.get_json()["messageTranslations"]["en"].startswith("The <var>token</var> parameter")


# --- server errors and the request id ----------------------------------------------------------------
@pytest.fixture
def boom(flask_app: Any) -> Any:
    def explode() -> Any:
        raise RuntimeError("database password is hunter2 at /srv/app/secret.py")

    flask_app.add_url_rule("/campaignevents/v0/boom", "boom", explode, methods=["GET", "POST"])
    return flask_app


def test_server_error_is_the_envelope_with_a_request_id(boom: Any, api: Any, caplog: Any) -> None:
    with caplog.at_level(logging.ERROR, logger="campaignevents.api"):
        resp = api().client.get("/campaignevents/v0/boom", headers={"X-Request-Id": "req-123.abc_X"})
    expected = (
        '{"errorKey":"campaignevents-rest-internal-error","messageTranslations":{"en":"An internal error '
        'occurred. Request ID: req-123.abc_X"},"httpCode":500,"httpReason":"Internal Server Error"}'
    )
    assert_text(resp, 500, expected)
    assert resp.headers["X-Request-Id"] == "req-123.abc_X"
    body = resp.get_data(as_text=True)
    assert "hunter2" not in body and "Traceback" not in body and "secret.py" not in body
    logged = [r for r in caplog.records if "req-123.abc_X" in r.getMessage()]
    assert logged and logged[0].exc_info is not None


def test_server_error_without_a_request_id_gets_a_generated_one(boom: Any, api: Any) -> None:
    resp = api().client.post("/campaignevents/v0/boom", json={})
    request_id = resp.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert (
        resp.get_json()["messageTranslations"]["en"]
        == f"An internal error occurred. Request ID: {request_id}"
    )


@pytest.mark.parametrize("given", ["has space", "x" * 65, "a/b", "ünï"])
def test_unusable_request_ids_are_replaced(api: Any, given: str) -> None:
    resp = api().client.get(url(1), headers={"X-Request-Id": given.encode().decode("latin-1")})
    assert resp.status_code == 404
    assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["X-Request-Id"])


def test_request_id_is_echoed_on_every_response(admin: Any, api: Any) -> None:
    headers = {"X-Request-Id": "abc-1"}
    assert admin.post(BASE, registration_body(), headers=headers).headers["X-Request-Id"] == "abc-1"
    assert api().get(url(1), headers=headers).headers["X-Request-Id"] == "abc-1"
    assert api().get(url(9), headers=headers).headers["X-Request-Id"] == "abc-1"
    assert api().get("/nope", headers=headers).headers["X-Request-Id"] == "abc-1"
    bad_bearer = {**headers, "Authorization": "Bearer nope"}
    assert api().get(url(1), headers=bad_bearer).headers["X-Request-Id"] == "abc-1"


def test_request_ids_differ_between_requests(api: Any) -> None:
    first = api().get(url(1)).headers["X-Request-Id"]
    assert first != api().get(url(1)).headers["X-Request-Id"]
