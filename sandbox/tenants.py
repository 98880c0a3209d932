"""Two tenant users of the mock enterprise, and the access tokens the identity provider gives them.

Why: tenant isolation (TENANT-*) needs two real users whose data differ: each
is a customer of the seed (a row in `customers`, orders, Jira issues they
reported, the reporter email being theirs). The identity provider knows them
as subjects `tenant-a` and `tenant-b`; their tokens carry the standard `email`
claim, which is how a server maps a user to its customer record, and the
scopes a customer user gets (`customers:read tickets:write`: no staff-wide or
PII scope). Tokens are signed in-process with the IdP's per-run key, like every
sandbox token (docs/auth.md: minting in-process).

The pair is a pure function of the seed: the two customers who reported the
most support tickets (ties: lower id first).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sandbox import data
from sandbox.idp.claims import claims, sign

TENANT_SCOPES = ("customers:read", "tickets:write")
SUBJECTS = ("tenant-a", "tenant-b")


@dataclass(frozen=True)
class Tenant:
    """A user of one customer: whose records are theirs, and who they are to the IdP."""

    subject: str
    customer_id: int
    email: str
    name: str
    issues: tuple[str, ...]  # Jira issue keys this customer reported

    def label(self) -> str:
        return f"{self.subject} (customer {self.customer_id})"


def tenants(sandbox: Any) -> tuple[Tenant, Tenant]:
    """Tenant A and tenant B of this sandbox's seed."""
    tickets = data.support_tickets(sandbox.seed, count=sandbox.sizes.support_tickets)
    counts = Counter(t["customer_id"] for t in tickets)
    chosen = sorted(counts, key=lambda cid: (-counts[cid], cid))[:2]
    found = []
    for subject, customer_id in zip(SUBJECTS, chosen, strict=True):
        row = data.customer(sandbox.seed, customer_id)
        keys = tuple(t["key"] for t in tickets if t["customer_id"] == customer_id)
        found.append(
            Tenant(subject, customer_id, row["email"], f"{row['first_name']} {row['last_name']}", keys)
        )
    return found[0], found[1]


def token(sandbox: Any, tenant: Tenant, audience: str, *, lifetime: int = 600) -> str:
    """The access token the sandbox IdP issues to `tenant` for the resource `audience`."""
    idp = sandbox.backend("idp")
    body = claims(
        issuer=idp.issuer,
        audience=audience,
        scopes=list(TENANT_SCOPES),
        subject=tenant.subject,
        client_id=idp.client_id or "mcp-harness",
        lifetime=lifetime,
    )
    body["email"] = tenant.email
    return sign(body, idp.key)
