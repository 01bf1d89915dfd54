"""marshmallow schemas at the edge: request bodies (MediaWiki's parameter rules) and responses.

Field order is the order in which parameters are checked (the first failure is reported) and, for
responses, the key order clients see.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import Schema, fields

from api.params import BodySchema as BodySchema
from api.params import Bool, Enum, Multi, Str, Timestamp, Title

MAX_WIKIS = 100


def known_wikis() -> tuple[str, ...]:
    return (*current_app.extensions["campaignevents"].settings.known_wikis, "*")


class RegistrationBody(BodySchema):
    """POST /event_registration (the seed's field set)."""

    event_page = Title(required=True, metadata={"description": "Event page title, e.g. Event:Foo"})
    chat_url = Str(metadata={"description": "Invite link for a chat group"})
    wikis = Multi(
        Str(),
        required=True,
        limit=MAX_WIKIS,
        choices=known_wikis,
        metadata={"description": 'Wiki ids, [] for none, ["*"] for all'},
    )
    tracking_tool_id = Str()
    tracking_tool_event_id = Str()
    timezone = Str(required=True, metadata={"description": "IANA name, ±HH:MM or abbreviation"})
    start_time = Timestamp(required=True, metadata={"description": "Local time, TS_MW"})
    end_time = Timestamp(required=True, metadata={"description": "Local time, TS_MW"})
    online_meeting = Bool()
    inperson_meeting = Bool()
    meeting_url = Str()
    meeting_country = Str()
    meeting_address = Str()


class RegistrationEditBody(RegistrationBody):
    """PUT /event_registration/{id}: a full replacement, plus ``status``."""

    status = Enum(("open", "closed"), required=True)


class IdResponse(Schema):
    id = fields.Integer(required=True)


class TrackingTool(Schema):
    tool_id = fields.String()
    tool_event_id = fields.String()


class RegistrationDetails(Schema):
    """GET /event_registration/{id}. ``meeting_url``/``chat_url`` are omitted for viewers who may
    not see them (null when unset)."""

    id = fields.Integer()
    name = fields.String()
    event_page = fields.String()
    event_page_wiki = fields.String()
    chat_url = fields.String(allow_none=True)
    wikis = fields.List(fields.String())
    tracking_tools = fields.List(fields.Nested(TrackingTool))
    status = fields.String()
    timezone = fields.String()
    start_time = fields.String()
    end_time = fields.String()
    online_meeting = fields.Boolean()
    inperson_meeting = fields.Boolean()
    meeting_url = fields.String(allow_none=True)
    meeting_country = fields.String(allow_none=True)
    meeting_address = fields.String(allow_none=True)
    questions = fields.List(fields.Integer())


class ErrorEnvelope(Schema):
    error = fields.String(metadata={"description": "parameter-validation-failed, when it is one"})
    name = fields.String()
    value = fields.Raw(allow_none=True)
    failureCode = fields.String()
    failureData = fields.Raw(allow_none=True)
    errorKey = fields.String()
    messageTranslations = fields.Dict(keys=fields.String(), values=fields.String())
    httpCode = fields.Integer(required=True)
    httpReason = fields.String(required=True)


class LoginBody(Schema):
    username = Str(required=True)
    password = Str(required=True)


class CsrfToken(Schema):
    token = fields.String()


class LoginResponse(Schema):
    user_id = fields.Integer()
    user_name = fields.String()


_DETAILS = RegistrationDetails()


def dump_details(data: dict[str, Any]) -> dict[str, Any]:
    dumped: dict[str, Any] = _DETAILS.dump(data)
    return dumped
