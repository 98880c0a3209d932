"""The sandbox identity provider: metadata, JWKS, the client-credentials grant,
the tokens the harness mints from its key, and process clean-up."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import jwt
import pytest

from harness.auth.tokens import Minter, decode_unverified, parse_challenge, tamper
from sandbox.idp import IdpBackend

AUDIENCE = "http://127.0.0.1:9/mcp"


@pytest.fixture(scope="module")
def idp(tmp_path_factory) -> Iterator[IdpBackend]:
    with IdpBackend(tmp_path_factory.mktemp("idp"), audience=AUDIENCE) as backend:
        yield backend


def verify(idp: IdpBackend, token: str, audience: str = AUDIENCE) -> dict:
    client = jwt.PyJWKClient(idp.env()["OAUTH_JWKS_URL"])
    key = client.get_signing_key_from_jwt(token).key
    return jwt.decode(token, key, algorithms=["RS256"], audience=audience, issuer=idp.issuer)


def test_env_and_metadata(idp):
    env = idp.env()
    assert env["OAUTH_ISSUER"].startswith("http://127.0.0.1:") and env["OAUTH_AUDIENCE"] == AUDIENCE
    doc = httpx.get(env["OAUTH_ISSUER"] + "/.well-known/oauth-authorization-server", trust_env=False).json()
    assert doc["issuer"] == env["OAUTH_ISSUER"] and doc["jwks_uri"] == env["OAUTH_JWKS_URL"]
    assert doc["grant_types_supported"] == ["client_credentials"]
    keys = httpx.get(env["OAUTH_JWKS_URL"], trust_env=False).json()["keys"]
    assert [k["kid"] for k in keys] == [idp.key.kid] and "d" not in keys[0]  # public half only


def test_client_credentials_grant(idp):
    reply = httpx.post(
        idp.token_url,
        data={"grant_type": "client_credentials", "scope": "a b", "resource": "http://x/mcp"},
        auth=(idp.client_id, idp.client_secret),
        trust_env=False,
    )
    assert reply.status_code == 200 and reply.headers["cache-control"] == "no-store"
    token = reply.json()["access_token"]
    assert jwt.get_unverified_header(token)["typ"] == "at+jwt"
    claims = verify(idp, token, audience="http://x/mcp")
    assert claims["scope"] == "a b" and {"iss", "sub", "aud", "iat", "exp", "jti"} <= set(claims)
    wrong = httpx.post(idp.token_url, data={"grant_type": "client_credentials"}, auth=(idp.client_id, "no"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


def test_minted_variants_differ_from_t_ok_in_one_way(idp):
    variants = Minter.from_idp(idp, AUDIENCE).variants(["s1", "s2"])
    assert verify(idp, variants["T_ok"])["scope"] == "s1 s2"
    for name, error in [
        ("T_exp", jwt.ExpiredSignatureError),
        ("T_key", jwt.InvalidSignatureError),
        ("T_tamper", jwt.InvalidSignatureError),
        ("T_iss", jwt.InvalidIssuerError),
        ("T_aud", jwt.InvalidAudienceError),
        ("T_noaud", jwt.MissingRequiredClaimError),
    ]:
        with pytest.raises(error):
            verify(idp, variants[name])
    assert jwt.get_unverified_header(variants["T_none"])["alg"] == "none"
    assert jwt.get_unverified_header(variants["T_key"])["kid"] == idp.key.kid
    assert decode_unverified(variants["T_tamper"])["sub"] != decode_unverified(variants["T_ok"])["sub"]
    assert tamper("opaque-token-value") != "opaque-token-value"


def test_challenge_parser():
    found = parse_challenge('Bearer error="insufficient_scope", scope="a b", resource_metadata="http://x/y"')
    assert found is not None and found.scheme == "Bearer" and found.scopes == ["a", "b"]
    assert found.params["resource_metadata"] == "http://x/y"
    assert parse_challenge(None) is None


def test_stop_reaps_the_process(tmp_path):
    backend = IdpBackend(tmp_path)
    backend.start()
    pid = backend.pid
    assert pid is not None and not (tmp_path / "idp-key.pem").exists()  # the key file is gone after start
    backend.stop()
    backend.stop()  # idempotent
    assert not os.path.exists(f"/proc/{pid}")
