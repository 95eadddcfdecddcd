"""The filter bar: period, team, person (type-ahead), provider; and one line saying what is in force.

It owns no truth: the app hands it the Filters and the choices, and it posts FiltersChanged when
the user picks something. Programmatic updates are made without echoing a change back.

The custom from/to dates take a second row (one row of six controls does not fit 80 columns).
A typed filter applied with Enter, or Escape anywhere in the bar (which first puts back what was
typed but not applied), posts ``FilterBar.Done``: the app hands the focus back to the tab, so the
number and letter keys are shortcuts again.
"""

from __future__ import annotations

from dataclasses import replace
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from spendtui.config import PROVIDER_NAMES, PROVIDERS
from spendtui.periods import PeriodError, parse_date
from spendtui.tui.filters import PRESETS, Filters
from spendtui.tui.messages import FiltersChanged


class FilterInput(Input):
    """A typed filter: the footer says how to apply it and how to get back to the tab (while an
    input has the focus every printable key is text, so the app's letter and number keys are off)."""

    BINDINGS = [Binding("enter", "submit", "Apply"), Binding("escape", "done", "Back to the tab")]

    def action_done(self) -> None:
        self.query_ancestor(FilterBar).action_done()


class FilterBar(Widget):
    BINDINGS = [Binding("escape", "done", "Back to the tab", show=False)]  # on the selects

    class Done(Message):
        """The user is done with the filters: the app focuses the tab's content."""

    def __init__(self, filters: Filters, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.filters = filters
        self._people: dict[str, str] = {}  # lower-cased email or name -> email
        self._teams: set[str] = set()

    def compose(self) -> ComposeResult:
        with Horizontal(id="filter-controls"):
            yield Select(
                [(label, value) for value, label in PRESETS], value=self.filters.preset, allow_blank=False,
                compact=True, id="filter-period", tooltip="Period (p)",
            )  # fmt: skip
            yield Select([], prompt="All teams", compact=True, id="filter-team", tooltip="Team scope")
            yield FilterInput(placeholder="Person: name or email…", compact=True, id="filter-person",
                              tooltip="Person scope (/); Enter applies, empty clears")  # fmt: skip
            yield Select(
                [(PROVIDER_NAMES[p], p) for p in PROVIDERS], prompt="All providers", compact=True,
                id="filter-provider", tooltip="Provider",
            )  # fmt: skip
        with Horizontal(id="filter-custom"):
            yield Label("Custom period from", classes="filter-custom-note")
            yield FilterInput(placeholder="YYYY-MM-DD", compact=True, id="filter-from", classes="custom-date")
            yield Label("to", classes="filter-custom-note")
            yield FilterInput(placeholder="YYYY-MM-DD", compact=True, id="filter-to", classes="custom-date")
            yield Label("Enter applies", classes="filter-custom-note")
        yield Static("", id="filter-summary", markup=False)

    def on_mount(self) -> None:
        self._show_custom(self.filters.preset == "custom")

    # -- from the app ---------------------------------------------------------------------------
    def set_choices(self, teams: list[str], people: list[tuple[str, str | None]]) -> None:
        with self.prevent(Select.Changed):
            self.query_one("#filter-team", Select).set_options([(t, t) for t in teams])
        self._teams = set(teams)
        self._people = {email.lower(): email for email, _ in people}
        self._people.update({name.lower(): email for email, name in people if name})
        suggestions = [email for email, _ in people] + [name for _, name in people if name]
        self.query_one("#filter-person", Input).suggester = SuggestFromList(suggestions, case_sensitive=False)
        self.set_filters(self.filters)

    def set_filters(self, filters: Filters) -> None:
        self.filters = filters
        with self.prevent(Select.Changed, Input.Changed):
            self.query_one("#filter-period", Select).value = filters.preset
            team = self.query_one("#filter-team", Select)
            team.value = filters.team if filters.team in self._teams else Select.NULL
            self.query_one("#filter-provider", Select).value = filters.provider or Select.NULL
            self.query_one("#filter-person", Input).value = filters.user or ""
            self.query_one("#filter-from", Input).value = filters.start.isoformat() if filters.start else ""
            self.query_one("#filter-to", Input).value = filters.end.isoformat() if filters.end else ""
        self._show_custom(filters.preset == "custom")

    def set_summary(self, text: str) -> None:
        self.query_one("#filter-summary", Static).update(text)

    # -- from the user --------------------------------------------------------------------------
    def _changed(self, filters: Filters) -> None:
        if filters != self.filters:
            self.filters = filters
            self.post_message(FiltersChanged(filters))

    def _show_custom(self, shown: bool) -> None:
        self.query_one("#filter-custom").display = shown

    def action_done(self) -> None:
        """Escape: what was typed but not applied goes back to the filters in force, and so does a
        Custom… chosen without dates; then the tab gets the focus."""
        self.set_filters(self.filters)
        self.post_message(self.Done())

    @on(Select.Changed, "#filter-period")
    def _period(self, event: Select.Changed) -> None:
        preset = str(event.value)
        self._show_custom(preset == "custom")
        if preset == "custom":
            if self.filters.start and self.filters.end:
                self._changed(replace(self.filters, preset="custom"))
            else:
                self.query_one("#filter-from", Input).focus()
            return
        self._changed(replace(self.filters, preset=preset))

    @on(Input.Submitted, ".custom-date")
    def _dates(self, event: Input.Submitted) -> None:
        event.stop()
        raw_from = self.query_one("#filter-from", Input).value.strip()
        raw_to = self.query_one("#filter-to", Input).value.strip()
        if event.input.id == "filter-from" and not raw_to:
            self.query_one("#filter-to", Input).focus()
            return
        try:
            start, end = parse_date(raw_from, "from"), parse_date(raw_to, "to")
            if end < start:
                raise PeriodError(f"to {end} is before from {start}")
        except PeriodError as error:
            self.app.notify(str(error), title="Custom period", severity="error")
            return
        self._changed(replace(self.filters, preset="custom", start=start, end=end))
        self.post_message(self.Done())

    @on(Select.Changed, "#filter-team")
    def _team(self, event: Select.Changed) -> None:
        team = None if event.value is Select.NULL else str(event.value)
        self._changed(self.filters.with_scope(team=team, user=None if team else self.filters.user))
        if team:
            with self.prevent(Input.Changed):
                self.query_one("#filter-person", Input).value = ""

    @on(Input.Submitted, "#filter-person")
    def _person(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self._changed(self.filters.with_scope(team=self.filters.team, user=None))
            self.post_message(self.Done())
            return
        email = self._people.get(text.lower())
        if email is None:
            self.app.notify(f"No person named or with email “{text}”.", title="Person", severity="error")
            return
        event.input.value = email
        with self.prevent(Select.Changed):
            self.query_one("#filter-team", Select).value = Select.NULL
        self._changed(self.filters.with_scope(team=None, user=email))
        self.post_message(self.Done())

    @on(Select.Changed, "#filter-provider")
    def _provider(self, event: Select.Changed) -> None:
        provider = None if event.value is Select.NULL else str(event.value)
        self._changed(replace(self.filters, provider=provider))
