"""Tenant isolation (TENANT-01..03): with tenant A's token, nothing of tenant B's.

The sandbox's identity provider has two tenant users (sandbox/tenants.py): two
customers of the seed, with their orders and the Jira issues they reported;
their tokens carry the standard `email` claim and a customer user's scopes.
With A's token the harness first reads A's own records (the positive control:
a server that shows A nothing has not understood the tenant users, and is not
judged), then asks for B's through every resource, prompt and tool that reads a
record by id, writes on B's behalf, and names B in tool arguments. The sandbox
knows B's records, so a reply is read for whose data it carries; the oracle
sees every write. HTTP only (tenants are told apart by their tokens), and only
with the sandbox (its IdP mints the tokens, its records are the evidence).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from harness.burst import Probe
from harness.checks.concurrency import markers, quotes_own
from harness.checks.tenants import labelled, other_tenant_read, other_tenant_written
from harness.property.examples import NoExample, valid_arguments
from harness.protocol.session import Session
from harness.readers import Reader, find_readers, kind_of

if TYPE_CHECKING:  # the sandbox modules import psycopg, Faker and PyJWT: only when a test runs
    from sandbox.records import Record, Records
    from sandbox.tenants import Tenant

pytestmark = [pytest.mark.requires_sandbox, pytest.mark.transport("http")]

ISSUES_READ = 2  # of each tenant's reported issues
IDENTITY_ARGS = ("tenant", "tenant_id", "user", "user_id", "username", "email", "account_id", "on_behalf_of")
NOT_PROTECTED = "the server is not protected (no 401 without a token): tenants are told apart by their tokens"
NOT_MAPPED = (
    "with tenant A's token the server shows none of A's own records: it does not map the sandbox's tenant "
    "users (their `email` claim) to customers, so isolation cannot be judged"
)


@dataclass
class Tenancy:
    """Tenant A's session and readers, and both tenants' records."""

    session: Session
    a: Tenant
    b: Tenant
    readers: list[Reader]  # the readers that showed A its own record
    mine: dict[str, list[Record]]  # kind -> A's records
    theirs: dict[str, list[Record]]  # kind -> B's records

    @property
    def records(self) -> dict[str, dict[str, str]]:
        return labelled([r for group in (self.mine, self.theirs) for rs in group.values() for r in rs])

    @property
    def their_labels(self) -> set[str]:
        return {r.label() for rs in self.theirs.values() for r in rs}


def _records(records: Records, tenant: Tenant) -> dict[str, list[Record]]:
    return {
        "customer": records.get("customer", [tenant.customer_id]),
        "issue": records.get("issue", tenant.issues[:ISSUES_READ]),
    }


def as_tenant_a(verdict: Any, sandbox: Any, mcp_connect: Any) -> Tenancy:
    """Tenant A's opened session, with the readers that show A its own records; else a skip."""
    auth = verdict.run.auth
    if auth is None or not auth.protected:
        pytest.skip(NOT_PROTECTED)
    try:
        sandbox.backend("idp")
    except KeyError:
        pytest.skip("the sandbox runs without its identity provider")
    from sandbox.records import Records
    from sandbox.tenants import tenants, token

    a, b = tenants(sandbox)
    session = mcp_connect(open=False)
    session.http.base_headers["Authorization"] = f"Bearer {token(sandbox, a, verdict.run.target.url)}"
    if not session.open(verdict.version).ok:
        pytest.skip(f"the server refused to open a session with tenant A's token ({a.label()})")
    records = Records(sandbox)
    mine, theirs = _records(records, a), _records(records, b)
    setup = Tenancy(session, a, b, [], mine, theirs)
    marks = markers(setup.records)
    for reader in find_readers(session, call_tools=True):
        own = mine.get(reader.kind) or []
        if own and quotes_own(
            session.request(reader.method, reader.params(own[0].key)), own[0].label(), marks
        ):
            setup.readers.append(reader)
    if not setup.readers:
        pytest.skip(NOT_MAPPED)
    return setup


def _read_theirs(setup: Tenancy, readers: list[Reader]) -> list[Probe]:
    probes = []
    for reader in readers:
        for record in setup.theirs.get(reader.kind, []):
            exchange = setup.session.request(reader.method, reader.params(record.key))
            probes.append(Probe(0, exchange, record.label(), reader.describe()))
    return probes


@pytest.mark.rule("TENANT-01")
@pytest.mark.once_per_era("tenant isolation of records")
def test_tenant01_resources_and_prompts_keep_other_tenants_records(verdict, sandbox, mcp_connect):
    setup = as_tenant_a(verdict, sandbox, mcp_connect)
    readers = [r for r in setup.readers if r.method != "tools/call"]
    if not readers:
        pytest.skip("no resource or prompt shows tenant A its own record")
    probes = _read_theirs(setup, readers)
    verdict.add(other_tenant_read(probes, setup.records, setup.their_labels, setup.a.label()))


@pytest.mark.rule("TENANT-03")
@pytest.mark.once_per_era("tenant isolation of records")
def test_tenant03_tool_arguments_naming_another_tenant_do_not_override_the_token(
    verdict, sandbox, mcp_connect
):
    setup = as_tenant_a(verdict, sandbox, mcp_connect)
    readers = [r for r in setup.readers if r.method == "tools/call"]
    if not readers:
        pytest.skip("no tool shows tenant A its own record")
    probes = _read_theirs(setup, readers)  # B's id as the tool's own record argument
    tools = setup.session.tools
    for reader in readers:  # and every argument that names a user or tenant, set to B
        props = ((tools.get(reader.name) or {}).get("inputSchema") or {}).get("properties") or {}
        own = setup.mine[reader.kind][0]
        for name in props:
            if name.lower() in IDENTITY_ARGS and name != reader.argument:
                value: Any = setup.b.email if "mail" in name.lower() else setup.b.customer_id
                if (props[name] or {}).get("type") == "string":
                    value = str(value)
                exchange = setup.session.request(reader.method, reader.params(own.key, **{name: value}))
                probes.append(Probe(0, exchange, f"{own.label()} with {name}={value}", reader.describe()))
    verdict.add(other_tenant_read(probes, setup.records, setup.their_labels, setup.a.label()))


@pytest.mark.rule("TENANT-02")
@pytest.mark.once_per_era("tenant isolation of records")
def test_tenant02_nothing_is_written_for_another_tenant(verdict, sandbox, mcp_connect):
    setup = as_tenant_a(verdict, sandbox, mcp_connect)
    probes = []
    for tool in setup.session.tools.values():
        annotations = tool.get("annotations") if isinstance(tool.get("annotations"), dict) else {}
        if annotations.get("readOnlyHint") is True:
            continue
        schema = tool.get("inputSchema") if isinstance(tool.get("inputSchema"), dict) else {}
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        names = [n for n, spec in props.items() if isinstance(spec, dict) and spec.get("type") == "integer"]
        target = next((n for n in names if kind_of(n) == "customer"), None)
        if target is None:
            continue
        try:
            arguments = valid_arguments(schema)
        except NoExample:
            continue
        arguments[target] = setup.b.customer_id
        exchange = setup.session.request("tools/call", {"name": tool["name"], "arguments": arguments})
        probes.append(Probe(0, exchange, f"customer {setup.b.customer_id}", f"tool {tool['name']!r}"))
    if not probes:
        pytest.skip("no tool that may write names a customer: nothing to write on another tenant's behalf")
    verdict.add(other_tenant_written(probes, setup.a.label()))
