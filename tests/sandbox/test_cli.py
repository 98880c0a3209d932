"""The CLI: env file format, stale detection, provider choice, and a real up/down."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import psutil
import psycopg
import pytest

from sandbox import cli
from sandbox.sandbox import resolve_provider


def test_env_file_roundtrip_and_mode(tmp_path: Path) -> None:
    path = tmp_path / ".sandbox.env"
    env = {"DATABASE_URL": "postgresql://app:p@127.0.0.1:1/enterprise", "ODD": "a b'c"}
    cli.write_env_file(path, env, os.getpid())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cli.read_env_file(path) == {**env, cli.PID_KEY: str(os.getpid())}


def test_stale_env_file_is_detected(tmp_path: Path, capsys) -> None:
    path = tmp_path / ".sandbox.env"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    cli.write_env_file(path, {"SANDBOX_SEED": "1"}, dead.pid)
    assert cli.main(["--env-file", str(path), "env"]) == 1
    assert "stale" in capsys.readouterr().err
    assert cli.main(["--env-file", str(path), "status"]) == 2
    assert cli.main(["--env-file", str(path), "down"]) == 0
    assert not path.exists()


def test_provider_choice(monkeypatch) -> None:
    monkeypatch.setenv("SANDBOX_PROVIDER", "local")
    assert resolve_provider() == "local"
    assert resolve_provider("auto") in ("local", "docker")
    assert resolve_provider("docker") == "docker"  # taken as given: the engine is looked for at start
    with pytest.raises(ValueError):
        resolve_provider("kubernetes")


@pytest.mark.sandbox
def test_up_env_down(tmp_path: Path) -> None:
    env_file = tmp_path / ".sandbox.env"
    base = [sys.executable, "-m", "sandbox", "--env-file", str(env_file)]
    proc = subprocess.Popen(
        [*base, "up", "--provider", "local"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    try:
        deadline = time.monotonic() + 60
        while not env_file.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert env_file.exists(), proc.stderr.read() if proc.poll() is not None else "timeout"
        out = subprocess.run([*base, "env"], capture_output=True, text=True, timeout=30, check=True).stdout
        env = dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines())
        with psycopg.connect(env["DATABASE_URL"].strip("'"), connect_timeout=5) as conn:
            assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] > 0
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children
        status = subprocess.run([*base, "status"], capture_output=True, text=True, timeout=30)
        assert status.returncode == 0 and status.stdout.startswith("up")
        subprocess.run([*base, "down"], check=True, timeout=60, capture_output=True)
        assert proc.wait(timeout=30) == 0
        assert not env_file.exists()
        _, alive = psutil.wait_procs(children, timeout=5)
        assert not alive
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
