"""Tests of the spec server itself, over real pipes and real sockets.

They drive `tests/servers/spec_server` with plain subprocess/httpx (not the harness,
which is written in parallel) and pin the behaviours the harness relies on: the
correct server must be a trustworthy baseline, and a few faults must really bite.
"""

from __future__ import annotations

import base64
import json
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.rules import RULES

SERVER_DIR = Path(__file__).parent / "spec_server"
V1, V2, V3, V4, V5 = "2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def meta(version: str = V5, **extra: Any) -> dict:
    return {
        "_meta": {
            "io.modelcontextprotocol/protocolVersion": version,
            "io.modelcontextprotocol/clientCapabilities": {},
            **extra,
        }
    }


def _reap(proc: subprocess.Popen) -> None:
    """Every test process ends here: polite first, then SIGKILL, always waited for."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(3)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream:
            stream.close()


class StdioServer:
    """A spec server on pipes; a thread turns stdout into a queue of raw lines."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVER_DIR), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd="/",
        )
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()  # keep stderr drained

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, msg: Any) -> None:
        data = msg if isinstance(msg, bytes) else json.dumps(msg).encode()
        self.proc.stdin.write(data + b"\n")
        self.proc.stdin.flush()

    def raw_line(self, timeout: float = 5.0) -> bytes | None:
        return self.lines.get(timeout=timeout)

    def read(self, timeout: float = 5.0) -> Any:
        line = self.raw_line(timeout)
        assert line is not None, "server closed stdout"
        return json.loads(line)

    def silent(self, seconds: float = 0.3) -> bool:
        try:
            self.lines.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def request(self, id_: Any, method: str, params: Any = None) -> dict:
        msg: dict[str, Any] = {"jsonrpc": "2.0", "id": id_, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return self.read()

    def initialize(self, version: str, capabilities: dict | None = None) -> dict:
        reply = self.request(
            0,
            "initialize",
            {
                "protocolVersion": version,
                "capabilities": capabilities or {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        )
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return reply


@pytest.fixture
def stdio_server() -> Iterator[Any]:
    started: list[StdioServer] = []

    def start(*args: str) -> StdioServer:
        server = StdioServer(*args)
        started.append(server)
        return server

    yield start
    for server in started:
        _reap(server.proc)
        assert server.proc.poll() is not None


@pytest.fixture
def http_server() -> Iterator[Any]:
    started: list[subprocess.Popen] = []

    def start(*args: str) -> str:
        proc = subprocess.Popen(
            [sys.executable, str(SERVER_DIR), "--http", "--port", "0", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd="/",
        )
        started.append(proc)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if match := re.search(r"LISTENING (http://127\.0\.0\.1:\d+/mcp)", line):
                threading.Thread(target=proc.stderr.read, daemon=True).start()
                return match.group(1)
            assert line, "HTTP server exited before listening"
        raise AssertionError("no LISTENING line")

    yield start
    for proc in started:
        _reap(proc)
        assert proc.poll() is not None


# ---------------------------------------------------------------------------------------------- registry


def test_list_faults_is_valid_json_with_rule_ids() -> None:
    out = subprocess.run(
        [sys.executable, str(SERVER_DIR), "--list-faults"],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
        cwd="/",
    )
    faults = json.loads(out.stdout)
    assert len(faults) > 50
    names = [f["name"] for f in faults]
    assert len(names) == len(set(names))
    for fault in faults:
        assert set(fault) >= {"name", "rule", "verdict", "transports", "versions", "description"}
        assert fault["rule"] in RULES, fault  # a catalogue id (harness/rules/catalogue.py)
        assert set(fault.get("also", [])) <= set(RULES), fault
        assert fault["verdict"] in ("fail", "warn", "info")
        assert set(fault["transports"]) <= {"stdio", "http"} and fault["transports"]
        assert set(fault["versions"]) <= {V1, V2, V3, V4, V5} and fault["versions"]
        assert fault["name"].startswith(fault["rule"] + "-") or fault["rule"] == "HARN-03"


def test_unknown_fault_is_refused() -> None:
    out = subprocess.run(
        [sys.executable, str(SERVER_DIR), "--fault", "NOPE-99-x"],
        capture_output=True,
        text=True,
        timeout=20,
        cwd="/",
    )
    assert out.returncode == 2 and "unknown fault" in out.stderr


# ---------------------------------------------------------------------------------------------- stdio, legacy


@pytest.mark.parametrize("version", [V1, V2, V3, V4])
def test_stdio_legacy_era(stdio_server: Any, version: str) -> None:
    server = stdio_server()
    init = server.initialize(version)["result"]
    assert init["protocolVersion"] == version
    assert ("completions" in init["capabilities"]) == (version >= V2)
    for id_ in (0, -5, 2**53 - 1, "1", "ünï", "a b"):
        reply = server.request(id_, "ping")
        assert reply["result"] == {} and type(reply["id"]) is type(id_) and reply["id"] == id_
    server.send({"jsonrpc": "2.0", "method": "notifications/x-unknown"})
    server.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 999}})
    assert server.request(1, "ping")["id"] == 1  # nothing came back for the two notifications
    server.send(b'{"jsonrpc":')
    assert server.read() == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32700, "message": "Parse error"},
    }
    assert server.request(2, "no/such/method")["error"]["code"] == -32601
    assert server.request(3, "tools/call", 5)["error"]["code"] == -32602
    assert server.request(4, "tools/call", {"name": "nope"})["error"]["code"] == -32602
    add = server.request(5, "tools/call", {"name": "add", "arguments": {"a": 2, "b": 3}})["result"]
    assert ("structuredContent" in add) == (version >= V3)
    if version >= V3:
        assert json.loads(add["content"][0]["text"]) == add["structuredContent"] == {"sum": 5}
    bad = server.request(6, "tools/call", {"name": "add", "arguments": {"a": "x", "b": 3}})
    if version >= V4:
        assert bad["result"]["isError"] is True
    else:
        assert bad["error"]["code"] == -32602
    missing = server.request(7, "resources/read", {"uri": "mcp-harness://does-not-exist/1"})
    assert missing["error"]["code"] == -32002 and missing["error"]["data"] == {
        "uri": "mcp-harness://does-not-exist/1"
    }
    server.send(
        [{"jsonrpc": "2.0", "id": 8, "method": "ping"}, {"jsonrpc": "2.0", "id": 9, "method": "ping"}]
    )
    batch = server.read()
    if version == V2:
        assert sorted(r["id"] for r in batch) == [8, 9]
    elif version >= V3:
        assert batch["error"]["code"] == -32600


