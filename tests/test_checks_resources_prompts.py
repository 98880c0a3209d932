"""Unit tests of the pure RES/PROMPT/COMP/LOG/PAGE checks (no server needed)."""

from __future__ import annotations

import base64

import pytest

from harness.checks import completion, logging, pagination, prompts, resources
from harness.protocol.session import Exchange


def answered(result=None, error=None, method="resources/read") -> Exchange:
    response = {"jsonrpc": "2.0", "id": 1}
    response.update({"error": error} if error is not None else {"result": result})
    return Exchange(
        method=method, request={"jsonrpc": "2.0", "id": 1, "method": method}, sent_at=0, response=response
    )


@pytest.mark.parametrize(
    "uri",
    [
        "file:///tmp/a.txt",
        "spec://static/alpha",
        "mailto:a@b.example",
        "urn:isbn:0451450523",
        "http://[::1]:80/x?q=1#f",
        "memo://notes/%C3%BC",
        "custom:opaque",
    ],
)
def test_valid_uris(uri):
    assert resources.uri_problem(uri) is None


@pytest.mark.parametrize("uri", ["not a uri", "", "/relative/path", "1abc:x", "http://x/a b", "http://x/%zz"])
def test_invalid_uris(uri):
    assert resources.uri_problem(uri) is not None


def test_non_ascii_uri_is_an_iri_warning_not_a_failure():
    [finding] = resources.uris_valid([{"uri": "memo://notes/ünï", "name": "n"}])
    assert (finding.rule, finding.severity) == ("RES-08", "warn")


@pytest.mark.parametrize(
    "template", ["spec://items/{id}", "file:///{+path}", "x://{a,b}{?q,r}", "x://{var:3}{/l*}"]
)
def test_valid_templates(template):
    assert resources.template_problem(template) is None


@pytest.mark.parametrize("template", ["spec://items/{id", "spec://items/{}", "x://{a b}", "x://}"])
def test_invalid_templates(template):
    assert resources.template_problem(template) is not None


def test_expand_template():
    assert resources.expand_template("s://i/{id}{?q}", {"id": "a/b", "q": "1"}) == "s://i/a%2Fb?q=1"
    assert resources.expand_template("s://i/{id}", {"id": "../x"}, raw=True) == "s://i/../x"
    assert resources.template_variables("s://{a}/{+b}{?a,c}") == ["a", "b", "c"]


def test_read_result_exactly_one_of_text_and_blob():
    both = answered({"contents": [{"uri": "a:b", "text": "t", "blob": "AAAA"}]})
    bad_blob = answered({"contents": [{"uri": "a:b", "blob": "not base64!"}]})
    good = answered({"contents": [{"uri": "a:b", "blob": base64.b64encode(b"x").decode()}]})
    assert [f.rule for f in resources.read_result(both, "a:b")] == ["RES-02"]
    assert [f.severity for f in resources.read_result(bad_blob, "a:b")] == ["fail"]
    assert resources.read_result(good, "a:b") == []


@pytest.mark.parametrize(
    ("version", "answer", "severity"),
    [
        ("2025-11-25", {"error": {"code": -32002, "message": "nf"}}, None),
        ("2025-11-25", {"error": {"code": -32602, "message": "nf"}}, "warn"),
        ("2025-11-25", {"result": {"contents": []}}, "warn"),
        ("2026-07-28", {"error": {"code": -32602, "message": "nf"}}, None),
        ("2026-07-28", {"error": {"code": -32002, "message": "nf"}}, "fail"),
        ("2026-07-28", {"result": {"contents": []}}, "fail"),
    ],
)
def test_not_found_follows_the_version(version, answer, severity):
    found = resources.not_found(answered(**answer), "mcp-harness://x", version)
    assert [f.severity for f in found] == ([severity] if severity else [])


