"""SLO-01..03: what a soak with chaos in the middle says about a server.

Pure functions over the soak's outcomes and samples (harness/soak/driver.py,
sampler.py) and what the sandbox holds afterwards. Thresholds are generous on
purpose: a short CI soak is noisy, and a leak that matters grows by far more.

* SLO-01 (SHOULD): RSS, open fds or database connections grew beyond a
  threshold between the first and the last quarter of the samples; the WARN
  carries the samples as a chart (rendered inline in report.html).
* SLO-02 (MUST): a call went unanswered within the timeout (during the outage
  too: an error is the right answer there), or a kind of backend call that
  worked before the outage did not succeed again within the recovery bound.
* SLO-03 (MUST): a write the server acknowledged is not in the backend: a key it
  quoted does not exist, or acknowledged writes outnumber what was created.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.checks.registry import check
from harness.findings import Finding, fail, info, warn
from harness.soak.driver import RECOVERY_BOUND_S, Outcome, SoakRun
from harness.soak.figures import growth, latencies, slope
from harness.soak.sampler import Sample

RSS_GROWTH_MB = 40.0
FD_GROWTH = 32
CONNECTION_GROWTH = 10


def _series(samples: Sequence[Sample], field: str) -> list[list[float]]:
    return [[s.at, float(getattr(s, field))] for s in samples if getattr(s, field) is not None]


def chart(samples: Sequence[Sample], run: SoakRun) -> dict[str, Any]:
    """The samples as the `chart` evidence the HTML report draws (harness/soak/chart.py)."""
    return {
        "title": "soak samples (shaded: backend outage)",
        "band": [run.chaos_began, run.chaos_ended],
        "series": {
            "RSS MiB": _series(samples, "rss_mb"),
            "open fds": _series(samples, "fds"),
            "db connections": _series(samples, "db_connections"),
        },
    }


@check("SLO-01")
def resource_growth(samples: Sequence[Sample], run: SoakRun) -> list[Finding]:
    """SLO-01 (SHOULD): nothing the server holds keeps growing over the soak."""
    grown = []
    for field, limit, unit in (
        ("rss_mb", RSS_GROWTH_MB, "MiB RSS"),
        ("fds", FD_GROWTH, "open fds"),
        ("db_connections", CONNECTION_GROWTH, "database connections"),
    ):
        values = [float(getattr(s, field)) for s in samples if getattr(s, field) is not None]
        rise = growth(values)
        if rise > limit:
            grown.append(f"{unit} +{rise:g} (threshold {limit:g})")
    if not grown:
        return []
    return [
        warn(
            "SLO-01",
            f"over {run.answered} calls in {run.seconds:g} s the server kept growing: " + "; ".join(grown),
            {"chart": chart(samples, run)},
        )
    ]


@check("SLO-02")
def outage_and_recovery(run: SoakRun) -> list[Finding]:
    """SLO-02 (MUST): every call answered in time, through the outage; success again soon after it."""
    found = []
    unanswered = [o for o in run.outcomes if o.elapsed is None]
    if unanswered:
        during = sum(1 for o in unanswered if _during(o, run))
        found.append(
            fail(
                "SLO-02",
                f"{len(unanswered)} of {len(run.outcomes)} soak calls got no reply within the timeout "
                f"({during} of them during the backend outage, where an error is the right answer): "
                + ", ".join(sorted({o.label for o in unanswered})[:5]),
            )
        )
    unseen = run.unobserved()
    if unseen:
        found.append(
            info(
                "SLO-02",
                f"recovery not observable for {', '.join(unseen)}: every reply after the outage was "
                "the server's rate limit",
            )
        )
    stuck = run.unrecovered()
    recovery = recovery_seconds(run)
    if stuck or (recovery is not None and recovery > RECOVERY_BOUND_S):
        after = [
            o for o in run.outcomes if o.backend and run.chaos_ended is not None and o.sent >= run.chaos_ended
        ]
        found.append(
            fail(
                "SLO-02",
                f"not recovered within {RECOVERY_BOUND_S:g} s after the backends came back: "
                + (
                    f"{', '.join(stuck)} never succeeded again"
                    if stuck
                    else f"the slowest took {recovery:.2f} s"
                )
                + f" ({len(after)} backend calls after the outage, {sum(o.ok for o in after)} succeeded)",
            )
        )
    return found


def _during(outcome: Outcome, run: SoakRun) -> bool:
    began, ended = run.chaos_began, run.chaos_ended
    return began is not None and ended is not None and began <= outcome.sent <= ended


def recovery_seconds(run: SoakRun) -> float | None:
    """Seconds from the backends' return until every kind of backend call had succeeded again
    (None: some never did, or there was no outage).

    A kind whose calls were refused by the server's rate limit just before its first success (a
    reply that says so) recovered when its last failure for another reason was answered, 0 if none:
    a throttled call never reached the backend, and the limiter's window is not the outage's.
    """
    if run.chaos_ended is None or run.unrecovered():
        return None
    ended = run.chaos_ended
    recovered: dict[str, float] = {}
    failed_until: dict[str, float] = {}
    last_throttled: set[str] = set()
    for o in sorted(run.outcomes, key=lambda o: o.sent):
        if not o.backend or o.sent < ended or o.label in recovered:
            continue
        done = o.sent + (o.elapsed or 0.0) - ended
        if o.ok:
            # throttled just before: the backend was back by the last other failure at the latest
            recovered[o.label] = failed_until.get(o.label, 0.0) if o.label in last_throttled else done
        elif o.throttled:
            last_throttled.add(o.label)
        else:
            failed_until[o.label] = done
            last_throttled.discard(o.label)
    return round(max(recovered.values()), 3) if recovered else None


@check("SLO-03")
def lost_writes(acknowledged: int, missing_keys: Sequence[str], created: int) -> list[Finding]:
    """SLO-03 (MUST): acknowledged writes are all in the backend after the soak."""
    found = []
    if missing_keys:
        found.append(
            fail(
                "SLO-03",
                f"{len(missing_keys)} of the keys the server acknowledged during the soak do not exist in "
                f"the backend: {', '.join(sorted(missing_keys)[:5])}",
            )
        )
    if acknowledged > created:
        found.append(
            fail(
                "SLO-03",
                f"the server acknowledged {acknowledged} writes during the soak, but the backends saw only "
                f"{created} created",
            )
        )
    return found


@check("SLO-01", "SLO-02")
def figures(run: SoakRun, samples: Sequence[Sample]) -> list[Finding]:
    """The soak's figures as an INFO note: rate, latency percentiles per call, slopes, recovery."""
    answered = [o for o in run.outcomes if o.elapsed is not None]
    per_call: dict[str, list[float]] = {}
    for outcome in answered:
        per_call.setdefault(outcome.label, []).append(float(outcome.elapsed or 0.0))
    times = [s.at for s in samples]
    rss = [s.rss_mb for s in samples if s.rss_mb is not None]
    fds = [s.fds for s in samples if s.fds is not None]
    rate = len(answered) / max(run.seconds, 1e-9)
    errors = sum(not o.ok for o in answered)
    throttled = sum(o.throttled for o in answered)
    lines = [
        f"{len(answered)} calls answered in {run.seconds:g} s ({rate:.0f}/s), {errors} errors"
        + (f" ({throttled} of them the server's rate limit)" if throttled else ""),
        *(latency.line() for latency in latencies(per_call)),
    ]
    if len(rss) == len(times) and rss:
        lines.append(f"RSS {rss[0]:.1f} -> {rss[-1]:.1f} MiB (slope {slope(times, rss):+.2f} MiB/s)")
    if len(fds) == len(times) and fds:
        lines.append(f"open fds {fds[0]} -> {fds[-1]} (slope {slope(times, [float(f) for f in fds]):+.2f}/s)")
    recovery = recovery_seconds(run)
    if run.chaos_ended is not None:
        lines.append(f"recovery after the outage: {'none' if recovery is None else f'{recovery:.2f} s'}")
    return [info("SLO-01", "soak figures: " + "; ".join(lines))]
