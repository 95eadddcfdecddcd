"""What every tab shares: a body that scrolls, a state note (loading, empty store, error), and the
split between ``compute`` (runs in a thread worker: analytics only, never a widget) and ``show``
(runs on the UI thread with what compute returned)."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget

from spendtui.analytics.query import Query
from spendtui.config import Settings
from spendtui.periods import Period
from spendtui.tui.filters import Filters
from spendtui.tui.widgets.empty import EMPTY_STORE, EmptyState


@dataclass(frozen=True)
class LoadContext:
    """Everything a worker needs besides the store: handed over by value, safe across threads."""

    filters: Filters
    settings: Settings
    today: date
    now: datetime
    read_only: bool

    @property
    def period(self) -> Period:
        return self.filters.period(self.today)


class TabBody(VerticalScroll):
    """A tab's figures, composed only when the tab first has data (eight full tabs at start-up cost seconds)."""

    def __init__(self, tab: ViewTab) -> None:
        super().__init__(id=f"{tab.view_id}-body", classes="tab-body")
        self.tab = tab

    def compose(self) -> ComposeResult:
        yield from self.tab.compose_body()


class _TabMeta(type(Widget), ABCMeta):
    """Textual's widget metaclass with abc's: a tab that lacks a hook fails when it is built."""


class ViewTab(Widget, metaclass=_TabMeta):
    """One tab of the dashboard. Subclasses set ``view_id``/``title`` and implement the three hooks."""

    view_id: ClassVar[str]
    title: ClassVar[str]
    key: ClassVar[str]  # the number key that shows it
    needs_data: ClassVar[bool] = True  # False: the tab is useful on an empty store (Sync)

    def __init__(self, *, waiting: str = "Loading…", id: str | None = None) -> None:
        super().__init__(id=id)
        self._body: TabBody | None = None
        self._waiting = waiting

    def compose(self) -> ComposeResult:
        yield EmptyState(self._waiting, id=f"{self.view_id}-state")

    async def ensure_body(self) -> None:
        """Mount the tab's widgets the first time it has something to show."""
        if self._body is None:
            self._body = TabBody(self)
            self._body.display = False
            await self.mount(self._body)

    # -- hooks ----------------------------------------------------------------------------------
    @abstractmethod
    def compose_body(self) -> ComposeResult:
        """The tab's widgets, mounted the first time it has something to show."""

    @abstractmethod
    def compute(self, q: Query, ctx: LoadContext) -> Any:
        """Runs in a thread worker: read analytics, return plain data. Must not touch widgets."""

    @abstractmethod
    def show(self, data: Any, ctx: LoadContext) -> None:
        """Runs on the UI thread: put ``data`` on screen."""

    def show_detail(self, key: str, data: Any) -> None:
        """A secondary result this tab asked for with ``app.load_detail``."""

    # -- states ---------------------------------------------------------------------------------
    @property
    def body(self) -> TabBody | None:
        return self._body

    def show_state(self, text: str, kind: str = "empty") -> None:
        state = self.query_one(EmptyState)
        state.say(text, kind)
        state.display = True
        if self._body is not None:
            self._body.display = False

    def show_body(self) -> None:
        self.query_one(EmptyState).display = False
        if self._body is not None:
            self._body.display = True

    def show_empty_store(self) -> None:
        self.show_state(EMPTY_STORE)
