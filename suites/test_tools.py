"""Tools (TOOL-*), on any server: the server's own tools are discovered with
`tools/list` (every page), never assumed.

Side effects: without `--mcp-call-tools` a tool is only ever called with
arguments that fail its inputSchema (a validating server never runs it);
tests that need successful calls are skipped with that reason. Valid
arguments come from `harness.property.examples`, checked against the schema first.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.checks import tools as checks
from harness.property.examples import (
    NoExample,
    hostile_arguments,
    invalid_arguments,
    safe_arguments,
    valid_arguments,
)
from harness.protocol.session import DROP_GRACE, Exchange, NoResponse, Session
from harness.transport.base import ServerGone
from suites._support import call_tool, harmless, list_tools

pytestmark = pytest.mark.requires_capability("tools")

NEEDS_CALLS = "needs successful tool calls: rerun with --mcp-call-tools (valid calls may have side effects)"
UNKNOWN_TOOL = "__mcp_harness_no_such_tool__"


def discovered(session: Session) -> list[dict[str, Any]]:
    """The listed tools that are well-formed enough to call (TOOL-01 judges the rest)."""
    tools, pages = list_tools(session)
    if not pages or not all(page.ok for page in pages):
        pytest.skip("tools/list did not answer with a result (reported under CAP-01)")
    return [t for t in tools if isinstance(t, dict) and isinstance(t.get("name"), str)]


def successful_calls(session: Session, verdict: Any, rule: str) -> list[tuple[dict[str, Any], Exchange]]:
    """Call every tool once with generated valid arguments (only with --mcp-call-tools)."""
    if not verdict.run.call_tools:
        pytest.skip(NEEDS_CALLS)
    return successful_calls_of(session, verdict, discovered(session), rule)


@pytest.mark.rule("TOOL-01")
def test_tool01_tools_list_shape(mcp_session, verdict):
    pages = 0
    for exchange, items in mcp_session.list_all("tools/list", "tools"):
        pages += 1
        if not exchange.ok:
            pytest.skip("tools/list did not answer with a result (reported under CAP-01)")
        verdict.add(checks.tool_list_shape(items, exchange))
    assert pages


@pytest.mark.rule("TOOL-02")
def test_tool02_schemas_are_valid_json_schemas(mcp_session, verdict):
    for tool in discovered(mcp_session):
        verdict.add(checks.tool_schemas_valid(tool, verdict.version))


@pytest.mark.rule("TOOL-03")
@pytest.mark.versions("2025-06-18", "2025-11-25")
def test_tool03_output_schema_is_an_object_schema(mcp_session, verdict):
    for tool in discovered(mcp_session):
        verdict.add(checks.output_schema_type(tool, verdict.version))


@pytest.mark.rule("TOOL-03")
@pytest.mark.versions("2025-06-18", "2025-11-25", "2026-07-28")
def test_tool03_structured_content_matches_output_schema(mcp_session, verdict):
    with_schema = [t for t in discovered(mcp_session) if "outputSchema" in t]
    if not with_schema:
        pytest.skip("no tool declares an outputSchema")
    for tool, exchange in successful_calls_of(mcp_session, verdict, with_schema, "TOOL-03"):
        verdict.add(checks.structured_content(tool, exchange, verdict.version))


@pytest.mark.rule("TOOL-04")
@pytest.mark.versions("2025-06-18", "2025-11-25", "2026-07-28")
def test_tool04_structured_content_has_a_text_copy(mcp_session, verdict):
    for tool, exchange in successful_calls(mcp_session, verdict, "TOOL-04"):
        verdict.add(checks.text_copy(tool, exchange))


@pytest.mark.rule("TOOL-05")
def test_tool05_unknown_tool_is_a_protocol_error(mcp_session, verdict):
    names = {t["name"] for t in discovered(mcp_session)}
    name = UNKNOWN_TOOL if UNKNOWN_TOOL not in names else UNKNOWN_TOOL + "_2"
    verdict.add(checks.unknown_tool(call_tool(mcp_session, name, {}), name))


@pytest.mark.rule("TOOL-06")
def test_tool06_invalid_arguments_are_refused(mcp_session, verdict):
    sent = 0
    for tool in discovered(mcp_session):
        for arguments in invalid_arguments(tool.get("inputSchema")):
            exchange = call_tool(mcp_session, tool["name"], arguments.value)
            verdict.add(checks.invalid_arguments_answer(tool, exchange, arguments.label, verdict.version))
            sent += 1
    if not sent:
        pytest.skip("no tool has a required or typed property to break")


@pytest.mark.rule("TOOL-07")
def test_tool07_error_results_have_content(mcp_session, verdict):
    exchanges: list[tuple[dict[str, Any], Exchange]] = []
    tools = discovered(mcp_session)
    for tool in tools:
        for arguments in invalid_arguments(tool.get("inputSchema"))[:1]:
            exchanges.append((tool, call_tool(mcp_session, tool["name"], arguments.value)))
    if verdict.run.call_tools:
        exchanges += successful_calls_of(mcp_session, verdict, tools, "TOOL-07", skip=False)
    errors = [(t, e) for t, e in exchanges if checks.is_call_result(e) and e.result.get("isError") is True]
    if not errors:
        pytest.skip(
            "no call produced an isError result" + ("" if verdict.run.call_tools else f"; {NEEDS_CALLS}")
        )
    for tool, exchange in errors:
        verdict.add(checks.error_result_shape(tool, exchange))


@pytest.mark.rule("TOOL-08")
@pytest.mark.versions("2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28")
def test_tool08_annotations_are_typed_hints(mcp_session, verdict):
    for tool in discovered(mcp_session):
        verdict.add(checks.annotation_types(tool))


@pytest.mark.rule("TOOL-09")
@pytest.mark.versions("2025-11-25", "2026-07-28")
def test_tool09_names_are_well_formed_and_unique(mcp_session, verdict):
    pages = list(mcp_session.list_all("tools/list", "tools"))
    if not pages or not all(exchange.ok for exchange, _items in pages):
        pytest.skip("tools/list did not answer with a result (reported under CAP-01)")
    verdict.add(checks.tool_names(checks.distinct_listing([items for _exchange, items in pages])))


@pytest.mark.rule("TOOL-11")
@pytest.mark.versions("2026-07-28")
def test_tool11_lists_do_not_change_after_calls(mcp_connect, verdict):
    session = mcp_connect()  # a fresh server process on stdio: no earlier calls
    families = [
        (family, method, key)
        for family, method, key in (
            ("tools", "tools/list", "tools"),
            ("resources", "resources/list", "resources"),
            ("prompts", "prompts/list", "prompts"),
        )
        if family in session.state.capabilities
    ]
    before = {method: _all_items(session, method, key) for _f, method, key in families}
    tools = [
        t for t in before.get("tools/list") or [] if isinstance(t, dict) and isinstance(t.get("name"), str)
    ]
    if not tools:
        pytest.skip("no tool to call between the two listings")
    tool = tools[0]
    arguments = safe_arguments(tool.get("inputSchema"), call_tools=verdict.run.call_tools)
    if arguments is None:
        pytest.skip(f"tool {tool['name']!r} cannot be called safely: no invalid arguments could be built")
    call_tool(session, tool["name"], arguments)
    for _family, method, key in families:
        after = _all_items(session, method, key)
        if before[method] is not None and after is not None:
            verdict.add(checks.list_stable(before[method], after, f"a call of {tool['name']!r}", method))


@pytest.mark.rule("TOOL-12")
def test_tool12_image_audio_and_link_blocks(mcp_session, verdict):
    for tool, exchange in successful_calls(mcp_session, verdict, "TOOL-12"):
        verdict.add(checks.content_blocks(tool, exchange, verdict.version))


@pytest.mark.rule("TOOL-13")
@pytest.mark.versions("2025-06-18", "2025-11-25", "2026-07-28")
def test_tool13_embedded_resources_need_the_capability(mcp_session, verdict):
    for tool, exchange in successful_calls(mcp_session, verdict, "TOOL-13"):
        verdict.add(checks.embedded_resources(tool, exchange, mcp_session.state.capabilities))


@pytest.mark.rule("TOOL-14", "LIVE-01")
@pytest.mark.once_per_era("hostile argument values")
def test_tool14_hostile_arguments_are_refused_and_survived(mcp_session, verdict):
    sent = 0
    for tool in discovered(mcp_session):
        schema = tool.get("inputSchema")
        cases = [a for a in hostile_arguments(schema) if verdict.run.call_tools or not a.valid]
        baseline = safe_arguments(schema, call_tools=verdict.run.call_tools)
        if not cases:
            continue  # (without --mcp-call-tools only arguments the schema forbids are sent)
        if baseline is not None:
            call_tool(mcp_session, tool["name"], baseline)  # a hang or crash here is LIVE-*, not TOOL-14
        for arguments in cases:
            what = f"tool {tool['name']!r} with {arguments.label}"
            try:
                grace = None if arguments.valid else DROP_GRACE
                exchange = call_tool(mcp_session, tool["name"], arguments.value, drop_grace=grace)
            except ServerGone:
                verdict.add(checks.hostile_killed(what))
                raise  # and LIVE-02
            except NoResponse as silence:
                mcp_session.abandon([silence.exchange])  # a late answer is accepted quietly
                verdict.add(checks.hostile_unanswered(what, silence))
                return  # one unanswered request is evidence enough; more would only add timeouts
            verdict.add(checks.hostile_answer(tool, exchange, arguments.label, arguments.valid))
            sent += 1
    if not sent:
        pytest.skip("no hostile arguments could be sent without --mcp-call-tools")
    harmless(mcp_session)  # still alive (LIVE-02 otherwise)


@pytest.mark.rule("TOOL-15")
@pytest.mark.versions("2026-07-28")
def test_tool15_x_mcp_header_annotations(mcp_session, verdict):
    for tool in discovered(mcp_session):
        verdict.add(checks.header_annotations(tool))


# --------------------------------------------------------------------------- helpers


def successful_calls_of(
    session: Session, verdict: Any, tools: list[dict[str, Any]], rule: str, *, skip: bool = True
) -> list[tuple[dict[str, Any], Exchange]]:
    """Call each of `tools` once with valid example arguments (only with --mcp-call-tools)."""
    if not verdict.run.call_tools:
        pytest.skip(NEEDS_CALLS)
    calls = []
    for tool in tools:
        try:
            arguments = valid_arguments(tool.get("inputSchema"))
        except NoExample as why:
            verdict.add(checks.not_called(rule, tool["name"], why))
            continue
        calls.append((tool, call_tool(session, tool["name"], arguments)))
    if not calls and skip:
        pytest.skip("no tool could be given valid example arguments")
    return calls


def _all_items(session: Session, method: str, key: str) -> list[Any] | None:
    items: list[Any] = []
    for exchange, page in session.list_all(method, key):
        if not exchange.ok:
            return None
        items.extend(page)
    return items
