"""harness/checks/auth.py: AUTH-01..10 over hand-built HTTP exchanges.

Severities come from the rule catalogue (`rules.severity_for`), so these also
pin that a broken MUST fails from 2025-03-26 and is only INFO on 2024-11-05.
"""

from __future__ import annotations

import pytest

from harness.checks import auth
from tests.unit.builders import V1, V3, V4, V5, http, rpc_error, rpc_result, verdict

SERVED = rpc_result({"tools": []})
URL = "https://mcp.example/mcp"
PRM_URL = "https://mcp.example/.well-known/oauth-protected-resource/mcp"
GOOD_CHALLENGE = f'Bearer resource_metadata="{PRM_URL}", scope="files:read"'
PRM = {"resource": URL, "authorization_servers": ["https://idp.example"], "scopes_supported": ["files:read"]}


def challenged(status: int, challenge: str) -> object:
    return http(status, b"", headers={"WWW-Authenticate": challenge}, content_type="")


@pytest.mark.parametrize(("version", "severity"), [(V1, "info"), (V4, "fail")])
def test_refused_401(version: str, severity: str) -> None:
    assert auth.refused_401("AUTH-01", http(401), "no token", version) == []
    assert auth.refused_401("AUTH-08", http(405), "GET", version, allow_405=True) == []
    assert verdict(auth.refused_401("AUTH-01", http(200, SERVED), "no token", version)) == [
        ("AUTH-01", severity)
    ]


def test_challenge_401() -> None:
    good = challenged(401, GOOD_CHALLENGE)
    assert auth.challenge_401(good, V4, metadata_found=True, uses_scopes=True) == []
    assert auth.challenge_401(http(200, SERVED), V4, metadata_found=True, uses_scopes=True) == []  # AUTH-01's
    basic = challenged(401, 'Basic realm="x"')
    assert verdict(auth.challenge_401(basic, V4, metadata_found=True, uses_scopes=False)) == [
        ("AUTH-02", "fail")
    ]


def test_challenge_401_without_resource_metadata_depends_on_the_version() -> None:
    bare = challenged(401, 'Bearer scope="files:read"')
    assert verdict(auth.challenge_401(bare, V3, metadata_found=True, uses_scopes=True)) == [
        ("AUTH-02", "fail")
    ]
    assert verdict(auth.challenge_401(bare, V4, metadata_found=False, uses_scopes=True)) == [
        ("AUTH-02", "fail")
    ]
    assert verdict(auth.challenge_401(bare, V4, metadata_found=True, uses_scopes=True)) == [
        ("AUTH-02", "info")
    ]


def test_challenge_401_offline_access_is_auth03_on_v5() -> None:
    greedy = challenged(401, GOOD_CHALLENGE.replace("files:read", "files:read offline_access"))
    assert verdict(auth.challenge_401(greedy, V5, metadata_found=True, uses_scopes=True)) == [
        ("AUTH-03", "warn")
    ]


def test_prm_document() -> None:
    good = http(200, PRM)
    attempts = [("path", PRM_URL, good)]
    assert (
        auth.prm_document(attempts, URL, V4, trusted_issuer="https://idp.example", enforces_scopes=True) == []
    )
    foreign = http(200, {**PRM, "resource": "https://elsewhere.example/mcp"})
    found = auth.prm_document(
        [("path", PRM_URL, foreign)], URL, V4, trusted_issuer=None, enforces_scopes=True
    )
    assert verdict(found) == [("AUTH-03", "fail")]


def test_prm_document_missing_everywhere() -> None:
    attempts = [("header", PRM_URL, http(404)), ("path", PRM_URL, None)]
    [finding] = auth.prm_document(attempts, URL, V4, trusted_issuer=None, enforces_scopes=False)
    assert (finding.rule, finding.severity) == ("AUTH-03", "fail")
    assert "404" in finding.message and "no answer" in finding.message


def test_v2_authorization_server() -> None:
    metadata = http(200, {"issuer": "https://mcp.example", "token_endpoint": "https://mcp.example/token"})
    assert auth.v2_authorization_server(metadata, None) == []
    assert verdict(auth.v2_authorization_server(http(404), http(404))) == [
        ("AUTH-04", "warn"),
        ("AUTH-04", "fail"),
    ]


def test_bad_token_refused() -> None:
    refused = challenged(401, 'Bearer error="invalid_token"')
    assert auth.bad_token_refused("AUTH-05", "T_exp", refused, V4) == []
    [finding] = auth.bad_token_refused("AUTH-05", "T_exp", http(200, SERVED), V4)
    assert (finding.rule, finding.severity) == ("AUTH-05", "fail") and "expiry not checked" in finding.message
    assert verdict(auth.bad_token_refused("AUTH-06", "T_aud", http(403), V4, derived=True)) == [
        ("AUTH-06", "warn")
    ]
    assert verdict(auth.bad_token_refused("AUTH-05", "T_exp", http(401), V4)) == [("AUTH-05", "warn")]


def test_scope_refusal() -> None:
    good = challenged(
        403,
        'Bearer error="insufficient_scope", scope="files:write", resource_metadata="https://mcp.example/prm"',
    )
    found, challenge = auth.scope_refusal(good, "files/write", V4)
    assert found == [] and challenge is not None and challenge.params["scope"] == "files:write"
    found, challenge = auth.scope_refusal(http(401), "files/write", V4)
    assert verdict(found) == [("AUTH-07", "fail")] and challenge is None


def test_scope_refusal_inside_a_200_cannot_be_stepped_up() -> None:
    refused_in_band = http(200, rpc_error(-32001, message="insufficient scope for files/write"))
    found, _ = auth.scope_refusal(refused_in_band, "files/write", V4)
    assert verdict(found) == [("AUTH-07", "warn")]


def test_step_up() -> None:
    assert auth.step_up(http(200, SERVED), "files/write", second=False) == []
    assert verdict(auth.step_up(http(403), "files/write", second=True)) == [("AUTH-07", "warn")]


def test_other_subject() -> None:
    assert auth.other_subject(http(403)) == []
    assert verdict(auth.other_subject(http(200, SERVED))) == [("AUTH-09", "warn")]


def test_no_passthrough() -> None:
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
    clean = [{"method": "GET", "path": "/rest/api/2/issue", "authorization": "Bearer upstream-service-token"}]
    assert auth.no_passthrough(clean, token, V4) == []
    signature_in_query = [{"method": "GET", "path": "/search", "query": f"sig={token.split('.')[2]}"}]
    [finding] = auth.no_passthrough(signature_in_query, token, V4)
    assert (finding.rule, finding.severity) == ("AUTH-10", "fail") and "query" in finding.message
