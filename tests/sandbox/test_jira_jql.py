"""The JQL parser alone (strings in, trees or Jira-worded errors out), and its meaning over the seed.

No service here: these run in milliseconds and pin the grammar, so the
end-to-end tests in test_jira_service.py can stay about HTTP behaviour.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandbox import data
from sandbox.jira import jql, search
from sandbox.jira.errors import ApiError
from sandbox.jira.jql import And, Clause, Empty, Function, Literal, Not, Or, Query, Sort
from sandbox.jira.seed import build

SEED = 42


def test_precedence_and_binds_tighter_than_or() -> None:
    q = jql.parse("a = 1 OR b = 2 AND c = 3")
    a, b, c = (Clause(name, "=", (Literal(v),)) for name, v in (("a", "1"), ("b", "2"), ("c", "3")))
    assert q == Query(Or((a, And((b, c)))))


def test_parentheses_not_and_order_by() -> None:
    q = jql.parse(
        'NOT (status = "To Do" or status = Done) and labels is not EMPTY order by priority DESC, key'
    )
    assert q.order_by == (Sort("priority", True), Sort("key", False))
    assert isinstance(q.where, And)
    first, second = q.where.parts
    assert first == Not(Or((Clause("status", "=", (Literal("To Do", quoted=True),)),
                            Clause("status", "=", (Literal("Done"),)))))  # fmt: skip
    assert second == Clause("labels", "is not", (Empty(),))


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("assignee = currentUser()", Clause("assignee", "=", (Function("currentUser"),))),
        (
            "status in (Done, 'In Progress')",
            Clause("status", "in", (Literal("Done"), Literal("In Progress", True))),
        ),
        ("priority not in (Low)", Clause("priority", "not in", (Literal("Low"),))),
        ("summary ~ reset", Clause("summary", "~", (Literal("reset"),))),
        ('summary !~ "a \\"b\\""', Clause("summary", "!~", (Literal('a "b"', True),))),
        ("cf[10042] >= 5", Clause("cf[10042]", ">=", (Literal("5"),))),
        ('"Customer ID" = 7', Clause("Customer ID", "=", (Literal("7"),))),
        ("created > startOfDay(-7d)", Clause("created", ">", (Function("startOfDay", ("-7d",)),))),
        ("assignee is null", Clause("assignee", "is", (Empty(),))),
        ("key = SUP-1 && status != Done", None),
    ],
)
def test_clauses(text: str, clause: Clause | None) -> None:
    q = jql.parse(text)
    if clause is not None:
        assert q.where == clause


def test_empty_query_and_order_only() -> None:
    assert jql.parse("") == Query(None, ())
    assert jql.parse("ORDER BY created DESC") == Query(None, (Sort("created", True),))


@pytest.mark.parametrize(
    "text",
    ["status =", "status = Done AND", "(status = Done", "status = Done)", "status Done", 'summary ~ "open',
     "status = Done ORDER created", "= Done", "status = Done ORDER BY", "status == Done", "a = b c = d",
     "status in Done", "assignee is Done", "labels = a%b"],
)  # fmt: skip
def test_syntax_errors_use_jira_wording(text: str) -> None:
    with pytest.raises(jql.JqlSyntaxError) as err:
        jql.parse(text)
    assert str(err.value).startswith("Error in the JQL Query: ")


# --------------------------------------------------------------------------- meaning over the seed

TICKETS = {t["key"]: t for t in data.support_tickets(SEED)}
SEEDED = build(SEED, None, "canary")
ISSUES = [i for i in SEEDED.issues.values() if not i.security]
NOW = datetime(2025, 12, 31, tzinfo=UTC)


def run(text: str) -> list[str]:
    ctx = search.Context(SEEDED.api_user, SEEDED.users, "SUP", NOW)
    return [i.key for i in search.run(text, ISSUES, ctx)]


def test_status_category_and_resolution() -> None:
    open_keys = set(run("statusCategory != Done"))
    assert open_keys == {k for k, t in TICKETS.items() if t["status"] != "Done"}
    assert set(run("resolution = Unresolved")) == open_keys
    assert set(run("statusCategory = indeterminate")) == {
        k for k, t in TICKETS.items() if t["status"] in ("In Progress", "Waiting for customer")}  # fmt: skip


def test_relative_dates_and_functions() -> None:
    recent = {k for k, t in TICKETS.items() if t["updated"] >= datetime(2025, 12, 1, tzinfo=UTC)}
    assert set(run("updated >= -30d")) == recent
    assert set(run("updated >= startOfDay(-30d)")) == recent
    this_year = {k for k, t in TICKETS.items() if t["created"].year == 2025}
    assert set(run("created >= startOfYear()")) == this_year


def test_text_search_is_word_based_and_case_insensitive() -> None:
    hits = set(run("summary ~ PASSWORD"))
    assert hits and hits == {k for k, t in TICKETS.items() if "password" in t["summary"].lower()}
    assert set(run('summary ~ "\\"password reset\\""')) == {
        k for k, t in TICKETS.items() if "password reset" in t["summary"].lower()}  # fmt: skip
    assert set(run("summary ~ passw*")) == hits
    assert run("summary ~ passwo") == []  # a word, not a substring


def test_priority_comparisons_and_order() -> None:
    high = {k for k, t in TICKETS.items() if t["priority"] in ("High", "Highest")}
    assert set(run("priority > Medium")) == high
    keys = run("ORDER BY Rank ASC")
    assert keys[:2] == ["SUP-1", "SUP-2"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sprint = 5", "Field 'sprint' does not exist or you do not have permission to view it."),
        ("priority = Urgent", "The value 'Urgent' does not exist for the field 'priority'."),
        ("assignee = nobody-at-all", "The value 'nobody-at-all' does not exist for the field 'assignee'."),
        ("description = x", "The operator '=' is not supported by the 'description' field."),
        ("created > yesterday", "Date value 'yesterday' for field 'created' is invalid."),
        ("issuetype in standardIssueTypes()", "Unable to find JQL function 'standardIssueTypes()'."),
        ("ORDER BY description", "Field 'description' does not support sorting."),
    ],
)
def test_semantic_errors(text: str, message: str) -> None:
    ctx = search.Context(SEEDED.api_user, SEEDED.users, "SUP", NOW)
    with pytest.raises(ApiError) as err:
        search.run(text, ISSUES, ctx)
    assert err.value.status == 400
    assert err.value.messages[0].startswith(message)
