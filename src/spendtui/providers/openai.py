"""OpenAI's organization Admin API (reference: openai.md sections 1-6, 8): client calls and normalisers.

- users, projects (``after`` paging) -> ``user`` accounts with email, ``project`` accounts with names.
- costs (day buckets grouped by line item and project; ``amount.value`` is **dollars as a float**,
  read through its repr into Decimal) -> ``openai.cost`` on the project account.
- usage: completions and embeddings grouped by model, project and user (tokens and
  ``num_model_requests``, no money) -> ``openai.usage``. ``input_tokens`` includes cached and
  cache-write tokens; the disjoint uncached part is ``input_uncached_tokens`` when sent, else
  input − cached − cache write.

Times are epoch seconds aligned to UTC midnight; ``end_time`` is exclusive.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable

from spendtui.money import dollars_to_nano
from spendtui.providers.base import (
    DAY_MS,
    Part,
    Provider,
    Run,
    ShapeError,
    Stream,
    day_ms,
    decimal_of,
    id_cursor_pages,
    keyed,
    report_pages,
    report_shape,
    utc_day,
    window_days,
    within_days,
)
from spendtui.providers.http import VendorClient
from spendtui.providers.records import Account, write_accounts

COST = Stream("openai.cost", day_buckets=True, window_days=31)
USAGE = Stream("openai.usage", day_buckets=True, window_days=31)
DEFAULT_PROJECT = "default"


def _bucket_day(bucket: dict) -> str:
    start = bucket.get("start_time") if isinstance(bucket, dict) else None
    if not isinstance(start, int) or isinstance(start, bool):
        raise ShapeError(f"OpenAI bucket without start_time: {bucket!r:.200}")
    return utc_day(start * 1000)


def project_account(project_id: str | None, labels: dict[str, str]) -> dict:
    project = project_id or DEFAULT_PROJECT
    return {"account_kind": "project", "account_id": project, "account_label": labels.get(project)}


def normalise_costs(buckets: Iterable[dict], labels: dict[str, str] | None = None) -> list[dict]:
    """Cost buckets -> ``openai.cost`` facts; a line item's model is the text before its first comma."""
    labels = labels or {}
    facts, keys = [], []
    for bucket in buckets:
        day = _bucket_day(bucket)
        for result in bucket.get("results") or []:
            amount = result.get("amount") or {}
            if str(amount.get("currency") or "usd").lower() != "usd":
                raise ShapeError(f"OpenAI cost in {amount.get('currency')}: only USD amounts are supported")
            if amount.get("value") is None:
                raise ShapeError(f"OpenAI cost result without amount.value: {result!r:.200}")
            line_item = result.get("line_item")
            account = project_account(result.get("project_id"), labels)
            keys.append(f"{day}|{account['account_id']}|{line_item or ''}|{result.get('api_key_id') or ''}")
            quantity = {k: result[k] for k in ("quantity", "quantity_unit") if result.get(k) is not None}
            facts.append(
                {
                    "product": "api",
                    "day": day,
                    **account,
                    "model": line_item.split(",")[0].strip() if line_item else "",
                    "kind": line_item,
                    "category": "api",
                    "amount_nano": dollars_to_nano(decimal_of(amount["value"])),
                    "attrs": json.dumps(quantity, sort_keys=True) if quantity else None,
                }
            )
    return keyed(facts, keys)


def completion_tokens(result: dict) -> tuple[int, int, int, int]:
    """(uncached input, cache write, cache read, output): disjoint, unlike OpenAI's ``input_tokens``."""
    total = int(result.get("input_tokens") or 0)
    cached = int(result.get("input_cached_tokens") or 0)
    write = int(result.get("input_cache_write_tokens") or 0)
    uncached = result.get("input_uncached_tokens")
    uncached = int(uncached) if uncached is not None else total - cached - write
    return uncached, write, cached, int(result.get("output_tokens") or 0)


def _embedding_tokens(result: dict) -> tuple[int, int, int, int]:
    return int(result.get("input_tokens") or 0), 0, 0, 0


# usage endpoint -> how its result's tokens split into our four disjoint buckets
USAGE_ENDPOINTS: dict[str, Callable[[dict], tuple[int, int, int, int]]] = {
    "completions": completion_tokens,
    "embeddings": _embedding_tokens,
}
_USAGE_DIMENSIONS = ("model", "project_id", "user_id", "api_key_id", "batch", "service_tier")


