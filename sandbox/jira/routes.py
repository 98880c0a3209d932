"""The Jira REST endpoints (served under /rest/api/2, /3 and /latest).

Handlers are thin: parse the request, call the store, render. The API version
(ADF or strings) and the acting user come from the request; the gate in
`app.py` has already authenticated it.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.jira import search
from sandbox.jira.errors import ApiError
from sandbox.jira.model import (
    ALL_FIELDS,
    FIELDS,
    FIELDS_BY_ID,
    ISSUE_TYPES,
    PRIORITIES,
    PROJECT_ID,
    STATUSES,
    find,
)
from sandbox.jira.render import Renderer, parse_fields
from sandbox.jira.store import Store

MAX_RESULTS = 100
DEFAULT_RESULTS = 50


# --------------------------------------------------------------------------- helpers


def store_of(request: Request) -> Store:
    return request.app.state.store


def actor(request: Request) -> str:
    return request.scope["state"]["account_id"]


def renderer(request: Request) -> Renderer:
    version = request.url.path.split("/")[3]
    base = f"{request.url.scheme}://{request.url.netloc}"
    store = store_of(request)
    return Renderer(base, version, store.project_key, store.users)


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def no_content() -> Response:
    return Response(status_code=204)


async def body_json(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, f"Unexpected character in the request body: {exc}") from None


def int_param(value: Any, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"The '{name}' parameter must be a number, got '{value}'.") from None
    if number < 0:
        raise ApiError(400, f"The '{name}' parameter must not be negative.")
    return number


def ctx(request: Request) -> search.Context:
    store = store_of(request)
    return search.Context(actor(request), store.users, store.project_key, datetime.now(UTC))


def mutation_path(request: Request) -> tuple[str, str]:
    return request.method, request.url.path


# --------------------------------------------------------------------------- server, users


async def server_info(request: Request) -> Response:
    cloud = request.app.state.deployment == "Cloud"
    base = f"{request.url.scheme}://{request.url.netloc}"
    return ok(
        {
            "baseUrl": base,
            "displayUrl": base,
            "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.15",
            "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 15],
            "deploymentType": request.app.state.deployment,
            "buildNumber": 100_286 if cloud else 9_120_015,
            "buildDate": "2025-01-01T00:00:00.000+0000",
            "serverTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "scmInfo": "mcp-harness-sandbox",
            "serverTitle": "Mock Enterprise Jira",
            "defaultLocale": {"locale": "en_US"},
        }
    )


async def myself(request: Request) -> Response:
    data = renderer(request).user(actor(request))
    data["groups"] = {"size": 2, "items": []}
    data["applicationRoles"] = {"size": 1, "items": []}
    return ok(data)


async def get_user(request: Request) -> Response:
    q = request.query_params
    ref = q.get("accountId") or q.get("username") or q.get("key")
    if not ref:
        raise ApiError(400, "The accountId query parameter needs to be provided.")
    user = store_of(request).user(ref)
    if user is None:
        raise ApiError(404, "Specified user does not exist or you do not have access to it.")
    return ok(renderer(request).user(user.account_id))


def _match_users(request: Request, assignable_only: bool) -> list[str]:
    q = request.query_params
    query = (q.get("query") or q.get("username") or q.get("accountId") or "").strip().lower()
    store = store_of(request)
    found = []
    for user in store.users.values():
        if assignable_only and not user.assignable:
            continue
        if not user.active and q.get("includeInactive", "false").lower() != "true":
            continue
        words = [
            user.account_id.lower(),
            user.email.lower(),
            *user.display_name.lower().split(),
            user.display_name.lower(),
        ]
        if not query or any(w.startswith(query) for w in words):
            found.append(user.account_id)
    start = int_param(q.get("startAt"), "startAt", 0)
    limit = int_param(q.get("maxResults"), "maxResults", 50)
    return found[start : start + limit]


async def user_search(request: Request) -> Response:
    q = request.query_params
    if not any(q.get(k) for k in ("query", "username", "accountId", "property")):
        raise ApiError(400, "One of 'query' or 'accountId' parameters must be provided.")
    r = renderer(request)
    return ok([r.user(a) for a in _match_users(request, assignable_only=False)])


async def assignable_search(request: Request) -> Response:
    q = request.query_params
    store = store_of(request)
    if q.get("issueKey"):
        store.get(q["issueKey"], actor(request))
    elif q.get("project"):
        if q["project"].upper() not in (store.project_key, PROJECT_ID):
            raise ApiError(404, f"No project could be found with key '{q['project']}'.")
    else:
        raise ApiError(400, "The 'project' or 'issueKey' parameter must be provided.")
    r = renderer(request)
    return ok([r.user(a) for a in _match_users(request, assignable_only=True)])


# --------------------------------------------------------------------------- catalogue


def _check_project(request: Request, ref: str) -> None:
    store = store_of(request)
    if ref.upper() != store.project_key and ref != PROJECT_ID:
        raise ApiError(404, f"No project could be found with key '{ref}'.")


async def projects(request: Request) -> Response:
    return ok([renderer(request).project()])


async def project_search(request: Request) -> Response:
    q = request.query_params
    r = renderer(request)
    query = (q.get("query") or "").lower()
    items = [r.project()] if not query or query in f"{r.project_key} support".lower() else []
    start = int_param(q.get("startAt"), "startAt", 0)
    limit = int_param(q.get("maxResults"), "maxResults", 50)
    page = items[start : start + limit]
    return ok(
        {
            "self": str(request.url),
            "maxResults": limit,
            "startAt": start,
            "total": len(items),
            "isLast": True,
            "values": page,
        }
    )


async def project(request: Request) -> Response:
    _check_project(request, request.path_params["ref"])
    return ok(renderer(request).project())


async def project_statuses(request: Request) -> Response:
    _check_project(request, request.path_params["ref"])
    r = renderer(request)
    return ok([{**r.issue_type(t), "statuses": [r.status(s) for s in STATUSES]} for t in ISSUE_TYPES])


async def issue_types(request: Request) -> Response:
    r = renderer(request)
    return ok([r.issue_type(t) for t in ISSUE_TYPES])


async def issue_type(request: Request) -> Response:
    entry = find(ISSUE_TYPES, request.path_params["ref"])
    if entry is None:
        raise ApiError(404, "The issue type with id '" + request.path_params["ref"] + "' does not exist.")
    return ok(renderer(request).issue_type(entry))


async def priorities(request: Request) -> Response:
    r = renderer(request)
    return ok([r.priority(p) for p in PRIORITIES])


async def priority(request: Request) -> Response:
    entry = find(PRIORITIES, request.path_params["ref"])
    if entry is None:
        raise ApiError(404, f"The priority with id '{request.path_params['ref']}' does not exist.")
    return ok(renderer(request).priority(entry))


async def statuses(request: Request) -> Response:
    r = renderer(request)
    return ok([r.status(s) for s in STATUSES])


async def status(request: Request) -> Response:
    entry = find(STATUSES, request.path_params["ref"])
    if entry is None:
        raise ApiError(404, f"The status with id or name '{request.path_params['ref']}' does not exist.")
    return ok(renderer(request).status(entry))


async def resolutions(request: Request) -> Response:
    return ok([renderer(request).resolution()])


async def fields(request: Request) -> Response:
    r = renderer(request)
    return ok([r.field(f) for f in FIELDS])


def _meta_fields(request: Request, issue_type: str) -> dict[str, dict[str, Any]]:
    """The create screen: one entry per creatable field, with allowed values where Jira gives them."""
    r = renderer(request)
    out: dict[str, dict[str, Any]] = {}
    for f in FIELDS:
        if not f.creatable:
            continue
        entry: dict[str, Any] = {
            "required": f.required,
            "schema": dict(f.schema),
            "name": f.name,
            "key": f.id,
            "fieldId": f.id,
            "hasDefaultValue": f.id == "priority",
            "operations": ["add", "set", "remove"] if f.id == "labels" else ["set"],
        }
        if f.id == "issuetype":
            entry["allowedValues"] = [r.issue_type(find(ISSUE_TYPES, issue_type))]  # type: ignore[arg-type]
        elif f.id == "project":
            entry["allowedValues"] = [r.project_ref()]
        elif f.id == "priority":
            entry["allowedValues"] = [r.priority(p) for p in PRIORITIES]
            entry["defaultValue"] = r.priority(find(PRIORITIES, "Medium"))  # type: ignore[arg-type]
        elif f.id in ("assignee", "reporter"):
            entry["autoCompleteUrl"] = r.api("user/search?query=")
        elif f.id == "labels":
            entry["autoCompleteUrl"] = f"{r.base}/rest/api/1.0/labels/suggest?query="
        out[f.id] = entry
    return out


async def createmeta(request: Request) -> Response:
    q = request.query_params
    store = store_of(request)
    r = renderer(request)
    keys = [k for v in q.getlist("projectKeys") for k in v.split(",") if k]
    ids = [k for v in q.getlist("projectIds") for k in v.split(",") if k]
    wanted = (not keys and not ids) or store.project_key in [k.upper() for k in keys] or PROJECT_ID in ids
    type_ids = {k for v in q.getlist("issuetypeIds") for k in v.split(",") if k}
    type_names = {k.lower() for v in q.getlist("issuetypeNames") for k in v.split(",") if k}
    with_fields = "projects.issuetypes.fields" in (q.get("expand") or "")
    projects_out = []
    if wanted:
        types = []
        for t in ISSUE_TYPES:
            if (type_ids or type_names) and t.id not in type_ids and t.name.lower() not in type_names:
                continue
            item = {**r.issue_type(t), "expand": "fields"}
            if with_fields:
                item["fields"] = _meta_fields(request, t.name)
            types.append(item)
        projects_out.append({**r.project_ref(), "issuetypes": types})
    return ok({"expand": "projects", "projects": projects_out})


async def createmeta_types(request: Request) -> Response:
    _check_project(request, request.path_params["ref"])
    r = renderer(request)
    q = request.query_params
    start = int_param(q.get("startAt"), "startAt", 0)
    limit = int_param(q.get("maxResults"), "maxResults", 50)
    items = [r.issue_type(t) for t in ISSUE_TYPES][start : start + limit]
    return ok(
        {
            "maxResults": limit,
            "startAt": start,
            "total": len(ISSUE_TYPES),
            "isLast": True,
            "issueTypes": items,
            "values": items,
        }
    )


async def createmeta_fields(request: Request) -> Response:
    _check_project(request, request.path_params["ref"])
    entry = find(ISSUE_TYPES, request.path_params["type"])
    if entry is None:
        raise ApiError(404, "The issue type with id '" + request.path_params["type"] + "' does not exist.")
    q = request.query_params
    start = int_param(q.get("startAt"), "startAt", 0)
    limit = int_param(q.get("maxResults"), "maxResults", 50)
    items = list(_meta_fields(request, entry.name).values())[start : start + limit]
    return ok(
        {
            "maxResults": limit,
            "startAt": start,
            "total": len(items),
            "isLast": True,
            "fields": items,
            "values": items,
        }
    )


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
    fields = _meta_fields(request, issue.issue_type)
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
    Route("/serverInfo", server_info),
    Route("/myself", myself),
    Route("/user", get_user),
    Route("/user/search", user_search),
    Route("/user/assignable/search", assignable_search),
    Route("/users/search", user_search),
    Route("/project", projects),
    Route("/project/search", project_search),
    Route("/project/{ref}", project),
    Route("/project/{ref}/statuses", project_statuses),
    Route("/issuetype", issue_types),
    Route("/issuetype/{ref}", issue_type),
    Route("/priority", priorities),
    Route("/priority/{ref}", priority),
    Route("/status", statuses),
    Route("/status/{ref}", status),
    Route("/resolution", resolutions),
    Route("/field", fields),
    Route("/issue/createmeta", createmeta),
    Route("/issue/createmeta/{ref}/issuetypes", createmeta_types),
    Route("/issue/createmeta/{ref}/issuetypes/{type}", createmeta_fields),
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
