"""harness/agreed_versions.py: every xdist worker of a run collects the same versions."""

from __future__ import annotations

import threading

from harness.agreed_versions import agreed, forget, published_path

ALL = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"]


def test_outside_xdist_a_run_keeps_its_own_probe(tmp_path) -> None:
    assert agreed(None, ["2025-11-25"], tmp_path) == ["2025-11-25"]
    assert list(tmp_path.iterdir()) == []


def test_a_worker_whose_probe_missed_a_version_collects_the_first_probes_list(tmp_path) -> None:
    worker = {"testrunuid": "run-1", "workerid": "gw0"}
    assert agreed(worker, ALL, tmp_path) == ALL
    assert agreed({**worker, "workerid": "gw1"}, ALL[:4], tmp_path) == ALL  # its 2026-07-28 timed out
    assert agreed({"testrunuid": "run-2"}, ALL[:4], tmp_path) == ALL[:4]  # another run: its own
    forget(worker, tmp_path)
    assert not published_path(worker, tmp_path).exists()


def test_workers_racing_to_publish_all_agree(tmp_path) -> None:
    results: list[list[str]] = []
    lists = [ALL[: n + 1] for n in range(len(ALL))]
    threads = [
        threading.Thread(target=lambda own=own: results.append(agreed({"testrunuid": "race"}, own, tmp_path)))
        for own in lists
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == len(lists) and all(r == results[0] for r in results), results
    assert [p.name for p in tmp_path.iterdir()] == [published_path({"testrunuid": "race"}, tmp_path).name]
