"""harness/report/matrix.py: one report from a stdio run and an HTTP run of the same server.

The gate is the strictest of both (a rule failing on one transport fails, and a
baseline entry that fails on one transport only is not stale), and the matrix
keeps each transport's verdict per version: the summary's columns.
"""

from __future__ import annotations

import pytest

from harness.report.console import summary_lines
from harness.report.matrix import combine, table_lines
from harness.report.write import write_all
from tests.unit.builders import V4, V5
from tests.unit.reports import finding, make_record, report_of


def _stdio() -> dict:
    return report_of(
        [
            make_record(f"t.py::ids[{V4}]", ["RPC-08"], V4, findings=[finding("RPC-08", "fail", "dropped")]),
            make_record(f"t.py::ids[{V5}]", ["RPC-08"], V5, findings=[finding("RPC-08", "fail", "dropped")]),
            make_record(f"t.py::cap[{V4}]", ["CAP-01"], V4),
        ],
        baseline={"RPC-08"},
    )


def _http(auth_fails: bool = False) -> dict:
    auth = [finding("AUTH-01", "fail", "no 401")] if auth_fails else []
    return report_of(
        [
            make_record(f"t.py::ids[{V4}]", ["RPC-08"], V4),
            make_record(f"t.py::ids[{V5}]", ["RPC-08"], V5),
            make_record(f"t.py::auth[{V5}]", ["AUTH-01"], V5, findings=auth),
        ],
        baseline={"RPC-08"},
        command="python server.py --http --port 0",
    )


def test_columns_per_transport_and_version_and_the_strictest_gate(tmp_path):
    report = combine({"stdio": _stdio(), "http": _http()})
    assert report["columns"] == [f"stdio {V4}", f"stdio {V5}", f"http {V4}", f"http {V5}"]
    assert report["matrix"]["RPC-08"] == {
        f"stdio {V4}": "fail",
        f"stdio {V5}": "fail",
        f"http {V4}": "pass",
        f"http {V5}": "pass",
    }
    assert report["matrix"]["AUTH-01"] == {f"http {V5}": "pass"}
    rpc08 = next(r for r in report["rules"] if r["id"] == "RPC-08")
    assert rpc08["verdict"] == "fail" and rpc08["baseline"]
    assert report["gate"]["exit_code"] == 0 and report["gate"]["stale_baseline"] == []
    assert all(f["transport"] == "stdio" for f in rpc08["findings"])
    lines = summary_lines(report, str(tmp_path))
    table = table_lines(report)
    assert table[0].split() == ["stdio", "stdio", "http", "http"] and table[1].split()[0] == V4[2:]
    assert any(line.split()[:5] == ["RPC-08", "FAIL", "FAIL", "ok", "ok"] for line in table)
    assert any("(baseline)" in line for line in table) and "  " + table[0] in lines
    write_all(tmp_path, report, [])  # every renderer takes the combined report
    assert (tmp_path / "report.md").read_text().count("RPC-08") >= 1


def test_a_failure_on_one_transport_fails_the_gate():
    report = combine({"stdio": _stdio(), "http": _http(auth_fails=True)})
    assert report["gate"]["exit_code"] == 1 and report["gate"]["unexpected_failures"] == ["AUTH-01"]
    assert report["matrix"]["AUTH-01"] == {f"http {V5}": "fail"}


def test_reports_of_other_checks_are_refused():
    tool = _http()["tool"]
    other = dict(_http(), tool={**tool, "catalogue": {**tool["catalogue"], "sha256": "0" * 64}})
    with pytest.raises(ValueError, match="other checks"):
        combine({"stdio": _stdio(), "http": other})
