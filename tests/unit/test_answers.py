"""Participant answers: validation of the API format (reference §3.7) and the sealing that keeps them
out of the event log in clear (``domain/answers.py``)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag

from domain import errors
from domain.answers import (
    ALL_QUESTION_IDS,
    BY_ID,
    Answer,
    new_key,
    non_pii_message,
    present,
    seal,
    unseal,
    validate_answers,
)

ALL = set(ALL_QUESTION_IDS)
SECRET = "Zanzibar-Affiliate-7f3c"


def invalid(given: Any, readable: set[int] = ALL) -> str | int:
    """The question name an invalid answer set is reported with."""
    with pytest.raises(errors.InvalidAnswer) as caught:
        validate_answers(given, readable)
    assert caught.value.key == "campaignevents-rest-register-invalid-answer"
    (name,) = caught.value.params
    return name


# --- the registry --------------------------------------------------------------------------------
def test_the_registry_matches_the_reference() -> None:
    """§3.7: ids, names, PII flags, and the one text field (affiliate, on "Yes")."""
    shown = [(q.id, q.name, q.type, q.pii, q.other_options) for q in BY_ID.values()]
    assert shown == [
        (1, "gender", "radio", True, {}),
        (2, "age", "select", True, {}),
        (3, "profession", "select", True, {}),
        (4, "confidence", "radio", False, {}),
        (5, "affiliate", "select", False, {1: "Please state"}),
    ]
    assert [len(q.options) for q in BY_ID.values()] == [6, 9, 11, 5, 3]
    assert all(q.options[0][1] == 0 for q in BY_ID.values())  # option 0 is the placeholder


# --- validation ------------------------------------------------------------------------------------
def test_valid_answers_are_keyed_by_question_id_in_id_order() -> None:
    given = {
        "affiliate": {"value": 2},
        "gender": {"value": 2},
        "profession": {"value": 10},
        "age": {"value": 8},
        "confidence": {"value": 4},
    }
    assert validate_answers(given, ALL) == {
        1: Answer(1, 2),
        2: Answer(2, 8),
        3: Answer(3, 10),
        4: Answer(4, 4),
        5: Answer(5, 2),
    }
    assert list(validate_answers(given, ALL)) == [1, 2, 3, 4, 5]


def test_no_answers() -> None:
    assert validate_answers(None, ALL) == {}
    assert validate_answers({}, ALL) == {}


@pytest.mark.parametrize("name", ["gender", "age", "profession", "confidence", "affiliate"])
def test_value_zero_is_no_answer(name: str) -> None:
    assert validate_answers({name: {"value": 0}}, ALL) == {}
    assert validate_answers({name: {"value": 0, "other": "ignored"}}, ALL) == {}


@pytest.mark.parametrize("value", ["1", "0", "2", 1.0, 2.5, True, False, None, [1], {"v": 1}])
def test_a_multiple_choice_value_must_be_a_json_integer(value: Any) -> None:
    """String "1" is invalid, and so are floats and booleans (bool is an int in Python)."""
    assert invalid({"age": {"value": value}}) == "age"


@pytest.mark.parametrize(
    ("name", "value"),
    [("gender", 6), ("gender", -1), ("age", 9), ("profession", 11), ("confidence", 5), ("affiliate", 3)],
)
def test_a_value_must_be_one_of_the_options(name: str, value: int) -> None:
    assert invalid({name: {"value": value}}) == name


@pytest.mark.parametrize("raw", [3, "3", None, [], [{"value": 3}], True])
def test_a_non_object_answer_is_invalid(raw: Any) -> None:
    assert invalid({"confidence": raw}) == "confidence"


def test_an_answer_without_value_is_invalid() -> None:
    assert invalid({"profession": {}}) == "profession"
    assert invalid({"affiliate": {"other": "WMDE"}}) == "affiliate"


def test_the_invalid_question_is_named_even_after_valid_ones() -> None:
    assert (
        invalid({"gender": {"value": 1}, "age": {"value": 1}, "confidence": {"value": "2"}}) == "confidence"
    )


def test_unknown_names_are_ignored() -> None:
    given = {"nosuch": {"value": 1}, "Gender": {"value": 1}, "gender": {"value": 1}, "5": {"value": 1}}
    assert validate_answers(given, ALL) == {1: Answer(1, 1)}
    assert validate_answers({"nosuch": "garbage"}, ALL) == {}


def test_only_readable_questions_are_read() -> None:
    """Questions neither enabled nor answered before are ignored, even when malformed."""
    given = {"gender": {"value": "bad"}, "age": 5, "confidence": {"value": 2}}
    assert validate_answers(given, {4, 5}) == {4: Answer(4, 2)}
    assert validate_answers(given, set()) == {}
    assert invalid(given, {1, 4}) == "gender"


def test_other_text_is_kept_only_on_the_option_that_has_a_text_field() -> None:
    assert validate_answers({"affiliate": {"value": 1, "other": "WMDE"}}, ALL) == {5: Answer(5, 1, "WMDE")}
    assert validate_answers({"affiliate": {"value": 1}}, ALL) == {5: Answer(5, 1)}
    assert validate_answers({"affiliate": {"value": 1, "other": None}}, ALL) == {5: Answer(5, 1)}
    assert validate_answers({"affiliate": {"value": 1, "other": ""}}, ALL) == {5: Answer(5, 1)}
    assert validate_answers({"affiliate": {"value": 2, "other": "WMDE"}}, ALL) == {5: Answer(5, 2)}
    assert validate_answers({"gender": {"value": 5, "other": "mine"}}, ALL) == {1: Answer(1, 5)}


@pytest.mark.parametrize("other", [5, True, ["WMDE"], {"t": "WMDE"}])
def test_other_text_must_be_a_string_where_it_is_read(other: Any) -> None:
    assert invalid({"affiliate": {"value": 1, "other": other}}) == "affiliate"


@pytest.mark.parametrize("other", [5, ["WMDE"]])
def test_other_is_not_read_where_the_option_has_no_text_field(other: Any) -> None:
    assert validate_answers({"affiliate": {"value": 2, "other": other}}, ALL) == {5: Answer(5, 2)}
    assert validate_answers({"confidence": {"value": 2, "other": other}}, ALL) == {4: Answer(4, 2)}


def test_extra_keys_in_an_answer_are_ignored() -> None:
    assert validate_answers({"age": {"value": 3, "removed": True, "x": 1}}, ALL) == {2: Answer(2, 3)}


# --- the participant's and the organizer's views ----------------------------------------------------
def test_present_shows_values_other_text_and_removed_questions() -> None:
    answers = {1: Answer(1, 2), 3: Answer(3, 7), 5: Answer(5, 1, "WMDE")}
    assert present(answers, [1, 2, 3, 4, 5]) == {
        "gender": {"value": 2},
        "profession": {"value": 7},
        "affiliate": {"value": 1, "other": "WMDE"},
    }
    assert present(answers, [1, 5]) == {
        "gender": {"value": 2},
        "profession": {"value": 7, "removed": True},
        "affiliate": {"value": 1, "other": "WMDE"},
    }
    assert present({}, [1, 2, 3, 4, 5]) == {}


def test_non_pii_messages() -> None:
    assert non_pii_message(None) is None
    assert non_pii_message(Answer(5, 1, "WMDE")) == "Yes: WMDE"
    assert non_pii_message(Answer(5, 1)) == "Yes"
    assert non_pii_message(Answer(5, 2)) == "No"
    assert non_pii_message(Answer(4, 2)) == "I have some experience, but don't feel confident"


# --- sealing ------------------------------------------------------------------------------------------
SAMPLE = {1: Answer(1, 4), 2: Answer(2, 8), 5: Answer(5, 1, SECRET)}


def test_seal_then_unseal_gives_the_answers_back() -> None:
    key = new_key()
    assert len(key) == 32  # AES-256
    assert unseal(seal(SAMPLE, key), key) == SAMPLE
    assert unseal(seal({}, key), key) == {}
    unicode = {5: Answer(5, 1, "Wikimedia Österreich — 維基")}
    assert unseal(seal(unicode, key), key) == unicode


def test_every_key_and_every_seal_is_different() -> None:
    key = new_key()
    assert new_key() != key
    assert seal(SAMPLE, key) != seal(SAMPLE, key)  # a fresh nonce each time


def test_a_wrong_key_cannot_unseal() -> None:
    sealed = seal(SAMPLE, new_key())
    with pytest.raises(InvalidTag):
        unseal(sealed, new_key())


def test_tampered_ciphertext_is_refused() -> None:
    key = new_key()
    raw = bytearray(base64.urlsafe_b64decode(seal(SAMPLE, key)))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        unseal(base64.urlsafe_b64encode(bytes(raw)).decode(), key)


def test_the_ciphertext_contains_no_plaintext() -> None:
    key = new_key()
    sealed = seal(SAMPLE, key)
    raw = base64.urlsafe_b64decode(sealed)
    plain = json.dumps([[a.question_id, a.option, a.other] for a in SAMPLE.values()]).encode()
    for needle in (SECRET.encode(), plain, b"[1, 4", b"Zanzibar"):
        assert needle not in raw
    assert SECRET not in sealed
    assert base64.urlsafe_b64encode(SECRET.encode()).decode()[:16] not in sealed
    assert key not in raw and base64.urlsafe_b64encode(key).decode() not in sealed
