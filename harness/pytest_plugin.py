"""The pytest plugin: options, fixtures, markers, and the verdict per rule.

Loaded through the `pytest11` entry point, so `pytest suites/ --server-cmd ...`
works from the repo and from an installed copy. Tests never judge bytes
themselves: they drive the session and hand findings to `verdict`; the plugin
adds the per-frame checks, turns hangs and crashes into LIVE-* findings, and
writes the reports.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.agreed_versions import agreed, forget
from harness.findings import Finding, fail
from harness.protocol.profile import ServerProfile, probe
from harness.protocol.session import NoResponse, Session
from harness.protocol.target import ServerTarget
from harness.protocol.versions import MODERN_VERSIONS, newest_of_era
from harness.transport.base import ServerGone, TransportError
from harness.transport.transcript import Transcript, render

MCP_FIXTURES = {"mcp_session", "mcp_connect", "mcp_profile", "mcp_version", "mcp_target", "verdict"}
NOT_VERIFIED = "NOT VERIFIED"
NO_SANDBOX = "needs the sandbox (run with --sandbox) to see what the server writes"
_Failed = pytest.fail.Exception
EVIDENCE_FRAMES = 60
# stdio server processes kept started ahead of need (ServerTarget.prefetch): two, so a run of
# tests that each need a fresh one overlaps their start-ups instead of waiting for each
SPARE_PROCESSES = 2


# -- options -------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mcp", "MCP server conformance (mcp-harness)")
    group.addoption("--server-cmd", help="command that starts the server (stdio, or HTTP with --server-url)")
    group.addoption("--server-url", help="Streamable HTTP endpoint, e.g. http://127.0.0.1:8000/mcp")
    group.addoption("--server-env", action="append", default=[], metavar="K=V", help="env for the server")
    group.addoption("--server-cwd", help="working directory for --server-cmd")
    group.addoption("--mcp-header", action="append", default=[], metavar="'Name: value'", help="HTTP header")
    group.addoption(
        "--protocol-version", default="latest", help="exact version, 'latest' (negotiate) or 'all' (matrix)"
    )
    group.addoption("--mcp-timeout", type=float, default=10.0, help="seconds to wait for any one response")
    group.addoption(
        "--mcp-report", metavar="DIR", help="write report.json/.md/.html, junit.xml and failures/"
    )
    group.addoption("--mcp-baseline", metavar="FILE", help="YAML/JSON list of rule ids expected to fail")
    group.addoption("--mcp-strict", action="store_true", help="grade ambiguous rules strictly (e.g. LIFE-03)")
    group.addoption(
        "--mcp-every-version",
        action="store_true",
        help="run version-independent tests (once_per_era) at every version, not once per era",
    )
    group.addoption(
        "--sandbox",
        nargs="?",
        const="auto",
        default=None,
        metavar="PROVIDER",
        help="start the mock-enterprise sandbox (local|docker|auto) and pass its env to the server",
    )
    group.addoption(
        "--mcp-auth",
        action="store_true",
        help="the server is protected (OAuth resource server): run the AUTH suite even without a 401 probe",
    )
    group.addoption(
        "--auth-scope-map",
        metavar="'tool=scope,...;...'",
        help="scopes each tool needs, for servers that do not list them (AUTH-07)",
    )
    group.addoption(
        "--mcp-call-tools",
        action="store_true",
        help="call tools with valid generated arguments (may have side effects on a real backend)",
    )
    group.addoption(
        "--persona",
        metavar="FILE.yaml",
        help="how the harness answers the server's elicitation, sampling and roots requests "
        "(default: accept with valid content, deterministic replies, the sandbox's folders)",
    )
    group.addoption(
        "--mcp-shard",
        metavar="I/N",
        help="run only shard I of N (round-robin over sorted test ids); merge with `mcp-harness merge`",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rule(*ids): spec-rules.md ids this test checks")
    config.addinivalue_line("markers", "versions(*versions): run only at these protocol versions")
    config.addinivalue_line("markers", "era(name): run only in the 'legacy' or 'modern' era")
    config.addinivalue_line(
        "markers", "once_per_era(why): version-independent; at each era's newest version of the run only"
    )
    config.addinivalue_line("markers", "transport(kind): run only over 'stdio' or 'http'")
    config.addinivalue_line("markers", "requires_capability(*names): skip unless the server declared them")
    config.addinivalue_line("markers", "requires_sandbox: skip unless the run has --sandbox")
    report_dir = config.getoption("--mcp-report", None)
    if report_dir and not config.getoption("xmlpath", None):
        Path(report_dir).mkdir(parents=True, exist_ok=True)
        config.option.xmlpath = str(Path(report_dir) / "junit.xml")
    config._mcp_run = McpRun(config)  # type: ignore[attr-defined]
    from harness.shard import register as register_shard

    register_shard(config, config.getoption("--mcp-shard", None))
    if not hasattr(config, "workerinput"):
        from harness.report.verdicts import VerdictCollector

        collector = VerdictCollector(config)
        config._mcp_collector = collector  # type: ignore[attr-defined]
        config.pluginmanager.register(collector, "mcp-harness-verdicts")


pytest_configure = pytest.hookimpl(tryfirst=True)(pytest_configure)


def _run(config: pytest.Config) -> McpRun:
    return config._mcp_run  # type: ignore[attr-defined,no-any-return]


# -- run state ------------------------------------------------------------------
class McpRun:
    """Everything shared by the tests of one pytest run against one server."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.timeout: float = config.getoption("--mcp-timeout", 10.0) or 10.0
        self.requested_version: str = config.getoption("--protocol-version", "latest") or "latest"
        self.strict: bool = bool(config.getoption("--mcp-strict", False))
        self.every_version: bool = bool(config.getoption("--mcp-every-version", False))
        self.sandbox_provider: str | None = config.getoption("--sandbox", None)
        # With the sandbox the server's backends are the sandbox's: calling tools is safe there.
        self.call_tools: bool = bool(config.getoption("--mcp-call-tools", False) or self.sandbox_provider)
        self.target = self._target(config)
        self.sandbox: Any = None
        self._profile: ServerProfile | None = None
        self.profile_reported = False  # sent to the xdist controller with the first test's report
        self.auth: Any = None  # harness.auth.tokens.AuthRun, made before the probe
        self._secrets: list[str] | None = None
        self._shared: dict[str, Session] = {}
        self.hung_methods: set[str] = set()  # shared by every session: see Session.hung_methods
        self.slow_sentinels: set[str] = set()  # likewise: see Session.harmless_method
        self.dies_on_its_own = False  # a killer replay saw the server die before the probe
        self._persona: Any = None  # harness.protocol.persona.Persona, loaded on first use
        self._load_persona([Path.cwd()])  # a bad --persona file is a usage error, before any test

    def _user_env(self) -> dict[str, str]:
        """The --server-env the user gave (their OAUTH_AUDIENCE wins over the sandbox's)."""
        items = self.config.getoption("--server-env", []) or []
        return {key: value for key, _, value in (item.partition("=") for item in items)}

    def _target(self, config: pytest.Config) -> ServerTarget | None:
        cmd = config.getoption("--server-cmd", None)
        url = config.getoption("--server-url", None)
        if not cmd and not url:
            return None
        env = {}
        for item in config.getoption("--server-env", []) or []:
            key, sep, value = item.partition("=")
            if not sep:
                raise pytest.UsageError(f"--server-env expects K=V, got {item!r}")
            env[key] = value
        headers = {}
        for item in config.getoption("--mcp-header", []) or []:
            name, sep, value = item.partition(":")
            if not sep:
                raise pytest.UsageError(f"--mcp-header expects 'Name: value', got {item!r}")
            headers[name.strip()] = value.strip()
        return ServerTarget(
            command=cmd,
            url=url,
            env=env,
            cwd=config.getoption("--server-cwd", None),
            headers=headers,
            timeout=self.timeout,
            prefetch=0 if config.getoption("--sandbox", None) else SPARE_PROCESSES,
        )

    @property
    def profile(self) -> ServerProfile:
        if self._profile is None:
            if self.target is None:
                raise pytest.UsageError("no server given: use --server-cmd CMD or --server-url URL")
            if self.sandbox_provider:
                self.start_sandbox()
            # AUTH (docs/auth.md): before probing, learn whether the server is protected and, when
            # the sandbox IdP can vouch, mint T_ok as a default header of every session (HARN-02).
            from harness.auth.tokens import setup as setup_auth

            self.auth = setup_auth(
                self.target,
                self.sandbox,
                forced=bool(self.config.getoption("--mcp-auth", False)),
                scope_map=self.config.getoption("--auth-scope-map", None),
                user_env=self._user_env(),
                timeout=min(self.timeout, 5.0),
            )
            self._secrets = None
            self._profile = probe(self.target, self.requested_version, self.timeout)
        return self._profile

    def secrets(self) -> list[str]:
        """Values no server frame may contain (SEC-01): sandbox canaries and secret env values."""
        if self._secrets is None:
            from harness.checks.secrets import secrets_from_env

            values = secrets_from_env(self.target.env if self.target else {})
            if self.sandbox is not None:
                values += [c for c in self.sandbox.canaries() if isinstance(c, str) and len(c) >= 8]
            if self.auth is not None and self.auth.token:  # the client's token never comes back (AUTH-10)
                values.append(self.auth.token)
            self._secrets = sorted(set(values), key=len, reverse=True)
        return self._secrets

    @property
    def persona(self) -> Any:
        """The scripted client of this run (`--persona`); its roots default to the sandbox's folder."""
        if self._persona is None:
            folders = [Path(self.sandbox.workdir)] if self.sandbox and self.sandbox.workdir else [Path.cwd()]
            self._persona = self._load_persona(folders)
        return self._persona

    def _load_persona(self, folders: list[Path]) -> Any:
        from harness.protocol.persona import PersonaError, load

        try:
            return load(self.config.getoption("--persona", None), folders)
        except PersonaError as exc:
            raise pytest.UsageError(str(exc)) from exc

    def start_sandbox(self) -> Any:
        """Start the sandbox once per process and hand its env to the server (user --server-env wins)."""
        if self.sandbox is None:
            from sandbox import Sandbox

            provider = None if self.sandbox_provider in (None, "auto") else self.sandbox_provider
            self.sandbox = Sandbox(provider=provider).start()
            if self.target is not None:
                self.target.env = {**self.sandbox.env(), **self.target.env}
            self._secrets = None
        return self.sandbox

    def connect(
        self, version: str | None, *, open_session: bool = True, capabilities: dict | None = None
    ) -> Session:
        assert self.target is not None
        transport = self.target.connect(Transcript())
        session = Session(
            transport,
            timeout=self.timeout,
            client_capabilities=capabilities,
            hung_methods=self.hung_methods,
            slow_sentinels=self.slow_sentinels,
        )
        session.persona = self.persona  # answers only what the session declared (client_capabilities)
        if self.sandbox is not None:
            from harness.oracle import Oracle

            session.observers.append(Oracle(self.sandbox))
        if open_session and version is not None:
            session.open(version)
        return session

    def shared(self, version: str) -> Session:
        """One opened session per version, reused across tests while it lives."""
        session = self._shared.get(version)
        if session is None or not session.transport.alive():
            if session is not None:
                session.close()
            session = self.connect(version)
            self._shared[version] = session
        return session

    def close(self) -> None:
        for session in self._shared.values():
            session.close()
        self._shared.clear()
        if self.target is not None:
            self.target.shutdown()
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None


