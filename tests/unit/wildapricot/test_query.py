"""Wild Apricot's $filter/$sort/paging: parsing, errors, SQL over a real SQLite table, and SQL == the
in-memory evaluator for random expressions over random events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.wildapricot.query import (
    MAX_EVENT_ID,
    And,
    BoolField,
    BoolIs,
    Contains,
    DateField,
    DateIs,
    EventFacts,
    FilterColumns,
    FilterError,
    IdIn,
    NameIs,
    Op,
    Or,
    Paging,
    PagingError,
    QueryTooLongError,
    Sort,
    SortError,
    SortKey,
    TagColumns,
    TagsIn,
    TextField,
    check_query_length,
    filter_condition,
    matches,
    name_key,
    parse_filter,
    parse_paging,
    parse_sort,
    tag_key,
    text_index,
    to_filter_text,
)
from api.wildapricot.query import Filter as FilterNode

D = date(2015, 1, 15)
START = DateField.START_DATE
END = DateField.END_DATE
UPCOMING = BoolField.IS_UPCOMING
ENABLED = BoolField.REGISTRATION_ENABLED

# ------------------------------------------------------------------------------------------------
# Every operator of every field


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("ID in [1,2]", IdIn((1, 2))),
        ("ID in [ 7 ]", IdIn((7,))),
        ("ID in []", IdIn(())),
        ("Name eq 'Annual General Meeting'", NameIs(Op.EQ, "Annual General Meeting")),
        ("Name ne 'Spring gala'", NameIs(Op.NE, "Spring gala")),
        ("Name eq Annual", NameIs(Op.EQ, "Annual")),
        ("substringof('Name', 'Annual')", Contains(TextField.NAME, "Annual")),
        ("substringof('Name', 'training') eq true", Contains(TextField.NAME, "training")),
        ("substringof('Name', 'training') eq false", Contains(TextField.NAME, "training", negated=True)),
        ("substringof('Name', 'training') ne true", Contains(TextField.NAME, "training", negated=True)),
        ("substringof('Name', 'training') ne false", Contains(TextField.NAME, "training")),
        ("substringof(Name, Annual)", Contains(TextField.NAME, "Annual")),
        ("substringof('TextIndex', 'Sheraton')", Contains(TextField.TEXT_INDEX, "Sheraton")),
        ("IsUpcoming eq true", BoolIs(UPCOMING, Op.EQ, True)),
        ("IsUpcoming ne false", BoolIs(UPCOMING, Op.NE, False)),
        ("Tags in [social, training]", TagsIn(("social", "training"))),
        ("Tags in ['my tag', 'a,b', 'x]y', 'it''s']", TagsIn(("my tag", "a,b", "x]y", "it's"))),
        ("Tags in [2015, true]", TagsIn(("2015", "true"))),
        ("RegistrationEnabled eq true", BoolIs(ENABLED, Op.EQ, True)),
        ("RegistrationEnabled ne true", BoolIs(ENABLED, Op.NE, True)),
        *[(f"StartDate {op.value} 2015-01-15", DateIs(START, op, D)) for op in Op],
        *[(f"EndDate {op.value} 2015-01-15", DateIs(END, op, D)) for op in Op],
    ],
)
def test_every_operator_of_every_field(text: str, tree: FilterNode) -> None:
    assert parse_filter(text) == tree


def test_the_help_pages_examples_parse() -> None:
    assert parse_filter("StartDate gt 2015-01-15 AND StartDate lt 2015-06-15") == And(
        (DateIs(START, Op.GT, D), DateIs(START, Op.LT, date(2015, 6, 15)))
    )
    assert parse_filter("RegistrationEnabled eq true AND StartDate gt 2015-01-15") == And(
        (BoolIs(ENABLED, Op.EQ, True), DateIs(START, Op.GT, D))
    )
    # Written so on the help page, stray "$filter=" included.
    assert parse_filter("substringof('Name', 'training') eq true OR $filter=Tags in [training]") == Or(
        (Contains(TextField.NAME, "training"), TagsIn(("training",)))
    )
    assert parse_filter("isUpcoming eq true") == BoolIs(UPCOMING, Op.EQ, True)  # the samples' spelling


# ------------------------------------------------------------------------------------------------
# Precedence, parentheses, quoting, case

A, B, C = (BoolIs(UPCOMING, Op.EQ, True), BoolIs(ENABLED, Op.EQ, True), IdIn((3,)))
A_TEXT, B_TEXT, C_TEXT = "IsUpcoming eq true", "RegistrationEnabled eq true", "ID in [3]"


def test_and_binds_tighter_than_or() -> None:
    assert parse_filter(f"{A_TEXT} and {B_TEXT} or {C_TEXT}") == Or((And((A, B)), C))
    assert parse_filter(f"{C_TEXT} or {A_TEXT} and {B_TEXT}") == Or((C, And((A, B))))
    assert parse_filter(f"{A_TEXT} or {B_TEXT} or {C_TEXT}") == Or((A, B, C))
    assert parse_filter(f"{A_TEXT} and {B_TEXT} and {C_TEXT}") == And((A, B, C))


def test_parentheses_group() -> None:
    assert parse_filter(f"{A_TEXT} and ({B_TEXT} or {C_TEXT})") == And((A, Or((B, C))))
    assert parse_filter(f"(({A_TEXT}))") == A
    assert parse_filter(f"({A_TEXT} or {B_TEXT}) and {C_TEXT}") == And((Or((A, B)), C))


def test_quoted_names_and_strings() -> None:
    assert parse_filter("'Name' eq 'it''s'") == NameIs(Op.EQ, "it's")
    assert parse_filter("'StartDate' ge 2015-01-15") == DateIs(START, Op.GE, D)
    assert parse_filter("Name eq ''") == NameIs(Op.EQ, "")
    assert parse_filter("Name eq '''' ") == NameIs(Op.EQ, "'")
    assert parse_filter("Name eq ' and or ( ) [ ] , ? < & '") == NameIs(Op.EQ, " and or ( ) [ ] , ? < & ")
    assert parse_filter("substringof('Name', 'O''Brien')") == Contains(TextField.NAME, "O'Brien")
    assert parse_filter("Name eq 'Größe 😀'") == NameIs(Op.EQ, "Größe 😀")


def test_names_and_keywords_are_case_insensitive() -> None:
    assert parse_filter("NAME EQ x") == NameIs(Op.EQ, "x")
    assert parse_filter("startdate GT 2015-01-15") == DateIs(START, Op.GT, D)
    assert parse_filter("SUBSTRINGOF('textindex', 'x') EQ FALSE") == Contains(TextField.TEXT_INDEX, "x", True)
    assert parse_filter("tags IN [a] Or id In [1] AnD isupcoming eq True") == Or(
        (TagsIn(("a",)), And((IdIn((1,)), BoolIs(UPCOMING, Op.EQ, True))))
    )


def test_whitespace_is_free() -> None:
    assert parse_filter("  ( ID in[1 ,2] )\tand\nName eq'x'  ") == And((IdIn((1, 2)), NameIs(Op.EQ, "x")))


# ------------------------------------------------------------------------------------------------
# Errors: position, what was expected, what was found, and the envelope

CONDITION_STARTS = ("'('", "a field name", "a quoted string", "substringof")
BAD_STRING = "a quoted string that is not closed or holds a control character"
AT_END = "the end of the expression"
FIELDS = ("ID", "Name", "IsUpcoming", "Tags", "StartDate", "EndDate", "RegistrationEnabled", "TextIndex")


@pytest.mark.parametrize(
    ("text", "position", "expected", "found"),
    [
        ("", 0, CONDITION_STARTS, "the end of the expression"),
        ("Name eq", 7, ("a value",), "the end of the expression"),
        ("(Name eq x", 10, ("')'", "AND", "OR"), "the end of the expression"),
        ("Name eq x)", 9, ("AND", "OR", "the end of the expression"), "')'"),
        ("Name eq x y", 10, ("AND", "OR", "the end of the expression"), "'y'"),
        ("Name eq x and", 13, CONDITION_STARTS, "the end of the expression"),
        ("StartDate gt2015-01-01", 10, ("an operator (eq, ne, gt, ge, lt, le)", "in"), "'gt2015'"),
        ("Name like 'x'", 5, ("an operator (eq, ne, gt, ge, lt, le)", "in"), "'like'"),
        ("member eq true", 0, FIELDS, "'member'"),
        ("EndtDate ge 2015-01-15", 0, FIELDS, "'EndtDate'"),
        ("'Start Date' gt 2015-01-15", 0, FIELDS, "'Start Date'"),
        ("Tags eq x", 5, ("an operator Tags supports (in)",), "'eq'"),
        ("ID eq 1", 3, ("an operator ID supports (in)",), "'eq'"),
        ("Name gt 'x'", 5, ("an operator Name supports (eq, ne, substringof)",), "'gt'"),
        ("Name in [x]", 5, ("an operator Name supports (eq, ne, substringof)",), "'in'"),
        ("IsUpcoming gt true", 11, ("an operator IsUpcoming supports (eq, ne)",), "'gt'"),
        ("RegistrationEnabled le true", 20, ("an operator RegistrationEnabled supports (eq, ne)",), "'le'"),
        ("TextIndex eq 'x'", 10, ("an operator TextIndex supports (substringof)",), "'eq'"),
        ("StartDate in [x]", 10, ("an operator StartDate supports (eq, ne, gt, ge, lt, le)",), "'in'"),
        ("substringof('Tags', 'x')", 12, ("Name", "TextIndex"), "'Tags'"),
        ("substringof('Name', 'x') gt true", 25, ("eq or ne",), "'gt'"),
        ("substringof('Name', 'x') eq 1", 28, ("true or false",), "'1'"),
        ("StartDate gt true", 13, ("a date (yyyy-mm-dd)",), "'true'"),
        ("StartDate gt '2015-01-15'", 13, ("a date (yyyy-mm-dd)",), "'2015-01-15'"),
        ("StartDate gt 15-01-2015", 13, ("a date (yyyy-mm-dd)",), "'15-01-2015'"),
        ("StartDate gt 2015-01-150", 13, ("a date (yyyy-mm-dd)",), "'2015-01-150'"),
        ("EndDate eq 2015-02-30", 11, ("a valid date (yyyy-mm-dd)",), "'2015-02-30'"),
        ("EndDate eq 0000-01-01", 11, ("a valid date (yyyy-mm-dd)",), "'0000-01-01'"),
        ("IsUpcoming eq yes", 14, ("true or false",), "'yes'"),
        ("RegistrationEnabled eq 1", 23, ("true or false",), "'1'"),
        ("ID in [1, x]", 10, ("an event id (a whole number)",), "'x'"),
        ("ID in ['1']", 7, ("an event id (a whole number)",), "'1'"),
        (f"ID in [{MAX_EVENT_ID + 1}]", 7, ("an event id (a whole number)",), f"'{MAX_EVENT_ID + 1}'"),
        ("ID in [1,]", 9, ("a value",), "']'"),
        ("Tags in social", 8, ("'['",), "'social'"),
        ("Name eq 'unclosed", 8, ("a value",), BAD_STRING),
        ("Name eq 'a\x00b'", 8, ("a value",), BAD_STRING),
        ("Name eq a\x1fb", 9, ("AND", "OR", "the end of the expression"), "'\x1f'"),
        # "and" where a field belongs is a (wrong) field name: it then lacks an operator
        ("Name eq x and and", 17, ("an operator (eq, ne, gt, ge, lt, le)", "in"), AT_END),
        ("Name eq x and and eq 1", 14, FIELDS, "'and'"),
    ],
)
def test_a_bad_filter_names_position_and_expectation(
    text: str, position: int, expected: tuple[str, ...], found: str
) -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter(text)
    error = caught.value
    assert (error.position, error.expected, error.found) == (position, expected, found)


def test_a_filter_error_is_a_validation_envelope() -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter("Tags eq social")
    error = caught.value
    assert error.status == 400
    assert error.body() == {
        "code": "Validation",
        "message": "Invalid $filter at character 6: expected an operator Tags supports (in), found 'eq'.",
        "details": [
            {
                "key": "$filter",
                "value": "Tags eq social",
                "restriction": "expected an operator Tags supports (in) at character 6, found 'eq'",
            }
        ],
    }


def test_a_long_found_text_is_cut() -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter("x" * 100 + " eq 1")
    assert caught.value.found == "'" + "x" * 39 + "…'"


# ------------------------------------------------------------------------------------------------
# $sort, $top/$skip, the query length


@pytest.mark.parametrize(
    ("text", "sort"),
    [
        ("StartDate asc", Sort(SortKey.START_DATE)),
        ("StartDate desc", Sort(SortKey.START_DATE, descending=True)),
        ("StartSession asc", Sort(SortKey.START_SESSION)),
        ("ByStartDate asc", Sort(SortKey.START_DATE)),
        ("ByStartDate desc", Sort(SortKey.START_DATE, descending=True)),
        ("ByStartSession asc", Sort(SortKey.START_SESSION)),
        ("bystartdate DESC", Sort(SortKey.START_DATE, descending=True)),
        (" StartDate ", Sort(SortKey.START_DATE)),
    ],
)
def test_sort(text: str, sort: Sort) -> None:
    assert parse_sort(text) == sort


@pytest.mark.parametrize(
    ("text", "position", "expected", "found"),
    [
        ("", 0, ("StartDate", "StartSession"), "the end of the expression"),
        ("Name asc", 0, ("StartDate", "StartSession"), "'N'"),
        ("StartSession desc", 13, ("asc",), "'desc'"),
        ("ByStartSession DESC", 15, ("asc",), "'DESC'"),
        ("StartDate up", 10, ("asc", "desc", "the end of the expression"), "'u'"),
        ("StartDate asc asc", 14, ("the end of the expression",), "'asc'"),
    ],
)
def test_a_bad_sort(text: str, position: int, expected: tuple[str, ...], found: str) -> None:
    with pytest.raises(SortError) as caught:
        parse_sort(text)
    error = caught.value
    assert (error.position, error.expected, error.found) == (position, expected, found)
    assert error.status == 400
    assert error.body()["code"] == "Validation"
    assert error.details == [{"key": "$sort", "value": text, "restriction": error.details[0]["restriction"]}]


def test_paging() -> None:
    assert parse_paging(None, None) == Paging(None, 0)
    assert parse_paging("20", "40") == Paging(20, 40)
    assert parse_paging("0", "0") == Paging(0, 0)
    assert parse_paging("007", None) == Paging(7, 0)
    assert parse_paging(str(2**31 - 1), None) == Paging(2**31 - 1, 0)


@pytest.mark.parametrize("value", ["", "-1", "+1", "1.5", " 1", "x", "²", "١", str(2**31), "9" * 5000])
@pytest.mark.parametrize("parameter", ["$top", "$skip"])
def test_bad_paging(parameter: str, value: str) -> None:
    top, skip = (value, None) if parameter == "$top" else (None, value)
    with pytest.raises(PagingError) as caught:
        parse_paging(top, skip)
    error = caught.value
    assert error.status == 400
    assert error.body()["code"] == "Validation"
    assert error.details == [
        {"key": parameter, "value": value, "restriction": "a whole number from 0 to 2147483647"}
    ]


def test_the_query_length_limit() -> None:
    check_query_length("a" * 4096)
    check_query_length(b"a" * 4096)
    with pytest.raises(QueryTooLongError) as caught:
        check_query_length("a" * 4097)
    error = caught.value
    assert error.status == 404
    assert error.body() == {
        "code": "NotFound",
        "message": "HTTP Error 404.14 - Not Found: the query string is 4097 characters long, "
        "longer than the 4096 characters allowed.",
        "details": [{"key": "query", "value": 4097, "restriction": "at most 4096 characters"}],
    }


# ------------------------------------------------------------------------------------------------
# SQL on a real SQLite database

TODAY = date(2015, 6, 1)


def _schema() -> tuple[sa.MetaData, sa.Table, sa.Table, FilterColumns]:
    metadata = sa.MetaData()
    events = sa.Table(
        "wa_events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name_key", sa.Text, nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=True),
        sa.Column("registration_enabled", sa.Boolean, nullable=False),
        sa.Column("text_index", sa.Text, nullable=False),
    )
    tags = sa.Table(
        "wa_event_tags",
        metadata,
        sa.Column("event_id", sa.Integer, primary_key=True),
        sa.Column("tag_key", sa.Text, primary_key=True),
        sa.Index("wa_event_tags_by_tag", "tag_key", "event_id"),
    )
    today = sa.bindparam("today", TODAY, type_=sa.Date)
    columns = FilterColumns(
        id=events.c.id,
        name_key=events.c.name_key,
        start_date=events.c.start_date,
        end_date=events.c.end_date,
        is_upcoming=sa.func.coalesce(events.c.end_date, events.c.start_date) >= today,
        registration_enabled=events.c.registration_enabled,
        text_index=events.c.text_index,
        tags=TagColumns(event_id=tags.c.event_id, tag_key=tags.c.tag_key),
    )
    return metadata, events, tags, columns


METADATA, EVENTS, TAGS, COLUMNS = _schema()


def _facts(
    id: int,
    name: str,
    start: date,
    end: date | None = None,
    *,
    enabled: bool = True,
    tags: tuple[str, ...] = (),
    description: str = "",
    location: str = "",
) -> EventFacts:
    return {
        "id": id,
        "name": name,
        "description": description,
        "location": location,
        "start_date": start,
        "end_date": end,
        "is_upcoming": (end or start) >= TODAY,
        "registration_enabled": enabled,
        "tags": tags,
    }


def _store(connection: sa.Connection, events: list[EventFacts]) -> None:
    connection.execute(sa.delete(TAGS))
    connection.execute(sa.delete(EVENTS))
    if not events:
        return
    connection.execute(
        sa.insert(EVENTS),
        [
            {
                "id": event["id"],
                "name_key": name_key(event["name"]),
                "start_date": event["start_date"],
                "end_date": event["end_date"],
                "registration_enabled": event["registration_enabled"],
                "text_index": text_index(
                    name=event["name"],
                    description=event["description"],
                    location=event["location"],
                    start_date=event["start_date"],
                    tags=event["tags"],
                ),
            }
            for event in events
        ],
    )
    tag_rows = {(event["id"], tag_key(tag)) for event in events for tag in event["tags"]}
    if tag_rows:
        connection.execute(sa.insert(TAGS), [{"event_id": i, "tag_key": t} for i, t in sorted(tag_rows)])


def _select_ids(connection: sa.Connection, tree: FilterNode) -> set[int]:
    query = sa.select(EVENTS.c.id).where(filter_condition(tree, COLUMNS))
    return set(connection.scalars(query))


SEED_EVENTS = [
    _facts(
        11769,
        "Annual General Meeting",
        date(2015, 9, 10),
        date(2015, 9, 10),
        tags=("agm",),
        location="Downtown Sheraton",
        description="Join us at our annual general meeting",
    ),
    _facts(
        11770, "Spring gala", date(2015, 4, 5), date(2015, 4, 5), tags=("social",), location="Trump Tower"
    ),
    _facts(
        11771,
        "Volunteer training session",
        date(2015, 6, 23),
        date(2015, 6, 23),
        tags=("training",),
        location="West End Y",
    ),
    _facts(
        11772,
        "Training: 100% _safe_ / it's",
        date(2015, 1, 15),
        None,
        enabled=False,
        tags=("Training", "Social Club"),
    ),
    _facts(11773, "STRASSE fest", date(2015, 1, 14), date(2015, 1, 16), tags=()),
]


@pytest.fixture(scope="module")
def connection() -> Iterator[sa.Connection]:
    engine = sa.create_engine("sqlite://")
    METADATA.create_all(engine)
    with engine.connect() as connection:
        _store(connection, SEED_EVENTS)
        yield connection
    engine.dispose()


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("ID in [11769, 11771, 5]", {11769, 11771}),
        ("ID in []", set()),
        ("Name eq 'spring GALA'", {11770}),
        ("Name ne 'Spring gala'", {11769, 11771, 11772, 11773}),
        ("substringof('Name', 'training')", {11771, 11772}),
        ("substringof('Name', 'training') eq false", {11769, 11770, 11773}),
        ("substringof('Name', '100%')", {11772}),
        ("substringof('Name', '%')", {11772}),
        ("substringof('Name', '_safe_')", {11772}),
        ("substringof('Name', '_')", {11772}),
        ("substringof('Name', '/')", {11772}),
        ("substringof('Name', 'it''s')", {11772}),
        ("substringof('Name', 'straße')", {11773}),  # case folding: ß ~ SS
        ("substringof('Name', '')", {11769, 11770, 11771, 11772, 11773}),
        ("substringof('TextIndex', 'sheraton')", {11769}),
        ("substringof('TextIndex', 'annual general meeting')", {11769}),
        ("substringof('TextIndex', 'club')", {11772}),
        ("substringof('TextIndex', '2015-06-23')", {11771}),
        ("substringof('TextIndex', 'Tower')", {11770}),
        ("Tags in [social]", {11770}),
        ("Tags in [TRAINING, agm]", {11769, 11771, 11772}),
        ("Tags in ['social club']", {11772}),
        ("Tags in [club]", set()),
        ("Tags in []", set()),
        ("IsUpcoming eq true", {11769, 11771}),
        ("IsUpcoming ne true", {11770, 11772, 11773}),
        ("IsUpcoming eq false", {11770, 11772, 11773}),
        ("RegistrationEnabled eq false", {11772}),
        ("RegistrationEnabled ne false", {11769, 11770, 11771, 11773}),
        ("StartDate eq 2015-01-15", {11772}),
        ("StartDate ne 2015-01-15", {11769, 11770, 11771, 11773}),
        ("StartDate gt 2015-01-15", {11769, 11770, 11771}),
        ("StartDate ge 2015-01-15", {11769, 11770, 11771, 11772}),
        ("StartDate lt 2015-01-15", {11773}),
        ("StartDate le 2015-01-15", {11772, 11773}),
        ("EndDate eq 2015-01-16", {11773}),
        ("EndDate ne 2015-01-16", {11769, 11770, 11771}),  # no end date: no EndDate condition holds
        ("EndDate lt 2015-05-01", {11770, 11773}),
        ("StartDate gt 2015-01-15 AND StartDate lt 2015-06-15", {11770}),
        ("Tags in [agm] or Tags in [social] and IsUpcoming eq false", {11769, 11770}),
        ("(Tags in [agm] or Tags in [social]) and IsUpcoming eq false", {11770}),
        ("(Tags in [social] or Tags in [agm]) and IsUpcoming eq true", {11769}),
        ("Tags in [social] or (Tags in [agm] and IsUpcoming eq true)", {11769, 11770}),
        ("substringof('Name', 'training') eq true OR $filter=Tags in [agm]", {11769, 11771, 11772}),
        ("Name eq 'x'' OR 1=1 --'", set()),
    ],
)
def test_sql_returns_the_matching_rows(connection: sa.Connection, text: str, ids: set[int]) -> None:
    tree = parse_filter(text)
    assert _select_ids(connection, tree) == ids
    assert {event["id"] for event in SEED_EVENTS if matches(tree, event)} == ids


def test_sql_binds_every_value_and_uses_exists_for_tags() -> None:
    tree = parse_filter(
        "Tags in ['x'' OR 1=1'] and Name eq 'Robert''); DROP TABLE' and StartDate gt 2015-01-15"
    )
    compiled = sa.select(EVENTS.c.id).where(filter_condition(tree, COLUMNS)).compile()
    sql = str(compiled)
    assert "EXISTS (SELECT" in sql
    assert "wa_event_tags.event_id = wa_events.id" in sql
    assert "OR 1=1" not in sql and "DROP" not in sql and "2015" not in sql
    assert "robert'); drop table" in compiled.params.values()


def test_sql_uses_the_tag_index(connection: sa.Connection) -> None:
    query = sa.select(EVENTS.c.id).where(filter_condition(parse_filter("Tags in [social]"), COLUMNS))
    sql = str(query.compile(connection, compile_kwargs={"literal_binds": True}))
    plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert "USING" in details and "INDEX" in details and "wa_event_tags" in details


# ------------------------------------------------------------------------------------------------
# Property: text round trip, and SQL == the in-memory evaluator

ALPHABET = "aAbBsSß ẞ%_/'KΣσςİi.-1"
names = st.text(ALPHABET, max_size=6)
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2015, 1, 6))
tag_words = st.sampled_from(["social", "Social", "SOCIAL", "training", "agm", "my tag", "Straße", "STRASSE"])

leaves: st.SearchStrategy[FilterNode] = st.one_of(
    st.builds(IdIn, st.lists(st.integers(0, 12), max_size=3).map(tuple)),
    st.builds(TagsIn, st.lists(tag_words, max_size=3).map(tuple)),
    st.builds(NameIs, st.sampled_from([Op.EQ, Op.NE]), names),
    st.builds(Contains, st.sampled_from(list(TextField)), st.text(ALPHABET, max_size=3), st.booleans()),
    st.builds(BoolIs, st.sampled_from(list(BoolField)), st.sampled_from([Op.EQ, Op.NE]), st.booleans()),
    st.builds(DateIs, st.sampled_from(list(DateField)), st.sampled_from(list(Op)), days),
)
filters: st.SearchStrategy[FilterNode] = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda terms: And(tuple(terms))),
        st.lists(children, min_size=2, max_size=3).map(lambda terms: Or(tuple(terms))),
    ),
    max_leaves=8,
)


@st.composite
def event_lists(draw: Any) -> list[EventFacts]:
    count = draw(st.integers(0, 8))
    events = []
    for event_id in draw(st.lists(st.integers(0, 12), min_size=count, max_size=count, unique=True)):
        start = draw(days)
        end: date | None = draw(st.none() | st.dates(min_value=start, max_value=date(2015, 1, 6)))
        events.append(
            _facts(
                event_id,
                draw(names),
                start,
                end,
                enabled=draw(st.booleans()),
                tags=tuple(draw(st.lists(tag_words, max_size=3, unique=True))),
                description=draw(st.text(ALPHABET, max_size=5)),
                location=draw(st.text(ALPHABET, max_size=4)),
            )
        )
    return events


@given(filters)
@settings(max_examples=300, deadline=None)
def test_text_round_trip(tree: FilterNode) -> None:
    assert parse_filter(to_filter_text(tree)) == tree


@given(tree=filters, events=event_lists(), today=days)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_sql_agrees_with_the_in_memory_evaluator(
    tree: FilterNode, events: list[EventFacts], today: date
) -> None:
    # "Upcoming" moves with the clock: the evaluator's flag and the SQL expression use the same day.
    for event in events:
        event["is_upcoming"] = (event["end_date"] or event["start_date"]) >= today
    engine = sa.create_engine("sqlite://")
    METADATA.create_all(engine)
    try:
        with engine.connect() as connection:
            _store(connection, events)
            query = sa.select(EVENTS.c.id).where(filter_condition(tree, COLUMNS))
            in_sql = set(connection.scalars(query, {"today": today}))
    finally:
        engine.dispose()
    assert in_sql == {event["id"] for event in events if matches(tree, event)}


def test_the_day_moves_upcoming(connection: sa.Connection) -> None:
    query = sa.select(EVENTS.c.id).where(filter_condition(parse_filter("IsUpcoming eq true"), COLUMNS))
    assert set(connection.scalars(query, {"today": TODAY + timedelta(days=200)})) == set()
