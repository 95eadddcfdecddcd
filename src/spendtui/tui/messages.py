"""Messages between the thread workers and the UI: a worker never touches a widget, it posts one of these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from spendtui.tui.filters import Filters


@dataclass
class StoreInfo:
    """What the app learns once the store is open (and the demo generated, if asked)."""

    read_only: bool
    read_only_reason: str | None
    empty: bool
    people: list[tuple[str, str | None]] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    stale_rollups: bool = False
    demo_note: str | None = None
    budget_alerts: list = field(default_factory=list)  # alerts.Alert: the budgets standing past a threshold


class StoreReady(Message):
    def __init__(self, info: StoreInfo) -> None:
        super().__init__()
        self.info = info


class StoreFailed(Message):
    """The store could not be opened (or the demo not generated): every tab says why."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class FiltersChanged(Message):
    def __init__(self, filters: Filters) -> None:
        super().__init__()
        self.filters = filters


class ViewLoaded(Message):
    """A tab's figures, computed in a worker for one generation of the filters."""

    def __init__(self, view_id: str, generation: int, data: Any) -> None:
        super().__init__()
        self.view_id = view_id
        self.generation = generation
        self.data = data


class ViewFailed(Message):
    def __init__(self, view_id: str, generation: int, error: str) -> None:
        super().__init__()
        self.view_id = view_id
        self.generation = generation
        self.error = error


class DetailLoaded(Message):
    """A secondary figure a tab asked for (one person's detail, one team's members)."""

    def __init__(self, view_id: str, key: str, data: Any) -> None:
        super().__init__()
        self.view_id = view_id
        self.key = key
        self.data = data


class StoreChanged(Message):
    """Another process (a headless sync, an import) committed to the store."""


class ActionDone(Message):
    """An editing action (sync, import, invoice upload, team edit) or an export finished."""

    def __init__(self, text: str, severity: str = "information", changed_store: bool = False, edit: Any = None) -> None:
        super().__init__()
        self.text = text
        self.severity = severity
        self.changed_store = changed_store
        self.edit = edit  # an org Edit the app may undo
