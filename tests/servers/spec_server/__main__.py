"""Entry point for `python tests/servers/spec_server ...` from any working directory.

Python puts this directory first on sys.path when it runs it; we replace it by the
parent directory and import the package. Keeping our own directory on sys.path would
let `http.py` shadow the standard library's `http` package, which uvicorn, starlette
and httpx import.
"""

import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.dirname(_here))

from spec_server.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
