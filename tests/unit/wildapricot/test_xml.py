"""Wild Apricot's XML rendering: the seed's sample element by element, every value kind, and (with
hypothesis) well-formed output that round-trips text for any JSON-able value."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from api.wildapricot.xml import (
    API_NAMESPACE,
    ARRAYS_NAMESPACE,
    DATE_FIELDS,
    EVENTS_NAMESPACE,
    INSTANCE_NAMESPACE,
    SCHEMA_NAMESPACE,
    SYSTEM_NAMESPACE,
    decode_name,
    encode_name,
    render_response,
    xml_text,
)

NIL = f"{{{INSTANCE_NAMESPACE}}}nil"

# The seed's "Sample XML response" (help page "Events API call"), verbatim (first two events).
SEED_XML = """<ApiResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns:d1p1="http://schemas.datacontract.org/2004/07/Bonasource.MembershipFS.PublicAPI.Model.V2.Events" i:type="d1p1:EventsListResult" xmlns="http://api.wildapricot.org">
<d1p1:Events>
<d1p1:Event>
<Id>11769</Id>
<Url>http://api.wildapricot.org/v2/accounts/42353/Events/11769</Url>
<Name>Annual General Meeting</Name>
<d1p1:CheckedInAttendeesNumber>5</d1p1:CheckedInAttendeesNumber>
<d1p1:ConfirmedRegistrationsCount>4</d1p1:ConfirmedRegistrationsCount>
<d1p1:Details i:nil="true" />
<d1p1:EndDate xmlns:d4p1="http://schemas.datacontract.org/2004/07/System">
<d4p1:DateTime>2015-09-11T00:00:00Z</d4p1:DateTime>
<d4p1:OffsetMinutes>-240</d4p1:OffsetMinutes>
</d1p1:EndDate>
<d1p1:Location>Downtown Sheraton</d1p1:Location>
<d1p1:PendingRegistrationsCount>6</d1p1:PendingRegistrationsCount>
<d1p1:RegistrationEnabled>true</d1p1:RegistrationEnabled>
<d1p1:RegistrationsLimit i:nil="true" />
<d1p1:StartDate xmlns:d4p1="http://schemas.datacontract.org/2004/07/System">
<d4p1:DateTime>2015-09-11T00:00:00Z</d4p1:DateTime>
<d4p1:OffsetMinutes>-240</d4p1:OffsetMinutes>
</d1p1:StartDate>
<d1p1:Tags xmlns:d4p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays">
<d4p1:string>agm</d4p1:string>
</d1p1:Tags>
</d1p1:Event>
<d1p1:Event>
<Id>11770</Id>
<Url>http://api.wildapricot.org/v2/accounts/42353/Events/11770</Url>
<Name>Spring gala</Name>
<d1p1:CheckedInAttendeesNumber>0</d1p1:CheckedInAttendeesNumber>
<d1p1:ConfirmedRegistrationsCount>1</d1p1:ConfirmedRegistrationsCount>
<d1p1:Details i:nil="true" />
<d1p1:EndDate xmlns:d4p1="http://schemas.datacontract.org/2004/07/System">
<d4p1:DateTime>2015-04-05T23:00:00Z</d4p1:DateTime>
<d4p1:OffsetMinutes>-180</d4p1:OffsetMinutes>
</d1p1:EndDate>
<d1p1:Location>Trump Tower</d1p1:Location>
<d1p1:PendingRegistrationsCount>0</d1p1:PendingRegistrationsCount>
<d1p1:RegistrationEnabled>true</d1p1:RegistrationEnabled>
<d1p1:RegistrationsLimit i:nil="true" />
<d1p1:StartDate xmlns:d4p1="http://schemas.datacontract.org/2004/07/System">
<d4p1:DateTime>2015-04-05T23:00:00Z</d4p1:DateTime>
<d4p1:OffsetMinutes>-180</d4p1:OffsetMinutes>
</d1p1:StartDate>
<d1p1:Tags xmlns:d4p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays">
<d4p1:string>social</d4p1:string>
</d1p1:Tags>
</d1p1:Event>
</d1p1:Events>
</ApiResponse>"""  # noqa: E501 (the reference's root line is long)


def _event(
    id: int, name: str, date: str, location: str, tag: str, counts: tuple[int, int, int]
) -> dict[str, Any]:
    """An event as the JSON presenter shapes it (the seed's JSON sample, plus the XML's Details)."""
    checked_in, confirmed, pending = counts
    return {
        "StartDate": date,
        "EndDate": date,
        "Location": location,
        "RegistrationEnabled": True,
        "RegistrationsLimit": None,
        "PendingRegistrationsCount": pending,
        "ConfirmedRegistrationsCount": confirmed,
        "CheckedInAttendeesNumber": checked_in,
        "Tags": [tag],
        "Id": id,
        "Url": f"http://api.wildapricot.org/v2/accounts/42353/Events/{id}",
        "Name": name,
        "Details": None,
    }


SEED_EVENTS = {
    "Events": [
        _event(
            11769,
            "Annual General Meeting",
            "2015-09-10T20:00:00-04:00",
            "Downtown Sheraton",
            "agm",
            (5, 4, 6),
        ),
        _event(11770, "Spring gala", "2015-04-05T20:00:00-03:00", "Trump Tower", "social", (0, 1, 0)),
    ]
}


def _same(ours: Any, theirs: Any, path: str = "") -> None:
    """Element by element: name, namespace, prefix, attributes, text, children, in order."""
    here = f"{path}/{theirs.tag}"
    assert (ours.tag, ours.prefix) == (theirs.tag, theirs.prefix), here
    assert dict(ours.attrib) == dict(theirs.attrib), here
    assert ours.nsmap == theirs.nsmap, here
    assert (ours.text or "").strip() == (theirs.text or "").strip(), here
    assert len(ours) == len(theirs), here
    for mine, reference in zip(ours, theirs, strict=True):
        _same(mine, reference, here)


def test_the_seed_sample_element_by_element() -> None:
    ours = etree.fromstring(render_response(SEED_EVENTS, type_name="EventsListResult"))
    _same(ours, etree.fromstring(SEED_XML.encode()))


def test_the_seed_sample_in_detail() -> None:
    root = etree.fromstring(render_response(SEED_EVENTS, type_name="EventsListResult"))
    assert root.tag == f"{{{API_NAMESPACE}}}ApiResponse"
    assert root.get(f"{{{INSTANCE_NAMESPACE}}}type") == "d1p1:EventsListResult"
    assert root.nsmap == {None: API_NAMESPACE, "i": INSTANCE_NAMESPACE, "d1p1": EVENTS_NAMESPACE}
    (events,) = root
    first = events[0]
    names = [etree.QName(child).localname for child in first]
    assert names == [
        "Id", "Url", "Name", "CheckedInAttendeesNumber", "ConfirmedRegistrationsCount", "Details",
        "EndDate", "Location", "PendingRegistrationsCount", "RegistrationEnabled", "RegistrationsLimit",
        "StartDate", "Tags",
    ]  # fmt: skip
    assert [etree.QName(child).namespace for child in first][:4] == [API_NAMESPACE] * 3 + [EVENTS_NAMESPACE]
    start = first.find(f"{{{EVENTS_NAMESPACE}}}StartDate")
    assert start.nsmap["d4p1"] == SYSTEM_NAMESPACE
    assert start.findtext(f"{{{SYSTEM_NAMESPACE}}}DateTime") == "2015-09-11T00:00:00Z"
    assert start.findtext(f"{{{SYSTEM_NAMESPACE}}}OffsetMinutes") == "-240"
    assert first.find(f"{{{EVENTS_NAMESPACE}}}RegistrationsLimit").get(NIL) == "true"
    tags = first.find(f"{{{EVENTS_NAMESPACE}}}Tags")
    assert [(child.tag, child.text) for child in tags] == [(f"{{{ARRAYS_NAMESPACE}}}string", "agm")]


def test_no_xml_declaration_and_utf8() -> None:
    document = render_response({"Name": "Größe 😀"}, type_name="Event")
    assert document.startswith(b"<ApiResponse ")
    assert "Größe 😀".encode() in document


def test_dates_are_recognised_by_field_name_only() -> None:
    moment = "2017-07-05T10:00:00+05:30"
    event = {
        "StartDate": moment,
        "EndDate": datetime(2017, 7, 5, 23, 30, tzinfo=timezone(timedelta(hours=-3))),
        "RegistrationDate": "2017-07-05T10:00:00",  # local time without offset: plain text
        "Name": moment,  # looks like a date, is a name
        "Location": "2017-07-05T10:00:00Z",
    }
    root = etree.fromstring(render_response(event, type_name="Event"))
    start = root.find(f"{{{EVENTS_NAMESPACE}}}StartDate")
    assert start.findtext(f"{{{SYSTEM_NAMESPACE}}}DateTime") == "2017-07-05T04:30:00Z"
    assert start.findtext(f"{{{SYSTEM_NAMESPACE}}}OffsetMinutes") == "330"
    assert start.nsmap["d2p1"] == SYSTEM_NAMESPACE  # the prefix follows the depth, as .NET's does
    end = root.find(f"{{{EVENTS_NAMESPACE}}}EndDate")
    assert end.findtext(f"{{{SYSTEM_NAMESPACE}}}DateTime") == "2017-07-06T02:30:00Z"
    assert end.findtext(f"{{{SYSTEM_NAMESPACE}}}OffsetMinutes") == "-180"
    assert root.findtext(f"{{{EVENTS_NAMESPACE}}}RegistrationDate") == "2017-07-05T10:00:00"
    assert root.findtext(f"{{{EVENTS_NAMESPACE}}}Name") == moment  # no Url: not a resource, model namespace
    assert root.findtext(f"{{{EVENTS_NAMESPACE}}}Location") == "2017-07-05T10:00:00Z"


def test_scalars_nested_objects_and_lists() -> None:
    value = {
        "Id": 7,
        "Url": "https://x/Events/7",
        "Name": "n",
        "Flag": False,
        "Ratio": 0.5,
        "Price": Decimal("12.50"),
        "Big": 2**40,
        "Details": {
            "TimeZone": {"ZoneId": "UTC", "Name": "UTC", "UtcOffset": 0},
            "Organizer": {"Id": 3, "Url": "https://x/contacts/3"},
            "AvailableForLevels": [],
        },
        "Sessions": [{"Id": 1, "Title": "a", "StartDate": "2017-07-06T10:00:00+03:00"}],
        "Things": [{"A": 1}],
        "Mixed": [1, "a", None, True, [2]],
    }
    root = etree.fromstring(render_response(value, type_name="Event"))
    m = f"{{{EVENTS_NAMESPACE}}}"
    a = f"{{{ARRAYS_NAMESPACE}}}"
    assert [child.tag for child in root][:3] == [f"{{{API_NAMESPACE}}}{n}" for n in ("Id", "Url", "Name")]
    assert root.findtext(f"{m}Flag") == "false"
    assert root.findtext(f"{m}Ratio") == "0.5"
    assert root.findtext(f"{m}Price") == "12.50"
    assert root.findtext(f"{m}Big") == str(2**40)
    zone = root.find(f"{m}Details/{m}TimeZone")
    assert [child.tag for child in zone] == [f"{m}Name", f"{m}UtcOffset", f"{m}ZoneId"]  # not a resource
    organizer = root.find(f"{m}Details/{m}Organizer")
    assert [child.tag for child in organizer] == [f"{{{API_NAMESPACE}}}Id", f"{{{API_NAMESPACE}}}Url"]
    levels = root.find(f"{m}Details/{m}AvailableForLevels")
    assert len(levels) == 0 and levels.get(NIL) is None
    (session,) = root.find(f"{m}Sessions")
    assert session.tag == f"{m}EventSession"
    assert session.find(f"{m}StartDate").findtext(f"{{{SYSTEM_NAMESPACE}}}OffsetMinutes") == "180"
    assert [child.tag for child in root.find(f"{m}Things")] == [f"{m}Thing"]
    mixed = root.find(f"{m}Mixed")
    assert [child.tag for child in mixed] == [
        f"{a}int", f"{a}string", f"{a}anyType", f"{a}boolean", f"{a}ArrayOfanyType"
    ]  # fmt: skip
    assert mixed[2].get(NIL) == "true"
    assert [child.text for child in mixed[4]] == ["2"]


def test_root_lists_and_scalars() -> None:
    tags = etree.fromstring(
        render_response(["agm", "social"], type_name="ArrayOfstring", namespace=ARRAYS_NAMESPACE)
    )
    assert tags.get(f"{{{INSTANCE_NAMESPACE}}}type") == "d1p1:ArrayOfstring"
    assert [(child.tag, child.text) for child in tags] == [
        (f"{{{ARRAYS_NAMESPACE}}}string", "agm"),
        (f"{{{ARRAYS_NAMESPACE}}}string", "social"),
    ]
    new_id = etree.fromstring(render_response(11769, type_name="int", namespace=SCHEMA_NAMESPACE))
    assert (new_id.text, new_id.get(f"{{{INSTANCE_NAMESPACE}}}type")) == ("11769", "d1p1:int")
    assert new_id.nsmap["d1p1"] == SCHEMA_NAMESPACE
    registrations = etree.fromstring(
        render_response([{"Id": 1, "Url": "u"}], type_name="ArrayOfEventRegistration")
    )
    assert [child.tag for child in registrations] == [f"{{{EVENTS_NAMESPACE}}}EventRegistration"]
    nothing = etree.fromstring(render_response(None, type_name="Event"))
    assert nothing.get(NIL) == "true"


def test_hostile_text_stays_text() -> None:
    hostile = "<a>&amp;]]><![CDATA[x]]>\r\n\t\x00\x1f\ud800\U0001f600\ufffe"
    document = render_response({"Name": hostile, hostile: hostile}, type_name="Event")
    root = etree.fromstring(document)
    ElementTree.fromstring(document)  # expat agrees it is well-formed
    assert root.findtext(f"{{{EVENTS_NAMESPACE}}}Name") == xml_text(hostile)
    assert xml_text(hostile) == "<a>&amp;]]><![CDATA[x]]>\r\n\t\ufffd\ufffd\ufffd\U0001f600\ufffd"
    names = [decode_name(etree.QName(child).localname) for child in root]
    assert names == [hostile, "Name"]  # ordinal order: "<" sorts before "N"
    assert root[0].text == xml_text(hostile)


def test_names_are_encoded_reversibly() -> None:
    for name in ["Name", "a b", "_x0041_", "1st", "-x", ".x", "x-1.2", "", "é", "😀", "<&>", "_x", "xml"]:
        encoded = encode_name(name)
        etree.QName(EVENTS_NAMESPACE, encoded)  # a valid XML name
        assert decode_name(encoded) == (name or "\x00")
    assert encode_name("RegistrationsLimit") == "RegistrationsLimit"
    assert encode_name("a b") == "a_x0020_b"


# ------------------------------------------------------------------------------------------------
# Any JSON-able value: well-formed, and every text and name comes back

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
# "" and "\x00" share the name _x0000_ (an empty key has no name of its own): keep one of them.
KEYS = ANY_TEXT.filter(lambda key: key not in DATE_FIELDS and key != "\x00")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | ANY_TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=20,
)


def _check(element: Any, value: object) -> None:
    if value is None:
        assert element.get(NIL) == "true" and len(element) == 0
    elif isinstance(value, bool):
        assert element.text == ("true" if value else "false")
    elif isinstance(value, int):
        assert int(element.text) == value
    elif isinstance(value, float):
        assert float(element.text) == value
    elif isinstance(value, str):
        assert (element.text or "") == xml_text(value)
    elif isinstance(value, list):
        assert len(element) == len(value)
        for child, entry in zip(element, value, strict=True):
            _check(child, entry)
    else:
        assert isinstance(value, Mapping)
        children = {decode_name(etree.QName(child).localname): child for child in element}
        assert set(children) == {key or "\x00" for key in value}
        for key, entry in value.items():
            _check(children[key or "\x00"], entry)


@given(json_values)
@settings(max_examples=300, deadline=None)
def test_any_json_value_renders_well_formed_and_round_trips(value: object) -> None:
    document = render_response(value, type_name="Anything")
    ElementTree.fromstring(document)  # well-formed for expat too
    root = etree.fromstring(document)
    if isinstance(value, list):
        assert len(root) == len(value)
        for child, entry in zip(root, value, strict=True):
            _check(child, entry)
    else:
        _check(root, value)
