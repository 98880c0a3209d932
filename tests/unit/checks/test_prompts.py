"""harness/checks/prompts.py: PROMPT-01..03 (complements tests/test_checks_resources_prompts.py)."""

from __future__ import annotations

import pytest

from harness.checks import prompts
from tests.unit.builders import V2, V3, V4, V5, err, ok, verdict

PNG = "iVBORw0KGgo="


def test_prompt_list_good() -> None:
    listed = [{"name": "summarise", "arguments": [{"name": "text", "description": "what", "required": True}]}]
    assert prompts.prompt_list(ok({"prompts": listed}, "prompts/list"), listed) == []


@pytest.mark.parametrize(
    "listed",
    [
        [{"description": "no name"}],
        [{"name": "p", "arguments": {"text": {}}}],
        [{"name": "p", "arguments": [{"name": "a", "required": "yes"}]}],
        ["p"],
    ],
)
def test_prompt_list_bad_items(listed: list) -> None:
    assert verdict(prompts.prompt_list(ok({"prompts": listed}, "prompts/list"), listed)) == [
        ("PROMPT-01", "fail")
    ]


def test_prompt_list_failed_or_without_array() -> None:
    assert verdict(prompts.prompt_list(err(-32603, "prompts/list"), [])) == [("PROMPT-01", "fail")]
    assert verdict(prompts.prompt_list(ok({}, "prompts/list"), [])) == [("PROMPT-01", "fail")]


def test_get_result_good_and_failed() -> None:
    good = ok(
        {
            "messages": [
                {"role": "user", "content": {"type": "text", "text": "hi"}},
                {"role": "assistant", "content": {"type": "image", "data": PNG, "mimeType": "image/png"}},
            ]
        },
        "prompts/get",
    )
    assert prompts.get_result(good, "p", V4) == []
    assert verdict(prompts.get_result(err(-32602, "prompts/get"), "p", V4)) == [("PROMPT-02", "info")]
    assert verdict(prompts.get_result(ok({"resultType": "input_required"}, "prompts/get"), "p", V5)) == [
        ("PROMPT-02", "info")
    ]
    assert verdict(prompts.get_result(ok({}, "prompts/get"), "p", V4)) == [("PROMPT-02", "fail")]


@pytest.mark.parametrize(
    "block",
    [
        {"type": "text", "text": "hi"},
        {"type": "audio", "data": PNG, "mimeType": "audio/wav"},
        {"type": "resource", "resource": {"uri": "file:///a.txt", "text": "a"}},
        {"type": "resource", "resource": {"uri": "file:///a.bin", "blob": PNG}},
        {"type": "resource_link", "uri": "file:///a.txt", "name": "a"},
    ],
)
def test_content_block_good(block: dict) -> None:
    assert prompts.content_block(block, "messages[0]", V3) == []


@pytest.mark.parametrize(
    ("block", "version"),
    [
        ({"type": "text"}, V4),
        ({"type": "image", "data": PNG}, V4),
        ({"type": "resource", "resource": {"text": "a"}}, V4),
        ({"type": "resource", "resource": {"uri": "u:a", "text": "a", "blob": PNG}}, V4),
        ({"type": "resource", "resource": {"uri": "u:a", "blob": "not base64!"}}, V4),
        ({"type": "resource_link", "uri": "u:a"}, V4),
        ({"type": "resource_link", "uri": "u:a", "name": "a"}, V2),  # not a prompt content type yet
        ({"type": "video"}, V4),
        ("just text", V4),
    ],
)
def test_content_block_bad(block: object, version: str) -> None:
    assert verdict(prompts.content_block(block, "messages[0]", version)) == [("PROMPT-02", "fail")]


def test_invalid_get() -> None:
    assert prompts.invalid_get(err(-32602, "prompts/get"), "unknown prompt") == []
    assert verdict(prompts.invalid_get(ok({"resultType": "input_required"}, "prompts/get"), "missing")) == [
        ("PROMPT-03", "info")
    ]
    assert verdict(prompts.invalid_get(err(-32603, "prompts/get"), "unknown prompt")) == [
        ("PROMPT-03", "warn")
    ]
