"""OpenAI dashboard CSV exports (openai.md 7.1-7.2): the cost export and the ``<type>_usage_`` exports."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from spendtui.importers.base import Context, Format, Staged, api_day_buckets, pick_account
from spendtui.importers.table import (
    Table,
    counts,
    emails,
    instants_ms,
    json_columns,
    map_distinct,
    money,
    text,
    unix_seconds_ms,
    utc_days,
)

TIME_COLUMNS = ("start_time", "end_time", "start_time_iso", "end_time_iso")
COST_HEADER = (
    "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,"
    "user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source"
)
USAGE_HEADER = "start_time,end_time,start_time_iso,end_time_iso,... (the flattened API result fields)"
# Grouping fields of the usage API (openai.md 3): they tell records apart. Everything else is a measure.
USAGE_DIMENSIONS = (
    "project_id", "user_id", "api_key_id", "model", "batch", "service_tier", "size", "source", "context_level",
    "vector_store_id",
)  # fmt: skip
# Measures with no column of their own in the store: kept in attrs.
USAGE_EXTRAS = (
    "images", "characters", "seconds", "usage_bytes", "num_sessions", "input_audio_tokens", "output_audio_tokens",
    "input_text_tokens", "output_text_tokens", "input_image_tokens", "output_image_tokens",
)  # fmt: skip
_TYPE_BY_COLUMN = (
    ("output_tokens", "completions"), ("images", "images"), ("characters", "audio_speeches"),
    ("seconds", "audio_transcriptions"), ("usage_bytes", "vector_stores"),
    ("num_sessions", "code_interpreter_sessions"),
    ("context_level", "web_search_calls"), ("vector_store_id", "file_search_calls"), ("input_tokens", "embeddings"),
)  # fmt: skip


def _buckets(table: Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows holding data, bucket start ms, bucket end ms); a row with only its time columns is an empty day."""
    others = [c for c in table.frame.columns if c.casefold() not in TIME_COLUMNS]
    filled = np.zeros(len(table), dtype=bool)
    for column in others:
        filled |= (table.frame[column] != "").to_numpy()
    data = Table(table.path, table.frame[filled], table.lines)
    if table.column("start_time"):
        start = unix_seconds_ms(data, data.column("start_time"))
    else:
        start = instants_ms(data, data.column("start_time_iso"))
    if data.column("end_time"):
        end = unix_seconds_ms(data, data.column("end_time"))
    elif data.column("end_time_iso"):
        end = instants_ms(data, data.column("end_time_iso"))
    else:
        end = start
    return filled, start, end


def _currency(value: str) -> str:
    if value.strip().lower() not in ("", "usd"):
        raise ValueError("only USD amounts can be imported")
    return "usd"


def parse_cost(table: Table, context: Context) -> Staged:
    """One record per line item, project and day; amount_value is dollars written as a long decimal."""
    filled, start, end = _buckets(table)
    ignored = int((~filled).sum())
    table = Table(table.path, table.frame[filled], table.lines)
    if table.column("amount_currency"):
        map_distinct(table, table.column("amount_currency"), _currency)
    line_item = text(table, table.column("line_item"), "")
    ids = {name: text(table, table.column(name), "") for name in ("project_id", "api_key_id", "user_id", "api_source")}
    email_column = table.column("user_email")
    email = emails(table, email_column, allow_empty=True) if email_column else np.full(len(table), None, dtype=object)
    account = pick_account(
        len(table),
        [("project", ids["project_id"], text(table, table.column("project_name"))),
         ("api_key", ids["api_key_id"], None), ("user", ids["user_id"], None)],
    )  # fmt: skip
    person = np.array([e is not None for e in email], dtype=bool)
    rows = pd.DataFrame(
        {
            "key": [
                "|".join(map(str, parts)) + "|0"
                for parts in zip(start, end, line_item, ids["project_id"], ids["api_key_id"], ids["user_id"],
                                 np.where(person, email, ""), ids["api_source"])
            ],  # fmt: skip
            "day": utc_days(start),
            "email": email,
            **{k: np.where(person, None, v) for k, v in account.items()},
            "model": np.array([item.split(",", 1)[0].strip() for item in line_item], dtype=object),
            "kind": np.where(line_item != "", line_item, None),
            "category": "api",
            "amount_nano": money(table, table.column("amount_value")),
            "attrs": json_columns(
                {name: text(table, table.column(name), "") for name in ("quantity", "quantity_unit", "api_source")}
            ),
        }
    )
    return Staged(rows, ignored)


