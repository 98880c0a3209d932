"""Driving a 2026-07-28 multi-round request (MRTR) to completion, as a client would.

Why a driver of its own: an `input_required` result ends its request; the client
answers the `inputRequests` and sends the original request again, with a new id,
the answers in `inputResponses` and the exact `requestState` (basic/patterns/mrtr,
client requirements 1-3). Every round is a separate exchange, kept in order, so
the checks (harness/checks/mrtr.py) can judge each step and the flow as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.protocol.exchange import Exchange
from harness.protocol.persona import Persona
from harness.protocol.session import Session


def input_required(exchange: Exchange) -> dict[str, Any] | None:
    """The InputRequiredResult of `exchange`, or None for any other answer."""
    result = exchange.result if exchange.ok else None
    if isinstance(result, dict) and result.get("resultType") == "input_required":
        return result
    return None


def input_requests(exchange: Exchange) -> dict[str, Any]:
    result = input_required(exchange) or {}
    requests = result.get("inputRequests")
    return requests if isinstance(requests, dict) else {}


@dataclass
class Flow:
    """One request and its retries: `rounds[i]` answered the request that carried `sent[i]`."""

    method: str
    params: dict[str, Any]
    rounds: list[Exchange] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # inputResponses sent with each round
    persona: Persona | None = None

    @property
    def last(self) -> Exchange:
        return self.rounds[-1]

    @property
    def completed(self) -> bool:
        """The last round is a final answer (a result that is not input_required, or an error)."""
        return bool(self.rounds) and input_required(self.last) is None

    def describe(self) -> str:
        name = self.params.get("name") or self.params.get("uri") or ""
        return f"{self.method} {name!r}" if name else self.method


def answers(persona: Persona, requests: dict[str, Any], omit: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The persona's inputResponses for `requests` (entries it cannot answer are left out: MRTR-02's)."""
    out: dict[str, Any] = {}
    for key, entry in requests.items():
        if key in omit or not isinstance(entry, dict):
            continue
        reply = persona.answer(str(entry.get("method")), entry.get("params"))
        if "result" in reply:
            out[key] = reply["result"]
    return out


def retry_params(params: dict[str, Any], result: dict[str, Any], responses: dict[str, Any]) -> dict[str, Any]:
    """The original params plus the answers and the state, echoed byte for byte (never parsed)."""
    retry = {k: v for k, v in params.items() if k not in ("inputResponses", "requestState")}
    if responses or result.get("inputRequests"):
        retry["inputResponses"] = responses
    if isinstance(result.get("requestState"), str):
        retry["requestState"] = result["requestState"]
    return retry


def drive(
    session: Session,
    method: str,
    params: dict[str, Any],
    persona: Persona,
    *,
    omit_first: bool = False,
) -> Flow:
    """Send `method`, then answer and retry while the server asks for input, up to max_rounds retries.

    `omit_first` sends the first retry without any answer (the state still echoed): the
    missing-answer probe of INPUT-02; later rounds answer everything.
    """
    flow = Flow(method=method, params=params, persona=persona)
    flow.rounds.append(session.request(method, params))
    flow.sent.append({})
    while len(flow.rounds) <= persona.max_rounds:
        result = input_required(flow.last)
        if result is None:
            break
        requests = input_requests(flow.last)
        omit = frozenset(requests) if omit_first and len(flow.rounds) == 1 else frozenset()
        responses = answers(persona, requests, omit)
        flow.sent.append(responses)
        flow.rounds.append(session.request(method, retry_params(params, result, responses)))
    return flow


def tampered(state: str) -> str:
    """`state` with its last character changed: the one-byte edit of MRTR-03's test.

    The last character, because opaque states usually end in their MAC or tag: a
    server that never checks it still decodes the payload and so shows whether it
    accepts an altered state as genuine.
    """
    last = state[-1:] or "A"
    swap = "B" if last == "A" else "A"
    return state[:-1] + swap


def retry_tampered(session: Session, method: str, params: dict[str, Any], persona: Persona) -> Flow | None:
    """First round, then one retry with every answer but the requestState altered; None when the
    first round carries no requestState to alter."""
    flow = Flow(method=method, params=params, persona=persona)
    flow.rounds.append(session.request(method, params))
    flow.sent.append({})
    result = input_required(flow.last)
    if result is None or not isinstance(result.get("requestState"), str) or not result["requestState"]:
        return None
    responses = answers(persona, input_requests(flow.last))
    retry = retry_params(params, result, responses)
    retry["requestState"] = tampered(result["requestState"])
    flow.sent.append(responses)
    flow.rounds.append(session.request(method, retry))
    return flow