def test_traversal_fails_only_on_file_contents():
    passwd = "root:x:0:0:root:/root:/bin/bash\n"
    leaked = answered({"contents": [{"uri": "file:///etc/passwd", "text": passwd}]})
    leaked_b64 = answered({"contents": [{"uri": "f:x", "blob": base64.b64encode(passwd.encode()).decode()}]})
    refused = answered(error={"code": -32602, "message": "unknown scheme"})
    echoed = answered({"contents": [{"uri": "s://i/..", "text": "item .."}]})
    assert [f.severity for f in resources.traversal(leaked, "file:///..", from_template=False)] == ["fail"]
    assert [f.severity for f in resources.traversal(leaked_b64, "f:x", from_template=True)] == ["fail"]
    assert resources.traversal(refused, "file:///..", from_template=False) == []
    assert [f.severity for f in resources.traversal(echoed, "s://i/..", from_template=True)] == ["info"]


def test_annotations():
    items = [
        {"uri": "a:b", "annotations": {"priority": 5, "audience": ["user", "system"], "lastModified": "x"}}
    ]
    found = {
        (f.severity, f.message.split(": ")[1].split()[0])
        for f in resources.annotations_valid(items, "2025-11-25")
    }
    assert found == {("fail", "priority"), ("fail", "audience"), ("warn", "lastModified")}
    assert (
        resources.annotations_valid(
            [{"uri": "a:b", "annotations": {"lastModified": "2025-01-12T15:00:58Z"}}], "2025-11-25"
        )
        == []
    )


def test_prompt_checks():
    listing = answered(
        {"prompts": [{"name": "p", "arguments": [{"description": "no name"}]}]}, method="prompts/list"
    )
    assert [f.rule for f in prompts.prompt_list(listing, listing.result["prompts"])] == ["PROMPT-01"]
    got = answered(
        {
            "messages": [
                {"role": "system", "content": {"type": "text", "text": "hi"}},
                {"role": "user", "content": {"type": "image", "data": "!!", "mimeType": "x"}},
            ]
        }
    )
    assert [f.rule for f in prompts.get_result(got, "p", "2025-11-25")] == ["PROMPT-02", "PROMPT-02"]
    assert [f.severity for f in prompts.invalid_get(answered({"messages": []}), "x")] == ["warn"]
    assert prompts.required_arguments({"arguments": [{"name": "a", "required": True}, {"name": "b"}]}) == [
        "a"
    ]


def test_completion_checks():
    ref = {"type": "ref/prompt", "name": "p"}
    too_many = answered({"completion": {"values": [str(i) for i in range(101)]}})
    assert [f.severity for f in completion.complete_result(too_many, ref, "a")] == ["fail"]
    assert [
        f.rule for f in completion.undeclared_but_served(answered({"completion": {"values": []}}), ref)
    ] == ["COMP-01"]
    assert completion.unsupported_code(answered(error={"code": -32601, "message": "no"})) == []


def test_logging_checks():
    messages = [
        {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": lvl, "data": 1}}
        for lvl in ("debug", "emergency", "verbose")
    ]
    assert [f.rule for f in logging.below_level(messages, "emergency")] == ["LOG-01"]
    assert [f.rule for f in logging.message_shape(messages)] == ["LOG-02"]
    assert len(logging.unrequested(messages, ["resources/list"])) == 3


def _walk(*cursors_out: object) -> pagination.Walk:
    pages, sent = [], None
    for out in cursors_out:
        result = {"tools": [{"name": f"t{len(pages)}"}]} | ({} if out is None else {"nextCursor": out})
        pages.append(pagination.Page(sent, answered(result, method="tools/list"), result["tools"]))
        sent = out
    return pagination.Walk("tools/list", pages, "end")


def test_walk_loop_and_empty_cursor():
    loop = _walk("a", "b", "a")
    loop.stopped = "loop"
    [finding] = pagination.walk_ends(loop)
    assert finding.severity == "fail" and "page 2" in finding.message
    empty = _walk("")
    empty.stopped = "empty"
    assert [f.severity for f in pagination.walk_ends(empty)] == ["warn"]
    assert pagination.walk_ends(_walk("a", None)) == []
