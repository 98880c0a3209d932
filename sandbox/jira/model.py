"""What a Jira instance is made of: the fixed catalogue and the mutable records.

The catalogue (project, issue types, priorities, statuses, workflow, fields)
never changes at run time, so it is plain module data. Issues, comments and
users are small dataclasses with an explicit `clone()`: resetting the sandbox
copies them field by field, which is an order of magnitude faster than
`copy.deepcopy` and keeps `/_sandbox/reset` well under 50 ms.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

PROJECT_ID = "10000"
CUSTOMER_FIELD = "customfield_10042"
CUSTOMER_FIELD_NAME = "Customer ID"
SECURITY_LEVEL = {"id": "10100", "name": "Restricted", "description": "Security team only"}


@dataclass(frozen=True)
class Named:
    """A catalogue entry (issue type, priority, status): an id and a name, plus extras."""

    id: str
    name: str
    description: str = ""
    extra: tuple[tuple[str, Any], ...] = ()


ISSUE_TYPES = (
    Named("10001", "Task", "A small, distinct piece of work."),
    Named("10002", "Bug", "A problem or error."),
    Named("10003", "Incident", "A service outage or disruption."),
    Named("10004", "Support", "A request from a customer."),
)
PRIORITIES = (  # Jira order: most important first
    Named("1", "Highest", "This problem will block progress.", (("statusColor", "#d04437"),)),
    Named("2", "High", "Serious problem that could block progress.", (("statusColor", "#f15C75"),)),
    Named("3", "Medium", "Has the potential to affect progress.", (("statusColor", "#f79232"),)),
    Named("4", "Low", "Minor problem or easily worked around.", (("statusColor", "#707070"),)),
    Named(
        "5", "Lowest", "Trivial problem with little or no impact on progress.", (("statusColor", "#999999"),)
    ),
)
STATUS_CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
STATUSES = (
    Named("10000", "To Do", "Work that has not been started.", (("category", "new"),)),
    Named("3", "In Progress", "The issue is actively being worked on.", (("category", "indeterminate"),)),
    Named(
        "10001",
        "Waiting for customer",
        "Waiting for the customer to answer.",
        (("category", "indeterminate"),),
    ),
    Named("10002", "Done", "Work has been completed.", (("category", "done"),)),
)
# The workflow: from status -> reachable statuses. A transition is named after its target
# status and its id is fixed per target, as in Jira's simplified workflows.
TRANSITION_IDS = {"To Do": "11", "In Progress": "21", "Waiting for customer": "31", "Done": "41"}
WORKFLOW = {
    "To Do": ("In Progress", "Done"),
    "In Progress": ("To Do", "Waiting for customer", "Done"),
    "Waiting for customer": ("In Progress", "Done"),
    "Done": ("To Do",),
}
RESOLUTION_DONE = {"id": "10000", "name": "Done", "description": "Work has been completed on this issue."}
DEFAULT_ISSUE_TYPE = "Task"
DEFAULT_PRIORITY = "Medium"
INITIAL_STATUS = "To Do"


def find(catalogue: tuple[Named, ...], ref: Any) -> Named | None:
    """Look an entry up by id or by name (case-insensitive), as Jira accepts both."""
    text = str(ref).strip().lower()
    for entry in catalogue:
        if entry.id == text or entry.name.lower() == text:
            return entry
    return None


def status_category(status_name: str) -> dict[str, Any]:
    status = find(STATUSES, status_name)
    key = dict(status.extra)["category"] if status else "new"
    return STATUS_CATEGORIES[key]


@dataclass(frozen=True)
class FieldDef:
    """One entry of `GET field` (and of createmeta / `names` / `schema`)."""

    id: str
    name: str
    schema: dict[str, Any]
    clause_names: tuple[str, ...]
    custom: bool = False
    orderable: bool = True
    navigable: bool = True
    searchable: bool = True
    creatable: bool = False  # on the create screen
    required: bool = False


def _sys(type_: str, system: str, items: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": type_, "system": system}
    if items:
        schema["items"] = items
    return schema


FIELDS = (
    FieldDef("summary", "Summary", _sys("string", "summary"), ("summary",), creatable=True, required=True),
    FieldDef("description", "Description", _sys("string", "description"), ("description",), creatable=True),
    FieldDef(
        "issuetype",
        "Issue Type",
        _sys("issuetype", "issuetype"),
        ("issuetype", "type"),
        creatable=True,
        required=True,
    ),
    FieldDef("project", "Project", _sys("project", "project"), ("project",), creatable=True, required=True),
    FieldDef("status", "Status", _sys("status", "status"), ("status",), orderable=False),
    FieldDef("priority", "Priority", _sys("priority", "priority"), ("priority",), creatable=True),
    FieldDef("assignee", "Assignee", _sys("user", "assignee"), ("assignee",), creatable=True),
    FieldDef("reporter", "Reporter", _sys("user", "reporter"), ("reporter",), creatable=True),
    FieldDef("creator", "Creator", _sys("user", "creator"), ("creator",), orderable=False),
    FieldDef("labels", "Labels", _sys("array", "labels", "string"), ("labels",), creatable=True),
    FieldDef("created", "Created", _sys("datetime", "created"), ("created", "createdDate"), orderable=False),
    FieldDef("updated", "Updated", _sys("datetime", "updated"), ("updated", "updatedDate"), orderable=False),
    FieldDef("resolution", "Resolution", _sys("resolution", "resolution"), ("resolution",)),
    FieldDef(
        "resolutiondate",
        "Resolved",
        _sys("datetime", "resolutiondate"),
        ("resolutiondate", "resolved"),
        orderable=False,
    ),
    FieldDef("duedate", "Due date", _sys("date", "duedate"), ("due", "duedate"), creatable=True),
    FieldDef("comment", "Comment", _sys("comments-page", "comment"), ("comment",), navigable=False),
    FieldDef("security", "Security Level", _sys("securitylevel", "security"), ("level",)),
    FieldDef("issuekey", "Key", {}, ("id", "issue", "issuekey", "key"), orderable=False),
    FieldDef(
        CUSTOMER_FIELD,
        CUSTOMER_FIELD_NAME,
        {
            "type": "number",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float",
            "customId": 10042,
        },
        ("cf[10042]", CUSTOMER_FIELD_NAME),
        custom=True,
        creatable=True,
    ),
)
FIELDS_BY_ID = {f.id: f for f in FIELDS}
NAVIGABLE = tuple(f.id for f in FIELDS if f.navigable and f.id != "issuekey")
ALL_FIELDS = tuple(f.id for f in FIELDS if f.id != "issuekey")


@dataclass
class User:
    account_id: str
    display_name: str
    email: str
    active: bool = True
    assignable: bool = True  # agents are; customers (reporters) are not
    account_type: str = "atlassian"  # "customer" for service-desk customers


@dataclass
class Comment:
    id: str
    author: str  # account id
    body: str  # plain text, the source of truth
    body_adf: dict[str, Any] | None  # what a v3 client sent, returned verbatim to v3 readers
    created: datetime
    updated: datetime
    update_author: str = ""

    def clone(self) -> Comment:
        return replace(self)  # body_adf is never mutated in place, only replaced


@dataclass
class HistoryItem:
    field: str
    from_id: str | None
    from_string: str | None
    to_id: str | None
    to_string: str | None


@dataclass
class History:
    id: str
    author: str
    created: datetime
    items: list[HistoryItem]


@dataclass
class Issue:
    id: int
    key: str
    summary: str
    description: str | None
    description_adf: dict[str, Any] | None
    issue_type: str
    status: str
    priority: str
    reporter: str | None
    creator: str | None
    assignee: str | None
    labels: list[str]
    created: datetime
    updated: datetime
    customer_id: float | int | None = None
    resolution: bool = False  # resolved as "Done"
    resolution_date: datetime | None = None
    due_date: str | None = None
    security: bool = False  # restricted: hidden from ordinary users
    comments: list[Comment] = field(default_factory=list)
    history: list[History] = field(default_factory=list)

    def clone(self) -> Issue:
        """A copy whose mutable parts are not shared (histories are append-only, so shared items are fine)."""
        return replace(
            self,
            labels=list(self.labels),
            comments=[c.clone() for c in self.comments],
            history=list(self.history),
        )
