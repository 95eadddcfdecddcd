"""Vendor admin-API clients and normalisers, one module per vendor, loaded only when a sync needs it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from spendtui.config import PROVIDERS

if TYPE_CHECKING:
    from spendtui.providers.base import Provider


def get(name: str) -> Provider:
    """The vendor module's provider (``spendtui.providers.<name>.PROVIDER``)."""
    if name not in PROVIDERS:
        raise KeyError(name)
    return importlib.import_module(f"spendtui.providers.{name}").PROVIDER
