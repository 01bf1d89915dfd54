"""POST /campaignevents/v0/event_registration: every status and error key, in the reference's order.

Rows ``#N`` are the Peer A transcript (MW 1.43 + CampaignEvents REL1_43); its bodies get the
required ``wikis`` added (``registration_body`` does it).
"""

from __future__ import annotations

from typing import Any

import pytest

from domain import commands
from tests.api.helpers import (
    ALREADY_REGISTERED,
    BAD_START_TIME,
    BAD_TITLE,
    BASE,
    ENABLE_DENIED,
    GET_ABBREVIATION_TIMEZONE,
    GET_CREATED,
    GET_IN_PERSON,
    GET_INTEGER_START,
    GET_ISO_START,
    GET_OFFSET_TIMEZONE,
    GET_START_IS_END,
    INVALID_CHAT_URL,
    INVALID_MEETING_URL,
    INVALID_TIMEZONE,
    INVALID_TRACKING_TOOL,
    LOCATION_BASE,
    MEETING_URL_NOT_ONLINE,
    MISSING_EVENT_PAGE,
    NAMESPACE_NOT_ALLOWED,
    NO_PARTICIPATION_OPTIONS,
    ONLINE_MEETING_YES,
    START_AFTER_END,
    START_PAST,
    TOKEN_INVALID,
    TOKEN_MISSING,
    TOKEN_NO_SESSION,
    People,
    assert_json,
    assert_text,
    body_error,
    create,
    error,
    missing,
    observed_details,
    raw,
    url,
)
from tests.conftest import registration_body


@pytest.fixture
def admin(api: Any, people: People) -> Any:
    """Admin with a cookie session, as in the transcript (the client adds the CSRF token)."""
    return api(people.admin, session=True)


# --- success ---------------------------------------------------------------------------------------
def test_enable_registration_returns_201_id_and_absolute_location(admin: Any, api: Any) -> None:
    resp = admin.post(BASE, registration_body())  # 10
    assert_text(resp, 201, '{"id":1}')
    assert resp.headers["Location"] == f"{LOCATION_BASE}/1"
    assert_json(api().get(url(1)), 200, observed_details(GET_CREATED, hide_urls=True))


def test_ids_are_allocated_in_order_and_bearer_creates_too(api: Any, people: People) -> None:
    assert create(api(people.admin, session=True), "Event:A") == 1
    resp = api(people.alice).post(BASE, registration_body("Event:B"))
    assert_text(resp, 201, '{"id":2}')
    assert resp.headers["Location"] == f"{LOCATION_BASE}/2"


def test_creator_sees_the_created_registration_in_full(admin: Any) -> None:
    create(admin)
    assert_json(admin.get(url(1)), 200, observed_details(GET_CREATED))


def test_in_person_registration_without_urls(api: Any, people: People) -> None:
    alice = api(people.alice, session=True)
    body = registration_body(
        "Event:PeerTest T19",
        timezone="UTC",
        start_time="20310101000000",
        end_time="20310102000000",
        online_meeting=False,
        inperson_meeting=True,
        meeting_url=...,
        chat_url=...,
        meeting_country="Italy",
        meeting_address="Via Roma 1",
    )
    assert_text(alice.post(BASE, body), 201, '{"id":1}')  # 47
    assert_json(api().get(url(1)), 200, observed_details(GET_IN_PERSON, id=1))  # 48: null is public


def test_json_null_for_an_optional_field_means_not_given(admin: Any) -> None:
    create(admin, chat_url=None, meeting_url=None, tracking_tool_id=None, meeting_address=None)
    got = admin.get(url(1)).get_json()
    assert (got["chat_url"], got["meeting_url"], got["tracking_tools"]) == (None, None, [])


@pytest.mark.parametrize(
    ("given", "page", "name"),
    [
        ("event:peerTest_one", "Event:PeerTest one", "PeerTest one"),
        ("  EVENT : foo__bar ", "Event:Foo bar", "Foo bar"),
        (":Event:X", "Event:X", "X"),
    ],
)
def test_event_page_is_normalised(admin: Any, given: str, page: str, name: str) -> None:
    create(admin, given)
    got = admin.get(url(1)).get_json()
    assert (got["event_page"], got["name"], got["event_page_wiki"]) == (page, name, "local")


