"""The read-only catalogue endpoints: server info, users, projects, types, fields, createmeta.

None of these touch issues; clients call them at start-up (the `jira` library:
serverInfo, field) or before a create (createmeta, project?expand=issueTypes).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.jira.errors import ApiError
from sandbox.jira.model import FIELDS, ISSUE_TYPES, PRIORITIES, PROJECT_ID, STATUSES, find
from sandbox.jira.web import actor, int_param, ok, renderer, store_of


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


def meta_fields(request: Request, issue_type: str) -> dict[str, dict[str, Any]]:
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
                item["fields"] = meta_fields(request, t.name)
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
    items = list(meta_fields(request, entry.name).values())[start : start + limit]
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
]
