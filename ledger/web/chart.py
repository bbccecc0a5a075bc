"""One metric's figures across sources and time, drawn as SVG on the server (no script, no CDN).

Claims are dots (a vertical bar for a range) placed at the time they are about (their period,
else their source's publication date); reference values are dashed lines across their period.
Every piece of text in the SVG is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import regex
from markupsafe import Markup, escape

from ledger.describe import number_in_words

WIDTH, HEIGHT = 760, 340
LEFT, RIGHT, TOP, BOTTOM = 110, 20, 20, 40

PERIOD = regex.compile(
    r"""
    ^(?P<year>(?:19|20)\d\d)            # a year, 1900-2099
    (?:
        -Q(?P<quarter>[1-4])            # then a quarter: 2020-Q4
      | -(?P<month>0[1-9]|1[0-2])       # or a month: 2023-09 (a day after it is ignored)
    )?
    """,
    regex.VERBOSE,
)


def period_span(period: str | None) -> tuple[float, float] | None:
    """The stretch of time a period covers, in fractional years; None if it is not a date.

    >>> period_span("2023")
    (2023.0, 2024.0)
    >>> period_span("2020-Q4")
    (2020.75, 2021.0)
    >>> period_span("2024-12-04")
    (2024.9166666666667, 2025.0)
    >>> period_span("last year") is None
    True
    """
    match = PERIOD.match(period or "")
    if not match:
        return None
    year = float(match["year"])
    if match["quarter"]:
        quarter = int(match["quarter"])
        return year + (quarter - 1) / 4, year + quarter / 4
    if match["month"]:
        month = int(match["month"])
        return year + (month - 1) / 12, year + month / 12
    return year, year + 1


def value_range(values: list[float]) -> tuple[float, float]:
    """The axis range: from 0 (or below) to the top, leaving out values over 10 times the bulk.

    One mis-scaled figure (8 billion among percentages) would otherwise flatten all the others;
    such a figure is drawn on the edge and marked off scale.

    >>> value_range([2.0, 3.5, 6.5, 2.3, 8.4, 8e9])
    (0.0, 8.4)
    >>> value_range([3.3e12, 3.1e12])
    (0.0, 3300000000000.0)
    >>> value_range([-4.0, 2.0])
    (-4.0, 2.0)
    """
    ordered = sorted(values)
    if len(ordered) >= 5:
        bulk = max(abs(ordered[int(0.1 * (len(ordered) - 1))]),
                   abs(ordered[int(0.9 * (len(ordered) - 1))]))  # fmt: skip
        if bulk > 0:
            ordered = [v for v in ordered if abs(v) <= 10 * bulk] or ordered
    return min(0.0, ordered[0]), max(0.0, ordered[-1])


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values for an axis from low to high: steps of 1, 2 or 5 times a power of ten.

    >>> nice_ticks(0, 3.564e12)
    [0.0, 1000000000000.0, 2000000000000.0, 3000000000000.0]
    >>> nice_ticks(-3, 12)
    [0.0, 5.0, 10.0]
    """
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step)
    return [float(i * step) for i in range(first, math.floor(high / step) + 1)]


@dataclass(frozen=True)
class Figure:
    """A point to draw: a claim or a reference value."""

    label: str
    value: float
    when: tuple[float, float]
    value_high: float | None = None
    href: str | None = None
    reference: bool = False
    official: bool = False  # a value of an official series: drawn joined as a line


@dataclass(frozen=True)
class Plot:
    """Where years and values fall on the chart: the axes' ranges, and the pixel of each."""

    x_min: float
    x_max: float
    y_min: float
    y_max: float

    @classmethod
    def of(cls, figures: list[Figure]) -> Plot:
        """Years from the first figure's start to the last one's end; values from
        `value_range`, with a little room above the highest."""
        values = [f.value for f in figures] + [f.value_high for f in figures if f.value_high]
        y_min, y_max = value_range(values)
        if y_max == y_min:
            y_max = y_min + 1
        y_max += (y_max - y_min) * 0.08
        return cls(min(f.when[0] for f in figures), max(f.when[1] for f in figures), y_min, y_max)

    def x(self, year: float) -> float:
        return LEFT + (year - self.x_min) / (self.x_max - self.x_min) * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        value = min(max(value, self.y_min), self.y_max)  # an outlier sits on the edge
        return TOP + (self.y_max - value) / (self.y_max - self.y_min) * (HEIGHT - TOP - BOTTOM)

    def off_scale(self, value: float | None) -> bool:
        return value is not None and not self.y_min <= value <= self.y_max


def svg_chart(figures: list[Figure], *, title: str, unit: str | None) -> Markup:
    """Draw the figures; an empty list gives a short SVG saying there is nothing to draw."""
    title_text = f"{title} ({unit})" if unit else title
    if not figures:
        return Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="ledger-chart" width="{w}" height="60"'
            ' role="img"><text x="10" y="30">{t}: no dated figures to draw</text></svg>'
        ).format(w=WIDTH, t=title_text)
    plot = Plot.of(figures)
    parts: list[Markup] = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="ledger-chart" width="{w}" '
            'height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{t}">'
            "<title>{t}</title>"
        ).format(w=WIDTH, h=HEIGHT, t=title_text),
        *_axes(plot),
    ]
    line = sorted((f for f in figures if f.official), key=lambda f: f.when)
    if line:
        points = " ".join(
            f"{plot.x((f.when[0] + f.when[1]) / 2):.1f},{plot.y(f.value):.1f}" for f in line
        )
        parts.append(
            Markup('<g class="official"><title>{}</title><polyline points="{}"/></g>').format(
                line[0].label, points
            )
        )
    for figure in sorted(figures, key=lambda f: (not f.reference, f.when)):
        if not figure.official:
            parts.append(_mark(figure, plot))
    parts.append(Markup("</svg>"))
    return escape("").join(parts)


