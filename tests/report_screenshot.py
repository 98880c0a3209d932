"""Render report.html in headless Chromium: a PNG for people, the DOM for tests.

Uses Debian's `chromium` (no browser download); flags keep it off the network.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    browser = chromium()
    if browser is None:
        raise FileNotFoundError("Debian's chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="mcp-chromium-") as profile:
        return subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            start_new_session=True,
        )


def screenshot(html: Path, png: Path, width: int = 1400, height: int = 2200, timeout: float = 60) -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    _run(
        [f"--screenshot={png.resolve()}", f"--window-size={width},{height}", html.resolve().as_uri()], timeout
    )
    if not png.exists():
        raise RuntimeError(f"chromium wrote no screenshot for {html}")
    return png


def rendered_dom(html: Path, timeout: float = 60) -> str:
    return _run(["--dump-dom", html.resolve().as_uri()], timeout).stdout


def main() -> int:
    import sys

    html = Path(sys.argv[1] if len(sys.argv) > 1 else "out/report.html")
    png = Path(sys.argv[2] if len(sys.argv) > 2 else html.with_suffix(".png"))
    print(screenshot(html, png))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
