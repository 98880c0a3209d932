"""Gates the enterprise-oracle suites share (CONC, SLO, backend faults).

Why: load and soak judge how the server behaves under many calls, not how it
speaks one protocol version; under `--protocol-version all` they would repeat
the same minutes of load once per version column. They run once per run (per
transport), at the newest version the server speaks, and say so when skipped.
"""

from __future__ import annotations

from typing import Any

import pytest


def once_per_run(verdict: Any, what: str = "load runs") -> None:
    """Skip unless this is the newest protocol version the run covers."""
    versions = list(verdict.profile.versions or [])
    if len(versions) > 1 and verdict.version != versions[-1]:
        pytest.skip(f"{what} once per run, at the newest version the server speaks ({versions[-1]})")
