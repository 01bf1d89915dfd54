"""The OpenAPI document, generated from the marshmallow schemas, served at /campaignevents/v0/openapi.json."""

from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Response, jsonify

from api import params, schemas

bp = Blueprint("openapi", __name__, url_prefix="/campaignevents/v0")

ERROR = {
    "description": "Error envelope",
    "content": {"application/json": {"schema": "ErrorEnvelope"}},
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): ERROR for c in codes}


ID_PARAM = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}, {"cookie": []}]

PATHS: dict[str, dict[str, Any]] = {
    "/campaignevents/v0/event_registration": {
        "post": {
            "summary": "Enable an event registration",
            "security": BEARER,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": "RegistrationBody"}},
            },
            "responses": {
                "201": _json("IdResponse", "Enabled; Location points to the registration"),
                **_errors(400, 401, 403, 415),
            },
        }
    },
    "/campaignevents/v0/event_registration/{id}": {
        "parameters": [ID_PARAM],
        "get": {
            "summary": "Get details of an event registration",
            "responses": {
                "200": _json("RegistrationDetails", "The details"),
                **_errors(400, 401, 404),
            },
        },
        "put": {
            "summary": "Edit an event registration (full replacement)",
            "security": BEARER,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": "RegistrationEditBody"}},
            },
            "responses": {"204": {"description": "Edited"}, **_errors(400, 401, 403, 404, 415)},
        },
        "delete": {
            "summary": "Delete an event registration (soft delete)",
            "security": BEARER,
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": "BodySchema"}},
            },
            "responses": {"204": {"description": "Deleted"}, **_errors(400, 401, 403, 404, 415)},
        },
    },
    "/auth/login": {
        "post": {
            "summary": "Start a cookie session",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": "LoginBody"}},
            },
            "responses": {
                "200": _json("LoginResponse", "Logged in; session cookie set"),
                **_errors(400, 401, 415),
            },
        }
    },
    "/auth/logout": {
        "post": {
            "summary": "End the cookie session (CSRF token in the body)",
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": "BodySchema"}},
            },
            "responses": {"204": {"description": "Logged out"}, **_errors(400, 401, 403, 415)},
        }
    },
    "/auth/csrf_token": {
        "get": {
            "summary": "The session's CSRF token",
            "responses": {"200": _json("CsrfToken", "Token")},
        }
    },
}


@cache
def document() -> dict[str, Any]:
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="CampaignEvents",
        version="v0",
        openapi_version="3.0.3",
        plugins=[plugin],
        info={"description": "The CampaignEvents REST API as a standalone, event-sourced service."},
    )
    for field, kind in (
        (params.Str, "string"),
        (params.Bool, "boolean"),
        (params.Int, "integer"),
        (params.Title, "string"),
        (params.Enum, "string"),
        (params.Timestamp, "string"),
        (params.Multi, "array"),
    ):
        plugin.map_to_openapi_type(field, kind, None)  # type: ignore[no-untyped-call]
    for schema in (
        schemas.BodySchema,
        schemas.RegistrationBody,
        schemas.RegistrationEditBody,
        schemas.RegistrationDetails,
        schemas.IdResponse,
        schemas.ErrorEnvelope,
        schemas.LoginBody,
        schemas.LoginResponse,
        schemas.CsrfToken,
    ):
        spec.components.schema(schema.__name__, schema=schema)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme(
        "cookie", {"type": "apiKey", "in": "cookie", "name": "campaignevents_session"}
    )
    for path, operations in PATHS.items():
        ops = dict(operations)
        shared = ops.pop("parameters", None)
        spec.path(path=path, operations=_refs(ops), parameters=shared)
    return spec.to_dict()


def _refs(node: Any) -> Any:
    """Turn ``"schema": "Name"`` shorthands into component references."""
    if isinstance(node, dict):
        return {
            k: (
                {"$ref": f"#/components/schemas/{v}"}
                if k == "schema" and isinstance(v, str) and v[:1].isupper()
                else _refs(v)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_refs(v) for v in node]
    return node


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(document())