def test_one_registration_per_normalised_page(admin: Any) -> None:
    create(admin, "Event:Foo bar")
    assert_text(admin.post(BASE, registration_body("event:foo_bar")), 400, ALREADY_REGISTERED)


def test_event_data_is_checked_before_the_page_is_free(admin: Any) -> None:
    create(admin)
    body = registration_body(start_time="20300102100000", end_time="20300101100000")
    assert_text(admin.post(BASE, body), 400, START_AFTER_END)


def test_enable_again_on_the_same_page(admin: Any) -> None:
    create(admin)
    assert_text(admin.post(BASE, registration_body()), 400, ALREADY_REGISTERED)  # 11


# --- CSRF ------------------------------------------------------------------------------------------
def test_session_without_token(admin: Any) -> None:
    resp = raw(admin, "POST", BASE, json=registration_body("Event:PeerTest Three"))  # 14
    assert_text(resp, 403, TOKEN_MISSING)


@pytest.mark.parametrize("token", ["", None])
def test_session_with_empty_or_null_token_is_missing(admin: Any, token: Any) -> None:
    resp = raw(admin, "POST", BASE, json=registration_body("Event:X", token=token))
    assert_text(resp, 403, TOKEN_MISSING)


def test_session_with_wrong_token(admin: Any) -> None:
    resp = admin.post(BASE, registration_body("Event:PeerTest T1", token="deadbeef+\\"))  # 15
    assert_text(resp, 403, TOKEN_INVALID)


def test_anonymous_with_the_anonymous_token(api: Any) -> None:
    resp = api().post(BASE, registration_body("Event:PeerTest T2", token="+\\"))  # 16
    assert_text(resp, 403, TOKEN_NO_SESSION)


def test_anonymous_without_token(api: Any) -> None:
    resp = api().post(BASE, registration_body("Event:PeerTest Three"))  # 17
    assert_text(resp, 403, TOKEN_MISSING)


def test_nothing_is_written_when_the_token_fails(admin: Any, api: Any) -> None:
    admin.post(BASE, registration_body(token="deadbeef+\\"))
    assert_json(
        api().get(url(1)),
        404,
        error("campaignevents-rest-event-not-found", "There is no event with this ID.", 404),
    )
    assert create(admin) == 1


def test_body_validation_comes_before_the_token_check(admin: Any, api: Any) -> None:
    resp = admin.post(BASE, registration_body(start_time="notatime", token="deadbeef+\\"))
    assert_text(resp, 400, BAD_START_TIME)
    assert_text(api().post(BASE, registration_body(event_page=...)), 400, MISSING_EVENT_PAGE)


def test_token_check_comes_before_the_permission_check(api: Any, people: People) -> None:
    carol = api(people.carol, session=True)
    assert_text(carol.post(BASE, registration_body(token="nope+\\")), 403, TOKEN_INVALID)
    assert_text(raw(carol, "POST", BASE, json=registration_body()), 403, TOKEN_MISSING)


# --- body validation ---------------------------------------------------------------------------------
@pytest.mark.parametrize("field", ["event_page", "timezone", "start_time", "end_time", "wikis"])
def test_missing_required_field(admin: Any, field: str) -> None:
    resp = admin.post(BASE, registration_body("Event:PeerTest Three", **{field: ...}))  # 18-21
    assert_json(resp, 400, missing(field))


@pytest.mark.parametrize("field", ["event_page", "timezone", "start_time", "end_time", "wikis"])
def test_null_required_field_is_missing(admin: Any, field: str) -> None:
    assert_json(admin.post(BASE, registration_body(**{field: None})), 400, missing(field))


def test_empty_object_reports_event_page_first(admin: Any) -> None:
    assert_text(admin.post(BASE, {}), 400, MISSING_EVENT_PAGE)  # 22


