"""harness/readers.py: which requests read one seeded record by id, from the server's own lists."""

from __future__ import annotations

from harness.readers import prompt_readers, template_readers, tool_readers


def tool(name: str, props: dict, required: list[str], read_only: bool = True) -> dict:
    return {
        "name": name,
        "inputSchema": {"type": "object", "properties": props, "required": required},
        "annotations": {"readOnlyHint": read_only},
    }


def test_read_only_tools_with_one_id_argument() -> None:
    found = tool_readers(
        [
            tool("get_customer", {"customer_id": {"type": "integer"}}, ["customer_id"]),
            tool("get_issue", {"issueKey": {"type": "string"}}, ["issueKey"]),
            tool("delete_customer", {"customer_id": {"type": "integer"}}, ["customer_id"], read_only=False),
            tool("search", {"query": {"type": "string"}}, ["query"]),
            tool(
                "orders",
                {"customer_id": {"type": "integer"}, "since": {"type": "string"}},
                ["customer_id", "since"],
            ),
            tool("get_ticket", {"ticket_id": {"type": "integer"}}, ["ticket_id"]),  # issue keys are strings
            tool("wait_for_ticket_update", {"ticket_key": {"type": "string"}}, ["ticket_key"]),  # a long poll
        ]
    )
    assert [(r.name, r.kind, r.argument) for r in found] == [
        ("get_customer", "customer", "customer_id"),
        ("get_issue", "issue", "issueKey"),
    ]
    assert found[0].params(17) == {"name": "get_customer", "arguments": {"customer_id": 17}}


def test_templates_and_prompts() -> None:
    templates = template_readers(
        [
            {"uriTemplate": "customers://{customer_id}"},
            {"uriTemplate": "customers://{customer_id}/orders"},
            {"uriTemplate": "kb://articles/{id}"},
            {"uriTemplate": "files://{path}"},
        ]
    )
    assert [(r.name, r.kind) for r in templates] == [
        ("customers://{customer_id}", "customer"),
        ("kb://articles/{id}", "article"),
    ]
    assert templates[1].params(5) == {"uri": "kb://articles/5"}
    prompts = prompt_readers(
        [{"name": "triage_ticket", "arguments": [{"name": "ticket_key", "required": True}]}]
    )
    assert prompts[0].kind == "issue"
    assert prompts[0].params("SUP-3") == {"name": "triage_ticket", "arguments": {"ticket_key": "SUP-3"}}
