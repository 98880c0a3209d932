"""Deterministic tool arguments (harness/property/examples.py): valid, minimal, and quick."""

from __future__ import annotations

from harness.property.examples import quick_overrides, valid_arguments

LONG_RUNNING = {  # server-everything's trigger-long-running-operation, as it lists it
    "type": "object",
    "properties": {
        "duration": {"type": "number", "default": 10, "description": "seconds"},
        "steps": {"type": "number", "default": 5},
    },
}


def test_an_optional_duration_is_set_short() -> None:
    assert valid_arguments(LONG_RUNNING) == {"duration": 0.1}


def test_integer_and_millisecond_durations_respect_their_minimum() -> None:
    schema = {
        "type": "object",
        "properties": {"seconds": {"type": "integer", "minimum": 2}, "delay_ms": {"type": "integer"}},
        "required": ["seconds"],
    }
    assert valid_arguments(schema) == {"seconds": 2, "delay_ms": 100}


def test_a_quick_value_the_schema_forbids_is_not_used() -> None:
    schema = {
        "type": "object",
        "properties": {"duration": {"type": "number", "minimum": 5}},
        "required": ["duration"],
    }
    assert quick_overrides(schema) == {"duration": 0.1}
    assert valid_arguments(schema) == {"duration": 5}


def test_a_string_named_like_a_duration_is_left_alone() -> None:
    schema = {"type": "object", "properties": {"time": {"type": "string"}}, "required": ["time"]}
    assert "time" not in quick_overrides(schema)
    assert isinstance(valid_arguments(schema)["time"], str)