def test_first_failing_field_in_declaration_order(admin: Any) -> None:
    body = registration_body(timezone=..., start_time="notatime", online_meeting="yes")
    assert_json(admin.post(BASE, body), 400, missing("timezone"))


def test_iso_8601_start_time_is_normalised(admin: Any, api: Any) -> None:
    create(admin, "Event:PeerTest T3", start_time="2030-01-01T10:00:00Z")  # 23
    assert_json(api().get(url(1)), 200, observed_details(GET_ISO_START, id=1, hide_urls=True))  # 145


def test_garbage_start_time(admin: Any) -> None:
    resp = admin.post(BASE, registration_body("Event:PeerTest T4", start_time="notatime"))  # 24
    assert_text(resp, 400, BAD_START_TIME)


def test_integer_start_time_is_normalised(admin: Any, api: Any) -> None:
    create(admin, "Event:PeerTest T5", start_time=20300101100000)  # 25
    assert_json(api().get(url(1)), 200, observed_details(GET_INTEGER_START, id=1, hide_urls=True))  # 146


def test_end_time_garbage(admin: Any) -> None:
    resp = admin.post(BASE, registration_body(end_time="2030-13-45"))
    message = 'Invalid value "2030-13-45" for timestamp parameter "end_time".'
    assert_json(resp, 400, body_error("end_time", "2030-13-45", "badtimestamp", message))


def test_invalid_title(admin: Any) -> None:
    assert_text(admin.post(BASE, registration_body("Event:<bad>")), 400, BAD_TITLE)  # 34


def test_online_meeting_yes_string(admin: Any) -> None:
    body = registration_body("Event:PeerTest T18", online_meeting="yes")
    assert_text(admin.post(BASE, body), 400, ONLINE_MEETING_YES)  # 41


def test_boolean_given_as_integer(admin: Any) -> None:
    resp = admin.post(BASE, registration_body(inperson_meeting=0))
    message = 'Invalid value "0" for boolean parameter "inperson_meeting". Got a integer value instead.'
    assert_json(resp, 400, body_error("inperson_meeting", 0, "badbool-type", message))


def test_extraneous_body_fields_envelope(admin: Any) -> None:
    resp = admin.post(BASE, registration_body(meeting_country_code="IT", types=["meetup"]))
    expected = (
        '{"error":"parameter-validation-failed","failureCode":"extraneous-body-fields","name":'
        '"meeting_country_code","failureData":["meeting_country_code","types"],"errorKey":'
        '"rest-extraneous-body-fields","messageTranslations":{"en":"Extraneous fields found in request '
        'body: meeting_country_code, types"},"httpCode":400,"httpReason":"Bad Request"}'
    )
    assert_text(resp, 400, expected)


def test_parameter_errors_come_before_extraneous_fields(admin: Any) -> None:
    resp = admin.post(BASE, registration_body(topics=["x"], event_page=...))
    assert_text(resp, 400, MISSING_EVENT_PAGE)


# --- wikis -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ([], []),
        (["enwiki"], ["enwiki"]),
        (["frwiki", "enwiki", "frwiki"], ["frwiki", "enwiki"]),
        (["*"], ["*"]),
        (["local", "enwiki", "frwiki"], ["*"]),
        (["frwiki", "enwiki", "local"], ["*"]),
    ],
)
def test_wikis_are_stored_and_read_back(admin: Any, given: list[str], stored: list[str]) -> None:
    create(admin, wikis=given)
    assert admin.get(url(1)).get_json()["wikis"] == stored


def test_unknown_wiki_is_a_badvalue(admin: Any) -> None:
    resp = admin.post(BASE, registration_body(wikis=["enwiki", "nosuchwiki"]))
    message = 'Unrecognized value for parameter "wikis": nosuchwiki.'
    assert_json(resp, 400, body_error("wikis", "nosuchwiki", "badvalue", message, []))


