"""Request parsing with MediaWiki's REST rules: strict JSON types, first failing parameter reported,
extraneous body fields refused, ``null`` read as "not given".

Fields raise ``ValidationError`` with a dict payload (failure code, value, data, message params);
``load_body``/``load_query`` turn the first failure, in declaration order, into the
``parameter-validation-failed`` envelope.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from flask import request
from marshmallow import EXCLUDE, Schema, ValidationError, fields

from api.errors import ApiError
from api.messages import text
from domain.validation import normalise_username, parse_page_title, parse_timestamp

MISSING_MESSAGES: dict[str, str | list[Any] | dict[Any, Any]] = {
    "required": {"failureCode": "missingparam"},
    "null": {"failureCode": "missingparam"},
}
V0_PATH = "/campaignevents/v0/"
BODY_METHODS = ("POST", "PUT")  # MediaWiki's REST framework expects a body with these
BOOL_TRUE = ("1", "true", "on", "yes")
BOOL_FALSE = ("0", "false", "off", "no", "")
_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)


def _json_type(value: object) -> str:
    """PHP's name of a JSON value's type, as MediaWiki's messages say it."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    if isinstance(value, (list, dict)):
        return "array"
    if value is None:
        return "NULL"
    return "string"


def shown(value: object) -> Any:
    """How a rejected value is echoed back in the envelope: as given (JSON in, JSON out)."""
    return value