# -- collection -------------------------------------------------------------------
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "mcp_version" not in metafunc.fixturenames:
        return
    run = _run(metafunc.config)
    if run.requested_version != "all" or run.target is None:
        return
    # under xdist every worker must collect the same tests: the run's first probe decides
    versions = agreed(getattr(metafunc.config, "workerinput", None), run.profile.versions or ["unverified"])
    metafunc.parametrize("mcp_version", versions, ids=versions, scope="session")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from harness import rules

    run = _run(config)
    uses_mcp = False
    for item in items:
        ids: list[str] = []
        for mark in item.iter_markers("rule"):
            ids.extend(mark.args)
        for rule_id in ids:
            rules.get(rule_id)  # unknown ids fail the collection loudly
        needs_server = bool(MCP_FIXTURES & set(getattr(item, "fixturenames", ())))
        uses_mcp = uses_mcp or needs_server
        if ids or needs_server:  # other tests (the project's own, a user's) stay out of the report
            item.user_properties.append(("mcp_rules", sorted(set(ids))))
    if uses_mcp and run.target is None:
        raise pytest.UsageError("these tests need a server: give --server-cmd CMD or --server-url URL")


def pytest_unconfigure(config: pytest.Config) -> None:
    run = getattr(config, "_mcp_run", None)
    if run is not None:
        run.close()
    forget(getattr(config, "workerinput", None))


