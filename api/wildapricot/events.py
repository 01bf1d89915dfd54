"""Wild Apricot's Events routes (dialects-facts §1.5): the list with ``$filter``/``$sort``/``$top``/
``$skip``/``$count``/``idsOnly``/``IDs``/``includeEventDetails``, one event with ``Details``, the tags
in use, create (the new id as a bare number), update (the body's ``Id`` must match), delete."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from api.context import services
from api.numbers import is_digits
from api.wildapricot import present, reads, writes
from api.wildapricot.blueprint import Answer, account, int_of, json_body, reply, route
from api.wildapricot.query import parse_filter, parse_paging, parse_sort
from domain import commands, errors
from domain.handlers import registrations as registration_handlers
from domain.reading import RegistrationView

ACCOUNT = r"accounts/(?P<account>[^/]+)"
SCHEMA_NAMESPACE = "http://www.w3.org/2001/XMLSchema"
ARRAYS_NAMESPACE = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"


def _arg(name: str) -> str | None:
    """A query parameter by name, any case (``$Filter`` = ``$filter``); the last when repeated."""
    wanted = name.lower()
    found = None
    for key, value in request.args.items(multi=True):
        if key.lower() == wanted:
            found = value
    return found


def _flag(name: str) -> bool:
    """``idsOnly``, ``$count``: present without a value, or ``true``."""
    value = _arg(name)
    return value is not None and value.strip().lower() in ("", "true", "1")


def _ids(raw: str) -> list[int]:
    ids = []
    for part in raw.split(","):
        part = part.strip()
        if not is_digits(part) or len(part) > 12:
            raise Answer(
                400,
                "field-invalid",
                [{"key": "IDs", "value": raw, "restriction": "a comma list of event ids"}],
                field="IDs",
            )
        ids.append(int(part))
    return ids


def visible_registration(event_id: int) -> RegistrationView:
    """The event as the caller may see it (``policies.can_see_event``, with the moderation flag and
    the audience: asked by the application's ``registration_for_reading``); 404 otherwise."""
    found = services().app.registration_for_reading(event_id, account().user_id)
    if found.is_deleted:
        raise errors.EventNotFound()
    return found


def one_row(event_id: int) -> reads.EventRow:
    visible_registration(event_id)
    rows = reads.rows(services(), [event_id])
    if not rows:
        raise errors.EventNotFound()
    return rows[0]


@route(ACCOUNT + r"/events", "GET")
def list_events() -> Response:
    svc = services()
    raw_filter, raw_sort, raw_ids = _arg("$filter"), _arg("$sort"), _arg("IDs")
    query = reads.Query(
        filter=parse_filter(raw_filter) if raw_filter is not None and raw_filter.strip() else None,
        ids=_ids(raw_ids) if raw_ids is not None and raw_ids.strip() else None,
        sort=parse_sort(raw_sort) if raw_sort is not None and raw_sort.strip() else None,
        paging=parse_paging(_arg("$top"), _arg("$skip")),
    )
    now = svc.app.clock.now()
    if _flag("$count"):
        return reply({"Count": reads.count(svc, account(), query, now)}, "EventsCountResult")
    ids = reads.page_ids(svc, account(), query, now)
    if _flag("idsOnly"):
        return reply({"EventIdentifiers": ids}, "EventsIdsResult")
    details = _flag("includeEventDetails")
    events = [present.event(row, details=details) for row in reads.rows(svc, ids)]
    return reply({"Events": events}, "EventsListResult")


@route(ACCOUNT + r"/events/tags", "GET")
def tags() -> Response:
    return reply(reads.all_tags(services(), account()), "ArrayOfstring", namespace=ARRAYS_NAMESPACE)


@route(ACCOUNT + r"/events/(?P<event_id>[^/]+)", "GET")
def get_event(event_id: str) -> Response:
    eid = int_of(event_id)
    row = one_row(eid)
    registration = services().app.registration_for_reading(eid)
    return reply(present.event(row, details=True, registration=registration), "Event")


@route(ACCOUNT + r"/events", "POST")
def create_event() -> Response:
    body = json_body()
    event_id = writes.create(services(), _performer(), body)
    return reply(event_id, "int", namespace=SCHEMA_NAMESPACE)


@route(ACCOUNT + r"/events/(?P<event_id>[^/]+)", "PUT")
def update_event(event_id: str) -> Response:
    eid = int_of(event_id)
    body = json_body()
    given: Any = body.get("Id")
    if isinstance(given, bool) or not isinstance(given, int) or given != eid:
        raise Answer(
            400,
            "id-mismatch",
            [{"key": "Id", "value": given, "restriction": "equals the id in the URL"}],
            given=given,
            expected=eid,
        )
    visible_registration(eid)
    writes.update(services(), _performer(), eid, body)
    row = one_row(eid)
    registration = services().app.registration_for_reading(eid)
    return reply(present.event(row, details=True, registration=registration), "Event")


@route(ACCOUNT + r"/events/(?P<event_id>[^/]+)", "DELETE")
def delete_event(event_id: str) -> Response:
    eid = int_of(event_id)
    visible_registration(eid)
    written = registration_handlers.delete_registration(
        services().app, commands.DeleteRegistration(_performer(), eid)
    )
    services().written(written.position)
    return reply(eid, "int", namespace=SCHEMA_NAMESPACE)


def _performer() -> int:
    return account().user_id
