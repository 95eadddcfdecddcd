"""The one chart wrapper: owns a plotext figure, clears and redraws it, and says so when empty.

It uses textual-plotext's ``Plot`` (a figure with no global state) but not its widget: the widget
rebuilds the figure on every render, which made each key press cost a redraw of every chart.
Here a fresh figure is built for the canvas's size when the data or the size change, and shown
as text (a reused figure keeps old data and sizes unless cleared just so).
Values arrive as integers (nano-dollars or counts); they become floats only as plot coordinates,
and every label on an axis is written by ``compact_usd`` from the integers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static
from textual_plotext.plot import Plot

from plotext import _utility as _plotext_utility
from plotext._dict import themes as _plotext_themes
from textual.color import Color
from textual_plotext.plot import _rgbify_theme, _sequence

from spendtui.analytics.ui_support import compact_usd, nice_ticks
from spendtui.money import NANO_PER_DOLLAR


def _ordered_unique(data) -> list:
    return list(dict.fromkeys(data))


# plotext de-duplicates points through a set, so which of two overlapping points is drawn last
# depended on PYTHONHASHSEED and the same chart differed between runs; keep first-seen order.
_plotext_utility.no_duplicates = _ordered_unique

# Provider colours are the same in every chart; other series take the palette in order.
SERIES_COLORS = {"cursor": "cyan", "anthropic": "orange", "openai": "green", "Other": "gray"}
PALETTE = ("blue+", "magenta", "yellow", "red+", "cyan+", "green+", "orange+", "gray")
# Without colour (NO_COLOR) series differ by their fill character instead.
MONO_MARKERS = ("█", "▓", "▒", "░", "#", "+", "o", "x")


@dataclass(frozen=True)
class ChartSpec:
    kind: str  # bar | hbar | stacked | lines (bar and stacked become lines when too many to draw as bars)
    labels: list[str]
    series: dict[str, list[int]] = field(default_factory=dict)
    unit: str = "usd"  # usd: values are nano-dollars; count: plain counts
    empty: str = "No spend in this period."

    @property
    def is_empty(self) -> bool:
        return not self.labels or not any(v for values in self.series.values() for v in values)

    def top(self) -> int:
        if self.kind == "stacked":
            return max((sum(col) for col in zip(*self.series.values(), strict=True)), default=0)
        return max((v for values in self.series.values() for v in values), default=0)


def _coordinate(value: int, unit: str) -> float:
    """A plot coordinate (never shown as a number: tick labels are formatted from the integers)."""
    return value / NANO_PER_DOLLAR if unit == "usd" else float(value)


def _tick_label(value: int, unit: str) -> str:
    return compact_usd(value) if unit == "usd" else f"{value:,}"


HBAR_FRAME_ROWS = 3  # the top border, the x axis and its tick labels: the rest of the height holds bars


def _hbar_fit(spec: ChartSpec, height: int) -> tuple[ChartSpec, int]:
    """The bars and figure height that put each label beside its own bar.

    plotext rounds each bar onto rows; when the rows do not divide evenly among the bars some
    get more rows than others, and with fewer than two rows per bar labels land beside a
    neighbour's bar (6 bars in 7 rows showed 451 and 210 at the same length). So the figure is
    cut to the same whole number of rows for every bar (the rest of the canvas stays blank), and
    with fewer rows than bars the smallest (last) bars are summed into "Other".
    """
    rows = max(height - HBAR_FRAME_ROWS, 1)
    labels, values = list(spec.labels), list(spec.series[next(iter(spec.series))])
    if len(labels) > rows:
        keep = rows - 1
        labels = labels[:keep] + ["Other"]
        values = values[:keep] + [sum(values[keep:])]
        spec = ChartSpec(spec.kind, labels, {next(iter(spec.series)): values}, spec.unit, spec.empty)
    return spec, rows // len(labels) * len(labels) + HBAR_FRAME_ROWS


class ChartCanvas(Static):
    """Builds the figure for its own size on new data and on resize; the same data and size build once."""

    def __init__(self) -> None:
        super().__init__("", classes="chart-canvas")
        self.spec: ChartSpec | None = None
        self._built: tuple | None = None  # the (spec, width, height, mono) on screen

    def set_spec(self, spec: ChartSpec | None) -> None:
        self.spec = spec
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        width, height = self.size.width, self.size.height
        if self.spec is None or width < 10 or height < 3:
            return  # not laid out yet: the resize that lays it out draws
        key = (self.spec, width, height, self.app.no_color)
        if key != self._built:
            self._built = key
            self.update(Text.from_ansi(self._build(self.spec, width, height, self.app.no_color)))

    def _theme(self) -> str:
        """A plotext theme from the app's colours (surface and foreground), as textual-plotext's widget
        registers one: painted backgrounds keep the SVG screenshots' columns aligned too."""
        name = f"spendtui-{self.app.theme}"
        if name not in _plotext_themes:
            variables = self.app.theme_variables
            surface = Color.parse(variables.get("surface", "#1e1e1e")).rgb
            _plotext_themes[name] = _rgbify_theme(
                surface, surface, Color.parse(variables.get("foreground", "#e0e0e0")).rgb, "default", _sequence
            )
        return name

    def _build(self, spec: ChartSpec, width: int, height: int, mono: bool) -> str:
        if spec.kind == "hbar":
            spec, height = _hbar_fit(spec, height)
        plt = Plot()  # a fresh figure: a reused one kept stale sizes and ticks between builds (snapshots drifted)
        plt.theme(self._theme())
        plt.plotsize(width, height)
        plt._set_size(width, height)  # as textual-plotext's widget does (its issue #5)
        plt.clear_data()
        plt.clear_figure()
        plt.theme(self._theme())
        plt._limit_size(False, False)  # else plotext clips the figure to the terminal size it guesses (80 when headless)
        plt.plotsize(width, height)
        names = list(spec.series)
        colors = [SERIES_COLORS.get(n) or PALETTE[i % len(PALETTE)] for i, n in enumerate(names)]
        markers = [MONO_MARKERS[i % len(MONO_MARKERS)] for i in range(len(names))] if mono else None
        values = {n: [_coordinate(v, spec.unit) for v in vals] for n, vals in spec.series.items()}
        ticks = nice_ticks(spec.top())
        tick_at = [_coordinate(t, spec.unit) for t in ticks]
        tick_text = [_tick_label(t, spec.unit) for t in ticks]
        if spec.kind == "hbar":
            # plotext stacks horizontal bars bottom-up: reverse so the first (largest) item is on top
            labels = [label if len(label) <= 22 else label[:21] + "…" for label in reversed(spec.labels)]
            plt.bar(labels, list(reversed(values[names[0]])), orientation="h", width=0.5,
                    color=colors[0], marker=markers[0] if markers else None)  # fmt: skip
            plt.xticks(tick_at, tick_text)
        else:
            positions = list(range(1, len(spec.labels) + 1))
            # plotext merges neighbouring bars when a bar gets fewer than ~4 columns: draw lines then
            as_bars = spec.kind in ("bar", "stacked") and len(positions) * 4 <= width - 12
            if as_bars and spec.kind == "bar":
                plt.bar(positions, values[names[0]], width=0.4, color=colors[0],
                        marker=markers[0] if markers else None)  # fmt: skip
            elif as_bars:
                plt.stacked_bar(positions, [values[n] for n in names], labels=names, width=0.4, color=colors,
                                marker=markers[0] if markers else None)  # fmt: skip
            elif spec.kind == "stacked":
                # too narrow for bars: a stacked area, each series filled from its running total down,
                # the top one first, so no series hides behind another
                running = [0.0] * len(positions)
                tops = []
                for name in names:
                    running = [a + b for a, b in zip(running, values[name])]
                    tops.append(running)
                for i in reversed(range(len(names))):
                    plt.plot(positions, tops[i], label=names[i], color=colors[i],
                             marker=markers[i] if markers else "hd", fillx=True)  # fmt: skip
            else:
                fill = len(names) == 1
                for i, name in enumerate(names):
                    plt.plot(positions, values[name], label=None if fill else name, color=colors[i],
                             marker=markers[i] if markers else "hd", fillx=fill)  # fmt: skip
            plt.ylim(0, tick_at[-1] if tick_at[-1] > 0 else 1)
            # ticks after the data: plotting resets them
            every = max(1, -(-len(positions) * (max(map(len, spec.labels)) + 2) // max(width - 10, 10)))
            plt.xticks(positions[::every], spec.labels[::every])
            plt.yticks(tick_at, tick_text)
        return plt.build()


class Chart(Widget):
    """A titled chart that says so when it has nothing to draw."""

    DEFAULT_CSS = """
    Chart { height: 14; }
    Chart > .chart-title { text-style: bold; color: $text-accent; padding: 0 1; }
    Chart > .chart-canvas { height: 1fr; }
    Chart > .chart-empty { height: 1fr; color: $text-muted; padding: 1 2; }
    """

    def __init__(self, title: str, *, id: str | None = None, classes: str = "") -> None:
        super().__init__(id=id, classes=classes)
        self.title = title
        self.spec: ChartSpec | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.title, classes="chart-title", markup=False)
        yield ChartCanvas()
        yield Static("Loading…", classes="chart-empty", markup=False)

    def on_mount(self) -> None:
        self.query_one(ChartCanvas).display = False

    def show(self, spec: ChartSpec, title: str | None = None) -> None:
        if title is not None:
            self.title = title
            self.query_one(".chart-title", Static).update(title)
        self.spec = spec
        canvas = self.query_one(ChartCanvas)
        note = self.query_one(".chart-empty", Static)
        drawn = not spec.is_empty
        canvas.display = drawn
        note.display = not drawn
        if not drawn:
            note.update(spec.empty)
        canvas.set_spec(spec if drawn else None)
