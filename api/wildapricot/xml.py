"""Wild Apricot's XML rendering (``Accept: application/xml``), built with lxml.

The reference (the seed's "Sample XML response"; dialects-facts.md §1.3) is .NET's data-contract
serializer: root ``ApiResponse`` in ``http://api.wildapricot.org`` with ``i:type`` naming the result
type, the model's members in the model namespace (prefix ``d1p1``) and the base resource's ``Id``,
``Url``, ``Name`` in the default namespace, members in ordinal order (base members first), every date a
``DateTime`` (UTC, ``Z``) + ``OffsetMinutes`` pair in the ``System`` namespace, nulls as
``i:nil="true"``, string lists as ``<string>`` items in the ``Arrays`` namespace; a namespace declared on
an element gets the prefix ``d<depth>p1``.

Input is what the JSON answer is built from (dicts, lists, str, int, float, bool, None, Decimal,
datetime). **Dates are recognised by field name** (``date_fields``), not by the look of a string: a
name or location that happens to read ``2015-09-10T20:00:00-04:00`` must stay text. A date field whose
value is an aware ``datetime`` or an ISO-8601 string with an offset becomes the pair; anything else there
(e.g. a local time without offset) is written as text, as .NET writes a plain ``DateTime``.

Well-formed for every input: characters XML 1.0 cannot carry (most C0 controls, lone surrogates,
U+FFFE/U+FFFF) become U+FFFD; every other character round-trips (lxml writes ``\\r`` as ``&#13;``);
a key that is not a safe XML name is encoded as .NET's ``XmlConvert.EncodeLocalName`` does
(``_xHHHH_``), which ``decode_name`` reverses.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from lxml import etree

API_NAMESPACE = "http://api.wildapricot.org"
INSTANCE_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_NAMESPACE = "http://www.w3.org/2001/XMLSchema"
EVENTS_NAMESPACE = "http://schemas.datacontract.org/2004/07/Bonasource.MembershipFS.PublicAPI.Model.V2.Events"
SYSTEM_NAMESPACE = "http://schemas.datacontract.org/2004/07/System"
ARRAYS_NAMESPACE = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"

# Wild Apricot fields that carry dates (§1.5-1.7).
DATE_FIELDS = frozenset(
    {
        "StartDate",
        "EndDate",
        "RegistrationDate",
        "AvailableFrom",
        "AvailableThrough",
        "ProfileLastUpdated",
        "Requested",
        "Processed",
    }
)

# The element of one item of a list of objects, by the list's field name; other lists of objects
# name their items by the field name without its final "s".
ITEM_NAMES: Mapping[str, str] = {
    "Events": "Event",
    "Sessions": "EventSession",
    "RegistrationTypes": "EventRegistrationType",
    "EventRegistrationFields": "EventRegistrationField",
    "AllowedValues": "AllowedValue",
    "RegistrationFields": "RegistrationFieldValue",
    "FieldValues": "FieldValue",
    "Contacts": "Contact",
    "GuestRegistrations": "EventRegistration",
}

# Members of the base resource contract, written first and in the default namespace (the seed shows
# Id, Url, Name in this order before the Event's own members).
_BASE_MEMBERS = ("Id", "Url", "Name")
_NIL = f"{{{INSTANCE_NAMESPACE}}}nil"
_TYPE = f"{{{INSTANCE_NAMESPACE}}}type"

# XML 1.0 forbids these code points anywhere in a document.
_ILLEGAL = {
    **{code: 0xFFFD for code in range(0x20) if code not in (0x9, 0xA, 0xD)},
    **{code: 0xFFFD for code in range(0xD800, 0xE000)},
    0xFFFE: 0xFFFD,
    0xFFFF: 0xFFFD,
}


def xml_text(value: str) -> str:
    """``value`` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return value.translate(_ILLEGAL)


def encode_name(name: str) -> str:
    """An XML local name for ``name``: ASCII letters, digits, ``_ - .`` are kept (not ``-``/``.``/digit
    first), ``_x`` is written ``_x005F_x``, anything else ``_xHHHH_`` (``_xHHHHHHHH_`` beyond U+FFFF)."""
    if not name:
        return "_x0000_"  # an empty key has no name; U+0000 can never be a real one
    out = []
    for index, char in enumerate(name):
        allowed = char.isascii() and (char.isalpha() or char == "_" or (index and char in "0123456789-."))
        if char == "_" and name[index + 1 : index + 2] == "x":
            out.append("_x005F_")
        elif allowed:
            out.append(char)
        elif ord(char) > 0xFFFF:
            out.append(f"_x{ord(char):08X}_")
        else:
            out.append(f"_x{ord(char):04X}_")
    return "".join(out)


def decode_name(name: str) -> str:
    """The key ``encode_name`` encoded (the reverse mapping)."""
    out = []
    index = 0
    while index < len(name):
        if name.startswith("_x", index):
            for width in (8, 4):
                end = index + 2 + width
                digits = name[index + 2 : end]
                if name[end : end + 1] == "_" and len(digits) == width and _is_hex(digits):
                    out.append(chr(int(digits, 16)))
                    index = end + 1
                    break
            else:
                out.append(name[index])
                index += 1
        else:
            out.append(name[index])
            index += 1
    return "".join(out)


def _is_hex(digits: str) -> bool:
    return all(char in "0123456789ABCDEFabcdef" for char in digits)


