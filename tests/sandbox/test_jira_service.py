"""The Jira-compatible sandbox service, end to end over loopback HTTP.

One real service process (through `JiraBackend`) for the module; each test
starts from the seeded state (`reset`). The service is driven the way MCP
servers drive Jira: through the `jira` library, through
`atlassian-python-api`, and with raw HTTP for the shapes both hide.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from atlassian import Jira as AtlassianJira
from atlassian.jira import JiraCloud
from jira import JIRA, JIRAError
from requests import HTTPError

from sandbox import data
from sandbox.backend import Backend, Fingerprint
from sandbox.jira.backend import JiraBackend

pytestmark = pytest.mark.sandbox

SEED = 42
CANARY = "CANARY-7f3c9e1d-do-not-leak"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JiraBackend]:
    jb = JiraBackend(SEED, tmp_path_factory.mktemp("jira"), canary=CANARY)
    jb.start()
    try:
        yield jb
    finally:
        jb.stop()


@pytest.fixture
def jb(backend: JiraBackend) -> JiraBackend:
    """The backend, reset to its seed and with no faults, before the test."""
    backend.clear_faults()
    backend.reset()
    return backend


@pytest.fixture
def http(jb: JiraBackend) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=jb.url, auth=(jb.email, jb.token), timeout=10) as client:
        yield client


@pytest.fixture
def jira_lib(jb: JiraBackend) -> Iterator[JIRA]:
    client = JIRA(server=jb.url, basic_auth=(jb.email, jb.token))
    yield client
    client.close()


def atlassian(jb: JiraBackend, cloud: bool) -> AtlassianJira:
    return AtlassianJira(url=jb.url, username=jb.email, password=jb.token, cloud=cloud)


TICKETS = data.support_tickets(SEED)
AGENTS = data.jira_users(SEED)
ME = AGENTS[0]["account_id"]


# --------------------------------------------------------------------------- the two client libraries


def test_jira_library_full_round_trip(jb: JiraBackend, jira_lib: JIRA) -> None:
    assert jira_lib.server_info()["deploymentType"] == "Cloud"
    assert jira_lib.myself()["emailAddress"] == jb.email

    issue = jira_lib.create_issue(
        project="SUP", summary="Printer on fire", description="Smoke everywhere.\n\nSecond paragraph.",
        issuetype={"name": "Bug"}, priority={"name": "High"}, labels=["hardware"],
        customfield_10042=17,
    )  # fmt: skip
    assert issue.key == "SUP-302"
    assert issue.fields.summary == "Printer on fire"
    assert issue.fields.description == "Smoke everywhere.\n\nSecond paragraph."
    assert issue.fields.status.name == "To Do"
    assert issue.fields.priority.name == "High"
    assert issue.fields.customfield_10042 == 17
    assert issue.fields.reporter.accountId == ME

    issue.update(summary="Printer still on fire", labels=[{"add": "urgent"}])
    assert jira_lib.issue(issue.key).fields.summary == "Printer still on fire"
    assert sorted(jira_lib.issue(issue.key).fields.labels) == ["hardware", "urgent"]

    comment = jira_lib.add_comment(issue, "Called the fire brigade.")
    assert [c.body for c in jira_lib.comments(issue)] == ["Called the fire brigade."]
    assert comment.author.accountId == ME

    names = {t["name"] for t in jira_lib.transitions(issue)}
    assert names == {"In Progress", "Done"}
    jira_lib.transition_issue(issue, "In Progress")
    assert jira_lib.issue(issue.key).fields.status.name == "In Progress"

    jira_lib.assign_issue(issue, AGENTS[1]["account_id"])
    assert jira_lib.issue(issue.key).fields.assignee.accountId == AGENTS[1]["account_id"]

    found = jira_lib.search_issues(
        'project = SUP AND summary ~ "printer" ORDER BY created DESC', maxResults=10
    )
    assert [i.key for i in found] == [issue.key]
    assert jira_lib.approximate_issue_count("project = SUP") == 301

    issue.delete()
    with pytest.raises(JIRAError) as err:
        jira_lib.issue(issue.key)
    assert err.value.status_code == 404


def test_jira_library_enhanced_search_pages_everything(jira_lib: JIRA) -> None:
    """jira>=3.10 on Cloud uses /search/jql with nextPageToken; maxResults=False fetches all pages."""
    every = jira_lib.enhanced_search_issues(
        "project = SUP ORDER BY key ASC", maxResults=False, fields="summary"
    )
    assert [i.key for i in every] == [f"SUP-{n}" for n in range(1, 301)]
    first = jira_lib.enhanced_search_issues(
        "project = SUP ORDER BY key ASC", maxResults=40, fields=["summary"]
    )
    assert len(first) == 40 and first.nextPageToken
    second = jira_lib.enhanced_search_issues(
        "project = SUP ORDER BY key ASC", maxResults=40, nextPageToken=first.nextPageToken, fields="summary"
    )
    assert second[0].key == "SUP-41"


def test_atlassian_library_server_style(jb: JiraBackend) -> None:
    api = atlassian(jb, cloud=False)
    created = api.issue_create(
        fields={"project": {"key": "SUP"}, "summary": "VPN drops", "issuetype": {"name": "Incident"},
                "description": "Every hour."}
    )  # fmt: skip
    key = created["key"]
    assert api.get_issue(key)["fields"]["issuetype"]["name"] == "Incident"

    api.update_issue_field(key, {"summary": "VPN drops hourly", "priority": {"name": "Highest"}})
    got = api.get_issue(key, fields="summary,priority")
    assert got["fields"]["summary"] == "VPN drops hourly"
    assert got["fields"]["priority"]["name"] == "Highest"
    assert set(got["fields"]) == {"summary", "priority"}

    api.issue_add_comment(key, "Looking into it")
    assert api.issue_get_comments(key)["comments"][0]["body"] == "Looking into it"
    transitions = api.get_issue_transitions(key)
    assert all(t["name"] == t["to"] for t in transitions)
    api.set_issue_status(key, "Done")
    done = api.get_issue(key)["fields"]
    assert done["status"]["name"] == "Done" and done["resolution"]["name"] == "Done"

    history = api.get_issue_status_changelog(key)  # expand=changelog
    assert [(h["from"], h["to"]) for h in history] == [("To Do", "Done")]

    api.assign_issue(key, AGENTS[2]["account_id"])  # server style: {"name": ...}
    assert api.get_issue(key)["fields"]["assignee"]["accountId"] == AGENTS[2]["account_id"]

    # classic search: startAt / maxResults / total, pages cover everything exactly once
    keys: list[str] = []
    start = 0
    while True:
        page = api.jql("project = SUP ORDER BY key ASC", fields="summary", start=start, limit=70)
        assert page["total"] == 301
        keys += [i["key"] for i in page["issues"]]
        start += len(page["issues"])
        if start >= page["total"]:
            break
    assert len(keys) == len(set(keys)) == 301

    api.delete_issue(key)
    with pytest.raises(HTTPError):
        api.get_issue(key)


def test_atlassian_library_cloud_enhanced_jql(jb: JiraBackend) -> None:
    api = atlassian(jb, cloud=True)
    seen: list[str] = []
    token = None
    while True:
        page = api.enhanced_jql("project = SUP AND status = Done ORDER BY key ASC", fields="summary",
                                nextPageToken=token, limit=25)  # fmt: skip
        seen += [i["key"] for i in page["issues"]]
        token = page.get("nextPageToken")
        if page["isLast"]:
            assert token is None
            break
    expected = [t["key"] for t in TICKETS if t["status"] == "Done"]
    assert seen == expected
    assert api.approximate_issue_count("status = Done")["count"] == len(expected)


def test_atlassian_jira_cloud_client_speaks_v3_adf(jb: JiraBackend) -> None:
    """atlassian.jira.JiraCloud (api_version 3): ADF in, ADF out, return_issue on edit."""
    api = JiraCloud(url=jb.url, username=jb.email, password=jb.token)
    paragraph = {"type": "paragraph", "content": [{"type": "text", "text": "Cloud ticket"}]}
    doc = {"type": "doc", "version": 1, "content": [paragraph]}
    fields = {"project": {"id": "10000"}, "issuetype": {"name": "Task"}, "summary": "From JiraCloud"}
    created = api.create_issue(data={"fields": {**fields, "description": doc}})
    assert created["self"].startswith(f"{jb.url}/rest/api/3/issue/")
    key = created["key"]
    assert api.get_issue(key, fields="description")["fields"]["description"] == doc
    edited = api.edit_issue(key, return_issue=True, data={"fields": {"labels": ["cloud"]}})
    assert edited["fields"]["labels"] == ["cloud"]
    comment = api.add_comment(key, data={"body": doc})
    assert comment["body"] == doc
    assert api.get_comments(key)["total"] == 1
    transitions = api.get_transitions(key)["transitions"]
    done = next(t for t in transitions if t["to"]["name"] == "Done")
    api.do_transition(key, data={"transition": {"id": done["id"]}})
    assert api.get_issue(key, fields="status")["fields"]["status"]["statusCategory"]["key"] == "done"
    api.delete_issue(key)


# --------------------------------------------------------------------------- formats, auth and errors


def test_v2_strings_and_v3_adf(http: httpx.Client) -> None:
    doc = {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": "Line one"}]},
        {"type": "bulletList", "content": [
            {"type": "listItem", "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "a"}]}]},
        ]},
    ]}  # fmt: skip
    r = http.post(
        "/rest/api/3/issue",
        json={
            "fields": {
                "project": {"key": "SUP"},
                "issuetype": {"id": "10001"},
                "summary": "ADF in",
                "description": doc,
            }
        },
    )
    assert r.status_code == 201, r.text
    key = r.json()["key"]
    assert http.get(f"/rest/api/3/issue/{key}").json()["fields"]["description"] == doc
    assert http.get(f"/rest/api/2/issue/{key}").json()["fields"]["description"] == "Line one\n\n- a"

    r = http.post(f"/rest/api/2/issue/{key}/comment", json={"body": "plain comment"})
    assert r.status_code == 201 and r.json()["body"] == "plain comment"
    v3 = http.get(f"/rest/api/3/issue/{key}/comment").json()
    assert v3["total"] == 1 and v3["startAt"] == 0
    assert v3["comments"][0]["body"] == {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": "plain comment"}]}]}  # fmt: skip
    cid = v3["comments"][0]["id"]
    r = http.put(f"/rest/api/3/issue/{key}/comment/{cid}", json={"body": doc})
    assert r.status_code == 200
    assert http.get(f"/rest/api/2/issue/{key}/comment/{cid}").json()["body"] == "Line one\n\n- a"
    assert http.delete(f"/rest/api/latest/issue/{key}/comment/{cid}").status_code == 204
    assert http.get(f"/rest/api/2/issue/{key}/comment/{cid}").status_code == 404
    # seeded text reads as ADF on v3 too
    seeded = http.get("/rest/api/3/issue/SUP-1", params={"fields": "description"}).json()["fields"]
    assert seeded["description"]["type"] == "doc"


def test_auth_is_required(jb: JiraBackend) -> None:
    url = f"{jb.url}/rest/api/2/myself"
    for kwargs in ({}, {"auth": (jb.email, "wrong")}, {"auth": ("someone@else.example", jb.token)},
                   {"headers": {"Authorization": "Bearer nope"}},
                   {"headers": {"Authorization": f"Bearer {jb.admin_token}"}}):  # fmt: skip
        r = httpx.get(url, **kwargs)
        assert r.status_code == 401
        assert r.json()["errorMessages"] and r.json()["errors"] == {}
    assert httpx.get(url, headers={"Authorization": f"Bearer {jb.token}"}).json()["accountId"] == ME
    assert httpx.get(f"{jb.url}/_sandbox/state", auth=(jb.email, jb.token)).status_code == 401


def test_bad_create_and_edit_answer_400_in_jira_format(http: httpx.Client) -> None:
    r = http.post(
        "/rest/api/2/issue",
        json={
            "fields": {
                "project": {"key": "NOPE"},
                "priority": {"name": "Meh"},
                "labels": ["has space"],
                "colour": "red",
            }
        },
    )
    assert r.status_code == 400
    body = r.json()
    assert body["errorMessages"] == []
    assert set(body["errors"]) == {"project", "issuetype", "summary", "priority", "labels", "colour"}
    r = http.put("/rest/api/2/issue/SUP-1", json={"fields": {"assignee": {"accountId": "ghost"}}})
    assert r.status_code == 400 and "assignee" in r.json()["errors"]
    r = http.post("/rest/api/2/issue", content=b"{not json")
    assert r.status_code == 400 and r.json()["errorMessages"]
    r = http.post("/rest/api/2/issue/SUP-1/transitions", json={"transition": {"id": "999"}})
    assert r.status_code == 400 and "999" in r.json()["errorMessages"][0]
    r = http.delete("/rest/api/2/issue/SUP-9999")
    assert r.status_code == 404
    assert r.json() == {"errorMessages": ["Issue does not exist or you do not have permission to see it."],
                        "errors": {}}  # fmt: skip


@pytest.mark.parametrize(
    ("jql", "fragment"),
    [
        ("project = ", "Error in the JQL Query"),
        ("status = Done AND", "Error in the JQL Query"),
        ('summary ~ "unterminated', "Error in the JQL Query"),
        ("status == Done", "Error in the JQL Query"),
        ("(status = Done", "Error in the JQL Query"),
        ("colour = red", "Field 'colour' does not exist"),
        ("status = Bogus", "The value 'Bogus' does not exist for the field 'status'"),
        ("assignee = membersOf(x)", "Unable to find JQL function"),
        ("summary = x", "The operator '=' is not supported by the 'summary' field"),
    ],
)
def test_bad_jql_answers_400_in_jira_format(http: httpx.Client, jql: str, fragment: str) -> None:
    for method, path in (("GET", "/rest/api/2/search"), ("POST", "/rest/api/3/search/jql")):
        r = http.get(path, params={"jql": jql}) if method == "GET" else http.post(path, json={"jql": jql})
        assert r.status_code == 400, (jql, r.text)
        body = r.json()
        assert body["errors"] == {} and len(body["errorMessages"]) == 1
        assert fragment in body["errorMessages"][0]


@pytest.mark.parametrize(
    ("method", "path", "content"),
    [
        ("POST", "/rest/api/2/issue", b"[]"),
        ("POST", "/rest/api/2/issue", b"\xff\xfe not utf-8"),
        ("POST", "/rest/api/2/issue", b'{"fields": null}'),
        (
            "POST",
            "/rest/api/3/issue",
            b'{"fields": {"summary": {"a": 1}, "description": [1], "labels": "x"}}',
        ),
        ("PUT", "/rest/api/2/issue/SUP-1", b'{"update": {"labels": [{"add": 5}, "x"]}}'),
        ("PUT", "/rest/api/2/issue/SUP-1", b'{"fields": {"customfield_10042": "NaN"}}'),
        ("POST", "/rest/api/2/issue/SUP-1/transitions", b'{"transition": "21"}'),
        ("PUT", "/rest/api/2/issue/SUP-1/assignee", b'{"accountId": {"nested": true}}'),
        ("POST", "/rest/api/2/issue/SUP-1/comment", b'{"body": {"type": "paragraph"}}'),
        ("POST", "/rest/api/2/search", b'{"jql": ["status = Done"]}'),
        ("POST", "/rest/api/3/search/jql", b'{"jql": "", "nextPageToken": 12}'),
        ("GET", "/rest/api/2/search?startAt=-1", b""),
        ("GET", "/rest/api/2/search?maxResults=lots", b""),
        ("GET", "/rest/api/2/issue/SUP-1/comment/nope", b""),
        ("PATCH", "/rest/api/2/issue/SUP-1", b"{}"),
        ("GET", "/rest/api/2/no/such/endpoint", b""),
    ],
)
def test_hostile_requests_get_jira_errors_never_500(
    jb: JiraBackend, http: httpx.Client, method: str, path: str, content: bytes
) -> None:
    before = jb.fingerprint()
    r = http.request(method, path, content=content, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    body = r.json()
    assert set(body) == {"errorMessages", "errors"} and (body["errorMessages"] or body["errors"])
    assert jb.fingerprint() == before


def test_read_only_extras(http: httpx.Client) -> None:
    meta = http.get("/rest/api/2/issue/SUP-4/editmeta").json()["fields"]
    assert "summary" in meta and "project" not in meta
    assert http.get("/rest/api/2/issue/SUP-4/worklog").json()["worklogs"] == []
    assert http.get("/rest/api/2/issue/SUP-4/watchers").json()["watchCount"] == 0
    assert http.get("/rest/api/2/issue/SUP-4/remotelink").json() == []
    only_id = http.get("/rest/api/2/issue/SUP-4", params={"fields": "id"}).json()
    assert only_id["fields"] == {} and only_id["key"] == "SUP-4"
    rendered = http.get("/rest/api/2/issue/SUP-4", params={"expand": "renderedFields,names,schema"}).json()
    assert rendered["renderedFields"]["description"].startswith("<p>")
    assert rendered["names"]["summary"] == "Summary" and rendered["schema"]["labels"]["items"] == "string"


# --------------------------------------------------------------------------- JQL semantics over the seed


def _keys(http: httpx.Client, jql: str) -> list[str]:
    r = http.post("/rest/api/2/search", json={"jql": jql, "maxResults": 100, "fields": ["key"]})
    assert r.status_code == 200, r.text
    body = r.json()
    keys = [i["key"] for i in body["issues"]]
    start = len(keys)
    while start < body["total"]:
        more = http.post("/rest/api/2/search", json={"jql": jql, "startAt": start, "maxResults": 100}).json()
        keys += [i["key"] for i in more["issues"]]
        start += len(more["issues"])
    return keys


def _expected(pred) -> set[str]:
    return {t["key"] for t in TICKETS if pred(t)}


def test_jql_semantics_match_the_seed(http: httpx.Client) -> None:
    cases = {
        "status = Done AND priority in (High, Highest)":
            lambda t: t["status"] == "Done" and t["priority"] in ("High", "Highest"),
        'status = "To Do" OR labels = api-keys':
            lambda t: t["status"] == "To Do" or "api-keys" in t["labels"],
        "assignee = currentUser()": lambda t: t["assignee_account_id"] == ME,
        "assignee is EMPTY": lambda t: t["assignee_account_id"] is None,
        "assignee is not EMPTY AND NOT status = Done":
            lambda t: t["assignee_account_id"] is not None and t["status"] != "Done",
        "priority not in (Low, Lowest) AND issuetype = Bug":
            lambda t: t["priority"] not in ("Low", "Lowest") and t["issue_type"] == "Bug",
        'summary ~ "password"': lambda t: "password" in t["summary"].lower(),
        'text ~ "refund annual"':
            lambda t: "refund" in t["summary"].lower() and "annual" in t["summary"].lower(),
        '"Customer ID" = 454': lambda t: t["customer_id"] == 454,
        "cf[10042] > 900": lambda t: t["customer_id"] > 900,
        'created >= "2025-01-01" AND created < "2025-07-01"':
            lambda t: "2025-01-01" <= t["created"].strftime("%Y-%m-%d") < "2025-07-01",
        f"reporter = \"{TICKETS[0]['reporter_email']}\"":
            lambda t: t["reporter_email"] == TICKETS[0]["reporter_email"],
        "key in (SUP-1, SUP-2, SUP-999)": lambda t: t["key"] in ("SUP-1", "SUP-2"),
        "project = SUP AND (status = Done OR status = 'In Progress') AND labels != sso-saml":
            lambda t: t["status"] in ("Done", "In Progress") and "sso-saml" not in t["labels"],
    }  # fmt: skip
    for jql, pred in cases.items():
        got = _keys(http, jql)
        assert len(got) == len(set(got)), jql
        assert set(got) == _expected(pred), jql
        assert got, f"case should select something: {jql}"


def test_jql_order_by(http: httpx.Client) -> None:
    got = _keys(http, "project = SUP ORDER BY priority DESC, created ASC")
    rank = {"Highest": 0, "High": 1, "Medium": 2, "Low": 3, "Lowest": 4}
    by_key = {t["key"]: t for t in TICKETS}
    expected = sorted(
        by_key, key=lambda k: (rank[by_key[k]["priority"]], by_key[k]["created"], by_key[k]["id"])
    )
    assert got == expected
    assert _keys(http, "ORDER BY key DESC")[:3] == ["SUP-300", "SUP-299", "SUP-298"]
    newest = _keys(http, "order by updated desc")[0]
    assert by_key[newest]["updated"] == max(t["updated"] for t in TICKETS)


def test_search_shapes(http: httpx.Client) -> None:
    page = http.get("/rest/api/2/search", params={"jql": "status = Done", "maxResults": 0}).json()
    assert page["issues"] == [] and page["total"] == sum(t["status"] == "Done" for t in TICKETS)
    ids_only = http.get("/rest/api/3/search/jql", params={"jql": "key = SUP-5"}).json()
    assert ids_only == {"issues": [{"id": "10005"}], "isLast": True}
    full = http.post("/rest/api/3/search/jql", json={"jql": "key = SUP-5", "fields": ["*all"],
                                                      "expand": "names"}).json()  # fmt: skip
    assert full["issues"][0]["fields"]["summary"] == TICKETS[4]["summary"]
    assert full["names"]["customfield_10042"] == "Customer ID"
    bad = http.get("/rest/api/3/search/jql", params={"jql": "", "nextPageToken": "garbage!"})
    assert bad.status_code == 400


# --------------------------------------------------------------------------- metadata endpoints


def test_users_projects_fields_and_createmeta(http: httpx.Client, jira_lib: JIRA) -> None:
    me = http.get("/rest/api/3/myself").json()
    assert {"self", "accountId", "emailAddress", "displayName", "active"} <= set(me)
    one = http.get("/rest/api/3/user", params={"accountId": AGENTS[3]["account_id"]}).json()
    assert one["displayName"] == AGENTS[3]["display_name"]
    assert http.get("/rest/api/3/user", params={"accountId": "nobody"}).status_code == 404
    first_name = AGENTS[2]["display_name"].split()[0]
    found = http.get("/rest/api/3/user/search", params={"query": first_name.lower()}).json()
    assert AGENTS[2]["account_id"] in [u["accountId"] for u in found]
    assignable = http.get("/rest/api/3/user/assignable/search", params={"project": "SUP"}).json()
    assert [u["accountId"] for u in assignable] == [a["account_id"] for a in AGENTS]

    assert [p.key for p in jira_lib.projects()] == ["SUP"]
    assert http.get("/rest/api/2/project/search").json()["values"][0]["key"] == "SUP"
    assert http.get("/rest/api/2/project/NOPE").status_code == 404
    assert {t["name"] for t in http.get("/rest/api/2/issuetype").json()} >= {"Task", "Bug", "Incident"}
    assert [p["name"] for p in http.get("/rest/api/2/priority").json()] == [
        "Highest", "High", "Medium", "Low", "Lowest"]  # fmt: skip
    assert {s["name"] for s in http.get("/rest/api/2/status").json()} >= {"To Do", "In Progress", "Done"}

    custom = next(f for f in jira_lib.fields() if f["id"] == "customfield_10042")
    assert custom["clauseNames"] == ["cf[10042]", "Customer ID"] and custom["schema"]["type"] == "number"

    meta = http.get("/rest/api/2/issue/createmeta",
                    params={"projectKeys": "SUP", "expand": "projects.issuetypes.fields"}).json()  # fmt: skip
    bug = next(t for t in meta["projects"][0]["issuetypes"] if t["name"] == "Bug")
    assert bug["fields"]["summary"]["required"] is True
    types = http.get("/rest/api/2/issue/createmeta/SUP/issuetypes").json()
    assert {t["name"] for t in types["issueTypes"]} >= {"Task", "Bug", "Incident"}
    fields = http.get("/rest/api/2/issue/createmeta/SUP/issuetypes/10002").json()["fields"]
    assert {f["fieldId"] for f in fields} >= {"summary", "description", "priority", "customfield_10042"}


# --------------------------------------------------------------------------- the sandbox side


def test_every_mutation_moves_the_fingerprint_and_reads_do_not(jb: JiraBackend, http: httpx.Client) -> None:
    def unchanged(action) -> None:
        before = jb.fingerprint()
        action()
        assert jb.fingerprint() == before

    def changed(action, operation: str) -> None:
        before = jb.fingerprint()
        r = action()
        assert r.status_code < 300, r.text
        after = jb.fingerprint()
        assert after != before
        assert [(c.what, c.operation) for c in jb.changes_since(before)] == [("SUP-302", operation)]

    reads = (
        "/rest/api/2/issue/SUP-3", "/rest/api/3/search/jql?jql=status=Done",
        "/rest/api/2/search?jql=text~refund", "/rest/api/2/field",
        "/rest/api/2/issue/SUP-3/comment", "/rest/api/2/issue/SUP-3/transitions",
        "/rest/api/2/user/search?query=a", "/rest/api/2/myself", "/rest/api/2/issue/createmeta",
    )  # fmt: skip
    unchanged(lambda: [http.get(p) for p in reads])
    unchanged(lambda: http.post("/rest/api/3/search/approximate-count", json={"jql": "status = Done"}))
    unchanged(lambda: http.put("/rest/api/2/issue/SUP-3", json={"fields": {}}))  # empty edit: nothing changes
    unchanged(lambda: http.put("/rest/api/2/issue/SUP-3", json={"fields": {"summary": ""}}))  # rejected
    unchanged(lambda: http.get(f"/rest/api/2/issue/{jb.restricted_key}"))

    body = {"fields": {"project": {"key": "SUP"}, "summary": "n", "issuetype": {"name": "Task"}}}
    changed(lambda: http.post("/rest/api/2/issue", json=body), "create")
    changed(lambda: http.put("/rest/api/2/issue/SUP-302", json={"fields": {"summary": "m"}}), "edit")
    changed(lambda: http.post("/rest/api/2/issue/SUP-302/transitions", json={"transition": {"id": "21"}}),
            "transition")  # fmt: skip
    changed(lambda: http.put("/rest/api/2/issue/SUP-302/assignee", json={"accountId": ME}), "assign")
    changed(lambda: http.post("/rest/api/2/issue/SUP-302/comment", json={"body": "hi"}), "comment")
    cid = http.get("/rest/api/2/issue/SUP-302/comment").json()["comments"][0]["id"]
    changed(lambda: http.put(f"/rest/api/2/issue/SUP-302/comment/{cid}", json={"body": "yo"}), "comment_edit")
    changed(lambda: http.delete(f"/rest/api/2/issue/SUP-302/comment/{cid}"), "comment_delete")
    changed(lambda: http.delete("/rest/api/2/issue/SUP-302"), "delete")
    changes = jb.changes_since(Fingerprint("jira", "0"))
    assert [c.operation for c in changes][-8:] == [
        "create", "edit", "transition", "assign", "comment", "comment_edit", "comment_delete", "delete",
    ]  # fmt: skip
    assert all(c.detail.startswith(("POST ", "PUT ", "DELETE ")) for c in changes[-8:])


def test_reset_restores_the_seed_quickly(jb: JiraBackend, http: httpx.Client) -> None:
    seeded = http.get("/rest/api/2/issue/SUP-7").json()
    assert http.delete("/rest/api/2/issue/SUP-7").status_code == 204
    http.put("/rest/api/2/issue/SUP-8", json={"fields": {"summary": "changed"}})
    http.post("/rest/api/2/issue", json={"fields": {"project": {"key": "SUP"}, "summary": "new",
                                                    "issuetype": {"name": "Task"}}})  # fmt: skip
    assert not jb.fingerprint().extra["clean"]
    jb.reset()
    assert jb.fingerprint().extra["clean"]
    assert http.get("/rest/api/2/issue/SUP-7").json() == seeded
    assert http.get("/rest/api/2/issue/SUP-8").json()["fields"]["summary"] == TICKETS[7]["summary"]
    assert http.get("/rest/api/2/issue/SUP-302").status_code == 404
    before = jb.fingerprint()
    jb.reset()  # nothing changed: a no-op
    assert jb.fingerprint() == before
    # the next create gets the seeded next key again
    r = http.post("/rest/api/2/issue", json={"fields": {"project": {"key": "SUP"}, "summary": "again",
                                                        "issuetype": {"name": "Task"}}})  # fmt: skip
    assert r.json()["key"] == "SUP-302"


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def test_reset_and_fingerprint_are_fast(jb: JiraBackend, http: httpx.Client) -> None:
    """Best-of / median timings, so a busy CI machine does not make this flaky."""
    resets = []
    for n in range(5):
        http.put("/rest/api/2/issue/SUP-9", json={"fields": {"summary": f"dirty {n}"}})
        http.delete(f"/rest/api/2/issue/SUP-{20 + n}")
        resets.append(_timed(jb.reset))
    assert min(resets) < 0.05, f"reset took {min(resets) * 1000:.1f} ms at best"
    prints = sorted(_timed(jb.fingerprint) for _ in range(200))
    assert prints[100] < 0.005, f"fingerprint took {prints[100] * 1000:.2f} ms (median)"


def test_restricted_issue_is_hidden(jb: JiraBackend, http: httpx.Client) -> None:
    key = jb.restricted_key
    by_id = jb.admin_issue(key)["id"]
    for path in (f"/rest/api/2/issue/{key}", f"/rest/api/3/issue/{key}/comment",
                 f"/rest/api/2/issue/{key}/transitions", f"/rest/api/2/issue/{by_id}"):  # fmt: skip
        r = http.get(path)
        assert r.status_code == 404 and CANARY not in r.text
    assert http.put(f"/rest/api/2/issue/{key}", json={"fields": {"summary": "x"}}).status_code == 404
    assert http.delete(f"/rest/api/2/issue/{key}").status_code == 404
    everything = http.get("/rest/api/2/search", params={"jql": "", "maxResults": 100, "fields": "*all",
                                                        "startAt": 250}).text  # fmt: skip
    assert CANARY not in everything and key not in everything
    assert _keys(http, f'text ~ "{CANARY}"') == []
    assert _keys(http, f"key = {key}") == []
    assert http.post("/rest/api/3/search/approximate-count", json={"jql": ""}).json() == {"count": 300}
    assert CANARY in jb.admin_issue(key)["fields"]["description"]
    assert set(jb.canaries()) == {CANARY, jb.token, jb.admin_token}
    assert jb.fingerprint().extra["clean"]


def test_requests_are_logged_with_their_authorization(jb: JiraBackend) -> None:
    """The log keeps the exact Authorization header, so a check can spot client tokens passed upstream."""
    path = "/rest/api/2/issue/SUP-12"
    marker = f"marker={time.monotonic_ns()}"
    start = jb.requests_seen()[-1]["seq"] if jb.requests_seen() else 0
    httpx.get(f"{jb.url}{path}?{marker}", headers={"Authorization": "Bearer some-client-token"})
    httpx.get(f"{jb.url}{path}?{marker}", auth=(jb.email, jb.token))
    seen = [r for r in jb.requests_seen(start) if r["query"] == marker]
    basic = "Basic " + base64.b64encode(f"{jb.email}:{jb.token}".encode()).decode()
    assert [r["authorization"] for r in seen] == ["Bearer some-client-token", basic]
    assert [r["status"] for r in seen] == [401, 200]
    assert {(r["method"], r["path"]) for r in seen} == {("GET", path)}
    # every header is kept, so a token forwarded under another name is visible too
    httpx.get(f"{jb.url}{path}?{marker}", auth=(jb.email, jb.token), headers={"X-Api-Key": "client-secret"})
    assert jb.requests_seen(start)[-1]["headers"]["x-api-key"] == "client-secret"


def test_faults(jb: JiraBackend, http: httpx.Client) -> None:
    jb.set_faults(status=500, paths=r"/search")
    r = http.get("/rest/api/2/search", params={"jql": "status = Done"})
    assert r.status_code == 500 and r.json()["errorMessages"]
    assert http.get("/rest/api/2/issue/SUP-1").status_code == 200  # other paths unaffected

    jb.set_faults(status=429, count=2)
    assert [http.get("/rest/api/2/myself").status_code for _ in range(3)] == [429, 429, 200]
    r429 = jb.set_faults(status=429)
    assert r429["status"] == 429
    r = http.get("/rest/api/2/myself")
    assert r.status_code == 429 and r.headers["retry-after"] == "1"

    jb.set_faults(delay_ms=600, paths="myself")
    assert _timed(lambda: http.get("/rest/api/2/myself").raise_for_status()) >= 0.6
    assert _timed(lambda: http.get("/rest/api/2/field").raise_for_status()) < 0.5  # path not matched
    jb.clear_faults()
    assert _timed(lambda: http.get("/rest/api/2/myself")) < 0.5
    assert jb.fingerprint().extra["clean"]  # faults are not state changes


def test_backend_protocol_server_mode_and_clean_stop(tmp_path: Path) -> None:
    """A second service in Server mode: the jira library then pages /search with startAt."""
    jb = JiraBackend(SEED, tmp_path, deployment="Server")
    assert isinstance(jb, Backend)
    jb.start()
    jb.start()  # idempotent
    pid = jb.pid
    assert pid is not None
    try:
        assert set(jb.env()) == {"JIRA_URL", "JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_PROJECT"}
        assert jb.env()["JIRA_URL"].startswith("http://127.0.0.1:")
        client = JIRA(server=jb.url, basic_auth=(jb.email, jb.token))
        found = client.search_issues("project = SUP ORDER BY key ASC", startAt=0, maxResults=False,
                                     fields="summary")  # fmt: skip
        assert len(found) == 300 and found.total == 300
        assert client.search_issues("status = Done", startAt=10, maxResults=5).startAt == 10
        client.close()
    finally:
        jb.stop()
    jb.stop()  # idempotent
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)
    with pytest.raises(RuntimeError):
        jb.fingerprint()


def test_start_failure_reports_the_log(tmp_path: Path) -> None:
    jb = JiraBackend(SEED, tmp_path, project="not a key!")
    with pytest.raises((RuntimeError, TimeoutError)) as err:
        jb.start()
    assert "jira sandbox" in str(err.value)
    assert jb.pid is None
