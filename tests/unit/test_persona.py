"""The persona's answers are valid for what was asked, and INPUT-01/02 judge flows as documented."""

from __future__ import annotations

import pytest

from harness.checks.mrtr import answers_taken, flows_seen, missing_answer_asked_again
from harness.protocol.mrtr import Flow
from harness.protocol.persona import Persona, PersonaError, content_for, from_mapping
from harness.schema import validate_definition
from tests.unit.builders import V3, V4, V5, err, ok, verdict

FORM = {
    "type": "object",
    "properties": {
        "priority": {"type": "string", "enum": ["Highest", "High"]},
        "level": {"type": "string", "oneOf": [{"const": "a", "title": "A"}, {"const": "b", "title": "B"}]},
        "email": {"type": "string", "format": "email"},
        "code": {"type": "string", "minLength": 12, "maxLength": 14},
        "count": {"type": "integer", "minimum": 3, "maximum": 9},
        "ratio": {"type": "number", "exclusiveMinimum": 0},
        "ok": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}, "minItems": 2},
        "named": {"type": "string", "default": "kept"},
    },
    "required": ["priority"],
}


def test_accepted_content_fits_the_requested_schema():
    content = content_for(FORM)
    assert content["priority"] == "Highest" and content["level"] == "a" and content["named"] == "kept"
    assert len(content["code"]) == 12 and content["count"] == 3 and content["ratio"] >= 1
    assert content["tags"] == ["x", "y"] and content["ok"] is True and "@" in content["email"]
    result = Persona().answer("elicitation/create", {"message": "?", "requestedSchema": FORM})["result"]
    assert validate_definition(V5, "ElicitResult", result) == []  # what the spec's schema says a client sends


def test_values_decline_cancel_sampling_roots():
    persona = Persona(values={"priority": "High"}, roots=(("file:///srv/work", "work"),))
    assert persona.elicit({"requestedSchema": FORM})["content"]["priority"] == "High"
    assert Persona(action="decline").elicit({"requestedSchema": FORM}) == {"action": "decline"}
    assert Persona(action="cancel").elicit({"requestedSchema": FORM}) == {"action": "cancel"}
    text = persona.answer("sampling/createMessage", {"messages": [], "maxTokens": 5})["result"]
    assert text["content"]["type"] == "text" and text["stopReason"] == "endTurn"
    tool = {"name": "lookup", "inputSchema": {"type": "object", "properties": {"id": {"type": "integer"}}}}
    used = persona.answer("sampling/createMessage", {"messages": [], "maxTokens": 5, "tools": [tool]})[
        "result"
    ]
    assert used["content"]["type"] == "tool_use" and used["content"]["input"] == {"id": 1}
    assert used == persona.sample({"messages": [], "maxTokens": 5, "tools": [tool]})  # deterministic
    assert validate_definition(V5, "CreateMessageResult", used) == []
    roots = persona.answer("roots/list", {})["result"]
    assert roots == {"roots": [{"uri": "file:///srv/work", "name": "work"}]}
    assert "error" in persona.answer("tasks/get", {})


def test_capabilities_follow_the_version():
    assert "elicitation" not in Persona().capabilities("2025-03-26")
    assert Persona().capabilities(V3)["elicitation"] == {}
    assert Persona().capabilities(V4) == {
        "roots": {"listChanged": False},
        "sampling": {"tools": {}},
        "elicitation": {"form": {}},
    }


def test_persona_file_mapping_and_its_errors(tmp_path):
    persona = from_mapping({"elicitation": {"action": "cancel"}, "roots": [str(tmp_path)]}, [])
    assert persona.action == "cancel" and persona.roots == ((tmp_path.as_uri(), tmp_path.name),)
    assert from_mapping(None, [tmp_path]).roots == ((tmp_path.as_uri(), tmp_path.name),)
    for bad in ({"elicitation": {"action": "shrug"}}, {"roots": [{"uri": "https://x"}]}, ["list"]):
        with pytest.raises(PersonaError):
            from_mapping(bad, [])


ASK = {"method": "elicitation/create", "params": {"message": "?", "requestedSchema": FORM}}


def _asked(key: str = "p") -> dict:
    return {"resultType": "input_required", "inputRequests": {key: ASK}, "requestState": "s"}


def test_input01_asked_again_after_an_accepted_answer():
    flow = Flow("tools/call", {"name": "t"}, [ok(_asked()), ok(_asked())], [{}, {"p": {"action": "accept"}}])
    assert verdict(answers_taken(flow)) == [("INPUT-01", "warn")]
    declined = Flow(
        "tools/call", {"name": "t"}, [ok(_asked()), ok({"content": []})], [{}, {"p": {"action": "decline"}}]
    )
    assert answers_taken(declined) == []
    again = Flow(
        "tools/call", {"name": "t"}, [ok(_asked()), ok(_asked())], [{}, {"p": {"action": "decline"}}]
    )
    assert verdict(answers_taken(again)) == [("INPUT-01", "warn")]  # still asking when the rounds ran out
    assert verdict(flows_seen([Flow("tools/call", {}, [ok({"content": []})], [{}])])) == [
        ("INPUT-01", "info")
    ]


def test_input02_an_error_for_a_missing_answer():
    asked_again = Flow("tools/call", {"name": "t"}, [ok(_asked()), ok(_asked())], [{}, {}])
    assert missing_answer_asked_again(asked_again, frozenset({"p"})) == []
    refused = Flow("tools/call", {"name": "t"}, [ok(_asked()), err(-32602)], [{}, {}])
    assert verdict(missing_answer_asked_again(refused, frozenset({"p"}))) == [("INPUT-02", "warn")]
    is_error = Flow(
        "tools/call", {"name": "t"}, [ok(_asked()), ok({"content": [], "isError": True})], [{}, {}]
    )
    assert verdict(missing_answer_asked_again(is_error, frozenset({"p"}))) == [("INPUT-02", "warn")]
    done = Flow("tools/call", {"name": "t"}, [ok(_asked()), ok({"content": []})], [{}, {}])
    assert missing_answer_asked_again(done, frozenset({"p"})) == []


def test_cap03_info_names_what_the_persona_answered():
    from harness.checks.mrtr import persona_answered

    assert persona_answered([{"method": "ping"}])[0].message.startswith("no tool asked")
    found = persona_answered([{"method": "elicitation/create"}, {"method": "roots/list"}])
    assert verdict(found) == [("CAP-03", "info")] and "elicitation/create, roots/list" in found[0].message


def test_mrtr03_a_tampered_state_may_restart_or_fail_but_not_go_on():
    from harness.checks.mrtr import tampered_state_refused
    from harness.protocol.mrtr import tampered

    assert tampered("abcA") == "abcB" and tampered("abcf") == "abcA"
    first = ok(_asked("p"))
    for refused in (err(-32602), ok({"content": [], "isError": True}), ok(_asked("p"))):
        assert tampered_state_refused(Flow("tools/call", {"name": "t"}, [first, refused], [{}, {}])) == []
    for accepted in (ok({"content": []}), ok(_asked("next"))):
        flow = Flow("tools/call", {"name": "t"}, [first, accepted], [{}, {}])
        assert verdict(tampered_state_refused(flow)) == [("MRTR-03", "fail")]
