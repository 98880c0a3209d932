"""Deterministic seed data for the mock enterprise.

Everything here is a pure function of (seed, sizes) and the pinned Faker
version (`faker==40.54.0` in pyproject): the golden test stores `data_hash` for
seed 42, so changing what a generator draws is a data-version bump
(`DATA_VERSION`), never an accident.

Why one seed per entity: each row reseeds the dataset's Faker instance from
blake2b(global seed, dataset, row index). Adding rows (a bigger `scale`) or a
new column at the end of a row therefore never shifts the rows that already
existed, and any single row can be regenerated alone (tickets refer to
customers by regenerating just those customers).

No wall clock: all dates are drawn between fixed bounds (`DATE_START`,
`DATE_END`).
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections import OrderedDict
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from hashlib import blake2b
from typing import Any

from faker import Faker

DATA_VERSION = 1
DATE_START = datetime(2022, 1, 1, tzinfo=UTC)
DATE_END = datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)
LOCALE = "en_US"


@dataclass(frozen=True)
class Sizes:
    """How many rows each dataset gets; `scale` multiplies the defaults.

    `SANDBOX_SCALE` in the environment sets the scale when none is given, so a
    CI job can run a tiny sandbox (`SANDBOX_SCALE=0.1`) without code changes.
    """

    scale: float = 1.0

    @classmethod
    def from_env(cls, scale: float | None = None) -> Sizes:
        if scale is None:
            scale = float(os.environ.get("SANDBOX_SCALE", "1") or "1")
        if scale <= 0:
            raise ValueError(f"scale must be positive, got {scale}")
        return cls(scale=scale)

    def _n(self, base: int, minimum: int = 1) -> int:
        return max(minimum, round(base * self.scale))

    @property
    def customers(self) -> int:
        return self._n(1000, 5)

    @property
    def products(self) -> int:
        return self._n(200, 5)

    @property
    def orders(self) -> int:
        return self._n(5000, 5)

    @property
    def kb_articles(self) -> int:
        return self._n(500, len(KB_TOPICS))

    @property
    def support_tickets(self) -> int:
        return self._n(300, 5)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "customers": self.customers,
            "products": self.products,
            "orders": self.orders,
            "kb_articles": self.kb_articles,
            "support_tickets": self.support_tickets,
        }


def entity_seed(seed: int, dataset: str, index: int) -> int:
    """A stable 64-bit seed for one row of one dataset (blake2b, not hash())."""
    digest = blake2b(f"{seed}:{dataset}:{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


@cache
def _faker() -> Faker:
    # Building a Faker is slow (provider discovery); reseeding one is cheap.
    return Faker(LOCALE)


def _row_faker(seed: int, dataset: str, index: int) -> Faker:
    fake = _faker()
    fake.seed_instance(entity_seed(seed, dataset, index))
    return fake


def _when(fake: Faker, start: datetime = DATE_START, end: datetime = DATE_END) -> datetime:
    moment = fake.date_time_between_dates(datetime_start=start, datetime_end=end, tzinfo=UTC)
    return moment.replace(microsecond=0)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


# --------------------------------------------------------------------------- tiers

ACCOUNT_TIERS: list[dict[str, Any]] = [
    {"id": 1, "name": "Free", "monthly_price": Decimal("0.00"), "seats": 1, "support_level": "community"},
    {"id": 2, "name": "Starter", "monthly_price": Decimal("29.00"), "seats": 5, "support_level": "email"},
    {
        "id": 3,
        "name": "Business",
        "monthly_price": Decimal("99.00"),
        "seats": 25,
        "support_level": "priority",
    },
    {
        "id": 4,
        "name": "Enterprise",
        "monthly_price": Decimal("499.00"),
        "seats": 500,
        "support_level": "dedicated",
    },
]
_TIER_WEIGHTS = [("1", 0.35), ("2", 0.35), ("3", 0.22), ("4", 0.08)]


def account_tiers() -> list[dict[str, Any]]:
    """The fixed plan catalogue (not seeded: prices are part of the scenario)."""
    return [dict(t) for t in ACCOUNT_TIERS]


# --------------------------------------------------------------------------- customers


def customer(seed: int, index: int) -> dict[str, Any]:
    """Customer number `index` (1-based id), generated alone.

    Fields: id, tier_id, first_name, last_name, email (unique: it embeds the
    id), company, country, phone, created_at (aware UTC datetime), last_viewed
    (None: the column a "read-only" tool must not touch).
    """
    fake = _row_faker(seed, "customers", index)
    first, last = fake.first_name(), fake.last_name()
    company = fake.company()
    domain = (_ascii(company)[:20] or "example") + "." + fake.random_element(["com", "io", "net", "co"])
    tier = int(fake.random_element(OrderedDict(_TIER_WEIGHTS)))
    return {
        "id": index,
        "tier_id": tier,
        "first_name": first,
        "last_name": last,
        "email": f"{_ascii(first)}.{_ascii(last)}{index}@{domain}",
        "company": company,
        "country": fake.country(),
        "phone": fake.numerify("+1-###-###-####"),
        "created_at": _when(fake),
        "last_viewed": None,
    }


def customers(seed: int, sizes: Sizes) -> list[dict[str, Any]]:
    """All customers, ids 1..sizes.customers."""
    return [customer(seed, i) for i in range(1, sizes.customers + 1)]


# --------------------------------------------------------------------------- products

_CATEGORIES = {
    "Software": ["Analytics Suite", "Sync Agent", "Backup Vault", "Insight Dashboard", "API Gateway"],
    "Hardware": ["Edge Router", "Smart Badge", "Desk Hub", "Conference Camera", "Secure Key"],
    "Services": ["Onboarding Pack", "Premium Support", "Data Migration", "Training Day", "Health Check"],
    "Add-ons": ["Extra Storage", "SSO Connector", "Audit Log", "Extra Seats", "Sandbox Env"],
}


def products(seed: int, sizes: Sizes) -> list[dict[str, Any]]:
    """Products: id, sku (unique), name, category, price (Decimal), active."""
    rows = []
    categories = sorted(_CATEGORIES)
    for i in range(1, sizes.products + 1):
        fake = _row_faker(seed, "products", i)
        category = fake.random_element(categories)
        base = fake.random_element(_CATEGORIES[category])
        rows.append(
            {
                "id": i,
                "sku": f"{category[:3].upper()}-{i:05d}",
                "name": f"{base} {fake.random_element(['Lite', 'Pro', 'Plus', 'Max', 'One', 'X'])}",
                "category": category,
                "price": Decimal(fake.random_int(500, 250_000)) / 100,
                "active": fake.random_int(0, 9) > 0,
            }
        )
    return rows


# --------------------------------------------------------------------------- orders

ORDER_STATUSES = ["pending", "paid", "shipped", "delivered", "refunded", "cancelled"]


def orders_and_items(seed: int, sizes: Sizes) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Orders (id, customer_id, status, ordered_at, total) and their items.

    Items: id, order_id, product_id, quantity, unit_price. Item ids are
    numbered in order order, so growing `orders` only appends items.
    """
    product_rows = products(seed, sizes)
    orders, items = [], []
    item_id = 0
    for i in range(1, sizes.orders + 1):
        fake = _row_faker(seed, "orders", i)
        total = Decimal("0.00")
        for _ in range(fake.random_int(1, 4)):
            product = product_rows[fake.random_int(0, len(product_rows) - 1)]
            quantity = fake.random_int(1, 5)
            item_id += 1
            items.append(
                {
                    "id": item_id,
                    "order_id": i,
                    "product_id": product["id"],
                    "quantity": quantity,
                    "unit_price": product["price"],
                }
            )
            total += product["price"] * quantity
        orders.append(
            {
                "id": i,
                "customer_id": fake.random_int(1, sizes.customers),
                "status": fake.random_element(ORDER_STATUSES),
                "ordered_at": _when(fake),
                "total": total,
            }
        )
    return orders, items


