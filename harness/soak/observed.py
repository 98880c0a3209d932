"""One soak with its witnesses: the run, the samples, and what the backend says was written.

The suite (SLO-01..03) and `bench/bench_soak.py` judge the same things, so they take
their evidence from here: a copy of this block in each once counted created issues
two ways. Backend objects are passed in (the sandbox, its records, chaos and the
connection counter), so the harness layer imports no backend driver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.protocol.session import Session
from harness.soak.driver import Call, Profile, SoakRun, run
from harness.soak.mix import acknowledged_keys
from harness.soak.sampler import Sample, Sampler

CREATED = ("create", "insert", "post")  # change operations that add something


@dataclass
class Observed:
    soak: SoakRun
    samples: list[Sample]
    acknowledged: int  # writes the server said it made
    missing: list[str]  # of those, keys the backend does not have
    created: int  # objects the backend saw created during the soak


def soak_observed(
    session: Session,
    calls: list[Call],
    profile: Profile,
    *,
    pid: int | None,
    sandbox: Any,
    records: Any,
    chaos: Any,
    counter: Any,
) -> Observed:
    """Run the soak with the sampler on, then ask the backend for every acknowledged write."""
    before = sandbox.fingerprint()
    sampler = Sampler(pid, lambda: len(session.exchanges), counter.count, interval=profile.sample_every)
    try:
        sampler.start()
        soak = run(session, calls, profile, chaos)
    finally:
        samples = sampler.stop()
        counter.close()
    acknowledged, keys = acknowledged_keys(soak.outcomes)
    found = {r.label() for r in records.get("issue", sorted(keys))} if keys else set()
    missing = sorted(k for k in keys if f"issue {k}" not in found)
    changes = sandbox.changes_since(before)
    created = sum(c.count for c in changes if any(word in str(c.operation).lower() for word in CREATED))
    return Observed(soak, samples, acknowledged, missing, created)