def test_stdio_negotiation_and_pre_init(stdio_server: Any) -> None:
    server = stdio_server("--versions", f"{V1},{V2},{V3}")
    assert server.request(1, "tools/list")["error"]["code"] == -32600  # legacy-only: not initialized
    assert server.request(2, "initialize", {"capabilities": {}})["error"]["code"] == -32602
    reply = server.request(
        3,
        "initialize",
        {"protocolVersion": "1999-01-01", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    )
    assert reply["result"]["protocolVersion"] == V3  # counter-offer: our newest


def test_stdio_text_is_utf8_and_one_line(stdio_server: Any) -> None:
    server = stdio_server()
    server.initialize(V4)
    server.send(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": "héllo wörld 🚀\nline two"}},
        }
    )
    raw = server.raw_line()
    assert raw.endswith(b"}\n") and raw.count(b"\n") == 1
    assert "héllo wörld 🚀".encode() in raw
    assert json.loads(raw)["result"]["content"][0]["text"] == "héllo wörld 🚀\nline two"


def test_stdio_progress_cancel_and_prompt_exit(stdio_server: Any) -> None:
    server = stdio_server()
    server.initialize(V4)
    for token in (7, "seven"):
        server.send(
            {
                "jsonrpc": "2.0",
                "id": f"slow-{token}",
                "method": "tools/call",
                "params": {"name": "slow", "arguments": {"seconds": 0.3}, "_meta": {"progressToken": token}},
            }
        )
        progress = []
        while "id" not in (msg := server.read()):
            assert type(msg["params"]["progressToken"]) is type(token)
            progress.append(msg["params"]["progress"])
        assert progress == sorted(set(progress)) and len(progress) == 3
        assert server.silent(0.3)  # PROG-03: nothing after the response
    server.send(
        {
            "jsonrpc": "2.0",
            "id": 42,
            "method": "tools/call",
            "params": {"name": "slow", "arguments": {"seconds": 5}},
        }
    )
    time.sleep(0.2)
    server.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 42}})
    assert server.request(43, "ping")["id"] == 43
    assert server.silent(0.5)
    started = time.monotonic()
    server.proc.stdin.close()
    assert server.proc.wait(3) == 0
    assert time.monotonic() - started < 1.0


