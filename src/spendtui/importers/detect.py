"""Which format a CSV is, from its header: ``--format auto`` detects, ``--format NAME`` insists."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from spendtui.errors import UsageError
from spendtui.importers import FORMAT_NAMES, anthropic, cursor, openai
from spendtui.importers.base import Format
from spendtui.importers.table import ImportFileError

FORMATS: tuple[Format, ...] = cursor.FORMATS + anthropic.FORMATS + openai.FORMATS
AUTO = "auto"


def by_name(name: str) -> Format:
    for candidate in FORMATS:
        if candidate.name == name:
            return candidate
    raise UsageError(f"unknown format {name!r} (known: {AUTO}, {', '.join(FORMAT_NAMES)}; see --list-formats)")


def detect(path: Path, header: Sequence[str]) -> Format:
    """The one format whose signature the header carries (the most specific when several do)."""
    matching = [f for f in FORMATS if f.matches(header)]
    if matching:
        best = max(len(f.required) for f in matching)
        top = [f for f in matching if len(f.required) == best]
        if len(top) == 1:
            return top[0]
        raise ImportFileError(
            f"{path.name}: the header fits several formats ({', '.join(f.name for f in top)}); choose one with --format"
        )
    closest = min(FORMATS, key=lambda f: (len(f.missing(header)) / len(f.required), -len(f.required)))
    shown = ",".join(header)
    shown = shown if len(shown) <= 200 else shown[:197] + "..."
    raise ImportFileError(
        f"{path.name}: not a CSV export spendtui knows (header: {shown}); the closest is {closest.name}, "
        f"which needs {'; '.join(closest.missing(header))}. See `spendtui import --list-formats`."
    )


def choose(path: Path, header: Sequence[str], name: str) -> Format:
    """``--format``: ``auto`` detects; a name is checked against the header so a wrong guess fails clearly."""
    if name == AUTO:
        return detect(path, header)
    chosen = by_name(name)
    missing = chosen.missing(header)
    if missing:
        raise ImportFileError(f"{path.name}: not a {chosen.name} file: it has no column {'; no column '.join(missing)}")
    return chosen


def describe() -> str:
    """``--list-formats``: each name, what it is, and the headers it recognises."""
    blocks = []
    for f in FORMATS:
        lines = [f"{f.name}  ({f.provider})", f"    {f.title}"]
        lines.append(f"    needs: {'; '.join(' or '.join(group) for group in f.required)}")
        for label, header in f.variants:
            lines.append(f"    {label}: {header}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
