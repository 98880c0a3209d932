"""`wait_for_queue_activity`: a long poll on the Jira support queue, with progress, cancellable.

Why in the reference server: support agents wait for a customer's reply, and a
tool that waits is where progress and cancellation matter (PROG-01..03,
CANC-01/04): the tool reports progress after every poll (the SDK sends
`notifications/progress` when the request carried a progressToken), and a
cancelled request stops polling at once (the SDK cancels the task and sends no
response). It only reads (GET), so it is annotated read-only, and it answers with
no ticket data (whose tickets changed is not its business: tenants, TENANT-01).
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from . import jira
from .auth import SCOPE_READ
from .config import NotConfigured, Settings
from .policy import Policy

POLL_S = 0.2  # how often Jira is asked: short enough that a short wait still polls a few times
READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True
)
Seconds = Annotated[float, Field(ge=0, le=30, description="how long to wait at most, in seconds")]


async def newest_update(settings: Settings) -> tuple[Any, Any]:
    """(key, updated) of the queue's most recently updated ticket, from Jira's search."""
    jql = f"project = {settings.jira_project} ORDER BY updated DESC"
    async with jira._client(settings) as client:
        response = await client.get(
            "/rest/api/2/search", params={"jql": jql, "maxResults": 1, "fields": "updated"}
        )
    if response.status_code != 200:
        raise jira._error(response)
    issues = response.json().get("issues") or [{}]
    return issues[0].get("key"), (issues[0].get("fields") or {}).get("updated")


def register(server: MCPServer, settings: Settings, policy: Policy) -> None:
    """Add wait_for_queue_activity to `server` (called by build_server)."""

    @server.tool(title="Wait for support-queue activity", annotations=READ_ONLY)
    async def wait_for_queue_activity(ctx: Context, seconds: Seconds = 1.0) -> dict[str, Any]:
        """Wait until any ticket of the support queue changes, or `seconds` pass (slow on purpose: a
        long poll that reports progress after each poll and stops when the request is cancelled)."""
        async with policy.guard(ctx, "wait_for_queue_activity", SCOPE_READ):
            try:
                settings.need("jira_url", "jira_email", "jira_api_token", "jira_project")
                started, first = time.monotonic(), await newest_update(settings)
                while True:
                    waited = min(time.monotonic() - started, seconds)
                    await ctx.report_progress(waited, seconds, "waiting for queue activity")
                    if waited >= seconds:
                        return {"changed": False, "waited_seconds": round(waited, 3)}
                    await anyio.sleep(min(POLL_S, seconds - waited))
                    if await newest_update(settings) != first:
                        return {"changed": True, "waited_seconds": round(time.monotonic() - started, 3)}
            except NotConfigured as exc:
                raise ToolError(str(exc)) from exc
            except jira.JiraError as exc:
                raise ToolError(f"Jira refused: {exc}") from exc
            except (*jira.transport_errors(), OSError) as exc:
                raise ToolError(f"Jira is unavailable right now ({type(exc).__name__})") from exc
