"""Shared fixtures: every test gets its own store and never sees the developer's config or keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from spendtui.store import open_store

FIXTURES = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory, monkeypatch):
    """No real config, data dir, keys or base URLs leak into a test; 'today' is not pinned."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SPENDTUI_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("SPENDTUI_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("HOME", str(home))
    for name in (
        "SPENDTUI_DB", "SPENDTUI_TODAY", "SPENDTUI_CURSOR_API_KEY", "SPENDTUI_ANTHROPIC_ADMIN_KEY",
        "SPENDTUI_OPENAI_ADMIN_KEY", "SPENDTUI_CURSOR_BASE_URL", "SPENDTUI_ANTHROPIC_BASE_URL",
        "SPENDTUI_OPENAI_BASE_URL",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "spend.db"


@pytest.fixture
def store(db_path):
    opened = open_store(db_path)
    yield opened
    opened.close()
