"""Property tests: any JSON answers survive storage unchanged, types and key order included."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formwerk.store import TinyDBStore, open_store
from tests.store._testlib import new_submission

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()  # all of Unicode except lone surrogates, which UTF-8 cannot carry
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=40,
)
answers_dicts = st.dictionaries(st.text(), json_values, max_size=8)


def assert_identical(expected: Any, actual: Any) -> None:
    """Equal and of the same types all the way down (``1 == 1.0 == True`` is not enough)."""
    assert type(actual) is type(expected)
    if isinstance(expected, dict):
        assert list(actual) == list(expected)  # key order is kept
        for key in expected:
            assert_identical(expected[key], actual[key])
    elif isinstance(expected, list):
        assert len(actual) == len(expected)
        for a, b in zip(expected, actual, strict=True):
            assert_identical(a, b)
    else:
        assert actual == expected


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> TinyDBStore:
    # Module-scoped: hypothesis runs many examples per test, each with a fresh key.
    return open_store(Path(tmp_path_factory.mktemp("roundtrip")))


@settings(max_examples=150, deadline=None)
@given(answers=answers_dicts)
def test_answers_roundtrip(shared_store: TinyDBStore, answers: dict[str, Any]) -> None:
    stored = shared_store.add_submission(new_submission(uuid.uuid4().hex, answers=answers))
    assert_identical(answers, stored.answers)
    loaded = shared_store.get_submission(stored.reference)
    assert loaded is not None
    assert_identical(answers, loaded.answers)


@settings(max_examples=75, deadline=None)
@given(data=answers_dicts, step=st.from_regex(r"[a-z0-9]{1,20}", fullmatch=True))
def test_draft_data_roundtrip(shared_store: TinyDBStore, data: dict[str, Any], step: str) -> None:
    draft_id = uuid.uuid4().hex
    shared_store.save_draft(draft_id, "meldebescheinigung", data, step)
    loaded = shared_store.get_draft(draft_id)
    assert loaded is not None and loaded.step == step
    assert_identical(data, loaded.data)
