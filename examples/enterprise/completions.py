"""`completion/complete`: suggest Jira keys for the prompt, ids for the resource templates.

Why: an agent filling in `triage_ticket` or a `customers://{customer_id}` URI
types a few characters and picks from what exists, instead of guessing keys.
Suggestions are prefix matches, at most 100 (the spec's cap), with `total` and
`hasMore` so a client knows when to type more:

- `triage_ticket`'s `ticket_key`: keys of the configured Jira project, newest first;
- `customers://{customer_id}` and `customers://{customer_id}/orders`: customer ids;
- `kb://articles/{id}`: knowledge-base article ids.

Ids and key numbers are matched by decimal prefix with range predicates
(`numeric_prefix_ranges`), so Jira (JQL has no prefix operator on keys) and
PostgreSQL (the primary-key index) are asked for exactly the matches. The same
visibility as reading holds: a tenant's token is offered its own customer id
and the tickets it reported, nothing else (enterprise/tenancy.py).

Errors: an unknown prompt or template, or an argument it does not have, is
-32602 (the SDK already answers -32602 for a request without `argument`). A
backend that is not configured has nothing to suggest (empty values); one that
fails is -32603, saying which backend, not why.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import CompleteRequestParams, CompleteResult, Completion, PromptReference

from . import jira
from .config import NotConfigured, Settings
from .db import read_only
from .errors import INVALID_PARAMS
from .policy import Policy, Principal, principal
from .tenancy import Tenancy

INTERNAL_ERROR = -32603
MAX_VALUES = 100  # the spec's cap on completion.values
MAX_ID = 2_147_483_647  # ids are PostgreSQL integers
MAX_TICKET_NUMBER = 999_999_999

# A completer: (caller, typed value) -> the completion.
Completer = Callable[[Principal, str], Awaitable[Completion]]


def numeric_prefix_ranges(prefix: str, maximum: int) -> list[tuple[int, int]]:
    """Inclusive ranges of the integers 1..maximum whose decimal form starts with `prefix`.

    "1" -> 1, 10-19, 100-199, ...; "" -> everything; "0", "x" or a prefix longer
    than any id -> nothing. At most one range per possible length.
    """
    if prefix == "":
        return [(1, maximum)]
    if not (prefix.isascii() and prefix.isdigit()) or prefix.startswith("0"):
        return []
    start, ranges, scale = int(prefix), [], 1
    while start * scale <= maximum:
        ranges.append((start * scale, min((start + 1) * scale - 1, maximum)))
        scale *= 10
    return ranges


def completion(values: list[str], total: int) -> Completion:
    return Completion(values=values[:MAX_VALUES], total=total, has_more=total > len(values[:MAX_VALUES]))


NOTHING = Completion(values=[], total=0, has_more=False)


# ------------------------------------------------------------------ ids from PostgreSQL


async def ids_by_prefix(dsn: str, table: str, prefix: str) -> Completion:
    """Ids of `table` (a constant of this module, never input) starting with `prefix`, ascending."""
    ranges = numeric_prefix_ranges(prefix, MAX_ID)
    if not ranges:
        return NOTHING
    where = " OR ".join(["id BETWEEN %s AND %s"] * len(ranges))
    query = f"SELECT id, count(*) OVER () AS total FROM {table} WHERE {where} ORDER BY id LIMIT {MAX_VALUES}"
    async with read_only(dsn, 2000) as conn:
        rows = await (await conn.execute(query, [bound for pair in ranges for bound in pair])).fetchall()
    return completion([str(row["id"]) for row in rows], int(rows[0]["total"]) if rows else 0)


# ------------------------------------------------------------------ ticket keys from Jira


def _jql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ticket_jql(project: str, value: str, reporter: str | None) -> str | None:
    """The JQL for the project's tickets whose key starts with `value` (None: none can)."""
    typed = value.strip().upper()
    head, dash, number = typed.partition("-")
    if not dash:  # "", "S", "SUP": every ticket of the project, if it is a prefix of its key
        if not project.startswith(head):
            return None
        number = ""
    elif head != project:
        return None
    clauses = [f"project = {_jql_string(project)}"]
    if number:
        ranges = numeric_prefix_ranges(number, MAX_TICKET_NUMBER)
        if not ranges:
            return None
        clauses.append(
            "(" + " OR ".join(f"(key >= {project}-{lo} AND key <= {project}-{hi})" for lo, hi in ranges) + ")"
        )
    if reporter is not None:
        clauses.append(f"reporter = {_jql_string(reporter)}")
    return " AND ".join(clauses) + " ORDER BY key DESC"


