"""Find out, once per run, which era and versions the server speaks (HARN-01/02/03).

The answer decides which rules apply. A server that cannot be brought to a
working first exchange is *not verified*: that is reported as such, never as
a protocol failure (HARN-03).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.protocol.session import LATEST_LEGACY, MODERN, NoResponse, ServerState, Session
from harness.protocol.target import ServerTarget
from harness.protocol.versions import ALL_VERSIONS, LEGACY_VERSIONS, is_modern
from harness.transport.base import TransportError
from harness.transport.transcript import Transcript, render

DISCOVER_PROBE_TIMEOUT = 5.0
# A version whose probe met silence or a broken connection (not a refusal) is tried once more: on
# a loaded machine (every xdist worker probes at once, each starting servers) a slow first answer
# must not drop a version the server speaks. Once, not more: a server that hangs on a version it
# does not speak costs one more timeout per such version.
TRANSIENT_RETRIES = 1


@dataclass
class ServerProfile:
    ok: bool
    versions: list[str] = field(default_factory=list)
    reason: str = ""
    server_info: dict[str, Any] = field(default_factory=dict)
    capabilities: dict[str, Any] = field(default_factory=dict)
    capabilities_by_version: dict[str, dict[str, Any]] = field(default_factory=dict)
    transcript: str = ""
    notes: list[str] = field(default_factory=list)
    transient: bool = False  # failed by silence or a broken connection, not by a refusal: worth a retry


def probe(target: ServerTarget, requested: str, timeout: float) -> ServerProfile:
    """Probe the server for the versions to run: `latest`, `all` or one exact version."""
    try:
        target.prepare()
    except TransportError as exc:
        return ServerProfile(ok=False, reason=str(exc), transcript=target.launched_stderr)
    if requested == "all":
        return _probe_all(target, timeout)
    if requested == "latest":
        return _probe_latest(target, timeout)
    if requested not in ALL_VERSIONS:
        return ServerProfile(ok=False, reason=f"unknown protocol version {requested!r}")
    return _probe_exact(target, requested, timeout)


def _probe_latest(target: ServerTarget, timeout: float) -> ServerProfile:
    modern = _try_modern(target, min(timeout, DISCOVER_PROBE_TIMEOUT))
    if modern.ok:
        return modern
    legacy = _try_legacy(target, LATEST_LEGACY, timeout, accept_counter_offer=True)
    if not legacy.ok:
        legacy.notes = modern.notes + legacy.notes
    return legacy


def _probe_exact(target: ServerTarget, version: str, timeout: float) -> ServerProfile:
    if is_modern(version):
        modern = _try_modern(target, timeout)
        if modern.ok:
            return modern
        served = _try_modern_without_discover(target, timeout)
        if not served.ok:
            served.notes = modern.notes + served.notes
            served.reason = f"{modern.reason}; {served.reason}"
            served.transient = modern.transient or served.transient
        return served
    return _try_legacy(target, version, timeout, accept_counter_offer=False)


def _probe_all(target: ServerTarget, timeout: float) -> ServerProfile:
    merged = ServerProfile(ok=False)
    reasons = []
    for version in ALL_VERSIONS:
        found = _probe_exact(target, version, timeout)
        for attempt in range(1, TRANSIENT_RETRIES + 1):
            if found.ok or not found.transient:
                break
            merged.notes.append(f"{version}: {found.reason} (tried again, {attempt} of {TRANSIENT_RETRIES})")
            found = _probe_exact(target, version, timeout)
        if found.ok:
            merged.ok = True
            merged.versions.append(version)
            merged.capabilities_by_version[version] = found.capabilities
            merged.server_info = merged.server_info or found.server_info
            merged.capabilities = found.capabilities
        else:
            reasons.append(f"{version}: {found.reason}")
            merged.transcript = merged.transcript or found.transcript
    if not merged.ok:
        merged.reason = "no protocol version worked: " + "; ".join(reasons)
    merged.notes += reasons
    return merged


def _try_modern(target: ServerTarget, timeout: float) -> ServerProfile:
    transcript = Transcript()
    try:
        transport = target.connect(transcript)
    except TransportError as exc:
        return ServerProfile(ok=False, reason=str(exc))
    session = Session(transport, timeout=timeout)
    try:
        exchange = session.discover(MODERN, timeout=timeout)
    except (NoResponse, TransportError) as exc:
        session.close()
        return ServerProfile(
            ok=False, reason=f"server/discover: {exc}", transcript=render(transcript.frames), transient=True
        )
    session.close()
    result = exchange.result if isinstance(exchange.result, dict) else None
    supported = result.get("supportedVersions") if result else None
    if result is not None and isinstance(supported, list) and MODERN in supported:
        return ServerProfile(
            ok=True,
            versions=[MODERN],
            server_info=session.state.server_info,
            capabilities=session.state.capabilities,
            capabilities_by_version={MODERN: session.state.capabilities},
        )
    why = f"server/discover answered {exchange.response!r:.200}" if exchange.response else "no answer"
    return ServerProfile(ok=False, reason=why, notes=[why], transcript=render(transcript.frames))


def _try_legacy(
    target: ServerTarget, version: str, timeout: float, *, accept_counter_offer: bool
) -> ServerProfile:
    transcript = Transcript()
    try:
        transport = target.connect(transcript)
    except TransportError as exc:
        return ServerProfile(ok=False, reason=str(exc), transcript=render(transcript.frames))
    session = Session(transport, timeout=timeout)
    try:
        exchange = session.initialize(version, timeout=timeout)
    except (NoResponse, TransportError) as exc:
        session.close()
        return ServerProfile(
            ok=False, reason=f"initialize: {exc}", transcript=render(transcript.frames), transient=True
        )
    session.close()
    if not exchange.ok:
        return ServerProfile(
            ok=False,
            reason=f"initialize({version}) was refused: {exchange.response or exchange.failure!r:.300}",
            transcript=render(transcript.frames),
        )
    negotiated = session.state.protocol_version
    if negotiated not in LEGACY_VERSIONS or (negotiated != version and not accept_counter_offer):
        return ServerProfile(
            ok=False,
            reason=f"asked for {version}, server answered protocolVersion {negotiated!r}",
            transcript=render(transcript.frames),
        )
    return ServerProfile(
        ok=True,
        versions=[negotiated],
        server_info=session.state.server_info,
        capabilities=session.state.capabilities,
        capabilities_by_version={negotiated: session.state.capabilities},
    )


# Methods tried, in order, when the user asked for the stateless era and
# server/discover is missing or broken; the family each one proves.
_MODERN_FALLBACK = (("tools/list", "tools"), ("resources/list", "resources"), ("prompts/list", "prompts"))


def _try_modern_without_discover(target: ServerTarget, timeout: float) -> ServerProfile:
    """The user forced 2026-07-28, but discover did not answer usefully.

    If ordinary modern requests are served, the server speaks the stateless era
    and its broken discover is a finding (VER-03), not a reason to call it
    unverified. Capabilities are inferred from the list methods that answered.
    A server that answers none of them stays not verified (HARN-03).
    The harness's session still opens with server/discover; when that fails it
    must stay in the era it was asked for (see Session.open).
    """
    transcript = Transcript()
    try:
        transport = target.connect(transcript)
    except TransportError as exc:
        return ServerProfile(ok=False, reason=str(exc))
    session = Session(transport, timeout=timeout)
    session.state = ServerState(era="modern", protocol_version=MODERN)
    capabilities: dict[str, Any] = {}
    try:
        for method, family in _MODERN_FALLBACK:
            exchange = session.request(method, {}, timeout=timeout)
            # resultType marks a modern result: a legacy server serving requests
            # before initialize (LIFE-07) must not pass for a modern one.
            if exchange.ok and isinstance(exchange.result, dict) and "resultType" in exchange.result:
                capabilities[family] = {}
    except (NoResponse, TransportError) as exc:
        return ServerProfile(ok=False, reason=f"{exc}", transcript=render(transcript.frames), transient=True)
    finally:
        session.close()
    if not capabilities:
        why = "no modern request (server/discover, tools/list, resources/list, prompts/list) was served"
        return ServerProfile(ok=False, reason=why, notes=[why], transcript=render(transcript.frames))
    inferred = ", ".join(capabilities)
    note = f"server/discover failed, yet modern requests are served; inferred capabilities: {inferred}"
    return ServerProfile(
        ok=True,
        versions=[MODERN],
        capabilities=capabilities,
        capabilities_by_version={MODERN: capabilities},
        notes=[note],
    )
