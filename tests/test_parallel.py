"""`pytest suites/ -n 2` (pytest-xdist) gives the same verdicts as a serial run.

Each xdist worker starts its own server processes; findings travel to the
controller in each report's user_properties and harness/verdicts.py merges
them there. Proof, against the spec server:

- clean: the parallel run's per-rule verdicts equal the serial run's;
- with one fault: the parallel run reports exactly the fault's rule;
- neither leaves a process behind (marker scan and adopted orphans, see
  tests/servers/hostile/watch.py).
"""

from __future__ import annotations

import pytest

from tests.servers.hostile.watch import run_measured
from tests.suite_runner import spec_server_cmd

PARALLEL = ["-n", "2"]
# A fault that breaks one rule in a test of its own and in the per-frame checks of
# every test: the merged report must still name exactly that rule.
FAULT, FAULT_RULE = "RPC-02-duplicate-ids", "RPC-02"


@pytest.fixture(scope="module")
def serial_clean(tmp_path_factory):
    return run_measured(tmp_path_factory.mktemp("serial") / "out", spec_server_cmd())


def test_parallel_clean_run_matches_serial(tmp_path, serial_clean) -> None:
    parallel = run_measured(tmp_path / "out", spec_server_cmd(), extra=PARALLEL)
    serial = serial_clean
    assert serial.run.returncode == 0, serial.describe()
    assert parallel.run.returncode == 0, parallel.describe()
    assert "bringing up nodes" in parallel.run.output, parallel.describe()  # xdist really ran
    assert parallel.run.verdicts() == serial.run.verdicts(), parallel.describe()
    assert parallel.run.report["tests"] == serial.run.report["tests"]
    # Only the workers probe the server; the merged report still says what it was.
    for key in ("serverInfo", "protocolVersion", "capabilities"):
        assert parallel.run.report["server"][key] == serial.run.report["server"][key], key
    assert parallel.run.report["server"]["serverInfo"].get("name"), parallel.run.report["server"]
    assert parallel.survivors == [] and serial.survivors == [], (parallel.survivors, serial.survivors)


def test_parallel_fault_reports_exactly_its_rule(tmp_path) -> None:
    parallel = run_measured(tmp_path / "out", spec_server_cmd(FAULT), extra=PARALLEL)
    assert parallel.run.failing() == {FAULT_RULE}, parallel.describe()
    assert parallel.run.returncode == 1, parallel.describe()
    assert parallel.survivors == [], parallel.describe()


@pytest.mark.parametrize("lie", ["", "readonly-writes"])
def test_parallel_sandbox_runs_give_each_worker_its_own_database(tmp_path, lie) -> None:
    """Under -n 2 with --sandbox each worker starts its own sandbox (a copy of the template), so
    one worker's resets never undo the other's writes mid-test; a lie is still caught as its rule."""
    import sys

    from tests.suite_runner import REPO, run_suites

    suites = [str(REPO / "suites" / "test_side_effects.py"), str(REPO / "suites" / "test_security.py")]
    run = run_suites(
        tmp_path / "out",
        server_cmd=f"{sys.executable} {REPO / 'tests' / 'servers' / 'lying_server.py'}",
        extra=[*PARALLEL, "--sandbox", "local", "--server-env", f"LYING_FAULT={lie}"],
        timeout=10,
        paths=suites,
    )
    assert run.report["server"]["serverInfo"].get("name") == "lying-test-server", run.report["server"]
    if lie:
        assert run.failing() == {"SIDE-01"}, run.output
    else:
        assert "bringing up nodes" in run.output, run.output  # xdist really ran
        assert run.failing() == set() and run.returncode == 0, run.output
