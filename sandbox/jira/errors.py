"""Jira's error shape, raised anywhere and rendered once by the app.

Every Jira REST error body is `{"errorMessages": [...], "errors": {field: msg}}`;
clients (jira, atlassian-python-api) read exactly those two keys.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An HTTP error in Jira's format."""

    def __init__(
        self, status: int, messages: list[str] | str | None = None, errors: dict[str, str] | None = None
    ) -> None:
        if isinstance(messages, str):
            messages = [messages]
        self.status = status
        self.messages = list(messages or [])
        self.errors = dict(errors or {})
        super().__init__(f"{status}: {self.messages} {self.errors}")

    def body(self) -> dict[str, Any]:
        return {"errorMessages": self.messages, "errors": self.errors}


def not_found_issue() -> ApiError:
    return ApiError(404, "Issue does not exist or you do not have permission to see it.")