def test_stdio_pagination_and_forged_cursor(stdio_server: Any) -> None:
    server = stdio_server()
    server.initialize(V3)
    for method, key, count in (
        ("tools/list", "tools", 6),
        ("resources/list", "resources", 5),
        ("prompts/list", "prompts", 3),
    ):
        items, cursor, pages = [], None, 0
        while True:
            params = {"cursor": cursor} if cursor else {}
            result = server.request(f"{method}-{pages}", method, params)["result"]
            items += result[key]
            pages += 1
            cursor = result.get("nextCursor")
            if cursor is None:
                break
            again = server.request("again", method, {"cursor": cursor})["result"]
            assert again[key] == server.request("again2", method, {"cursor": cursor})["result"][key]
        assert len(items) == count and pages == (count + 1) // 2
    assert server.request(1, "tools/list", {"cursor": "!!not-a-cursor!!"})["error"]["code"] == -32602
    # a forged cursor with non-ASCII characters once crashed the server (found by the property run)
    assert server.request(4, "tools/list", {"cursor": "AAAA.ünï日本"})["error"]["code"] == -32602
    blob = server.request(2, "resources/read", {"uri": "spec://static/logo.png"})["result"]["contents"][0]
    assert base64.b64decode(blob["blob"], validate=True).startswith(b"\x89PNG") and "text" not in blob
    traversal = server.request(3, "resources/read", {"uri": "file:///../../etc/passwd"})
    assert "error" in traversal


def test_stdio_modern_era(stdio_server: Any) -> None:
    server = stdio_server()
    discover = server.request(1, "server/discover", meta())["result"]
    assert discover["supportedVersions"] == [V5] and discover["resultType"] == "complete"
    assert discover["ttlMs"] >= 0 and discover["cacheScope"] in ("public", "private")
    assert "io.modelcontextprotocol/serverInfo" in discover["_meta"]
    assert server.request(2, "tools/list", {})["error"]["code"] == -32602
    unsupported = server.request(3, "tools/list", meta("1900-01-01"))["error"]
    assert unsupported["code"] == -32022 and unsupported["data"] == {
        "supported": [V5],
        "requested": "1900-01-01",
    }
    listed = server.request(4, "tools/list", meta())["result"]
    assert listed["resultType"] == "complete" and "ttlMs" in listed and "cacheScope" in listed
    assert server.request(5, "resources/read", {"uri": "spec://nope", **meta()})["error"]["code"] == -32602
    assert server.request(6, "ping", meta())["error"]["code"] == -32601
    server.send(
        {
            "jsonrpc": "2.0",
            "id": 7,
            "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": "x"}, **meta()},
        }
    )
    assert server.read()["result"]["resultType"] == "complete"  # no log without a logLevel
    server.send(
        {
            "jsonrpc": "2.0",
            "id": 8,
            "method": "tools/call",
            "params": {
                "name": "echo",
                "arguments": {"text": "x"},
                **meta(**{"io.modelcontextprotocol/logLevel": "info"}),
            },
        }
    )
    assert server.read()["method"] == "notifications/message"


def test_stdio_faults_bite(stdio_server: Any) -> None:
    banner = stdio_server("--fault", "STDIO-02-banner")
    assert not banner.raw_line().startswith(b"{")
    as_string = stdio_server("--fault", "RPC-02-id-as-string")
    assert as_string.request(7, "ping")["id"] == "7"
    hang = stdio_server("--fault", "LIVE-01-never-answer")
    hang.send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": V4}})
    assert hang.silent(0.3)


# ---------------------------------------------------------------------------------------------- HTTP


