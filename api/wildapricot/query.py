"""Wild Apricot's query language for event lists: ``$filter``, ``$sort``, ``$top``/``$skip`` and the
query-length limit (dialects-facts.md §1.1, §1.5; the Events help page, seed 001).

``parse_filter`` turns a ``$filter`` value into a small typed tree (frozen dataclasses below); the same
tree is translated to a SQLAlchemy Core condition by ``filter_condition`` (bound parameters over the
columns a caller names in ``FilterColumns``) and evaluated over plain dicts by ``matches`` (the
straightforward semantics, which the SQL must agree with). Everything here is pure: no Flask, no I/O.

Semantics, where the reference is silent:

* Names, tags and the text index compare **case-insensitively** (``fold_text`` on both sides; the read
  model stores the folded values, see ``name_key``, ``tag_key``, ``text_index``).
* ``StartDate``/``EndDate`` compare the event's **calendar date in its own time zone** with the given
  ``yyyy-mm-dd``; ``StartDate gt 2015-01-15`` leaves out events starting on the 15th. An event without
  an end date matches no ``EndDate`` condition.
* ``substringof('Name', 'x')`` may be followed by ``eq true``/``eq false``/``ne true``/``ne false`` (the
  help page writes ``substringof('Name', 'training') eq true``); the help page's ``… OR $filter=Tags in
  [training]`` is accepted too: a stray ``$filter=`` before a condition is ignored.
"""

from __future__ import annotations

import enum
import operator
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeAlias, TypedDict, cast

import sqlalchemy as sa
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from sqlalchemy.sql.elements import ColumnElement

from api.numbers import is_digits
from api.wildapricot import messages

# --------------------------------------------------------------------------------------------------
# The grammar

# Characters that end an unquoted word; control characters and lone surrogates are never part of a
# value (PostgreSQL refuses NUL, UTF-8 cannot encode a lone surrogate, and the text index separates
# its parts with U+001F, which therefore can never be searched for).
FILTER_GRAMMAR = r"""
?start: disjunction

?disjunction: conjunction (_OR conjunction)*
?conjunction: term (_AND term)*
?term: _FILTER_PREFIX* primary
?primary: "(" disjunction ")"
        | comparison
        | membership
        | substring

comparison: field OP value
membership: field IN "[" (item ("," item)*)? "]"
substring: SUBSTRINGOF "(" field "," text ")" (OP BOOL)?

field: NAME | STRING
?value: STRING | DATE | BOOL | NUMBER | WORD
?item: STRING | NUMBER | WORD
?text: STRING | WORD

_OR.2: /or(?![A-Za-z0-9_])/i
_AND.2: /and(?![A-Za-z0-9_])/i
IN.2: /in(?![A-Za-z0-9_])/i
SUBSTRINGOF.2: /substringof(?![A-Za-z0-9_])/i
OP.2: /(eq|ne|gt|ge|lt|le)(?![A-Za-z0-9_])/i
_FILTER_PREFIX.2: /\$filter=/i

NAME: /[A-Za-z_][A-Za-z0-9_]*/
STRING: /'([^'\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]|'')*'/
DATE.3: /[0-9]{4}-[0-9]{2}-[0-9]{2}(?![^\s,\[\]()'])/
BOOL.2: /(true|false)(?![^\s,\[\]()'])/i
NUMBER.2: /[0-9]+(?![^\s,\[\]()'])/
WORD: /[^\s,\[\]()'\x00-\x1f\x7f\ud800-\udfff]+/

%ignore /[ \t\r\n]+/
"""

SORT_GRAMMAR = r"""
start: key direction?
key: START_DATE | START_SESSION
direction: ASC | DESC

START_DATE: /(by)?startdate(?![A-Za-z0-9_])/i
START_SESSION: /(by)?startsession(?![A-Za-z0-9_])/i
ASC: /asc(?![A-Za-z0-9_])/i
DESC: /desc(?![A-Za-z0-9_])/i

%ignore /[ \t\r\n]+/
"""

_FILTER_PARSER = Lark(FILTER_GRAMMAR, parser="lalr", lexer="contextual")
_SORT_PARSER = Lark(SORT_GRAMMAR, parser="lalr", lexer="contextual")