def _axes(plot: Plot) -> list[Markup]:
    """The axes, a tick per year (per few years over a decade) and round value ticks."""
    parts = [
        Markup(
            '<g class="axis"><line x1="{l}" y1="{b}" x2="{r}" y2="{b}"/>'
            '<line x1="{l}" y1="{t}" x2="{l}" y2="{b}"/>'
        ).format(l=LEFT, r=WIDTH - RIGHT, t=TOP, b=HEIGHT - BOTTOM)
    ]
    x_max = plot.x_max
    first_year, last_year = int(plot.x_min), int(x_max if x_max > int(x_max) else x_max - 1)
    step = max(1, (last_year - first_year + 1) // 10)
    for year in range(first_year, last_year + 1, step):
        parts.append(
            Markup('<text x="{x:.1f}" y="{y}" text-anchor="middle">{year}</text>').format(
                x=plot.x(year + 0.5), y=HEIGHT - BOTTOM + 18, year=year
            )
        )
    for value in nice_ticks(plot.y_min, plot.y_max):
        parts.append(
            Markup(
                '<line class="grid" x1="{l}" y1="{y:.1f}" x2="{r}" y2="{y:.1f}"/>'
                '<text x="{tx}" y="{ty:.1f}" text-anchor="end">{label}</text>'
            ).format(
                l=LEFT,
                r=WIDTH - RIGHT,
                y=plot.y(value),
                tx=LEFT - 6,
                ty=plot.y(value) + 4,
                label=number_in_words(value),
            )
        )
    parts.append(Markup("</g>"))
    return parts


def _mark(figure: Figure, plot: Plot) -> Markup:
    """A reference value as a dashed line across its period; a claim as a dot (a bar up to the
    top of its range), a link to its page, marked when off scale."""
    outlier = plot.off_scale(figure.value) or plot.off_scale(figure.value_high)
    tip = Markup("<title>{}{}</title>").format(
        figure.label,
        f" (off scale: {number_in_words(figure.value_high or figure.value)})" if outlier else "",
    )
    if figure.reference:
        return Markup(
            '<g class="reference">{tip}<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" '
            'y2="{y:.1f}"/><text x="{x2:.1f}" y="{ty:.1f}" text-anchor="end">'
            "reference</text></g>"
        ).format(
            tip=tip,
            x1=plot.x(figure.when[0]),
            x2=plot.x(figure.when[1]),
            y=plot.y(figure.value),
            ty=plot.y(figure.value) - 4,
        )
    middle = plot.x((figure.when[0] + figure.when[1]) / 2)
    bar = Markup("")
    if figure.value_high is not None:
        bar = Markup('<line x1="{x:.1f}" y1="{y1:.1f}" x2="{x:.1f}" y2="{y2:.1f}"/>').format(
            x=middle, y1=plot.y(figure.value), y2=plot.y(figure.value_high)
        )
    shape = Markup(
        '<g class="claim{off}">{tip}{bar}<circle cx="{x:.1f}" cy="{y:.1f}" r="5"/></g>'
    ).format(
        off=" off-scale" if outlier else "", tip=tip, bar=bar, x=middle, y=plot.y(figure.value)
    )
    if figure.href:
        shape = Markup('<a href="{}">{}</a>').format(figure.href, shape)
    return shape


def chart_figures(
    claims: list[dict], references: list[dict], *, claim_href: Callable[[str], str]
) -> list[Figure]:
    """Turn rows of `claims_in_context`-like dicts and `references` into dated figures.

    `claim_href` gives a claim's page from its id. A claim without a usable period falls back to
    its source's publication date; one with neither is left out (it has no place in time).
    """
    figures: list[Figure] = []
    for row in claims:
        when = period_span(row.get("period")) or period_span(row.get("published"))
        if when is None or row.get("value") is None:
            continue
        label = f"{row.get('publisher') or row.get('source_id')}: “{row.get('quote')}”"
        figures.append(
            Figure(
                label=label,
                value=row["value"],
                value_high=row.get("value_high"),
                when=when,
                href=claim_href(row["id"]),
            )
        )
    for row in references:
        when = period_span(row.get("period"))
        if when is None or row.get("value") is None:
            continue
        label = f"reference: {row.get('publisher') or ''} {row.get('title') or ''}".strip()
        figures.append(Figure(label=label, value=row["value"], when=when, reference=True))
    return figures


def official_figures(values: list[tuple[str, float]], label: str) -> list[Figure]:
    """An official series' (period, value) pairs as figures drawn joined by a line.

    >>> [f.when for f in official_figures([("2004", 10.1), ("2005-03", 1.0)], "WDI")]
    [(2004.0, 2005.0), (2005.1666666666667, 2005.25)]
    """
    figures = []
    for period, value in values:
        when = period_span(period)
        if when is not None:
            figures.append(Figure(label=label, value=value, when=when, official=True))
    return figures
