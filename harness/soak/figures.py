"""Numbers from a soak: latency percentiles per method, growth and slopes, recovery time.

Pure functions over plain lists, so the checks (harness/checks/slo.py), the
suite and bench/bench_soak.py compute them the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear between the closest ranks; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of ys over xs (0 with fewer than two distinct xs)."""
    n = len(xs)
    if n < 2:
        return 0.0
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    var = sum((x - mean_x) ** 2 for x in xs)
    if var == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var


def growth(values: Sequence[float]) -> float:
    """How much a sampled series rose: median of its last quarter minus median of its first.

    Medians of quarters, not first and last samples: one spike (a GC pause, a
    burst of connections during the outage) is not growth.
    """
    if len(values) < 4:
        return 0.0
    quarter = max(1, len(values) // 4)
    return percentile(values[-quarter:], 50) - percentile(values[:quarter], 50)


@dataclass(frozen=True)
class Latency:
    method: str
    count: int
    p50: float
    p95: float
    p99: float

    def line(self) -> str:
        return (
            f"{self.method}: {self.count} calls, p50 {self.p50 * 1000:.1f} ms, p95 {self.p95 * 1000:.1f} ms, "
            f"p99 {self.p99 * 1000:.1f} ms"
        )


def latencies(samples: dict[str, list[float]]) -> list[Latency]:
    """Per method: the count and the p50/p95/p99 of its latencies (seconds)."""
    return [
        Latency(method, len(values), percentile(values, 50), percentile(values, 95), percentile(values, 99))
        for method, values in sorted(samples.items())
    ]
