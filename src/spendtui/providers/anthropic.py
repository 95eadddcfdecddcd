"""Anthropic's Admin API (reference: anthropic.md sections 2-6, 9-10): client calls and normalisers.

- users, workspaces, API keys (``after_id`` paging) -> accounts with the vendor's names; the
  Default workspace, which reports as ``workspace_id: null``, is the account ``default``.
- cost report (day buckets, grouped by workspace and description; ``amount`` is a decimal string
  of **cents**) -> ``anthropic.cost``, category api, on the workspace account.
- messages usage report (tokens, no money) -> ``anthropic.usage`` on the API key, else workspace.
- Claude Code usage report (one UTC day per call; ``estimated_cost.amount`` is a JSON number of
  cents) -> ``anthropic.claude_code``: estimated, per actor, day and model, rows of one actor-day
  (local/remote, terminals) summed; ``api`` for API customers, ``included`` for subscription seats.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from spendtui.money import cents_to_nano
from spendtui.providers.base import (
    DAY_MS,
    Part,
    Provider,
    Run,
    ShapeError,
    Stream,
    day_ms,
    days_between,
    decimal_of,
    id_cursor_pages,
    keyed,
    report_pages,
    rfc3339,
    window_days,
    within_days,
)
from spendtui.providers.http import VendorClient
from spendtui.providers.records import Account, write_accounts

COST = Stream("anthropic.cost", day_buckets=True, window_days=31)
USAGE = Stream("anthropic.usage", day_buckets=True, window_days=31)
CLAUDE_CODE = Stream("anthropic.claude_code", day_buckets=True, window_days=1)
DEFAULT_WORKSPACE = "default"
DEFAULT_WORKSPACE_LABEL = "Default"


def _bucket_day(bucket: dict) -> str:
    start = bucket.get("starting_at") if isinstance(bucket, dict) else None
    if not isinstance(start, str) or len(start) < 10:
        raise ShapeError(f"Anthropic report bucket without starting_at: {bucket!r:.200}")
    return start[:10]


def _usd(record: dict, where: str) -> None:
    currency = record.get("currency") or "USD"
    if str(currency).upper() != "USD":
        raise ShapeError(f"Anthropic {where} in {currency}: only USD amounts are supported")


def workspace_account(workspace_id: str | None, labels: dict[str, str]) -> dict:
    """The account a workspace-grained row belongs to; null is the Default workspace."""
    if workspace_id is None:
        return {"account_kind": "workspace", "account_id": DEFAULT_WORKSPACE, "account_label": DEFAULT_WORKSPACE_LABEL}
    return {"account_kind": "workspace", "account_id": workspace_id, "account_label": labels.get(workspace_id)}


_COST_DIMENSIONS = (
    "description", "model", "cost_type", "token_type", "service_tier", "context_window", "inference_geo",
)  # fmt: skip


def normalise_cost(buckets: Iterable[dict], labels: dict[str, str] | None = None) -> list[dict]:
    """Cost report buckets -> ``anthropic.cost`` facts; amounts are cents as decimal strings."""
    labels = labels or {}
    facts, keys = [], []
    for bucket in buckets:
        day = _bucket_day(bucket)
        for result in bucket.get("results") or []:
            _usd(result, "cost report")
            if result.get("amount") is None:
                raise ShapeError(f"Anthropic cost result without amount: {result!r:.200}")
            account = workspace_account(result.get("workspace_id"), labels)
            keys.append("|".join([day, account["account_id"], *(str(result.get(d) or "") for d in _COST_DIMENSIONS)]))
            facts.append(
                {
                    "product": "api",
                    "day": day,
                    **account,
                    "model": result.get("model") or "",
                    "kind": result.get("token_type") or result.get("cost_type") or result.get("description"),
                    "category": "api",
                    "amount_nano": cents_to_nano(decimal_of(result["amount"])),
                    "attrs": _attrs(result, ("description", "service_tier", "context_window", "inference_geo")),
                }
            )
    return keyed(facts, keys)


_USAGE_DIMENSIONS = (
    "model",
    "workspace_id",
    "api_key_id",
    "service_tier",
    "context_window",
    "inference_geo",
    "account_id",
    "service_account_id",
    "speed",
)


def normalise_usage(buckets: Iterable[dict], labels: dict[str, str] | None = None) -> list[dict]:
    """Messages usage buckets -> ``anthropic.usage`` token facts (no money, no request counts)."""
    labels = labels or {}
    facts, keys = [], []
    for bucket in buckets:
        day = _bucket_day(bucket)
        for result in bucket.get("results") or []:
            cache = result.get("cache_creation") or {}
            key_id = result.get("api_key_id")
            if key_id:
                account = {"account_kind": "api_key", "account_id": key_id, "account_label": labels.get(key_id)}
            else:
                account = workspace_account(result.get("workspace_id"), labels)
            keys.append("|".join([day, *(str(result.get(d) or "") for d in _USAGE_DIMENSIONS)]))
            searches = (result.get("server_tool_use") or {}).get("web_search_requests") or 0
            facts.append(
                {
                    "product": "api",
                    "day": day,
                    **account,
                    "model": result.get("model") or "",
                    "kind": "messages",
                    "category": "api",
                    "tok_in": int(result.get("uncached_input_tokens") or 0),
                    "tok_cache_write": int(cache.get("ephemeral_5m_input_tokens") or 0)
                    + int(cache.get("ephemeral_1h_input_tokens") or 0),
                    "tok_cache_read": int(result.get("cache_read_input_tokens") or 0),
                    "tok_out": int(result.get("output_tokens") or 0),
                    "attrs": _json(
                        {"web_search_requests": searches, "workspace_id": result.get("workspace_id")}
                        if searches or key_id
                        else None
                    ),
                }
            )
    return keyed(facts, keys)


def normalise_claude_code(records: Iterable[dict]) -> list[dict]:
    """Claude Code records -> estimated facts per (day, actor, model, customer type), rows summed.

    ``estimated_cost.amount`` is a JSON number of cents; ``Decimal(str(x))`` keeps it exact.
    """
    sums: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0, 0, 0, 0])
    for record in records:
        date_text = record.get("date")
        actor = record.get("actor") or {}
        if not isinstance(date_text, str) or len(date_text) < 10:
            raise ShapeError(f"Claude Code record without date: {record!r:.200}")
        if actor.get("type") == "user_actor" and actor.get("email_address"):
            who = ("email", actor["email_address"].strip().lower())
        elif actor.get("api_key_name"):
            who = ("key_name", actor["api_key_name"])
        else:
            raise ShapeError(f"Claude Code record with an actor we cannot name: {actor!r:.200}")
        customer = record.get("customer_type") or "api"
        for item in record.get("model_breakdown") or []:
            cost = item.get("estimated_cost") or {}
            _usd(cost, "Claude Code estimate")
            tokens = item.get("tokens") or {}
            acc = sums[(date_text[:10], who, item.get("model") or "", customer)]
            acc[0] += Decimal(str(cost.get("amount") or 0))
            acc[1] += int(tokens.get("input") or 0)
            acc[2] += int(tokens.get("cache_creation") or 0)
            acc[3] += int(tokens.get("cache_read") or 0)
            acc[4] += int(tokens.get("output") or 0)
    facts = []
    for (day, (kind, who), model, customer), (cents, tok_in, cache_write, cache_read, tok_out) in sums.items():
        subject = (
            {"email": who} if kind == "email" else {"account_kind": "key_name", "account_id": who, "account_label": who}
        )
        facts.append(
            {
                "key": f"{day}|{kind}:{who}|{model}|{customer}",
                "product": "claude_code",
                "day": day,
                **subject,
                "model": model,
                "kind": customer,
                "category": "included" if customer == "subscription" else "api",
                "estimated": 1,
                "amount_nano": cents_to_nano(cents),
                "tok_in": tok_in,
                "tok_cache_write": cache_write,
                "tok_cache_read": cache_read,
                "tok_out": tok_out,
            }
        )
    return facts


def _attrs(record: dict, names: tuple[str, ...]) -> str | None:
    return _json(_pick(record, names))


def _json(value: dict | None) -> str | None:
    if not value:
        return None
    return json.dumps({k: v for k, v in value.items() if v is not None}, sort_keys=True)


class Anthropic(Provider):
    name = "anthropic"
    base_url = "https://api.anthropic.com"
    per_minute = 60  # the only published figure (organization analytics endpoints); reports publish none
    headers = {"anthropic-version": "2023-06-01"}
    permissions = {
        401: "an Admin API key (sk-ant-admin01-…, Console → Settings → Admin keys); workspace API keys are refused",
        403: "the admin role in the organization (an Admin API key)",
    }
    streams = (COST, USAGE, CLAUDE_CODE)

    def auth_headers(self, key: str) -> dict[str, str]:
        return {"x-api-key": key}

    def check(self, client: VendorClient) -> str:
        org = client.get("/v1/organizations/me", shape=lambda b: isinstance(b, dict) and "id" in b)
        return f"organization {org.get('name') or org['id']}"

    def directory(self, run: Run) -> None:
        users = id_cursor_pages(run, "/v1/organizations/users", {"limit": 1000}, "after_id")
        workspaces = id_cursor_pages(
            run, "/v1/organizations/workspaces", {"limit": 100, "include_archived": "true"}, "after_id"
        )
        keys = id_cursor_pages(run, "/v1/organizations/api_keys", {"limit": 100}, "after_id")
        accounts = [Account("workspace", DEFAULT_WORKSPACE, DEFAULT_WORKSPACE_LABEL)]
        accounts += [
            Account("user", u["id"], u.get("name") or None, u.get("email"), "active", _pick(u, ("role",)))
            for u in users
            if u.get("id")
        ]
        accounts += [
            Account("workspace", w["id"], w.get("name") or None, None, "archived" if w.get("archived_at") else "active")
            for w in workspaces
            if w.get("id")
        ]
        accounts += [
            Account("api_key", k["id"], k.get("name") or None, None, k.get("status"), _pick(k, ("workspace_id",)))
            for k in keys
            if k.get("id")
        ]
        write_accounts(run.store, self.name, accounts)
        run.users.update(u["email"].strip().lower() for u in users if u.get("email"))
        run.labels.update({a.external_id: a.label for a in accounts if a.label})
        run.note(f"{len(users)} users, {len(workspaces)} workspaces, {len(keys)} API keys")

    def fetch(self, run: Run, stream: Stream, start_ms: int, end_ms: int) -> list[Part]:
        first, last = window_days(start_ms, end_ms)
        if stream is CLAUDE_CODE:
            records: list[dict] = []
            for day in days_between(first, last):
                records += report_pages(
                    run, "/v1/organizations/usage_report/claude_code", [("starting_at", day), ("limit", 1000)]
                )
            facts = normalise_claude_code(records)
            run.users.update(f["email"] for f in facts if f.get("email"))
            return [Part("anthropic.api.claude_code", facts)]
        span = [
            ("starting_at", rfc3339(day_ms(first))),
            ("ending_at", rfc3339(day_ms(last) + DAY_MS)),
            ("bucket_width", "1d"),
            ("limit", 31),
        ]
        if stream is COST:
            buckets = report_pages(
                run,
                "/v1/organizations/cost_report",
                span + [("group_by[]", "workspace_id"), ("group_by[]", "description")],
            )
            return [Part("anthropic.api.cost_report", within_days(normalise_cost(buckets, run.labels), first, last))]
        buckets = report_pages(
            run,
            "/v1/organizations/usage_report/messages",
            span + [("group_by[]", g) for g in ("model", "workspace_id", "api_key_id")],
        )
        return [Part("anthropic.api.usage_report", within_days(normalise_usage(buckets, run.labels), first, last))]


def _pick(record: dict, names: tuple[str, ...]) -> dict | None:
    return {n: record[n] for n in names if record.get(n) is not None} or None


PROVIDER = Anthropic()