def test_http_legacy_session(http_server: Any) -> None:
    url = http_server()
    with httpx.Client(timeout=5) as client:
        init = client.post(
            url,
            headers=ACCEPT,
            json={
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": V3,
                    "capabilities": {},
                    "clientInfo": {"name": "t", "version": "1"},
                },
            },
        )
        assert init.status_code == 200 and init.json()["result"]["protocolVersion"] == V3
        sid = init.headers["mcp-session-id"]
        assert re.fullmatch(r"[\x21-\x7e]+", sid)
        session = {**ACCEPT, "Mcp-Session-Id": sid, "MCP-Protocol-Version": V3}
        note = client.post(
            url, headers=session, json={"jsonrpc": "2.0", "method": "notifications/initialized"}
        )
        assert note.status_code == 202 and note.content == b""
        listed = client.post(url, headers=session, json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        assert listed.headers["content-type"].startswith("application/json") and listed.json()["id"] == 2
        with client.stream(
            "POST",
            url,
            headers=session,
            json={
                "jsonrpc": "2.0",
                "id": 3,
                "method": "tools/call",
                "params": {"name": "slow", "arguments": {"seconds": 0.2}, "_meta": {"progressToken": 1}},
            },
        ) as sse:
            assert sse.headers["content-type"].startswith("text/event-stream")
            events = [json.loads(line[5:]) for line in sse.iter_lines() if line.startswith("data:")]
        assert [e.get("method") for e in events] == ["notifications/progress"] * 2 + [None]
        ping = {"jsonrpc": "2.0", "id": 4, "method": "ping"}
        assert client.post(url, headers=ACCEPT, json=ping).status_code == 400
        assert (
            client.post(url, headers={**session, "Mcp-Session-Id": "never-issued"}, json=ping).status_code
            == 404
        )
        assert (
            client.post(url, headers={**session, "MCP-Protocol-Version": "1999-01-01"}, json=ping).status_code
            == 400
        )
        assert (
            client.post(url, headers={**session, "Origin": "http://evil.example"}, json=ping).status_code
            == 403
        )
        assert (
            client.post(url, headers={**session, "Origin": "http://localhost:5173"}, json=ping).status_code
            == 200
        )
        batch = client.post(url, headers=session, json=[ping])
        assert batch.status_code == 400 and batch.json()["error"]["code"] == -32600
        assert client.get(url, headers=session).status_code == 405
        assert client.delete(url, headers=session).status_code == 200
        assert client.post(url, headers=session, json=ping).status_code == 404


def test_http_modern_headers(http_server: Any) -> None:
    url = http_server()

    def post(method: str, params: dict, **headers: str) -> httpx.Response:
        base = {**ACCEPT, "MCP-Protocol-Version": V5, "Mcp-Method": method}
        return client.post(
            url,
            headers={**base, **headers},
            json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
        )

    with httpx.Client(timeout=5) as client:
        ok = post(
            "tools/call", {"name": "echo", "arguments": {"text": "ü"}, **meta()}, **{"Mcp-Name": "echo"}
        )
        assert ok.status_code == 200 and ok.json()["result"]["content"][0]["text"] == "ü"
        assert "mcp-session-id" not in ok.headers
        encoded = "=?base64?" + base64.b64encode(b"echo").decode() + "?="
        assert (
            post(
                "tools/call", {"name": "echo", "arguments": {"text": "x"}, **meta()}, **{"Mcp-Name": encoded}
            ).status_code
            == 200
        )
        wrong_name = post(
            "tools/call", {"name": "echo", "arguments": {"text": "x"}, **meta()}, **{"Mcp-Name": "add"}
        )
        assert wrong_name.status_code == 400 and wrong_name.json()["error"]["code"] == -32020
        wrong_method = post("tools/list", meta(), **{"Mcp-Method": "prompts/list"})
        assert wrong_method.status_code == 400 and wrong_method.json()["error"]["code"] == -32020
        unknown = post("no/such", meta())
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == -32601
        old = post("tools/list", meta("1900-01-01"), **{"MCP-Protocol-Version": "1900-01-01"})
        assert old.status_code == 400 and old.json()["error"]["code"] == -32022
        no_meta = post("tools/list", {})
        assert no_meta.status_code == 400 and no_meta.json()["error"]["code"] == -32602
        assert client.get(url).status_code == 405 and client.delete(url).status_code == 405


def test_http_fault_bites(http_server: Any) -> None:
    url = http_server("--fault", "HTTP-M06-unknown-method-200")
    response = httpx.post(
        url,
        headers={**ACCEPT, "MCP-Protocol-Version": V5, "Mcp-Method": "no/such"},
        json={"jsonrpc": "2.0", "id": 1, "method": "no/such", "params": meta()},
        timeout=5,
    )
    assert response.status_code == 200 and response.json()["error"]["code"] == -32601
