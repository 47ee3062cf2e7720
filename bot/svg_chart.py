"""Bar and line charts as SVG text, drawn on the server: no chart service, no script.

Pure functions of their data (the console embeds the result inline or serves
it as `image/svg+xml`). Values are only turned into float for geometry; the
figures printed on the chart are the caller's own labels, so money is never
rounded through a float. Every text is XML-escaped: area and vendor names
come from users.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

Number = Decimal | int | float

# Colour-blind-safe palette (Okabe–Ito), in series order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")


@dataclass(frozen=True, slots=True)
class Series:
    """One named row of values, one per category."""

    name: str
    values: tuple[Number, ...]


@dataclass(frozen=True, slots=True)
class Frame:
    """The chart's size and margins in SVG user units."""

    width: int = 640
    height: int = 300
    left: int = 64
    right: int = 16
    top: int = 36
    bottom: int = 56

    @property
    def plot_width(self) -> float:
        return float(self.width - self.left - self.right)

    @property
    def plot_height(self) -> float:
        return float(self.height - self.top - self.bottom)


def _nice_max(value: float) -> float:
    """A round number at or above `value` for the top of the axis (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1.0
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _label(value: float) -> str:
    """An axis figure, short: 1.5L (lakh), 12k, 300."""
    if value >= 100_000:
        return f"{value / 100_000:g}L"
    if value >= 1_000:
        return f"{value / 1_000:g}k"
    return f"{value:g}"


def _open(frame: Frame, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" '
        f'width="{frame.width}" height="{frame.height}" role="img" '
        f'aria-label={quoteattr(title)} font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text x="{frame.left}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]


def _axes(frame: Frame, top: float, categories: Sequence[str],
          x_of: Callable[[int], float]) -> list[str]:
    out = []
    base = frame.top + frame.plot_height
    for i in range(5):
        value = top * i / 4
        y = base - frame.plot_height * i / 4
        out.append(f'<line x1="{frame.left}" y1="{y:.1f}" x2="{frame.width - frame.right}" '
                   f'y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{frame.left - 6}" y="{y + 4:.1f}" text-anchor="end">'
                   f"{escape(_label(value))}</text>")
    for i, name in enumerate(categories):
        out.append(f'<text x="{x_of(i):.1f}" y="{base + 16:.1f}" text-anchor="middle">'
                   f"{escape(name)}</text>")
    return out


def _legend(frame: Frame, series: Sequence[Series]) -> list[str]:
    out = []
    x = float(frame.left)
    y = frame.height - 14
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        out.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14:.1f}" y="{y:.1f}">{escape(s.name)}</text>')
        x += 24 + 7 * len(s.name)
    return out


def _check(categories: Sequence[str], series: Sequence[Series]) -> None:
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for "
                             f"{len(categories)} categories")


def bar_chart(title: str, categories: Sequence[str], series: Sequence[Series], *,
              stacked: bool = False, frame: Frame | None = None) -> str:
    """Bars per category, one per series side by side (or stacked), with axis and legend."""
    _check(categories, series)
    f = frame or Frame()
    n = max(1, len(categories))
    slot = f.plot_width / n
    if stacked:
        peak = max((sum(max(0.0, float(s.values[i])) for s in series) for i in range(n)
                    if categories), default=0.0)
    else:
        peak = max((float(v) for s in series for v in s.values), default=0.0)
    top = _nice_max(peak)
    base = f.top + f.plot_height

    def centre(i: int) -> float:
        return f.left + slot * (i + 0.5)

    out = _open(f, title) + _axes(f, top, categories, centre)
    width = slot * 0.7 / (1 if stacked else max(1, len(series)))
    for i in range(len(categories)):
        below = 0.0
        for j, s in enumerate(series):
            value = max(0.0, float(s.values[i]))
            h = f.plot_height * value / top
            x = centre(i) - slot * 0.35 + (0 if stacked else j * width)
            y = base - below - h
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
                       f'fill="{PALETTE[j % len(PALETTE)]}"><title>'
                       f"{escape(f'{s.name}, {categories[i]}: {s.values[i]}')}</title></rect>")
            if stacked:
                below += h
    out += _legend(f, series)
    out.append("</svg>")
    return "\n".join(out)


def line_chart(title: str, categories: Sequence[str], series: Sequence[Series], *,
               frame: Frame | None = None) -> str:
    """One line per series over the categories, with a dot per value."""
    _check(categories, series)
    f = frame or Frame()
    n = len(categories)
    step = f.plot_width / max(1, n - 1) if n > 1 else 0.0
    top = _nice_max(max((float(v) for s in series for v in s.values), default=0.0))
    base = f.top + f.plot_height

    def x_of(i: int) -> float:
        return f.left + (step * i if n > 1 else f.plot_width / 2)

    out = _open(f, title) + _axes(f, top, categories, x_of)
    for j, s in enumerate(series):
        colour = PALETTE[j % len(PALETTE)]
        points = [(x_of(i), base - f.plot_height * max(0.0, float(v)) / top)
                  for i, v in enumerate(s.values)]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                       f'stroke-width="2"/>')
        for i, (x, y) in enumerate(points):
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>'
                       f"{escape(f'{s.name}, {categories[i]}: {s.values[i]}')}</title></circle>")
    out += _legend(f, series)
    out.append("</svg>")
    return "\n".join(out)
