"""Side effects proven against the sandbox (SIDE-01..04) and backend faults.

With `--sandbox`, the oracle fingerprints every backend around every request
and the per-exchange check (harness/checks/side_effects.py) judges what
changed; these tests make the calls that matter: every read-only tool with
valid and hostile arguments (hostile SQL for SQL tools), every read method,
non-destructive and idempotent tools (those need `--mcp-call-tools`).
"""

from __future__ import annotations

import pytest

from harness.checks.side_effects import not_exercised, second_call_added
from harness.property.examples import NoExample, valid_arguments
from harness.protocol.session import Session
from suites._enterprise import once_per_run

pytestmark = [pytest.mark.requires_sandbox]

SQL_WORDS = ("query", "sql", "statement")
# Statements that start like a read but write; the oracle decides, not string matching.
HOSTILE_SQL = [
    "SELECT * INTO mcp_harness_probe FROM customers LIMIT 1",
    "SELECT 1; UPDATE customers SET last_viewed = now() WHERE id = 1",
    "WITH gone AS (DELETE FROM customer_notes WHERE id IN (SELECT min(id) FROM customer_notes) "
    "RETURNING id) SELECT count(*) FROM gone",
    "WITH touched AS (UPDATE customers SET last_viewed = now() WHERE id = 2 RETURNING id) "
    "SELECT * FROM touched",
    "SELECT nextval(pg_get_serial_sequence('customers', 'id'))",
    "select 1 /* harmless? */ ; insert into customer_notes (customer_id, author, body) values (1, 'x', 'y')",
    "sElEcT 1;\nDELETE FROM customer_notes WHERE id = (SELECT max(id) FROM customer_notes)",
    "SELECT set_config('default_transaction_read_only', 'off', false); "
    "UPDATE customers SET last_viewed = now()",
    "DO $$ BEGIN UPDATE customers SET last_viewed = now() WHERE id = 3; END $$",
    "CREATE TABLE mcp_harness_probe AS SELECT 1 AS x",
    "COPY customer_notes (customer_id, author, body) FROM PROGRAM 'echo 1,x,y' WITH (FORMAT csv)",
    "SELECT * FROM customers WHERE id = 1 FOR UPDATE",
]


def _tools(session: Session) -> list[dict]:
    tools: list[dict] = []
    for _exchange, page in session.list_all("tools/list", "tools"):
        tools.extend(t for t in page if isinstance(t, dict) and isinstance(t.get("name"), str))
    return tools


def _annotations(tool: dict) -> dict:
    return tool.get("annotations") if isinstance(tool.get("annotations"), dict) else {}


def _sql_argument(tool: dict) -> str | None:
    properties = (tool.get("inputSchema") or {}).get("properties") or {}
    for name, schema in properties.items():
        if (
            isinstance(schema, dict)
            and schema.get("type") == "string"
            and any(w in name.lower() for w in SQL_WORDS)
        ):
            return name
    text = f"{tool.get('name', '')} {tool.get('description', '')}".lower()
    if "sql" in text:
        strings = [n for n, s in properties.items() if isinstance(s, dict) and s.get("type") == "string"]
        return strings[0] if len(strings) == 1 else None
    return None


def _writing_tools(session: Session, verdict, hint: str, value: bool) -> list[dict]:
    """Tools that may write and carry `hint: value`; skips (with the reason) when none or not allowed."""
    if not verdict.run.call_tools:
        pytest.skip("calling tools that write needs --mcp-call-tools")
    tools = [
        t
        for t in _tools(session)
        if _annotations(t).get(hint) is value and _annotations(t).get("readOnlyHint") is not True
    ]
    if not tools:
        pytest.skip(f"no tool is annotated {hint}: {str(value).lower()}")
    return tools


def _call(session: Session, name: str, arguments: dict) -> None:
    session.request("tools/call", {"name": name, "arguments": arguments})


@pytest.mark.rule("SIDE-01")
@pytest.mark.requires_capability("tools")
@pytest.mark.once_per_era("what the sandbox sees written")
def test_side01_read_only_tools_write_nothing(mcp_session, verdict):
    read_only = [t for t in _tools(mcp_session) if _annotations(t).get("readOnlyHint") is True]
    if not read_only:
        pytest.skip("no tool is annotated readOnlyHint: true")
    for tool in read_only:
        try:
            arguments = valid_arguments(tool.get("inputSchema"))
        except NoExample:
            arguments = {}
        _call(mcp_session, tool["name"], arguments)
        sql = _sql_argument(tool)
        if sql is not None:
            for statement in HOSTILE_SQL:
                _call(mcp_session, tool["name"], {**arguments, sql: statement})