# How an error names each terminal it expected; ``None`` = not worth mentioning.
_TERMINAL_NAMES: dict[str, str | None] = {
    "NAME": "a field name",
    "STRING": "a quoted string",
    "DATE": "a date (yyyy-mm-dd)",
    "BOOL": "true or false",
    "NUMBER": "a number",
    "WORD": "a value",
    "OP": "an operator (eq, ne, gt, ge, lt, le)",
    "IN": "in",
    "SUBSTRINGOF": "substringof",
    "_AND": "AND",
    "_OR": "OR",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "$END": "the end of the expression",
    "_FILTER_PREFIX": None,
    "START_DATE": "StartDate",
    "START_SESSION": "StartSession",
    "ASC": "asc",
    "DESC": "desc",
}

# --------------------------------------------------------------------------------------------------
# Errors


class QueryError(Exception):
    """A query parameter the reference refuses; ``body()`` is Wild Apricot's error envelope."""

    status = 400
    code = messages.CODE_VALIDATION

    def __init__(self, message: str, details: list[dict[str, object]]) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def body(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "details": self.details}


class ExpressionError(QueryError):
    """A ``$filter`` or ``$sort`` value that does not parse or means nothing.

    ``position`` is the 0-based index of the offending character in ``text`` (``len(text)`` when the
    expression ended too early); ``expected`` names what would have been accepted there, ``found``
    what was there. Messages count characters from 1.
    """

    parameter = ""
    message_key = ""
    restriction_key = ""

    def __init__(self, text: str, position: int, expected: Sequence[str], found: str) -> None:
        self.text = text
        self.position = position
        self.expected = tuple(expected)
        self.found = found
        params = {"column": position + 1, "expected": _or_list(self.expected), "found": found}
        super().__init__(
            messages.text(self.message_key, **params),
            [
                {
                    "key": self.parameter,
                    "value": text,
                    "restriction": messages.text(self.restriction_key, **params),
                }
            ],
        )


class FilterError(ExpressionError):
    parameter = "$filter"
    message_key = "filter-invalid"
    restriction_key = "filter-restriction"


class SortError(ExpressionError):
    parameter = "$sort"
    message_key = "sort-invalid"
    restriction_key = "sort-restriction"


class PagingError(QueryError):
    """``$top`` or ``$skip`` is not a whole number from 0 to ``MAX_PAGING``."""

    def __init__(self, parameter: str, value: str) -> None:
        self.parameter = parameter
        self.value = value
        super().__init__(
            messages.text("paging-invalid", value=_quoted(value), parameter=parameter, maximum=MAX_PAGING),
            [
                {
                    "key": parameter,
                    "value": value,
                    "restriction": messages.text("paging-restriction", maximum=MAX_PAGING),
                }
            ],
        )


class QueryTooLongError(QueryError):
    """The raw query string is longer than ``MAX_QUERY_LENGTH`` (the reference's 404.14)."""

    status = 404
    code = messages.CODE_NOT_FOUND

    def __init__(self, length: int) -> None:
        self.length = length
        super().__init__(
            messages.text("query-too-long", length=length, limit=MAX_QUERY_LENGTH),
            [
                {
                    "key": "query",
                    "value": length,
                    "restriction": messages.text("query-too-long-restriction", limit=MAX_QUERY_LENGTH),
                }
            ],
        )


def _quoted(text: str, limit: int = 40) -> str:
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return messages.text("found-text", text=shown)


def _or_list(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return messages.text("expected-or", head=", ".join(items[:-1]), last=items[-1])


# --------------------------------------------------------------------------------------------------
# The tree


class DateField(enum.Enum):
    START_DATE = "StartDate"
    END_DATE = "EndDate"


class BoolField(enum.Enum):
    IS_UPCOMING = "IsUpcoming"
    REGISTRATION_ENABLED = "RegistrationEnabled"


class TextField(enum.Enum):
    NAME = "Name"
    TEXT_INDEX = "TextIndex"


class Op(enum.Enum):
    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"


@dataclass(frozen=True)
class IdIn:
    """``ID in [1, 2]``"""

    ids: tuple[int, ...]


@dataclass(frozen=True)
class TagsIn:
    """``Tags in [social, 'my tag']``: the event has at least one of the tags."""

    tags: tuple[str, ...]


@dataclass(frozen=True)
class NameIs:
    """``Name eq 'x'`` (``op`` is ``EQ`` or ``NE``)."""

    op: Op
    value: str


@dataclass(frozen=True)
class Contains:
    """``substringof('Name', 'x')``; ``negated`` for a trailing ``eq false``."""

    field: TextField
    value: str
    negated: bool = False


@dataclass(frozen=True)
class BoolIs:
    """``IsUpcoming eq true`` (``op`` is ``EQ`` or ``NE``)."""

    field: BoolField
    op: Op
    value: bool


@dataclass(frozen=True)
class DateIs:
    """``StartDate gt 2015-01-15``"""

    field: DateField
    op: Op
    value: date


@dataclass(frozen=True)
class And:
    terms: tuple[Filter, ...]


@dataclass(frozen=True)
class Or:
    terms: tuple[Filter, ...]


Filter: TypeAlias = IdIn | TagsIn | NameIs | Contains | BoolIs | DateIs | And | Or

# Field name (case-folded) → (its canonical name, the operators it supports).
_EQ_NE = ("eq", "ne")
_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "id": ("ID", ("in",)),
    "name": ("Name", (*_EQ_NE, "substringof")),
    "isupcoming": ("IsUpcoming", _EQ_NE),
    "tags": ("Tags", ("in",)),
    "startdate": ("StartDate", ("eq", "ne", "gt", "ge", "lt", "le")),
    "enddate": ("EndDate", ("eq", "ne", "gt", "ge", "lt", "le")),
    "registrationenabled": ("RegistrationEnabled", _EQ_NE),
    "textindex": ("TextIndex", ("substringof",)),
}
_SEARCHABLE = tuple(field.value for field in TextField)
_ALL_FIELDS = tuple(canonical for canonical, _ in _FIELDS.values())
MAX_EVENT_ID = 2**63 - 1


