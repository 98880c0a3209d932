"""Start-up cost: collecting the suites imports no backend, HTTP or token stack.

`mcp-harness run` and `pytest suites/` should start in about a second (issue 14), and
every end-to-end proof pays collection again. PostgreSQL's driver, Faker, httpx, PyJWT
and the ASGI stack cost 0.2-0.7 s each to import; a suite needs them only when its test
runs with a sandbox or over HTTP, so it imports them there.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("psycopg", "faker", "httpx", "jwt", "starlette", "uvicorn", "cryptography")
SERVER = f"{sys.executable} {REPO / 'tests' / 'servers' / 'spec_server'}"


def test_collecting_the_suites_imports_no_heavy_stack() -> None:
    args = ["suites", "--collect-only", "-q", "-p", "no:cacheprovider", "--server-cmd", SERVER]
    probe = (
        "import sys, pytest\n"
        f"code = pytest.main({args!r})\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout[-500:]