def test_more_than_100_wikis_is_toomanyvalues(admin: Any) -> None:
    wikis = [f"w{i}" for i in range(101)]
    resp = admin.post(BASE, registration_body(wikis=wikis))
    got = resp.get_json()
    assert resp.status_code == 400
    assert (got["error"], got["name"], got["failureCode"], got["errorKey"]) == (
        "parameter-validation-failed",
        "wikis",
        "toomanyvalues",
        "rest-body-validation-error",
    )
    assert got["value"] == wikis
    assert got["failureData"] == {"parameter": "wikis", "limit": 100, "lowlimit": 100, "highlimit": 100}
    expected = 'Invalid request body: Too many values supplied for parameter "wikis". The limit is 100.'
    assert got["messageTranslations"] == {"en": expected}


def test_exactly_100_wikis_is_within_the_limit(admin: Any) -> None:
    resp = admin.post(BASE, registration_body(wikis=["enwiki"] * 100))
    assert resp.status_code == 201, resp.get_json()


# --- domain validation (first error, in the reference's order) --------------------------------------
def test_end_before_start(admin: Any) -> None:
    body = registration_body("Event:PeerTest T6", start_time="20300102100000", end_time="20300101100000")
    assert_text(admin.post(BASE, body), 400, START_AFTER_END)  # 26


def test_start_equal_to_end_is_accepted(admin: Any, api: Any) -> None:
    create(admin, "Event:PeerTest T7", end_time="20300101100000")  # 27
    assert_json(api().get(url(1)), 200, observed_details(GET_START_IS_END, id=1, hide_urls=True))  # 147


def test_start_in_the_past(admin: Any) -> None:
    body = registration_body("Event:PeerTest T8", start_time="20200101100000", end_time="20200102100000")
    assert_text(admin.post(BASE, body), 400, START_PAST)  # 28


def test_past_is_decided_in_utc(admin: Any) -> None:
    # The clock reads 2026-11-22 12:00 UTC; Rome is UTC+1 in November.
    past = registration_body(start_time="20261122123000", end_time="20261122180000")
    assert_text(admin.post(BASE, past), 400, START_PAST)  # 11:30 UTC
    future = registration_body(start_time="20261122133000", end_time="20261122180000")
    assert admin.post(BASE, future).status_code == 201  # 12:30 UTC
    kiritimati = registration_body("Event:B", timezone="+14:00", start_time="20261123013000")
    assert_text(admin.post(BASE, kiritimati), 400, START_PAST)  # 11:30 UTC


@pytest.mark.parametrize("timezone", ["Mars/Olympus_Mons", "+99:60", "+05:3", "05:30", "+100:00", ""])
def test_invalid_timezone(admin: Any, timezone: str) -> None:
    resp = admin.post(BASE, registration_body("Event:PeerTest T9", timezone=timezone))  # 29
    if timezone == "":
        assert_json(
            resp, 400, body_error("timezone", "", "missingparam", 'The "timezone" parameter must be set.')
        )
    else:
        assert_text(resp, 400, INVALID_TIMEZONE)


def test_timezone_checked_before_times(admin: Any) -> None:
    body = registration_body(timezone="Mars/Olympus_Mons", start_time="20200101000000")
    assert_text(admin.post(BASE, body), 400, INVALID_TIMEZONE)


def test_offset_timezone_stored_verbatim(admin: Any, api: Any) -> None:
    create(admin, "Event:PeerTest T10", timezone="+05:30")  # 30
    assert_json(api().get(url(1)), 200, observed_details(GET_OFFSET_TIMEZONE, id=1, hide_urls=True))  # 148


def test_abbreviation_timezone_stored_verbatim(admin: Any, api: Any) -> None:
    create(admin, "Event:PeerTest T11", timezone="CEST")  # 31
    assert_json(api().get(url(1)), 200, observed_details(GET_ABBREVIATION_TIMEZONE, id=1, hide_urls=True))


def test_page_not_in_event_namespace(admin: Any) -> None:
    resp = admin.post(BASE, registration_body("PeerTest Not an event page"))  # 32
    assert_text(resp, 400, NAMESPACE_NOT_ALLOWED)
    assert_text(admin.post(BASE, registration_body("Event talk:X")), 400, NAMESPACE_NOT_ALLOWED)


