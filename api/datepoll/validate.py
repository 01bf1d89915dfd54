"""Request validation as Lumen does it: rules per field (``decisions.*.color`` walks arrays), every
failing field listed, answered 422 with ``{"<field>": ["<message>", ...]}`` (``texts.RULE_TEXTS``).

Semantics kept: a missing or null field fails only ``required`` (the other rules run on present
values); ``nullable`` lets null through; a value of the wrong kind is not measured (no min/max)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from api.datepoll import texts

Rules = tuple[Any, ...]  # "required", "nullable", "string", "boolean", "array", "integer",
#                          "numeric", "date", ("min", n), ("max", n)

_INT = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


class Invalid(Exception):
    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


def is_boolean(value: Any) -> bool:
    return value in (True, False, 0, 1, "0", "1") and not isinstance(value, float)


def is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and bool(_INT.fullmatch(value)))


def is_numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return math.isfinite(value)
    return isinstance(value, str) and bool(_NUMBER.fullmatch(value.strip()))


def parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


_KIND_CHECKS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "boolean": is_boolean,
    "array": lambda v: isinstance(v, list | dict),
    "integer": is_integer,
    "numeric": is_numeric,
    "date": lambda v: parse_date(v) is not None,
}


def _check(field: str, value: Any, present: bool, rules: Rules) -> list[str]:
    empty = value is None or value == "" or value == [] or value == {}
    if not present or empty:
        if "required" in rules:
            return [texts.rule_text("required", field)]
        return []
    messages = []
    kind_ok = True
    for rule in rules:
        if isinstance(rule, str) and rule in _KIND_CHECKS and not _KIND_CHECKS[rule](value):
            messages.append(texts.rule_text(rule, field))
            kind_ok = False
    if kind_ok and isinstance(value, str):
        for rule in rules:
            if isinstance(rule, tuple) and rule[0] == "min" and len(value) < rule[1]:
                messages.append(texts.rule_text("min", field, rule[1]))
            if isinstance(rule, tuple) and rule[0] == "max" and len(value) > rule[1]:
                messages.append(texts.rule_text("max", field, rule[1]))
    return messages


def validate(body: Any, spec: dict[str, Rules]) -> dict[str, Any]:
    """Check ``body`` (a JSON object; anything else is an empty one) against ``spec`` (keys may
    hold one ``*``: ``decisions.*.color``); ``Invalid`` with every failure, else the body."""
    data = body if isinstance(body, dict) else {}
    failures: dict[str, list[str]] = {}
    for key, rules in spec.items():
        if ".*." in key:
            parent, child = key.split(".*.", 1)
            items = data.get(parent)
            if not isinstance(items, list):
                continue
            for n, item in enumerate(items):
                field = f"{parent}.{n}.{child}"
                present = isinstance(item, dict) and child in item
                value = item.get(child) if isinstance(item, dict) else None
                if messages := _check(field, value, present, rules):
                    failures[field] = messages
        else:
            if messages := _check(key, data.get(key), key in data, rules):
                failures[key] = messages
    if failures:
        raise Invalid(failures)
    return data


def boolean(value: Any) -> bool:
    return value in (True, 1, "1")


def number_or_none(value: Any) -> float | None:
    """A coordinate: None for null or DatePoll's -199 (or anything outside the globe's ranges
    is left to the domain)."""
    if value is None or value == "" or not is_numeric(value):
        return None
    number = float(value)
    return None if number == -199 else number


# --- the bodies (§2.3) ------------------------------------------------------------------------
EVENT = {
    "name": ("required", "string", ("min", 1), ("max", 190)),
    "forEveryone": ("required", "boolean"),
    "description": ("nullable", "string"),
    "decisions": ("required", "array"),
    "decisions.*.decision": ("required", "string", ("min", 1), ("max", 190)),
    "decisions.*.show_in_calendar": ("required", "boolean"),
    "decisions.*.color": ("required", "string", ("min", 1), ("max", 7)),
    "dates": ("required", "array"),
    "dates.*.x": ("nullable", "numeric"),
    "dates.*.y": ("nullable", "numeric"),
    "dates.*.date": ("nullable", "date"),
    "dates.*.location": ("nullable", "string", ("max", 190)),
    "dates.*.description": ("nullable", "string", ("max", 255)),
}
EVENT_UPDATE = {**EVENT, "decisions.*.id": ("required", "integer"), "dates.*.id": ("required", "integer")}
VOTE = {
    "event_id": ("required", "integer"),
    "decision_id": ("required", "integer"),
    "additional_information": ("nullable", "string", ("min", 1), ("max", 128)),
}
VOTE_FOR_USERS = {
    "decision_id": ("required", "integer"),
    "user_ids": ("required", "array"),
    "additional_information": ("nullable", "string", ("min", 1), ("max", 128)),
}
CANCEL_FOR_USERS = {"user_ids": ("required", "array")}
GROUP_TO_EVENT = {"event_id": ("required", "integer"), "group_id": ("required", "integer")}
SUBGROUP_TO_EVENT = {"event_id": ("required", "integer"), "subgroup_id": ("required", "integer")}
STANDARD_DECISION = {
    "decision": ("required", "string", ("min", 1), ("max", 190)),
    "show_in_calendar": ("required", "boolean"),
    "color": ("required", "string", ("min", 1), ("max", 7)),
}
STANDARD_LOCATION = {
    "name": ("required", "string", ("min", 1), ("max", 190)),
    "location": ("nullable", "string", ("max", 190)),
    "x": ("nullable", "numeric"),
    "y": ("nullable", "numeric"),
}
SIGNIN = {"username": ("required", "string"), "password": ("required", "string")}
RENEW = {"session_token": ("required", "string")}
