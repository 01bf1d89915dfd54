"""Invision's parameters: the query string and a form body (URL-encoded or multipart, PUT bodies
too), never JSON; PHP's bracketed names nest (``location[lat]=1``, ``location[addressLines][]=a``).

As PHP parses them: a name's base ends at its first ``[``; ``[]`` appends, ``[key]`` sets a key (an
integer-looking key is a key too); a ``[`` without its ``]`` is taken literally as ``_`` and the rest
of the name kept; text after the last ``]`` is ignored; spaces and dots in the base become ``_``;
a later value replaces an earlier one (a plain value replaces a nested one and the reverse); nesting
deeper than ``MAX_DEPTH`` is dropped. Body values win over the query string's."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from flask import Request

from api.numbers import is_digits

MAX_DEPTH = 16
MAX_PARAMETERS = 1000


def parse_name(name: str) -> tuple[str, list[str]] | None:
    """The base and the keys of a bracketed name (None: a name PHP ignores)."""
    open_at = name.find("[")
    if open_at < 0 or "]" not in name[open_at:]:
        base = name.replace("[", "_")
        keys: list[str] = []
    else:
        base, rest, keys = name[:open_at], name[open_at:], []
        while rest.startswith("["):
            close = rest.find("]")
            if close < 0:
                break
            keys.append(rest[1:close])
            rest = rest[close + 1 :]
    base = base.replace(" ", "_").replace(".", "_")
    if not base or len(keys) > MAX_DEPTH:
        return None
    return base, keys


def put(into: dict[str, Any], name: str, value: str) -> None:
    parsed = parse_name(name)
    if parsed is None:
        return
    base, keys = parsed
    if not keys:
        into[base] = value
        return
    node: Any = into
    path: list[str] = [base, *keys]
    for n, key in enumerate(path[:-1]):
        nxt = path[n + 1]
        child = _child(node, key)
        if not isinstance(child, dict | list) or (nxt != "" and isinstance(child, list)):
            child = _as_container(child, nxt)
            _set(node, key, child)
        node = child
    _set(node, path[-1], value)


def _child(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    return None  # a list entry is only ever appended


def _as_container(child: Any, next_key: str) -> Any:
    if isinstance(child, list):  # a named key after [] entries: the entries keep their numbers
        return {str(n): v for n, v in enumerate(child)}
    return [] if next_key == "" else {}


def _set(node: Any, key: str, value: Any) -> None:
    if isinstance(node, list):
        if key == "":
            node.append(value)
            return
        raise AssertionError("a list only takes appended entries")  # pragma: no cover
    if key == "":
        numbers = [int(k) for k in node if is_digits(k)]
        node[str(max(numbers, default=-1) + 1)] = value
    else:
        node[key] = value


def parse_pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in pairs[:MAX_PARAMETERS]:
        put(found, name, value)
    return found


def parameters(request: Request, skip_first: bool = False) -> dict[str, Any]:
    """The request's parameters (``skip_first``: the query string starts with the endpoint's path,
    as in ``index.php?/calendar/events``)."""
    query = parse_qsl(request.query_string.decode("utf-8", "replace"), keep_blank_values=True)
    if skip_first and query:
        query = query[1:]
    body: list[tuple[str, str]] = []
    kind = (request.mimetype or "").lower()
    if kind == "multipart/form-data":
        body = list(request.form.items(multi=True))
    elif request.method in ("POST", "PUT", "PATCH", "DELETE") and kind in (
        "",
        "application/x-www-form-urlencoded",
    ):
        raw = request.get_data(cache=True).decode("utf-8", "replace")
        body = parse_qsl(raw, keep_blank_values=True)
    return parse_pairs(query + body)


def text(given: dict[str, Any], name: str) -> str | None:
    """A plain value (a nested one counts as absent)."""
    value = given.get(name)
    return value if isinstance(value, str) else None


def listed(value: Any) -> list[Any]:
    """A ``[]`` list, or the values of a keyed one in key order."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value[k] for k in value]
    return []
