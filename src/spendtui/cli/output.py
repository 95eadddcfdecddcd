"""Plain-text tables, JSON and CSV for headless commands (no rich: the CLI must stay light)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence


def emit_json(data: object) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    sys.stdout.flush()


def emit_csv(rows: Sequence[dict], columns: Sequence[str] | None = None) -> None:
    """Rows as CSV with a header (the first row's keys unless ``columns`` names them: then even for none)."""
    if not rows and columns is None:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(columns or rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    sys.stdout.flush()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # as in the JSON
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def table(rows: Sequence[Sequence[object]], headers: Sequence[str], *, title: str | None = None) -> str:
    """Columns padded to fit; numbers (and money) right-aligned; None shown as an em dash."""
    cells = [[("\u2014" if v is None else _cell(v)) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    numeric = [
        bool(cells) and all(_looks_numeric(row[i]) for row in cells if row[i] != "\u2014") for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric)).rstrip()

    out = [title] if title else []
    out += [line(list(headers)), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out)


def _looks_numeric(text: str) -> bool:
    stripped = text.replace("$", "").replace(",", "").replace("%", "").replace("~", "").lstrip("-+")
    return bool(stripped) and stripped.replace(".", "", 1).isdigit()


def key_values(pairs: Sequence[tuple[str, object]]) -> str:
    width = max((len(k) for k, _ in pairs), default=0)
    return "\n".join(f"{k.ljust(width)}  {_DASH if v is None else v}" for k, v in pairs)


def dict_table(rows: Sequence[dict], *, title: str | None = None, limit: int | None = None) -> str:
    """A table of JSON-style rows, headed by their keys; ``limit`` keeps the first rows."""
    if not rows:
        return f"{title}\n(none)" if title else "(none)"
    shown = rows[:limit] if limit else rows
    text = table([list(r.values()) for r in shown], list(rows[0]), title=title)
    if limit and len(rows) > limit:
        text += f"\n... {len(rows) - limit} more (--format csv --table ... for all)"
    return text


_DASH = "\u2014"
