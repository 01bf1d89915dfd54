"""Invision's pretty-printed JSON (api/invision/pretty.py) is byte for byte the standard encoder's
``indent=4, ensure_ascii=False`` output, for any JSON value."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from api.invision import pretty

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_same_text_as_the_standard_encoder(value: Any) -> None:
    assert pretty.dumps(value) == json.dumps(value, indent=4, ensure_ascii=False)


def test_tuples_and_other_keys_as_the_standard_encoder() -> None:
    value: dict[str, Any] = {"a": (1, "é\n", [], {}), "b": {1: True, None: 2.5}}
    assert pretty.dumps(value) == json.dumps(value, indent=4, ensure_ascii=False)