def render_response(
    value: object,
    *,
    type_name: str,
    namespace: str = EVENTS_NAMESPACE,
    date_fields: Collection[str] = DATE_FIELDS,
    item_names: Mapping[str, str] = ITEM_NAMES,
) -> bytes:
    """The UTF-8 XML document of an answer whose JSON would be ``value``.

    ``type_name`` is the data contract's name, written as ``i:type="d1p1:<type_name>"`` with ``d1p1``
    bound to ``namespace``: ``EventsListResult`` for ``{"Events": [...]}``, ``Event`` for one event,
    ``ArrayOfstring`` (namespace ``ARRAYS_NAMESPACE``) for the tag list, ``int`` (namespace
    ``SCHEMA_NAMESPACE``) for a bare id. An object's members become children of the root; a list's
    items become ``<d1p1:X>`` children for a type name ``ArrayOfX``; a scalar becomes the root's text.
    """
    writer = _Writer(namespace, frozenset(date_fields), item_names)
    root = etree.Element(
        f"{{{API_NAMESPACE}}}ApiResponse",
        nsmap={"i": INSTANCE_NAMESPACE, "d1p1": namespace, None: API_NAMESPACE},
    )
    root.set(_TYPE, f"d1p1:{type_name}")
    if isinstance(value, Mapping):
        writer.members(root, value, 2)
    elif isinstance(value, list | tuple):
        item = type_name.removeprefix("ArrayOf") if type_name.startswith("ArrayOf") else "anyType"
        for entry in value:
            writer.element(root, f"{{{namespace}}}{encode_name(item)}", item, entry, 2)
    else:
        writer.fill(root, "", value, 1)
    document: bytes = etree.tostring(root, encoding="utf-8")
    return document


class _Writer:
    def __init__(self, namespace: str, date_fields: frozenset[str], item_names: Mapping[str, str]) -> None:
        self.namespace = namespace
        self.date_fields = date_fields
        self.item_names = item_names

    def members(self, parent: Any, value: Mapping[Any, Any], depth: int) -> None:
        keys = [str(key) for key in value]
        is_resource = "Url" in keys
        base = [key for key in _BASE_MEMBERS if key in keys] if is_resource else []
        own = sorted(key for key in keys if key not in base)
        by_key = {str(key): entry for key, entry in value.items()}
        for key in (*base, *own):
            namespace = API_NAMESPACE if key in base else self.namespace
            self.element(parent, f"{{{namespace}}}{encode_name(key)}", key, by_key[key], depth)

    def element(self, parent: Any, tag: str, key: str, value: object, depth: int, nsmap: Any = None) -> None:
        offset = _offset_date(value) if key in self.date_fields else None
        if offset is not None:
            self.date(parent, tag, offset, depth)
            return
        if isinstance(value, list | tuple) and any(_array_item(entry) for entry in value):
            nsmap = {f"d{depth}p1": ARRAYS_NAMESPACE}
        child = etree.SubElement(parent, tag, nsmap=nsmap)
        self.fill(child, key, value, depth)

    def fill(self, element: Any, key: str, value: object, depth: int) -> None:
        if value is None:
            element.set(_NIL, "true")
        elif isinstance(value, Mapping):
            self.members(element, value, depth + 1)
        elif isinstance(value, list | tuple):
            item = self.item_names.get(key) or (key[:-1] if len(key) > 1 and key.endswith("s") else key)
            for entry in value:
                array_item = _array_item(entry)
                if array_item is not None:
                    self.element(element, f"{{{ARRAYS_NAMESPACE}}}{array_item}", "", entry, depth + 1)
                else:
                    self.element(element, f"{{{self.namespace}}}{encode_name(item)}", item, entry, depth + 1)
        else:
            element.text = _scalar(value)

    def date(self, parent: Any, tag: str, moment: datetime, depth: int) -> None:
        prefix = f"d{depth}p1"
        element = etree.SubElement(parent, tag, nsmap={prefix: SYSTEM_NAMESPACE})
        offset = moment.utcoffset()
        minutes = 0 if offset is None else int(offset.total_seconds() // 60)
        utc = moment.astimezone(UTC).replace(tzinfo=None)
        etree.SubElement(element, f"{{{SYSTEM_NAMESPACE}}}DateTime").text = utc.isoformat() + "Z"
        etree.SubElement(element, f"{{{SYSTEM_NAMESPACE}}}OffsetMinutes").text = str(minutes)


def _array_item(value: object) -> str | None:
    """The ``Arrays`` element name of a scalar list item (``string``, ``int``...), None for objects."""
    if value is None:
        return "anyType"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long" if not -(2**31) <= value < 2**31 else "int"
    if isinstance(value, float):
        return "double"
    if isinstance(value, Decimal):
        return "decimal"
    if isinstance(value, str | datetime):
        return "string" if isinstance(value, str) else "dateTime"
    if isinstance(value, list | tuple):
        return "ArrayOfanyType"
    return None


def _offset_date(value: object) -> datetime | None:
    """An aware datetime from a date field's value, or None when it is not one."""
    if isinstance(value, datetime):
        return value if value.utcoffset() is not None else None
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "INF" if value > 0 else "-INF"
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return xml_text(value)
    raise TypeError(f"cannot render {type(value).__name__} as XML")
