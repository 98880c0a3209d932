"""Resources (RES-*), on any server that declares `resources`.

Everything is discovered from the server itself (every page of resources/list
and resources/templates/list); nothing depends on a fixture's names. Only
reads are sent: resources/read, subscribe and unsubscribe.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from harness.checks import resources as res
from harness.protocol.session import Session
from harness.protocol.versions import newest_of_era
from suites._support import all_items, walk

pytestmark = pytest.mark.requires_capability("resources")

MAX_READS = 200  # a server with thousands of resources is sampled, and the report says so
# At the other versions of an era only the first few are read: what a resource holds does not
# depend on the version, the envelope does, and a few reads show the envelope.
READS_BESIDE_NEWEST = 10
TRAVERSAL = "../../../../etc/passwd"
SAMPLE_VALUE = "1"


def _resources(session: Session) -> list[dict[str, Any]]:
    return [r for r in all_items(session, "resources/list") if isinstance(r, dict)]


def _templates(session: Session) -> list[dict[str, Any]]:
    return [t for t in all_items(session, "resources/templates/list") if isinstance(t, dict)]


def _usable_template(item: dict[str, Any]) -> str | None:
    template = item.get("uriTemplate")
    if (
        isinstance(template, str)
        and res.template_problem(template) is None
        and res.template_variables(template)
    ):
        return template
    return None


@pytest.mark.rule("RES-01")
def test_res01_lists_have_uri_and_name(mcp_session, verdict):
    for method, key, field in (
        ("resources/list", "resources", "uri"),
        ("resources/templates/list", "resourceTemplates", "uriTemplate"),
    ):
        listing = walk(mcp_session, method)
        for page in listing.pages:
            unimplemented = res.templates_unimplemented(method, page.exchange)
            if unimplemented:
                verdict.add(unimplemented)
                break
            verdict.add(res.list_result(method, page.exchange, key, field))
        if method == "resources/templates/list":
            verdict.add(res.templates_valid(listing.items))


@pytest.mark.rule("RES-02")
def test_res02_every_listed_resource_reads_well(mcp_session, verdict):
    resources = [r for r in _resources(mcp_session) if isinstance(r.get("uri"), str)]
    newest = newest_of_era(verdict.profile.versions or [], verdict.version)
    limit = MAX_READS if verdict.run.every_version or verdict.version == newest else READS_BESIDE_NEWEST
    verdict.add(res.reads_sampled(len(resources), limit, newest if limit < MAX_READS else None))
    for item in resources[:limit]:
        exchange = mcp_session.request("resources/read", {"uri": item["uri"]})
        verdict.add(res.read_result(exchange, item["uri"]))
    for template in filter(None, map(_usable_template, _templates(mcp_session))):
        values = dict.fromkeys(res.template_variables(template), SAMPLE_VALUE)
        uri = res.expand_template(template, values)
        exchange = mcp_session.request("resources/read", {"uri": uri})
        verdict.add(res.read_result(exchange, uri, listed=False))
    verdict.add(res.resources_to_read(resources))


@pytest.mark.rule("RES-03")
def test_res03_unknown_resource_error(mcp_session, verdict):
    uri = f"mcp-harness://does-not-exist/{uuid.uuid4()}"
    exchange = mcp_session.request("resources/read", {"uri": uri})
    verdict.add(res.not_found(exchange, uri, verdict.version))


@pytest.mark.rule("RES-04")
def test_res04_file_path_traversal_is_refused(mcp_session, verdict):
    uri = "file:///" + TRAVERSAL
    exchange = mcp_session.request("resources/read", {"uri": uri})
    verdict.add(res.traversal(exchange, uri, from_template=False))


@pytest.mark.rule("RES-04")
def test_res04_template_expanded_with_dotdot_is_refused(mcp_session, verdict):
    templates = list(filter(None, map(_usable_template, _templates(mcp_session))))
    if not templates:
        pytest.skip("the server lists no resource templates with variables")
    for template in templates:
        first, *rest = res.template_variables(template)
        values = {first: TRAVERSAL, **dict.fromkeys(rest, SAMPLE_VALUE)}
        uri = res.expand_template(template, values, raw=True)
        exchange = mcp_session.request("resources/read", {"uri": uri})
        verdict.add(res.traversal(exchange, uri, from_template=True))


@pytest.mark.rule("RES-05")
@pytest.mark.era("legacy")
def test_res05_subscribe_and_unsubscribe(mcp_session, verdict):
    declared = mcp_session.state.capabilities.get("resources")
    if not (isinstance(declared, dict) and declared.get("subscribe") is True):
        pytest.skip("the server did not declare resources.subscribe")
    uris = [r["uri"] for r in _resources(mcp_session) if isinstance(r.get("uri"), str)]
    if not uris:
        pytest.skip("the server lists no resource to subscribe to")
    uri = uris[0]
    verdict.add(
        res.empty_result(mcp_session.request("resources/subscribe", {"uri": uri}), "resources/subscribe", uri)
    )
    verdict.add(
        res.empty_result(
            mcp_session.request("resources/unsubscribe", {"uri": uri}), "resources/unsubscribe", uri
        )
    )
    later = [f.message for f in mcp_session.settle(0.3) if isinstance(f.message, dict)]
    verdict.add(res.updates_after_unsubscribe(later, uri))


@pytest.mark.rule("RES-07")
def test_res07_annotations_are_well_typed(mcp_session, verdict):
    items = _resources(mcp_session) + _templates(mcp_session)
    verdict.add(res.annotations_valid(items, verdict.version), res.annotations_seen(items))


@pytest.mark.rule("RES-08")
def test_res08_listed_uris_follow_rfc3986(mcp_session, verdict):
    resources = _resources(mcp_session)
    verdict.add(res.uris_valid(resources), res.uris_listed(resources))
