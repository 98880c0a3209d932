"""Tenant isolation: a user's token sees its own customer's records, nothing of anyone else's.

A token with an `email` claim belongs to a user; that email is a customer's
(`customers.email` is unique), and that customer is the user's tenant: their
record, their orders, the Jira issues they reported. Staff tokens (the
`customers:all` scope), service tokens without a user and stdio (no auth) see
every customer. A refusal looks exactly like "not found": a tenant learns
nothing about which other ids exist. Arguments never widen this: the token
decides, whatever `customer_id` a call names.
"""

from __future__ import annotations

from typing import Any

from . import db
from .policy import Principal

PII_FIELDS = ("email", "phone")


class Tenancy:
    """Which customer a user token belongs to (looked up once per email)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._customers: dict[str, int | None] = {}

    async def customer_of(self, who: Principal) -> int | None:
        """The user's customer id; None for a user no customer matches (then they see nothing)."""
        assert who.email is not None
        key = who.email.lower()
        if key not in self._customers:
            self._customers[key] = await db.fetch_customer_id_by_email(self.dsn, who.email)
        return self._customers[key]

    async def may_see_customer(self, who: Principal, customer_id: int, through: str) -> bool:
        """Whether `who` may see (or act for) this customer; `through` names the call site
        (tool, resource, ticket), so each surface's check can be told apart in a trace."""
        if not who.tenant_bound:
            return True
        return await self.customer_of(who) == customer_id

    def may_see_issue(self, who: Principal, issue: dict[str, Any]) -> bool:
        """An issue is the tenant's when they reported it (the reporter's email is theirs)."""
        if not who.tenant_bound:
            return True
        reporter = (issue.get("fields") or {}).get("reporter") or {}
        email = reporter.get("emailAddress")
        return isinstance(email, str) and email.lower() == str(who.email).lower()


def masked(record: dict[str, Any], who: Principal) -> dict[str, Any]:
    """Email and phone masked unless the caller may read PII (`data:pii:read`)."""
    if who.sees_pii:
        return record
    out = dict(record)
    for field in PII_FIELDS:
        value = out.get(field)
        if isinstance(value, str) and value:
            out[field] = _mask(value)
    return out


def _mask(value: str) -> str:
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return "***" + value[-2:]
