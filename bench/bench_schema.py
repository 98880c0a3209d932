"""Benchmark: how many frames per second can harness.schema validate?

The harness validates every frame the server sends, so validation must not be
the bottleneck. This prints, per protocol version, frames/s for three typical
frames next to a ``json.loads`` baseline of the same bytes (the cost the
harness pays anyway):

- a ``tools/list`` result with 20 tools,
- a ``tools/call`` result with text, image and embedded-resource blocks,
- a ~1 MB ``resources/read`` result (one large text item plus some small ones).

Run: ``.venv/bin/python bench/bench_schema.py [--seconds 0.5]``.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import schema
from harness.protocol.versions import ALL_VERSIONS, is_modern


def _modern(result: dict[str, Any], version: str, cacheable: bool) -> dict[str, Any]:
    """Add the V5-only fields so the frame is valid at every version."""
    if is_modern(version):
        result["resultType"] = "complete"
        if cacheable:
            result.update(ttlMs=60000, cacheScope="public")
    return result


def tools_list(version: str) -> dict[str, Any]:
    tools = [
        {
            "name": f"tool_{i}",
            "description": "Look something up in the enterprise database. " * 3,
            "inputSchema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "what to look for"},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 100},
                    "filters": {"type": "object", "additionalProperties": {"type": "string"}},
                },
                "required": ["query"],
            },
        }
        for i in range(20)
    ]
    return {"jsonrpc": "2.0", "id": 7, "result": _modern({"tools": tools}, version, cacheable=True)}


def tools_call(version: str) -> dict[str, Any]:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(2048)).decode()
    content = [
        {"type": "text", "text": "Found 3 customers matching 'acme'."},
        {"type": "image", "data": png, "mimeType": "image/png"},
        {
            "type": "resource",
            "resource": {
                "uri": "db://customers/42",
                "mimeType": "application/json",
                "text": json.dumps({"id": 42, "name": "Acme"}),
            },
        },
    ]
    return {
        "jsonrpc": "2.0",
        "id": 8,
        "result": _modern({"content": content, "isError": False}, version, False),
    }


def resources_read(version: str) -> dict[str, Any]:
    big = "lorem ipsum dolor sit amet " * (1_000_000 // 27)
    contents = [{"uri": "file:///kb/big.txt", "mimeType": "text/plain", "text": big}]
    contents += [{"uri": f"file:///kb/{i}.txt", "text": f"article {i}"} for i in range(50)]
    return {"jsonrpc": "2.0", "id": 9, "result": _modern({"contents": contents}, version, cacheable=True)}


FRAMES: dict[str, tuple[str, Callable[[str], dict[str, Any]]]] = {
    "tools/list (20 tools)": ("tools/list", tools_list),
    "tools/call (3 blocks)": ("tools/call", tools_call),
    "resources/read (~1 MB)": ("resources/read", resources_read),
}


def rate(fn: Callable[[], Any], seconds: float) -> float:
    """Calls per second of ``fn``, measured for about ``seconds``."""
    fn()  # warm caches (compiled validators) outside the timing
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and n >= 3:
            return n / elapsed


def _engines() -> list[str]:
    """The engines to time: pure Python always, jsonschema-rs when importable."""
    return ["python"] + (["rs"] if schema.jsonschema_rs is not None else [])


def _use(engine: str) -> None:
    schema.set_engine("python" if engine == "python" else "auto")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="time per measurement")
    args = parser.parse_args()

    t0 = time.perf_counter()
    schema.preload()
    print(f"schema load (all {len(ALL_VERSIONS)} versions): {(time.perf_counter() - t0) * 1000:.0f} ms")
    engines = _engines()
    print(
        f"engines: {', '.join(engines)} (rs = jsonschema-rs yes/no fast path, errors still from jsonschema)\n"
    )
    header = f"{'version':<11} {'frame':<24} {'bytes':>9} {'json.loads/s':>13}"
    header += "".join(f" {e + ' valid/s':>15} {'ratio':>6}" for e in engines)
    print(header)
    print("-" * len(header))
    for version in ALL_VERSIONS:
        for label, (method, make) in FRAMES.items():
            frame = make(version)
            raw = json.dumps(frame)
            loads = rate(lambda raw=raw: json.loads(raw), args.seconds)
            line = f"{version:<11} {label:<24} {len(raw):>9,} {loads:>13,.0f}"
            for engine in engines:
                _use(engine)
                errors = schema.validate_response(version, method, frame)
                if errors:
                    raise SystemExit(f"benchmark frame invalid at {version}: {errors}")
                valid = rate(
                    lambda f=frame, m=method, v=version: schema.validate_response(v, m, f), args.seconds
                )
                line += f" {valid:>15,.0f} {loads / valid:>5.2f}x"
            print(line)
    print("\nratio = json.loads rate / validation rate (below 1: validating costs less than parsing)")


if __name__ == "__main__":
    main()
