"""harness/checks/meta.py: RPC-14, the `_meta` key grammar and the reserved prefixes."""

from __future__ import annotations

import pytest

from harness.checks import meta
from tests.unit.builders import notification, rpc_result, verdict


@pytest.mark.parametrize(
    "key",
    ["progressToken", "com.example/trace-id", "io.modelcontextprotocol/serverInfo", "a", "x.y/z_1.2"],
)
def test_good_keys(key: str) -> None:
    assert meta.meta_keys([rpc_result({"_meta": {key: 1}}), notification("n", {"_meta": {key: 1}})]) == []


@pytest.mark.parametrize("key", ["bad key", "-lead", "trail-", "com.example/", "/name", "1abc.example/x"])
def test_keys_off_the_grammar_fail(key: str) -> None:
    assert verdict(meta.meta_keys([rpc_result({"_meta": {key: 1}})])) == [("RPC-14", "fail")]


@pytest.mark.parametrize("key", ["io.modelcontextprotocol/made-up", "dev.mcp/extra"])
def test_reserved_prefixes_hold_only_spec_keys(key: str) -> None:
    assert verdict(meta.meta_keys([notification("n", {"_meta": {key: 1}})])) == [("RPC-14", "warn")]


def test_frames_without_meta_are_skipped() -> None:
    assert meta.meta_keys([None, rpc_result({"_meta": "not an object"}), notification("n")]) == []