@pytest.mark.rule("SIDE-02")
@pytest.mark.once_per_era("what the sandbox sees written")
def test_side02_reads_write_nothing(mcp_session, verdict):
    caps = mcp_session.state.capabilities
    if "tools" in caps:
        _tools(mcp_session)
    if "resources" in caps:
        listed = []
        for _exchange, page in mcp_session.list_all("resources/list", "resources"):
            listed.extend(r for r in page if isinstance(r, dict) and isinstance(r.get("uri"), str))
        for resource in listed[:20]:
            mcp_session.request("resources/read", {"uri": resource["uri"]})
        templates = []
        for _exchange, page in mcp_session.list_all("resources/templates/list", "resourceTemplates"):
            templates.extend(t for t in page if isinstance(t, dict) and isinstance(t.get("uriTemplate"), str))
        for template in templates[:10]:
            uri = _expand(template["uriTemplate"])
            mcp_session.request("resources/read", {"uri": uri})
    if "prompts" in caps:
        for _exchange, page in mcp_session.list_all("prompts/list", "prompts"):
            for prompt in page[:10]:
                if isinstance(prompt, dict) and isinstance(prompt.get("name"), str):
                    args = {
                        a["name"]: "1"
                        for a in prompt.get("arguments") or []
                        if isinstance(a, dict) and "name" in a
                    }
                    mcp_session.request("prompts/get", {"name": prompt["name"], "arguments": args})
    if not mcp_session.modern:
        mcp_session.request("ping")
        if "logging" in caps:
            mcp_session.request("logging/setLevel", {"level": "info"})


@pytest.mark.rule("SIDE-03")
@pytest.mark.requires_capability("tools")
def test_side03_non_destructive_tools_only_add(mcp_session, verdict):
    for tool in _writing_tools(mcp_session, verdict, "destructiveHint", False):
        try:
            _call(mcp_session, tool["name"], valid_arguments(tool.get("inputSchema")))
        except NoExample as exc:
            verdict.add(not_exercised(tool["name"], exc))


@pytest.mark.rule("SIDE-04")
@pytest.mark.requires_capability("tools")
@pytest.mark.requires_sandbox  # without it the server's writes go elsewhere: nothing to compare
def test_side04_idempotent_tools_twice_equals_once(mcp_session, verdict, sandbox):
    for tool in _writing_tools(mcp_session, verdict, "idempotentHint", True):
        try:
            arguments = valid_arguments(tool.get("inputSchema"))
        except NoExample:
            continue
        _call(mcp_session, tool["name"], arguments)
        after_once = sandbox.fingerprint()
        _call(mcp_session, tool["name"], arguments)
        verdict.add(second_call_added(tool["name"], sandbox.changes_since(after_once)))
        sandbox.reset()


# fault -> (backend, switches). The Jira faults reach only open-world tools (a
# closed-world tool has no business calling Jira); the database faults reach all.
BACKEND_FAULTS = {
    "jira-500": ("jira", {"status": 500}),
    "jira-429": ("jira", {"status": 429}),
    "jira-slow": ("jira", {"delay_ms": 3000}),
    "postgres-refused": ("postgres", {"refuse": True}),
    "postgres-slow": ("postgres", {"delay_ms": 1000}),
}


@pytest.mark.rule("LIVE-01", "LIVE-02")
@pytest.mark.requires_capability("tools")
@pytest.mark.requires_sandbox  # the faults are the sandbox's: a server on other backends never meets them
@pytest.mark.parametrize("fault", list(BACKEND_FAULTS))
def test_backend_faults_are_survived(mcp_session, verdict, sandbox, fault):
    """A failing backend gives an error result or a JSON-RPC error in time, and the server lives on."""
    if not verdict.run.call_tools:
        pytest.skip("calling tools that reach backends needs --mcp-call-tools")
    # a backend's failure does not depend on the protocol version: judged once, not per column
    once_per_run(verdict, "backend faults are judged")
    name, switches = BACKEND_FAULTS[fault]
    try:
        backend = sandbox.backend(name)
    except KeyError:
        backend = None
    if backend is None or not hasattr(backend, "set_faults"):
        pytest.skip(f"the sandbox runs without a {name} backend that injects faults")
    backend.set_faults(**switches)
    try:
        for tool in _tools(mcp_session):
            if name == "jira" and _annotations(tool).get("openWorldHint") is False:
                continue
            try:
                arguments = valid_arguments(tool.get("inputSchema"))
            except NoExample:
                continue
            _call(mcp_session, tool["name"], arguments)  # NoResponse -> LIVE-01, crash -> LIVE-02
    finally:
        backend.clear_faults()
    mcp_session.request(mcp_session.harmless_method, {})


def _expand(template: str) -> str:
    import re

    return re.sub(r"\{[^}]*\}", "1", template)