# --------------------------------------------------------------------------- knowledge base

# (topic slug, title, key sentence, steps, note). Article bodies are built from
# these so that searching for the topic's words finds the topic's articles.
KB_TOPICS: list[tuple[str, str, str, list[str], str]] = [
    (
        "password-reset",
        "How to reset your password",
        "If you forgot your password you can reset it from the sign-in page.",
        [
            "Open the sign-in page and click 'Forgot password'.",
            "Enter the email address of your account.",
            "Open the password reset link we email you; it expires after 30 minutes.",
            "Choose a new password of at least 12 characters.",
        ],
        "Administrators can also force a password reset for any user from the admin console.",
    ),
    (
        "refund-annual",
        "Refund policy for annual plans",
        "Annual plans can be refunded pro rata within the first 30 days after purchase or renewal.",
        [
            "Open Billing and select the annual subscription.",
            "Click 'Request refund' and pick a reason.",
            "Refunds are returned to the original payment method within 5 to 10 business days.",
        ],
        "Monthly plans are not refunded, but you can cancel at any time before the next billing date.",
    ),
    (
        "two-factor",
        "Set up two-factor authentication",
        "Two-factor authentication (2FA) protects your account with "
        "a one-time code from an authenticator app.",
        [
            "Go to Security settings and choose 'Enable two-factor authentication'.",
            "Scan the QR code with your authenticator app.",
            "Enter the six-digit code to confirm.",
            "Store the recovery codes somewhere safe.",
        ],
        "If you lose your phone, use a recovery code or ask an administrator to reset 2FA.",
    ),
    (
        "invoice-download",
        "Download invoices and receipts",
        "Every payment creates an invoice that you can download as PDF from the billing page.",
        [
            "Open Billing, then Invoices.",
            "Pick the month and click Download PDF.",
            "To change the company name or VAT number on invoices, edit the billing profile first.",
        ],
        "Invoices already issued cannot be changed; contact support for a corrected invoice.",
    ),
    (
        "change-plan",
        "Upgrade or downgrade your plan",
        "You can change your subscription plan at any time; upgrades take effect immediately.",
        [
            "Open Billing and click 'Change plan'.",
            "Compare the Starter, Business and Enterprise tiers.",
            "Confirm; the price difference is prorated on the next invoice.",
        ],
        "Downgrades take effect at the end of the current billing period.",
    ),
    (
        "sso-saml",
        "Configure single sign-on with SAML",
        "Business and Enterprise plans can sign in with single "
        "sign-on (SSO) through a SAML identity provider.",
        [
            "Download the service provider metadata from Security settings.",
            "Create an application in your identity provider and upload the metadata.",
            "Paste the identity provider certificate and sign-in URL.",
            "Test SSO with one user before enforcing it.",
        ],
        "Keep one administrator account outside SSO so you cannot lock yourself out.",
    ),
    (
        "api-keys",
        "Create and rotate API keys",
        "API keys let scripts and integrations call the REST API on behalf of your workspace.",
        [
            "Open Developer settings and click 'New API key'.",
            "Give the key a name and the narrowest scope.",
            "Copy the key now; it is shown only once.",
            "Rotate keys every 90 days and delete unused ones.",
        ],
        "A leaked API key should be revoked immediately from the same page.",
    ),
    (
        "rate-limits",
        "API rate limits and 429 errors",
        "The API allows a fixed number of requests per minute per key and answers "
        "429 Too Many Requests above it.",
        [
            "Read the Retry-After header and wait that many seconds.",
            "Use exponential backoff with jitter.",
            "Batch requests where the endpoint supports it.",
        ],
        "Enterprise plans can request a higher rate limit from their account manager.",
    ),
    (
        "data-export",
        "Export your data as CSV",
        "You can export customers, orders and reports as CSV files at any time.",
        [
            "Open the list you want to export.",
            "Click Export and choose CSV.",
            "Large exports are prepared in the background and emailed to you as a download link.",
        ],
        "Exports include only the columns you can see with your role.",
    ),
    (
        "delete-account",
        "Close and delete your account",
        "Deleting an account removes all workspace data permanently after a 14-day grace period.",
        [
            "Export any data you want to keep.",
            "Cancel the active subscription.",
            "Open Account settings and click 'Delete account', then confirm by email.",
        ],
        "During the grace period an administrator can restore the account by contacting support.",
    ),
    (
        "invite-users",
        "Invite users to your workspace",
        "Administrators can invite teammates by email and assign them a role.",
        [
            "Open Team and click 'Invite'.",
            "Enter one or more email addresses.",
            "Pick a role: viewer, editor or administrator.",
            "Invitations expire after seven days.",
        ],
        "Each invited user takes a seat on your plan once they accept.",
    ),
    (
        "shipping-delay",
        "Where is my order? Shipping and delivery times",
        "Hardware orders ship within two business days and tracking "
        "numbers are emailed when the parcel leaves.",
        [
            "Open Orders and select the order to see its shipping status.",
            "Use the tracking link to follow the parcel with the carrier.",
            "If tracking has not moved for five days, open a support ticket.",
        ],
        "Customs can add several days to international deliveries.",
    ),
    (
        "return-hardware",
        "Return or replace faulty hardware",
        "Faulty hardware can be returned for a replacement within the two-year warranty.",
        [
            "Open the order and choose 'Return item'.",
            "Describe the fault and attach a photo.",
            "Print the prepaid return label and drop the parcel at the carrier.",
        ],
        "Replacements ship as soon as the returned device is scanned by the carrier.",
    ),
    (
        "payment-failed",
        "Payment failed or card declined",
        "A declined card usually means an expired card, insufficient funds or a bank security block.",
        [
            "Check the card expiry date in Billing.",
            "Update the payment method or add a new card.",
            "Retry the payment from the unpaid invoice.",
        ],
        "After three failed payment attempts the workspace is moved to read-only mode until paid.",
    ),
    (
        "webhooks",
        "Receive events with webhooks",
        "Webhooks send an HTTP POST to your endpoint when orders, customers or tickets change.",
        [
            "Open Developer settings, then Webhooks, and add the endpoint URL.",
            "Select the event types to subscribe to.",
            "Verify the signature header on every delivery with your signing secret.",
        ],
        "Failed deliveries are retried with backoff for 24 hours.",
    ),
    (
        "data-privacy",
        "GDPR data requests and privacy",
        "Customers can ask for a copy of their personal data or for its erasure under GDPR.",
        [
            "Find the customer record and choose 'Privacy request'.",
            "Pick access (export) or erasure (delete personal data).",
            "Requests complete within 30 days.",
        ],
        "Order records are kept anonymised for accounting as required by law.",
    ),
    (
        "login-locked",
        "Account locked after failed sign-in attempts",
        "After ten failed sign-in attempts the account is locked for 15 minutes to stop password guessing.",
        [
            "Wait 15 minutes and try again.",
            "Reset your password if you are unsure of it.",
            "Ask an administrator to unlock the account immediately.",
        ],
        "Repeated lockouts are reported in the security audit log.",
    ),
    (
        "mobile-app",
        "Install and use the mobile app",
        "The mobile app for iOS and Android shows orders, customers and notifications on the go.",
        [
            "Install the app from the App Store or Google Play.",
            "Sign in with your work email.",
            "Enable push notifications for new tickets.",
        ],
        "The mobile app supports single sign-on and two-factor authentication.",
    ),
    (
        "notifications",
        "Manage email notifications",
        "Choose which email notifications you receive for orders, tickets and billing.",
        [
            "Open Profile, then Notifications.",
            "Switch each notification type on or off.",
            "Use the daily digest to receive one summary email.",
        ],
        "Security and billing emails cannot be turned off.",
    ),
    (
        "integrations-slack",
        "Connect Slack and Microsoft Teams",
        "Integrations post order and ticket updates to a Slack or Microsoft Teams channel.",
        [
            "Open Integrations and choose Slack or Teams.",
            "Authorise the app for your workspace.",
            "Pick the channel and the events to post.",
        ],
        "Disconnecting the integration stops all posts immediately.",
    ),
    (
        "storage-quota",
        "Storage quota exceeded",
        "Each plan includes a storage quota for attachments and exports; uploads fail when it is full.",
        [
            "See current usage under Billing, then Usage.",
            "Delete old exports and attachments.",
            "Buy the Extra Storage add-on or upgrade the plan.",
        ],
        "Storage is measured once per hour, so freed space can take a while to show.",
    ),
    (
        "discount-codes",
        "Apply a discount or coupon code",
        "Discount codes reduce the price of a new subscription or an order.",
        [
            "Enter the coupon code at checkout or in Billing.",
            "The discount appears on the next invoice.",
            "Only one discount code can be active at a time.",
        ],
        "Expired coupon codes cannot be reactivated.",
    ),
    (
        "tax-vat",
        "Sales tax and VAT on invoices",
        "Tax is calculated from the billing address; businesses in the EU can add a VAT number "
        "for reverse charge.",
        [
            "Open Billing profile and enter the VAT or tax ID.",
            "Save; the next invoice applies the change.",
            "Tax-exempt organisations can upload an exemption certificate.",
        ],
        "Tax cannot be removed from invoices that were already paid.",
    ),
    (
        "uptime-status",
        "Service status and outages",
        "The status page shows current incidents, planned maintenance and uptime history.",
        [
            "Check the status page first when the service is slow or unavailable.",
            "Subscribe to incident updates by email.",
            "Open a ticket if the status page shows no incident.",
        ],
        "Enterprise plans include a 99.9% uptime service level agreement with service credits.",
    ),
    (
        "audit-log",
        "Review the security audit log",
        "The audit log records sign-ins, permission changes, exports and API key usage.",
        [
            "Open Security, then Audit log.",
            "Filter by user, action or date.",
            "Export the audit log to your SIEM through the API.",
        ],
        "Audit log entries are kept for one year on Enterprise plans.",
    ),
]

