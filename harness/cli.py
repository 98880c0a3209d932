"""`mcp-harness`: run the bundled suites, print the coverage table, replay a failure.

    mcp-harness run --server-cmd "python server.py" --report out/
    mcp-harness run --server-url http://127.0.0.1:8000/mcp --mcp-header "Authorization: Bearer ..."
    mcp-harness rules [--json]
    mcp-harness replay out/failures/RPC-05-1.jsonl [--server-cmd ...]
    mcp-harness run ... --shard 2/3 --report out/shard-2   (then: mcp-harness merge out/shard-* --report out/)
    mcp-harness diff old/report.json new/report.json       (exit 1 on a regression)
    mcp-harness sweep servers.yaml --report out/sweep/

Exit codes: 0 no MUST rule failed, 1 one did, 2 the run could not be made.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_FAIL, EXIT_NOT_RUN = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_NOT_RUN
    return int(args.func(args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mcp-harness", description="MCP server conformance harness")
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="run the conformance suites against a server")
    _server_options(run)
    run.add_argument(
        "--report", metavar="DIR", default="out", help="where to write the report (default: out)"
    )
    run.add_argument("--baseline", metavar="FILE", help="expected failures (YAML or JSON list of rule ids)")
    run.add_argument("--protocol-version", default="latest", help="exact version, latest or all")
    run.add_argument("--strict", action="store_true", help="grade ambiguous rules strictly")
    run.add_argument(
        "--every-version",
        action="store_true",
        help="with --protocol-version all: run version-independent tests at every version too "
        "(default: once per era, at its newest version)",
    )
    run.add_argument(
        "--call-tools", action="store_true", help="call tools with valid arguments (side effects!)"
    )
    run.add_argument(
        "--sandbox",
        nargs="?",
        const="auto",
        metavar="PROVIDER",
        help="start the sandbox (local|docker|auto), give its env to the server, watch every write",
    )
    run.add_argument("--mcp-auth", action="store_true", help="the server is protected (OAuth): AUTH suite")
    run.add_argument(
        "--persona", metavar="FILE.yaml", help="how the harness answers elicitation, sampling and roots"
    )
    run.add_argument(
        "--http-url",
        metavar="URL",
        help="also run over Streamable HTTP at URL (the --server-cmd run is stdio): one report, "
        "a column per transport and version",
    )
    run.add_argument("--http-cmd", metavar="CMD", help="with --http-url: the command serving it ({port})")
    run.add_argument("-k", dest="keyword", help="only tests matching this pytest -k expression")
    run.add_argument("-n", dest="workers", help="parallel workers (pytest-xdist), e.g. auto")
    run.add_argument("--shard", metavar="I/N", help="run only shard I of N of the tests (see merge)")
    run.add_argument("pytest_args", nargs="*", help="extra arguments passed to pytest after --")
    run.set_defaults(func=cmd_run)

    rules = sub.add_parser("rules", help="print the coverage table: rule, level, versions, checks, fixtures")
    rules.add_argument("--json", action="store_true", help="machine-readable output")
    rules.add_argument("--all", action="store_true", help="list every rule, not only the testable ones")
    rules.set_defaults(func=cmd_rules)

    replay = sub.add_parser("replay", help="re-run the test behind a failure file and show its verdict")
    replay.add_argument("file", help="a failures/*.jsonl file from a report")
    _server_options(replay, required=False)
    replay.set_defaults(func=cmd_replay)

    merge = sub.add_parser("merge", help="merge report.json files (e.g. shards) into one report")
    merge.add_argument("inputs", nargs="+", metavar="DIR_OR_JSON", help="report folders or report.json files")
    merge.add_argument("--report", metavar="DIR", required=True, help="where to write the merged report")
    merge.set_defaults(func=cmd_merge)

    diff = sub.add_parser("diff", help="compare two reports per rule and version (exit 1 on a regression)")
    diff.add_argument("old", metavar="OLD", help="the earlier (or direct) report.json or its folder")
    diff.add_argument("new", metavar="NEW", help="the later (or proxied) report.json or its folder")
    diff.add_argument("--markdown", metavar="FILE", help="also write the diff as Markdown")
    diff.add_argument("--json", metavar="FILE", dest="json_out", help="also write the diff as JSON")
    diff.set_defaults(func=cmd_diff)

    sweep = sub.add_parser("sweep", help="run the suites against every server of a YAML file")
    sweep.add_argument(
        "servers", metavar="SERVERS_YAML", help="servers: [{name, server-cmd|server-url, args}]"
    )
    sweep.add_argument("--report", metavar="DIR", default="out/sweep", help="default: out/sweep")
    sweep.add_argument("--shard", metavar="I/N", help="run only every N-th server, starting at the I-th")
    sweep.add_argument(
        "--summary-only", action="store_true", help="rebuild sweep.md/json from the reports in --report"
    )
    sweep.set_defaults(func=cmd_sweep)
    return parser


def _server_options(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--server-cmd", help="command starting the server (stdio)")
    parser.add_argument("--server-url", help="Streamable HTTP endpoint")
    parser.add_argument("--server-env", action="append", default=[], metavar="K=V")
    parser.add_argument("--server-cwd")
    parser.add_argument("--mcp-header", action="append", default=[], metavar="'Name: value'")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per response (default 10)")
    parser.set_defaults(server_required=required)


def _server_args(args: argparse.Namespace) -> list[str]:
    out: list[str] = []
    if args.server_cmd:
        out += ["--server-cmd", args.server_cmd]
    if args.server_url:
        out += ["--server-url", args.server_url]
    for item in args.server_env:
        out += ["--server-env", item]
    if args.server_cwd:
        out += ["--server-cwd", args.server_cwd]
    for item in args.mcp_header:
        out += ["--mcp-header", item]
    out += ["--mcp-timeout", str(args.timeout)]
    return out


def _pytest(argv: list[str]) -> int:
    import pytest

    code = int(pytest.main(argv))
    if code in (EXIT_OK, EXIT_FAIL, EXIT_NOT_RUN):
        return code
    return EXIT_NOT_RUN  # interrupted, internal error, usage error, no tests collected


def cmd_run(args: argparse.Namespace) -> int:
    if not args.server_cmd and not args.server_url:
        print("mcp-harness run: give --server-cmd CMD or --server-url URL", file=sys.stderr)
        return EXIT_NOT_RUN
    if args.http_url:
        from harness.transports_run import run_both

        return run_both(args)
    from harness.rules.coverage import suites_dir

    argv = [str(suites_dir()), "-q", "-p", "no:cacheprovider", "-o", "junit_family=xunit1"]
    argv += ["-p", "no:faker", "-p", "no:anyio"]  # plugins of our dependencies: ~0.3 s of start-up, unused
    argv += _server_args(args)
    argv += ["--mcp-report", args.report, "--protocol-version", args.protocol_version]
    if args.baseline:
        argv += ["--mcp-baseline", args.baseline]
    if args.strict:
        argv.append("--mcp-strict")
    if args.every_version:
        argv.append("--mcp-every-version")
    if args.call_tools:
        argv.append("--mcp-call-tools")
    if args.sandbox:
        argv += ["--sandbox", args.sandbox]
    if args.mcp_auth:
        argv.append("--mcp-auth")
    if args.persona:
        argv += ["--persona", args.persona]
    if args.keyword:
        argv += ["-k", args.keyword]
    if args.workers:
        argv += ["-n", args.workers]
    if args.shard:
        argv += ["--mcp-shard", args.shard]
    argv += args.pytest_args
    return _pytest(argv)


def _load_report(path_text: str) -> dict:
    """A report.json, given itself or the folder holding it."""
    path = Path(path_text)
    if path.is_dir():
        path = path / "report.json"
    return json.loads(path.read_text(encoding="utf-8"))


def cmd_merge(args: argparse.Namespace) -> int:
    from harness.report.merge import MergeError, merge_reports
    from harness.report.write import write_all

    try:
        report = merge_reports([_load_report(p) for p in args.inputs])
    except (OSError, ValueError) as exc:  # MergeError is a ValueError, and so is bad JSON
        kind = "cannot merge" if isinstance(exc, MergeError) else "unreadable report"
        print(f"mcp-harness merge: {kind}: {exc}", file=sys.stderr)
        return EXIT_NOT_RUN
    write_all(Path(args.report), report, [])
    from harness.report.console import summary_lines

    for line in summary_lines(report, args.report):
        print(line)
    return int(report["gate"]["exit_code"])


def cmd_diff(args: argparse.Namespace) -> int:
    from harness.report.diff import diff_reports, render_console, render_markdown

    try:
        old, new = _load_report(args.old), _load_report(args.new)
    except (OSError, ValueError) as exc:
        print(f"mcp-harness diff: unreadable report: {exc}", file=sys.stderr)
        return EXIT_NOT_RUN
    result = diff_reports(old, new)
    for line in render_console(result):
        print(line)
    if args.markdown:
        Path(args.markdown).write_text(render_markdown(result, args.old, args.new), encoding="utf-8")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result.as_json(), indent=2), encoding="utf-8")
    return result.exit_code


def cmd_sweep(args: argparse.Namespace) -> int:
    from harness import sweep
    from harness.shard import parse_shard

    try:
        entries = sweep.load_entries(Path(args.servers))
        shard = parse_shard(args.shard) if args.shard else None
    except (OSError, ValueError) as exc:
        print(f"mcp-harness sweep: {exc}", file=sys.stderr)
        return EXIT_NOT_RUN
    out = Path(args.report)
    outcomes = sweep.summarize(entries, out) if args.summary_only else sweep.run_sweep(entries, out, shard)
    sweep.write_summary(outcomes, out)
    print(sweep.render_markdown(outcomes))
    return sweep.exit_code(outcomes)


def cmd_rules(args: argparse.Namespace) -> int:
    from harness.rules.coverage import coverage_rows, summary

    rows = coverage_rows()
    stats = summary(rows)
    if args.json:
        print(
            json.dumps(
                {"summary": stats, "rules": [dict(r.__dict__, status=r.status) for r in rows]}, indent=2
            )
        )
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table

    table = Table(title="mcp-harness rule coverage", show_lines=False)
    for column in ("rule", "level", "versions", "status", "tests", "checks", "fault fixtures"):
        table.add_column(column, overflow="fold")
    for row in rows:
        if not args.all and not row.testable and not row.tests:
            continue
        table.add_row(
            row.id,
            row.level,
            row.versions,
            row.status if row.status != "not testable" else f"not testable: {row.reason}",
            "\n".join(row.tests[:3]) + (f"\n(+{len(row.tests) - 3})" if len(row.tests) > 3 else ""),
            "\n".join(row.checks[:3]) + (f"\n(+{len(row.checks) - 3})" if len(row.checks) > 3 else ""),
            "\n".join(row.faults[:3]) + (f"\n(+{len(row.faults) - 3})" if len(row.faults) > 3 else ""),
        )
    console = Console(width=200)
    console.print(table)
    console.print(
        f"MUST rules testable from outside: {stats['must_testable']}, proven by a fault fixture: "
        f"{stats['must_proven']} ({stats['must_proven_pct']}%); "
        f"all rules proven: {stats['proven']}/{stats['rules']}"
    )
    return EXIT_OK


def cmd_replay(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        header = json.loads(path.read_text(encoding="utf-8").splitlines()[0])["header"]
    except (OSError, ValueError, KeyError, IndexError) as exc:
        print(f"mcp-harness replay: {path} is not a failure file: {exc}", file=sys.stderr)
        return EXIT_NOT_RUN
    server = header.get("server") or {}
    if not args.server_cmd and not args.server_url:
        args.server_cmd, args.server_url = server.get("command"), server.get("url")
    if not args.server_cmd and not args.server_url:
        print("mcp-harness replay: no server in the file; give --server-cmd or --server-url", file=sys.stderr)
        return EXIT_NOT_RUN
    from harness.property.replay import replay

    return replay(header, path, _server_args(args))


if __name__ == "__main__":
    sys.exit(main())
