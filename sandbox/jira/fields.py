"""Turn a client's `fields` / `update` JSON into validated changes for an issue.

Jira answers a bad create or edit with 400 and one message per offending field
(`{"errors": {"summary": "You must specify a summary of the issue."}}`), so
validation collects every problem before raising, instead of stopping at the
first.
"""

from __future__ import annotations

import math
from typing import Any

from sandbox.jira import adf
from sandbox.jira.errors import ApiError
from sandbox.jira.model import (
    CUSTOMER_FIELD,
    FIELDS_BY_ID,
    ISSUE_TYPES,
    PRIORITIES,
    PROJECT_ID,
    User,
    find,
)

# Fields a client may set by create/edit, and (name -> id) aliases.
SETTABLE = {
    "summary",
    "description",
    "issuetype",
    "project",
    "priority",
    "assignee",
    "reporter",
    "labels",
    "duedate",
    CUSTOMER_FIELD,
}
EDITABLE = SETTABLE - {"project"}
ALIASES = {"Customer ID": CUSTOMER_FIELD, "cf[10042]": CUSTOMER_FIELD}


def _not_settable(name: str) -> str:
    return f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."


def _ref(value: Any, keys: tuple[str, ...]) -> Any:
    """`{"id": "1"}` / `{"name": "High"}` / `"High"` -> the reference value, or None."""
    if isinstance(value, dict):
        for key in keys:
            if value.get(key) not in (None, ""):
                return value[key]
        return None
    return value


class FieldParser:
    """Validates values against the catalogue and the known users."""

    def __init__(self, users: dict[str, User], project_key: str) -> None:
        self.users = users
        self.project_key = project_key

    def find_user(self, ref: Any) -> User | None:
        """By account id, username (= account id here), key, or email."""
        if ref is None:
            return None
        text = str(ref).strip()
        if text in self.users:
            return self.users[text]
        low = text.lower()
        return next((u for u in self.users.values() if u.email.lower() == low), None)

    def parse(self, fields: dict[str, Any], *, creating: bool) -> dict[str, Any]:
        """-> {field id: python value}; raises ApiError(400) listing every bad field."""
        if not isinstance(fields, dict):
            raise ApiError(400, "Can not deserialize the request: 'fields' must be an object.")
        errors: dict[str, str] = {}
        out: dict[str, Any] = {}
        for raw_name, value in fields.items():
            name = ALIASES.get(raw_name, raw_name)
            allowed = SETTABLE if creating else EDITABLE
            if name not in allowed:
                errors[raw_name] = _not_settable(raw_name)
                continue
            try:
                out[name] = self._value(name, value)
            except ValueError as exc:
                errors[raw_name] = str(exc)
        if creating:
            if "project" not in fields and "project" not in errors:
                errors["project"] = "Specify a valid project ID or key"
            if "issuetype" not in fields and "issuetype" not in errors:
                errors["issuetype"] = "Specify an issue type"
            if not out.get("summary") and "summary" not in errors:
                errors["summary"] = "You must specify a summary of the issue."
        elif "summary" in out and not out["summary"]:
            errors["summary"] = "You must specify a summary of the issue."
        if errors:
            raise ApiError(400, [], errors)
        return out

    def _value(self, name: str, value: Any) -> Any:
        if name == "summary":
            if value is None:
                return ""
            if not isinstance(value, str):
                raise ValueError("Operation value must be a string")
            if "\n" in value or "\r" in value:
                raise ValueError("The summary is invalid because it contains newline characters.")
            if len(value) > 255:
                raise ValueError("Summary must be less than 255 characters.")
            return value.strip()
        if name == "description":
            if value is None or isinstance(value, str):
                return (value, None)
            if adf.is_adf(value):
                return (adf.to_text(value), value)
            raise ValueError("Operation value must be a string or an Atlassian Document")
        if name == "project":
            ref = _ref(value, ("id", "key"))
            if str(ref) not in (PROJECT_ID, self.project_key):
                raise ValueError("Specify a valid project ID or key")
            return self.project_key
        if name == "issuetype":
            entry = find(ISSUE_TYPES, _ref(value, ("id", "name")))
            if entry is None:
                raise ValueError("Specify a valid issue type")
            return entry.name
        if name == "priority":
            ref = _ref(value, ("id", "name"))
            entry = find(PRIORITIES, ref)
            if entry is None:
                raise ValueError(
                    f"Specify the Priority (id or name) in the string format: '{ref}' is not valid"
                )
            return entry.name
        if name in ("assignee", "reporter"):
            ref = _ref(value, ("accountId", "name", "key", "id", "emailAddress"))
            if ref is None or ref == "-1":
                if name == "reporter":
                    raise ValueError("Reporter is required.")
                return None
            user = self.find_user(ref)
            if user is None or not user.active:
                raise ValueError(f"User '{ref}' does not exist.")
            if name == "assignee" and not user.assignable:
                raise ValueError(f"User '{user.display_name}' cannot be assigned issues.")
            return user.account_id
        if name == "labels":
            if value is None:
                return []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError("Operation value must be an array of strings")
            for label in value:
                if not label or any(c.isspace() for c in label):
                    raise ValueError(f"The label '{label}' contains spaces which is invalid.")
                if len(label) > 255:
                    raise ValueError("The label must not exceed 255 characters.")
            return list(dict.fromkeys(value))
        if name == "duedate":
            if value is None:
                return None
            if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
                raise ValueError("Error parsing date string: " + str(value))
            return value
        if name == CUSTOMER_FIELD:
            if value is None:
                return None
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"'{value}' is an invalid number") from None
            if isinstance(value, bool) or not math.isfinite(number):
                raise ValueError(f"'{value}' is an invalid number")
            return int(number) if number.is_integer() else number
        raise ValueError(f"Field '{name}' cannot be set.")  # pragma: no cover - guarded by SETTABLE

    def parse_update(
        self, update: dict[str, Any], current_labels: list[str]
    ) -> tuple[dict[str, Any], list[Any]]:
        """The `update` verbs: set/add/remove per field. -> (field changes, comment bodies to add)."""
        if not isinstance(update, dict):
            raise ApiError(400, "Can not deserialize the request: 'update' must be an object.")
        changes: dict[str, Any] = {}
        comments: list[Any] = []
        errors: dict[str, str] = {}
        labels = list(current_labels)
        for raw_name, operations in update.items():
            name = ALIASES.get(raw_name, raw_name)
            if not isinstance(operations, list):
                errors[raw_name] = "Operations must be a list"
                continue
            for op in operations:
                if not isinstance(op, dict) or len(op) != 1:
                    errors[raw_name] = "Each operation must be an object with one verb"
                    continue
                ((verb, value),) = op.items()
                try:
                    if name == "comment" and verb == "add":
                        body = value.get("body") if isinstance(value, dict) else None
                        if body in (None, "", {}):
                            raise ValueError("Comment body can not be empty!")
                        comments.append(body)
                    elif name == "labels" and verb in ("add", "remove", "set"):
                        if verb == "set":
                            labels = self._value("labels", value)
                        elif verb == "add":
                            (label,) = self._value("labels", [value])
                            if label not in labels:
                                labels.append(label)
                        elif value in labels:
                            labels.remove(value)
                        changes["labels"] = labels
                    elif verb == "set" and name in EDITABLE:
                        changes[name] = self._value(name, value)
                    else:
                        raise ValueError(_not_settable(raw_name))
                except ValueError as exc:
                    errors[raw_name] = str(exc)
        if errors:
            raise ApiError(400, [], errors)
        return changes, comments


def field_known(name: str) -> bool:
    return name in FIELDS_BY_ID or name in ALIASES
