"""The benchmark chart of one cell over time: the published p10 to p90 and p25 to p75 bands and the median
per period, with the firm's own figure drawn over them; a withheld or embargoed figure leaves a gap.

One geometry (`layout`) is drawn two ways: as SVG (`svg`, inline in the page and as a download; no
script, no style element, so it passes the hub's Content-Security-Policy) and as PNG (`png`, Pillow).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 800, 360
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 78, 16, 34, 42
OUTER, INNER, MEDIAN, OWN, INK, GRID = "#cfe0ee", "#8fb8d8", "#1f5f8b", "#b3261e", "#1d2430", "#d8dde4"

Point = tuple[float, float]


@dataclass(frozen=True)
class ChartPeriod:
    """One period's published quantiles (None: withheld, embargoed or no data) and the own figure."""

    period: str
    p10: float | None = None
    p25: float | None = None
    median: float | None = None
    p75: float | None = None
    p90: float | None = None
    own: float | None = None


@dataclass
class Geometry:
    """Everything drawn, in pixels: bands as polygons, lines as runs of points (a gap between runs)."""

    width: int = WIDTH
    height: int = HEIGHT
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    outer: list[list[Point]] = field(default_factory=list)
    inner: list[list[Point]] = field(default_factory=list)
    median: list[list[Point]] = field(default_factory=list)
    own: list[list[Point]] = field(default_factory=list)
    empty: bool = True

    @property
    def plot(self) -> tuple[float, float, float, float]:
        return (MARGIN_LEFT, MARGIN_TOP, self.width - MARGIN_RIGHT, self.height - MARGIN_BOTTOM)


def _step(span: float) -> float:
    raw = span / 5 if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _tick_text(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{value:,.{decimals}f}"


def _runs(xs: Sequence[float], values: Sequence[float | None]) -> list[list[tuple[float, float]]]:
    """Consecutive periods with a value, as runs of (x, value)."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for x, value in zip(xs, values, strict=True):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((x, value))
    if current:
        runs.append(current)
    return runs


def _band(
    xs: Sequence[float],
    low: Sequence[float | None],
    high: Sequence[float | None],
    half: float,
    y: Callable[[float], float],
) -> list[list[Point]]:
    """A polygon per run of consecutive periods with both bounds published (a period alone: a bar)."""
    polygons = []
    run: list[tuple[float, float, float]] = []
    for index in range(len(xs) + 1):
        if index < len(xs):
            lower, upper = low[index], high[index]
            if lower is not None and upper is not None:
                run.append((xs[index], y(lower), y(upper)))
                continue
        if len(run) == 1:
            x, bottom, top = run[0]
            run = [(x - half, bottom, top), (x + half, bottom, top)]
        if run:
            polygons.append([(x, top) for x, _b, top in run] + [(x, bottom) for x, bottom, _t in run[::-1]])
        run = []
    return polygons


def layout(periods: Sequence[ChartPeriod], *, width: int = WIDTH, height: int = HEIGHT) -> Geometry:
    """Where everything goes for `periods` (oldest first)."""
    geometry = Geometry(width=width, height=height)
    values = [
        v
        for p in periods
        for v in (p.p10, p.p25, p.median, p.p75, p.p90, p.own)
        if v is not None and math.isfinite(v)
    ]
    left, top, right, bottom = geometry.plot
    slot = (right - left) / max(len(periods), 1)
    xs = [left + (index + 0.5) * slot for index in range(len(periods))]
    every = max(1, math.ceil(len(periods) / 8))
    geometry.x_labels = [
        (x, p.period) for i, (x, p) in enumerate(zip(xs, periods, strict=True)) if i % every == 0
    ]
    if not values:
        return geometry
    geometry.empty = False
    low, high = min(values), max(values)
    step = _step(high - low)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    if last == first:
        first, last = first - step, last + step
    span = last - first

    def y(value: float) -> float:
        return bottom - (value - first) / span * (bottom - top)

    ticks = round(span / step)
    geometry.y_ticks = [(y(first + i * step), _tick_text(first + i * step, step)) for i in range(ticks + 1)]
    half = slot * 0.3
    geometry.outer = _band(xs, [p.p10 for p in periods], [p.p90 for p in periods], half, y)
    geometry.inner = _band(xs, [p.p25 for p in periods], [p.p75 for p in periods], half, y)
    geometry.median = [[(x, y(v)) for x, v in run] for run in _runs(xs, [p.median for p in periods])]
    geometry.own = [[(x, y(v)) for x, v in run] for run in _runs(xs, [p.own for p in periods])]
    return geometry


def _points(points: Sequence[Point]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _legend(labels: Sequence[str]) -> list[tuple[str, str, float]]:
    """(colour, label, x) for the legend above the plot."""
    colours = (OUTER, INNER, MEDIAN, OWN)
    found, x = [], float(MARGIN_LEFT)
    for colour, label in zip(colours, labels, strict=False):
        if label:
            found.append((colour, label, x))
            x += 34 + 7.5 * len(label)
    return found


def svg(geometry: Geometry, *, title: str, legend: Sequence[str], standalone: bool = False) -> str:
    """The chart as SVG: presentation attributes only (no style element or attribute, no script).
    `legend` names the outer band, the inner band, the median and the own figure (empty: left out)."""
    left, _top, right, bottom = geometry.plot
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else "",
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {geometry.width} {geometry.height}" '
        f'width="{geometry.width}" height="{geometry.height}" role="img" aria-label={quoteattr(title)} '
        'class="chart" font-family="DejaVu Sans, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{geometry.width}" height="{geometry.height}" fill="#fff"/>',
    ]
    for y, text in geometry.y_ticks:
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{escape(text)}</text>'
        )
    for x, text in geometry.x_labels:
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle" fill="{INK}">{escape(text)}</text>'
        )
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{INK}"/>')
    for polygons, colour in ((geometry.outer, OUTER), (geometry.inner, INNER)):
        parts.extend(f'<polygon points="{_points(p)}" fill="{colour}"/>' for p in polygons)
    for runs, colour, width in ((geometry.median, MEDIAN, 2.5), (geometry.own, OWN, 2)):
        for run in runs:
            if len(run) > 1:
                line = f'points="{_points(run)}" fill="none" stroke="{colour}" stroke-width="{width}"'
                parts.append(f"<polyline {line}/>")
            parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>' for x, y in run)
    for colour, label, x in _legend(legend):
        parts.append(f'<rect x="{x:.1f}" y="10" width="24" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 30:.1f}" y="20.5" fill="{INK}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


@lru_cache(maxsize=1)
def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans where it is installed, else Pillow's own font (which has ASCII only)."""
    for name in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, 12)
        except OSError:
            continue
    return ImageFont.load_default()


