"""DatePoll's administration of audiences and presets (§2.2): add/remove a group or subgroup,
joined and free groups and subgroups, standard decisions and standard locations."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from api.context import services
from api.datepoll import present, reads, texts
from api.datepoll.blueprint import Answer, account, bp, event_id_of, reply, require_administration
from api.datepoll.validate import (
    GROUP_TO_EVENT,
    STANDARD_DECISION,
    STANDARD_LOCATION,
    SUBGROUP_TO_EVENT,
    boolean,
    number_or_none,
    validate,
)
from api.numbers import is_digits
from domain import errors, poll_commands, presets
from domain.polls import DecisionInput

Reply = tuple[Response, int]


def _polls() -> Any:
    found = services().polls
    assert found is not None
    return found


def _attach(body: dict[str, Any], subgroup: bool, attach: bool) -> bool:
    eid = event_id_of(body["event_id"])
    if not isinstance(body["event_id"], int):
        raise errors.EventNotFound()
    reads.registration(services(), eid, account())
    key = "subgroup_id" if subgroup else "group_id"
    set_id = body[key]
    if isinstance(set_id, bool) or not isinstance(set_id, int):
        raise Answer(404, texts.SUBGROUP_NOT_FOUND if subgroup else texts.GROUP_NOT_FOUND)
    cmd = poll_commands.AttachToEvent(
        account().user_id,
        eid,
        group_id=None if subgroup else set_id,
        subgroup_id=set_id if subgroup else None,
        attach=attach,
    )
    changed, written = services().app.attach_to_event(cmd)
    services().written(written.position)
    return changed


@bp.post("/v1/avent/administration/addGroupToEvent")
def add_group() -> Reply:
    require_administration()
    changed = _attach(validate(request.get_json(silent=True), GROUP_TO_EVENT), False, True)
    return reply({"msg": texts.GROUP_ADDED}) if changed else reply({"msg": texts.GROUP_ALREADY_ADDED}, 201)


@bp.post("/v1/avent/administration/addSubgroupToEvent")
def add_subgroup() -> Reply:
    require_administration()
    changed = _attach(validate(request.get_json(silent=True), SUBGROUP_TO_EVENT), True, True)
    if changed:
        return reply({"msg": texts.SUBGROUP_ADDED})
    return reply({"msg": texts.SUBGROUP_ALREADY_ADDED}, 201)


@bp.post("/v1/avent/administration/removeGroupFromEvent")
def remove_group() -> Reply:
    require_administration()
    changed = _attach(validate(request.get_json(silent=True), GROUP_TO_EVENT), False, False)
    return reply({"msg": texts.GROUP_REMOVED}) if changed else reply({"msg": texts.GROUP_NOT_ADDED}, 201)


@bp.post("/v1/avent/administration/removeSubgroupFromEvent")
def remove_subgroup() -> Reply:
    require_administration()
    changed = _attach(validate(request.get_json(silent=True), SUBGROUP_TO_EVENT), True, False)
    if changed:
        return reply({"msg": texts.SUBGROUP_REMOVED})
    return reply({"msg": texts.SUBGROUP_NOT_ADDED}, 201)


def _sets(event_id: str) -> tuple[list[dict[str, Any]], list[int], list[int]]:
    eid = event_id_of(event_id)
    reads.registration(services(), eid, account())
    _, group_ids, subgroup_ids = _polls().audience(eid)
    return _polls().groups(), group_ids, subgroup_ids


def _group(g: dict[str, Any]) -> dict[str, Any]:
    return {"id": g["id"], "name": g["name"], "description": g["description"], "orderN": g["orderN"]}


def _subgroups(groups: list[dict[str, Any]], keep: Any) -> list[dict[str, Any]]:
    return [
        {**_group(s), "group_id": g["id"], "group_name": g["name"]}
        for g in groups
        for s in g["subgroups"]
        if keep(s["id"])
    ]


@bp.get("/v1/avent/administration/group/joined/<event_id>")
def joined_groups(event_id: str) -> Reply:
    require_administration()
    groups, group_ids, _ = _sets(event_id)
    return reply({"msg": texts.JOINED_GROUPS, "groups": [_group(g) for g in groups if g["id"] in group_ids]})


@bp.get("/v1/avent/administration/group/free/<event_id>")
def free_groups(event_id: str) -> Reply:
    require_administration()
    groups, group_ids, _ = _sets(event_id)
    return reply(
        {"msg": texts.FREE_GROUPS, "groups": [_group(g) for g in groups if g["id"] not in group_ids]}
    )


@bp.get("/v1/avent/administration/subgroup/joined/<event_id>")
def joined_subgroups(event_id: str) -> Reply:
    require_administration()
    groups, _, subgroup_ids = _sets(event_id)
    return reply({"msg": texts.JOINED_SUBGROUPS, "subgroups": _subgroups(groups, subgroup_ids.__contains__)})


@bp.get("/v1/avent/administration/subgroup/free/<event_id>")
def free_subgroups(event_id: str) -> Reply:
    require_administration()
    groups, _, subgroup_ids = _sets(event_id)
    free = _subgroups(groups, lambda s: s not in subgroup_ids)
    return reply({"msg": texts.FREE_SUBGROUPS, "subgroups": free})


# --- presets ------------------------------------------------------------------------------------
def _number(raw: str) -> int | None:
    return int(raw) if is_digits(raw) and len(raw) < 12 else None


@bp.get("/v1/avent/administration/standardDecision")
def standard_decisions() -> Reply:
    require_administration()
    found = [present.standard_decision(r) for r in reads.presets(services(), "standard_decisions")]
    return reply({"msg": texts.STANDARD_DECISIONS, "standardDecisions": found})


@bp.post("/v1/avent/administration/standardDecision")
def create_standard_decision() -> Reply:
    require_administration()
    body = validate(request.get_json(silent=True), STANDARD_DECISION)
    given = DecisionInput(body["decision"], body["color"], boolean(body["show_in_calendar"]))
    made = services().app.create_standard_decision(
        poll_commands.CreateStandardDecision(account().user_id, given)
    )
    services().written(made.position)
    row = reads.presets(services(), "standard_decisions", made.id)[0]
    return reply(
        {"msg": texts.STANDARD_DECISION_CREATED, "standardDecision": present.standard_decision(row)}, 201
    )


@bp.get("/v1/avent/administration/standardDecision/<number>")
def standard_decision(number: str) -> Reply:
    require_administration()
    n = _number(number)
    rows = reads.presets(services(), "standard_decisions", n) if n is not None else []
    if not rows:
        raise Answer(404, texts.STANDARD_DECISION_NOT_FOUND)
    return reply({"msg": texts.STANDARD_DECISION, "standardDecision": present.standard_decision(rows[0])})


@bp.delete("/v1/avent/administration/standardDecision/<number>")
def delete_standard_decision(number: str) -> Reply:
    require_administration()
    n = _number(number)
    if n is None or not reads.presets(services(), "standard_decisions", n):
        raise Answer(404, texts.STANDARD_DECISION_NOT_FOUND)
    cmd = poll_commands.DeletePreset(account().user_id, presets.STANDARD_DECISIONS, n)
    try:
        services().written(services().app.delete_preset(cmd).position)
    except presets.PresetNotFound:
        raise Answer(404, texts.STANDARD_DECISION_NOT_FOUND) from None
    return reply({"msg": texts.STANDARD_DECISION_DELETED})


@bp.get("/v1/avent/administration/standardLocation")
def standard_locations() -> Reply:
    require_administration()
    found = [present.standard_location(r) for r in reads.presets(services(), "standard_locations")]
    return reply({"msg": texts.STANDARD_LOCATIONS, "standardLocations": found})


@bp.post("/v1/avent/administration/standardLocation")
def create_standard_location() -> Reply:
    require_administration()
    body = validate(request.get_json(silent=True), STANDARD_LOCATION)
    x, y = number_or_none(body.get("x")), number_or_none(body.get("y"))
    if x is None or y is None:
        x = y = None
    cmd = poll_commands.CreateStandardLocation(account().user_id, body["name"], body.get("location"), x, y)
    made = services().app.create_standard_location(cmd)
    services().written(made.position)
    row = reads.presets(services(), "standard_locations", made.id)[0]
    return reply(
        {"msg": texts.STANDARD_LOCATION_CREATED, "standardLocation": present.standard_location(row)}, 201
    )


@bp.get("/v1/avent/administration/standardLocation/<number>")
def standard_location(number: str) -> Reply:
    require_administration()
    n = _number(number)
    rows = reads.presets(services(), "standard_locations", n) if n is not None else []
    if not rows:
        raise Answer(404, texts.STANDARD_LOCATION_NOT_FOUND)
    return reply({"msg": texts.STANDARD_LOCATION, "standardLocation": present.standard_location(rows[0])})


@bp.delete("/v1/avent/administration/standardLocation/<number>")
def delete_standard_location(number: str) -> Reply:
    require_administration()
    n = _number(number)
    if n is None or not reads.presets(services(), "standard_locations", n):
        raise Answer(404, texts.STANDARD_LOCATION_NOT_FOUND)
    cmd = poll_commands.DeletePreset(account().user_id, presets.STANDARD_LOCATIONS, n)
    try:
        services().written(services().app.delete_preset(cmd).position)
    except presets.PresetNotFound:
        raise Answer(404, texts.STANDARD_LOCATION_NOT_FOUND) from None
    return reply({"msg": texts.STANDARD_LOCATION_DELETED})
