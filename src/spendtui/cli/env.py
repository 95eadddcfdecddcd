"""What every command needs: the global options, the settings, the store and 'today'."""

from __future__ import annotations

import functools
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import click

from spendtui.config import Settings, load_settings, resolve_config_path, resolve_db_path
from spendtui.periods import parse_date, today_in

_META = "spendtui.global"


def _remember(ctx: click.Context, param: click.Parameter, value: object) -> object:
    """Keep a global option wherever it was given (before or after the command name)."""
    options = ctx.meta.setdefault(_META, {})
    if param.name in ("quiet", "verbose"):
        options[param.name] = options.get(param.name, 0) + (value or 0)
    elif value not in (None, False):
        options[param.name] = value
    return value


_GLOBAL_OPTIONS = [
    click.option("--db", metavar="PATH", expose_value=False, callback=_remember,
                 help="The store (one SQLite file). Default: $SPENDTUI_DB, else spendtui.db in the user data dir."),
    click.option("--config", metavar="PATH", expose_value=False, callback=_remember,
                 help="TOML config. Default: $SPENDTUI_CONFIG, else config.toml in the user config dir."),
    click.option("--read-only", is_flag=True, expose_value=False, callback=_remember,
                 help="Open the store read-only: every edit is refused."),
    click.option("-q", "--quiet", count=True, expose_value=False, callback=_remember, help="Less on stderr."),
    click.option("-v", "--verbose", count=True, expose_value=False, callback=_remember, help="More on stderr."),
]  # fmt: skip


def global_options(command):
    """Accept the global options on a subcommand too (``spendtui report --db x.db``)."""
    for option in reversed(_GLOBAL_OPTIONS):
        command = option(command)
    return command


@dataclass
class Env:
    db: str | None = None
    config: str | None = None
    read_only: bool = False
    verbosity: int = 0
    _stores: list = field(default_factory=list)

    @classmethod
    def of(cls, ctx: click.Context) -> Env:
        options = ctx.meta.get(_META, {})
        return cls(
            db=options.get("db"),
            config=options.get("config"),
            read_only=bool(options.get("read_only")),
            verbosity=options.get("verbose", 0) - options.get("quiet", 0),
        )

    @property
    def db_path(self) -> Path:
        return resolve_db_path(self.db)

    @property
    def config_path(self) -> Path:
        return resolve_config_path(self.config)

    @cached_property
    def settings(self) -> Settings:
        path = self.config_path
        settings = load_settings(path)
        self.debug(f"spendtui: config {path}{'' if path.exists() else ' (absent: defaults)'}; "
                   f"time zone {settings.timezone}")  # fmt: skip
        return settings

    @cached_property
    def today(self) -> date:
        """Today in the reporting time zone; SPENDTUI_TODAY pins it (reproducible reports, tests)."""
        pinned = os.environ.get("SPENDTUI_TODAY")
        if pinned:
            return parse_date(pinned, "SPENDTUI_TODAY")
        return today_in(self.settings.timezone)

    def open_store(self, *, create: bool = False, writable: bool = False):
        """Open the store; ``writable`` refuses (exit 2) when the user asked for --read-only."""
        from spendtui.store import open_store, upgrade_notice

        def upgrading(old: int, new: int) -> None:
            self.info(f"spendtui: {upgrade_notice(self.db_path, old, new)}")

        store = open_store(self.db_path, read_only=self.read_only, create=create, on_upgrade=upgrading)
        self.debug(f"spendtui: store {store.path}" + (f" (read-only: {store.read_only_reason or '--read-only'})"
                                                      if store.read_only else ""))  # fmt: skip
        if writable:
            store.require_writable()
        self._stores.append(store)
        return store

    def query(self, store):
        """Analytics over a store whose rollups match the settings (rebuilt first if they do not)."""
        from spendtui.analytics.query import Query
        from spendtui.store import rollup

        settings = self.settings
        timezone = settings.timezone
        started = time.perf_counter()
        fresh = rollup.configure(store, timezone, settings.seat_prices(), self.today, settings.fx)
        self.debug(f"spendtui: rollups checked for {self.today} in {time.perf_counter() - started:.2f} s")
        if not fresh:
            timezone, through = rollup.built_for(store)  # label the figures with what they were built for
            why = "read-only" if store.read_only else "busy (another process is writing it)"
            self.warn(f"the store is {why}: its figures are those of its last update (time zone {timezone}, "
                      f"seat fees through {through or 'never'}), not of today's settings")  # fmt: skip
        return Query(store, timezone, self.today)

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            click.echo(message, err=True)

    def debug(self, message: str) -> None:
        if self.verbosity > 0:
            click.echo(message, err=True)

    def warn(self, message: str) -> None:
        if self.verbosity > -2:
            click.echo(f"spendtui: warning: {message}", err=True)

    def close(self) -> None:
        for store in self._stores:
            store.close()
        self._stores.clear()

    @staticmethod
    def stderr_is_tty() -> bool:
        return sys.stderr.isatty()


def with_env(command):
    """Call the command with an Env built after all its options (global ones included) are read."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        env = Env.of(click.get_current_context())
        try:
            return command(env, *args, **kwargs)
        finally:
            env.close()

    return run
