"""The docker provider end to end: `mcp-sandbox up --provider docker` / `down`, and crash clean-up.

What must hold: `up` prints the same variables as the local provider, and
`down` (or the next start, after a crash) leaves no container, network or
volume of the run behind.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import require_engine, started

from sandbox.cli import PID_KEY, read_env_file

pytestmark = [pytest.mark.containers, pytest.mark.timeout(600)]


def _client():  # type: ignore[no-untyped-def]
    from sandbox.containers import engine

    return engine.docker_client(engine.find_engine(), timeout=30)


def _labelled(client, run_id: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    from sandbox.containers.run import LABEL_RUN

    selector = {"label": f"{LABEL_RUN}={run_id}" if run_id else LABEL_RUN}
    return (
        [c.name for c in client.containers.list(all=True, filters=selector)]
        + [n.name for n in client.networks.list(filters=selector)]
        + [v.name for v in client.volumes.list(filters=selector)]
    )


def test_crashed_run_is_reaped() -> None:
    require_engine()
    from sandbox.containers.run import LABEL_OWNER, LABEL_RUN, owner_tag, reap_orphans

    client = _client()
    try:
        host = owner_tag().rpartition(":")[0]
        dead = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        labels = {LABEL_RUN: "crashtest", LABEL_OWNER: f"{host}:{dead}"}
        client.networks.create("mcp-sandbox-crashtest", driver="bridge", labels=labels)
        assert _labelled(client, "crashtest")
        removed = reap_orphans(client)
        assert "mcp-sandbox-crashtest" in removed.networks
        assert _labelled(client, "crashtest") == []
    finally:
        client.close()


def test_cli_up_docker_prints_the_local_contract_and_down_leaves_nothing(tmp_path: Path) -> None:
    require_engine()
    env_file = tmp_path / "sandbox.env"
    cli = [sys.executable, "-m", "sandbox", "--env-file", str(env_file)]
    proc = subprocess.Popen(
        [*cli, "up", "--provider", "docker"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not env_file.exists() and time.monotonic() < deadline:
            assert proc.poll() is None, "mcp-sandbox up exited early"
            time.sleep(0.2)
        assert env_file.exists(), "mcp-sandbox up --provider docker was not up within 300 s"
        env = read_env_file(env_file)
        env.pop(PID_KEY)
        local_names = set(started("local").env())
        # The identity provider (OAUTH_*) runs locally under both providers; the session's
        # reference sandbox has only postgres and jira.
        assert {"OAUTH_ISSUER", "OAUTH_JWKS_URL", "OAUTH_AUDIENCE"} <= set(env)
        assert {k for k in env if not k.startswith("OAUTH_")} == local_names
        client = _client()
        try:
            assert _labelled(client), "no labelled containers while up"
            down = subprocess.run([*cli, "down"], capture_output=True, text=True, timeout=120)
            assert down.returncode == 0, down.stderr
            proc.wait(timeout=60)
            assert _labelled(client) == []
        finally:
            client.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