# --------------------------------------------------------------------------------------------------
# Parsing


def parse_filter(text: str) -> Filter:
    """The tree of a ``$filter`` value; raises ``FilterError`` naming the position and what was expected."""
    try:
        tree = _FILTER_PARSER.parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(FilterError, _FILTER_PARSER, text, error) from None
    return _Builder(text).build(tree)


def _syntax_error(
    kind: type[ExpressionError], parser: Lark, text: str, error: UnexpectedInput
) -> ExpressionError:
    if isinstance(error, UnexpectedToken):
        token = error.token
        at_end = token.type == "$END"
        position = len(text) if at_end else _start(token)
        found = messages.text("found-end") if at_end else _quoted(str(token))
        expected: Collection[str] = error.accepts or error.expected
    elif isinstance(error, UnexpectedCharacters):
        position = cast(int, error.pos_in_stream)  # lark types it as None; it is the offset
        found = messages.text("found-bad-string") if text[position] == "'" else _quoted(text[position])
        expected = error.allowed or ()
    elif isinstance(error, UnexpectedEOF):
        position = len(text)
        found = messages.text("found-end")
        expected = error.expected
    else:  # pragma: no cover - lark raises only the three kinds above
        raise error
    return kind(text, position, _describe(_accepted_after(parser, text[:position]) or expected), found)


def _accepted_after(parser: Lark, prefix: str) -> set[str] | None:
    """Every terminal that may follow ``prefix``. The LALR parser reports what its state accepts after
    the reductions the bad token caused (after ``Name eq x)`` only the end, not AND/OR); feeding it the
    prefix alone and asking each terminal in turn gives the full set."""
    try:
        interactive = parser.parse_interactive(prefix)
        interactive.exhaust_lexer()
        accepted: set[str] = interactive.accepts()  # type: ignore[no-untyped-call]
    except UnexpectedInput:  # pragma: no cover - the prefix of a failure parsed before it
        return None
    return accepted


def _describe(terminals: Collection[str]) -> list[str]:
    names = set(terminals)
    if "WORD" in names:  # "a value" covers strings, dates, booleans and numbers
        names -= {"STRING", "DATE", "BOOL", "NUMBER"}
    described = {_TERMINAL_NAMES.get(name, name) for name in names}
    return sorted(name for name in described if name is not None)


def _start(token: Token) -> int:
    return token.start_pos if token.start_pos is not None else 0