COST = Format(
    name="openai-cost",
    provider="openai",
    title="OpenAI cost export (platform.openai.com > Usage > Export), amount_value in dollars",
    required=(("start_time", "start_time_iso"), ("amount_value",), ("line_item",)),
    variants=(("17 columns", COST_HEADER),),
    parse=parse_cost,
    finish=api_day_buckets("openai", "openai.cost", "openai.csv.cost"),
)


def usage_type(context: Context, table: Table) -> str:
    """The export's type from its name (``embeddings_usage_...``), else guessed from its columns."""
    match = re.match(r"([a-z_]+?)_usage_", context.path.name.lower())
    if match:
        return match.group(1)
    for column, kind in _TYPE_BY_COLUMN:
        if table.column(column):
            return kind
    return "usage"


def parse_usage(table: Table, context: Context) -> Staged:
    """Tokens and requests per bucket; ``input_tokens`` includes cached tokens, so they are taken out."""
    kind = usage_type(context, table)
    filled, start, end = _buckets(table)
    ignored = int((~filled).sum())
    table = Table(table.path, table.frame[filled], table.lines)
    dims = {name: text(table, table.column(name), "") for name in USAGE_DIMENSIONS}
    total_in = counts(table, table.column("input_tokens"))
    cached = counts(table, table.column("input_cached_tokens"))
    written = counts(table, table.column("input_cache_write_tokens"))
    uncached = counts(table, table.column("input_uncached_tokens"), empty=-1)
    derived = total_in - cached - written
    if ((uncached < 0) & (derived < 0)).any():
        position = int(np.flatnonzero((uncached < 0) & (derived < 0))[0])
        raise table.fail(position, table.column("input_cached_tokens"), "more cached than input tokens")
    requests_column = table.column("num_model_requests", "num_requests")
    requests = (
        pd.array(counts(table, requests_column), dtype="Int64")
        if requests_column
        else pd.array([None] * len(table), dtype="Int64")
    )
    extras = {name: text(table, table.column(name), "") for name in USAGE_EXTRAS if table.column(name)}
    if requests_column and table.column("num_requests") and requests_column != table.column("num_requests"):
        extras["num_requests"] = text(table, table.column("num_requests"), "")
    account = pick_account(
        len(table),
        [("project", dims["project_id"], text(table, table.column("project_name"))),
         ("api_key", dims["api_key_id"], None), ("user", dims["user_id"], None)],
    )  # fmt: skip
    rows = pd.DataFrame(
        {
            "key": [f"{kind}|" + "|".join(map(str, p)) + "|0" for p in zip(start, end, *dims.values())],
            "day": utc_days(start),
            **account,
            "model": dims["model"],
            "kind": kind,
            "category": "api",
            "requests": requests,
            "tok_in": np.where(uncached >= 0, uncached, derived),
            "tok_cache_write": written,
            "tok_cache_read": cached,
            "tok_out": counts(table, table.column("output_tokens")),
            "attrs": json_columns({"batch": dims["batch"], "service_tier": dims["service_tier"], **extras}),
        }
    )
    return Staged(rows, ignored)


USAGE = Format(
    name="openai-usage",
    provider="openai",
    title="OpenAI usage exports (<type>_usage_<from>_<to>.csv: completions, embeddings, ...), no money",
    required=(("start_time", "start_time_iso"), ("end_time", "end_time_iso")),
    excludes=("amount_value",),
    variants=(("completions and other types", USAGE_HEADER),),
    parse=parse_usage,
    finish=api_day_buckets("openai", "openai.usage", "openai.csv.usage"),
)

FORMATS = (COST, USAGE)
