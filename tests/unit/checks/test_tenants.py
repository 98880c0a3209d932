"""TENANT-01..03 on hand-built reads and writes made with tenant A's token."""

from __future__ import annotations

from harness.burst import Probe
from harness.checks.tenants import other_tenant_read, other_tenant_written
from sandbox.backend import Change
from tests.unit.builders import ok, verdict

RECORDS = {
    "customer 1": {"email": "ann@a.example", "name": "Ann Lee"},
    "customer 2": {"email": "bob@b.example", "name": "Bob Ray"},
    "issue SUP-7": {"key": "SUP-7", "reporter": "bob@b.example", "summary": "Refund twice"},
}
THEIRS = {"customer 2", "issue SUP-7"}


def text(body: str, method: str = "tools/call", *, error: bool = False) -> object:
    if method == "tools/call":
        return ok({"content": [{"type": "text", "text": body}], "isError": error}, method)
    if method == "prompts/get":
        return ok({"messages": [{"role": "user", "content": {"type": "text", "text": body}}]}, method)
    return ok({"contents": [{"uri": "x", "text": body}]}, method)


def test_other_tenants_record_through_a_resource_or_prompt_is_tenant01() -> None:
    probes = [
        Probe(0, text("Ticket SUP-7: Refund twice", "prompts/get"), "issue SUP-7", "prompt 'triage'"),
        Probe(0, text("not found", "resources/read"), "customer 2", "resource 'customers://{id}'"),
    ]
    found = other_tenant_read(probes, RECORDS, THEIRS, "tenant-a")
    assert verdict(found) == [("TENANT-01", "fail")] and "prompt 'triage'" in found[0].message


def test_other_tenants_record_through_a_tool_argument_is_tenant03() -> None:
    probes = [Probe(0, text('{"name": "Bob Ray"}'), "customer 2", "tool 'get_customer'")]
    assert verdict(other_tenant_read(probes, RECORDS, THEIRS, "tenant-a")) == [("TENANT-03", "fail")]


def test_refusals_and_own_records_pass() -> None:
    probes = [
        Probe(0, text("No customer with id 2 (bob@b.example?)", error=True), "customer 2", "tool"),
        Probe(0, text("Ann Lee ann@a.example"), "customer 1", "tool"),
    ]
    assert other_tenant_read(probes, RECORDS, THEIRS, "tenant-a") == []


def test_a_write_for_another_tenant_is_tenant02_but_an_audit_row_is_not() -> None:
    written = text("created SUP-301")
    written.changes = [Change("jira", "SUP-301", "create", 1)]
    audited = text("refused", error=True)
    audited.changes = [Change("postgres", "enterprise/public.access_audit", "INSERT", 1)]
    probes = [Probe(0, audited, "customer 2", "tool 'open_ticket'")]
    assert other_tenant_written(probes, "tenant-a") == []
    probes.append(Probe(0, written, "customer 2", "tool 'open_ticket'"))
    found = other_tenant_written(probes, "tenant-a")
    assert verdict(found) == [("TENANT-02", "fail")] and "jira create SUP-301" in found[0].message