# -- fixtures ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def mcp_target(request: pytest.FixtureRequest) -> ServerTarget:
    run = _run(request.config)
    if run.target is None:
        raise pytest.UsageError("no server given: use --server-cmd CMD or --server-url URL")
    return run.target


@pytest.fixture(scope="session")
def mcp_profile(request: pytest.FixtureRequest, mcp_target: ServerTarget) -> ServerProfile:
    return _run(request.config).profile


@pytest.fixture(scope="session")
def mcp_version(request: pytest.FixtureRequest, mcp_profile: ServerProfile) -> str:
    param = getattr(request, "param", None)
    if param is not None:
        return str(param)
    return mcp_profile.versions[0] if mcp_profile.versions else "unverified"


@pytest.fixture(scope="session")
def sandbox(request: pytest.FixtureRequest) -> Any:
    """The running sandbox: the same one the server under test sees (`--sandbox`).

    Without `--sandbox` the server runs on other backends, so a sandbox started
    here would see nothing the server does: the test is skipped instead (and no
    PostgreSQL is started for nothing: session-scoped fixtures are set up
    before the per-test gate runs).
    """
    run = _run(request.config)
    if not run.sandbox_provider:
        profile = run.profile if run.target is not None else None
        if profile is not None and not profile.ok:  # the gate's verdict comes first: not verified
            pytest.skip(f"{NOT_VERIFIED}: {profile.reason}")
        pytest.skip(NO_SANDBOX)
    return run.start_sandbox()


