"""Cursor's team Admin API (reference: cursor.md sections 1-5 and 8): client calls and normalisers.

- ``GET /teams/members`` (bare array, ``teamMembers`` without ids, ``teamMembers`` with ``id`` and
  ``isRemoved``) -> ``user`` accounts and the seat roster.
- ``POST /teams/spend`` (paged, current billing cycle only) -> one snapshot per cycle per UTC day in
  ``cursor_spend_snapshots``; every shape's total/on-demand/included is worked out here.
- ``POST /teams/daily-usage-data`` (paged by user, windows of at most 30 days) -> ``cursor.daily``:
  per user-day request counts, estimated (× config ``request_price`` when set).
- ``POST /teams/filtered-usage-events`` (paged newest first, 1-day windows) -> ``cursor.events``:
  one fact per event, billed amount ``chargedCents`` or ``totalCents + cursorTokenFee``.

Auth is Basic with the key as user name and an empty password; money is in (fractional) cents.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any

from spendtui.gcpause import gc_paused
from spendtui.importers.keys import cursor_category, cursor_kind_class, normalize_cursor_model
from spendtui.money import cents_to_nano
from spendtui.providers.base import (
    DAY_MS,
    Part,
    Provider,
    Run,
    ShapeError,
    Stream,
    cents_nano,
    day_ms,
    decimal_of,
    paged_list_shape,
    utc_day,
    window_days,
)
from spendtui.providers.http import VendorClient
from spendtui.providers.records import Account, write_accounts, write_roster_seats
from spendtui.store import Store
from spendtui.store.facts import Columns
from spendtui.store.identity import normalize_email

EVENTS = Stream("cursor.events", day_buckets=False, window_days=1, stop_after_empty=7)
DAILY = Stream("cursor.daily", day_buckets=True, window_days=30, stop_after_empty=7)
EVENTS_SOURCE = "cursor.api.events"
DAILY_SOURCE = "cursor.api.daily"
ROSTER_SOURCE = "cursor.api.members"
SEAT_PLAN = "cursor-team"
EVENTS_PAGE_SIZE = 1000
DAILY_PAGE_SIZE = 100
SPEND_PAGE_SIZE = 100
MAX_PAGES = 100_000  # a vendor that says "next page" forever must not hold a sync forever

# daily-usage counter -> (kind, category) of the estimated fact it becomes
DAILY_COUNTERS = (
    ("usageBasedReqs", "Usage-based", "overage"),
    ("subscriptionIncludedReqs", "Included", "included"),
    ("apiKeyReqs", "User API Key", "none"),
)


def event_amount_nano(event: dict) -> int | None:
    """``chargedCents``, else ``totalCents + cursorTokenFee``; None when the event carries no money."""
    charged = event.get("chargedCents")
    if charged is not None:
        return cents_nano(charged)
    total = (event.get("tokenUsage") or {}).get("totalCents")
    fee = event.get("cursorTokenFee")
    if total is None and fee is None:
        return None
    return cents_to_nano(decimal_of(total or 0) + decimal_of(fee or 0))


_EVENT_COLUMNS = (
    "key", "ts_ms", "day", "email", "model", "kind", "category", "amount_nano", "requests",
    "tok_in", "tok_cache_write", "tok_cache_read", "tok_out", "attrs",
)  # fmt: skip
_NO_USAGE: dict = {}
# (maxMode, isHeadless) -> attrs: the only event details kept beyond the fact's columns
_FLAGS = {
    (False, False): None,
    (True, False): '{"max_mode": true}',
    (False, True): '{"headless": true}',
    (True, True): '{"max_mode": true, "headless": true}',
}


def normalise_events(pages: Iterable[list[dict]], start_ms: int | None = None, end_ms: int | None = None):
    """Pages of events -> ``Columns`` of ``cursor.events`` facts (only those inside [start_ms, end_ms)).

    This is the hot loop of a backfill (millions of events): plain lists (a tuple per event would be
    one more object for the cycle collector to scan), email, model, kind and day looked up once per
    distinct value, exact integer cents, and columns the fact writer reads as they are. The cycle
    collector is held from a page's parse until its dicts are freed, so it never scans them: it used
    to run once a page and promote each page's dicts to older generations (a year's backfill for
    2,000 people: 1.7 -> 0.7 CPU-s in the collector).
    """
    low = start_ms if start_ms is not None else -(2**63)
    high = end_ms if end_ms is not None else 2**63
    columns: dict[str, list] = {name: [] for name in _EVENT_COLUMNS}
    (keys, stamps, days, emails, models, kinds, categories, amounts, requests, tok_ins, tok_cache_writes,
     tok_cache_reads, tok_outs, attrs) = (columns[name].append for name in _EVENT_COLUMNS)  # fmt: skip
    seen: dict[str, int] = {}
    email_of: dict[str, str] = {}
    model_of: dict[str, str] = {}
    day_of: dict[int, str] = {}  # UTC day number -> "YYYY-MM-DD", so the writer need not convert each instant
    kind_of: dict[str, tuple[str, int]] = {}  # kinds whose class does not depend on the amount
    accounts: list[tuple[int, str, str | None]] = []
    pages = iter(pages)
    while True:
        with gc_paused():
            page = next(pages, None)
            if page is None:
                break
            for event in page:
                get = event.get
                try:
                    ts = int(event["timestamp"])
                    kind = event["kind"]
                    email = get("userEmail") or ""
                    usage = get("tokenUsage") or _NO_USAGE
                    tok_in = int(usage.get("inputTokens") or 0)
                    tok_cache_write = int(usage.get("cacheWriteTokens") or 0)
                    tok_cache_read = int(usage.get("cacheReadTokens") or 0)
                    tok_out = int(usage.get("outputTokens") or 0)
                    model = get("model") or ""
                    normalised = model_of.get(model)
                    if normalised is None:
                        normalised = model_of[model] = normalize_cursor_model(model)
                    who = email_of.get(email)
                    if who is None:
                        who = email_of[email] = normalize_email(email)
                except (KeyError, TypeError, ValueError, AttributeError):
                    problem = f"Cursor usage event with an unreadable timestamp, kind or tokens: {event!r:.160}"
                    raise ShapeError(problem) from None
                if ts < low or ts >= high:
                    continue
                # cursor_event_key(), inlined (email and model are normalised above), with its occurrence index
                prefix = f"{ts}|{who}|{normalised}|{tok_in}|{tok_cache_write}|{tok_cache_read}|{tok_out}"
                occurrence = seen.get(prefix, 0)
                seen[prefix] = occurrence + 1
                charged = get("chargedCents")
                amount = cents_nano(charged) if charged is not None else event_amount_nano(event)
                # by the kind, as a CSV row of the event is (never by isChargeable: true even on errors)
                known = kind_of.get(kind)
                if known is None:
                    known = cursor_kind_class(kind)
                    if known is not None:
                        kind_of[kind] = known
                category, count = known if known is not None else cursor_category(kind, amount)
                if not email:
                    # 2026 events of service accounts may carry no user: keep them on the service account.
                    accounts.append((len(columns["key"]), get("serviceAccountId") or "unknown", get("serviceAccountName")))
                number = ts // DAY_MS
                day = day_of.get(number)
                if day is None:
                    day = day_of[number] = utc_day(number * DAY_MS)
                keys(f"{prefix}|{occurrence}")
                stamps(ts)
                days(day)
                emails(email or None)
                models(normalised)
                kinds(kind)
                categories(category)
                amounts(amount)
                requests(count)
                tok_ins(tok_in)
                tok_cache_writes(tok_cache_write)
                tok_cache_reads(tok_cache_read)
                tok_outs(tok_out)
                attrs(_FLAGS[bool(get("maxMode")), bool(get("isHeadless"))])
            page = event = get = usage = None  # the page's dicts are freed here, before the collector may run
    size = len(columns["key"])
    if accounts:
        account_kinds, account_ids, account_labels = [None] * size, [None] * size, [None] * size
        for index, account_id, label in accounts:
            account_kinds[index], account_ids[index], account_labels[index] = "service_account", account_id, label
        columns |= {"account_kind": account_kinds, "account_id": account_ids, "account_label": account_labels}
    columns["product"] = ["cursor"] * size
    return Columns(columns)


_DAILY_COLUMNS = ("key", "day", "email", "account_kind", "account_id", "model", "kind", "category", "amount_nano",
                  "requests")  # fmt: skip


def normalise_daily(
    rows: Iterable[dict], request_price_nano: int | None, first: str | None = None, last: str | None = None
):
    """Daily usage rows -> a DataFrame of estimated ``cursor.daily`` facts, one per user-day and request kind.

    The rows carry no money: with a configured ``request_price`` the estimate is requests × price,
    else only the request counts are kept. Zero counters (inactive days) add nothing. Columns, not
    dicts: a 30-day window of a large team is hundreds of thousands of facts.
    """
    import pandas as pd

    columns: dict[str, list] = {name: [] for name in _DAILY_COLUMNS}
    add = [columns[name].append for name in _DAILY_COLUMNS]
    for row in rows:
        day = row.get("day") or (utc_day(int(row["date"])) if row.get("date") is not None else None)
        if not isinstance(day, str):
            raise ShapeError(f"Cursor daily usage row without day or date: {row!r:.200}")
        if (first and day < first) or (last and day > last):
            continue
        email = row.get("email") or None
        user_id = row.get("userId")
        if not email and not user_id:
            raise ShapeError(f"Cursor daily usage row without email or userId: {row!r:.200}")
        who = email.strip().lower() if email else f"id:{user_id}"
        account = (None, None) if email else ("user_id", user_id)
        model = normalize_cursor_model(row.get("mostUsedModel") or "")
        for counter, kind, category in DAILY_COUNTERS:
            count = int(row.get(counter) or 0)
            if count <= 0:
                continue
            priced = request_price_nano is not None and category != "none"
            values = (f"{day}|{who}|{kind}", day, email, *account, model, kind, category,
                      count * request_price_nano if priced else None, count)  # fmt: skip
            for append, value in zip(add, values, strict=True):
                append(value)
    frame = pd.DataFrame(columns, dtype=object)
    frame["product"] = "cursor"
    frame["estimated"] = 1
    return frame


@dataclass(frozen=True)
class Member:
    email: str
    name: str | None
    user_id: str | None
    role: str | None
    removed: bool


def normalise_members(body: Any) -> list[Member]:
    """All three shapes: a bare array (2025), ``teamMembers`` without ids, ``teamMembers`` with ids."""
    rows = body if isinstance(body, list) else body.get("teamMembers") if isinstance(body, dict) else None
    if not isinstance(rows, list):
        raise ShapeError("Cursor /teams/members answered neither a list nor teamMembers")
    members = []
    for row in rows:
        email = row.get("email") if isinstance(row, dict) else None
        if not isinstance(email, str) or not email.strip():
            continue  # a member row without an email cannot be joined to anything
        role = row.get("role")
        members.append(
            Member(
                email=email.strip().lower(),
                name=row.get("name") or None,
                user_id=row.get("id"),
                role=role,
                removed=bool(row.get("isRemoved")) or role == "removed",
            )
        )
    return members


@dataclass(frozen=True)
class SpendRow:
    email: str
    on_demand_nano: int | None
    included_nano: int | None
    total_nano: int | None
    limit_dollars: int | None
    raw: str


def normalise_spend(member: dict) -> SpendRow:
    """One ``teamMemberSpend`` row in any shape (cursor.md 3.3): total, on-demand and included.

    2026: ``spendCents`` is on-demand and ``overallSpendCents`` the total. Feb 2026: no overall,
    total = ``spendCents + includedSpendCents``. 2025: ``spendCents`` was all the spend there was.
    """
    spend = member.get("spendCents")
    included = member.get("includedSpendCents")
    overall = member.get("overallSpendCents")
    on_demand = decimal_of(spend) if spend is not None else None
    if overall is not None:
        total = decimal_of(overall)
        included_value = (
            decimal_of(included) if included is not None else (total - on_demand if on_demand is not None else None)
        )
    elif included is not None:
        included_value = decimal_of(included)
        total = (on_demand or 0) + included_value
    else:
        total, included_value = on_demand, None
    limit = member.get("effectivePerUserLimitDollars")
    if limit is None:
        limit = member.get("monthlyLimitDollars")
    if limit is None and member.get("hardLimitOverrideDollars"):
        limit = member.get("hardLimitOverrideDollars")  # 0 means "no override"
    return SpendRow(
        email=str(member.get("email") or "").strip().lower(),
        on_demand_nano=cents_to_nano(on_demand) if on_demand is not None else None,
        included_nano=cents_to_nano(included_value) if included_value is not None else None,
        total_nano=cents_to_nano(total) if total is not None else None,
        limit_dollars=int(limit) if limit is not None else None,
        raw=json.dumps(member, sort_keys=True),
    )


def write_spend_snapshot(store: Store, cycle_start_ms: int, rows: list[SpendRow], fetched_at: str) -> None:
    """Keep one snapshot per billing cycle per UTC day: the latest fetch of the day replaces earlier ones.

    ``/teams/spend`` only ever shows the current cycle, so these snapshots are the cycle history.
    """
    from spendtui.store.identity import person_ids

    with store.transaction() as conn:
        people = person_ids(store, [r.email for r in rows if r.email])
        conn.execute(
            "DELETE FROM cursor_spend_snapshots WHERE cycle_start_ms = ? AND substr(fetched_at, 1, 10) = ?",
            (cycle_start_ms, fetched_at[:10]),
        )
        conn.executemany(
            """INSERT INTO cursor_spend_snapshots(cycle_start_ms, fetched_at, person_id, email, on_demand_nano,
                                                  included_nano, total_nano, limit_dollars, raw)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    cycle_start_ms,
                    fetched_at,
                    people.get(r.email),
                    r.email,
                    r.on_demand_nano,
                    r.included_nano,
                    r.total_nano,
                    r.limit_dollars,
                    r.raw,
                )
                for r in rows
                if r.email
            ],
        )


