"""A small inline SVG of the soak's samples, for the HTML report (no script, no external asset).

One panel per series (RSS, open fds, database connections: different units, so
never one axis), the chaos window shaded, the first and last value written
beside the line. Input is the finding's `chart` evidence, plain JSON, so the
report can be rendered again from report.json alone.
"""

from __future__ import annotations

from html import escape
from typing import Any

WIDTH, HEIGHT, PAD = 240, 70, 4


def svg_chart(chart: dict[str, Any]) -> str:
    """Panels for each series in `chart["series"]` ({name: [[t, value], ...]}); "" when empty."""
    series = {k: v for k, v in (chart.get("series") or {}).items() if isinstance(v, list) and len(v) >= 2}
    if not series:
        return ""
    band = chart.get("band") if isinstance(chart.get("band"), list) else None
    panels = [_panel(name, points, band) for name, points in series.items()]
    title = escape(str(chart.get("title", "")))
    return f'<div class="soak-chart"><div>{title}</div>{"".join(panels)}</div>'


def _panel(name: str, points: list[list[float]], band: list[float] | None) -> str:
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    x0, x1 = min(xs), max(xs) or 1.0
    y0, y1 = min(ys), max(ys)
    span_x = (x1 - x0) or 1.0
    span_y = (y1 - y0) or 1.0

    def sx(x: float) -> float:
        return PAD + (x - x0) / span_x * (WIDTH - 2 * PAD)

    def sy(y: float) -> float:
        return HEIGHT - PAD - (y - y0) / span_y * (HEIGHT - 2 * PAD)

    line = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys, strict=True))
    shade = ""
    if band and len(band) == 2 and band[0] is not None and band[1] is not None:
        left, right = sx(max(x0, float(band[0]))), sx(min(x1, float(band[1])))
        width = max(0.0, right - left)
        shade = f'<rect x="{left:.1f}" y="0" width="{width:.1f}" height="{HEIGHT}" fill="#fde68a"/>'
    label = escape(f"{name}: {ys[0]:.4g} -> {ys[-1]:.4g}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT + 14}" '
        f'role="img" aria-label="{label}" style="margin-right:8px">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff" stroke="#e5e7eb"/>{shade}'
        f'<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="{line}"/>'
        f'<text x="2" y="{HEIGHT + 12}" font-size="11">{label}</text></svg>'
    )
