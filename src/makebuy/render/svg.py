"""Charts as inline SVG: no scripts, no fonts or images from elsewhere, same bytes every run.

These helpers only lay out figures that earlier stages computed: they map values to
pixels and choose tick marks; they never derive a cost, a score or a volume. Every piece
of text is escaped, so option names from a catalog cannot inject markup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Okabe-Ito: distinguishable with the common colour-vision deficiencies and in greyscale.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#6E6E6E",
    "#000000",
)
DASHES: tuple[str, ...] = ("", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3")

WIDTH = 860
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""


@dataclass(frozen=True)
class Line:
    """One series of a line chart: a label and (x, y) points in data units."""

    label: str
    points: Sequence[tuple[float, float]]
    colour: str | None = None
    dash: str | None = None

    def style(self, i: int) -> tuple[str, str]:
        """Its own colour and dash, else the i-th of the palette."""
        colour = self.colour or PALETTE[i % len(PALETTE)]
        dash = self.dash if self.dash is not None else DASHES[i % len(DASHES)]
        return colour, dash


@dataclass(frozen=True)
class Marker:
    """A vertical rule at `x` with a label (e.g. the break-even volume)."""

    x: float
    label: str


@dataclass(frozen=True)
class Bar:
    """One row of a stacked bar chart: segments in the order of the chart's legend."""

    label: str
    segments: Sequence[float]
    total_label: str


def _f(value: float) -> str:
    """Coordinates with one decimal: stable text and small files."""
    text = f"{value:.1f}"
    return "0" if text == "-0.0" else text.removesuffix(".0")


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2, 2.5 or 5 times a power of 10."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw)
    first = math.floor(low / step)
    last = math.ceil(high / step)
    if last * step < high:  # float division can land a hair short
        last += 1
    return [round(k * step, 10) for k in range(first, max(last, first + 1) + 1)]


def log_ticks(low: float, high: float) -> list[float]:
    """Powers of ten covering [low, high], for volumes that span orders of magnitude."""
    first = math.floor(math.log10(low))
    first -= 1 if 10.0**first > low else 0  # log10 rounds near powers of ten
    last = math.ceil(math.log10(high))
    last += 1 if 10.0**last < high else 0
    return [10.0**e for e in range(first, last + 1)]


