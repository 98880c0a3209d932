"""Multi-round requests driven by the client persona (INPUT-01, INPUT-02): pure functions over a Flow.

Why apart from modern.py: these judge what a server does with the *answers* a
client gives (harness/protocol/mrtr.py drives the rounds), not the shape of one
result. MRTR-01/02 still judge each round's result (modern.py) and every frame
is schema-checked by the judge, so each step of a flow is checked on its own.
"""

from __future__ import annotations

import json
from typing import Any

from harness.checks.registry import check
from harness.findings import Finding, fail, info, warn
from harness.protocol.mrtr import Flow, input_requests, input_required


def _settled(method: str, answer: Any) -> bool:
    """Whether `answer` gives the server what it asked for (a decline or cancel does not)."""
    if method == "elicitation/create":
        return isinstance(answer, dict) and answer.get("action") == "accept"
    return isinstance(answer, dict)


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


@check("INPUT-01")
def answers_taken(flow: Flow) -> list[Finding]:
    """INPUT-01: a retry that answered an input request is not asked the very same request again.

    The spec's flow ends with the server having "sufficient information" once the
    client answered; a server MAY ask again "until they have what they need", so
    only a request the client *settled* (an accepted form, a sampled message, its
    roots) counts, and only when asked again unchanged. Derived: WARN. A flow that
    is still asking after the persona's max_rounds is reported the same way.
    """
    findings: list[Finding] = []
    answered: list[tuple[int, str, dict[str, Any]]] = []  # (round, key, entry) settled so far
    for number, exchange in enumerate(flow.rounds):
        requests = input_requests(exchange)
        for key, entry in requests.items():
            earlier = next(
                (n for n, k, e in answered if k == key and _same(e, entry)),
                None,
            )
            if earlier is not None:
                findings.append(
                    warn(
                        "INPUT-01",
                        f"{flow.describe()}: round {number + 1} asks again for inputRequests[{key!r}] "
                        f"({entry.get('method') if isinstance(entry, dict) else entry!r}), unchanged, "
                        f"although the retry answered it (asked in round {earlier + 1}): "
                        "the answer was not used",
                        exchange.response,
                    )
                )
        sent = flow.sent[number + 1] if number + 1 < len(flow.sent) else {}
        for key, entry in requests.items():
            method = entry.get("method") if isinstance(entry, dict) else None
            if key in sent and _settled(str(method), sent[key]):
                answered.append((number, key, entry))
    if not findings and flow.rounds and input_required(flow.last) is not None:
        rounds = len(flow.rounds)
        findings.append(
            warn(
                "INPUT-01",
                f"{flow.describe()}: still input_required after {rounds} rounds in which every input "
                "request was answered",
                flow.last.response,
            )
        )
    return findings


@check("INPUT-02")
def missing_answer_asked_again(flow: Flow, omitted: frozenset[str]) -> list[Finding]:
    """INPUT-02: a retry that leaves out a requested answer gets a new input_required, not an error.

    basic/patterns/mrtr, Error Handling: the server SHOULD "respond with a new
    InputRequiredResult requesting the missing information again, rather than
    returning an error". A final result is fine (the answer was not necessary).
    """
    if len(flow.rounds) < 2 or not omitted:
        return []
    retry = flow.rounds[1]
    what = f"{flow.describe()} retried without the answer to {', '.join(sorted(omitted))}"
    result = retry.result if retry.ok and isinstance(retry.result, dict) else None
    if retry.error is not None:
        code = retry.error.get("code") if isinstance(retry.error, dict) else None
        return [warn("INPUT-02", f"{what}: error {code!r} instead of asking again", retry.response)]
    if result is not None and result.get("isError") is True:
        return [warn("INPUT-02", f"{what}: an isError result instead of asking again", retry.response)]
    if input_required(retry) is not None and not omitted & set(input_requests(retry)):
        return [info("INPUT-02", f"{what}: input_required again, without those keys")]
    return []


@check("INPUT-01")
def flows_seen(flows: list[Flow]) -> list[Finding]:
    """INPUT-01 (INFO): nothing the persona called asked for input, so no flow was driven."""
    if any(len(f.rounds) > 1 for f in flows):
        return []
    return [info("INPUT-01", f"none of the {len(flows)} request(s) asked for input: no multi-round flow")]


@check("CAP-03")
def persona_answered(server_requests: list[dict[str, Any]]) -> list[Finding]:
    """CAP-03 (INFO): which of the server's mid-call requests the persona answered (handshake era);
    a request of a kind the persona did not declare is CAP-03's per-frame failure, not this."""
    kinds = sorted({str(r.get("method")) for r in server_requests} - {"ping"})
    if not kinds:
        return [info("CAP-03", "no tool asked the client anything (elicitation, sampling, roots)")]
    return [info("CAP-03", f"the persona answered {', '.join(kinds)} mid-call")]


@check("MRTR-03")
def tampered_state_refused(flow: Flow) -> list[Finding]:
    """MRTR-03: a retry whose requestState was altered by one character gets an error or a fresh
    input_required (the first round's requests again), never the next step or a final success
    (basic/patterns/mrtr: servers MUST reject state that fails verification; spec-rules' test:
    flip a byte and retry)."""
    if len(flow.rounds) < 2:
        return []
    retry = flow.rounds[1]
    result = retry.result if retry.ok and isinstance(retry.result, dict) else None
    if result is None or result.get("isError") is True:
        return []
    asked_first, asked_now = set(input_requests(flow.rounds[0])), set(input_requests(retry))
    if input_required(retry) is not None and asked_now <= asked_first:
        return []  # asked again from the start: the state was not trusted
    step = f"went on to ask for {', '.join(sorted(asked_now))}" if asked_now else "completed"
    return [
        fail(
            "MRTR-03",
            f"{flow.describe()}: a retry with a tampered requestState (last character changed) {step}: "
            "the altered state was accepted as genuine",
            retry.request,
            retry.response,
        )
    ]
