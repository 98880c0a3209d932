"""Benchmark: protocol round trips per second over stdio, harness vs a raw loop.

Both sides talk to the same trivial correct server, two of them in turn:
bench/echo_server.py (stdlib only, as fast as Python answers: the raw
ceiling, where the harness's fixed cost shows most) and
tests/servers/sdk_server.py (a few lines on the official `mcp` SDK: a trivial
server as MCP authors write them, where the target applies).

- raw: subprocess pipes, ``json.dumps``/``json.loads``, nothing else;
- harness: ``Session`` over ``StdioTransport`` (reader thread, transcript of
  every frame), and every received frame validated as the plugin does it
  (``harness.checks.frames.check_frames``: envelope, ``_meta`` keys, the schema
  of the method it answers).

The ratio is harness time per round trip over raw time per round trip,
measured in the same run; the target is at most 1.25. Each figure is the
best of ``--repeat`` rounds so a busy machine hurts both sides alike. The CPU
columns are the client process's CPU time (all its threads) per round trip:
steadier than wall time on a loaded machine, and the part the harness owns.

Run: ``.venv/bin/python bench/bench_roundtrip.py [--count 3000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import schema
from harness.checks.frames import check_frames
from harness.protocol.session import Session
from harness.transport.stdio import StdioTransport

HERE = Path(__file__).resolve().parent
SERVERS = {
    "stdlib echo": [sys.executable, str(HERE / "echo_server.py")],
    "SDK server": [sys.executable, str(HERE.parent / "tests" / "servers" / "sdk_server.py")],
}
VERSION = "2025-11-25"
TARGET_RATIO = 1.25

CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "ping": ("ping", {}),
    "tools/call echo": ("tools/call", {"name": "echo", "arguments": {"text": "hello " * 20}}),
}


@dataclass
class Timing:
    wall: float
    cpu: float


def raw_loop(server: list[str], method: str, params: dict[str, Any], count: int) -> Timing:
    """Wall and CPU seconds for `count` round trips with bare pipes and json."""
    proc = subprocess.Popen(server, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdin and proc.stdout
    stdin, stdout = proc.stdin, proc.stdout

    def call(msg_id: int, m: str, p: dict[str, Any]) -> Any:
        stdin.write(json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": m, "params": p}).encode() + b"\n")
        stdin.flush()
        return json.loads(stdout.readline())

    hello = {"protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}
    call(0, "initialize", hello)
    stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(1, count + 1):
        reply = call(i, method, params)
        assert reply["id"] == i
    elapsed = Timing(time.perf_counter() - started, time.process_time() - cpu)
    stdin.close()
    proc.wait()
    return elapsed


def harness_loop(server: list[str], method: str, params: dict[str, Any], count: int) -> Timing:
    """Wall and CPU seconds for `count` round trips through Session, transcript and frame checks."""
    transport = StdioTransport(server)
    transport.start()
    session = Session(transport, timeout=10)
    session.initialize(VERSION)
    seen: set[str] = set()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        before = len(session.received)
        exchange = session.request(method, params)
        findings = check_frames(
            session.received[before:],
            version=session.version,
            era=session.era,
            client_capabilities=session.client_capabilities,
            server_capabilities=session.state.capabilities,
            seen_server_request_ids=seen,
        )
        assert exchange.ok and not findings, (exchange.response, findings)
    elapsed = Timing(time.perf_counter() - started, time.process_time() - cpu)
    session.close()
    return elapsed


def best(fn: Callable[[], Timing], repeat: int) -> Timing:
    runs = [fn() for _ in range(repeat)]
    return Timing(min(r.wall for r in runs), min(r.cpu for r in runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000, help="round trips per measurement")
    parser.add_argument("--repeat", type=int, default=3, help="measurements per figure (best is kept)")
    args = parser.parse_args()
    schema.preload()

    header = f"{'server':<12} {'call':<16} {'raw rt/s':>9} {'harness rt/s':>13} {'raw us':>7}"
    header += f" {'harness us':>11}"
    header += f" {'ratio':>6}  {'raw cpu us':>10} {'harness cpu us':>15} {'cpu ratio':>9}  target"
    print(header)
    print("-" * len(header))
    for name, server in SERVERS.items():
        count = args.count if name == "stdlib echo" else max(args.count // 5, 200)  # the SDK is slower
        for label, (method, params) in CALLS.items():
            raw = best(lambda s=server, m=method, p=params, n=count: raw_loop(s, m, p, n), args.repeat)
            ours = best(lambda s=server, m=method, p=params, n=count: harness_loop(s, m, p, n), args.repeat)
            ratio = ours.wall / raw.wall
            verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
            print(
                f"{name:<12} {label:<16} {count / raw.wall:>9,.0f} {count / ours.wall:>13,.0f} "
                f"{raw.wall / count * 1e6:>7.1f} {ours.wall / count * 1e6:>11.1f} {ratio:>5.2f}x  "
                f"{raw.cpu / count * 1e6:>10.1f} {ours.cpu / count * 1e6:>15.1f} "
                f"{ours.cpu / raw.cpu:>8.2f}x  "
                f"<= {TARGET_RATIO:.2f}x {verdict}"
            )
    print("\nratio = harness wall time per round trip / raw loop's (same server, same run); target on ratio")
    return 0


if __name__ == "__main__":
    sys.exit(main())