PNG_LEGEND = ("p10-p90", "p25-p75", "median", "own")


def png(geometry: Geometry, *, legend: Sequence[str] = PNG_LEGEND) -> bytes:
    """The chart as PNG. Its text is numbers, periods and ASCII codes only (`PNG_LEGEND`: p25, median,
    own), never translated words: the PNG is drawn with whatever font the server has, and Pillow's
    fallback font has no Cyrillic or Chinese letters."""
    image = Image.new("RGB", (geometry.width, geometry.height), "#ffffff")
    draw = ImageDraw.Draw(image)
    font = _font()
    left, _top, right, bottom = geometry.plot
    for y, text in geometry.y_ticks:
        draw.line([(left, y), (right, y)], fill=GRID)
        draw.text((left - 6, y), text, fill=INK, font=font, anchor="rm")
    for x, text in geometry.x_labels:
        draw.text((x, bottom + 12), text, fill=INK, font=font, anchor="mm")
    draw.line([(left, bottom), (right, bottom)], fill=INK)
    for polygons, colour in ((geometry.outer, OUTER), (geometry.inner, INNER)):
        for polygon in polygons:
            draw.polygon(polygon, fill=colour)
    for runs, colour, width in ((geometry.median, MEDIAN, 3), (geometry.own, OWN, 2)):
        for run in runs:
            if len(run) > 1:
                draw.line(run, fill=colour, width=width, joint="curve")
            for x, y in run:
                draw.ellipse([(x - 3.5, y - 3.5), (x + 3.5, y + 3.5)], fill=colour)
    for colour, label, x in _legend(legend):
        draw.rectangle([(x, 10), (x + 24, 22)], fill=colour)
        draw.text((x + 30, 16), label, fill=INK, font=font, anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
