"""SLO-01..03 and the soak's figures on hand-made runs and samples."""

from __future__ import annotations

from harness.checks.slo import figures, lost_writes, outage_and_recovery, recovery_seconds, resource_growth
from harness.soak.chart import svg_chart
from harness.soak.driver import Outcome, SoakRun, throttle_reply
from harness.soak.figures import growth, percentile, slope
from harness.soak.sampler import Sample
from tests.unit.builders import verdict


def samples(rss: list[float], fds: list[int]) -> list[Sample]:
    return [Sample(float(i), i * 10, r, f, 3) for i, (r, f) in enumerate(zip(rss, fds, strict=True))]


def outcome(label: str, sent: float, ok: bool = True, elapsed: float | None = 0.01) -> Outcome:
    return Outcome(label, sent, elapsed, ok, write=False, backend=True)


def test_figures_are_plain_statistics() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5 and percentile([], 99) == 0.0
    assert slope([0, 1, 2], [1, 3, 5]) == 2.0 and slope([1], [1]) == 0.0
    assert growth([10, 10, 11, 10, 30, 31, 30, 32]) == 21.0  # quarter medians, not the extremes
    assert growth([10, 10, 80, 10, 10, 10, 10, 10]) == 0.0  # one spike is not growth


def test_slo01_warns_on_growth_with_a_chart() -> None:
    run = SoakRun(seconds=5.0, chaos_began=1.0, chaos_ended=2.0)
    assert resource_growth(samples([80] * 8, [10] * 8), run) == []
    found = resource_growth(
        samples([80, 80, 90, 100, 120, 140, 160, 180], [10, 12, 20, 40, 60, 80, 90, 99]), run
    )
    assert verdict(found) == [("SLO-01", "warn")]
    assert "MiB RSS" in found[0].message and "open fds" in found[0].message
    chart = found[0].evidence[0]["chart"]
    assert chart["band"] == [1.0, 2.0] and len(chart["series"]["open fds"]) == 8
    assert svg_chart(chart).count("<svg") == 3


def test_slo02_unanswered_or_not_recovered_fails() -> None:
    healthy = SoakRun(
        outcomes=[outcome("read", 0.5), outcome("read", 1.5, ok=False), outcome("read", 2.2)],
        seconds=3.0,
        chaos_began=1.0,
        chaos_ended=2.0,
    )
    assert outage_and_recovery(healthy) == [] and recovery_seconds(healthy) == 0.21
    hung = SoakRun(
        outcomes=[*healthy.outcomes, outcome("read", 1.2, elapsed=None)], chaos_began=1.0, chaos_ended=2.0
    )
    assert verdict(outage_and_recovery(hung)) == [("SLO-02", "fail")]
    stuck = SoakRun(
        outcomes=[
            outcome("kb", 0.5),
            outcome("read", 0.5),
            outcome("read", 2.5),
            outcome("kb", 2.5, ok=False),
        ],
        chaos_began=1.0,
        chaos_ended=2.0,
    )
    found = outage_and_recovery(stuck)
    assert verdict(found) == [("SLO-02", "fail")] and "kb never succeeded again" in found[0].message


def test_slo02_rate_limited_calls_are_not_an_unrecovered_backend() -> None:
    """A server's rate limit after the outage (replies that say so) is its policy, not the backend."""

    def throttled(sent: float) -> Outcome:
        return Outcome("read", sent, 0.01, False, write=False, backend=True, throttled=True)

    run = SoakRun(
        outcomes=[outcome("read", 0.5), outcome("read", 2.5, ok=False), throttled(3.0), outcome("read", 7.5)],
        chaos_began=1.0,
        chaos_ended=2.0,
    )
    assert recovery_seconds(run) == 0.51 and outage_and_recovery(run) == []
    # a failure for another reason right before the success: recovered only with that success
    failing = SoakRun(
        outcomes=[*run.outcomes[:3], outcome("read", 7.0, ok=False), outcome("read", 7.5)],
        chaos_began=1.0,
        chaos_ended=2.0,
    )
    assert recovery_seconds(failing) == 5.51 and verdict(outage_and_recovery(failing)) == [("SLO-02", "fail")]


def test_slo02_a_kind_only_throttled_after_the_outage_is_unobserved_not_stuck() -> None:
    def throttled(sent: float) -> Outcome:
        return Outcome("orders", sent, 0.01, False, write=False, backend=True, throttled=True)

    run = SoakRun(
        outcomes=[outcome("orders", 0.5), outcome("read", 0.5), outcome("read", 2.5), throttled(2.6)],
        chaos_began=1.0,
        chaos_ended=2.0,
    )
    assert run.unrecovered() == [] and run.unobserved() == ["orders"]
    found = outage_and_recovery(run)
    assert verdict(found) == [("SLO-02", "info")] and "not observable for orders" in found[0].message
    # one reply for another reason (the backend still failing) makes it judged again
    failing = SoakRun(
        outcomes=[*run.outcomes, outcome("orders", 3.0, ok=False)], chaos_began=1.0, chaos_ended=2.0
    )
    assert failing.unrecovered() == ["orders"]
    assert verdict(outage_and_recovery(failing)) == [("SLO-02", "fail")]


def test_slo02_throttle_replies_are_recognised() -> None:
    assert throttle_reply({"isError": True, "content": [{"type": "text", "text": "rate limit reached"}]})
    assert throttle_reply({"code": -32000, "message": "Too Many Requests"})
    assert not throttle_reply({"isError": True, "content": [{"type": "text", "text": "database down"}]})
    assert not throttle_reply(None)


def test_slo03_missing_keys_and_more_acks_than_creations() -> None:
    assert lost_writes(3, [], 3) == []
    assert verdict(lost_writes(3, ["SUP-9001"], 3)) == [("SLO-03", "fail")]
    assert verdict(lost_writes(4, [], 3)) == [("SLO-03", "fail")]


def test_figures_note_is_info() -> None:
    run = SoakRun(outcomes=[outcome("read", 0.1), outcome("read", 0.2)], seconds=1.0)
    found = figures(run, samples([80, 81], [10, 10]))
    assert verdict(found) == [("SLO-01", "info")] and "p99" in found[0].message