_KB_VARIANTS = [
    "",
    " in the web app",
    " on mobile",
    " for administrators",
    " for Enterprise customers",
    " (step by step)",
    " - troubleshooting",
    " - frequently asked questions",
]
_KB_CLOSINGS = [
    "Still stuck? Open a support ticket and include the time and the exact error message.",
    "If this did not help, contact support from the Help menu and we will answer within one business day.",
    "Our support team can walk you through this on a call; book one from the Help menu.",
]


def kb_articles(seed: int, sizes: Sizes) -> list[dict[str, Any]]:
    """Knowledge-base articles: id, topic, title, body (several paragraphs), updated_at.

    Topics cycle so every topic has articles at any scale; variants and
    paragraph order come from the row's Faker, so bodies differ between seeds.
    """
    rows = []
    for i in range(1, sizes.kb_articles + 1):
        fake = _row_faker(seed, "kb_articles", i)
        slug, title, lead, steps, note = KB_TOPICS[(i - 1) % len(KB_TOPICS)]
        variant = fake.random_element(_KB_VARIANTS)
        numbered = "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))
        product = fake.random_element([p for names in _CATEGORIES.values() for p in names])
        paragraphs = [
            f"{lead} This article explains {title.lower()}{variant}.",
            f"Steps:\n{numbered}",
            f"Note: {note}",
            f"This applies to all plans, including customers using {product}. "
            f"Last reviewed by {fake.first_name()} from the support team.",
            fake.random_element(_KB_CLOSINGS),
        ]
        rows.append(
            {
                "id": i,
                "topic": slug,
                "title": f"{title}{variant}",
                "body": "\n\n".join(paragraphs),
                "updated_at": _when(fake),
            }
        )
    return rows


