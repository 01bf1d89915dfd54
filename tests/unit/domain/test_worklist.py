"""Worklist's rules: valid titles of known wikis, by an organizer, of a registration not deleted."""

from __future__ import annotations

import pytest

from domain import errors
from domain.accounts import Account
from domain.registration import EventRegistration
from domain.worklist import Worklist
from tests.unit.domain.factories import NOW, organizer, registration

KNOWN = {"local", "enwiki"}


def change(
    w: Worklist,
    reg: EventRegistration,
    editor: Account,
    add: dict[str, list[str]],
    remove: dict[str, list[str]],
) -> bool:
    return w.change(add, remove, registration=reg, editor=editor, known_wikis=KNOWN, at=NOW)


def test_titles_are_checked_before_the_editor() -> None:
    reg, w = registration(), Worklist.start(1, NOW)
    stranger = organizer("Stranger")
    with pytest.raises(errors.WorklistInvalidWiki):
        change(w, reg, stranger, {"dewiki": ["Foo"]}, {})
    with pytest.raises(errors.WorklistInvalidTitle):
        change(w, reg, stranger, {}, {"enwiki": ["Special:Foo"]})
    with pytest.raises(errors.EditDenied):
        change(w, reg, stranger, {"enwiki": ["Foo"]}, {})


def test_a_deleted_registration_keeps_its_worklist() -> None:
    olga = organizer()
    reg, w = registration(olga), Worklist.start(1, NOW)
    reg.delete(olga, NOW)
    with pytest.raises(errors.EditRegistrationDeleted):
        change(w, reg, olga, {"enwiki": ["Foo"]}, {})


def test_adds_then_removes_without_duplicates() -> None:
    olga = organizer()
    reg, w = registration(olga), Worklist.start(1, NOW)
    assert change(w, reg, olga, {"enwiki": ["Foo bar", "Foo_bar", "Baz"]}, {}) is True
    assert w.articles == {"enwiki|Foo_bar": 1, "enwiki|Baz": 2}
    assert change(w, reg, olga, {"local": ["New"]}, {"local": ["New"], "enwiki": ["Baz"]}) is True
    assert w.articles == {"enwiki|Foo_bar": 1}
    assert change(w, reg, olga, {"enwiki": ["Foo bar"]}, {"enwiki": ["Absent"]}) is False