def normalise_usage(endpoint: str, buckets: Iterable[dict], labels: dict[str, str] | None = None) -> list[dict]:
    """Usage buckets of one endpoint -> ``openai.usage`` facts on the user, else the project."""
    labels = labels or {}
    tokens_of = USAGE_ENDPOINTS[endpoint]
    facts, keys = [], []
    for bucket in buckets:
        day = _bucket_day(bucket)
        for result in bucket.get("results") or []:
            user = result.get("user_id")
            if user:
                account = {"account_kind": "user", "account_id": user, "account_label": labels.get(user)}
            else:
                account = project_account(result.get("project_id"), labels)
            keys.append("|".join([day, endpoint, *(str(result.get(d) or "") for d in _USAGE_DIMENSIONS)]))
            tok_in, cache_write, cache_read, tok_out = tokens_of(result)
            requests = result.get("num_model_requests")
            facts.append(
                {
                    "product": "api",
                    "day": day,
                    **account,
                    "model": result.get("model") or "",
                    "kind": endpoint,
                    "category": "api",
                    "requests": int(decimal_of(requests)) if requests is not None else None,
                    "tok_in": tok_in,
                    "tok_cache_write": cache_write,
                    "tok_cache_read": cache_read,
                    "tok_out": tok_out,
                    "attrs": json.dumps({"project_id": result["project_id"]})
                    if user and result.get("project_id")
                    else None,
                }
            )
    return keyed(facts, keys)


class OpenAI(Provider):
    name = "openai"
    base_url = "https://api.openai.com/v1"
    per_minute = 60  # OpenAI publishes no limit for these endpoints; one request a second is polite
    headers = {"Content-Type": "application/json"}
    permissions = {
        401: "a valid OpenAI Admin API key (sk-admin-…, Settings → Organization → Admin keys)",
        403: "an Admin key with the api.usage.read scope (a project key, sk-proj-…, is refused)",
    }
    streams = (COST, USAGE)

    def auth_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def check(self, client: VendorClient) -> str:
        # Costs need api.usage.read, the permission a sync needs; one day, one bucket.
        start = day_ms(utc_day(int(time.time() * 1000))) // 1000 - 86_400
        client.get("/organization/costs", {"start_time": start, "limit": 1}, shape=report_shape)
        return "costs readable"

    def directory(self, run: Run) -> None:
        users = id_cursor_pages(run, "/organization/users", {"limit": 100}, "after")
        projects = id_cursor_pages(run, "/organization/projects", {"limit": 100, "include_archived": "true"}, "after")
        accounts = [Account("project", DEFAULT_PROJECT, "Default project")]
        accounts += [
            Account(
                "user",
                u["id"],
                u.get("name") or u.get("email"),
                u.get("email"),
                "active",
                {"role": u["role"]} if u.get("role") else None,
            )
            for u in users
            if u.get("id")
        ]
        accounts += [
            Account("project", p["id"], p.get("name") or None, None, p.get("status")) for p in projects if p.get("id")
        ]
        write_accounts(run.store, self.name, accounts)
        run.users.update(u["email"].strip().lower() for u in users if u.get("email"))
        run.labels.update({a.external_id: a.label for a in accounts if a.label})
        run.note(f"{len(users)} users, {len(projects)} projects")

    def fetch(self, run: Run, stream: Stream, start_ms: int, end_ms: int) -> list[Part]:
        first, last = window_days(start_ms, end_ms)
        span = [
            ("start_time", day_ms(first) // 1000),
            ("end_time", (day_ms(last) + DAY_MS) // 1000),
            ("bucket_width", "1d"),
            ("limit", 31),
        ]
        if stream is COST:
            buckets = report_pages(
                run, "/organization/costs", span + [("group_by", "line_item"), ("group_by", "project_id")]
            )
            return [Part("openai.api.costs", within_days(normalise_costs(buckets, run.labels), first, last))]
        parts = []
        for endpoint in USAGE_ENDPOINTS:
            buckets = report_pages(
                run,
                f"/organization/usage/{endpoint}",
                span + [("group_by", g) for g in ("model", "project_id", "user_id")],
            )
            facts = within_days(normalise_usage(endpoint, buckets, run.labels), first, last)
            parts.append(Part(f"openai.api.usage.{endpoint}", facts))
            run.check_cancel()
        return parts


PROVIDER = OpenAI()
