"""Reading vendor CSVs and parsing their columns: shared by every format.

Cells are read as text (``dtype=str``, no NA guessing) and parsed column by column, once per
distinct value where values repeat (emails, models, costs), so a million-row export costs a few
numpy passes instead of a million Python calls. Money goes string -> Decimal -> integer nano-dollars
through ``spendtui.money``, never through a binary float. A bad cell stops the import with the
file, the 1-based physical line (the header is line 1), the column and the value.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spendtui.errors import SpendtuiError
from spendtui.money import ImplausibleAmount, MoneyError, parse_dollars
from spendtui.store.identity import is_email

MS_PER_DAY = 86_400_000
# Cells that mean "no money here" rather than zero (cursor.md 6.1 rule 2): stored as NULL.
NO_AMOUNT = frozenset({"", "-", "\u2014", "free", "included", "n/a"})


class ImportFileError(SpendtuiError):
    """A file we refuse as a whole; the message says where and why."""


class Table:
    """One chunk of a CSV: its cells as text, plus how to name a bad cell's place in the file."""

    def __init__(self, path: Path, frame: pd.DataFrame, lines: LineIndex):
        self.path = path
        self.frame = frame
        self.lines = lines
        self._names = {name.casefold(): name for name in frame.columns}
        self._factorized: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.frame)

    def column(self, *names: str) -> str | None:
        """The file's spelling of the first of ``names`` it has (header names compare case-insensitively)."""
        for name in names:
            found = self._names.get(name.casefold())
            if found is not None:
                return found
        return None

    def factorize(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(code per row, distinct values) of a column, computed once however many parsers read it."""
        if column not in self._factorized:
            self._factorized[column] = pd.factorize(self.frame[column].to_numpy(dtype=object), sort=False)
        return self._factorized[column]

    def fail(self, position: int, column: str, why: str) -> ImportFileError:
        """An error about the cell at row ``position`` of this chunk."""
        value = self.frame[column].iloc[position]
        line = self.lines.line_of(int(self.frame.index[position]))
        return ImportFileError(f"{self.path.name}: line {line}, column {column!r}: {why}: {value!r}")


class LineIndex:
    """Physical line numbers of records, found only when an error needs one (a rescan with ``csv``)."""

    def __init__(self, path: Path):
        self.path = path

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(first physical line, fields) of each data record; blank lines are skipped, as pandas does."""
        with open(self.path, encoding="utf-8-sig", newline="", errors="replace") as handle:
            reader = csv.reader(handle)
            previous = 0
            header = True
            for fields in reader:
                start, previous = previous + 1, reader.line_num
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue
                if header:
                    header = False
                    continue
                yield start, fields

    def line_of(self, record: int) -> int:
        for number, (line, _) in enumerate(self.records()):
            if number == record:
                return line
        return 0


def read_header(path: Path) -> list[str]:
    """The header row (BOM and surrounding spaces removed), or an error for a file with none."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for fields in csv.reader(handle):
                if fields and any(f.strip() for f in fields):
                    return [f.strip() for f in fields]
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise ImportFileError(f"{path.name}: not a readable CSV file: {exc}") from None
    raise ImportFileError(f"{path.name}: the file is empty (no header line)")


def read_chunks(
    path: Path, chunk_rows: int, on_bytes: Callable[[int, int], None] | None = None
) -> Iterator[Table]:
    """The file's data rows as text, ``chunk_rows`` at a time; ``on_bytes(read, size)`` follows along."""
    size = path.stat().st_size
    lines = LineIndex(path)
    header = read_header(path)
    with open(path, "rb") as handle:
        try:
            reader = pd.read_csv(
                handle,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                encoding="utf-8-sig",
                skip_blank_lines=True,
                chunksize=chunk_rows,
            )
            for frame in reader:
                if not isinstance(frame.index, pd.RangeIndex):  # a first row with more fields than the header
                    raise _ragged_row(path, lines, len(header)) or ImportFileError(f"{path.name}: a row has more fields than the header")
                frame.columns = [str(c).strip() for c in frame.columns]  # (short rows read as empty cells)
                if on_bytes:
                    on_bytes(min(handle.tell(), size), size)
                yield Table(path, frame, lines)
        except pd.errors.EmptyDataError:
            return
        except pd.errors.ParserError as exc:
            raise _ragged_row(path, lines, len(header)) or ImportFileError(f"{path.name}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"{path.name}: not UTF-8 text ({exc.reason})") from None


def _ragged_row(path: Path, lines: LineIndex, width: int) -> ImportFileError | None:
    for line, fields in lines.records():
        if len(fields) > width:
            return ImportFileError(
                f"{path.name}: line {line}: {len(fields)} fields where the header has {width} "
                "(an unquoted comma in a value?)"
            )
    return None


# -- column parsers --------------------------------------------------------------------------------


def map_distinct(table: Table, column: str, parse: Callable[[str], Any]) -> np.ndarray:
    """``parse`` applied once per distinct cell of ``column``; a ValueError names the first bad cell."""
    codes, distinct = table.factorize(column)
    results = np.empty(len(distinct), dtype=object)
    for index, value in enumerate(distinct):
        try:
            results[index] = parse(value)
        except (ValueError, ArithmeticError) as exc:
            position = int(np.flatnonzero(codes == index)[0])
            raise table.fail(position, column, str(exc) or "not readable") from None
    return results[codes]


def text(table: Table, column: str | None, default: str | None = None) -> np.ndarray:
    """A text column with surrounding spaces removed; empty cells (or no column) become ``default``."""
    if column is None:
        return np.full(len(table), default, dtype=object)
    return map_distinct(table, column, lambda v: v.strip() or default)


def money(table: Table, column: str | None) -> pd.arrays.IntegerArray:
    """Dollars to nano-dollars (nullable): ``0.07``, ``$1,234.56``, ``(3.00)``; ``-``, ``Free``, ``Included``
    and empty cells are NULL (no money), not zero.

    Every CSV we import writes dollars (Cursor ``Cost``, Anthropic ``cost_usd``, OpenAI ``amount_value``).
    """
    if column is None:
        return pd.array([None] * len(table), dtype="Int64")

    def parse(value: str) -> int | None:
        if value.strip().casefold() in NO_AMOUNT:
            return None
        try:
            return parse_dollars(value)
        except ImplausibleAmount as exc:
            raise ValueError(str(exc)) from None
        except MoneyError:
            raise ValueError("not an amount in dollars") from None

    amounts = map_distinct(table, column, parse)
    missing = np.equal(amounts, None)
    return pd.arrays.IntegerArray(np.where(missing, 0, amounts).astype(np.int64), missing)


def is_no_amount(table: Table, column: str) -> np.ndarray:
    """Which cells hold a word for "no money" that is worth keeping (``Free``, ``Included``)."""
    worth = NO_AMOUNT - {"", "-"}
    return map_distinct(table, column, lambda v: v.strip().casefold() in worth).astype(bool)


def flags(table: Table, column: str, truthy: frozenset[str] = frozenset({"yes", "true", "1"})) -> np.ndarray:
    """A yes/no column as booleans (``Yes``, ``true``, ``1`` are yes)."""
    return map_distinct(table, column, lambda v: v.strip().lower() in truthy).astype(bool)


# A token or request count beyond this is a typo or a wrong column (and a few such sums leave int64).
LARGEST_COUNT = 10**15


def whole(value: str, *, empty: int | None = 0) -> int | None:
    """A count written as ``12``, ``12.0`` (OpenAI writes floats) or ``1,200``; never negative."""
    raw = value.strip().replace(",", "")
    if not raw:
        if empty is None:
            raise ValueError("a number is required")
        return empty
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValueError("not a whole number") from None
    if not number.is_finite() or number != number.to_integral_value() or number < 0:
        raise ValueError("not a whole number of at least 0")
    if number > LARGEST_COUNT:
        raise ValueError(f"more than {LARGEST_COUNT:,}")
    return int(number)


def counts(table: Table, column: str | None, *, empty: int = 0) -> np.ndarray:
    """A column of non-negative whole numbers as int64; empty cells (or no column) are ``empty``."""
    n = len(table)
    if column is None:
        return np.full(n, empty, dtype=np.int64)
    try:  # the common case, plain digits everywhere, in one numpy pass
        values = table.frame[column].to_numpy(dtype=object).astype(np.int64)
        if not ((values < 0) | (values > LARGEST_COUNT)).any():
            return values
    except (ValueError, TypeError, OverflowError):
        pass
    return map_distinct(table, column, lambda v: whole(v, empty=empty)).astype(np.int64)


def instants_ms(table: Table, column: str) -> np.ndarray:
    """Epoch milliseconds of ISO-8601 instants; a naive time (or a bare date) is UTC."""
    series = table.frame[column]
    parsed = pd.to_datetime(series, format="ISO8601", utc=True, errors="coerce")
    # pandas also reads "now" and "today" (the time of the import), and a bare year or month
    lengths = np.fromiter(map(len, series.to_numpy(dtype=object)), dtype=np.int64, count=len(series))
    bad = parsed.isna().to_numpy() | (lengths < len("20261001"))
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise table.fail(position, column, "not an ISO-8601 date or time")
    nanos = parsed.dt.tz_convert(None).to_numpy().astype("datetime64[ns]").astype(np.int64)
    return nanos // 1_000_000


def unix_seconds_ms(table: Table, column: str) -> np.ndarray:
    return map_distinct(table, column, lambda v: whole(v, empty=None) * 1000).astype(np.int64)


_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")


def day_text(value: str) -> str:
    """``YYYY-MM-DD``, also the date part of an ISO timestamp (Cursor's analytics export writes those)."""
    match = _DAY.fullmatch(value.strip())
    if not match:
        raise ValueError("not a date (YYYY-MM-DD)")
    return date.fromisoformat(match[1]).isoformat()


def days(table: Table, column: str) -> np.ndarray:
    return map_distinct(table, column, day_text)


def utc_days(ts_ms: np.ndarray) -> np.ndarray:
    """The UTC date (``YYYY-MM-DD``) of each instant, computed once per distinct day."""
    day_numbers = ts_ms // MS_PER_DAY
    codes, distinct = pd.factorize(day_numbers, sort=False)
    labels = np.array(
        [date.fromordinal(date(1970, 1, 1).toordinal() + int(d)).isoformat() for d in distinct], dtype=object
    )
    return labels[codes] if len(codes) else np.array([], dtype=object)


def emails(table: Table, column: str, *, allow_empty: bool = False) -> np.ndarray:
    """Lower-cased, trimmed emails; a cell that is not an email is an error (or None when empty and allowed)."""

    def parse(value: str) -> str | None:
        email = value.strip().lower()
        if not email and allow_empty:
            return None
        if not is_email(email):
            raise ValueError("not an email address")
        return email

    return map_distinct(table, column, parse)


def json_attrs(n: int, parts: list[tuple[str, np.ndarray, Any]]) -> np.ndarray:
    """Per-row JSON objects (or None) from (name, mask, values) parts; only masked rows pay for it.

    ``values`` is one value for all rows or an array; objects are encoded by hand (keys sorted, as
    ``json.dumps(sort_keys=True)`` would) because a big export can have a JSON object per row.
    """
    rows: dict[int, dict[str, Any]] = {}
    for name, mask, values in parts:
        for position in np.flatnonzero(mask).tolist():
            value = values[position] if isinstance(values, (np.ndarray, list)) else values
            rows.setdefault(position, {})[name] = value
    out = np.full(n, None, dtype=object)
    for position, attrs in rows.items():
        out[position] = "{" + ", ".join(f"{_json_text(k)}: {_json_value(attrs[k])}" for k in sorted(attrs)) + "}"
    return out


_json_text = json.encoder.encode_basestring


def _json_value(value: Any) -> str:
    if isinstance(value, str):
        return _json_text(value)
    if value is True or value is False or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def records(columns: dict[str, Any]) -> pd.DataFrame:
    """A frame of records; text columns stay Python objects (no conversion to pandas' str dtype and back)."""
    return pd.DataFrame(
        {name: pd.Series(v, dtype=object) if isinstance(v, np.ndarray) and v.dtype == object else v
         for name, v in columns.items()}
    )  # fmt: skip


def json_columns(columns: dict[str, np.ndarray]) -> np.ndarray:
    """Per-row JSON objects of the non-empty values of ``columns``, dumped once per distinct combination."""
    frame = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in columns.items()})
    if frame.empty:
        return np.array([None] * len(frame), dtype=object)
    groups = frame.groupby(list(frame.columns), dropna=False, sort=False).ngroup().to_numpy()
    distinct, first = np.unique(groups, return_index=True)
    out = np.empty(len(distinct), dtype=object)
    for group, record in zip(distinct, frame.iloc[first].to_dict("records")):
        attrs = {name: value for name, value in record.items() if value is not None and value == value and value != ""}
        out[group] = json.dumps(attrs, ensure_ascii=False, sort_keys=True) if attrs else None
    return out[groups]
