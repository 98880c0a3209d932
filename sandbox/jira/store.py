"""The in-memory Jira state, every operation that changes it, and its change log.

One `Store` per process. Every mutation goes through `_mutate`, which bumps the
`mutations` counter and appends to the change log: that counter is the
sandbox's fingerprint, so a write that forgot to go through here would be a
write the harness cannot see.

Reset restores the seeded snapshot by cloning its issues (see
`model.Issue.clone`), and is a no-op while nothing changed since the last reset.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sandbox.jira import adf
from sandbox.jira.errors import ApiError, not_found_issue
from sandbox.jira.fields import FieldParser
from sandbox.jira.model import (
    INITIAL_STATUS,
    STATUSES,
    TRANSITION_IDS,
    WORKFLOW,
    Comment,
    History,
    HistoryItem,
    Issue,
    User,
    find,
)
from sandbox.jira.seed import Seeded

CHANGE_LOG_SIZE = 10_000


@dataclass(frozen=True)
class Mutation:
    seq: int
    method: str
    path: str
    key: str
    operation: str
    at: str

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "method": self.method,
            "path": self.path,
            "key": self.key,
            "operation": self.operation,
            "at": self.at,
        }


def now() -> datetime:
    """Wall-clock time at Jira's precision (milliseconds)."""
    stamp = datetime.now(UTC)
    return stamp.replace(microsecond=stamp.microsecond // 1000 * 1000)


class Store:
    """Issues, users and the mutation log; the only place state changes."""

    def __init__(self, seeded: Seeded, project_key: str) -> None:
        self.project_key = project_key
        self._seeded = seeded
        self.users: dict[str, User] = seeded.users
        self.api_user = seeded.api_user
        self.restricted_key = seeded.restricted_key
        self.fields = FieldParser(self.users, project_key)
        self.mutations = 0
        self.clean_at = 0  # the counter value at which the state equals the seed
        self.resets = 0
        self.log: deque[Mutation] = deque(maxlen=CHANGE_LOG_SIZE)
        self._restore()

    # ------------------------------------------------------------------ state plumbing

    def _restore(self) -> None:
        self.issues: dict[str, Issue] = {k: i.clone() for k, i in self._seeded.issues.items()}
        self.by_id: dict[int, str] = {i.id: k for k, i in self.issues.items()}
        self.next_number = self._seeded.next_id
        self._ids = itertools.count(100_001)  # comment and history ids

    def _mutate(self, method: str, path: str, key: str, operation: str) -> None:
        self.mutations += 1
        self.log.append(Mutation(self.mutations, method, path, key, operation, now().isoformat()))

    def reset(self) -> bool:
        """Back to the seeded state; returns False (and does nothing) when already clean."""
        if self.mutations == self.clean_at:
            return False
        self._restore()
        self.resets += 1
        self._mutate("POST", "/_sandbox/reset", "*", "reset")
        self.clean_at = self.mutations
        return True

    def changes_since(self, since: int) -> tuple[list[dict[str, Any]], bool]:
        """Mutations with seq > since, and whether older ones were dropped from the bounded log."""
        items = [m.as_json() for m in self.log if m.seq > since]
        truncated = bool(self.log) and self.log[0].seq > since + 1
        return items, truncated

    def next_id(self) -> str:
        return str(next(self._ids))

    # ------------------------------------------------------------------ lookups

    def user(self, ref: Any) -> User | None:
        return self.fields.find_user(ref)

    def visible(self, issue: Issue, account_id: str | None) -> bool:
        """Restricted issues are hidden from every REST user (only the admin API sees them)."""
        return not issue.security

    def get(self, id_or_key: str, account_id: str | None) -> Issue:
        """The issue by key (case-insensitive) or numeric id; 404 in Jira's words when missing or hidden."""
        text = str(id_or_key).strip()
        issue = None
        if text.isdigit():
            key = self.by_id.get(int(text))
            issue = self.issues.get(key) if key else None
        else:
            issue = self.issues.get(text.upper())
        if issue is None or not self.visible(issue, account_id):
            raise not_found_issue()
        return issue

    def all_visible(self, account_id: str | None) -> list[Issue]:
        return [i for i in self.issues.values() if self.visible(i, account_id)]

    # ------------------------------------------------------------------ mutations

    def create(self, body: Any, actor: str, method: str, path: str) -> Issue:
        if not isinstance(body, dict):
            raise ApiError(400, "Can not deserialize the request body: expected a JSON object.")
        values = self.fields.parse(body.get("fields", {}), creating=True)
        comments: list[Any] = []
        if body.get("update"):
            changes, comments = self.fields.parse_update(body["update"], values.get("labels", []))
            values.update(changes)
        number = self.next_number
        stamp = now()
        text, doc = values.get("description", (None, None))
        issue = Issue(
            id=10000 + number,
            key=f"{self.project_key}-{number}",
            summary=values["summary"],
            description=text,
            description_adf=doc,
            issue_type=values["issuetype"],
            status=INITIAL_STATUS,
            priority=values.get("priority", "Medium"),
            reporter=values.get("reporter", actor),
            creator=actor,
            assignee=values.get("assignee"),
            labels=values.get("labels", []),
            created=stamp,
            updated=stamp,
            customer_id=values.get("customfield_10042"),
            due_date=values.get("duedate"),
        )
        for body_value in comments:
            issue.comments.append(self._comment(body_value, actor, stamp))
        self.next_number += 1
        self.issues[issue.key] = issue
        self.by_id[issue.id] = issue.key
        self._mutate(method, path, issue.key, "create")
        return issue

    def edit(self, issue: Issue, body: Any, actor: str, method: str, path: str) -> None:
        if not isinstance(body, dict):
            raise ApiError(400, "Can not deserialize the request body: expected a JSON object.")
        values = self.fields.parse(body.get("fields") or {}, creating=False)
        comments: list[Any] = []
        if body.get("update"):
            changes, comments = self.fields.parse_update(body["update"], values.get("labels", issue.labels))
            values.update(changes)
        if not values and not comments:
            return  # Jira answers 204 and nothing changes: not a mutation
        stamp = now()
        items = self._apply(issue, values)
        for body_value in comments:
            issue.comments.append(self._comment(body_value, actor, stamp))
        self._touch(issue, actor, items, stamp)
        self._mutate(method, path, issue.key, "edit")

    def _apply(self, issue: Issue, values: dict[str, Any]) -> list[HistoryItem]:
        items: list[HistoryItem] = []

        def change(field_name: str, old: Any, new: Any) -> None:
            if old != new:
                items.append(
                    HistoryItem(
                        field_name,
                        None,
                        None if old is None else str(old),
                        None,
                        None if new is None else str(new),
                    )
                )

        for name, value in values.items():
            if name == "summary":
                change("summary", issue.summary, value)
                issue.summary = value
            elif name == "description":
                text, doc = value
                change("description", issue.description, text)
                issue.description, issue.description_adf = text, doc
            elif name == "issuetype":
                change("issuetype", issue.issue_type, value)
                issue.issue_type = value
            elif name == "priority":
                change("priority", issue.priority, value)
                issue.priority = value
            elif name == "assignee":
                change("assignee", issue.assignee, value)
                issue.assignee = value
            elif name == "reporter":
                change("reporter", issue.reporter, value)
                issue.reporter = value
            elif name == "labels":
                change("labels", " ".join(issue.labels), " ".join(value))
                issue.labels = list(value)
            elif name == "duedate":
                change("duedate", issue.due_date, value)
                issue.due_date = value
            elif name == "customfield_10042":
                change("Customer ID", issue.customer_id, value)
                issue.customer_id = value
        return items

    def _touch(self, issue: Issue, actor: str, items: list[HistoryItem], stamp: datetime) -> None:
        issue.updated = stamp
        if items:
            issue.history.append(History(self.next_id(), actor, stamp, items))

    def delete(self, issue: Issue, method: str, path: str) -> None:
        del self.issues[issue.key]
        self.by_id.pop(issue.id, None)
        self._mutate(method, path, issue.key, "delete")

    def transitions(self, issue: Issue) -> list[str]:
        """Target statuses reachable from the issue's status."""
        return list(WORKFLOW.get(issue.status, ()))

    def transition(self, issue: Issue, body: Any, actor: str, method: str, path: str) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("transition"), dict):
            raise ApiError(400, "Missing 'transition' identifier")
        ref = body["transition"].get("id") or body["transition"].get("name")
        if ref in (None, ""):
            raise ApiError(400, "Missing 'transition' identifier")
        target = None
        for status in self.transitions(issue):
            if str(ref) == TRANSITION_IDS[status] or str(ref).lower() == status.lower():
                target = status
        if target is None:
            raise ApiError(400, f"Transition id '{ref}' is not valid for this issue.")
        values: dict[str, Any] = {}
        comments: list[Any] = []
        fields = dict(body.get("fields") or {})
        fields.pop("resolution", None)  # resolution follows the target status here
        if fields:
            values = self.fields.parse(fields, creating=False)
        if body.get("update"):
            changes, comments = self.fields.parse_update(body["update"], values.get("labels", issue.labels))
            values.update(changes)
        stamp = now()
        items = self._apply(issue, values)
        old = issue.status
        items.append(HistoryItem("status", _status_id(old), old, _status_id(target), target))
        issue.status = target
        done = target == "Done"
        if done != issue.resolution:
            items.append(
                HistoryItem(
                    "resolution", None, "Done" if issue.resolution else None, None, "Done" if done else None
                )
            )
        issue.resolution = done
        issue.resolution_date = stamp if done else None
        for body_value in comments:
            issue.comments.append(self._comment(body_value, actor, stamp))
        self._touch(issue, actor, items, stamp)
        self._mutate(method, path, issue.key, "transition")

    def assign(self, issue: Issue, body: Any, actor: str, method: str, path: str) -> None:
        if not isinstance(body, dict):
            raise ApiError(400, "Can not deserialize the request body: expected a JSON object.")
        keys = ("accountId", "name", "key", "emailAddress")
        ref = next((body[k] for k in keys if body.get(k) is not None), None)
        if ref in (None, "-1"):
            account = None
        else:
            user = self.user(ref)
            if user is None or not user.active:
                raise ApiError(400, [], {"assignee": f"User '{ref}' does not exist."})
            if not user.assignable:
                raise ApiError(
                    400, [], {"assignee": f"User '{user.display_name}' cannot be assigned issues."}
                )
            account = user.account_id
        stamp = now()
        items = self._apply(issue, {"assignee": account})
        self._touch(issue, actor, items, stamp)
        self._mutate(method, path, issue.key, "assign")

    # ------------------------------------------------------------------ comments

    def _comment(self, body: Any, actor: str, stamp: datetime) -> Comment:
        if isinstance(body, str):
            text, doc = body, None
        elif adf.is_adf(body):
            text, doc = adf.to_text(body), body
        else:
            raise ApiError(400, [], {"comment": "Comment body must be a string or an Atlassian Document"})
        if not text.strip():
            raise ApiError(400, [], {"comment": "Comment body can not be empty!"})
        return Comment(self.next_id(), actor, text, doc, stamp, stamp, actor)

    def add_comment(self, issue: Issue, body: Any, actor: str, method: str, path: str) -> Comment:
        if not isinstance(body, dict):
            raise ApiError(400, "Can not deserialize the request body: expected a JSON object.")
        comment = self._comment(body.get("body"), actor, now())
        issue.comments.append(comment)
        issue.updated = comment.created
        self._mutate(method, path, issue.key, "comment")
        return comment

    def comment(self, issue: Issue, comment_id: str) -> Comment:
        for comment in issue.comments:
            if comment.id == str(comment_id):
                return comment
        raise ApiError(404, "Can not find a comment for the id: " + str(comment_id) + ".")

    def edit_comment(
        self, issue: Issue, comment_id: str, body: Any, actor: str, method: str, path: str
    ) -> Comment:
        comment = self.comment(issue, comment_id)
        if not isinstance(body, dict):
            raise ApiError(400, "Can not deserialize the request body: expected a JSON object.")
        fresh = self._comment(body.get("body"), actor, now())
        comment.body, comment.body_adf = fresh.body, fresh.body_adf
        comment.updated, comment.update_author = fresh.created, actor
        issue.updated = fresh.created
        self._mutate(method, path, issue.key, "comment_edit")
        return comment

    def delete_comment(self, issue: Issue, comment_id: str, method: str, path: str) -> None:
        comment = self.comment(issue, comment_id)
        issue.comments.remove(comment)
        self._mutate(method, path, issue.key, "comment_delete")


def _status_id(name: str) -> str | None:
    entry = find(STATUSES, name)
    return entry.id if entry else None
