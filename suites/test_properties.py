"""Property-based runs (Hypothesis): generated JSON-RPC sequences against the server.

A `RuleBasedStateMachine` (harness/machine.py) walks the whole surface the
server declared: lists and pagination with real, stale and forged cursors,
tool calls (valid generated arguments only with `--mcp-call-tools`; otherwise
arguments that must fail validation), resource reads from listed URIs and
expanded templates, prompts, completion, ping and log levels (legacy), unknown
methods and notifications, cancellation of in-flight requests, odd request ids
and malformed frames. After every step every frame is checked. A FAIL is
shrunk by Hypothesis to the fewest steps, and the frames of that minimal
example become the evidence and `failures/RULE-N.jsonl` (`mcp-harness replay`).

Profiles: `--hypothesis-profile ci|dev|thorough` (default dev).
"""

from __future__ import annotations

import hashlib

import pytest


@pytest.mark.rule(
    "RPC-01",
    "RPC-02",
    "RPC-03",
    "RPC-04",
    "RPC-05",
    "RPC-10",
    "RPC-11",
    "TOOL-05",
    "PROMPT-03",
    "LIVE-01",
    "LIVE-02",
)
@pytest.mark.once_per_era("generated traffic; the rules it judges are the same within an era")
def test_protocol_state_machine(request: pytest.FixtureRequest, verdict) -> None:
    # Hypothesis and the engine load here, not at collection (0.2 s a collection otherwise).
    from harness.property.hypothesis_profiles import (
        BUDGET_SECONDS,
        MAX_RESTARTS,
        SPEED_SCALED,
        profile_settings,
    )
    from harness.property.machine import Driver, EngineConfig, PropertyFailure, property_findings, run_machine

    run = verdict.run
    name, settings = profile_settings(request.config.getoption("hypothesis_profile", None))
    config = EngineConfig(
        call_tools=run.call_tools,
        timeout=run.timeout,
        max_restarts=MAX_RESTARTS.get(name, 15),
        budget_seconds=BUDGET_SECONDS.get(name, 60.0),
        secrets=run.secrets(),
        planned_steps=settings.max_examples * settings.stateful_step_count if SPEED_SCALED.get(name) else 0,
    )
    try:
        driver = Driver(lambda: run.connect(verdict.version), config)
    except PropertyFailure as exc:  # the listing itself hung or killed the server
        verdict.add(exc.findings)
        return
    seed = _seed(request)
    key = hashlib.sha256(f"{run.target.describe()}|{verdict.version}|{name}".encode()).digest()
    try:
        result = run_machine(driver, settings, seed=seed, database_key=key)
    finally:
        driver.close()
    request.node.user_properties.append(
        (
            "mcp_property_stats",
            f"{result.examples} examples, {result.steps} steps, {result.restarts} restarts, "
            f"{result.seconds:.1f}s, profile {name}",
        )
    )
    verdict.add(property_findings(result))
    if result.error is not None:
        raise result.error


def _seed(request: pytest.FixtureRequest) -> int:
    """`--hypothesis-seed` when given, else a fresh one (recorded with any failure)."""
    given = request.config.getoption("hypothesis_seed", None)
    if given is not None:
        try:
            return int(given)
        except ValueError:
            return int(hashlib.sha256(str(given).encode()).hexdigest()[:8], 16)
    import secrets

    return secrets.randbits(32)
