"""The reference enterprise server with lies (`ENTERPRISE_LIE=<name>[,<name>...]`), for the
enterprise oracles of issue 16: each lie breaks one CONC/SURF/TENANT/SLO rule and nothing else.

    shared-state     article reads go through one module-wide "current id"        -> CONC-01
    drop-under-load  a Jira read beyond one at once never answers (triage prompt) -> CONC-02
    id-swap          two get_customer results in flight together swap their ids   -> CONC-03
    per-process-tools    a tool description carries the process id (fresh sessions differ) -> SURF-01
    drifting-prompts     the prompt list counts how often it was served              -> SURF-02
    silent-list-change   resources.listChanged declared, never announced             -> SURF-03
    open-prompts     the triage prompt shows any tenant's ticket (HTTP)              -> TENANT-01
    open-tickets     a ticket is opened for whichever customer is named (HTTP)       -> TENANT-02
    trust-argument   read tools trust customer_id over the token (HTTP)              -> TENANT-03
    leak             each customer read keeps 3 files and 3 MB for ever               -> SLO-01
    stuck-kb-breaker knowledge-base reads never recover after a database outage      -> SLO-02
    ack-lost-writes  a ticket Jira refused is acknowledged under an invented key      -> SLO-03

Several lies at once (`ENTERPRISE_LIE=shared-state,id-swap`) touch different
requests (articles, Jira issues, customers), so one run can prove a family:
each finding names the request its lie sits in.

Why the reference server and not a toy: the lie is then the only difference from
a server that passes every family clean (tests/test_enterprise_oracles.py runs
both), so "reported as exactly its rule" means exactly what it says. The lies are
installed by replacing one function of `examples/enterprise` before `main()` runs.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
sys.path[:0] = [str(EXAMPLES), str(EXAMPLES.parent)]

import anyio  # noqa: E402
import enterprise.db as db  # noqa: E402
import enterprise.jira as jira  # noqa: E402
import enterprise.knowledge as knowledge  # noqa: E402
import enterprise.listwatch as listwatch  # noqa: E402
import enterprise.tenancy as tenancy  # noqa: E402
import enterprise_server  # noqa: E402
import psycopg  # noqa: E402

# name -> the rule it breaks (read by harness/rules/coverage.py without importing this file)
LIES = {
    "shared-state": "CONC-01",
    "drop-under-load": "CONC-02",
    "id-swap": "CONC-03",
    "per-process-tools": "SURF-01",
    "drifting-prompts": "SURF-02",
    "silent-list-change": "SURF-03",
    "open-prompts": "TENANT-01",
    "open-tickets": "TENANT-02",
    "trust-argument": "TENANT-03",
    "leak": "SLO-01",
    "stuck-kb-breaker": "SLO-02",
    "ack-lost-writes": "SLO-03",
}
LIE_NAMES = [name.strip() for name in os.environ.get("ENTERPRISE_LIE", "").split(",") if name.strip()]
HOLD_S = 1.0  # id-swap: how long a lone tool result waits for a partner before it goes out as is


# ---------------------------------------------------------------- CONC-01: shared state


def shared_state() -> None:
    """The classic request-scoped value kept in a global: the last caller's article id wins."""
    honest = knowledge.article
    current: dict[str, int] = {}

    async def article(dsn: str, article_id: int) -> dict[str, Any] | None:
        current["id"] = article_id
        await asyncio.sleep(1.0)  # any await lets another request overwrite it
        return await honest(dsn, current["id"])

    knowledge.article = article


# ---------------------------------------------------------------- CONC-02: dropped under load


def drop_under_load() -> None:
    """A bounded worker pool that forgets what does not fit: a second Jira read at once never ends."""
    honest = jira.get_issue
    busy = {"now": 0}

    async def get_issue(settings: Any, key: str) -> dict[str, Any] | None:
        if busy["now"] >= 1:
            await asyncio.Event().wait()  # never set: the reply is lost, the server lives on
        busy["now"] += 1
        try:
            await asyncio.sleep(0.05)
            return await honest(settings, key)
        finally:
            busy["now"] -= 1

    jira.get_issue = get_issue


