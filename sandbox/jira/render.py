"""Records -> Jira's JSON, for one API version (v2: plain strings, v3: ADF).

Shapes follow the Jira Cloud REST API; `self` links are absolute and built
from the request's base URL, because clients (the `jira` library) follow them
for later updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.jira import adf
from sandbox.jira.model import (
    ALL_FIELDS,
    CUSTOMER_FIELD,
    FIELDS,
    FIELDS_BY_ID,
    ISSUE_TYPES,
    NAVIGABLE,
    PRIORITIES,
    PROJECT_ID,
    RESOLUTION_DONE,
    SECURITY_LEVEL,
    STATUSES,
    TRANSITION_IDS,
    Comment,
    FieldDef,
    Issue,
    Named,
    User,
    find,
    status_category,
)


def jira_time(moment: datetime | None) -> str | None:
    """Jira's timestamp format: 2024-01-05T10:22:33.000+0000."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}" + moment.strftime("%z")


def avatars(seed: str) -> dict[str, str]:
    base = f"https://avatar.example.invalid/{seed}"
    return {size: f"{base}?s={size.split('x')[0]}" for size in ("48x48", "24x24", "16x16", "32x32")}


@dataclass
class Renderer:
    """Renders for one request: knows the base URL, API version, project and users."""

    base: str  # e.g. http://127.0.0.1:8123 (no trailing slash)
    version: str  # "2", "3" or "latest" (= v2 bodies)
    project_key: str
    users: dict[str, User]

    @property
    def adf(self) -> bool:
        return self.version == "3"

    def api(self, path: str) -> str:
        return f"{self.base}/rest/api/{self.version}/{path}"

    def body(self, text: str | None, doc: dict[str, Any] | None) -> Any:
        if not self.adf:
            return text
        return doc if doc is not None else adf.to_adf(text)

    # ------------------------------------------------------------------ catalogue

    def user(self, account_id: str | None) -> dict[str, Any] | None:
        if account_id is None:
            return None
        user = self.users.get(account_id)
        if user is None:
            return None
        return {
            "self": self.api(f"user?accountId={user.account_id}"),
            "accountId": user.account_id,
            "accountType": user.account_type,
            "name": user.account_id,
            "key": user.account_id,
            "emailAddress": user.email,
            "avatarUrls": avatars(user.account_id),
            "displayName": user.display_name,
            "active": user.active,
            "timeZone": "UTC",
            "locale": "en_US",
        }

    def project(self) -> dict[str, Any]:
        """The full project (description, lead and issue types always included: cheap and expected)."""
        data: dict[str, Any] = {
            "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
            "self": self.api(f"project/{PROJECT_ID}"),
            "id": PROJECT_ID,
            "key": self.project_key,
            "name": "Support",
            "avatarUrls": avatars("project"),
            "projectTypeKey": "service_desk",
            "simplified": False,
            "style": "classic",
            "isPrivate": False,
            "properties": {},
        }
        data["description"] = "Customer support tickets of the mock enterprise."
        data["lead"] = self.user(next(iter(self.users), None))
        data["issueTypes"] = [self.issue_type(t) for t in ISSUE_TYPES]
        data["assigneeType"] = "UNASSIGNED"
        data["projectKeys"] = [self.project_key]
        return data

    def project_ref(self) -> dict[str, Any]:
        return {
            "self": self.api(f"project/{PROJECT_ID}"),
            "id": PROJECT_ID,
            "key": self.project_key,
            "name": "Support",
            "projectTypeKey": "service_desk",
            "simplified": False,
            "avatarUrls": avatars("project"),
        }

    def issue_type(self, entry: Named) -> dict[str, Any]:
        return {
            "self": self.api(f"issuetype/{entry.id}"),
            "id": entry.id,
            "description": entry.description,
            "iconUrl": f"{self.base}/images/icons/issuetypes/{entry.name.lower()}.svg",
            "name": entry.name,
            "untranslatedName": entry.name,
            "subtask": False,
            "avatarId": 10300 + int(entry.id) % 100,
            "hierarchyLevel": 0,
        }

    def priority(self, entry: Named) -> dict[str, Any]:
        data = {
            "self": self.api(f"priority/{entry.id}"),
            "iconUrl": f"{self.base}/images/icons/priorities/{entry.name.lower()}.svg",
            "name": entry.name,
            "id": entry.id,
            "description": entry.description,
        }
        data.update(dict(entry.extra))
        return data

    def status(self, entry: Named) -> dict[str, Any]:
        category = status_category(entry.name)
        return {
            "self": self.api(f"status/{entry.id}"),
            "description": entry.description,
            "iconUrl": f"{self.base}/images/icons/statuses/generic.png",
            "name": entry.name,
            "untranslatedName": entry.name,
            "id": entry.id,
            "statusCategory": {"self": self.api(f"statuscategory/{category['id']}"), **category},
            "scope": {"type": "PROJECT", "project": {"id": PROJECT_ID}},
        }

    def field(self, f: FieldDef) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": f.id,
            "key": f.id,
            "name": f.name,
            "custom": f.custom,
            "orderable": f.orderable,
            "navigable": f.navigable,
            "searchable": f.searchable,
            "clauseNames": list(f.clause_names),
        }
        if f.schema:
            data["schema"] = dict(f.schema)
        if f.custom:
            data["untranslatedName"] = f.name
        return data

    def transition(self, target: str) -> dict[str, Any]:
        entry = find(STATUSES, target)
        assert entry is not None
        return {
            "id": TRANSITION_IDS[target],
            "name": target,
            "to": self.status(entry),
            "hasScreen": False,
            "isGlobal": True,
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
            "isLooped": False,
            "fields": {},
        }

    def resolution(self) -> dict[str, Any]:
        return {"self": self.api(f"resolution/{RESOLUTION_DONE['id']}"), **RESOLUTION_DONE}

    # ------------------------------------------------------------------ comments

    def comment(self, issue: Issue, comment: Comment, expand: str = "") -> dict[str, Any]:
        data = {
            "self": self.api(f"issue/{issue.id}/comment/{comment.id}"),
            "id": comment.id,
            "author": self.user(comment.author),
            "body": self.body(comment.body, comment.body_adf),
            "updateAuthor": self.user(comment.update_author or comment.author),
            "created": jira_time(comment.created),
            "updated": jira_time(comment.updated),
            "jsdPublic": True,
        }
        if "renderedBody" in expand:
            data["renderedBody"] = adf.to_html(comment.body)
        return data

    def comments_page(
        self, issue: Issue, start: int = 0, limit: int = 5000, expand: str = ""
    ) -> dict[str, Any]:
        page = issue.comments[start : start + limit]
        return {
            "comments": [self.comment(issue, c, expand) for c in page],
            "self": self.api(f"issue/{issue.id}/comment"),
            "maxResults": limit if page else 0,
            "total": len(issue.comments),
            "startAt": start,
        }

    # ------------------------------------------------------------------ issues

    def field_value(self, issue: Issue, name: str) -> Any:
        if name == "summary":
            return issue.summary
        if name == "description":
            return self.body(issue.description, issue.description_adf)
        if name == "issuetype":
            return self.issue_type(find(ISSUE_TYPES, issue.issue_type))  # type: ignore[arg-type]
        if name == "project":
            return self.project_ref()
        if name == "status":
            return self.status(find(STATUSES, issue.status))  # type: ignore[arg-type]
        if name == "priority":
            return self.priority(find(PRIORITIES, issue.priority))  # type: ignore[arg-type]
        if name in ("assignee", "reporter", "creator"):
            return self.user(getattr(issue, name))
        if name == "labels":
            return list(issue.labels)
        if name == "created":
            return jira_time(issue.created)
        if name == "updated":
            return jira_time(issue.updated)
        if name == "resolution":
            return self.resolution() if issue.resolution else None
        if name == "resolutiondate":
            return jira_time(issue.resolution_date)
        if name == "duedate":
            return issue.due_date
        if name == "comment":
            return self.comments_page(issue)
        if name == "security":
            return (
                {"self": self.api(f"securitylevel/{SECURITY_LEVEL['id']}"), **SECURITY_LEVEL}
                if issue.security
                else None
            )
        if name == CUSTOMER_FIELD:
            return issue.customer_id
        return None

    def issue(
        self,
        issue: Issue,
        fields: tuple[str, ...] = ALL_FIELDS,
        expand: str = "",
        transitions: list[str] | None = None,
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": str(issue.id),
            "self": self.api(f"issue/{issue.id}"),
            "key": issue.key,
        }
        data["fields"] = {name: self.field_value(issue, name) for name in fields}
        wanted = {e.strip() for e in expand.split(",") if e.strip()}
        if "renderedFields" in wanted:
            data["renderedFields"] = {
                name: (
                    adf.to_html(issue.description)
                    if name == "description"
                    else self.field_value(issue, name)
                    if name not in ("comment",)
                    else None
                )
                for name in fields
            }
        if "names" in wanted:
            data["names"] = {n: FIELDS_BY_ID[n].name for n in fields if n in FIELDS_BY_ID}
        if "schema" in wanted:
            data["schema"] = {n: FIELDS_BY_ID[n].schema for n in fields if n in FIELDS_BY_ID}
        if "transitions" in wanted and transitions is not None:
            data["transitions"] = [self.transition(t) for t in transitions]
        if "changelog" in wanted:
            histories = [
                {
                    "id": h.id,
                    "author": self.user(h.author),
                    "created": jira_time(h.created),
                    "items": [
                        {
                            "field": it.field,
                            "fieldtype": "custom" if it.field == "Customer ID" else "jira",
                            "from": it.from_id,
                            "fromString": it.from_string,
                            "to": it.to_id,
                            "toString": it.to_string,
                        }
                        for it in h.items
                    ],
                }
                for h in reversed(issue.history)
            ]
            data["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": len(histories),
                "histories": histories,
            }
        return data


def parse_fields(raw: list[str] | str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    """`fields=` (comma lists, repeated params, `*all`, `*navigable`, `-name`) -> field ids, in order."""
    if raw is None:
        return default
    items: list[str] = []
    for chunk in [raw] if isinstance(raw, str) else raw:
        items.extend(p.strip() for p in str(chunk).split(",") if p.strip())
    if not items:
        return default
    names = {f.name.lower(): f.id for f in FIELDS}
    names.update({c.lower(): f.id for f in FIELDS for c in f.clause_names})
    chosen: list[str] = []
    excluded: set[str] = set()
    for item in items:
        if item == "*all":
            chosen.extend(ALL_FIELDS)
        elif item == "*navigable":
            chosen.extend(NAVIGABLE)
        elif item.startswith("-"):
            excluded.add(names.get(item[1:].lower(), item[1:]))
        elif item in FIELDS_BY_ID:
            chosen.append(item)
        elif item.lower() in names:
            chosen.append(names[item.lower()])
        elif item in ("id", "key"):
            continue
    return tuple(f for f in dict.fromkeys(chosen) if f not in excluded and f != "issuekey")
