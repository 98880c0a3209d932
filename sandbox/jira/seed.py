"""Build the seeded Jira state from the shared deterministic data (`sandbox.data`).

The tickets and agents come from `sandbox.data` so that the Jira sandbox, the
`enterprise` database and the knowledge base agree (a ticket's reporter email
is a customer's email in PostgreSQL). One extra, restricted issue carries the
canary: it exists to prove a server never leaks what its user may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sandbox import data
from sandbox.jira.model import INITIAL_STATUS, ISSUE_TYPES, Comment, Issue, User, find

API_USER_FALLBACK_ID = "api-user"
RESTRICTED_SUMMARY = "Security incident: credential exposure (restricted)"


@dataclass
class Seeded:
    users: dict[str, User]  # account id -> user
    issues: dict[str, Issue]  # key -> issue
    api_user: str  # account id of the configured REST user
    restricted_key: str
    next_id: int


def build(
    seed: int,
    email: str | None,
    canary: str | None,
    project: str = "SUP",
    count: int = 300,
    customer_count: int = 1000,
) -> Seeded:
    """The whole initial state; a pure function of its arguments (no wall clock)."""
    users: dict[str, User] = {}
    agents = data.jira_users(seed)
    for agent in agents:
        users[agent["account_id"]] = User(
            agent["account_id"], agent["display_name"], agent["email"], agent["active"]
        )
    api_user = agents[0]["account_id"]
    if email:
        match = next((u for u in users.values() if u.email.lower() == email.lower()), None)
        if match is None:
            users[API_USER_FALLBACK_ID] = User(API_USER_FALLBACK_ID, "API User", email)
            api_user = API_USER_FALLBACK_ID
        else:
            api_user = match.account_id

    issues: dict[str, Issue] = {}
    tickets = data.support_tickets(seed, count=count, customer_count=customer_count)
    for t in tickets:
        reporter_id = f"customer-{t['customer_id']}"
        if reporter_id not in users:
            cust = data.customer(seed, t["customer_id"])
            users[reporter_id] = User(
                reporter_id,
                f"{cust['first_name']} {cust['last_name']}",
                cust["email"],
                assignable=False,
                account_type="customer",
            )
        number = int(t["id"])
        key = f"{project}-{number}"
        done = t["status"] == "Done"
        issue_type = find(ISSUE_TYPES, t["issue_type"])
        issues[key] = Issue(
            id=10000 + number,
            key=key,
            summary=t["summary"],
            description=t["description"],
            description_adf=None,
            issue_type=issue_type.name if issue_type else "Task",
            status=t["status"],
            priority=t["priority"],
            reporter=reporter_id,
            creator=reporter_id,
            assignee=t.get("assignee_account_id"),
            labels=list(t.get("labels") or []),
            created=t["created"],
            updated=t["updated"],
            customer_id=t["customer_id"],
            resolution=done,
            resolution_date=t["updated"] if done else None,
        )

    number = count + 1
    restricted_key = f"{project}-{number}"
    when = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    secret = canary or "sandbox-canary-not-configured"
    issues[restricted_key] = Issue(
        id=10000 + number,
        key=restricted_key,
        summary=RESTRICTED_SUMMARY,
        description=f"Restricted to the security team. Rotation secret: {secret}",
        description_adf=None,
        issue_type="Incident",
        status=INITIAL_STATUS,
        priority="Highest",
        reporter=agents[0]["account_id"],
        creator=agents[0]["account_id"],
        assignee=agents[0]["account_id"],
        labels=["security"],
        created=when,
        updated=when,
        security=True,
        comments=[
            Comment(
                "90001",
                agents[0]["account_id"],
                f"Canary for leak checks: {secret}",
                None,
                when,
                when,
                agents[0]["account_id"],
            )
        ],
    )
    return Seeded(users, issues, api_user, restricted_key, next_id=number + 1)
