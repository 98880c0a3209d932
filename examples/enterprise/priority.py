"""`set_ticket_priority`: a tool that asks the user before it writes (elicitation).

Why in the reference server: changing a ticket's priority is what a careful
support tool confirms with a human first, and it shows the SDK's one way of
asking for both eras: the confirmation is a resolver (`Resolve` + `Elicit`), so
at 2025-06-18/2025-11-25 the SDK sends `elicitation/create` mid-call, and at
2026-07-28 it answers `input_required` and resumes on the retry (MRTR). A client
that did not declare elicitation gets -32021 naming it (VER-06), never a request
it cannot answer (CAP-03, MRTR-02). Only an accepted form writes; the user may
pick another priority in the form, and the chosen one is what is set.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context, Elicit, ElicitationResult, MCPServer, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field

from . import jira
from .auth import SCOPE_WRITE
from .config import NotConfigured, Settings
from .models import Priority
from .policy import Policy
from .tenancy import Tenancy

# Setting a field overwrites it (destructive); setting it again to the same value changes nothing.
SET_PRIORITY = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True
)
TicketKey = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*-[0-9]+$", examples=["SUP-1"])]


class PriorityConfirmation(BaseModel):
    """The form the user sees: the priority to set (they may change it) and whether to tell the reporter."""

    priority: Priority = Field(description="Jira priority to set")
    notify_reporter: bool = Field(default=False, description="tell the reporter about the change")


async def ask_to_confirm(ticket_key: str, priority: str) -> Elicit[PriorityConfirmation]:
    """The question: asked once per call, answered on the retry (2026-07-28) or mid-call (before)."""
    return Elicit(f"Set the priority of {ticket_key} to {priority}?", PriorityConfirmation)


Confirmation = Annotated[ElicitationResult[PriorityConfirmation], Resolve(ask_to_confirm)]


async def set_issue_priority(settings: Settings, key: str, priority: str) -> None:
    """PUT the priority field; raises jira.JiraError on a refusal."""
    async with jira._client(settings) as client:
        response = await client.put(
            f"/rest/api/2/issue/{key}", json={"fields": {"priority": {"name": priority}}}
        )
    if response.status_code not in (200, 204):
        raise jira._error(response)


def register(server: MCPServer, settings: Settings, policy: Policy, tenancy: Tenancy) -> None:
    """Add set_ticket_priority to `server` (called by build_server)."""

    @server.tool(title="Set a ticket's priority (asks first)", annotations=SET_PRIORITY)
    async def set_ticket_priority(
        ticket_key: TicketKey,
        priority: Annotated[Priority, Field(description="the priority to propose")],
        confirmation: Confirmation,
        ctx: Context,
    ) -> dict[str, Any]:
        """Change a Jira ticket's priority once the user confirms it (elicitation); else change nothing."""
        async with policy.guard(ctx, "set_ticket_priority", SCOPE_WRITE) as who:
            if confirmation.action != "accept":
                return {
                    "ticket": ticket_key,
                    "changed": False,
                    "reason": f"the user chose {confirmation.action}",
                }
            chosen = confirmation.data.priority
            try:
                settings.need("jira_url", "jira_email", "jira_api_token")
                issue = await jira.get_issue(settings, ticket_key)
                if issue is None or not tenancy.may_see_issue(who, issue):
                    raise ToolError(f"No ticket {ticket_key}: nothing was changed.")
                await set_issue_priority(settings, ticket_key, chosen)
            except NotConfigured as exc:
                raise ToolError(str(exc)) from exc
            except jira.JiraError as exc:
                raise ToolError(f"Jira refused the change: {exc}") from exc
            except (*jira.transport_errors(), OSError) as exc:
                raise ToolError(
                    f"Jira is unavailable right now ({type(exc).__name__}); nothing changed"
                ) from exc
            return {"ticket": ticket_key, "changed": True, "priority": chosen}
