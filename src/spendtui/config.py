"""Settings from the TOML config (cli.md "Config"), validated strictly, plus where files live."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from spendtui.errors import UsageError
from spendtui.money import dollars_to_nano
from spendtui.periods import PeriodError, zone

PROVIDERS = ("cursor", "anthropic", "openai")
PROVIDER_NAMES = {"cursor": "Cursor", "anthropic": "Anthropic", "openai": "OpenAI"}
KEY_ENV = {
    "cursor": "SPENDTUI_CURSOR_API_KEY",
    "anthropic": "SPENDTUI_ANTHROPIC_ADMIN_KEY",
    "openai": "SPENDTUI_OPENAI_ADMIN_KEY",
}
BASE_URL_ENV = {p: f"SPENDTUI_{p.upper()}_BASE_URL" for p in PROVIDERS}
DEFAULT_THRESHOLDS = (50, 80, 100)


class ConfigError(UsageError):
    """A configuration problem; the CLI exits 2 with this message."""


@dataclass(frozen=True)
class ProviderSettings:
    key_file: Path | None = None
    key_command: tuple[str, ...] | None = None
    seat_price_nano: int | None = None
    request_price_nano: int | None = None
    requests_per_minute: int | None = None


@dataclass(frozen=True)
class Settings:
    timezone: str = "UTC"
    providers: dict[str, ProviderSettings] = field(default_factory=lambda: {p: ProviderSettings() for p in PROVIDERS})
    thresholds: tuple[int, ...] = DEFAULT_THRESHOLDS
    webhook_url: str | None = None
    fx: dict[str, Decimal] = field(default_factory=dict)
    source: Path | None = None

    def provider(self, name: str) -> ProviderSettings:
        return self.providers.get(name, ProviderSettings())

    def seat_prices(self) -> dict[str, int]:
        """Configured monthly seat fee per provider, in nano-dollars (rollups need them)."""
        return {p: s.seat_price_nano for p, s in self.providers.items() if s.seat_price_nano is not None}


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(os.environ.get("SPENDTUI_DATA_DIR") or user_data_dir("spendtui", appauthor=False))


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("spendtui", appauthor=False)) / "config.toml"


def resolve_db_path(cli_value: str | None) -> Path:
    """``--db``, else ``SPENDTUI_DB``, else ``spendtui.db`` in the user data dir."""
    chosen = cli_value or os.environ.get("SPENDTUI_DB")
    return Path(chosen).expanduser() if chosen else default_data_dir() / "spendtui.db"


def resolve_config_path(cli_value: str | None) -> Path:
    chosen = cli_value or os.environ.get("SPENDTUI_CONFIG")
    return Path(chosen).expanduser() if chosen else default_config_path()


def load_settings(path: Path | None) -> Settings:
    """Read and validate the config; a missing file means defaults."""
    if path is None or not path.exists():
        return Settings(source=None)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return _parse(data, path)


def _parse(data: dict[str, Any], path: Path) -> Settings:
    def fail(key: str, expected: str) -> ConfigError:
        return ConfigError(f"{path}: `{key}` {expected}")

    _only(data, {"timezone", "providers", "alerts", "fx"}, "", fail)
    tz = data.get("timezone", "UTC")
    if not isinstance(tz, str):
        raise fail("timezone", "must be a string such as \"Europe/Berlin\"")
    try:
        zone(tz)
    except PeriodError:
        raise fail("timezone", f"must be an IANA time zone name, not {tz!r}") from None

    providers = {p: ProviderSettings() for p in PROVIDERS}
    raw_providers = data.get("providers", {})
    if not isinstance(raw_providers, dict):
        raise fail("providers", "must be a table")
    for name, table in raw_providers.items():
        if name not in PROVIDERS:
            raise fail(f"providers.{name}", f"is not a provider (expected one of {', '.join(PROVIDERS)})")
        providers[name] = _provider(name, table, fail)

    alerts = data.get("alerts", {})
    if not isinstance(alerts, dict):
        raise fail("alerts", "must be a table")
    _only(alerts, {"thresholds", "webhook_url"}, "alerts.", fail)
    thresholds = alerts.get("thresholds", list(DEFAULT_THRESHOLDS))
    if (
        not isinstance(thresholds, list)
        or not thresholds
        or not all(isinstance(t, int) and not isinstance(t, bool) and t > 0 for t in thresholds)
    ):
        raise fail("alerts.thresholds", "must be a list of positive whole percentages, e.g. [50, 80, 100]")
    webhook = alerts.get("webhook_url")
    if webhook is not None and (not isinstance(webhook, str) or not webhook.startswith(("http://", "https://"))):
        raise fail("alerts.webhook_url", "must be an http(s) URL")

    fx_table = data.get("fx", {})
    if not isinstance(fx_table, dict):
        raise fail("fx", "must be a table of currency = \"USD per unit\"")
    fx: dict[str, Decimal] = {}
    for code, rate in fx_table.items():
        if not (isinstance(code, str) and len(code) == 3 and code.isalpha()):
            raise fail(f"fx.{code}", "must be a three-letter currency code")
        value = _decimal(rate)
        if value is None or value <= 0:
            raise fail(f"fx.{code}", "must be a positive decimal string such as \"1.08\"")
        fx[code.upper()] = value
    return Settings(
        timezone=tz,
        providers=providers,
        thresholds=tuple(sorted(set(thresholds))),
        webhook_url=webhook,
        fx=fx,
        source=path,
    )


def _only(table: dict, allowed: set[str], prefix: str, fail) -> None:
    for key in table:
        if key not in allowed:
            raise fail(f"{prefix}{key}", f"is not a known setting (known: {', '.join(sorted(allowed))})")


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def _provider(name: str, table: object, fail) -> ProviderSettings:
    prefix = f"providers.{name}."
    if not isinstance(table, dict):
        raise fail(f"providers.{name}", "must be a table")
    allowed = {"key_file", "key_command", "seat_price", "requests_per_minute"}
    if name == "cursor":
        allowed.add("request_price")
    _only(table, allowed, prefix, fail)
    key_file = table.get("key_file")
    if key_file is not None and not isinstance(key_file, str):
        raise fail(prefix + "key_file", "must be a path string")
    command = table.get("key_command")
    if command is not None and (
        not isinstance(command, list) or not command or not all(isinstance(a, str) for a in command)
    ):
        raise fail(prefix + "key_command", "must be a non-empty list of argument strings")
    prices: dict[str, int | None] = {}
    for key in ("seat_price", "request_price"):
        if key in table:
            value = _decimal(table[key])
            if value is None or value < 0:
                raise fail(prefix + key, "must be a non-negative dollar amount such as \"40.00\"")
            prices[key] = dollars_to_nano(value)
    rpm = table.get("requests_per_minute")
    if rpm is not None and (not isinstance(rpm, int) or isinstance(rpm, bool) or rpm < 1):
        raise fail(prefix + "requests_per_minute", "must be a positive whole number")
    return ProviderSettings(
        key_file=Path(key_file).expanduser() if key_file else None,
        key_command=tuple(command) if command else None,
        seat_price_nano=prices.get("seat_price"),
        request_price_nano=prices.get("request_price"),
        requests_per_minute=rpm,
    )
