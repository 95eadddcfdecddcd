"""Checks every org edit makes before it writes, and the CSV reader of ``teams import`` / ``seats import``.

A bad value the user typed is a ``UsageError`` (exit 2). A bad row in a file is an ``InputFileError``
(exit 1, "bad input" as cli.md's exit codes put it) naming the file, the 1-based physical line, the
column and the value; a refused file writes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from spendtui.errors import SpendtuiError, UsageError
from spendtui.money import MoneyError, dollars_to_nano, parse_dollars
from spendtui.periods import parse_date
from spendtui.store.identity import is_email, normalize_email

MAX_NAME = 80


class InputFileError(SpendtuiError):
    """A row of an input file that cannot be used; nothing of the file was written."""

    def __init__(self, path: Path, line: int, column: str | None, value: str | None, reason: str):
        where = f"{path}: line {line}" + (f", column {column!r}" if column else "")
        shown = f" (value {value!r})" if value is not None else ""
        super().__init__(f"{where}: {reason}{shown}")
        self.path, self.line, self.column, self.value, self.reason = path, line, column, value, reason


def team_name(value: str, what: str = "team name") -> str:
    """A team name as shown everywhere: trimmed, non-empty, short, and never an email."""
    name = " ".join((value or "").split())
    if not name:
        raise UsageError(f"a {what} cannot be empty")
    if len(name) > MAX_NAME:
        raise UsageError(f"a {what} is at most {MAX_NAME} characters, got {len(name)}")
    if "@" in name:
        # `people map EMAIL_OR_TEAM` tells a team from a person by the @.
        raise UsageError(f"a {what} cannot contain '@' (got {name!r})")
    if not name.isprintable():
        raise UsageError(f"a {what} cannot contain control characters (got {name!r})")
    return name


def email(value: str, what: str = "email") -> str:
    address = normalize_email(value or "")
    if not is_email(address):
        raise UsageError(f"{what} {value!r} is not an email address")
    return address


def day(value: str | date, what: str = "date") -> date:
    return value if isinstance(value, date) else parse_date(value, what)


def positive_amount(value: str | Decimal, what: str = "amount") -> int:
    """Dollars the user wrote ("5000", "$5,000.00") as nano-dollars; must be more than zero."""
    try:
        nano = dollars_to_nano(value) if isinstance(value, Decimal) else parse_dollars(str(value))
    except MoneyError:
        raise UsageError(f"{what} must be an amount in dollars such as 5000 or 1234.50, got {value!r}") from None
    if nano is None or nano <= 0:
        raise UsageError(f"{what} must be more than zero, got {value!r}")
    return nano


def year(value: int | str) -> int:
    text = str(value).strip()
    if not (text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2999):
        raise UsageError(f"a budget year is written YYYY, such as 2026, got {value!r}")
    return int(text)


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]

    def fail(self, path: Path, column: str, reason: str) -> InputFileError:
        return InputFileError(path, self.line, column, self.values.get(column), reason)


def read_csv(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[CsvRow]:
    """Rows of a small CSV whose header names ``required`` (and maybe ``optional``) columns.

    Cells are trimmed; blank lines are skipped; a missing optional column reads as "".
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(path, 1, None, None, f"cannot read the file as UTF-8 text: {exc}") from None
    reader = csv.reader(text.splitlines(keepends=True))
    rows = _rows(reader)
    header_line, header = next(rows, (1, []))
    names = [h.strip().lower() for h in header]
    expected = ",".join(required) + "".join(f"[,{o}]" for o in optional)
    if names[: len(required)] != list(required) or any(n not in optional for n in names[len(required) :]):
        raise InputFileError(path, header_line, None, ",".join(header), f"the header must be {expected}")
    result = []
    for line, cells in rows:
        if len(cells) > len(names):
            raise InputFileError(path, line, None, ",".join(cells), f"{len(cells)} cells, the header has {len(names)}")
        values = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(names)}
        result.append(CsvRow(line, {o: "" for o in optional} | values))
    return result


def _rows(reader) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with the physical line each starts on."""
    start = 1
    for cells in reader:
        if any(c.strip() for c in cells):
            yield start, cells
        start = reader.line_num + 1


def cell(row: CsvRow, path: Path, column: str, check, *args):
    """Run a value check on a cell, turning its UsageError into a file error at that cell."""
    try:
        return check(row.values[column], *args)
    except UsageError as exc:
        raise row.fail(path, column, str(exc)) from None