@pytest.fixture
def clean_sandbox(sandbox: Any) -> Iterator[Any]:
    """The sandbox, back at its seeded state after the test (reset is a no-op when nothing changed)."""
    yield sandbox
    sandbox.reset()


class Verdict:
    """Per-test collector of findings, plus the sessions whose frames it judges."""

    def __init__(self, run: McpRun, version: str, profile: ServerProfile) -> None:
        self.run = run
        self.version = version
        self.profile = profile
        self.findings: list[Finding] = []
        self.watched: list[tuple[Any, Any]] = []  # (Judge, Mark): each watched session, from when

    @property
    def strict(self) -> bool:
        return self.run.strict

    @property
    def era(self) -> str:
        return "modern" if self.version in MODERN_VERSIONS else "legacy"

    def add(self, *found: Finding | list[Finding] | None) -> None:
        for item in found:
            if item is None:
                continue
            if isinstance(item, Finding):
                self.findings.append(item)
            else:
                self.findings.extend(item)

    def watch(self, session: Session) -> Session:
        """Judge this session's frames from now on, after the test (the one frame judge)."""
        from harness.checks.registry import judge_of

        judge = judge_of(session, secrets=self.run.secrets())
        self.watched.append((judge, judge.mark()))
        return session

    def frame_findings(self) -> list[Finding]:
        found: list[Finding] = []
        for judge, mark in self.watched:
            found += judge.judge(mark, version=self.version, era=self.era)
        return found

    def slices(self) -> list[tuple[Session, Any]]:
        """Each watched session with where the test's part of it started."""
        return [(judge.session, mark) for judge, mark in self.watched]

    def saw_changes(self) -> bool:
        return any(e.changes for session, mark in self.slices() for e in session.exchanges[mark.exchanges :])

    def evidence(self) -> str:
        parts = [
            render(session.transcript.since(mark.seq), EVIDENCE_FRAMES) for session, mark in self.slices()
        ]
        return "\n---\n".join(p for p in parts if p)

    def evidence_frames(self) -> list[dict[str, Any]]:
        frames: list[dict[str, Any]] = []
        for session, mark in self.slices():
            frames.extend(f.as_dict() for f in session.transcript.since(mark.seq)[-EVIDENCE_FRAMES:])
        return frames


