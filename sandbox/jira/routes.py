"""The Jira REST endpoints for issues, comments and search (under /rest/api/2, /3 and /latest).

Handlers are thin: parse the request, call the store, render. The API version
(ADF or strings) and the acting user come from the request; the gate in
`app.py` has already authenticated it. The read-only catalogue lives in
`meta.py`; `ROUTES` here is the whole table.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.jira import meta, search
from sandbox.jira.errors import ApiError
from sandbox.jira.model import ALL_FIELDS, FIELDS_BY_ID
from sandbox.jira.render import parse_fields
from sandbox.jira.web import (
    actor,
    body_json,
    ctx,
    int_param,
    mutation_path,
    no_content,
    ok,
    renderer,
    store_of,
)

MAX_RESULTS = 100
DEFAULT_RESULTS = 50


# --------------------------------------------------------------------------- issues


async def create_issue(request: Request) -> Response:
    store = store_of(request)
    issue = store.create(await body_json(request), actor(request), *mutation_path(request))
    r = renderer(request)
    return ok({"id": str(issue.id), "key": issue.key, "self": r.api(f"issue/{issue.id}")}, 201)


def _render_issue(request: Request, issue_ref: str, fields_raw: Any, expand: str) -> dict[str, Any]:
    store = store_of(request)
    issue = store.get(issue_ref, actor(request))
    chosen = parse_fields(fields_raw, ALL_FIELDS)
    return renderer(request).issue(issue, chosen, expand, store.transitions(issue))


async def get_issue(request: Request) -> Response:
    q = request.query_params
    raw = q.getlist("fields") or None
    return ok(_render_issue(request, request.path_params["ref"], raw, q.get("expand") or ""))


async def edit_issue(request: Request) -> Response:
    store = store_of(request)
    issue = store.get(request.path_params["ref"], actor(request))
    store.edit(issue, await body_json(request), actor(request), *mutation_path(request))
    if request.query_params.get("returnIssue", "false").lower() == "true":
        return ok(_render_issue(request, issue.key, None, request.query_params.get("expand") or ""))
    return no_content()


async def delete_issue(request: Request) -> Response:
    store = store_of(request)
    issue = store.get(request.path_params["ref"], actor(request))
    store.delete(issue, *mutation_path(request))
    return no_content()


async def get_transitions(request: Request) -> Response:
    store = store_of(request)
    issue = store.get(request.path_params["ref"], actor(request))
    r = renderer(request)
    targets = store.transitions(issue)
    wanted = request.query_params.get("transitionId")
    items = [r.transition(t) for t in targets]
    if wanted:
        items = [t for t in items if t["id"] == wanted]
    return ok({"expand": "transitions", "transitions": items})


async def do_transition(request: Request) -> Response:
    store = store_of(request)
    issue = store.get(request.path_params["ref"], actor(request))
    store.transition(issue, await body_json(request), actor(request), *mutation_path(request))
    return no_content()


async def assign(request: Request) -> Response:
    store = store_of(request)
    issue = store.get(request.path_params["ref"], actor(request))
    store.assign(issue, await body_json(request), actor(request), *mutation_path(request))
    return no_content()


async def editmeta(request: Request) -> Response:
    store = store_of(request)
    issue = store.get(request.path_params["ref"], actor(request))
    fields = meta.meta_fields(request, issue.issue_type)
    fields.pop("project", None)
    return ok({"fields": fields})


async def empty_worklog(request: Request) -> Response:
    """Worklogs, watchers and remote links are not modelled: present but empty, as on a quiet project."""
    store_of(request).get(request.path_params["ref"], actor(request))
    return ok({"startAt": 0, "maxResults": 0, "total": 0, "worklogs": []})


async def empty_watchers(request: Request) -> Response:
    store_of(request).get(request.path_params["ref"], actor(request))
    return ok({"self": str(request.url), "isWatching": False, "watchCount": 0, "watchers": []})


async def empty_remotelinks(request: Request) -> Response:
    store_of(request).get(request.path_params["ref"], actor(request))
    return ok([])


# --------------------------------------------------------------------------- comments


async def list_comments(request: Request) -> Response:
    store = store_of(request)
    issue = store.get(request.path_params["ref"], actor(request))
    q = request.query_params
    start = int_param(q.get("startAt"), "startAt", 0)
    limit = min(int_param(q.get("maxResults"), "maxResults", 5000), 5000)
    page = renderer(request).comments_page(issue, start, limit, q.get("expand") or "")
    if (q.get("orderBy") or "").startswith("-"):
        page["comments"].reverse()
    page["maxResults"] = limit
    return ok(page)


async def add_comment(request: Request) -> Response:
    store = store_of(request)
    issue = store.get(request.path_params["ref"], actor(request))
    comment = store.add_comment(issue, await body_json(request), actor(request), *mutation_path(request))
    return ok(renderer(request).comment(issue, comment), 201)


async def get_comment(request: Request) -> Response:
    store = store_of(request)
    issue = store.get(request.path_params["ref"], actor(request))
    comment = store.comment(issue, request.path_params["cid"])
    return ok(renderer(request).comment(issue, comment, request.query_params.get("expand") or ""))


async def edit_comment(request: Request) -> Response:
    store = store_of(request)
    issue = store.get(request.path_params["ref"], actor(request))
    comment = store.edit_comment(
        issue, request.path_params["cid"], await body_json(request), actor(request), *mutation_path(request)
    )
    return ok(renderer(request).comment(issue, comment))


async def delete_comment(request: Request) -> Response:
    store = store_of(request)
    issue = store.get(request.path_params["ref"], actor(request))
    store.delete_comment(issue, request.path_params["cid"], *mutation_path(request))
    return no_content()


# --------------------------------------------------------------------------- search


async def _search_params(request: Request) -> dict[str, Any]:
    """GET query parameters or POST body, in one shape."""
    if request.method == "POST":
        body = await body_json(request)
        if not isinstance(body, dict):
            raise ApiError(400, "Can not deserialize the request body: expected a JSON object.")
        return body
    q = request.query_params
    params: dict[str, Any] = {k: q.get(k) for k in q}
    params["fields"] = q.getlist("fields") or None
    return params


def _matches(request: Request, jql: Any) -> list:
    if jql is not None and not isinstance(jql, str):
        raise ApiError(400, "The 'jql' parameter must be a string.")
    store = store_of(request)
    return search.run(jql or "", store.all_visible(actor(request)), ctx(request))


async def search_issues(request: Request) -> Response:
    """The classic paged search: startAt / maxResults / total."""
    params = await _search_params(request)
    start = int_param(params.get("startAt"), "startAt", 0)
    limit = min(int_param(params.get("maxResults"), "maxResults", DEFAULT_RESULTS), MAX_RESULTS)
    found = _matches(request, params.get("jql"))
    chosen = parse_fields(params.get("fields"), tuple(f for f in ALL_FIELDS if f != "comment"))
    expand = _expand(params.get("expand"))
    store = store_of(request)
    r = renderer(request)
    issues = [r.issue(i, chosen, expand, store.transitions(i)) for i in found[start : start + limit]]
    data: dict[str, Any] = {
        "expand": "schema,names",
        "startAt": start,
        "maxResults": limit,
        "total": len(found),
        "issues": issues,
    }
    _names_schema(data, chosen, expand)
    return ok(data)


def _expand(raw: Any) -> str:
    if isinstance(raw, list):
        return ",".join(str(x) for x in raw)
    return str(raw or "")


def _names_schema(data: dict[str, Any], chosen: tuple[str, ...], expand: str) -> None:
    if "names" in expand:
        data["names"] = {n: FIELDS_BY_ID[n].name for n in chosen}
    if "schema" in expand:
        data["schema"] = {n: FIELDS_BY_ID[n].schema for n in chosen}


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_token(token: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        offset = json.loads(base64.urlsafe_b64decode(padded))["o"]
        if not isinstance(offset, int) or offset < 0:
            raise ValueError
        return offset
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ApiError(400, "The provided next page token is invalid or expired.") from None


async def search_jql(request: Request) -> Response:
    """The enhanced search: nextPageToken / isLast, ids only unless fields are asked for."""
    params = await _search_params(request)
    start = decode_token(params["nextPageToken"]) if params.get("nextPageToken") else 0
    limit = min(int_param(params.get("maxResults"), "maxResults", DEFAULT_RESULTS), MAX_RESULTS) or 1
    found = _matches(request, params.get("jql"))
    chosen = parse_fields(params.get("fields"), ())
    expand = _expand(params.get("expand"))
    store = store_of(request)
    r = renderer(request)
    page = found[start : start + limit]
    issues = []
    for issue in page:
        data = r.issue(issue, chosen, expand, store.transitions(issue))
        if not chosen:
            data = {"id": data["id"]}
        issues.append(data)
    result: dict[str, Any] = {"issues": issues}
    _names_schema(result, chosen, expand)
    end = start + len(page)
    if end < len(found):
        result["nextPageToken"] = encode_token(end)
    result["isLast"] = end >= len(found)
    return ok(result)


async def approximate_count(request: Request) -> Response:
    body = await body_json(request)
    if not isinstance(body, dict):
        raise ApiError(400, "Can not deserialize the request body: expected a JSON object.")
    return ok({"count": len(_matches(request, body.get("jql")))})


# --------------------------------------------------------------------------- table

ROUTES = [
    *meta.ROUTES,
    Route("/issue", create_issue, methods=["POST"]),
    Route("/issue/{ref}", get_issue, methods=["GET"]),
    Route("/issue/{ref}", edit_issue, methods=["PUT"]),
    Route("/issue/{ref}", delete_issue, methods=["DELETE"]),
    Route("/issue/{ref}/transitions", get_transitions, methods=["GET"]),
    Route("/issue/{ref}/transitions", do_transition, methods=["POST"]),
    Route("/issue/{ref}/assignee", assign, methods=["PUT"]),
    Route("/issue/{ref}/editmeta", editmeta, methods=["GET"]),
    Route("/issue/{ref}/worklog", empty_worklog, methods=["GET"]),
    Route("/issue/{ref}/watchers", empty_watchers, methods=["GET"]),
    Route("/issue/{ref}/remotelink", empty_remotelinks, methods=["GET"]),
    Route("/issue/{ref}/comment", list_comments, methods=["GET"]),
    Route("/issue/{ref}/comment", add_comment, methods=["POST"]),
    Route("/issue/{ref}/comment/{cid}", get_comment, methods=["GET"]),
    Route("/issue/{ref}/comment/{cid}", edit_comment, methods=["PUT"]),
    Route("/issue/{ref}/comment/{cid}", delete_comment, methods=["DELETE"]),
    Route("/search", search_issues, methods=["GET", "POST"]),
    Route("/search/jql", search_jql, methods=["GET", "POST"]),
    Route("/search/approximate-count", approximate_count, methods=["POST"]),
]
