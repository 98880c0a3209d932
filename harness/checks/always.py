"""The always-on checks: what the judge runs over every watched slice of frames.

Each is a thin adapter from a `SessionView` to one check module, registered
with the rules it reports. The order here is the order of the findings.
"""

from __future__ import annotations

from harness.checks import frames as frame_checks
from harness.checks.jsonrpc import id_echo, phantom_responses
from harness.checks.registry import SessionView, check
from harness.checks.secrets import error_hygiene, leaks
from harness.checks.side_effects import side_effects
from harness.checks.stdio import stdout_hygiene
from harness.findings import Finding, warn

FRAME_RULES = tuple(
    sorted(
        {
            "RPC-01",
            "RPC-04",
            "RPC-06",
            "RPC-13",
            "RPC-14",
            "CAP-02",
            "CAP-03",
            "CAP-04",
            "VER-07",
            *frame_checks.SCHEMA_RULE_BY_METHOD.values(),
            *frame_checks.SCHEMA_RULE_BY_NOTIFICATION.values(),
            *frame_checks.FIELD_RULES.values(),
            *(rule for _pattern, rule in frame_checks.PATH_RULES),
        }
    )
)


@check(*FRAME_RULES, always=True)
def every_frame(view: SessionView) -> list[Finding]:
    """Each frame: envelope, schema of its method, capabilities, server request ids."""
    session = view.session
    return frame_checks.check_frames(
        view.received,
        version=view.version,
        era=view.era,
        client_capabilities=session.client_capabilities,
        server_capabilities=session.state.capabilities,
        seen_server_request_ids=view.seen_server_request_ids,
    )


@check("SEC-01", always=True)
def no_secret_leaks(view: SessionView) -> list[Finding]:
    """SEC-01: no frame carries a secret the server was given (sandbox canaries, tokens)."""
    return leaks(view.server_frames, view.secrets)


@check("SEC-02", always=True)
def clean_errors(view: SessionView) -> list[Finding]:
    """SEC-02: error messages carry no stack traces or internals."""
    return error_hygiene(view.server_frames)


@check("RPC-02", always=True)
def ids_echoed(view: SessionView) -> list[Finding]:
    """RPC-02: every response echoes its request's id; none answers an id never sent."""
    found: list[Finding] = []
    for exchange in view.exchanges:
        found += id_echo(exchange)
    return found + phantom_responses(view.unmatched)


@check("SIDE-01", "SIDE-02", "SIDE-03", always=True)
def promises_kept(view: SessionView) -> list[Finding]:
    """SIDE-01..03: what the sandbox saw change fits the tool's hints (only with --sandbox)."""
    found: list[Finding] = []
    for exchange in view.exchanges:
        found += side_effects(exchange, view.session.tools)
    return found


@check("STDIO-01", "STDIO-02", "STDIO-04", always=True)
def clean_stdout(view: SessionView) -> list[Finding]:
    """STDIO-01/02/04: stdout carries only UTF-8 JSON-RPC messages, one per line."""
    if view.session.transport.kind != "stdio":
        return []
    return stdout_hygiene(view.transcript_frames)


@check("LIVE-01", always=True)
def slow_but_alive(view: SessionView) -> list[Finding]:
    """LIVE-01 (WARN): a request answered only after the timeout, while the server kept
    answering pings: slow, not dead (`Session.wait` waits such a request up to a cap)."""
    return [
        warn(
            "LIVE-01",
            f"{exchange.method!r} (id {exchange.id!r}) was answered only after {exchange.elapsed or 0:.1f}s, "
            "past the timeout; the server answered pings meanwhile (slow, not hung)",
            exchange.request,
        )
        for exchange in view.exchanges
        if exchange.slow
    ]
