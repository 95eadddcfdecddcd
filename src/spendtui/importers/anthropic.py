"""Anthropic CSV exports (anthropic.md 8.1-8.3): console cost and token exports, claude.ai spend report."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from spendtui.importers.base import Context, Format, Output, Staged, api_day_buckets, pick_account, require_period, sum_by
from spendtui.importers.table import Table, counts, days, emails, json_columns, map_distinct, money, text
from spendtui.money import nano_to_decimal

COST_HEADER = (
    "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,list_price_usd,cost_type,"
    "inference_geo,speed[,api_key_id,api_key_status]"
)
TOKENS_HEADER = (
    "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,"
    "usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,"
    "usage_output_tokens,web_search_count,inference_geo,speed"
)
SPEND_HEADER = (
    "user_email,account_uuid,product,model,total_requests,total_prompt_tokens,total_completion_tokens,"
    "total_net_spend_usd,total_gross_spend_usd,user_id,total_uncached_input_tokens,total_cache_read_tokens,"
    "total_cache_write_5m_tokens,total_cache_write_1h_tokens,total_web_search_count,slack_channel_id,teams_channel_id"
)
_CONTEXT_WINDOWS = {"\u2264 200k": "0-200k", "<= 200k": "0-200k", "> 200k": "200k-1M", "\u2265 200k": "200k-1M"}


def model_id(name: str) -> str:
    """``Claude Sonnet 4.5`` (the cost export's display name) -> ``claude-sonnet-4-5``; ids stay as they are."""
    return re.sub(r"[\s.]+", "-", name.strip().lower()).strip("-")


def context_window(value: str) -> str:
    """The export's ``≤ 200k`` is the API's ``0-200k``."""
    raw = " ".join(value.split())
    return _CONTEXT_WINDOWS.get(raw, raw)


def _dimensions(table: Table, names: dict[str, tuple[str, ...]]) -> dict[str, np.ndarray]:
    """Text columns by our name (missing columns are empty); ``context_window`` normalised."""
    out = {}
    for ours, theirs in names.items():
        column = table.column(*theirs)
        if ours == "context_window" and column is not None:
            out[ours] = map_distinct(table, column, context_window)
        else:
            out[ours] = text(table, column, "")
    return out


def _key_accounts(dims: dict[str, np.ndarray], key_ids: np.ndarray | None) -> dict[str, np.ndarray]:
    """An API key (by id when the export has one, else by name), else its workspace, else ``default``."""
    n = len(dims["workspace"])
    choices = []
    if key_ids is not None:
        choices.append(("api_key", key_ids, dims["api_key"]))
    choices += [("api_key", dims["api_key"], dims["api_key"]), ("workspace", dims["workspace"], dims["workspace"])]
    return pick_account(n, choices, fallback=("workspace", "default"))


_COST_DIMS = {
    "workspace": ("workspace",), "api_key": ("api_key",), "usage_type": ("usage_type",),
    "context_window": ("context_window",), "token_type": ("token_type",), "cost_type": ("cost_type",),
    "inference_geo": ("inference_geo",), "speed": ("speed",),
}  # fmt: skip


def parse_cost(table: Table, context: Context) -> Staged:
    """One record per export row: the row's cost in dollars, on its UTC day, for its API key."""
    day = days(table, table.column("usage_date_utc"))
    model = map_distinct(table, table.column("model"), model_id)
    dims = _dimensions(table, _COST_DIMS)
    key_id_column = table.column("api_key_id")
    accounts = _key_accounts(dims, text(table, key_id_column, "") if key_id_column else None)
    list_price = text(table, table.column("list_price_usd"), "")
    # The key names the key, not its id: a newer export (with api_key_id) overlapping an older one replaces it.
    key = [
        "|".join(parts) + "|0"
        for parts in zip(day, model, *(dims[d] for d in ("workspace", "api_key", "usage_type", "context_window",
                                                         "token_type", "cost_type", "inference_geo", "speed")))
    ]  # fmt: skip
    rows = pd.DataFrame(
        {
            "key": key,
            "day": day,
            "model": model,
            "kind": np.where(dims["token_type"] != "", dims["token_type"], dims["cost_type"]),
            "category": "api",
            "amount_nano": money(table, table.column("cost_usd")),
            **accounts,
            "attrs": json_columns({**{d: v for d, v in dims.items() if d not in ("api_key", "token_type")},
                                   "list_price_usd": list_price}),  # fmt: skip
        }
    )
    return Staged(rows)


COST = Format(
    name="anthropic-cost",
    provider="anthropic",
    title="Anthropic Console cost export (platform.claude.com > Cost > Export), cost_usd in dollars",
    required=(("usage_date_utc",), ("model",), ("token_type",), ("cost_usd",), ("workspace",), ("api_key",)),
    variants=(("12 or 14 columns", COST_HEADER),),
    parse=parse_cost,
    finish=api_day_buckets("anthropic", "anthropic.cost", "anthropic.csv.cost"),
)

_TOKEN_DIMS = {
    "workspace": ("workspace",), "api_key": ("api_key",), "usage_type": ("usage_type",),
    "context_window": ("context_window",), "inference_geo": ("inference_geo",), "speed": ("speed",),
}  # fmt: skip


def parse_tokens(table: Table, context: Context) -> Staged:
    """Tokens per UTC day, model and key, no money; a token column the export lacks counts 0."""
    day = days(table, table.column("usage_date_utc"))
    model = map_distinct(table, table.column("model_version"), model_id)
    dims = _dimensions(table, _TOKEN_DIMS)
    web_search = counts(table, table.column("web_search_count"))
    key = [
        "|".join(parts) + "|0"
        for parts in zip(day, model, *(dims[d] for d in ("workspace", "api_key", "usage_type", "context_window",
                                                         "inference_geo", "speed")))
    ]  # fmt: skip
    write = counts(table, table.column("usage_input_tokens_cache_write_5m"))
    write = write + counts(table, table.column("usage_input_tokens_cache_write_1h"))
    rows = pd.DataFrame(
        {
            "key": key,
            "day": day,
            "model": model,
            "category": "api",
            "tok_in": counts(table, table.column("usage_input_tokens_no_cache")),
            "tok_cache_write": write,
            "tok_cache_read": counts(table, table.column("usage_input_tokens_cache_read")),
            "tok_out": counts(table, table.column("usage_output_tokens")),
            **_key_accounts(dims, None),
            "attrs": json_columns({**{d: v for d, v in dims.items() if d != "api_key"},
                                   "web_search_count": np.where(web_search > 0, web_search.astype(object), None)}),
        }
    )  # fmt: skip
    return Staged(rows)


TOKENS = Format(
    name="anthropic-tokens",
    provider="anthropic",
    title="Anthropic Console usage export (platform.claude.com > Usage > Export), tokens only",
    required=(("usage_date_utc",), ("model_version",), ("usage_input_tokens_no_cache",), ("usage_output_tokens",)),
    variants=(("14 columns", TOKENS_HEADER),),
    parse=parse_tokens,
    finish=api_day_buckets("anthropic", "anthropic.usage", "anthropic.csv.tokens"),
)


def parse_spend_report(table: Table, context: Context) -> Staged:
    """Rows of person x product x model summed over the file's period (which the file does not hold)."""
    email = emails(table, table.column("user_email", "email"), allow_empty=True)
    user_id = text(table, table.column("user_id"), "")
    account_uuid = text(table, table.column("account_uuid"), "")
    account = pick_account(len(table), [("user", user_id, None), ("user", account_uuid, None)], ("user", "default"))
    unnamed = np.array([e is None for e in email], dtype=bool)  # org-level usage: kept as an unattributed user
    uncached = table.column("total_uncached_input_tokens")
    prompt = counts(table, table.column("total_prompt_tokens"))
    write = counts(table, table.column("total_cache_write_5m_tokens"))
    write = write + counts(table, table.column("total_cache_write_1h_tokens"))
    rows = pd.DataFrame(
        {
            "email": email,
            **{k: np.where(unnamed, v, None) for k, v in account.items()},
            "kind": text(table, table.column("product"), ""),
            "model": map_distinct(table, table.column("model"), model_id),
            "amount_nano": money(table, table.column("total_net_spend_usd")),
            "gross_nano": money(table, table.column("total_gross_spend_usd")),
            "requests": counts(table, table.column("total_requests")),
            # prompt tokens include cache reads and writes; without the split columns they stay in one bucket
            "tok_in": counts(table, uncached) if uncached else prompt,
            "tok_cache_write": write if uncached else 0,
            "tok_cache_read": counts(table, table.column("total_cache_read_tokens")) if uncached else 0,
            "tok_out": counts(table, table.column("total_completion_tokens")),
            "web_search_count": counts(table, table.column("total_web_search_count")),
        }
    )
    return Staged(rows)


def finish_spend_report(rows: pd.DataFrame, context: Context) -> list[Output]:
    """Rows repeated per Slack/Teams channel are summed; the period comes from --period or the file name."""
    first, last = require_period(context, "a claude.ai spend report")
    if rows.empty:
        return []
    rows = sum_by(rows, ["email", "account_kind", "account_id", "kind", "model"])
    subject = np.where(rows["email"].isna(), "account:" + rows["account_id"].astype(str), rows["email"].astype(str))
    rows["key"] = [f"{first}|{last}|{s}|{k}|{m}" for s, k, m in zip(subject, rows["kind"], rows["model"])]
    rows["attrs"] = json_columns(
        {
            "gross_usd": np.array([None if g is pd.NA else str(nano_to_decimal(int(g))) for g in rows["gross_nano"]],
                                  dtype=object),
            "web_search_count": np.where(rows["web_search_count"] > 0, rows["web_search_count"].astype(object), None),
        }
    )  # fmt: skip
    rows = rows.drop(columns=["gross_nano", "web_search_count"])
    rows["email"] = rows["email"].astype(object).where(rows["email"].notna(), None)
    rows["period_from"], rows["period_to"] = first.isoformat(), last.isoformat()
    rows["product"] = "claude_ai"
    rows["category"] = "overage"
    return [Output("anthropic", "anthropic.claude_ai", "anthropic.csv.claude_ai", rows, period=True)]


SPEND_REPORT = Format(
    name="claude-ai-spend",
    provider="anthropic",
    title="claude.ai spend report (Settings > Analytics > Spend), no dates: period from --period or the file name",
    required=(("user_email", "email"), ("product",), ("model",), ("total_net_spend_usd",)),
    variants=(("17 columns; older exports have the first 9", SPEND_HEADER),),
    parse=parse_spend_report,
    finish=finish_spend_report,
    needs_period=True,
)

FORMATS = (COST, TOKENS, SPEND_REPORT)