class _Builder:
    """Checks a parse tree against the fields and their operators and builds the typed tree."""

    def __init__(self, text: str) -> None:
        self.text = text

    def fail(self, at: Token, expected: Sequence[str]) -> FilterError:
        found = str(at) if at.type == "STRING" else _quoted(str(at))
        return FilterError(self.text, _start(at), expected, found)

    def build(self, node: Tree[Token] | Token) -> Filter:
        if not isinstance(node, Tree):  # pragma: no cover - the grammar has no bare-token conditions
            raise self.fail(node, ["a condition"])
        kind = node.data
        if kind == "disjunction":
            return Or(tuple(self.build(child) for child in node.children))
        if kind == "conjunction":
            return And(tuple(self.build(child) for child in node.children))
        if kind == "comparison":
            return self.comparison(*node.children)
        if kind == "membership":
            field, _in, *items = node.children
            return self.membership(field, _token(_in), [_token(item) for item in items])
        if kind == "substring":
            keyword, field, value, *tail = node.children
            return self.substring(_token(keyword), field, _token(value), tail)
        raise AssertionError(f"unexpected rule {kind}")  # pragma: no cover

    def field(self, node: Tree[Token] | Token, operator_token: Token | None) -> tuple[str, Token]:
        """The canonical name of a field, checking that it supports the operator given."""
        name_token = _token(node.children[0]) if isinstance(node, Tree) else node
        name = _unquote(name_token).casefold()
        if name not in _FIELDS:
            raise self.fail(name_token, _ALL_FIELDS)
        canonical, operators = _FIELDS[name]
        if operator_token is None:
            return canonical, name_token
        if operator_token.type == "SUBSTRINGOF" and canonical not in _SEARCHABLE:
            raise self.fail(name_token, _SEARCHABLE)
        if str(operator_token).casefold() not in operators:
            raise self.fail(operator_token, [f"an operator {canonical} supports ({', '.join(operators)})"])
        return canonical, name_token

    def comparison(self, *children: Tree[Token] | Token) -> Filter:
        field_node, op_node, value_node = children
        op_token, value = _token(op_node), _token(value_node)
        field, _ = self.field(field_node, op_token)
        op = Op(str(op_token).casefold())
        if field == "Name":
            return NameIs(op, _unquote(value))
        if field in ("IsUpcoming", "RegistrationEnabled"):
            if value.type != "BOOL":
                raise self.fail(value, ["true or false"])
            return BoolIs(BoolField(field), op, str(value).casefold() == "true")
        if value.type != "DATE":
            raise self.fail(value, ["a date (yyyy-mm-dd)"])
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(value, ["a valid date (yyyy-mm-dd)"]) from None
        return DateIs(DateField(field), op, day)

    def membership(self, field_node: Tree[Token] | Token, in_token: Token, items: list[Token]) -> Filter:
        field, _ = self.field(field_node, in_token)
        if field == "Tags":
            return TagsIn(tuple(_unquote(item) for item in items))
        ids = []
        for item in items:
            if item.type != "NUMBER" or len(item) > 19 or int(item) > MAX_EVENT_ID:
                raise self.fail(item, ["an event id (a whole number)"])
            ids.append(int(item))
        return IdIn(tuple(ids))

    def substring(
        self, keyword: Token, field_node: Tree[Token] | Token, value: Token, tail: list[Tree[Token] | Token]
    ) -> Filter:
        field, _ = self.field(field_node, keyword)
        negated = False
        if tail and tail[0] is not None:
            op_token, bool_token = _token(tail[0]), _token(tail[1])
            op = str(op_token).casefold()
            if op not in _EQ_NE:
                raise self.fail(op_token, ["eq or ne"])
            negated = (op == "eq") != (str(bool_token).casefold() == "true")
        return Contains(TextField(field), _unquote(value), negated)


def _token(node: Tree[Token] | Token) -> Token:
    if isinstance(node, Token):
        return node
    raise AssertionError(f"expected a token, got {node!r}")  # pragma: no cover


def _unquote(token: Token) -> str:
    """The text of a token: a quoted string without its quotes, ``''`` standing for one quote."""
    if token.type != "STRING":
        return str(token)
    return str(token)[1:-1].replace("''", "'")


# --------------------------------------------------------------------------------------------------
# Writing a tree back as text (canonical form; used in logs and by the property tests)


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def to_filter_text(node: Filter) -> str:
    """A ``$filter`` value that parses back to ``node``."""
    if isinstance(node, And | Or):
        word = " AND " if isinstance(node, And) else " OR "
        return word.join(_operand(term) for term in node.terms)
    if isinstance(node, IdIn):
        return "ID in [" + ", ".join(str(i) for i in node.ids) + "]"
    if isinstance(node, TagsIn):
        return "Tags in [" + ", ".join(quote(tag) for tag in node.tags) + "]"
    if isinstance(node, NameIs):
        return f"Name {node.op.value} {quote(node.value)}"
    if isinstance(node, Contains):
        text = f"substringof({quote(node.field.value)}, {quote(node.value)})"
        return text + " eq false" if node.negated else text
    if isinstance(node, BoolIs):
        return f"{node.field.value} {node.op.value} {'true' if node.value else 'false'}"
    return f"{node.field.value} {node.op.value} {node.value.isoformat()}"


