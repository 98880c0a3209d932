"""The MCP surface: tools, resources, the resource list and the prompt.

`build_server()` wires the backends (`db`, `sql`, `knowledge`, `jira`) to the
SDK's `MCPServer`. Tool failures a caller can act on (unknown customer, no
configuration, refused SQL, rate limit) are `ToolError`s, so they arrive as
`isError` results; protocol misuse stays a JSON-RPC error, from the SDK. The
protocol utilities have modules of their own, wired here: `logs`
(logging/setLevel, log messages), `completions` (completion/complete),
`subscriptions` and `listwatch`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from typing import Annotated, Any

import psycopg
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.server.mcpserver.prompts.base import UserMessage
from mcp.shared.exceptions import MCPError
from mcp_types import ListResourcesResult, PaginatedRequestParams, Resource, ToolAnnotations
from pydantic import Field

from . import completions, db, jira, knowledge, logs, priority, sql, subscriptions, waiting
from .auth import SCOPE_ALL, SCOPE_READ, SCOPE_WRITE
from .config import FAULT_STRING_MATCHING_SQL, NotConfigured, Settings
from .errors import INVALID_PARAMS, resource_not_found
from .listwatch import ListWatch
from .models import (
    Customer,
    KnowledgeResults,
    OrderList,
    OrderStatus,
    Priority,
    QueryResult,
    Ticket,
)
from .policy import AuditLog, AuditMiddleware, Policy, RateLimiter
from .protocol import ProtocolFixes
from .tenancy import Tenancy, masked

INSTRUCTIONS = (
    "Customer-support tools for the ACME mock enterprise: look customers and orders up, "
    "search the knowledge base, run read-only SQL, and open Jira support tickets."
)
RESOURCE_PAGE_SIZE = 50

READ = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
WRITE_TICKET = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
)

CustomerId = Annotated[int, Field(ge=1, le=2_147_483_647, description="the customer's numeric id")]


def _backend_error(what: str, exc: Exception) -> ToolError:
    """A backend failure as a tool error that says what was unreachable, not how."""
    if isinstance(exc, NotConfigured):
        return ToolError(str(exc))
    if isinstance(exc, psycopg.OperationalError):
        return ToolError(f"{what} is unavailable right now (database connection failed); try again later")
    return ToolError(f"{what} failed: {type(exc).__name__}")


def _encode_cursor(after_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after_id}).encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor.encode()))["after"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        after = None
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise MCPError(code=INVALID_PARAMS, message="Invalid cursor", data={"cursor": cursor})
    return after


def build_server(
    settings: Settings,
    *,
    policy: Policy | None = None,
    audit: AuditLog | None = None,
    **server_kwargs: Any,
) -> MCPServer:
    """The configured server; `server_kwargs` go to `MCPServer` (auth settings for HTTP)."""
    policy = policy or Policy(RateLimiter(120, 60.0), auth_enabled=False)
    tenancy = Tenancy(settings.database_url_readonly)
    server: MCPServer = MCPServer(
        "enterprise-support",
        title="Enterprise customer support",
        version="1.0.0",
        log_level="WARNING",
        instructions=INSTRUCTIONS,
        **server_kwargs,
    )
    # Outermost first: the audit and the client's log also record what ProtocolFixes refuses.
    server.middleware.extend(
        [
            AuditMiddleware(audit or AuditLog(), policy.auth_enabled),
            logs.register(server),  # logging/setLevel, notifications/message per request
            ProtocolFixes(server),
            ListWatch(settings),
        ]
    )
    # resources/list is the knowledge base, which changes: ListWatch announces it (SURF-03).
    lowlevel = server._lowlevel_server
    lowlevel.create_initialization_options = functools.partial(  # type: ignore[method-assign]
        lowlevel.create_initialization_options, NotificationOptions(resources_changed=True)
    )

    # ------------------------------------------------------------------ tools
    priority.register(server, settings, policy, tenancy)  # asks the user first (elicitation)
    waiting.register(server, settings, policy)  # slow: progress, cancellation
    subscriptions.register(server)  # legacy resources/subscribe (RES-05)
    completions.register(server, settings, policy, tenancy)  # completion/complete: keys and ids

    @server.tool(title="Get customer", annotations=READ)
    async def get_customer(customer_id: CustomerId, ctx: Context) -> Customer:
        """Look a customer up by id: name, contact, company, country, tier and order count."""
        async with policy.guard(ctx, "get_customer", SCOPE_READ) as who:
            try:
                settings.need("database_url_readonly")
                visible = await tenancy.may_see_customer(who, customer_id, "tool")
                row = (
                    await db.fetch_customer(settings.database_url_readonly, customer_id) if visible else None
                )
            except Exception as exc:
                raise _backend_error("get_customer", exc) from exc
            if row is None:  # another tenant's customer looks exactly like a missing one
                raise ToolError(
                    f"No customer with id {customer_id}. Check the id (query_database can search by "
                    "email or name: SELECT id FROM customers WHERE email = '...')."
                )
            return Customer(**masked(row, who))

    @server.tool(title="List a customer's orders", annotations=READ)
    async def list_customer_orders(
        customer_id: CustomerId,
        ctx: Context,
        status: Annotated[OrderStatus | None, Field(description="only orders in this status")] = None,
        limit: Annotated[int, Field(ge=1, le=200, description="at most this many orders, newest first")] = 50,
    ) -> OrderList:
        """A customer's orders, newest first, optionally only those in one status."""
        async with policy.guard(ctx, "list_customer_orders", SCOPE_READ) as who:
            try:
                settings.need("database_url_readonly")
                visible = await tenancy.may_see_customer(who, customer_id, "tool")
                customer = (
                    await db.fetch_customer(settings.database_url_readonly, customer_id) if visible else None
                )
                orders = (
                    []
                    if customer is None
                    else await db.fetch_orders(settings.database_url_readonly, customer_id, status, limit)
                )
            except Exception as exc:
                raise _backend_error("list_customer_orders", exc) from exc
            if customer is None:
                raise ToolError(f"No customer with id {customer_id}.")
            return OrderList(customer_id=customer_id, status=status, count=len(orders), orders=orders)

    @server.tool(title="Create support ticket", annotations=WRITE_TICKET)
    async def create_support_ticket(
        customer_id: CustomerId,
        subject: Annotated[str, Field(min_length=3, max_length=200, description="one-line summary")],
        description: Annotated[str, Field(min_length=1, max_length=10_000, description="what happened")],
        priority: Annotated[Priority, Field(description="Jira priority")],
        ctx: Context,
    ) -> Ticket:
        """Open a Jira support ticket for a customer (creates a new issue every time it is called)."""
        async with policy.guard(ctx, "create_support_ticket", SCOPE_WRITE) as who:
            try:
                settings.need(
                    "database_url_readonly", "jira_url", "jira_email", "jira_api_token", "jira_project"
                )
                visible = await tenancy.may_see_customer(who, customer_id, "ticket")
                customer = (
                    await db.fetch_customer(settings.database_url_readonly, customer_id) if visible else None
                )
            except Exception as exc:
                raise _backend_error("create_support_ticket", exc) from exc
            if customer is None:
                raise ToolError(f"No customer with id {customer_id}: no ticket was created.")
            try:
                created = await jira.create_issue(
                    settings,
                    summary=subject,
                    description=description,
                    priority=priority,
                    customer_id=customer_id,
                )
            except jira.JiraError as exc:
                raise ToolError(f"Jira refused the ticket: {exc}") from exc
            except Exception as exc:
                raise ToolError(
                    f"Jira is unavailable right now ({type(exc).__name__}); no ticket was created"
                ) from exc
            return Ticket(
                key=created["key"],
                id=str(created["id"]),
                url=created.get("self", f"{settings.jira_url}/rest/api/2/issue/{created['key']}"),
                customer_id=customer_id,
                summary=subject,
                priority=priority,
            )

    @server.tool(title="Search the knowledge base", annotations=READ)
    async def search_knowledge_base(
        query: Annotated[str, Field(min_length=1, max_length=500, description="what the customer asks")],
        ctx: Context,
        limit: Annotated[int, Field(ge=1, le=20, description="how many articles")] = 5,
    ) -> KnowledgeResults:
        """Semantic search over the help-centre articles: best matches first, with a snippet and a score."""
        async with policy.guard(ctx, "search_knowledge_base", SCOPE_READ):
            try:
                settings.need("vector_url", "embedding_model")
                if settings.vector_backend != "pgvector":
                    raise NotConfigured(
                        f"VECTOR_BACKEND={settings.vector_backend!r} is not supported (pgvector only)"
                    )
                hits = await knowledge.search(settings.vector_url, settings.embedding_model, query, limit)
            except Exception as exc:
                raise _backend_error("search_knowledge_base", exc) from exc
            return KnowledgeResults(query=query, results=hits)

    @server.tool(title="Read-only SQL", annotations=READ)
    async def query_database(
        query: Annotated[str, Field(min_length=1, max_length=10_000, description="one SELECT statement")],
        ctx: Context,
    ) -> QueryResult:
        """Run one read-only SQL query (SELECT / VALUES) on the enterprise database.

        Runs as a SELECT-only role in a READ ONLY transaction with a statement
        timeout; at most ENTERPRISE_MAX_ROWS rows (default 100) come back.
        Tables: customers, account_tiers, orders, order_items, products, customer_notes.
        """
        async with policy.guard(ctx, "query_database", SCOPE_READ) as who:
            if who.tenant_bound:  # free SQL reaches every customer: never for a tenant's token
                raise ToolError(
                    f"query_database needs the '{SCOPE_ALL}' scope (staff); this token is a user's"
                )
            try:
                if settings.fault == FAULT_STRING_MATCHING_SQL:
                    settings.need("database_url")
                    result = await sql.run_string_matching(settings.database_url, query, settings.max_rows)
                else:
                    settings.need("database_url_readonly")
                    result = await sql.run_read_only(
                        settings.database_url_readonly,
                        query,
                        settings.max_rows,
                        settings.statement_timeout_ms,
                    )
            except sql.QueryRefused as exc:
                raise ToolError(str(exc)) from exc
            except Exception as exc:
                raise _backend_error("query_database", exc) from exc
            return QueryResult(**result)

    # ------------------------------------------------------------------ resources

    async def _read_customer(uri: str, customer_id: str, ctx: Context) -> dict[str, Any]:
        if not customer_id.isdigit() or not 1 <= int(customer_id) <= 2_147_483_647:
            raise resource_not_found(uri, ctx.protocol_version, "customer")
        if not settings.database_url_readonly:
            raise ResourceError("the server is not configured for customers: set DATABASE_URL_READONLY")
        who = policy.who(ctx)
        if not await tenancy.may_see_customer(who, int(customer_id), "resource"):
            raise resource_not_found(uri, ctx.protocol_version, "customer")  # another tenant's: not found
        row = await db.fetch_customer(settings.database_url_readonly, int(customer_id))
        if row is None:
            raise resource_not_found(uri, ctx.protocol_version, "customer")
        return masked(row, who)

    @server.resource(
        "customers://{customer_id}", name="customer", title="Customer", mime_type="application/json"
    )
    async def customer_resource(customer_id: str, ctx: Context) -> str:
        """A customer record as JSON (the same fields as get_customer)."""
        row = await _read_customer(f"customers://{customer_id}", customer_id, ctx)
        return json.dumps(row)

    @server.resource(
        "customers://{customer_id}/orders",
        name="customer-orders",
        title="Customer orders",
        mime_type="application/json",
    )
    async def customer_orders_resource(customer_id: str, ctx: Context) -> str:
        """A customer's 200 most recent orders as JSON."""
        uri = f"customers://{customer_id}/orders"
        await _read_customer(uri, customer_id, ctx)
        orders = await db.fetch_orders(settings.database_url_readonly, int(customer_id), None, 200)
        return json.dumps({"customer_id": int(customer_id), "orders": orders})

    @server.resource(
        "kb://articles/{id}", name="kb-article", title="Knowledge-base article", mime_type="text/markdown"
    )
    async def article_resource(id: str, ctx: Context) -> str:
        """One help-centre article as Markdown."""
        uri = f"kb://articles/{id}"
        if not id.isdigit() or not 1 <= int(id) <= 2_147_483_647:
            raise resource_not_found(uri, ctx.protocol_version, "article")
        if not settings.vector_url:
            raise ResourceError("the server is not configured for the knowledge base: set VECTOR_URL")
        row = await knowledge.article(settings.vector_url, int(id))
        if row is None:
            raise resource_not_found(uri, ctx.protocol_version, "article")
        return f"# {row['title']}\n\n_Topic: {row['topic']}; updated {row['updated_at']}_\n\n{row['body']}\n"

    async def list_resources(ctx: Any, params: PaginatedRequestParams) -> ListResourcesResult:
        """`resources/list`, paginated: the SDK's own handler returns everything in one page."""
        after = _decode_cursor(params.cursor) if params.cursor else 0
        if not settings.vector_url:
            return ListResourcesResult(resources=[])  # no knowledge base configured: nothing to list
        try:
            rows = await knowledge.page(settings.vector_url, after, RESOURCE_PAGE_SIZE + 1)
        except psycopg.Error as exc:
            raise MCPError(code=-32603, message="the knowledge base is unavailable") from exc
        more = len(rows) > RESOURCE_PAGE_SIZE
        rows = rows[:RESOURCE_PAGE_SIZE]
        resources = [
            Resource(
                uri=f"kb://articles/{row['id']}",
                name=f"kb-article-{row['id']}",
                title=row["title"],
                mime_type="text/markdown",
            )
            for row in rows
        ]
        cursor = _encode_cursor(rows[-1]["id"]) if more and rows else None
        return ListResourcesResult(resources=resources, next_cursor=cursor)

    # No public hook for a paginated resources/list on MCPServer 2.3.0: register the
    # handler on the low-level server (add_request_handler replaces the SDK's one).
    server._lowlevel_server.add_request_handler("resources/list", PaginatedRequestParams, list_resources)

    # ------------------------------------------------------------------ prompt

    @server.prompt(title="Triage a support ticket")
    async def triage_ticket(ticket_key: str, ctx: Context) -> list[UserMessage]:
        """Fetch a Jira ticket and ask for a triage: severity, next step, knowledge-base links."""
        key = ticket_key.strip().upper()
        if not key or len(key) > 32:
            raise MCPError(code=INVALID_PARAMS, message="ticket_key must look like SUP-123")
        settings.need("jira_url", "jira_email", "jira_api_token")
        issue = await jira.get_issue(settings, key)
        if issue is not None and not tenancy.may_see_issue(policy.who(ctx), issue):
            issue = None  # another tenant's ticket: exactly as if it did not exist
        if issue is None:
            raise MCPError(
                code=INVALID_PARAMS, message=f"No ticket {key} (it does not exist or is not visible)"
            )
        fields = issue.get("fields") or {}
        text = "\n".join(
            [
                f"Triage Jira ticket {issue.get('key', key)}.",
                "",
                f"Summary: {fields.get('summary', '')}",
                f"Status: {(fields.get('status') or {}).get('name', '?')}",
                f"Priority: {(fields.get('priority') or {}).get('name', '?')}",
                f"Customer id: {fields.get(jira.CUSTOMER_FIELD)}",
                f"Reporter: {(fields.get('reporter') or {}).get('displayName', '?')}",
                "",
                "Description:",
                str(fields.get("description") or "(none)"),
                "",
                "Decide the severity, the next step, and which knowledge-base articles "
                "(search_knowledge_base) would help. Look the customer up with get_customer.",
            ]
        )
        return [UserMessage(text)]

    return server
