"""Hostile input never crashes the Jira sandbox: it is either accepted or a 400 in Jira's format.

MCP servers under test pass model-generated text straight to Jira (JQL, field
values), and the harness throws generated payloads at them on purpose. A 500
from the sandbox would look like a server bug, so the parser and the store are
driven here with Hypothesis, in-process (real objects, no HTTP) to stay fast.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.jira import jql, search
from sandbox.jira.errors import ApiError
from sandbox.jira.render import Renderer
from sandbox.jira.seed import build
from sandbox.jira.store import Store

SEEDED = build(42, None, "canary")
NOW = datetime(2025, 12, 31, tzinfo=UTC)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = [
    "project", "status", "priority", "assignee", "summary", "text", "labels", "created", "key", "cf[10042]",
    '"Customer ID"', "=", "!=", "~", "!~", ">", "<=", "in", "not", "is", "EMPTY", "AND", "OR", "NOT", "(",
    ")", ",", "ORDER", "BY", "DESC", "Done", '"To Do"', "SUP-1", "currentUser()", "-7d", "startOfDay(-1d)",
    "2025-01-01", "'x'", "*", "foo()", "-99999999999w", "nan",
]  # fmt: skip
jql_soup = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=10,
)
FIELD_NAMES = ["summary", "description", "issuetype", "project", "priority", "assignee", "reporter", "labels",
               "duedate", "customfield_10042", "status", "bogus"]  # fmt: skip
updates = st.dictionaries(st.sampled_from(["labels", "comment", "summary"]), json_values, max_size=2)
field_maps = st.dictionaries(st.sampled_from(FIELD_NAMES), json_values | st.just({"name": "Bug"}), max_size=6)


STORE = Store(SEEDED, "SUP")


def _context() -> search.Context:
    return search.Context(SEEDED.api_user, SEEDED.users, "SUP", NOW)


@FUZZ
@given(st.text(max_size=60) | jql_soup)
def test_any_jql_parses_or_fails_with_a_400(text: str) -> None:
    try:
        jql.parse(text)
    except jql.JqlSyntaxError as exc:
        assert str(exc).startswith("Error in the JQL Query: ")
    try:
        search.run(text, list(SEEDED.issues.values()), _context())
    except ApiError as exc:
        assert exc.status == 400 and exc.messages


def test_deep_nesting_is_a_400_not_a_crash() -> None:
    for text in ["(" * 5000 + "status = Done" + ")" * 5000, "NOT " * 5000 + "status = Done"]:
        try:
            jql.parse(text)
            raise AssertionError("should not parse")
        except jql.JqlSyntaxError as exc:
            assert "nested too deeply" in str(exc)


@FUZZ
@given(fields=field_maps, update=st.none() | updates)
def test_any_create_or_edit_is_accepted_or_a_400(fields: dict, update: dict | None) -> None:
    store = STORE
    store.reset()
    renderer = Renderer("http://127.0.0.1:1", "3", "SUP", store.users)
    body: dict = {"fields": fields}
    if update is not None:
        body["update"] = update
    before = store.mutations
    try:
        issue = store.create(body, SEEDED.api_user, "POST", "/rest/api/3/issue")
        json.dumps(renderer.issue(issue), allow_nan=False)
        assert store.mutations == before + 1
    except ApiError as exc:
        assert exc.status == 400 and (exc.messages or exc.errors)
        assert store.mutations == before  # a rejected write changes nothing
    target = store.get("SUP-1", SEEDED.api_user)
    snapshot = renderer.issue(target)
    try:
        store.edit(target, body, SEEDED.api_user, "PUT", "/rest/api/3/issue/SUP-1")
        json.dumps(renderer.issue(target), allow_nan=False)
    except ApiError as exc:
        assert exc.status == 400
        assert renderer.issue(target) == snapshot  # validation happens before any change