def test_page_checked_before_timezone(admin: Any) -> None:
    body = registration_body("Talk:X", timezone="Mars/Olympus_Mons")
    assert_text(admin.post(BASE, body), 400, NAMESPACE_NOT_ALLOWED)


def test_neither_online_nor_in_person(admin: Any) -> None:
    body = registration_body("Event:PeerTest T12", online_meeting=False)
    assert_text(admin.post(BASE, body), 400, NO_PARTICIPATION_OPTIONS)  # 35
    body = registration_body(online_meeting=..., inperson_meeting=...)
    assert_text(admin.post(BASE, body), 400, NO_PARTICIPATION_OPTIONS)


def test_bad_meeting_url(admin: Any) -> None:
    body = registration_body("Event:PeerTest T13", meeting_url="not a url")
    assert_text(admin.post(BASE, body), 400, INVALID_MEETING_URL)  # 36


def test_meeting_url_without_online(admin: Any) -> None:
    body = registration_body("Event:PeerTest T14", online_meeting=False, inperson_meeting=True)
    assert_text(admin.post(BASE, body), 400, MEETING_URL_NOT_ONLINE)  # 37


def test_bad_chat_url(admin: Any) -> None:
    body = registration_body("Event:PeerTest T15", chat_url="ftp://x")
    assert_text(admin.post(BASE, body), 400, INVALID_CHAT_URL)  # 38


def test_chat_url_checked_after_meeting_information(admin: Any) -> None:
    body = registration_body(chat_url="ftp://x", meeting_url="not a url")
    assert_text(admin.post(BASE, body), 400, INVALID_MEETING_URL)


def test_unknown_tracking_tool(admin: Any) -> None:
    body = registration_body("Event:PeerTest T16", tracking_tool_id="nosuchtool", tracking_tool_event_id="x")
    assert_text(admin.post(BASE, body), 400, INVALID_TRACKING_TOOL)  # 39


def test_tracking_tool_without_event_id(admin: Any) -> None:
    resp = admin.post(BASE, registration_body(tracking_tool_id="nosuchtool"))
    message = "Provide the identifier of the event on the given tracking tool."
    assert_json(resp, 400, error("campaignevents-error-trackingtool-without-eventid", message, 400))


def test_tracking_tool_event_id_without_tool(admin: Any) -> None:
    resp = admin.post(BASE, registration_body(tracking_tool_event_id="x"))
    message = "Provide the identifier of the tracking tool"
    assert_json(resp, 400, error("campaignevents-error-trackingtool-eventid-without-toolid", message, 400))


def test_in_person_details_on_an_online_event(admin: Any) -> None:
    resp = admin.post(BASE, registration_body(meeting_address="Via Roma 1"))
    message = "The meeting country and address must not be specified if the event is not in-person."
    assert_json(resp, 400, error("campaignevents-error-countryoraddress-not-in-person", message, 400))


# --- permissions -------------------------------------------------------------------------------------
def test_blocked_user_cannot_enable(api: Any, people: People, services: Any) -> None:
    dave = api(people.dave, session=True)
    services.app.block_user(commands.BlockUser("Dave"))
    assert_text(dave.post(BASE, registration_body("Event:PeerTest Dave")), 403, ENABLE_DENIED)  # 45
    assert_text(api(people.dave).post(BASE, registration_body("Event:PeerTest Dave")), 403, ENABLE_DENIED)


def test_user_without_the_right_cannot_enable(api: Any, people: People) -> None:
    assert_text(api(people.carol).post(BASE, registration_body()), 403, ENABLE_DENIED)
    assert_text(api(people.carol, session=True).post(BASE, registration_body()), 403, ENABLE_DENIED)


def test_permission_is_checked_before_the_event_data(api: Any, people: People) -> None:
    body = registration_body(start_time="20300102100000", end_time="20300101100000")
    assert_text(api(people.carol).post(BASE, body), 403, ENABLE_DENIED)
