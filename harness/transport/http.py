"""Streamable HTTP transport: one POST per outgoing frame, JSON or SSE back.

Each POST runs on its own thread so the session can send a cancellation while
a slow call is still streaming, exactly as a real client would. Every HTTP
exchange (status, headers, body size, SSE events) is kept for the HTTP-*
checks; the transport itself judges nothing.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from httpx_sse import EventSource, SSEError

from harness.transport.base import (
    Failure,
    HttpInfo,
    Inbox,
    Incoming,
    ServerNotStarted,
    TransportError,
    encode,
)
from harness.transport.transcript import Transcript

ACCEPT_BOTH = "application/json, text/event-stream"
MAX_BODY = 16 << 20
# httpx writes a request's headers and body in two sends; with Nagle on, the body waits
# for the server's delayed ACK of the headers (40 ms on Linux) on every request after the
# first one of a connection. A test client must not add latency the server did not cause.
NO_DELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


class HttpTransport:
    """A server at a Streamable HTTP endpoint."""

    kind = "http"

    def __init__(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        transcript: Transcript | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.base_headers = dict(headers or {})
        self.transcript = transcript or Transcript()
        self.timeout = timeout
        self.inbox = Inbox()
        self.session_id: str | None = None
        self.protocol_version: str | None = None
        self.exchanges: list[HttpInfo] = []
        self.refused = False
        self._client: httpx.Client | None = None
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    # -- life cycle ---------------------------------------------------------
    def start(self) -> None:
        self._client = httpx.Client(
            transport=httpx.HTTPTransport(socket_options=NO_DELAY),
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
            follow_redirects=False,
            trust_env=False,  # never send loopback traffic through a proxy
        )

    def alive(self) -> bool:
        return self._client is not None and not self.refused

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()
        for thread in self._threads:
            thread.join(timeout=1.0)

    # -- headers ------------------------------------------------------------
    def headers_for(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": ACCEPT_BOTH, "Content-Type": "application/json", **self.base_headers}
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
        if self.protocol_version:
            headers["MCP-Protocol-Version"] = self.protocol_version
        if extra:
            for key, value in extra.items():
                # allow a caller to drop a default header with value None-like ""
                headers = {k: v for k, v in headers.items() if k.lower() != key.lower()}
                if value is not None:
                    headers[key] = value
        return headers

    # -- sending ------------------------------------------------------------
    def send(self, message: Any, headers: dict[str, str] | None = None) -> None:
        self._post(encode(message), message, headers)

    def send_raw(self, data: bytes, headers: dict[str, str] | None = None) -> None:
        self._post(data, None, headers)

    def _post(self, body: bytes, message: Any, headers: dict[str, str] | None) -> None:
        request_id = message.get("id") if isinstance(message, dict) and "method" in message else None
        self.transcript.record("send", "http POST", body, message)
        thread = threading.Thread(
            target=self._run_post, args=(body, message, self.headers_for(headers), request_id), daemon=True
        )
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _run_post(self, body: bytes, message: Any, headers: dict[str, str], request_id: Any) -> None:
        client = self._client
        if client is None:
            self.inbox.put(Failure(TransportError("transport closed"), request_id))
            return
        is_request = request_id is not None or (
            isinstance(message, dict) and "method" in message and "id" in message
        )
        try:
            with client.stream("POST", self.url, content=body, headers=headers) as response:
                info = self._info("POST", response, headers)
                self._remember_session(response)
                ctype = info.content_type
                if ctype == "text/event-stream" and response.status_code < 400:
                    self._read_sse(response, info, request_id)
                    return
                data = _read_limited(response)
                info.body = data
                self.transcript.record(
                    "event", "http POST", f"HTTP {response.status_code} {ctype or '-'} ({len(data)} bytes)"
                )
                if _is_notification(message) and (response.status_code >= 400 or response.status_code == 202):
                    # HTTP-03: a notification is refused with a 4xx (its body is an HTTP error
                    # page) or accepted with 202 (any body there is HTTP-03's, judged by the HTTP
                    # suite): neither is a JSON-RPC reply to the notification (RPC-05).
                    if data.strip():
                        self.transcript.record("noise", "http POST", data[:512], note=f"HTTP {info.status}")
                    return
                raw = not (isinstance(message, dict) and "method" in message)
                self._deliver_body(data, info, request_id, is_request, raw=raw)
        except httpx.ConnectError as exc:
            self.refused = True
            self.inbox.put(Failure(ServerNotStarted(f"cannot connect to {self.url}: {exc}"), request_id))
        except httpx.TimeoutException:
            self.inbox.put(
                Failure(TransportError(f"HTTP request timed out after {self.timeout}s"), request_id)
            )
        except (httpx.HTTPError, SSEError) as exc:
            self.inbox.put(Failure(TransportError(f"HTTP error: {exc}"), request_id))

    def _deliver_body(
        self, data: bytes, info: HttpInfo, request_id: Any, is_request: bool, *, raw: bool = False
    ) -> None:
        if not data.strip():
            if is_request:
                self.inbox.put(
                    Failure(
                        TransportError(f"HTTP {info.status} with an empty body for a request"),
                        request_id,
                        info,
                    )
                )
            return
        try:
            parsed = json.loads(data)
        except (ValueError, RecursionError):
            self.transcript.record(
                "noise", "http POST", data[:512], note=f"HTTP {info.status} body is not JSON"
            )
            if is_request:
                self.inbox.put(
                    Failure(
                        TransportError(f"HTTP {info.status}: body is not JSON: {data[:200]!r}"),
                        request_id,
                        info,
                    )
                )
            return
        self.transcript.record("recv", "http POST", data, parsed, note=f"HTTP {info.status}")
        self.inbox.put(
            Incoming(message=parsed, channel="http", http=info, request_id=request_id, raw_post=raw)
        )

    def _read_sse(self, response: httpx.Response, info: HttpInfo, request_id: Any) -> None:
        self.transcript.record("event", "http POST", f"HTTP {response.status_code} text/event-stream")
        for event in EventSource(response).iter_sse():
            info.sse_events.append({"event": event.event, "id": event.id or "", "data": event.data[:1000]})
            if not event.data.strip():
                continue  # priming event or keep-alive
            try:
                parsed = json.loads(event.data)
            except (ValueError, RecursionError):
                self.transcript.record("noise", "http SSE", event.data[:512], note="SSE data is not JSON")
                continue
            self.transcript.record("recv", "http SSE", event.data, parsed)
            self.inbox.put(Incoming(message=parsed, channel="sse", http=info, request_id=request_id))

    def _info(self, method: str, response: httpx.Response, request_headers: Mapping[str, str]) -> HttpInfo:
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        info = HttpInfo(
            method=method,
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            content_type=ctype,
            request_headers=dict(request_headers),
        )
        with self._lock:
            self.exchanges.append(info)
        return info

    def _remember_session(self, response: httpx.Response) -> None:
        sid = response.headers.get("mcp-session-id")
        if sid and self.session_id is None:
            self.session_id = sid

    # -- receiving ----------------------------------------------------------
    def receive(self, timeout: float) -> Incoming:
        item = self.inbox.get(timeout)
        if isinstance(item, Failure):
            raise _FailureError(item)
        return item

    # -- raw access for the HTTP-* suites -----------------------------------
    def raw(
        self,
        method: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        replace_headers: bool = False,
        stream_seconds: float = 0.0,
        url: str | None = None,
        opened: threading.Event | None = None,
        stop_when: Callable[[list[dict[str, str]]], bool] | None = None,
    ) -> HttpInfo:
        """One synchronous HTTP exchange with full control of the headers.

        With `stream_seconds`, an SSE answer is read for at most that long and
        then closed, so a GET stream that never ends cannot hang the test.
        `opened` is set once the response headers are in (or the exchange
        failed); `stop_when(events so far)` may end the stream early.
        """
        client = self._client or httpx.Client(timeout=self.timeout, trust_env=False)
        sent = dict(headers or {}) if replace_headers else self.headers_for(headers)
        self.transcript.record("send", f"http {method}", body or b"", note=json.dumps(sent))
        timeout = httpx.Timeout(self.timeout, read=stream_seconds or self.timeout)
        try:
            with client.stream(
                method, url or self.url, content=body, headers=sent, timeout=timeout
            ) as response:
                info = self._info(method, response, sent)
                if opened is not None:
                    opened.set()
                if info.content_type == "text/event-stream":
                    deadline = time.monotonic() + stream_seconds
                    try:
                        for event in EventSource(response).iter_sse():
                            info.sse_events.append(
                                {"event": event.event, "id": event.id or "", "data": event.data}
                            )
                            if event.data.strip() and not stream_seconds:
                                break
                            if stop_when is not None and stop_when(info.sse_events):
                                break
                            if stream_seconds and time.monotonic() > deadline:
                                break  # a stream that keeps sending (keep-alives) is still bounded
                    except (httpx.ReadTimeout, SSEError):
                        pass
                else:
                    info.body = _read_limited(response)
        except httpx.ConnectError as exc:
            raise ServerNotStarted(f"cannot connect to {self.url}: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise TransportError(f"HTTP {method} timed out") from exc
        finally:
            if opened is not None:
                opened.set()  # a waiter never outlives a failed exchange
        self.transcript.record(
            "recv",
            f"http {method}",
            info.body or json.dumps(info.sse_events)[:2000],
            note=f"HTTP {info.status} {info.content_type}",
        )
        return info


class StandaloneStream:
    """The session's standalone SSE stream (Streamable HTTP GET), read on a thread.

    Why: a server sends what relates to no request (list_changed) on this
    stream, not on a POST's response, so a client that never opens it never
    sees those notifications. A server without the stream answers 405;
    `messages` then stays empty. Bounded by `seconds`; `stop(messages)` may end
    it early. The events' JSON is decoded here, so callers get messages.
    """

    OPEN_WAIT = 5.0  # seconds for the response headers

    def __init__(
        self,
        transport: HttpTransport,
        headers: Mapping[str, str],
        seconds: float,
        stop: Callable[[list[dict[str, Any]]], bool] | None = None,
    ) -> None:
        self.messages: list[dict[str, Any]] = []
        self._stop = stop or (lambda _messages: False)
        self._decoded = 0  # events already decoded into `messages`
        self._opened = threading.Event()
        self._thread = threading.Thread(
            target=self._read,
            args=(transport, dict(headers), seconds),
            name="mcp-standalone-stream",
            daemon=True,
        )
        self._thread.start()
        self._opened.wait(self.OPEN_WAIT)

    def _read(self, transport: HttpTransport, headers: dict[str, str], seconds: float) -> None:
        try:
            transport.raw(
                "GET",
                headers=headers,
                replace_headers=True,
                stream_seconds=seconds,
                opened=self._opened,
                stop_when=self._seen,
            )
        except TransportError:
            pass  # no stream: the caller judges what the POST streams carried
        finally:
            self._opened.set()

    def _seen(self, events: list[dict[str, str]]) -> bool:
        for event in events[self._decoded :]:
            try:
                message = json.loads(event.get("data") or "null")
            except ValueError:
                message = None
            if isinstance(message, dict):
                self.messages.append(message)
        self._decoded = len(events)
        return bool(self._stop(self.messages))

    def close(self, timeout: float) -> None:
        self._thread.join(timeout)


class _FailureError(TransportError):
    """A queued Failure surfaced to the reader, carrying the original."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(str(failure.error))
        self.failure = failure


def _read_limited(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_BODY:
            break
    return b"".join(chunks)


def _is_notification(message: Any) -> bool:
    """A single JSON-RPC notification (a method and no id)."""
    return isinstance(message, dict) and isinstance(message.get("method"), str) and "id" not in message
