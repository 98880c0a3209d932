"""Output models: the SDK turns each into a tool's `outputSchema`, and a tool's
return value into `structuredContent` validated against it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

OrderStatus = Literal["pending", "paid", "shipped", "delivered", "refunded", "cancelled"]
Priority = Literal["Highest", "High", "Medium", "Low", "Lowest"]


class Customer(BaseModel):
    id: int
    first_name: str
    last_name: str
    email: str
    company: str
    country: str
    phone: str | None
    created_at: str = Field(description="ISO 8601 timestamp")
    tier: str = Field(description="account tier: Free, Starter, Business or Enterprise")
    order_count: int


class Order(BaseModel):
    id: int
    status: OrderStatus
    ordered_at: str = Field(description="ISO 8601 timestamp")
    total: str = Field(description="decimal amount as a string, exact")
    item_count: int


class OrderList(BaseModel):
    customer_id: int
    status: OrderStatus | None = Field(description="the filter applied, null for all")
    count: int
    orders: list[Order]


class Ticket(BaseModel):
    key: str = Field(description="Jira issue key, e.g. SUP-301")
    id: str
    url: str = Field(description="REST URL of the issue")
    customer_id: int
    summary: str
    priority: Priority


class KnowledgeHit(BaseModel):
    id: int
    uri: str = Field(description="kb://articles/{id}, readable as a resource")
    title: str
    topic: str
    snippet: str
    score: float = Field(description="cosine similarity, 1 is identical")


class KnowledgeResults(BaseModel):
    query: str
    results: list[KnowledgeHit]


class QueryResult(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    row_count: int
    truncated: bool = Field(description="true when more rows existed than the row limit")
