"""What every vendor module gives the sync engine, and the small helpers they share.

A vendor module knows its endpoints, shapes and units; the engine (``spendtui.sync``) knows
windows, state, atomic writes and history. They meet here: a ``Provider`` names its ``Stream``s,
builds its ``VendorClient``, writes its directory (accounts, seats, snapshots) and turns one time
window of one stream into ``Part``s: rows in ``store.facts.FACT_INPUT`` form plus their source.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from spendtui.config import BASE_URL_ENV, Settings
from spendtui.importers.keys import with_occurrence
from spendtui.money import cents_to_nano
from spendtui.providers.http import Cancelled, HttpOptions, ProviderError, VendorClient
from spendtui.providers.secrets import Secret
from spendtui.store import Store

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


class ShapeError(ProviderError):
    """A record inside a well-formed answer that we cannot read (a field missing or of the wrong type)."""


@dataclass(frozen=True)
class Stream:
    """One kind of fact a provider syncs, with its own high-water mark in ``sync_state``.

    ``window_days`` is the most days one request window may span; ``stop_after_empty`` ends a
    first backfill early after that many empty windows in a row (vendors that keep a rolling window).
    """

    name: str
    day_buckets: bool
    window_days: int
    stop_after_empty: int | None = None


@dataclass
class Part:
    """Rows of one source for one window (facts.Columns, a DataFrame or a list of FACT_INPUT dicts)."""

    source: str
    rows: Any
    events: int = 0


@dataclass
class Run:
    """What a provider sees of one sync: its client, the store, the clock and the way to report."""

    store: Store
    client: VendorClient
    settings: Settings
    now_ms: int
    cancel: threading.Event
    note: Callable[[str], None] = lambda message: None
    users: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)  # vendor ids -> names, from the directory

    @property
    def today(self) -> date:
        return datetime.fromtimestamp(self.now_ms / 1000, timezone.utc).date()

    @property
    def now_iso(self) -> str:
        """The run's clock as our bookkeeping timestamps are written (``store.utc_now``)."""
        return datetime.fromtimestamp(self.now_ms / 1000, timezone.utc).isoformat(timespec="seconds")

    def check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Cancelled(f"{self.client.name}: sync cancelled")


class Provider(ABC):
    """A vendor: its identity, limits, streams and the calls the engine makes."""

    name: str = ""
    base_url: str = ""
    per_minute: int = 60
    headers: dict[str, str] = {}
    permissions: dict[int, str] = {}
    streams: tuple[Stream, ...] = ()

    @abstractmethod
    def auth_headers(self, key: str) -> dict[str, str]:
        """The headers that carry the key (each vendor has its own scheme)."""

    def client(
        self, secret: Secret, settings: Settings, options: HttpOptions | None, cancel: threading.Event
    ) -> VendorClient:
        """A client on ``SPENDTUI_<P>_BASE_URL`` (tests, proxies) or the vendor's URL."""
        return VendorClient(
            self.name,
            os.environ.get(BASE_URL_ENV[self.name]) or self.base_url,
            secret,
            auth_headers=self.auth_headers,
            permissions=self.permissions,
            per_minute=settings.provider(self.name).requests_per_minute or self.per_minute,
            options=options,
            cancel=cancel,
            headers=self.headers,
        )

    @abstractmethod
    def check(self, client: VendorClient) -> str:
        """One cheap call that proves the key works and may read usage; returns what it saw."""

    @abstractmethod
    def directory(self, run: Run) -> None:
        """Write accounts (and seats, snapshots) before the streams, so facts find their labels."""

    @abstractmethod
    def fetch(self, run: Run, stream: Stream, start_ms: int, end_ms: int) -> list[Part]:
        """The stream's records in [start_ms, end_ms): all pages of the window, normalised."""


# -- time ------------------------------------------------------------------------------------------
def utc_day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).date().isoformat()


def day_ms(day: str | date) -> int:
    """Epoch ms of a UTC day's midnight."""
    value = date.fromisoformat(day) if isinstance(day, str) else day
    return int(datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp() * 1000)


def floor_day(ms: int) -> int:
    return ms - ms % DAY_MS


def window_days(start_ms: int, end_ms: int) -> tuple[str, str]:
    """The first and last UTC day a window [start, end) touches."""
    return utc_day(start_ms), utc_day(end_ms - 1)


def days_between(first: str, last: str) -> list[str]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def rfc3339(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- records ---------------------------------------------------------------------------------------
def cents_nano(value: Any) -> int:
    """``money.cents_to_nano`` with a fast exact path for the JSON numbers a backfill parses by millions.

    A float is ``N / 1e7`` cents for some integer ``N`` exactly when ``round(x * 1e7) / 1e7 == x``
    (below 1e8 cents decimals of 7 places are more than an ulp apart, so no other 7-place decimal,
    and hence not the float's shortest repr either, maps to ``x``): then ``N`` is what
    ``Decimal(repr(x))`` would give. Anything else takes the Decimal road.
    """
    kind = type(value)
    if kind is int:
        return value * 10_000_000
    if kind is float and -1e8 < value < 1e8:
        nano = round(value * 10_000_000)
        if nano / 10_000_000 == value:
            return nano
    return cents_to_nano(decimal_of(value))


def keyed(facts: list[dict], keys: list[str]) -> list[dict]:
    """Give each fact its natural key, with an occurrence index (``with_occurrence``)."""
    for fact, key in zip(facts, with_occurrence(keys), strict=True):
        fact["key"] = key
    return facts


def decimal_of(value: Any) -> Decimal:
    """A JSON number or numeric string as an exact Decimal (a float through its repr, as money.py does)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            pass
    raise ShapeError(f"not a number: {value!r:.80}")


def within_days(facts: list[dict], first: str, last: str) -> list[dict]:
    """Only the facts of days ``first`` .. ``last``: a vendor that answers more must not widen a window."""
    return [f for f in facts if first <= f["day"] <= last]


def id_cursor_pages(run: Run, path: str, params: dict, after_param: str, max_pages: int = 10_000) -> list[dict]:
    """A directory list paged by id cursor: ``<after_param>=<last_id>`` while ``has_more``."""
    items: list[dict] = []
    after = None
    for _ in range(max_pages):
        query = {**params, **({after_param: after} if after else {})}
        body = run.client.get(path, query, shape=paged_list_shape("data"))
        items.extend(i for i in body["data"] if isinstance(i, dict))
        after = body.get("last_id")
        if not body.get("has_more") or not after:
            break
        run.check_cancel()
    return items


def report_pages(run: Run, path: str, params: list[tuple[str, Any]], max_pages: int = 10_000) -> list[dict]:
    """Every bucket of a report: the identical request again with ``page=<next_page>`` while ``has_more``."""
    data: list[dict] = []
    page = None
    for _ in range(max_pages):
        body = run.client.get(path, params + ([("page", page)] if page else []), shape=report_shape)
        data.extend(body["data"])
        page = body.get("next_page")
        if not body["has_more"] or not page:
            break
        run.check_cancel()
    return data


def report_shape(body: Any) -> bool:
    """Anthropic and OpenAI reports: ``data`` (buckets) and ``has_more``."""
    return isinstance(body, dict) and isinstance(body.get("data"), list) and isinstance(body.get("has_more"), bool)


def paged_list_shape(key: str) -> Callable[[Any], bool]:
    """Shape check of a list answer: a dict holding a list under ``key``."""
    return lambda body: isinstance(body, dict) and isinstance(body.get(key), list)