def _as_text(value: object) -> str:
    """How a rejected value reads inside a message (containers as JSON text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def failure(code: str, value: object, data: object = None, *extra: object) -> ValidationError:
    return ValidationError({"failureCode": code, "value": value, "failureData": data, "extra": list(extra)})


class Param(fields.Field):  # type: ignore[type-arg]
    """Base: ``required`` fields treat an empty string as missing, as MediaWiki's string types do
    (``empty_is_missing``; titles and enums judge "" by their own rule instead)."""

    empty_is_missing = True

    def __init__(self, *, required: bool = False, **kwargs: Any) -> None:
        if not required:
            kwargs.setdefault("load_default", None)
        kwargs.setdefault("allow_none", not required)
        super().__init__(required=required, error_messages=MISSING_MESSAGES, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kw: Any) -> Any:
        if self.required and value == "" and self.empty_is_missing:
            raise failure("missingparam", value)
        return self.convert(value)

    def convert(self, value: Any) -> Any:
        raise NotImplementedError


class Str(Param):
    def __init__(self, *, max_bytes: int | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.max_bytes = max_bytes

    def convert(self, value: Any) -> str:
        if not isinstance(value, str):
            raise failure("needstring", value, None, _json_type(value))
        size = len(value.encode("utf-8"))
        if self.max_bytes is not None and size > self.max_bytes:
            data = {"maxbytes": self.max_bytes, "maxchars": None}
            raise failure("maxbytes", value, data, self.max_bytes, size)
        return value


class Bool(Param):
    def convert(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise failure("badbool-type", value, None, _json_type(value))
        return value


class Int(Param):
    def __init__(self, *, minimum: int | None = None, maximum: int | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise failure("badinteger-type", value, None, _json_type(value))
        if not -(2**63) <= value < 2**63:  # PHP's json_decode reads a larger integer as a float
            raise failure("badinteger-type", value, None, "double")
        return value


class Timestamp(Param):
    """A timestamp in any format MediaWiki reads (TS_MW, ISO 8601, integers), normalised to TS_MW."""

    def convert(self, value: Any) -> str:
        normalised = parse_timestamp(value)
        if normalised is None:
            raise failure("badtimestamp", value)
        return normalised


class Title(Param):
    """A page title; a ``#section`` is read as part of it (the domain refuses it, as the reference
    does: a valid title string, but not an event page)."""

    empty_is_missing = False

    def convert(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise failure("needstring", value, None, _json_type(value))
        title = parse_page_title(value)
        if title is None:
            raise failure("badtitle", value)
        return title


class Enum(Param):
    empty_is_missing = False

    def __init__(self, choices: tuple[str, ...], **kw: Any) -> None:
        super().__init__(**kw)
        self.choices = choices

    def convert(self, value: Any) -> str:
        if not isinstance(value, str):
            raise failure("needstring", value, None, _json_type(value))
        if value not in self.choices:
            raise failure("badvalue", value, [])
        return value


class Multi(fields.List):  # type: ignore[type-arg]
    """A multi-value parameter: a JSON array of ``inner`` values, at most ``limit``; ``choices`` (a
    callable, read per request so configuration can change) limits the values allowed. Anything but
    an array is ``multivalue-must-be-array``."""

    not_an_array = "multivalue-must-be-array"

    def __init__(
        self,
        inner: Param,
        *,
        limit: int,
        required: bool = False,
        choices: Callable[[], tuple[str, ...]] | None = None,
        **kw: Any,
    ) -> None:
        if not required:
            kw.setdefault("load_default", None)
        kw.setdefault("allow_none", not required)
        super().__init__(inner, required=required, error_messages=MISSING_MESSAGES, **kw)
        self.limit = limit
        self.choices = choices

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kw: Any
    ) -> list[Any]:
        if not isinstance(value, list):
            raise failure(self.not_an_array, value)
        if len(value) > self.limit:  # counted before the values are checked, as ParamValidator does
            limit = self.limit
            data = {"parameter": self.name, "limit": limit, "lowlimit": limit, "highlimit": limit}
            raise failure("toomanyvalues", value, data, self.limit)
        inner: Param = self.inner  # type: ignore[assignment]
        items = [inner.convert(v) for v in value]  # null is no value inside a list: its type fails
        if self.choices is not None:
            allowed = self.choices()
            unknown = [v for v in items if v not in allowed]
            if unknown:
                raise failure("badvalue", ", ".join(map(str, unknown)), [])
        return items


class Array(Multi):
    """An array-typed parameter (MediaWiki's ``array`` type, not a multi-value one): anything but an
    array is ``notarray``. Its items are still checked as ``inner`` values."""

    not_an_array = "notarray"


class BodySchema(Schema):
    """A JSON body; ``token`` (the CSRF token of cookie sessions) is accepted on every body."""

    class Meta:
        unknown = EXCLUDE

    token = Str()


@cache
def _instance(schema: type[Schema]) -> Schema:
    return schema()


def load_body(schema_class: type[Schema]) -> dict[str, Any]:
    """Parse and validate the JSON body of the current request (411 / 415 / 400 envelopes on failure)."""
    require_body()
    schema = _instance(schema_class)
    raw = _json_object()
    result = _load(schema, raw, source="body")
    extraneous = [k for k in raw if k not in schema.fields]
    if extraneous:
        raise ApiError(
            400,
            "rest-extraneous-body-fields",
            ", ".join(extraneous),
            validation={
                "error": "parameter-validation-failed",
                "failureCode": "extraneous-body-fields",
                "name": extraneous[0],
                "failureData": extraneous,
            },
        )
    return result


def path_int(name: str, raw: str) -> int:
    """An integer path parameter; ``badinteger`` when it is not one (after ``require_body``)."""
    require_body()
    value = _integer(raw)
    if value is None:
        raise _validation_error("path", name, "badinteger", raw, None, [])
    return value


def require_body() -> None:
    """A POST or PUT of the v0 API without a body (whatever its Content-Type) is a 411, before any
    parameter is read, as MediaWiki's REST framework answers it. Cheap and idempotent: every route
    reaches it through ``path_int`` or ``load_body``, whichever comes first."""
    expected = request.method in BODY_METHODS and request.path.startswith(V0_PATH)
    if expected and not request.get_data(cache=True):
        raise ApiError(411, "rest-request-body-expected", request.method)


def _integer(raw: str) -> int | None:
    """MediaWiki's IntegerDef: an optional sign and ASCII digits, within a 64-bit integer
    (Python's ``int()`` would also take spaces, ``_`` and non-ASCII digits)."""
    if not _INTEGER.fullmatch(raw):
        return None
    value = int(raw, 10)
    return value if -(2**63) <= value < 2**63 else None


def query_bool(name: str, *, required: bool = False) -> bool | None:
    raw = request.args.get(name)
    if raw is None:
        if required:
            raise _validation_error("query", name, "missingparam", None, None, [])
        return None
    lowered = raw.lower()
    if lowered in BOOL_TRUE:
        return True
    if lowered in BOOL_FALSE:
        return False
    raise _validation_error("query", name, "badbool", raw, None, [])


def query_int(name: str, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    value = _integer(raw)
    if value is None:
        raise _validation_error("query", name, "badinteger", raw, None, [])
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        data = {"min": minimum, "curmax": maximum, "max": maximum, "highmax": maximum}
        key = "paramvalidator-outofrange" if maximum is not None else "paramvalidator-outofrange-min"
        raise _validation_error("query", name, "outofrange", raw, data, [minimum, maximum], key=key)
    return value


MAX_JSON_DEPTH = 64  # far beyond any body of this API; PHP allows 512, Python's recursion less


def _json_object() -> dict[str, Any]:
    """The body as a JSON object, parsed as strictly as PHP's json_decode: UTF-8 only, no NaN or
    Infinity, no lone surrogates, bounded nesting. A top-level array is read as PHP does: its
    indexes become field names ("0", "1", ...), which no route declares."""
    body = request.get_data(cache=True)
    if not body:
        return {}
    if request.mimetype != "application/json":
        raise ApiError(415, "rest-unsupported-content-type", request.mimetype)
    try:
        parsed = json.loads(body.decode("utf-8"), parse_constant=_reject, parse_float=_finite)
        _check_json(parsed, 0)
    except (ValueError, UnicodeError, RecursionError):
        raise ApiError(400, "rest-json-body-parse-error") from None
    if isinstance(parsed, dict):
        return parsed
    if isinstance(parsed, list):
        return {str(i): v for i, v in enumerate(parsed)}
    raise ApiError(400, "rest-json-body-parse-error")


def _reject(constant: str) -> Any:
    raise ValueError(f"not JSON: {constant}")


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return number


def _check_json(value: Any, depth: int) -> None:
    """Too deep, or a string holding a lone UTF-16 surrogate (which UTF-8 cannot carry): ValueError."""
    if depth > MAX_JSON_DEPTH:
        raise ValueError("nested too deeply")
    if isinstance(value, str):
        value.encode("utf-8")  # UnicodeEncodeError for a lone surrogate
    elif isinstance(value, dict):
        for key, item in value.items():
            key.encode("utf-8")
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)


def _load(schema: Schema, raw: dict[str, Any], *, source: str) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = schema.load(raw, unknown=EXCLUDE)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {}
        name = next(n for n in schema.fields if n in messages)
        payload = messages[name]
        if not isinstance(payload, dict) or "failureCode" not in payload:
            payload = {"failureCode": "badvalue", "value": raw.get(name)}
        value = payload.get("value", raw.get(name))
        raise _validation_error(
            source,
            name,
            payload["failureCode"],
            value,
            payload.get("failureData"),
            payload.get("extra", []),
        ) from None
    return loaded


def _validation_error(
    source: str, name: str, code: str, value: object, data: object, extra: list[Any], key: str | None = None
) -> ApiError:
    key = key or (
        "paramvalidator-badvalue-multi"
        if code == "badvalue" and ", " in str(value)
        else f"paramvalidator-{code}"
    )
    params: list[object] = [name, _as_text(value), *extra]
    validation = {
        "error": "parameter-validation-failed",
        "name": name,
        "value": shown(value),
        "failureCode": code,
        "failureData": data,
    }
    if source == "body":
        return ApiError(
            400,
            "rest-body-validation-error",
            text(key, *params),
            error_key="rest-body-validation-error",
            validation=validation,
        )
    return ApiError(400, key, *params, error_key=code, validation=validation)


def query_str(name: str) -> str | None:
    return request.args.get(name)


def query_ints(name: str) -> tuple[int, ...] | None:
    """A ``|``-separated list of integers (MediaWiki's multi-value query form)."""
    raw = request.args.get(name)
    if raw is None:
        return None
    values: list[int] = []
    for part in raw.split("|") if raw else []:
        value = _integer(part)
        if value is None:
            raise _validation_error("query", name, "badinteger", part, None, [])
        values.append(value)
    return tuple(values)


class Username(Param):
    """A user name (MediaWiki's user type, names only), normalised."""

    def convert(self, value: Any) -> str:
        if not isinstance(value, str):
            raise failure("needstring", value, None, _json_type(value))
        name = normalise_username(value)
        if name is None:
            raise failure("baduser", value)
        return name


class JsonObject(Param):
    """An array-typed parameter holding a JSON object (an empty JSON array reads as an empty object,
    as PHP does): a scalar is ``notarray``, a non-empty list ``badvalue``."""

    def convert(self, value: Any) -> dict[str, Any]:
        if value == []:
            return {}
        if isinstance(value, list):
            raise failure("badvalue", value, [])
        if not isinstance(value, dict):
            raise failure("notarray", value)
        return value


def query_timestamp(name: str) -> datetime | None:
    """A timestamp query parameter (any format MediaWiki reads), as a UTC instant: the last
    microsecond of the second it names, so a moment shown to the second includes what happened in
    that second."""
    raw = request.args.get(name)
    if raw is None:
        return None
    normalised = parse_timestamp(raw)
    if normalised is None:
        raise _validation_error("query", name, "badtimestamp", raw, None, [])
    start = datetime.strptime(normalised, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return start + timedelta(microseconds=999_999)


class TitlesByWiki(Param):
    """``{"<wiki id>": ["Title", ...]}`` (an empty JSON array reads as an empty object)."""

    def convert(self, value: Any) -> dict[str, list[str]]:
        if value == []:
            return {}
        if not isinstance(value, dict) or not all(
            isinstance(titles, list) and all(isinstance(t, str) for t in titles) for titles in value.values()
        ):
            raise failure("badvalue", value, [])
        return value