# --------------------------------------------------------------------------- jira


def jira_users(seed: int) -> list[dict[str, Any]]:
    """The support agents of the Jira-compatible service (fixed count: 8).

    Each dict: `account_id` (str, stable, e.g. "agent-1"), `display_name`,
    `email` (unique, @support.example.com), `active` (bool), `role`
    ("admin" for the first user, "agent" otherwise). API tokens are not here:
    they are made per run by the Jira backend.
    """
    users = []
    for i in range(1, 9):
        fake = _row_faker(seed, "jira_users", i)
        first, last = fake.first_name(), fake.last_name()
        users.append(
            {
                "account_id": f"agent-{i}",
                "display_name": f"{first} {last}",
                "email": f"{_ascii(first)}.{_ascii(last)}{i}@support.example.com",
                "active": True,
                "role": "admin" if i == 1 else "agent",
            }
        )
    return users


_TICKET_SUBJECTS = {
    "password-reset": ["Cannot reset my password", "Password reset email never arrives"],
    "refund-annual": ["Refund request for annual plan", "Charged twice for annual renewal"],
    "two-factor": ["Lost phone, cannot pass two-factor", "2FA codes rejected"],
    "invoice-download": ["Invoice shows wrong company name", "Need invoices for last year"],
    "shipping-delay": ["Order not delivered yet", "Tracking number does not work"],
    "return-hardware": ["Device arrived broken", "Replacement for faulty router"],
    "payment-failed": ["Card declined on renewal", "Workspace switched to read-only after payment failure"],
    "sso-saml": ["SAML sign-in fails with invalid signature", "How to enforce SSO"],
    "api-keys": ["API key leaked, please revoke", "API key returns 401"],
    "rate-limits": ["Getting 429 Too Many Requests", "Need higher API rate limit"],
    "login-locked": ["Account locked", "Locked out after failed sign-ins"],
    "data-export": ["CSV export is empty", "Export link expired"],
}
TICKET_PRIORITIES = ["Highest", "High", "Medium", "Low", "Lowest"]
TICKET_STATUSES = ["To Do", "In Progress", "Waiting for customer", "Done"]