# ---------------------------------------------------------------- CONC-03: swapped ids

SWAPPED_TOOL = "get_customer"


class IdSwapper:
    """The SDK's stdio streams, except that two get_customer results in flight together leave
    with each other's id. A call alone is answered at once (no other family is slowed)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight: set[str] = set()  # ids (as JSON) of get_customer calls not yet answered
        self.held: dict[str, Any] | None = None
        self.timer: threading.Timer | None = None
        stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        self.inner = anyio.wrap_file(stdin)

    # stdin: an async iterator of lines, noting each get_customer call on its way in
    def __aiter__(self) -> AsyncIterator[str]:
        return self._lines()

    async def _lines(self) -> AsyncIterator[str]:
        async for line in self.inner:
            try:
                message = json.loads(line)
            except ValueError:
                message = None
            params = message.get("params") if isinstance(message, dict) else None
            calls_swapped_tool = isinstance(params, dict) and params.get("name") == SWAPPED_TOOL
            if calls_swapped_tool and message.get("method") == "tools/call" and "id" in message:
                with self.lock:
                    self.in_flight.add(json.dumps(message["id"]))
            yield line

    # stdout
    async def write(self, text: str) -> None:
        message = json.loads(text)
        with self.lock:
            key = json.dumps(message.get("id")) if "method" not in message else None
            if key is None or key not in self.in_flight:
                self._out(message)
                return
            self.in_flight.discard(key)
            if self.held is not None:
                first, self.held = self.held, None
                if self.timer is not None:
                    self.timer.cancel()
                first["id"], message["id"] = message["id"], first["id"]
                self._out(first)
                self._out(message)
            elif self.in_flight:  # another one is coming: wait for it (a while at most)
                self.held = message
                self.timer = threading.Timer(HOLD_S, self._release)
                self.timer.start()
            else:
                self._out(message)

    async def flush(self) -> None:
        return None

    def _release(self) -> None:
        with self.lock:
            if self.held is not None:
                self._out(self.held)
                self.held = None

    @staticmethod
    def _out(message: dict[str, Any]) -> None:
        data = (json.dumps(message, separators=(",", ":")) + "\n").encode()
        while data:  # a pipe may take a large frame in pieces
            data = data[os.write(1, data) :]


def id_swap() -> None:
    import mcp.server.mcpserver.server as sdk_server
    from mcp.server.stdio import stdio_server

    @asynccontextmanager
    async def swapping_stdio_server():  # type: ignore[no-untyped-def]
        swapper = IdSwapper()
        async with stdio_server(stdin=swapper, stdout=swapper) as streams:  # type: ignore[arg-type]
            yield streams

    sdk_server.stdio_server = swapping_stdio_server  # type: ignore[assignment]


# ---------------------------------------------------------------- SURF: the surface moves


def _after_build(change: Callable[[Any], None]) -> None:
    """Run `change(server)` on the server `main()` builds (lies compose: each wraps the last)."""
    build = enterprise_server.build_server

    def build_server(*args: Any, **kwargs: Any) -> Any:
        server = build(*args, **kwargs)
        change(server)
        return server

    enterprise_server.build_server = build_server


def per_process_tools() -> None:
    """SURF-01: each process stamps its own id into a tool description (fresh sessions differ)."""

    def change(server: Any) -> None:
        honest = server.list_tools

        async def list_tools() -> list[Any]:
            tools = await honest()
            return [
                t.model_copy(update={"description": f"{t.description} (worker {os.getpid()})"})
                if t.name == "search_knowledge_base"
                else t
                for t in tools
            ]

        server.list_tools = list_tools

    _after_build(change)


def drifting_prompts() -> None:
    """SURF-02: the prompt list says how often it was served, so it changes on every call."""

    def change(server: Any) -> None:
        honest = server.list_prompts
        served = {"n": 0}

        async def list_prompts() -> list[Any]:
            served["n"] += 1
            return [
                p.model_copy(update={"description": f"{p.description} (served {served['n']} times)"})
                for p in await honest()
            ]

        server.list_prompts = list_prompts

    _after_build(change)


def silent_list_change() -> None:
    """SURF-03: resources.listChanged stays declared, but no change is ever announced."""

    async def never_notify(self: Any, ctx: Any, call_next: Any) -> Any:
        return await call_next(ctx)

    listwatch.ListWatch.__call__ = never_notify  # type: ignore[method-assign]


# ---------------------------------------------------------------- TENANT: the filter has holes


def _open_customers(through: str) -> None:
    """Skip the tenant check at one call site (tool, resource, ticket): the customer_id decides."""
    honest = tenancy.Tenancy.may_see_customer

    async def may_see_customer(self: Any, who: Any, customer_id: int, where: str) -> bool:
        return True if where == through else await honest(self, who, customer_id, where)

    tenancy.Tenancy.may_see_customer = may_see_customer  # type: ignore[method-assign]


def open_prompts() -> None:
    """TENANT-01: the triage prompt fetches any ticket for anyone."""
    tenancy.Tenancy.may_see_issue = lambda self, who, issue: True  # type: ignore[method-assign]


def open_tickets() -> None:
    """TENANT-02: a ticket is opened for whichever customer the call names."""
    _open_customers("ticket")


def trust_argument() -> None:
    """TENANT-03: read tools trust their customer_id argument over the token."""
    _open_customers("tool")


# ---------------------------------------------------------------- SLO: the soak finds out

_HOARD: list[Any] = []  # what the leak keeps alive


def leak() -> None:
    """SLO-01: every customer read keeps three files open and three megabytes alive, for ever."""
    honest = db.fetch_customer

    async def fetch_customer(dsn: str, customer_id: int) -> dict[str, Any] | None:
        for _ in range(3):  # the leak is the lie: files never closed, memory never freed
            _HOARD.append((open(os.devnull, "rb"), b"x" * (1 << 20)))  # noqa: SIM115
        return await honest(dsn, customer_id)

    db.fetch_customer = fetch_customer


def stuck_kb_breaker() -> None:
    """SLO-02: after one failed knowledge-base connection, the circuit stays open for ever."""
    honest = knowledge.read_only
    state = {"open": False}

    @asynccontextmanager
    async def read_only(dsn: str, timeout_ms: int = 5000) -> AsyncIterator[Any]:
        if state["open"]:
            raise psycopg.OperationalError("circuit open: the knowledge base failed once")
        try:
            async with honest(dsn, timeout_ms) as conn:
                yield conn
        except psycopg.OperationalError:
            state["open"] = True
            raise

    knowledge.read_only = read_only


def ack_lost_writes() -> None:
    """SLO-03: a ticket Jira refused is acknowledged anyway, "queued" under a key that never exists."""
    honest = jira.create_issue
    queued = {"n": 0}

    async def create_issue(settings: Any, **fields: Any) -> dict[str, Any]:
        try:
            return await honest(settings, **fields)
        except jira.JiraError:
            queued["n"] += 1
            key = f"{settings.jira_project}-{90000 + queued['n']}"
            return {"id": str(90000 + queued["n"]), "key": key, "self": f"{settings.jira_url}/queued/{key}"}

    jira.create_issue = create_issue


INSTALL: dict[str, Callable[[], None]] = {
    "shared-state": shared_state,
    "drop-under-load": drop_under_load,
    "id-swap": id_swap,
    "per-process-tools": per_process_tools,
    "drifting-prompts": drifting_prompts,
    "silent-list-change": silent_list_change,
    "open-prompts": open_prompts,
    "open-tickets": open_tickets,
    "trust-argument": trust_argument,
    "leak": leak,
    "stuck-kb-breaker": stuck_kb_breaker,
    "ack-lost-writes": ack_lost_writes,
}

if __name__ == "__main__":
    for lie in LIE_NAMES:
        if lie not in INSTALL:
            print(f"enterprise-liar: unknown lie {lie!r}; known: {', '.join(INSTALL)}", file=sys.stderr)
            sys.exit(2)
        INSTALL[lie]()
    sys.exit(enterprise_server.main())
