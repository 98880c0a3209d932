"""The property engine on its own: strategies keep their promises, and the state
machine finds protocol faults of the spec server with a minimal transcript,
while the correct server (and the official SDK server) pass the `ci` profile.
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.property import strategies as gen
from harness.property.examples import is_valid
from harness.property.hypothesis_profiles import profile_settings
from harness.property.machine import Driver, EngineConfig, run_machine
from harness.protocol.session import Session
from harness.protocol.target import ServerTarget
from harness.transport.transcript import Transcript
from tests.suite_runner import SDK_SERVER, spec_server_cmd

FAST = settings(max_examples=30, database=None, deadline=None)
DEFS_2020 = {
    "type": "object",
    "properties": {"a": {"$ref": "#/$defs/small"}, "b": {"type": "string", "maxLength": 4}},
    "required": ["a"],
    "$defs": {"small": {"type": "integer", "minimum": 3, "maximum": 9}},
}
DRAFT_07 = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {"q": {"$ref": "#/definitions/query"}},
    "required": ["q"],
    "definitions": {"query": {"type": "string", "minLength": 1}},
}


@pytest.mark.parametrize("schema", [DEFS_2020, DRAFT_07], ids=["2020-12-$defs", "draft-07-definitions"])
def test_valid_arguments_satisfy_the_schema(schema):
    found = gen.valid_arguments({"name": "t", "inputSchema": schema})
    assert found.strategy is not None, found.reason

    @FAST
    @given(found.strategy)
    def check(args):
        assert is_valid(schema, args)

    check()


def test_unusable_schema_gives_a_reason_not_a_strategy():
    found = gen.valid_arguments(
        {"name": "t", "inputSchema": {"type": "object", "properties": {"x": {"type": 5}}}}
    )
    assert found.strategy is None and "not a usable JSON Schema" in found.reason
    remote = gen.valid_arguments({"name": "r", "inputSchema": {"$ref": "https://example.com/s.json"}})
    assert remote.strategy is None and remote.reason


@FAST
@given(gen.invalid_arguments({"name": "t", "inputSchema": DEFS_2020}))
def test_invalid_arguments_always_fail_the_schema(mutation):
    assert not mutation.valid and mutation.clear
    assert not is_valid(DEFS_2020, mutation.value)


@FAST
@given(gen.mutated_arguments({"name": "t", "inputSchema": DEFS_2020}))
def test_mutations_are_labelled_by_the_schema_itself(mutation):
    assert mutation.valid == is_valid(DEFS_2020, mutation.value)


def test_no_invalid_arguments_for_a_schema_that_accepts_anything():
    assert not gen.has_invalid_arguments({"name": "t", "inputSchema": {"type": "object"}})


@FAST
@given(gen.request_ids())
def test_request_ids_are_legal(request_id):
    assert isinstance(request_id, (int, str)) and not isinstance(request_id, bool)
    if isinstance(request_id, int):
        assert abs(request_id) <= 2**53 - 1


@FAST
@given(gen.resource_uris(["spec://static/alpha"], ["spec://items/{id}"]))
def test_resource_uris_are_strings(uri):
    assert isinstance(uri, str)


@FAST
@given(gen.malformed_frames())
def test_malformed_frames_are_never_valid_requests(frame):
    kind, value = frame
    assert kind in ("raw", "json")
    if kind == "json" and isinstance(value, dict):
        assert not (value.get("jsonrpc") == "2.0" and isinstance(value.get("method"), str))


def test_profiles_registered():
    for name in ("ci", "dev", "thorough"):
        assert profile_settings(name)[0] == name
    ci = profile_settings("ci")[1]
    assert ci.derandomize and ci.deadline is None and ci.max_examples <= 30
    assert profile_settings(None)[0] == "dev"


# --------------------------------------------------------------------------- the machine on live servers
def _driver(command: str, version: str, *, call_tools: bool = True, timeout: float = 5.0) -> Driver:
    target = ServerTarget(command=command, timeout=timeout)

    def connect() -> Session:
        session = Session(target.connect(Transcript()), timeout=timeout)
        session.open(version)
        return session

    return Driver(
        connect, EngineConfig(call_tools=call_tools, timeout=timeout, max_restarts=10, budget_seconds=60)
    )


def _run(command: str, version: str = "2025-11-25", *, call_tools: bool = True):
    driver = _driver(command, version, call_tools=call_tools)
    try:
        return run_machine(driver, profile_settings("ci")[1])
    finally:
        driver.close()


FOUND = {
    "RPC-02-id-as-string": "RPC-02",
    "RPC-05-answer-notifications": "RPC-05",
    "RPC-10-unknown-method-result": "RPC-10",
    "LIVE-02-exit-on-unknown-method": "LIVE-02",
    "TOOL-05-unknown-tool-as-result": "TOOL-05",
}


@pytest.mark.parametrize("fault", list(FOUND))
def test_machine_finds_fault_and_shrinks_it(fault):
    result = _run(spec_server_cmd(fault))
    assert result.error is None, result.error
    assert [r.rule for r in result.failures] == [FOUND[fault]]
    assert result.failures[0].sent <= 3, [f.as_dict() for f in result.failures[0].frames]


@pytest.mark.parametrize("version", ["2025-06-18", "2026-07-28"])
def test_machine_clean_on_the_correct_spec_server(version):
    result = _run(spec_server_cmd(), version)
    assert result.error is None, result.error
    assert result.failures == [], [r.findings[0].line() for r in result.failures]
    assert result.examples >= 10


def test_machine_on_the_sdk_server_finds_only_its_documented_deviations():
    """The SDK answers an unknown tool with an isError result (TOOL-05) and never
    answers tools/call with non-object params (LIVE-01): docs/known-deviations.md.
    Nothing else may fail."""
    from tests.test_real_servers import SDK_DEVIATIONS

    result = _run(f"{sys.executable} {SDK_SERVER}", "2025-11-25")
    assert result.error is None, result.error
    found = {r.rule for r in result.failures}
    assert found <= SDK_DEVIATIONS, [r.findings[0].line() for r in result.failures]
    for recorded in result.failures:
        if recorded.rule == "LIVE-01":
            sent = [f.message for f in recorded.frames if f.direction == "send"]
            assert sent[-1]["method"] == "tools/call" and not isinstance(sent[-1].get("params"), dict), sent


def test_restarts_are_bounded():
    driver = _driver(spec_server_cmd("LIVE-02-exit-on-unknown-method"), "2025-11-25")
    driver.config.max_restarts = 2
    try:
        result = run_machine(driver, profile_settings("ci")[1])
    finally:
        driver.close()
    assert result.restarts <= 2
    assert [r.rule for r in result.failures] == ["LIVE-02"]


def test_draws_are_composable():
    """Strategies combine with plain Hypothesis ones (no hidden state)."""
    combined = st.tuples(gen.request_ids(), gen.hostile_strings(), gen.cursors(["abc"]))

    @FAST
    @given(combined)
    def check(value):
        assert len(value) == 3

    check()
