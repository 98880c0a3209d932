"""Build report dicts the way the plugin does (aggregate -> gate -> build_report), without pytest.

The SARIF, merge and diff tests need whole reports with chosen verdicts; going
through the real `verdicts` functions keeps them honest about the shape.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from harness.report import verdicts

COMMAND = "python server.py"


def finding(rule: str, severity: str, message: str) -> dict[str, Any]:
    return {"rule": rule, "severity": severity, "message": message, "evidence": []}


def make_record(
    nodeid: str,
    rules: list[str],
    version: str,
    *,
    findings: list[dict[str, Any]] | None = None,
    outcome: str = "passed",
    skip_reason: str = "",
) -> verdicts.TestRecord:
    """One test's record; a fail finding makes the test failed, as the plugin does."""
    found = findings or []
    if any(f["severity"] == "fail" for f in found):
        outcome = "failed"
    return verdicts.TestRecord(
        nodeid=nodeid,
        rules=rules,
        version=version,
        outcome=outcome,
        skip_reason=skip_reason,
        findings=found,
        duration=0.01,
    )


def report_of(
    records: Iterable[verdicts.TestRecord],
    *,
    baseline: set[str] | None = None,
    shard: dict[str, int] | None = None,
    command: str = COMMAND,
) -> dict[str, Any]:
    """The report.json dict of a run made of `records`."""
    baseline = baseline or set()
    by_id = {r.nodeid: r for r in records}
    config = SimpleNamespace(_mcp_shard=shard)
    collector = SimpleNamespace(records=by_id, started=time.time() - 1.0, profile=None, config=config)
    versions = sorted({r.version for r in by_id.values() if r.version})
    profile = SimpleNamespace(
        server_info={"name": "demo", "version": "1.0"},
        capabilities={"tools": {}},
        versions=versions,
        ok=True,
        reason="",
    )
    run = SimpleNamespace(
        target=SimpleNamespace(command=command, url=None, transport_kind="stdio"), _profile=profile
    )
    results = verdicts.aggregate(by_id.values(), baseline)
    gate = verdicts.gate_status(results, baseline)
    return verdicts.build_report(collector, run, results, gate, baseline)  # type: ignore[arg-type]
