"""A KPI card: a label, a value, a note. Every number on a card comes in already formatted."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.layout import Layout
from textual.layouts.grid import GridLayout
from textual.widget import Widget
from textual.widgets import Static


class KpiCard(Widget):
    """Label over value over note; ``tone`` (good/bad/warn) colours the note, never carries meaning alone.

    A label or note wider than the card wraps (the card grows a line) rather than losing its end:
    "Claude Code (estimated)" cut to "Claude Code (estimat…" hides what makes the figure different.
    """

    DEFAULT_CSS = """
    KpiCard {
        height: auto;
        min-height: 3;
        padding: 0 1;
        background: $boost;
        border-left: tall $primary;
    }
    KpiCard > .kpi-label { color: $text-muted; }
    KpiCard > .kpi-value { text-style: bold; text-overflow: ellipsis; text-wrap: nowrap; }
    KpiCard > .kpi-note { color: $text-muted; }
    KpiCard.-bad > .kpi-note { color: $error; }
    KpiCard.-good > .kpi-note { color: $success; }
    KpiCard.-warn > .kpi-note { color: $warning; }
    """

    def __init__(self, label: str, value: str = "…", note: str = "", *, id: str | None = None, classes: str = ""):
        super().__init__(id=id, classes=classes)
        self._label, self._value, self._note = label, value, note

    def compose(self) -> ComposeResult:
        yield Static(self._label, classes="kpi-label", markup=False)
        yield Static(self._value, classes="kpi-value", markup=False)
        yield Static(self._note, classes="kpi-note", markup=False)

    def set(self, value: str, note: str = "", tone: str | None = None, label: str | None = None) -> None:
        self._value, self._note = value, note
        if label is not None:
            self._label = label
            self.query_one(".kpi-label", Static).update(label)
        self.query_one(".kpi-value", Static).update(value)
        self.query_one(".kpi-note", Static).update(note)
        for name in ("good", "bad", "warn"):
            self.set_class(tone == name, f"-{name}")

    @property
    def value(self) -> str:
        return self._value

    @property
    def note(self) -> str:
        return self._note


class KpiRow(Grid):
    """Cards in a grid whose column count follows the screen width (see spendtui.tcss breakpoints).

    A row is as tall as its tallest card, and every card in it is stretched to that height.
    """

    def pre_layout(self, layout: Layout) -> None:
        if isinstance(layout, GridLayout):
            layout.stretch_height = True

    def card(self, card_id: str) -> KpiCard:
        return self.query_one(f"#{card_id}", KpiCard)
