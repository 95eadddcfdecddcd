"""Opening the dashboard: the only path from the CLI into Textual."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from spendtui.cli.env import Env
from spendtui.errors import UsageError


def open_dashboard(env: Env, *, demo: bool) -> int:
    """Run the app on the store (or on a fresh demo store) and return its exit code."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the dashboard needs a terminal; for scripts use `spendtui report` (see --help)")
    db_path = env.db_path
    if demo:
        if env.db is None:
            db_path = Path(tempfile.mkdtemp(prefix="spendtui-demo-")) / "demo.db"
        elif db_path.exists():
            from spendtui.store import open_store

            with open_store(db_path) as store:
                if not store.is_empty():
                    raise UsageError(f"{db_path} already holds data; --demo needs a new or empty store")
    from spendtui.tui.app import build_app

    app = build_app(
        db_path=db_path,
        settings=env.settings,
        read_only=env.read_only,
        today=env.today,
        generate_demo=demo,
    )
    app.run()
    return app.return_code or 0
