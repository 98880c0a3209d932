"""Configuration from the environment (the sandbox contract, DESIGN.md).

Missing variables do not stop the server from speaking MCP: a conformance run
without backends must still be able to initialize and list tools. Each tool
checks the settings it needs and fails alone with an `isError` result.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

REQUIRED = (
    "DATABASE_URL",
    "DATABASE_URL_READONLY",
    "JIRA_URL",
    "JIRA_EMAIL",
    "JIRA_API_TOKEN",
    "JIRA_PROJECT",
    "VECTOR_URL",
    "EMBEDDING_MODEL",
)

FAULT_STRING_MATCHING_SQL = "string-matching-sql"


class NotConfigured(RuntimeError):
    """A tool needs a variable the environment does not set."""


@dataclass(frozen=True)
class Settings:
    """The server's view of its environment; empty strings mean "not set"."""

    database_url: str = ""
    database_url_readonly: str = ""
    jira_url: str = ""
    jira_email: str = ""
    jira_api_token: str = ""
    jira_project: str = ""
    vector_backend: str = "pgvector"
    vector_url: str = ""
    embedding_model: str = ""
    fault: str = ""
    statement_timeout_ms: int = 5000
    max_rows: int = 100

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("DATABASE_URL", ""),
            database_url_readonly=env.get("DATABASE_URL_READONLY", ""),
            jira_url=env.get("JIRA_URL", "").rstrip("/"),
            jira_email=env.get("JIRA_EMAIL", ""),
            jira_api_token=env.get("JIRA_API_TOKEN", ""),
            jira_project=env.get("JIRA_PROJECT", ""),
            vector_backend=env.get("VECTOR_BACKEND", "pgvector") or "pgvector",
            vector_url=env.get("VECTOR_URL", ""),
            embedding_model=env.get("EMBEDDING_MODEL", ""),
            fault=env.get("ENTERPRISE_FAULT", ""),
            statement_timeout_ms=int(env.get("ENTERPRISE_STATEMENT_TIMEOUT_MS", "5000")),
            max_rows=int(env.get("ENTERPRISE_MAX_ROWS", "100")),
        )

    def missing(self) -> list[str]:
        """The required variables that are not set, in contract order."""
        values = {
            "DATABASE_URL": self.database_url,
            "DATABASE_URL_READONLY": self.database_url_readonly,
            "JIRA_URL": self.jira_url,
            "JIRA_EMAIL": self.jira_email,
            "JIRA_API_TOKEN": self.jira_api_token,
            "JIRA_PROJECT": self.jira_project,
            "VECTOR_URL": self.vector_url,
            "EMBEDDING_MODEL": self.embedding_model,
        }
        return [name for name in REQUIRED if not values[name]]

    def need(self, *names: str) -> None:
        """Raise `NotConfigured` naming whichever of `names` (attribute names) is empty."""
        absent = [name.upper() for name in names if not getattr(self, name)]
        if absent:
            raise NotConfigured(
                f"the server is not configured for this tool: set {', '.join(absent)} "
                "(see `mcp-sandbox up` for a test backend)"
            )
