"""What `spendtui status` and the Sync tab show: what is stored, how fresh it is, what needs attention."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from spendtui.config import PROVIDERS, Settings
from spendtui.providers.secrets import has_key, key_file_problem
from spendtui.store import Store
from spendtui.store.schema import SCHEMA_VERSION

# How long a vendor keeps what its admin API returns (cursor.md section 4: about 30 days).
VENDOR_WINDOW_DAYS = {"cursor": 30}
STALE_AFTER = timedelta(hours=26)
AGE_OUT_MARGIN_DAYS = 7
# How a last run that did not end ok reads in a warning (a cancelled one was the user's choice).
LAST_RUN_WARNINGS = {
    "failed": "failed",
    "config_error": "was refused (a configuration error)",
    "interrupted": "was interrupted (its process ended mid-run; the next sync resumes)",
}


@dataclass
class ProviderStatus:
    provider: str
    records: int
    first_day: str | None
    last_day: str | None
    key_configured: bool
    key_problem: str | None  # a configured key file that cannot be read
    last_sync_at: str | None
    last_sync_status: str | None
    last_good_sync_at: str | None
    seats: int
    last_sync_warning: str | None = None  # an ok run that added a short re-read answer without removing ours
    last_sync_error: str | None = None  # why the last run did not end ok
    priced_seats: int = 0  # seats with a fee (a synced roster seat has none until a seat price is set)

    def as_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class StatusReport:
    path: str
    size_bytes: int
    schema_version: int
    read_only: bool
    sources: list[dict]
    providers: list[ProviderStatus]
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "store": {
                "path": self.path,
                "size_bytes": self.size_bytes,
                "schema_version": self.schema_version,
                "read_only": self.read_only,
            },
            "sources": self.sources,
            "providers": [p.as_json() for p in self.providers],
            "warnings": self.warnings,
        }


def _store_size(store: Store) -> int:
    return sum(
        os.path.getsize(f"{store.path}{suffix}")
        for suffix in ("", "-wal")
        if os.path.exists(f"{store.path}{suffix}")
    )


def status(store: Store, settings: Settings, now: datetime | None = None) -> StatusReport:
    now = now or datetime.now(timezone.utc)
    sources = [
        {"provider": r[0], "stream": r[1], "source": r[2], "rows": r[3], "first_day": r[4], "last_day": r[5]}
        for r in store.query(
            """SELECT provider, stream, source, SUM(rows), MIN(day), MAX(day) FROM roll_source_day
               GROUP BY provider, stream, source
               UNION ALL
               SELECT provider, stream, source, COUNT(*), MIN(period_from), MAX(period_to) FROM period_amounts
               GROUP BY provider, stream, source
               ORDER BY 1, 2, 3"""
        )
    ]
    providers = [_provider_status(store, settings, p, sources) for p in PROVIDERS]
    report = StatusReport(
        path=str(store.path),
        size_bytes=_store_size(store),
        schema_version=SCHEMA_VERSION,
        read_only=store.read_only,
        sources=sources,
        providers=providers,
    )
    report.warnings = warnings(report, settings, now)
    return report


def _provider_status(store: Store, settings: Settings, provider: str, sources: list[dict]) -> ProviderStatus:
    mine = [s for s in sources if s["provider"] == provider]
    last = store.query(
        "SELECT started_at, status, error FROM sync_runs WHERE provider = ? ORDER BY started_at DESC LIMIT 1",
        (provider,),
    )
    good = store.scalar(
        "SELECT MAX(started_at) FROM sync_runs WHERE provider = ? AND status = 'ok'", (provider,)
    )
    seats, priced = store.query(
        "SELECT COUNT(*), COUNT(monthly_fee_nano) FROM seats "
        "WHERE provider = ? AND (active_to IS NULL OR active_to >= date('now'))",
        (provider,),
    )[0]
    return ProviderStatus(
        provider=provider,
        records=sum(s["rows"] for s in mine),
        first_day=min((s["first_day"] for s in mine), default=None),
        last_day=max((s["last_day"] for s in mine), default=None),
        key_configured=has_key(provider, settings),
        key_problem=key_file_problem(provider, settings),
        last_sync_at=last[0][0] if last else None,
        last_sync_status=last[0][1] if last else None,
        last_good_sync_at=good,
        seats=seats,
        last_sync_warning=last[0][2] if last and last[0][1] == "ok" else None,
        last_sync_error=last[0][2] if last and last[0][1] != "ok" else None,
        priced_seats=priced,
    )


def _age(now: datetime, stamp: str) -> timedelta:
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return now - moment


def _human(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} hours" if hours < 48 else f"{hours / 24:.0f} days"


def without_provider(provider: str, error: str | None) -> str:
    """A sync error without the provider's name in front, for a line that names it already."""
    return (error or "").removeprefix(f"{provider}: ")


def warnings(report: StatusReport, settings: Settings, now: datetime) -> list[str]:
    found: list[str] = []
    if not any(p.records or p.key_configured for p in report.providers):  # a health check must not pass on nothing
        found.append("the store holds no usage yet and no provider has a key: configure one and run `spendtui sync`, "
                     "or `spendtui import` a vendor's export")  # fmt: skip
    for p in report.providers:
        synced = p.last_good_sync_at is not None
        if p.key_problem:
            found.append(f"{p.provider}: {p.key_problem}: the next sync will fail")
        if p.key_configured and not synced:
            found.append(f"{p.provider}: a key is configured but no sync has succeeded yet (run `spendtui sync`)")
        if synced and (age := _age(now, p.last_good_sync_at)) > STALE_AFTER:
            found.append(f"{p.provider}: stale data: the last good sync was {_human(age)} ago")
            window = VENDOR_WINDOW_DAYS.get(p.provider)
            lost_from = (now - timedelta(days=window or 0)).date()
            last_good_day = date.fromisoformat(p.last_good_sync_at[:10])
            if window and last_good_day < lost_from:  # the API no longer returns the days since then
                found.append(
                    f"{p.provider}: usage of {last_good_day}..{lost_from - timedelta(days=1)} is past the vendor's "
                    f"{window}-day window: no sync can fetch it now; import the vendor's CSV export for it"
                )
            elif window and age > timedelta(days=window - AGE_OUT_MARGIN_DAYS):
                found.append(
                    f"{p.provider}: the vendor keeps about {window} days: sync by {last_good_day + timedelta(days=window)}"
                    f" or usage after {last_good_day} ages out (the API no longer returns days before {lost_from})"
                )
        if p.last_sync_status in LAST_RUN_WARNINGS:
            reason = without_provider(p.provider, p.last_sync_error)
            error = f": {reason}" if reason else ""
            found.append(f"{p.provider}: the last sync {LAST_RUN_WARNINGS[p.last_sync_status]}{error}")
        if p.last_sync_warning:
            found.append(f"{p.provider}: the last sync warned: {p.last_sync_warning}")
    cursor = next(p for p in report.providers if p.provider == "cursor")
    if (cursor.records or cursor.key_configured) and settings.provider("cursor").seat_price_nano is None:
        if cursor.priced_seats == 0:
            found.append(
                "cursor: seat price not configured: Cursor seat fees are not counted "
                "(set [providers.cursor] seat_price, or `spendtui seats import`)"
            )
    return found
