"""parse_page_title: a title as a link target, with the section MediaWiki reads after '#'."""

from __future__ import annotations

import pytest

from domain.validation import PageTitle, parse_page_title, parse_title


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Event:Foo#Agenda", PageTitle("Event", "Foo", "Agenda")),
        ("event:foo_bar#Day_2", PageTitle("Event", "Foo bar", "Day 2")),
        ("Main page#x#y", PageTitle("", "Main page", "x#y")),
        ("Event:Foo#<bad>", PageTitle("Event", "Foo", "<bad>")),  # only the title part must be valid
        ("Event:Foo#", PageTitle("Event", "Foo")),  # an empty section is none
        ("Event:Foo# _ ", PageTitle("Event", "Foo")),
        ("Event:Foo", PageTitle("Event", "Foo")),
    ],
)
def test_the_section_is_split_off(raw: str, expected: PageTitle) -> None:
    assert parse_page_title(raw) == expected


@pytest.mark.parametrize("raw", ["#Agenda", "Event:#Agenda", "Event:<bad>#Agenda", ""])
def test_the_title_part_must_be_a_valid_title(raw: str) -> None:
    assert parse_page_title(raw) is None


def test_plain_titles_still_refuse_a_hash() -> None:
    assert parse_title("Event:Foo#Agenda") is None
