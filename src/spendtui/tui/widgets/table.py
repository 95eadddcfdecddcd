"""The one table of the dashboard: typed columns, money through format_usd, sort, search, CSV export rows.

A SpendTable holds its rows as dicts of raw values (nano-dollars, counts, percentages) and renders
them; sorting and searching work on the raw values, export writes them plain (cents, no '$').
When it has no rows it shows what to do next instead of a blank grid. The grid shows the first
MAX_SHOWN rows as sorted (a DataTable takes 1.6 s of the UI thread for 5,000 rows of ten
columns); search, sort and export always work on every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static

from spendtui.money import format_plain, format_usd, round_cents

NUMERIC = ("money", "int", "change", "share")
MAX_SHOWN = 500


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | money | int | change | share
    estimated_key: str | None = None  # a row key whose truth marks this money as an estimate (~$)
    currency_key: str | None = None  # a row key naming the amount's currency when it is not USD

    def show(self, row: dict) -> Text:
        justify = "right" if self.kind in NUMERIC else "left"
        return Text(self.text(row), justify=justify)

    def text(self, row: dict) -> str:
        """The cell as shown for one row (estimate and currency marks included)."""
        value = row.get(self.key)
        currency = row.get(self.currency_key) if self.currency_key else None
        if self.kind == "money" and currency and currency != "USD" and value is not None:
            return f"{currency} {round_cents(value):,}"
        return self.format(value, bool(self.estimated_key and row.get(self.estimated_key)))

    def format(self, value: object, estimated: bool = False) -> str:
        if self.kind == "money":
            return format_usd(value, estimated=estimated)  # None -> "—", never $0
        if value is None or value == "":
            return "new" if self.kind == "change" else "\u2014"
        if self.kind == "int":
            return f"{value:,}"
        if self.kind == "change":
            return f"{value:+.1f}%"
        if self.kind == "share":
            return f"{value:.1f}%"
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value) or "\u2014"
        return str(value)

    def plain(self, value: object) -> str:
        """The CSV form: money in plain dollars and cents, numbers bare, missing empty."""
        if value is None:
            return ""
        if self.kind == "money":
            return format_plain(value) or ""
        if isinstance(value, (list, tuple)):
            return ";".join(str(v) for v in value)
        return str(value)

    def sort_key(self, row: dict):
        value = row.get(self.key)
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        if isinstance(value, str):
            return value.lower()
        return value


class SortableDataTable(DataTable):
    """The grid inside a SpendTable; its keys sort (the header is clickable too)."""

    BINDINGS = [
        Binding("s", "cycle_sort", "Sort", tooltip="Sort by the next column"),
        Binding("S", "reverse_sort", "Reverse", show=False),
    ]

    def action_cycle_sort(self) -> None:
        self.parent_table.cycle_sort()

    def action_reverse_sort(self) -> None:
        self.parent_table.reverse_sort()

    @property
    def parent_table(self) -> SpendTable:
        return next(a for a in self.ancestors if isinstance(a, SpendTable))


class SpendTable(Widget):
    """Title, grid and empty note; rows are dicts keyed by the columns' keys."""

    DEFAULT_CSS = """
    SpendTable { height: auto; }
    SpendTable > .table-title { text-style: bold; color: $text-accent; padding: 0 1; }
    SpendTable > SortableDataTable { height: auto; max-height: 16; }
    SpendTable > .table-empty { color: $text-muted; padding: 0 1 1 1; }
    SpendTable > .table-more { color: $text-muted; padding: 0 1; }
    """

    class RowHighlighted(Message):
        def __init__(self, table: SpendTable, row: dict) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> SpendTable:
            return self.table

    def __init__(self, title: str, columns: list[Column], *, empty: str = "Nothing to show.",
                 id: str | None = None, classes: str = "", fixed_columns: int = 0,
                 search_keys: tuple[str, ...] | None = None, exported: tuple[Column, ...] = ()) -> None:  # fmt: skip
        super().__init__(id=id, classes=classes)
        self.fixed_columns = fixed_columns  # kept in view when the table scrolls sideways
        self.search_keys = search_keys  # what a search looks in (None: every text value)
        self.exported = exported  # columns an export adds to the shown ones (an email behind a name)
        self.title = title
        self.columns = columns
        self.empty_text = empty
        self._all: list[dict] = []
        self._rows: list[dict] = []
        self._search = ""
        self.sort_column: str | None = None
        self.sort_reverse = False

    def compose(self) -> ComposeResult:
        yield Static(self.title, classes="table-title", markup=False)
        grid = SortableDataTable(cursor_type="row", zebra_stripes=True)
        grid.fixed_columns = self.fixed_columns
        yield grid
        yield Static(self.empty_text, classes="table-empty", markup=False)
        yield Static("", classes="table-more", markup=False)

    def on_mount(self) -> None:
        grid = self.grid
        for column in self.columns:
            grid.add_column(column.label, key=column.key)
        self._render_rows()

    @property
    def grid(self) -> SortableDataTable:
        return self.query_one(SortableDataTable)

    # -- data -----------------------------------------------------------------------------------
    def set_rows(self, rows: list[dict], empty: str | None = None) -> None:
        """Replace the rows (keeping the user's sort and search); ``empty`` says what to do when none."""
        if empty is not None:
            self.empty_text = empty
        self._all = list(rows)
        self._apply()

    def search(self, text: str) -> None:
        """Keep rows with a text value (shown or not, e.g. an email behind a name) containing ``text``."""
        self._search = text.strip().lower()
        self._apply()

    @property
    def rows(self) -> list[dict]:
        """The rows as shown: searched and sorted."""
        return list(self._rows)

    def cell_text(self, index: int, key: str) -> str:
        return next(c for c in self.columns if c.key == key).text(self._rows[index])

    def move_to(self, key: str, value: object) -> None:
        """Put the cursor on the first shown row whose ``key`` is ``value`` (its details follow it)."""
        index = next((i for i, row in enumerate(self._rows[:MAX_SHOWN]) if row.get(key) == value), None)
        if index is not None:
            self.grid.move_cursor(row=index)

    # -- sorting --------------------------------------------------------------------------------
    def sort_by(self, key: str, reverse: bool | None = None) -> None:
        column = next(c for c in self.columns if c.key == key)
        if reverse is None:
            reverse = (not self.sort_reverse) if self.sort_column == key else column.kind in NUMERIC
        self.sort_column, self.sort_reverse = key, reverse
        self._apply()

    def cycle_sort(self) -> None:
        keys = [c.key for c in self.columns]
        following = keys[(keys.index(self.sort_column) + 1) % len(keys)] if self.sort_column in keys else keys[0]
        self.sort_by(following, reverse=next(c for c in self.columns if c.key == following).kind in NUMERIC)

    def reverse_sort(self) -> None:
        self.sort_by(self.sort_column or self.columns[0].key, reverse=not self.sort_reverse)

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    # -- export ---------------------------------------------------------------------------------
    def export_rows(self) -> tuple[list[str], list[list[str]]]:
        """Header and rows as shown (searched, sorted), in plain CSV form."""
        columns = [*self.columns, *self.exported]
        return [c.label for c in columns], [[c.plain(row.get(c.key)) for c in columns] for row in self._rows]

    # -- rendering ------------------------------------------------------------------------------
    def _apply(self) -> None:
        rows = self._all
        if self._search:
            keys = self.search_keys
            rows = [r for r in rows if any(isinstance(v, str) and self._search in v.lower()
                                           for k, v in r.items() if keys is None or k in keys)]  # fmt: skip
        if self.sort_column:
            column = next(c for c in self.columns if c.key == self.sort_column)
            present = [r for r in rows if column.sort_key(r) is not None]
            missing = [r for r in rows if column.sort_key(r) is None]
            rows = sorted(present, key=column.sort_key, reverse=self.sort_reverse) + missing  # missing always last
        self._rows = rows
        if self.is_mounted:
            self._render_rows()

    def _render_rows(self) -> None:
        grid = self.grid
        grid.clear()
        for column in self.columns:
            label = column.label
            if column.key == self.sort_column:
                label += " ▼" if self.sort_reverse else " ▲"
            grid.columns[column.key].label = Text(label, justify="right" if column.kind in NUMERIC else "left")
        grid.add_rows([[c.show(row) for c in self.columns] for row in self._rows[:MAX_SHOWN]])
        grid.refresh()
        # a table updated in place (not remounted) changes height: lay its parents out again once the
        # grid has measured its new rows, or they keep the old height (a provider section clipped)
        self.call_after_refresh(self.refresh, layout=True)
        more = self.query_one(".table-more", Static)
        more.display = len(self._rows) > MAX_SHOWN
        if more.display:
            more.update(f"The first {MAX_SHOWN:,} of {len(self._rows):,} rows as sorted (s sorts them all); e exports them all.")
        has_rows = bool(self._rows)
        grid.display = has_rows
        note = self.query_one(".table-empty", Static)
        note.display = not has_rows
        if not has_rows:
            note.update(f"No rows match “{self._search}”." if self._all and self._search else self.empty_text)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._rows):
            self.post_message(self.RowHighlighted(self, self._rows[event.cursor_row]))


def money_rows(rows: list[dict], money_keys: tuple[str, ...]) -> list[dict]:
    """Rows of an analytics ``as_json()`` table with its plain-dollar strings turned back into nano-dollars.

    Those strings are already rounded to cents, so showing them through format_usd gives the same text.
    """
    from spendtui.money import dollars_to_nano

    converted = []
    for row in rows:
        row = dict(row)
        for key in money_keys:
            value = row.get(key)
            if isinstance(value, str):
                row[key] = dollars_to_nano(Decimal(value))
        converted.append(row)
    return converted