async def ticket_keys(settings: Settings, who: Principal, tenancy: Tenancy, value: str) -> Completion:
    """Keys of the configured project starting with `value`, newest first, as the caller may see them."""
    project = settings.jira_project.upper()
    jql = ticket_jql(project, value, who.email if who.tenant_bound else None)
    if jql is None:
        return NOTHING
    try:
        body = await jira.search(settings, jql, max_results=MAX_VALUES, fields="reporter")
    except jira.JiraError as exc:
        if exc.status == 400 and who.tenant_bound:
            return NOTHING  # Jira does not know this reporter: the user reported nothing
        raise
    issues = [i for i in body.get("issues") or [] if tenancy.may_see_issue(who, i)]
    keys = [str(i["key"]) for i in issues if isinstance(i.get("key"), str)]
    return completion(keys, max(int(body.get("total") or 0), len(keys)))


# ------------------------------------------------------------------ the handler


def register(server: MCPServer, settings: Settings, policy: Policy, tenancy: Tenancy) -> None:
    """Serve completion/complete on `server` (called by build_server; the SDK then declares
    `completions`)."""

    async def customer_ids(who: Principal, value: str) -> Completion:
        settings.need("database_url_readonly")
        if who.tenant_bound:  # a tenant is offered its own id only
            own = await tenancy.customer_of(who)
            return completion([str(own)], 1) if own is not None and str(own).startswith(value) else NOTHING
        return await ids_by_prefix(settings.database_url_readonly, "customers", value)

    async def article_ids(who: Principal, value: str) -> Completion:
        settings.need("vector_url")
        return await ids_by_prefix(settings.vector_url, "kb_articles", value)

    async def ticket_key(who: Principal, value: str) -> Completion:
        settings.need("jira_url", "jira_email", "jira_api_token", "jira_project")
        return await ticket_keys(settings, who, tenancy, value)

    prompts: dict[str, dict[str, Completer]] = {"triage_ticket": {"ticket_key": ticket_key}}
    templates: dict[str, dict[str, Completer]] = {
        "customers://{customer_id}": {"customer_id": customer_ids},
        "customers://{customer_id}/orders": {"customer_id": customer_ids},
        "kb://articles/{id}": {"id": article_ids},
    }
    backends = {ticket_key: "Jira", customer_ids: "the customer database", article_ids: "the knowledge base"}

    async def complete(ctx: Any, params: CompleteRequestParams) -> CompleteResult:
        ref, argument = params.ref, params.argument
        if isinstance(ref, PromptReference):
            what, arguments = f"prompt {ref.name!r}", prompts.get(ref.name)
        else:
            what, arguments = f"resource template {ref.uri!r}", templates.get(ref.uri)
        if arguments is None:
            raise MCPError(
                code=INVALID_PARAMS,
                message=f"Unknown {what}",
                data={"ref": ref.model_dump(mode="json", by_alias=True, exclude_none=True)},
            )
        completer = arguments.get(argument.name)
        if completer is None:
            raise MCPError(
                code=INVALID_PARAMS,
                message=f"The {what} has no argument {argument.name!r}",
                data={"argument": argument.name, "known": sorted(arguments)},
            )
        try:
            found = await completer(principal(ctx.request, policy.auth_enabled), argument.value)
        except NotConfigured:
            found = NOTHING  # no backend configured: nothing to suggest, not a failed request
        except (psycopg.Error, *jira.transport_errors(), OSError, jira.JiraError) as exc:
            raise MCPError(
                code=INTERNAL_ERROR,
                message=f"{backends[completer]} is unavailable right now; try again later",
            ) from exc
        return CompleteResult(completion=found)

    server._lowlevel_server.add_request_handler("completion/complete", CompleteRequestParams, complete)
