"""The Jira REST client: the server's own service account, never the caller's.

Credentials (JIRA_EMAIL / JIRA_API_TOKEN) are the server's; MCP callers are
authorised by scope (`tickets:write`) before we get here. API v2 keeps
descriptions as plain strings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import Settings

if TYPE_CHECKING:
    import httpx

# httpx loads on the first Jira call: a stdio process that never calls Jira starts ~80 ms sooner
# (the harness starts one per fresh connection).
TIMEOUT_S, CONNECT_TIMEOUT_S = 10.0, 5.0
CUSTOMER_FIELD = "customfield_10042"


class JiraError(Exception):
    """Jira answered with an error; the message carries Jira's own words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def transport_errors() -> tuple[type[Exception], ...]:
    """httpx's errors, for `except` clauses: they are evaluated only while an exception is matched,
    so httpx is imported then (or already, by the call that failed), never at start-up."""
    import httpx

    return (httpx.HTTPError,)


def _client(settings: Settings) -> httpx.AsyncClient:
    import httpx

    return httpx.AsyncClient(
        base_url=settings.jira_url,
        auth=(settings.jira_email, settings.jira_api_token),
        timeout=httpx.Timeout(TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
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


async def search(settings: Settings, jql: str, *, max_results: int, fields: str) -> dict[str, Any]:
    """Jira's search result for `jql` (`issues`, `total`); a refusal is a JiraError with its status."""
    params = {"jql": jql, "maxResults": max_results, "fields": fields}
    async with _client(settings) as client:
        response = await client.get("/rest/api/2/search", params=params)
    if response.status_code != 200:
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
