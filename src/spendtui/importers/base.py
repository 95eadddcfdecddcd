"""What a CSV format is, what it needs to parse a file, and what it hands to the fact writer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from spendtui.config import Settings
from spendtui.importers.keys import with_occurrence
from spendtui.importers.table import ImportFileError, LineIndex, Table

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass
class Context:
    """What parsing a file may depend on besides its cells."""

    path: Path
    settings: Settings = field(default_factory=Settings)
    period: tuple[date, date] | None = None  # the span of a file with no dates (--period or its name)
    user: str | None = None  # whose an individual export is (--user), for files with no User column
    notes: list[str] = field(default_factory=list)  # said once per file, on stderr
    lines: LineIndex | None = None

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def fail_record(self, record: int, why: str) -> ImportFileError:
        """An error about data record ``record`` (0-based) once the chunks are joined."""
        line = self.lines.line_of(record) if self.lines else record + 2
        return ImportFileError(f"{self.path.name}: line {line}: {why}")


@dataclass
class Output:
    """Records of one stream for ``write_facts`` (``period=False``) or ``write_period_amounts``."""

    provider: str
    stream: str
    source: str
    rows: pd.DataFrame
    day_buckets: bool = False
    period: bool = False


@dataclass
class Staged:
    """A file's rows parsed into records (one chunk's, or the file's once the chunks are joined)."""

    rows: pd.DataFrame
    ignored: int = 0  # rows that hold nothing (an OpenAI day with no cost, a blank record)


@dataclass(frozen=True)
class Format:
    """A CSV export we recognise by its header and turn into records.

    ``required`` lists column groups; a header matches when it has one name of every group (names
    compare case-insensitively). ``parse`` turns a chunk of rows into staged records; ``finish``
    turns all of a file's staged records into outputs (keys with occurrence indexes, sums).
    """

    name: str
    provider: str
    title: str
    required: tuple[tuple[str, ...], ...]
    variants: tuple[tuple[str, str], ...]
    parse: Callable[[Table, Context], Staged]
    finish: Callable[[pd.DataFrame, Context], list[Output]]
    excludes: tuple[str, ...] = ()  # a column whose presence means a more specific format
    needs_period: bool = False
    variant_of: Callable[[set[str]], str] | None = None

    def missing(self, header: Sequence[str]) -> list[str]:
        names = {h.casefold() for h in header}
        return [" or ".join(group) for group in self.required if not any(g.casefold() in names for g in group)]

    def matches(self, header: Sequence[str]) -> bool:
        names = {h.casefold() for h in header}
        return not self.missing(header) and not any(e.casefold() in names for e in self.excludes)

    def variant(self, header: Sequence[str]) -> str:
        return self.variant_of({h.casefold() for h in header}) if self.variant_of else self.variants[0][0]


def keyed(rows: pd.DataFrame) -> pd.DataFrame:
    """Number records with the same key: ``...|0`` becomes ``...|n``, n counting earlier equal records.

    Parsers write every key with occurrence 0 (one pass over a million rows); only a file that
    really holds equal records pays for renumbering them.
    """
    keys = rows["key"].tolist()
    if len(set(keys)) != len(keys):
        rows["key"] = with_occurrence([k[:-2] for k in keys])
    return rows


def api_day_buckets(provider: str, stream: str, source: str):
    """The finish step of a vendor's API-usage CSV: keyed rows of one day-bucket stream."""

    def finish(rows: pd.DataFrame, context: Context) -> list[Output]:
        if rows.empty:
            return []
        rows = keyed(rows)
        rows["product"] = "api"
        return [Output(provider, stream, source, rows, day_buckets=True)]

    return finish


def require_period(context: Context, what: str) -> tuple[date, date]:
    if context.period is None:
        raise ImportFileError(
            f"{context.path.name}: {what} has no dates; give its period with --period FROM..TO "
            "(for example --period 2026-10-01..2026-10-31) or keep the dates in its file name "
            "(..._2026-10-01_2026-10-31.csv)"
        )
    return context.period


def concat(staged: list[Staged]) -> Staged:
    frames = [s.rows for s in staged if len(s.rows)]
    rows = pd.concat(frames, ignore_index=True) if len(frames) > 1 else (frames[0] if frames else pd.DataFrame())
    return Staged(rows, sum(s.ignored for s in staged))


def pick_account(
    n: int, choices: list[tuple[str, np.ndarray, np.ndarray | None]], fallback: tuple[str, str] = ("org", "default")
) -> dict[str, np.ndarray]:
    """account_kind / account_id / account_label per row: the first choice whose id the row has.

    Spend no person is mapped to shows as ``unattributed:<provider>:<id>`` under the finest id the
    source gives; a row with none goes to ``fallback`` (cli.md: ``default`` when none).
    """
    kinds = np.full(n, fallback[0], dtype=object)
    ids = np.full(n, fallback[1], dtype=object)
    labels = np.full(n, None, dtype=object)
    open_rows = np.ones(n, dtype=bool)
    for kind, values, names in choices:
        take = open_rows & np.array([bool(v) for v in values], dtype=bool)
        kinds[take] = kind
        ids[take] = values[take]
        if names is not None:
            labels[take] = names[take]
        open_rows &= ~take
    return {"account_kind": kinds, "account_id": ids, "account_label": labels}


def sum_by(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum measure columns of rows that share ``by`` (keeping the first row's other columns)."""
    measures = [c for c in ("amount_nano", "requests", "tok_in", "tok_cache_write", "tok_cache_read", "tok_out")
                if c in rows.columns]  # fmt: skip
    grouped = rows.groupby(by, sort=False, dropna=False)
    summed = grouped[measures].sum(min_count=1)
    firsts = grouped[[c for c in rows.columns if c not in measures and c not in by]].first()
    return summed.join(firsts).reset_index()
