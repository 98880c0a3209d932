"""report.sarif: valid against the official SARIF 2.1.0 schema, one result per failing rule and version.

The schema is the OASIS errata01 `sarif-schema-2.1.0.json`, vendored in
tests/data/ (provenance in tests/data/SARIF-SCHEMA.md); `jsonschema` checks it
with the draft-04 validator the schema itself declares.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from harness.report.sarif import STAND_IN, render_sarif, server_anchor
from harness.report.stamp import catalogue_digest
from harness.report.write import write_all
from tests.unit.builders import V3, V4
from tests.unit.reports import finding, make_record, report_of

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    raw = SCHEMA_FILE.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256, "the vendored SARIF schema was changed"
    schema = json.loads(raw)
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def two_version_report(baseline: set[str] | None = None) -> dict:
    """RPC-02 fails at V4 only, SEC-02 warns at V3 and V4, TOOL-01 passes everywhere."""
    records = []
    for version in (V3, V4):
        bad = [finding("RPC-02", "fail", "id 1 answered with '1'")] if version == V4 else []
        records += [
            make_record(f"suites/test_jsonrpc.py::test_ids[{version}]", ["RPC-02"], version, findings=bad),
            make_record(
                f"suites/test_security.py::test_errors[{version}]",
                ["SEC-02"],
                version,
                findings=[finding("SEC-02", "warn", "error message carries a stack trace")],
            ),
            make_record(f"suites/test_tools.py::test_list[{version}]", ["TOOL-01"], version),
        ]
    return report_of(records, baseline=baseline)


def test_sarif_is_valid_and_has_one_result_per_problem_rule_and_version(validator) -> None:
    log = render_sarif(two_version_report())
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, errors[0].message
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["properties"]["protocolVersion"], r["level"]) for r in results] == [
        ("RPC-02", V4, "error"),
        ("SEC-02", V3, "warning"),
        ("SEC-02", V4, "warning"),
    ]
    assert results[0]["message"]["text"] == f"RPC-02 at {V4}: id 1 answered with '1'"
    assert len({r["partialFingerprints"]["mcpHarnessRuleVersion/v1"] for r in results}) == 3


def test_sarif_driver_names_the_rules_with_spec_links_and_the_catalogue(validator) -> None:
    log = render_sarif(two_version_report())
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "mcp-harness" and driver["version"]
    assert driver["properties"]["catalogue"]["sha256"] == catalogue_digest()
    rules = {r["id"]: r for r in driver["rules"]}
    assert set(rules) == {"RPC-02", "SEC-02"}  # only the rules that have results
    assert (
        rules["RPC-02"]["helpUri"] == "https://modelcontextprotocol.io/specification/2026-07-28/basic/index"
    )
    assert rules["RPC-02"]["defaultConfiguration"]["level"] == "error"
    assert rules["SEC-02"]["defaultConfiguration"]["level"] == "warning"
    result = log["runs"][0]["results"][0]
    assert (
        result["properties"]["helpUri"] == f"https://modelcontextprotocol.io/specification/{V4}/basic/index"
    )


def test_a_clean_run_is_a_valid_log_without_results(validator) -> None:
    clean = report_of([make_record("suites/test_tools.py::test_list", ["TOOL-01"], V4)])
    log = render_sarif(clean)
    assert not list(validator.iter_errors(log))
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def test_baselined_failures_are_suppressed_not_dropped(validator) -> None:
    log = render_sarif(two_version_report(baseline={"RPC-02"}))
    assert not list(validator.iter_errors(log))
    rpc = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "RPC-02")
    assert rpc["suppressions"] == [{"kind": "external", "justification": "listed in the CI baseline"}]


def test_results_point_at_the_server_entry_point(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "srv").mkdir()
    assert server_anchor({"command": "python srv/server.py --port 3"}) == "srv/server.py"
    assert server_anchor({"command": f"python {tmp_path}/srv"}) == "srv"
    assert server_anchor({"command": "npx -y @modelcontextprotocol/server-everything"}) == STAND_IN
    assert server_anchor({"url": "http://127.0.0.1:8000/mcp"}) == STAND_IN


def test_write_all_writes_report_sarif_beside_the_others(tmp_path: Path, validator) -> None:
    write_all(tmp_path, two_version_report(), [])
    log = json.loads((tmp_path / "report.sarif").read_text(encoding="utf-8"))
    assert not list(validator.iter_errors(log))
    assert (
        log["runs"][0]["results"][0]["properties"]["replay"] == "mcp-harness replay failures/RPC-02-1.jsonl"
    )
    stamp = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["tool"]
    assert stamp["catalogue"]["sha256"] == catalogue_digest() and stamp["version"]