def _legend(
    labels: Sequence[str], top: float, swatch: Callable[[int, float, float], str]
) -> tuple[str, float]:
    """Legend entries in as many columns as the longest label allows; returns its height."""
    if not labels:
        return "", 0.0
    column_w = min(WIDTH - 12.0, 44.0 + 7.2 * max(len(label) for label in labels))
    columns = max(1, min(4, int((WIDTH - 12) // column_w)))
    rows = []
    for i, label in enumerate(labels):
        x = 12 + (i % columns) * (WIDTH - 12) / columns
        y = top + (i // columns) * 18
        rows.append(
            f"{swatch(i, x, y)}"
            f'<text x="{_f(x + 28)}" y="{_f(y + 4)}" font-size="13" fill="#222">'
            f"{escape(label)}</text>"
        )
    height = 18.0 * math.ceil(len(labels) / columns)
    return "".join(rows), height


def _frame(height: float, title: str, body: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_f(height)}"'
        f' width="100%" role="img" aria-label="{escape(title)}" {FONT}>'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def line_chart(
    title: str,
    lines: Sequence[Line],
    *,
    x_label: str,
    y_format: Callable[[float], str],
    x_format: Callable[[float], str],
    x_log: bool = False,
    x_ticks: Sequence[float] | None = None,
    y_log: bool = False,
    markers: Sequence[Marker] = (),
) -> Markup:
    """A line chart with axes, gridlines, optional vertical markers and a legend.

    `x_ticks`, when given, also fixes the x range (first to last tick).
    """
    left, right, top, plot_h = 78.0, 16.0, 12.0, 220.0
    plot_w = WIDTH - left - right
    xs = [x for line in lines for x, _ in line.points] + [m.x for m in markers]
    ys = [y for line in lines for _, y in line.points]
    positive_ys = [y for y in ys if y > 0] or [1.0]
    if y_log:
        y_ticks = log_ticks(min(positive_ys), max(positive_ys))
        y_lo, y_hi = math.log10(y_ticks[0]), math.log10(y_ticks[-1])

        def py(y: float) -> float:
            share = (math.log10(max(y, 10.0**y_lo)) - y_lo) / (y_hi - y_lo or 1.0)
            return top + plot_h - share * plot_h

    else:
        y_ticks = nice_ticks(0.0, max([*ys, 0.0]) or 1.0)
        y_max = y_ticks[-1]

        def py(y: float) -> float:
            return top + plot_h - y / y_max * plot_h

    if x_ticks is not None:
        lo, hi = x_ticks[0], x_ticks[-1]

        def px(x: float) -> float:
            return left + (x - lo) / (hi - lo or 1.0) * plot_w

    elif x_log:
        positive = [x for x in xs if x > 0] or [1.0]
        x_ticks = log_ticks(min(positive), max(positive))
        lo, hi = math.log10(x_ticks[0]), math.log10(x_ticks[-1])

        def px(x: float) -> float:
            return left + (math.log10(max(x, 10.0**lo)) - lo) / (hi - lo or 1.0) * plot_w

    else:
        x_ticks = nice_ticks(min(xs, default=0.0), max(xs, default=1.0), 6)
        lo, hi = x_ticks[0], x_ticks[-1]

        def px(x: float) -> float:
            return left + (x - lo) / (hi - lo or 1.0) * plot_w

    parts = []
    if y_log:
        parts.append(
            f'<text x="{_f(left + 4)}" y="{_f(top + 12)}" font-size="12.5" fill="#555">'
            "log scale</text>"
        )
    for t in y_ticks:
        parts.append(
            f'<line x1="{_f(left)}" x2="{_f(left + plot_w)}" y1="{_f(py(t))}" y2="{_f(py(t))}"'
            f' stroke="#e3e3e3"/>'
            f'<text x="{_f(left - 6)}" y="{_f(py(t) + 4)}" font-size="12.5" text-anchor="end"'
            f' fill="#555">{escape(y_format(t))}</text>'
        )
    for t in x_ticks:
        parts.append(
            f'<line x1="{_f(px(t))}" x2="{_f(px(t))}" y1="{_f(top + plot_h)}"'
            f' y2="{_f(top + plot_h + 4)}" stroke="#888"/>'
            f'<text x="{_f(px(t))}" y="{_f(top + plot_h + 17)}" font-size="12.5"'
            f' text-anchor="middle" fill="#555">{escape(x_format(t))}</text>'
        )
    parts.append(
        f'<line x1="{_f(left)}" x2="{_f(left + plot_w)}" y1="{_f(top + plot_h)}"'
        f' y2="{_f(top + plot_h)}" stroke="#888"/>'
        f'<text x="{_f(left + plot_w / 2)}" y="{_f(top + plot_h + 34)}" font-size="12.5"'
        f' text-anchor="middle" fill="#555">{escape(x_label)}</text>'
    )
    for m in markers:
        x = px(m.x)
        anchor = "end" if x > left + plot_w * 0.6 else "start"
        shift = -5 if anchor == "end" else 5
        parts.append(
            f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(top)}" y2="{_f(top + plot_h)}"'
            f' stroke="#B00020" stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<circle cx="{_f(x)}" cy="{_f(top + 6)}" r="3.5" fill="#B00020"/>'
            f'<text x="{_f(x + shift)}" y="{_f(top + 10)}" font-size="12.5" font-weight="600"'
            f' text-anchor="{anchor}" fill="#B00020">{escape(m.label)}</text>'
        )
    for i, line in enumerate(lines):
        colour, dash = line.style(i)
        path = " ".join(
            f"{'M' if j == 0 else 'L'}{_f(px(x))},{_f(py(y))}"
            for j, (x, y) in enumerate(line.points)
        )
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.2"{dash_attr}'
            f' stroke-linejoin="round"/>'
        )

    def swatch(i: int, x: float, y: float) -> str:
        colour, dash = lines[i].style(i)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        return (
            f'<line x1="{_f(x)}" x2="{_f(x + 22)}" y1="{_f(y)}" y2="{_f(y)}" stroke="{colour}"'
            f' stroke-width="2.6"{dash_attr}/>'
        )

    legend, legend_h = _legend([line.label for line in lines], top + plot_h + 60, swatch)
    parts.append(legend)
    return _frame(top + plot_h + 54 + legend_h, title, "".join(parts))


def stacked_bars(
    title: str,
    bars: Sequence[Bar],
    legend: Sequence[str],
    *,
    scale_max: float = 1.0,
    tick_format: Callable[[float], str] = lambda v: f"{v:g}",
) -> Markup:
    """Horizontal stacked bars (one per option), segments coloured by legend entry."""
    label_w, right, row_h, top = 330.0, 64.0, 24.0, 8.0
    plot_w = WIDTH - label_w - right
    ticks = nice_ticks(0.0, scale_max, 4)
    scale_max = ticks[-1]
    parts = []
    for t in ticks:
        x = label_w + t / scale_max * plot_w
        parts.append(
            f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(top)}" y2="{_f(top + row_h * len(bars))}"'
            f' stroke="#e3e3e3"/>'
            f'<text x="{_f(x)}" y="{_f(top + row_h * len(bars) + 14)}" font-size="12.5"'
            f' text-anchor="middle" fill="#555">{escape(tick_format(t))}</text>'
        )
    for r, bar in enumerate(bars):
        y = top + r * row_h
        label = bar.label if len(bar.label) <= 42 else bar.label[:41] + "…"
        parts.append(
            f'<text x="{_f(label_w - 8)}" y="{_f(y + row_h / 2 + 4)}" font-size="13"'
            f' text-anchor="end" fill="#222">{escape(label)}</text>'
        )
        x = label_w
        for i, value in enumerate(bar.segments):
            w = max(value, 0.0) / scale_max * plot_w
            if w > 0:
                parts.append(
                    f'<rect x="{_f(x)}" y="{_f(y + 4)}" width="{_f(w)}" height="{_f(row_h - 8)}"'
                    f' fill="{PALETTE[i % len(PALETTE)]}" stroke="#fff" stroke-width="0.6"/>'
                )
            x += w
        parts.append(
            f'<text x="{_f(x + 5)}" y="{_f(y + row_h / 2 + 4)}" font-size="12.5"'
            f' fill="#222">{escape(bar.total_label)}</text>'
        )

    def swatch(i: int, x: float, y: float) -> str:
        return (
            f'<rect x="{_f(x)}" y="{_f(y - 6)}" width="22" height="12"'
            f' fill="{PALETTE[i % len(PALETTE)]}"/>'
        )

    legend_svg, legend_h = _legend(legend, top + row_h * len(bars) + 40, swatch)
    parts.append(legend_svg)
    return _frame(top + row_h * len(bars) + 30 + legend_h, title, "".join(parts))


@dataclass(frozen=True)
class Range:
    """One row of a range chart: a span on the axis and a mark inside it."""

    label: str
    low: float
    high: float
    mark: float
    note: str


def range_bars(title: str, rows: Sequence[Range], *, axis_max: float) -> Markup:
    """Horizontal spans on a 0..axis_max axis with a mark each (a tornado chart when the
    rows come narrowest first)."""
    label_w, right, row_h, top = 230.0, 250.0, 24.0, 8.0
    plot_w = WIDTH - label_w - right
    parts = []
    for t in range(int(axis_max) + 1):
        x = label_w + t / axis_max * plot_w
        parts.append(
            f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(top)}" y2="{_f(top + row_h * len(rows))}"'
            f' stroke="#e3e3e3"/>'
            f'<text x="{_f(x)}" y="{_f(top + row_h * len(rows) + 14)}" font-size="12.5"'
            f' text-anchor="middle" fill="#555">{t}</text>'
        )
    for r, row in enumerate(rows):
        y = top + r * row_h
        x0 = label_w + row.low / axis_max * plot_w
        x1 = label_w + row.high / axis_max * plot_w
        xm = label_w + row.mark / axis_max * plot_w
        parts.append(
            f'<text x="{_f(label_w - 8)}" y="{_f(y + row_h / 2 + 4)}" font-size="13"'
            f' text-anchor="end" fill="#222">{escape(row.label)}</text>'
            f'<rect x="{_f(x0)}" y="{_f(y + 5)}" width="{_f(max(x1 - x0, 2.0))}"'
            f' height="{_f(row_h - 10)}" fill="{PALETTE[0]}" fill-opacity="0.55"/>'
            f'<line x1="{_f(xm)}" x2="{_f(xm)}" y1="{_f(y + 2)}" y2="{_f(y + row_h - 2)}"'
            f' stroke="#000" stroke-width="2"/>'
            f'<text x="{_f(label_w + plot_w + 10)}" y="{_f(y + row_h / 2 + 4)}"'
            f' font-size="12.5" fill="#222">{escape(row.note)}</text>'
        )
    return _frame(top + row_h * len(rows) + 22, title, "".join(parts))
