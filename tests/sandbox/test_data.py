"""Seed data: deterministic per seed, stable per row, no wall clock."""

from __future__ import annotations

import subprocess
import sys

from sandbox import data
from sandbox.data import DATE_END, DATE_START, Sizes

# Golden value: seed 42, default scale, Faker 40.54.0, DATA_VERSION 1. If this changes
# on purpose (new column, new generator), bump DATA_VERSION and update it here.
GOLDEN_SEED_42 = "cc1d5c3cefaabfdde01a1ba55a4f7a6c3df2eb1f093cb33e2ff4a1f5ac36887e"


def test_golden_hash_for_seed_42() -> None:
    assert data.data_hash(42, Sizes()) == GOLDEN_SEED_42


def test_golden_hash_does_not_depend_on_the_process() -> None:
    code = "from sandbox import data; print(data.data_hash(42))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    ).stdout.strip()
    assert out == GOLDEN_SEED_42


def test_different_seed_differs() -> None:
    assert data.data_hash(7, Sizes()) != GOLDEN_SEED_42


def test_rows_do_not_shift_when_scale_grows() -> None:
    small, big = Sizes(scale=0.1), Sizes(scale=1.0)
    assert data.customers(42, small) == data.customers(42, big)[: small.customers]
    assert data.kb_articles(42, small) == data.kb_articles(42, big)[: small.kb_articles]


def test_sizes_from_env(monkeypatch) -> None:
    monkeypatch.setenv("SANDBOX_SCALE", "0.5")
    sizes = Sizes.from_env()
    assert (sizes.customers, sizes.orders) == (500, 2500)
    assert Sizes.from_env(2).customers == 2000


def test_dates_are_bounded() -> None:
    everything = data.all_data(3, Sizes(scale=0.2))
    for dataset in ("customers", "orders", "kb_articles", "support_tickets"):
        for row in everything[dataset]:
            for key in ("created_at", "ordered_at", "updated_at", "created", "updated"):
                if key in row:
                    assert DATE_START <= row[key] <= DATE_END, (dataset, row)


def test_emails_unique_and_orders_consistent() -> None:
    sizes = Sizes(scale=0.3)
    customers = data.customers(5, sizes)
    assert len({c["email"] for c in customers}) == len(customers)
    orders, items = data.orders_and_items(5, sizes)
    by_order: dict[int, object] = {}
    for item in items:
        by_order[item["order_id"]] = by_order.get(item["order_id"], 0) + item["quantity"] * item["unit_price"]
    assert all(o["total"] == by_order[o["id"]] for o in orders)
    assert all(1 <= o["customer_id"] <= sizes.customers for o in orders)


def test_support_tickets_for_jira() -> None:
    tickets = data.support_tickets(42, count=50, customer_count=1000)
    assert [t["key"] for t in tickets[:3]] == ["SUP-1", "SUP-2", "SUP-3"]
    agents = {u["account_id"] for u in data.jira_users(42)}
    for ticket in tickets:
        assert ticket["priority"] in data.TICKET_PRIORITIES and ticket["status"] in data.TICKET_STATUSES
        assert ticket["reporter_email"] == data.customer(42, ticket["customer_id"])["email"]
        assert ticket["assignee_account_id"] is None or ticket["assignee_account_id"] in agents
        assert ticket["updated"] >= ticket["created"]
    assert data.support_tickets(42, count=50) == tickets


def test_jira_users_are_stable_and_unique() -> None:
    users = data.jira_users(42)
    assert users == data.jira_users(42)
    assert len({u["email"] for u in users}) == len(users)
    assert users[0]["role"] == "admin"


def test_kb_articles_cover_topics() -> None:
    articles = data.kb_articles(42, Sizes())
    assert len(articles) == 500
    assert {a["topic"] for a in articles} == {t[0] for t in data.KB_TOPICS}
    assert any(a["title"].startswith("How to reset your password") for a in articles)
    assert all(a["body"].count("\n\n") >= 3 for a in articles)
