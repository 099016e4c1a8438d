"""``jsonread.loads`` is ``json.loads``, read so that other threads run meanwhile."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comms_tui.api import jsonread
from comms_tui.api.collector import collector_paused

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=30,
)


@pytest.fixture(autouse=True)
def walk_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every document is walked, however small (the real threshold is 256 KB)."""
    monkeypatch.setattr(jsonread, "SMALL_CHARS", 0)


def outcome(read: Any, text: str) -> tuple[str, Any]:
    try:
        return "value", read(text)
    except RecursionError:
        return "RecursionError", None
    except ValueError:
        return "ValueError", None


@settings(max_examples=300)
@given(documents, st.sampled_from([None, 1, "\t"]))
def test_any_document_reads_as_json_loads_reads_it(document: Any, indent: Any) -> None:
    text = json.dumps(document, indent=indent)
    assert jsonread.loads(text) == json.loads(text)


@settings(max_examples=300)
@given(documents.map(json.dumps), st.integers(min_value=0), st.text(max_size=3))
def test_damaged_text_fails_as_json_loads_fails(text: str, at: int, inserted: str) -> None:
    at %= len(text) + 1
    damaged = text[:at] + inserted + text[at + 1 :]
    assert outcome(jsonread.loads, damaged)[0] == outcome(json.loads, damaged)[0]


@pytest.mark.parametrize(
    "text",
    ["", " ", "{", "[1,", '{"a" 1}', '{"a":1,}', "[1 2]", "{} {}", '{"a":[1,]}', "{1:2}", "[1]x"],
)
def test_broken_json_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        jsonread.loads(text)
    with pytest.raises(ValueError):
        json.loads(text)


def test_deep_nesting_is_a_recursion_error_as_with_json_loads() -> None:
    text = '{"a": [' + "[" * 200_000 + "]" * 200_000 + "]}"
    with pytest.raises(RecursionError):
        json.loads(text)
    with pytest.raises(RecursionError):
        jsonread.loads(text)


def test_a_50_000_item_answer_reads_whole() -> None:
    item = {"sms": {"to": "919000000002", "body": "hi"}, "errors": [], "warnings": []}
    document = {"status": {"success": True, "count": 50_000}, "smsList": [item] * 50_000}
    assert jsonread.loads(json.dumps(document)) == document


def test_the_collector_is_paused_while_reading_and_back_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    seen: list[bool] = []
    real_value = jsonread._value

    def watched(text: str, index: int, depth: int) -> tuple[Any, int]:
        seen.append(gc.isenabled())
        return real_value(text, index, depth)

    monkeypatch.setattr(jsonread, "_value", watched)
    assert gc.isenabled()
    assert jsonread.loads('{"a": [1, 2]}') == {"a": [1, 2]}
    assert seen and not any(seen)
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        assert not gc.isenabled()
        jsonread.loads("[1,")
    assert gc.isenabled()  # back, even after an error