def _events_shape(body: Any) -> bool:
    return isinstance(body, dict) and (
        isinstance(body.get("usageEvents"), list)
        or ("usageEvents" not in body and body.get("totalUsageEventsCount") == 0)
    )


def _members_shape(body: Any) -> bool:
    return isinstance(body, list) or (isinstance(body, dict) and isinstance(body.get("teamMembers"), list))


class Cursor(Provider):
    name = "cursor"
    base_url = "https://api.cursor.com"
    per_minute = 20  # documented Admin API limit, per team and minute
    headers = {"Content-Type": "application/json"}
    permissions = {
        401: "a valid Cursor team Admin API key (Dashboard → Settings → Advanced → Admin API Keys)",
        403: "Admin API access for the team (Cursor grants it to Enterprise teams)",
    }
    streams = (EVENTS, DAILY)

    def auth_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}

    def check(self, client: VendorClient) -> str:
        members = normalise_members(client.get("/teams/members", shape=_members_shape))
        return f"{len(members)} members"

    def directory(self, run: Run) -> None:
        members = normalise_members(run.client.get("/teams/members", shape=_members_shape))
        write_accounts(
            run.store,
            self.name,
            [
                Account(
                    "user",
                    m.email,
                    m.name,
                    m.email,
                    "removed" if m.removed else "active",
                    {k: v for k, v in (("id", m.user_id), ("role", m.role)) if v},
                )
                for m in members
            ],
        )
        opened, closed = write_roster_seats(
            run.store, self.name, SEAT_PLAN, [(m.email, not m.removed) for m in members], run.today, ROSTER_SOURCE
        )
        run.users.update(m.email for m in members)
        run.note(f"{len(members)} members ({opened} seats opened, {closed} closed)")
        run.check_cancel()
        cycle, rows = self._spend(run)
        if cycle is not None:
            write_spend_snapshot(run.store, cycle, rows, run.now_iso)
            run.note(f"spend snapshot of the cycle from {utc_day(cycle)}: {len(rows)} members")

    def _spend(self, run: Run) -> tuple[int | None, list[SpendRow]]:
        rows: list[SpendRow] = []
        cycle = None
        page = 1
        while page <= MAX_PAGES:
            body = run.client.post(
                "/teams/spend", {"page": page, "pageSize": SPEND_PAGE_SIZE}, shape=paged_list_shape("teamMemberSpend")
            )
            rows.extend(normalise_spend(m) for m in body["teamMemberSpend"] if isinstance(m, dict))
            if body.get("subscriptionCycleStart") is not None:
                cycle = int(body["subscriptionCycleStart"])
            if page >= int(body.get("totalPages") or 1) or not body["teamMemberSpend"]:
                break
            page += 1
            run.check_cancel()
        return cycle, rows

    def fetch(self, run: Run, stream: Stream, start_ms: int, end_ms: int) -> list[Part]:
        if stream is EVENTS:
            pages = self._batches(
                run,
                "/teams/filtered-usage-events",
                {"startDate": start_ms, "endDate": end_ms - 1},
                EVENTS_PAGE_SIZE,
                "usageEvents",
                _events_shape,
            )
            frame = normalise_events(pages, start_ms, end_ms)
            run.users.update(e.strip().lower() for e in set(frame["email"]) if e)
            return [Part(EVENTS_SOURCE, frame, events=len(frame))]
        first, last = window_days(start_ms, end_ms)
        rows = self._pages(
            run,
            "/teams/daily-usage-data",
            {"startDate": day_ms(first), "endDate": day_ms(last) + DAY_MS - 1},
            DAILY_PAGE_SIZE,
            "data",
            paged_list_shape("data"),
        )
        facts = normalise_daily(rows, run.settings.provider(self.name).request_price_nano, first, last)
        run.users.update(e.strip().lower() for e in set(facts["email"]) if e)
        return [Part(DAILY_SOURCE, facts)]

    def _pages(self, run: Run, path: str, body: dict, page_size: int, key: str, shape) -> Iterator[dict]:
        """Every record of a paged POST (1-based ``page``, ``hasNextPage`` in ``pagination``), page by
        page as the caller consumes them, so a window's raw answers are never all held at once.
        Chained in C: a generator resumed per record cost ~0.3 us of each of a backfill's millions."""
        return chain.from_iterable(self._batches(run, path, body, page_size, key, shape))

    def _batches(self, run: Run, path: str, body: dict, page_size: int, key: str, shape) -> Iterator[list]:
        for page in range(1, MAX_PAGES + 1):
            answer = run.client.post(path, {**body, "page": page, "pageSize": page_size}, shape=shape)
            more = bool(answer.get(key)) and bool((answer.get("pagination") or {}).get("hasNextPage"))
            yield answer.pop(key, None) or []  # not kept here: the consumer decides when a page is freed
            if not more:
                break
            run.check_cancel()


PROVIDER = Cursor()
