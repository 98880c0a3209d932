"""`confirm_priority`: a 2026-07-28 tool that asks its client for input over several rounds (MRTR).

Why: the client persona (harness/protocol/persona.py) must be shown to drive a
multi-round flow to its end on a server that gets every step right, and the
INPUT-* faults need a flow to break. The rounds, all stateless (the state rides
an HMAC-sealed `requestState`, basic/patterns/mrtr server requirement 4):

1. no state: ask the user to confirm the ticket's priority (`elicitation/create`, a form);
2. priority accepted: ask the client's model for a one-line note (`sampling/createMessage`);
3. note given: the final result, quoting both answers.

A missing answer is asked for again (INPUT-02); a declined or cancelled form ends
the call with a result saying nothing changed; a tampered state is refused (MRTR-03).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from .rpc import INVALID_PARAMS, Ctx, RpcError

NAME = "confirm_priority"
MISSING_CAPABILITY = -32021
PRIORITIES = ["Highest", "High", "Medium", "Low"]
META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities"

TOOL = {
    "name": NAME,
    "description": "Confirm a support ticket's priority with the user, then draft a note (asks for input).",
    "inputSchema": {
        "type": "object",
        "additionalProperties": False,
        "properties": {"ticket": {"type": "string"}},
        "required": ["ticket"],
    },
}


def _elicit(ticket: str) -> dict[str, Any]:
    return {
        "method": "elicitation/create",
        "params": {
            "mode": "form",
            "message": f"Confirm the priority of ticket {ticket}",
            "requestedSchema": {
                "type": "object",
                "properties": {
                    "priority": {"type": "string", "enum": PRIORITIES, "title": "Priority"},
                    "notify": {"type": "boolean", "title": "Notify the reporter"},
                },
                "required": ["priority"],
            },
        },
    }


def _sample(ticket: str, priority: str) -> dict[str, Any]:
    text = f"Write one line for ticket {ticket}, whose priority is now {priority}."
    return {
        "method": "sampling/createMessage",
        "params": {
            "messages": [{"role": "user", "content": {"type": "text", "text": text}}],
            "maxTokens": 60,
        },
    }


def _seal(ctx: Ctx, state: dict[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(state, sort_keys=True).encode()).decode()
    sig = hmac.new(ctx.state.key, payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{sig}"


def _unseal(ctx: Ctx, token: Any) -> dict[str, Any]:
    if not isinstance(token, str) or "." not in token:
        raise RpcError(INVALID_PARAMS, "requestState is not one this server issued")
    payload, _, sig = token.rpartition(".")
    good = hmac.new(ctx.state.key, payload.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(good, sig) and not ctx.fault("MRTR-03-unverified-state"):
        raise RpcError(INVALID_PARAMS, "requestState failed verification")
    try:
        state = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except (binascii.Error, ValueError) as exc:
        raise RpcError(INVALID_PARAMS, "requestState failed verification") from exc
    return state if isinstance(state, dict) else {}


def _ask(ctx: Ctx, key: str, request: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    return {
        "resultType": "input_required",
        "inputRequests": {key: request},
        "requestState": _seal(ctx, state),
    }


def _text(text: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": text}]}


def call(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """One round of confirm_priority; which round is told by the sealed state alone."""
    ticket = str((params.get("arguments") or {}).get("ticket", ""))
    meta = params.get("_meta") if isinstance(params.get("_meta"), dict) else {}
    caps = meta.get(META_CAPABILITIES) if isinstance(meta.get(META_CAPABILITIES), dict) else {}
    missing = {k: {} for k in ("elicitation", "sampling") if k not in caps}
    if missing:  # VER-06: name what is needed instead of asking for it undeclared (MRTR-02)
        raise RpcError(
            MISSING_CAPABILITY,
            f"{NAME} needs the client's {' and '.join(missing)}",
            {"requiredCapabilities": missing},
        )
    responses = params.get("inputResponses") if isinstance(params.get("inputResponses"), dict) else {}
    if "requestState" not in params:
        return _ask(ctx, "priority", _elicit(ticket), {"step": 1, "ticket": ticket})
    state = _unseal(ctx, params["requestState"])
    if state.get("ticket") != ticket:
        raise RpcError(INVALID_PARAMS, "requestState belongs to another call")
    if ctx.fault("INPUT-01-ignores-answers"):
        return _ask(ctx, "priority", _elicit(ticket), {"step": 1, "ticket": ticket})
    if state.get("step") == 1:
        answer = responses.get("priority")
        if not isinstance(answer, dict):
            if ctx.fault("INPUT-02-error-on-missing-answer"):
                raise RpcError(INVALID_PARAMS, "inputResponses.priority is missing")
            return _ask(ctx, "priority", _elicit(ticket), state)  # ask again (INPUT-02)
        if answer.get("action") != "accept":
            return _text(
                f"Ticket {ticket}: the priority was not confirmed ({answer.get('action')}); nothing changed"
            )
        priority = (answer.get("content") or {}).get("priority")
        if priority not in PRIORITIES:
            return _ask(ctx, "priority", _elicit(ticket), state)  # an answer outside the form: ask again
        return _ask(
            ctx, "note", _sample(ticket, priority), {"step": 2, "ticket": ticket, "priority": priority}
        )
    answer = responses.get("note")
    if not isinstance(answer, dict):
        if ctx.fault("INPUT-02-error-on-missing-answer"):
            raise RpcError(INVALID_PARAMS, "inputResponses.note is missing")
        return _ask(ctx, "note", _sample(ticket, str(state.get("priority"))), state)
    content = answer.get("content")
    note = content.get("text") if isinstance(content, dict) else None
    return _text(f"Ticket {ticket}: priority {state.get('priority')} confirmed. Note: {note or '(none)'}")