def _operand(node: Filter) -> str:
    text = to_filter_text(node)
    return f"({text})" if isinstance(node, And | Or) else text


# --------------------------------------------------------------------------------------------------
# Normalised values the read model stores (so that SQL and ``matches`` compare the same things)

TEXT_INDEX_SEPARATOR = "\x1f"  # never part of a filter value (the grammar refuses control characters)


def fold_text(value: str) -> str:
    """The case-insensitive form of a text: Unicode case folding of its NFC form."""
    return unicodedata.normalize("NFC", value).casefold()


def name_key(name: str) -> str:
    """The value of the read model's name-key column for an event called ``name``."""
    return fold_text(name)


def tag_key(tag: str) -> str:
    """The value of the tag-key column of the (event id, tag key) table for ``tag``."""
    return fold_text(tag)


def text_index(*, name: str, description: str, location: str, start_date: date, tags: Collection[str]) -> str:
    """The value of the text-index column: title, description, location, start date and tags.

    The parts are joined by a separator no filter value can contain, so a match never spans two parts.
    """
    parts = [name, description, location, start_date.isoformat(), *tags]
    return TEXT_INDEX_SEPARATOR.join(fold_text(part) for part in parts)


# --------------------------------------------------------------------------------------------------
# SQL


@dataclass(frozen=True, kw_only=True)
class TagColumns:
    """The (event id, tag key) table ``Tags in`` looks in; index it on ``(tag_key, event_id)`` or
    ``(event_id, tag_key)``. ``tag_key`` holds ``tag_key(tag)``."""

    event_id: ColumnElement[int]
    tag_key: ColumnElement[str]


@dataclass(frozen=True, kw_only=True)
class FilterColumns:
    """The columns (or column expressions) a filter is translated over.

    * ``id``: the event id (the tags table is correlated on it).
    * ``name_key``: ``name_key(name)``; ``text_index``: ``text_index(...)`` -- both NOT NULL.
    * ``start_date``/``end_date``: the event's start/end **calendar dates in its own time zone** (SQL
      ``DATE``); ``end_date`` may be NULL.
    * ``is_upcoming``: a NOT NULL boolean expression the caller builds for the current time (e.g.
      ``events.c.end_utc >= sa.bindparam("now", now)``).
    * ``registration_enabled``: a NOT NULL boolean column.
    """

    id: ColumnElement[int]
    name_key: ColumnElement[str]
    start_date: ColumnElement[date]
    end_date: ColumnElement[date]
    is_upcoming: ColumnElement[bool]
    registration_enabled: ColumnElement[bool]
    text_index: ColumnElement[str]
    tags: TagColumns


_COMPARE: dict[Op, Callable[[Any, Any], Any]] = {
    Op.EQ: operator.eq,
    Op.NE: operator.ne,
    Op.GT: operator.gt,
    Op.GE: operator.ge,
    Op.LT: operator.lt,
    Op.LE: operator.le,
}


def filter_condition(node: Filter, columns: FilterColumns) -> ColumnElement[bool]:
    """The SQL condition of a filter: values become bound parameters, ``Tags in`` an EXISTS."""
    if isinstance(node, And):
        return sa.and_(*(filter_condition(term, columns) for term in node.terms))
    if isinstance(node, Or):
        return sa.or_(*(filter_condition(term, columns) for term in node.terms))
    if isinstance(node, IdIn):
        return columns.id.in_(sorted(set(node.ids))) if node.ids else sa.false()
    if isinstance(node, TagsIn):
        if not node.tags:
            return sa.false()
        tags = columns.tags
        keys = sorted({tag_key(tag) for tag in node.tags})
        return sa.exists().where(tags.event_id == columns.id, tags.tag_key.in_(keys))
    if isinstance(node, NameIs):
        condition: ColumnElement[bool] = _COMPARE[node.op](columns.name_key, fold_text(node.value))
        return condition
    if isinstance(node, Contains):
        column = columns.name_key if node.field is TextField.NAME else columns.text_index
        found = column.contains(fold_text(node.value), autoescape=True)
        return sa.not_(found) if node.negated else found
    if isinstance(node, BoolIs):
        flag = columns.is_upcoming if node.field is BoolField.IS_UPCOMING else columns.registration_enabled
        wanted = node.value if node.op is Op.EQ else not node.value
        return flag if wanted else sa.not_(flag)
    column_date = columns.start_date if node.field is DateField.START_DATE else columns.end_date
    compared: ColumnElement[bool] = _COMPARE[node.op](column_date, node.value)
    return compared


