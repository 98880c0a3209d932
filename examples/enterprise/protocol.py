"""Protocol corrections the SDK (mcp 2.3.0) leaves to the server author.

`MCPServer` answers an unknown tool with an `isError` result (the spec lists
unknown tools under protocol errors, -32602: harness rule TOOL-05), an unknown
prompt or a missing prompt argument with -32603 (PROMPT-03 asks -32602), and serves `tools/list`,
`prompts/list` and `resources/templates/list` for any cursor although it never
issues one (PAGE-02 asks -32602 for a cursor the server did not make), and a
URI that matches no resource is -32602 at every version (-32002 before
2026-07-28: RES-03). This
middleware runs before the SDK's handlers and raises the right errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError

from .errors import INVALID_PARAMS, resource_not_found

# List methods served in one page: the SDK never issues a cursor for them.
SINGLE_PAGE_LISTS = ("tools/list", "prompts/list", "resources/templates/list")


class ProtocolFixes:
    def __init__(self, server: MCPServer) -> None:
        self.server = server

    async def __call__(self, ctx: Any, call_next: Any) -> Any:
        params = ctx.params if isinstance(ctx.params, Mapping) else None
        if ctx.request_id is not None and params is not None:
            if ctx.method in SINGLE_PAGE_LISTS and isinstance(params.get("cursor"), str):
                raise MCPError(
                    code=INVALID_PARAMS, message="Invalid cursor", data={"cursor": params["cursor"]}
                )
            name = params.get("name")
            tools = await self.server.list_tools() if ctx.method == "tools/call" else []
            if ctx.method == "tools/call" and isinstance(name, str) and name not in {t.name for t in tools}:
                raise MCPError(code=INVALID_PARAMS, message=f"Unknown tool: {name}", data={"name": name})
            if ctx.method == "prompts/get" and isinstance(name, str):
                await self._check_prompt(name, params.get("arguments"))
        if ctx.method != "resources/read":
            return await call_next(ctx)
        try:
            return await call_next(ctx)
        except MCPError as exc:
            # A URI no template matches: the SDK's ResourceNotFoundError is -32602 at every
            # version; before 2026-07-28 the spec says -32002. (Its `data` carries the uri,
            # which tells it from a params-validation -32602.)
            data = exc.data if isinstance(exc.data, Mapping) else {}
            if exc.code == INVALID_PARAMS and "uri" in data:
                raise resource_not_found(str(data["uri"]), ctx.protocol_version) from None
            raise

    async def _check_prompt(self, name: str, arguments: Any) -> None:
        """Unknown prompt or missing required argument: -32602 (the SDK says -32603)."""
        prompt = next((p for p in await self.server.list_prompts() if p.name == name), None)
        if prompt is None:
            raise MCPError(code=INVALID_PARAMS, message=f"Unknown prompt: {name}", data={"name": name})
        given = arguments if isinstance(arguments, Mapping) else {}
        missing = [a.name for a in prompt.arguments or [] if a.required and a.name not in given]
        if missing:
            raise MCPError(
                code=INVALID_PARAMS,
                message=f"Missing required argument(s) for prompt {name}: {', '.join(missing)}",
                data={"missing": missing},
            )
