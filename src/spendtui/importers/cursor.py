"""Cursor CSV exports (cursor.md section 6): usage events, the legacy analytics export, spend per user."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from spendtui.importers.base import Context, Format, Output, Staged, keyed
from spendtui.importers.keys import cursor_category, normalize_cursor_model
from spendtui.importers.table import (
    ImportFileError,
    Table,
    counts,
    days,
    emails,
    flags,
    instants_ms,
    is_no_amount,
    json_attrs,
    map_distinct,
    money,
    records,
    text,
    utc_days,
)
from spendtui.money import MoneyError, parse_dollars
from spendtui.periods import add_months, month_bounds

PRODUCT = "cursor"
TOKENS = ("Input (w/o Cache Write)", "Input (w/ Cache Write)", "Cache Read", "Output Tokens")

# -- usage events export (6.1) ---------------------------------------------------------------------

EVENT_VARIANTS = (
    ("v4 team", '"Date","User","Cloud Agent ID","Automation ID","Kind","Model","Max Mode","Input (w/ Cache Write)",'
                '"Input (w/o Cache Write)","Cache Read","Output Tokens","Total Tokens","Cost"'),
    ("v3 individual", "Date,Cloud Agent ID,Automation ID,Kind,Model,Max Mode,Input (w/ Cache Write),"
                      "Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,Cost"),
    ("v2 team", "Date,User,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,"
                "Output Tokens,Total Tokens,Cost"),
    ("v2 individual", "Date,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,"
                      "Output Tokens,Total Tokens,Cost"),
    ("Requests variant", "Date,User,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache Write),"
                         "Cache Read,Output Tokens,Total Tokens,Requests"),
    ("v1", "Date,Model,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,"
           "Cost,Cost to you"),
    ("summary variant", "Date,User,Kind,Max Mode,Model,Tokens,Cost ($)"),
)  # fmt: skip


def _event_variant(names: set[str]) -> str:
    if "tokens" in names and "input (w/o cache write)" not in names:
        return "summary variant"
    if "cost to you" in names:
        return "v1"
    if "requests" in names and "cost" not in names:
        return "Requests variant"
    team = "user" in names
    if "cloud agent id" in names:
        return "v4 team" if team else "v3 individual"
    return "v2 team" if team else "v2 individual"


def _event_users(table: Table, context: Context) -> np.ndarray:
    """Whose events: the User column, or --user for an individual export (no User column, or ``You``)."""
    column = table.column("User")
    if column is None:
        if context.user is None:
            raise ImportFileError(
                f"{table.path.name}: this individual export has no User column; say whose it is with --user EMAIL"
            )
        return np.full(len(table), context.user, dtype=object)

    def parse(value: str) -> str:
        email = value.strip().lower()
        if email == "you":
            if context.user is None:
                raise ValueError("an individual export names its owner 'You'; say who that is with --user EMAIL")
            return context.user
        if not email or "@" not in email:
            raise ValueError("not an email address")
        return email

    return map_distinct(table, column, parse)


def _event_tokens(table: Table) -> tuple[list[np.ndarray], list[tuple]]:
    """The four disjoint token buckets (in, cache write, cache read, out) and attrs for odd rows.

    Current exports write disjoint buckets whose sum is ``Total Tokens``. When the sum does not match
    but ``w/o + read + output`` does and ``w/ >= w/o``, the file uses the legacy reading where
    ``w/`` includes ``w/o`` (cursor.md 6.1 rule 1); the raw cells are kept in attrs either way.
    """
    n = len(table)
    if table.column(*TOKENS) is None:  # the summary variant: one total, no split
        total = counts(table, table.column("Tokens"))
        zero = np.zeros(n, dtype=np.int64)
        return [total, zero, zero.copy(), zero.copy()], [("tokens_total_only", total > 0, True)]
    uncached, written, read, out = (counts(table, table.column(name)) for name in TOKENS)
    total_column = table.column("Total Tokens")
    if total_column is None:
        return [uncached, written, read, out], []
    total = counts(table, total_column)
    disjoint = uncached + written + read + out == total
    legacy = ~disjoint & (uncached + read + out == total) & (written >= uncached)
    odd = ~disjoint
    attrs = []
    if odd.any():
        raw = {name: table.frame[table.column(name)].to_numpy() for name in (*TOKENS, "Total Tokens")}
        raw_tokens = np.empty(n, dtype=object)
        for position in np.flatnonzero(odd):
            raw_tokens[position] = {name: values[position] for name, values in raw.items()}
        attrs.append(("tokens_raw", odd, raw_tokens))
        written = np.where(legacy, written - uncached, written)
    return [uncached, written, read, out], attrs


def parse_events(table: Table, context: Context) -> Staged:
    n = len(table)
    ts_ms = instants_ms(table, table.column("Date"))
    email = _event_users(table, context)
    model = map_distinct(table, table.column("Model"), normalize_cursor_model)
    kind = text(table, table.column("Kind"))
    cost_column = table.column("Cost", "Cost ($)")
    amount = money(table, cost_column)
    (tok_in, cache_write, cache_read, tok_out), attrs = _event_tokens(table)

    category = np.empty(n, dtype=object)
    requests = np.ones(n, dtype=np.int64)
    to_you = table.column("Cost to you")
    if to_you is not None:  # v1: no Kind; "Cost to you" is what was billed, "Cost" the value at API prices
        charged = money(table, to_you)
        billed = (charged.fillna(0) != 0).to_numpy(dtype=bool)
        valued = ~amount.isna()
        category[:] = np.where(billed, "overage", np.where(valued, "included", "none"))
        amount = pd.array(
            np.where(billed, charged.to_numpy(dtype=object), amount.to_numpy(dtype=object)), dtype="Int64"
        )
        attrs.append(("cost", billed, table.frame[cost_column].to_numpy()))
    else:  # one cursor_category() call per (kind, carries a cost) pair, not per row
        carries = (amount.fillna(0) != 0).to_numpy(dtype=bool)
        kind_codes, _ = pd.factorize(pd.Series(kind, dtype=object), use_na_sentinel=False)
        pairs = kind_codes * 2 + carries
        for pair in np.unique(pairs):
            here = pairs == pair
            category[here], requests[here] = cursor_category(kind[np.argmax(here)], int(pair % 2))
    if cost_column is not None:
        attrs.append(("cost", is_no_amount(table, cost_column), table.frame[cost_column].to_numpy()))
    for name, label in (("Requests", "request_units"), ("Cloud Agent ID", "cloud_agent_id"),
                        ("Automation ID", "automation_id")):  # fmt: skip
        column = table.column(name)
        if column is not None:
            values = text(table, column)
            attrs.append((label, np.not_equal(values, None), values))
    if table.column("Max Mode") is not None:
        attrs.append(("max_mode", flags(table, table.column("Max Mode")), True))

    # cursor_event_key(..., occurrence=0), vectorised (email and model are normalised above); lists zip fastest
    key = [
        f"{t}|{e}|{m}|{a}|{b}|{c}|{d}|0"
        for t, e, m, a, b, c, d in zip(
            ts_ms.tolist(), email.tolist(), model.tolist(), tok_in.tolist(), cache_write.tolist(),
            cache_read.tolist(), tok_out.tolist(),
        )
    ]  # fmt: skip
    rows = records(
        {
            "key": np.array(key, dtype=object),
            "ts_ms": ts_ms,
            "day": utc_days(ts_ms),
            "email": email,
            "model": model,
            "kind": kind,
            "category": category,
            "amount_nano": amount,
            "requests": requests,
            "tok_in": tok_in,
            "tok_cache_write": cache_write,
            "tok_cache_read": cache_read,
            "tok_out": tok_out,
            "attrs": json_attrs(n, attrs),
        }
    )
    return Staged(rows)


def finish_events(rows: pd.DataFrame, context: Context) -> list[Output]:
    if rows.empty:
        return []
    rows = keyed(rows)
    rows["product"] = PRODUCT
    return [Output("cursor", "cursor.events", "cursor.csv.events", rows)]


EVENTS = Format(
    name="cursor-events",
    provider="cursor",
    title="Cursor usage events export (Dashboard > Usage > Export CSV)",
    required=(("Date",), ("Model",), ("Output Tokens", "Tokens"), ("Cost", "Cost ($)", "Requests", "Cost to you")),
    variants=EVENT_VARIANTS,
    parse=parse_events,
    finish=finish_events,
    variant_of=_event_variant,
)

# -- analytics export (6.2) ------------------------------------------------------------------------

ANALYTICS_HEADER = (
    "Date,User ID,Email,Is Active,Chat Suggested Lines Added,Chat Suggested Lines Deleted,Chat Accepted Lines Added,"
    "Chat Accepted Lines Deleted,Chat Total Applies,Chat Total Accepts,Chat Total Rejects,Chat Tabs Shown,"
    "Tabs Accepted,Edit Requests,Ask Requests,Agent Requests,Cmd+K Usages,Subscription Included Reqs,"
    "API Key Reqs,Usage Based Reqs,Bugbot Usages,Most Used Model,Most Used Apply Extension,"
    "Most Used Tab Extension,Client Version"
)
# request column -> (kind, category, priced with request_price)
_ANALYTICS_REQUESTS = (
    (("Subscription Included Reqs",), "Included", "included", True),
    (("Usage Based Reqs", "Usage-Based Reqs"), "On-Demand", "overage", True),
    (("API Key Reqs",), "User API Key", "none", False),
)


def parse_analytics(table: Table, context: Context) -> Staged:
    """One estimated record per user-day and request class: requests, and money only at a configured price.

    The export has no money (cursor.md 6.2); ``[providers.cursor] request_price`` turns request counts
    into estimates. Rows whose Email has no ``@`` (summary rows) are skipped.
    """
    price = context.settings.provider("cursor").request_price_nano
    if price is None:
        context.note("the analytics export has no money; set [providers.cursor] request_price to estimate it")
    email_column = table.column("Email")
    person = map_distinct(table, email_column, lambda v: "@" in v).astype(bool)
    table = Table(table.path, table.frame[person], table.lines)
    day = days(table, table.column("Date"))
    email = emails(table, email_column)
    most_used = table.column("Most Used Model")
    if most_used:
        model = map_distinct(table, most_used, normalize_cursor_model)
    else:
        model = np.full(len(table), "", dtype=object)
    parts = []
    for names, kind, category, priced in _ANALYTICS_REQUESTS:
        requests = counts(table, table.column(*names))
        used = requests > 0
        amount = pd.array(requests[used] * price if (priced and price is not None) else [None] * int(used.sum()),
                          dtype="Int64")  # fmt: skip
        parts.append(
            pd.DataFrame(
                {
                    "key": [f"{d}|{e}|{category}|0" for d, e in zip(day[used], email[used])],
                    "day": day[used],
                    "email": email[used],
                    "model": model[used],
                    "kind": kind,
                    "category": category,
                    "estimated": 1,
                    "amount_nano": amount,
                    "requests": requests[used],
                }
            )
        )
    rows = pd.concat(parts, ignore_index=True)
    active = np.zeros(len(table), dtype=bool)
    for names, *_ in _ANALYTICS_REQUESTS:
        active |= counts(table, table.column(*names)) > 0
    return Staged(rows, ignored=int((~person).sum() + (~active).sum()))


def finish_analytics(rows: pd.DataFrame, context: Context) -> list[Output]:
    if rows.empty:
        return []
    rows = keyed(rows)
    rows["product"] = PRODUCT
    return [Output("cursor", "cursor.daily", "cursor.csv.analytics", rows, day_buckets=True)]


ANALYTICS = Format(
    name="cursor-analytics",
    provider="cursor",
    title="Cursor analytics report export, daily per user (legacy team dashboard)",
    required=(("Date",), ("Email",), ("Subscription Included Reqs",), ("Usage Based Reqs", "Usage-Based Reqs"),
              ("API Key Reqs",)),  # fmt: skip
    variants=(("25 columns", ANALYTICS_HEADER),),
    parse=parse_analytics,
    finish=finish_analytics,
)

# -- spend per user (6.3, app-defined) -------------------------------------------------------------


def spend_period(value: str) -> tuple[str, str]:
    """``YYYY-MM`` is that calendar month; ``YYYY-MM-DD`` a billing cycle of one month from that day."""
    raw = value.strip()
    try:
        if len(raw) == 7:
            first, last = month_bounds(raw)
            return first.isoformat(), last.isoformat()
        start = date.fromisoformat(raw)
    except ValueError:
        raise ValueError("not a period (YYYY-MM, or YYYY-MM-DD for a billing cycle's first day)") from None
    following = add_months(start, 1)
    month_end = add_months(following, 1) - timedelta(days=1)
    end = following.replace(day=min(start.day, month_end.day)) - timedelta(days=1)
    return start.isoformat(), end.isoformat()


def _spend(value: str) -> int:
    try:
        amount = parse_dollars(value)
    except MoneyError:
        amount = None
    if amount is None:
        raise ValueError("not an amount in dollars")
    return amount


def parse_spend(table: Table, context: Context) -> Staged:
    periods = map_distinct(table, table.column("period"), spend_period)
    rows = pd.DataFrame(
        {
            "record": table.frame.index.to_numpy(),
            "email": emails(table, table.column("email")),
            "period_from": [p[0] for p in periods],
            "period_to": [p[1] for p in periods],
            "amount_nano": pd.array(map_distinct(table, table.column("spend"), _spend), dtype="Int64"),
        }
    )
    return Staged(rows)


def finish_spend(rows: pd.DataFrame, context: Context) -> list[Output]:
    """Spend per person and period; the same person in overlapping periods of one file is refused."""
    if rows.empty:
        return []
    ordered = rows.sort_values(["email", "period_from", "record"])
    same = ordered["email"].to_numpy()[1:] == ordered["email"].to_numpy()[:-1]
    overlap = same & (ordered["period_from"].to_numpy()[1:] <= ordered["period_to"].to_numpy()[:-1])
    if overlap.any():
        position = int(np.flatnonzero(overlap)[0]) + 1
        record = int(ordered["record"].iloc[position])
        raise context.fail_record(
            record, f"{ordered['email'].iloc[position]} has a period that overlaps another row of the file"
        )
    rows = rows.drop(columns="record")
    rows["key"] = [f"{a}|{b}|{e}" for a, b, e in zip(rows["period_from"], rows["period_to"], rows["email"])]
    rows["product"] = PRODUCT
    rows["category"] = "overage"
    return [Output("cursor", "cursor.spend_by_user", "cursor.csv.spend_by_user", rows, period=True)]


SPEND = Format(
    name="cursor-spend",
    provider="cursor",
    title="Spend per user and period (app-defined, cursor.md 6.3): period YYYY-MM or cycle start YYYY-MM-DD",
    required=(("email",), ("period",), ("spend",)),
    variants=(("email,period,spend", "email,period,spend"),),
    parse=parse_spend,
    finish=finish_spend,
)

FORMATS = (EVENTS, ANALYTICS, SPEND)