# --------------------------------------------------------------------------------------------------
# In memory


class EventFacts(TypedDict):
    """What ``matches`` reads of an event (dates are local calendar dates; ``end_date`` may be None)."""

    id: int
    name: str
    description: str
    location: str
    start_date: date
    end_date: date | None
    is_upcoming: bool
    registration_enabled: bool
    tags: Collection[str]


def matches(node: Filter, event: EventFacts | Mapping[str, Any]) -> bool:
    """Whether ``event`` satisfies the filter, by the plain reading of each condition."""
    if isinstance(node, And):
        return all(matches(term, event) for term in node.terms)
    if isinstance(node, Or):
        return any(matches(term, event) for term in node.terms)
    if isinstance(node, IdIn):
        return event["id"] in node.ids
    if isinstance(node, TagsIn):
        wanted = {fold_text(tag) for tag in node.tags}
        return any(fold_text(tag) in wanted for tag in event["tags"])
    if isinstance(node, NameIs):
        same = fold_text(event["name"]) == fold_text(node.value)
        return same if node.op is Op.EQ else not same
    if isinstance(node, Contains):
        needle = fold_text(node.value)
        if node.field is TextField.NAME:
            haystacks = [event["name"]]
        else:
            haystacks = [
                event["name"],
                event["description"],
                event["location"],
                event["start_date"].isoformat(),
                *event["tags"],
            ]
        found = any(needle in fold_text(haystack) for haystack in haystacks)
        return found != node.negated
    if isinstance(node, BoolIs):
        actual = bool(event["is_upcoming" if node.field is BoolField.IS_UPCOMING else "registration_enabled"])
        return (actual == node.value) if node.op is Op.EQ else (actual != node.value)
    day = event["start_date" if node.field is DateField.START_DATE else "end_date"]
    if day is None:
        return False
    return bool(_COMPARE[node.op](day, node.value))


# --------------------------------------------------------------------------------------------------
# $sort


class SortKey(enum.Enum):
    START_DATE = "StartDate"
    # By the date of the first session; the spec says ``ByStartSession`` "ignores past events".
    START_SESSION = "StartSession"


@dataclass(frozen=True)
class Sort:
    key: SortKey
    descending: bool = False


def parse_sort(text: str) -> Sort:
    """``StartDate asc|desc``, ``StartSession asc`` or their ``By…`` spellings, any case; the
    direction defaults to ``asc``. Raises ``SortError``."""
    try:
        tree = _SORT_PARSER.parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(SortError, _SORT_PARSER, text, error) from None
    key_node, *direction_nodes = tree.children
    key_token = _first_token(key_node)
    key = SortKey.START_DATE if key_token.type == "START_DATE" else SortKey.START_SESSION
    if not direction_nodes:
        return Sort(key)
    direction = _first_token(direction_nodes[0])
    descending = direction.type == "DESC"
    if descending and key is SortKey.START_SESSION:
        raise SortError(text, _start(direction), ["asc"], _quoted(str(direction)))
    return Sort(key, descending)


def _first_token(node: Tree[Token] | Token) -> Token:
    return node if isinstance(node, Token) else _token(node.children[0])


# --------------------------------------------------------------------------------------------------
# $top, $skip and the query length

MAX_PAGING = 2**31 - 1  # the reference is .NET: paging values are Int32
MAX_QUERY_LENGTH = 4096


@dataclass(frozen=True)
class Paging:
    top: int | None
    skip: int


def parse_paging(top: str | None, skip: str | None) -> Paging:
    """``$top`` (absent = no limit) and ``$skip`` (absent = 0): whole numbers from 0 to ``MAX_PAGING``,
    written in ASCII digits only. Raises ``PagingError``."""
    return Paging(
        None if top is None else _whole_number("$top", top),
        0 if skip is None else _whole_number("$skip", skip),
    )


def _whole_number(parameter: str, value: str) -> int:
    if not is_digits(value) or len(value) > 10 or int(value) > MAX_PAGING:
        raise PagingError(parameter, value)
    return int(value)


def check_query_length(raw_query: str | bytes) -> None:
    """Refuse a raw (still percent-encoded) query string longer than 4,096 characters, as the
    reference does (IIS status 404.14, sent as HTTP 404). Raises ``QueryTooLongError``."""
    if len(raw_query) > MAX_QUERY_LENGTH:
        raise QueryTooLongError(len(raw_query))