@pytest.fixture
def verdict(request: pytest.FixtureRequest, mcp_version: str, mcp_profile: ServerProfile) -> Verdict:
    run = _run(request.config)
    _gate(request.node, run, mcp_version, mcp_profile)
    found = Verdict(run, mcp_version, mcp_profile)
    request.node._mcp_verdict = found
    return found


@pytest.fixture
def mcp_session(request: pytest.FixtureRequest, verdict: Verdict) -> Session:
    """The shared, opened session at this test's version (restarted if it died)."""
    run = _run(request.config)
    try:
        session = run.shared(verdict.version)
    except (NoResponse, TransportError) as exc:
        pytest.fail(f"could not open a session at {verdict.version}: {exc}")
    return verdict.watch(session)


@pytest.fixture
def mcp_connect(request: pytest.FixtureRequest, verdict: Verdict) -> Iterator[Callable[..., Session]]:
    """Factory for fresh sessions: `mcp_connect(open=False)` gives an un-initialised one."""
    run = _run(request.config)
    made: list[Session] = []

    def connect(
        *, open: bool = True, version: str | None = None, capabilities: dict | None = None
    ) -> Session:
        session = run.connect(None, open_session=False, capabilities=capabilities)
        made.append(session)
        verdict.watch(session)
        if open:
            session.open(version or verdict.version)
        return session

    yield connect
    for session in made:
        session.close()


def _gate(item: pytest.Item, run: McpRun, version: str, profile: ServerProfile) -> None:
    """Skip, with the reason, what does not apply to this server and version."""
    if not profile.ok:
        pytest.skip(f"{NOT_VERIFIED}: {profile.reason}")
    if run.requested_version == "all" and version not in profile.versions:
        why = "; ".join(note for note in profile.notes if note.startswith(version)) or "no answer"
        pytest.skip(f"this worker's probe did not get {version} ({why}); the run's first probe did")
    for mark in item.iter_markers("versions"):
        if version not in mark.args:
            pytest.skip(f"applies to {', '.join(mark.args)}; this run is {version}")
    for mark in item.iter_markers("era"):
        era = "modern" if version in MODERN_VERSIONS else "legacy"
        if mark.args[0] != era:
            pytest.skip(f"applies to the {mark.args[0]} era; this run is {era} ({version})")
    for mark in item.iter_markers("once_per_era"):
        newest = newest_of_era(profile.versions or [], version)
        if not run.every_version and version != newest:
            pytest.skip(
                f"version-independent ({mark.args[0]}): judged once per era, at {newest}; "
                "--mcp-every-version runs it at every version"
            )
    kind = run.target.transport_kind if run.target else "stdio"
    for mark in item.iter_markers("transport"):
        if mark.args[0] != kind:
            pytest.skip(f"{mark.args[0]} transport only; this run is {kind}")
    if any(True for _ in item.iter_markers("requires_sandbox")) and run.sandbox is None:
        pytest.skip(NO_SANDBOX)
    capabilities = profile.capabilities_by_version.get(version, profile.capabilities)
    for mark in item.iter_markers("requires_capability"):
        missing = [name for name in mark.args if name not in capabilities]
        if missing:
            pytest.skip(f"server did not declare the {', '.join(missing)} capability")


