"""The HTML report renders in a real browser (headless Chromium) with its rule table."""

from __future__ import annotations

import re

import pytest

from tests.report_screenshot import chromium, rendered_dom, screenshot
from tests.suite_runner import run_suites, spec_server_cmd

pytestmark = pytest.mark.skipif(
    chromium() is None,
    reason="Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)",
)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    run = run_suites(out, server_cmd=spec_server_cmd("RPC-05-answer-notifications"), version="2025-11-25")
    assert run.returncode == 1, run.output
    return out


def test_html_renders_rule_table_with_the_failure(report_dir):
    dom = rendered_dom(report_dir / "report.html")
    assert '<table id="rules">' in dom
    rows = re.findall(r'<tr id="([A-Z0-9-]+)">', dom)
    assert "RPC-05" in rows and len(rows) > 20
    assert "mcp-harness replay failures/RPC-05-1.jsonl" in dom
    assert "http://" not in dom.split("<body>")[0].replace("http://www.w3.org", "")  # no external assets


def test_html_screenshot_is_a_real_picture(report_dir):
    png = screenshot(report_dir / "report.html", report_dir / "report.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a rendered page, not a blank image
