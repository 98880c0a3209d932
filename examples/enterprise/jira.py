"""The Jira REST client: the server's own service account, never the caller's.

Credentials (JIRA_EMAIL / JIRA_API_TOKEN) are the server's; MCP callers are
authorised by scope (`tickets:write`) before we get here. API v2 keeps
descriptions as plain strings.
"""

from __future__ import annotations

from typing import Any

import httpx

from .config import Settings

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
CUSTOMER_FIELD = "customfield_10042"


class JiraError(Exception):
    """Jira answered with an error; the message carries Jira's own words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _client(settings: Settings) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=settings.jira_url,
        auth=(settings.jira_email, settings.jira_api_token),
        timeout=TIMEOUT,
        trust_env=False,
        headers={"Accept": "application/json"},
    )


def _error(response: httpx.Response) -> JiraError:
    try:
        body = response.json()
        parts = list(body.get("errorMessages") or []) + [
            f"{k}: {v}" for k, v in (body.get("errors") or {}).items()
        ]
    except ValueError:
        parts = []
    return JiraError(response.status_code, "; ".join(parts) or f"Jira answered HTTP {response.status_code}")


async def create_issue(
    settings: Settings,
    *,
    summary: str,
    description: str,
    priority: str,
    customer_id: int,
    issue_type: str = "Support",
) -> dict[str, Any]:
    """Create the issue; returns Jira's `{id, key, self}`."""
    fields = {
        "project": {"key": settings.jira_project},
        "summary": summary,
        "description": description,
        "issuetype": {"name": issue_type},
        "priority": {"name": priority},
        CUSTOMER_FIELD: customer_id,
    }
    async with _client(settings) as client:
        response = await client.post("/rest/api/2/issue", json={"fields": fields})
    if response.status_code != 201:
        raise _error(response)
    return response.json()


async def get_issue(settings: Settings, key: str) -> dict[str, Any] | None:
    """The issue (v2 JSON) or None when Jira says 404 (missing or not visible to us)."""
    async with _client(settings) as client:
        response = await client.get(f"/rest/api/2/issue/{key}", params={"expand": "renderedFields"})
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise _error(response)
    return response.json()