def support_tickets(seed: int, count: int = 300, customer_count: int = 1000) -> list[dict[str, Any]]:
    """Support tickets for the Jira-compatible service (project key "SUP").

    Each dict:
      - `key` (str): "SUP-1" .. f"SUP-{count}", `id` (int): the number;
      - `summary` (str), `description` (str, plain text, a few sentences);
      - `priority`: one of TICKET_PRIORITIES; `status`: one of TICKET_STATUSES;
      - `issue_type`: "Support" or "Bug"; `labels` (list[str]): the KB topic slug;
      - `reporter_email` (str) and `customer_id` (int): the customer who filed
        it; the email equals that customer's `email` in the `enterprise`
        database (same seed), so servers can join tickets to orders;
      - `assignee_account_id` (str | None): a `jira_users(seed)` account id;
      - `created`, `updated` (aware UTC datetimes, updated >= created).

    `customer_count` must match the sandbox's customer count (Sizes.customers)
    for the reporter emails to exist in the database.
    """
    agents = jira_users(seed)
    topics = sorted(_TICKET_SUBJECTS)
    tickets = []
    for i in range(1, count + 1):
        fake = _row_faker(seed, "support_tickets", i)
        topic = fake.random_element(topics)
        customer_id = fake.random_int(1, customer_count)
        status = fake.random_element(TICKET_STATUSES)
        created = _when(fake)
        updated = min(created + timedelta(hours=fake.random_int(0, 24 * 20)), DATE_END)
        assignee = None if status == "To Do" and fake.boolean() else fake.random_element(agents)["account_id"]
        order_ref = fake.random_int(1, 5000)
        tickets.append(
            {
                "key": f"SUP-{i}",
                "id": i,
                "summary": fake.random_element(_TICKET_SUBJECTS[topic]),
                "description": (
                    f"{fake.sentence(nb_words=8)} I am contacting you about order #{order_ref}. "
                    f"{fake.sentence(nb_words=10)} Please help as soon as possible."
                ),
                "priority": fake.random_element(TICKET_PRIORITIES),
                "status": status,
                "issue_type": "Bug" if fake.random_int(0, 4) == 0 else "Support",
                "labels": [topic],
                "customer_id": customer_id,
                "reporter_email": "",  # filled below, from the customer row
                "assignee_account_id": assignee,
                "created": created,
                "updated": updated,
            }
        )
    for ticket in tickets:
        ticket["reporter_email"] = customer(seed, ticket["customer_id"])["email"]
    return tickets


# --------------------------------------------------------------------------- canaries and hashing


def all_data(seed: int, sizes: Sizes) -> dict[str, list[dict[str, Any]]]:
    """Every dataset for (seed, sizes), keyed by dataset name."""
    orders, items = orders_and_items(seed, sizes)
    return {
        "account_tiers": account_tiers(),
        "customers": customers(seed, sizes),
        "products": products(seed, sizes),
        "orders": orders,
        "order_items": items,
        "kb_articles": kb_articles(seed, sizes),
        "jira_users": jira_users(seed),
        "support_tickets": support_tickets(seed, sizes.support_tickets, sizes.customers),
    }


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot canonicalise {type(value).__name__}")


def data_hash(seed: int, sizes: Sizes | None = None, data: dict[str, Any] | None = None) -> str:
    """blake2b-256 of the canonical JSON of all generated data (plus versions).

    Pass `data` when you already generated it, to avoid generating twice.
    """
    sizes = sizes or Sizes()
    data = data if data is not None else all_data(seed, sizes)
    payload = {"data_version": DATA_VERSION, "sizes": asdict(sizes), "data": data}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_canonical)
    return blake2b(text.encode(), digest_size=32).hexdigest()