# -- turning test outcomes into findings -----------------------------------------
@pytest.hookimpl(hookwrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Iterator[None]:
    outcome = yield
    found: Verdict | None = getattr(pyfuncitem, "_mcp_verdict", None)
    if found is None:
        return
    excinfo = outcome.excinfo
    if excinfo is not None:
        error = excinfo[1]
        if isinstance(error, NoResponse):
            found.add(fail("LIVE-01", str(error), error.exchange.request))
        elif isinstance(error, ServerGone):
            found.add(fail("LIVE-02", f"server went away mid-session: {error}"))
            found.add(_killer_findings(pyfuncitem, found))
        elif isinstance(error, TransportError):
            found.add(fail("LIVE-02", f"transport failed: {error}"))
        elif isinstance(error, pytest.skip.Exception):
            return
    try:
        found.add(found.frame_findings())
    except Exception as exc:  # a broken check must not hide the test's own result
        found.add(fail("HARN-03", f"harness error while checking frames: {exc!r}"))
    if found.run.sandbox is not None and found.saw_changes():
        found.run.sandbox.reset()  # the next test starts from the seeded state
    failures = [f for f in found.findings if f.severity == "fail"]
    _store(pyfuncitem, found, include_evidence=bool(failures))
    if failures:
        lines = "\n".join(f.line() for f in failures[:20])
        outcome.force_exception(_Failed(f"{lines}\n\ntranscript:\n{found.evidence()}", pytrace=False))
    elif excinfo is not None and isinstance(excinfo[1], (NoResponse, TransportError)):
        outcome.force_exception(_Failed(str(excinfo[1]), pytrace=False))


def _killer_findings(item: pytest.Item, found: Verdict) -> list[Finding]:
    """The probe's rule too, when the server died of the probe (replayed to be sure: killer.py)."""
    from harness.checks.killed import killed_by_probe, probe_rules
    from harness.protocol import killer

    rules_marked = [rule for mark in item.iter_markers("rule") for rule in mark.args]
    probed = probe_rules(rules_marked)
    run = found.run
    if len(probed) != 1 or run.target is None or run.dies_on_its_own:
        return []  # no probe, several rules, or a server seen dying before any probe
    dead = [session for session, _mark in found.slices() if not session.transport.alive()]
    frames = killer.suspects(dead[-1]) if dead else []
    if not frames:
        return []
    try:
        fresh = lambda: run.connect(None, open_session=False)  # noqa: E731
        outcome = killer.replay(fresh, found.version, frames, run.timeout)
    except Exception:  # a replay that cannot start says nothing either way
        return []
    run.dies_on_its_own = outcome == killer.DIED_FIRST  # one such replay is enough for the run
    if outcome != killer.KILLED:
        return []
    return killed_by_probe(probed[0], killer.describe(frames), found.version, run.target.transport_kind)


def _store(item: pytest.Item, found: Verdict, include_evidence: bool) -> None:
    item.user_properties.append(("mcp_version", found.version))
    item.user_properties.append(
        ("mcp_findings", json.dumps([f.as_dict() for f in found.findings], default=str))
    )
    if include_evidence:
        item.user_properties.append(("mcp_transcript", json.dumps(found.evidence_frames(), default=str)))
    if not found.run.profile_reported:
        # Once per process: under xdist only workers probe, and the controller writes the report.
        found.run.profile_reported = True
        profile = found.profile
        summary = {
            "ok": profile.ok,
            "reason": profile.reason,
            "versions": profile.versions,
            "server_info": profile.server_info,
            "capabilities": profile.capabilities,
        }
        item.user_properties.append(("mcp_profile", json.dumps(summary, default=str)))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> None:
    # Skips carry the version too: in setup (capability gating, not verified) and in the test
    # body (a test that finds it does not apply), so the report's cell is that version's.
    if (
        call.when in ("setup", "call")
        and call.excinfo is not None
        and call.excinfo.errisinstance(pytest.skip.Exception)
        and not any(name == "mcp_version" for name, _ in item.user_properties)
    ):
        version = item.funcargs.get("mcp_version") if hasattr(item, "funcargs") else None
        if version:
            item.user_properties.append(("mcp_version", version))


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    run = getattr(config, "_mcp_run", None)
    if run is None or run.target is None:
        return None
    return [
        f"mcp server: {run.target.describe()} (protocol {run.requested_version}, timeout {run.timeout:g}s)"
    ]
