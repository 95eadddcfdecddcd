"""Stored invoices: rows in ``invoices`` / ``invoice_lines`` plus the PDF kept in ``<store dir>/invoices/``.

One purchase is stored once. The same file again (same sha256), the same invoice number again
(same provider), or the receipt of an invoice already stored (or the other way round: they share
the invoice number) is recognised and reported, never stored twice. The kept PDF gets a name we
generate (``<provider>-<invoice number>.pdf``, sanitised), never one taken from the file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from spendtui.config import PROVIDER_NAMES
from spendtui.errors import SpendtuiError, UsageError
from spendtui.importers.invoices.model import CLASSES, ParsedInvoice, Problem
from spendtui.money import format_plain
from spendtui.store import Store, rollup, utc_now
from spendtui.store.schema import invoice_folder_name


class InvoiceNotStored(SpendtuiError):
    """An invoice that was not stored; ``problems`` say why (the app shows them in its editor)."""

    def __init__(self, name: str, reason: str, problems: list[Problem] | None = None,
                 read: list[Problem] | None = None) -> None:  # fmt: skip
        super().__init__(f"{name}: not stored: {reason}")
        self.name = name
        self.reason = reason
        self.problems = problems or []  # the ones that kept it out
        self.read = read or self.problems  # every problem of its reading

    def reasons(self) -> list[str]:
        """Why, as a user should read it: a document-level problem (no text layer) alone, since it
        explains the missing fields that follow from it."""
        shown = [p for p in self.read if p.field is None] or self.problems
        return [str(p) for p in shown] or [self.reason]

    @property
    def confirmable(self) -> bool:
        """Only doubts an admin may overrule after checking the PDF (arithmetic), no missing essentials."""
        return bool(self.problems) and not any(p.essential for p in self.problems)


@dataclass(frozen=True)
class StoreResult:
    """What ``store_invoice`` did: ``stored``, ``duplicate`` or ``same_purchase`` (a receipt/invoice pair)."""

    status: str
    invoice_id: int
    provider: str
    invoice_number: str
    message: str
    file: str | None = None

    @property
    def new(self) -> bool:
        return self.status == "stored"


def invoice_dir(store: Store) -> Path:
    return store.path.parent / invoice_folder_name(store.path)


def safe_file_name(provider: str, invoice_number: str) -> str:
    """``<provider>-<invoice number>.pdf`` with anything but letters, digits, ``.``, ``_``, ``-`` replaced."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", invoice_number).strip("._") or "invoice"
    return f"{provider}-{cleaned[:80]}.pdf"


def _name(parsed: ParsedInvoice) -> str:
    return parsed.source.name if parsed.source else f"invoice {parsed.invoice_number}"


def store_invoice(store: Store, parsed: ParsedInvoice, *, confirmed: bool = False) -> StoreResult:
    """Store a parsed invoice (and a copy of its PDF) in one transaction, unless it is already stored.

    An unconfirmed parse must be free of problems. ``confirmed=True`` is the admin's word after
    correcting it in the editor: arithmetic doubts are then accepted, missing essentials never.
    """
    store.require_writable("store an invoice")
    try:
        data = parsed.source.read_bytes() if parsed.source else None
    except OSError as exc:
        raise InvoiceNotStored(_name(parsed), f"cannot read the file again: {exc.strerror or exc}") from None
    sha = hashlib.sha256(data).hexdigest() if data is not None else None
    if parsed.sha256 and sha and parsed.sha256 != sha:
        raise InvoiceNotStored(_name(parsed), "the file changed after it was read; read it again")
    known = _already_stored(store, parsed, sha, confirmed)
    if known:
        return known
    blocking = [p for p in parsed.problems if p.essential or not confirmed]
    if blocking:
        raise InvoiceNotStored(_name(parsed), "; ".join(map(str, blocking)), blocking, parsed.problems)
    return _insert(store, parsed, data, sha, confirmed)


def _already_stored(store: Store, parsed: ParsedInvoice, sha: str | None, confirmed: bool) -> StoreResult | None:
    name = _name(parsed)
    if sha:
        row = store.query("SELECT id, provider, invoice_number, file FROM invoices WHERE sha256 = ?", (sha,))
        if row:
            r = row[0]
            message = f"{name}: already stored as {r['provider']} {r['invoice_number']}"
            return StoreResult("duplicate", r["id"], r["provider"], r["invoice_number"], message, r["file"])
    if not (parsed.provider and parsed.invoice_number):
        return None
    row = store.query(
        "SELECT * FROM invoices WHERE provider = ? AND invoice_number = ?", (parsed.provider, parsed.invoice_number)
    )
    if not row:
        return None
    r = row[0]
    label = f"{r['provider']} {r['invoice_number']}"
    if parsed.total_nano is not None and parsed.currency == r["currency"] and parsed.total_nano != r["total_nano"]:
        raise InvoiceNotStored(
            name,
            f"{label} is already stored with Total {format_plain(r['total_nano'])} {r['currency']}, "
            f"but this file says {format_plain(parsed.total_nano)}; remove the stored one first to replace it",
        )
    if parsed.kind == r["kind"]:
        return StoreResult("duplicate", r["id"], r["provider"], r["invoice_number"],
                           f"{name}: already stored ({label})", r["file"])  # fmt: skip
    added = _complete(store, r, parsed) if (confirmed or parsed.confident) else []
    note = f"; added its {' and '.join(added)}" if added else ""
    return StoreResult("same_purchase", r["id"], r["provider"], r["invoice_number"],
                       f"{name}: the {parsed.kind} of a purchase already stored ({label}, {r['kind']}){note}",
                       r["file"])  # fmt: skip


def _complete(store: Store, row, parsed: ParsedInvoice) -> list[str]:
    """Fill in what only the other document of a purchase prints (receipt number, dates paid/issued)."""
    updates: dict[str, object] = {}
    if parsed.kind == "receipt":
        if row["receipt_number"] is None and parsed.receipt_number:
            updates["receipt_number"] = parsed.receipt_number
        if row["paid_on"] is None and parsed.paid_on:
            updates["paid_on"] = parsed.paid_on.isoformat()
    else:
        if parsed.issued_on and row["issued_on"] != parsed.issued_on.isoformat():
            updates["issued_on"] = parsed.issued_on.isoformat()  # the receipt stood in with its Date paid
        if row["due_on"] is None and parsed.due_on:
            updates["due_on"] = parsed.due_on.isoformat()
    if row["amount_due_nano"] is None and _charged(parsed) is not None:
        updates["amount_due_nano"] = _charged(parsed)
    if updates:
        with store.transaction() as conn:
            assignments = ", ".join(f"{column} = ?" for column in updates)
            conn.execute(f"UPDATE invoices SET {assignments} WHERE id = ?", (*updates.values(), row["id"]))
    words = {"receipt_number": "receipt number", "paid_on": "date paid", "issued_on": "date of issue",
             "due_on": "date due", "amount_due_nano": "amount charged"}  # fmt: skip
    return [words[column] for column in updates]


def _charged(parsed: ParsedInvoice) -> int | None:
    """What the card was charged (invoices.md §6 'Amount due ... as paid by card'): a receipt prints it
    as Amount paid."""
    if parsed.amount_due_nano is not None:
        return parsed.amount_due_nano
    return parsed.amount_paid_nano if parsed.kind == "receipt" else None


def _insert(store: Store, parsed: ParsedInvoice, data: bytes | None, sha: str | None, confirmed: bool) -> StoreResult:
    target: Path | None = None
    relative: str | None = None
    try:
        with store.transaction() as conn:
            cursor = conn.execute(
                """INSERT INTO invoices (provider, vendor, kind, invoice_number, receipt_number, issued_on, due_on,
                       paid_on, period_from, period_to, currency, subtotal_nano, discount_nano, tax_nano, total_nano,
                       applied_balance_nano, amount_due_nano, file, sha256, confirmed_by_user, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)""",
                (
                    parsed.provider, parsed.vendor or PROVIDER_NAMES[parsed.provider], parsed.kind,
                    parsed.invoice_number, parsed.receipt_number, _iso(parsed.date), _iso(parsed.due_on),
                    _iso(parsed.paid_on), *map(_iso, parsed.billing_period()), parsed.currency,
                    _subtotal(parsed),
                    parsed.discount_nano, parsed.tax_nano, parsed.total_nano, parsed.applied_balance_nano,
                    _charged(parsed), sha, int(confirmed), utc_now(),
                ),
            )  # fmt: skip
            invoice_id = cursor.lastrowid
            conn.executemany(
                """INSERT INTO invoice_lines (invoice_id, line_no, description, quantity, unit_price_nano, amount_nano,
                       period_from, period_to, class) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (invoice_id, number, line.description, line.quantity, line.unit_price_nano, line.amount_nano,
                     _iso(line.period_from), _iso(line.period_to), line.line_class)
                    for number, line in enumerate(parsed.lines, 1)
                ],
            )  # fmt: skip
            if data is not None:
                folder = invoice_dir(store)
                try:
                    target = _write_private(folder, safe_file_name(parsed.provider, parsed.invoice_number), data)
                except OSError as exc:
                    reason = f"cannot keep the PDF in {folder}: {exc.strerror or exc}"
                    raise InvoiceNotStored(_name(parsed), reason) from None
                relative = f"{invoice_folder_name(store.path)}/{target.name}"
                conn.execute("UPDATE invoices SET file = ? WHERE id = ?", (relative, invoice_id))
            # its seat lines are the provider's seat fees on days no seat has one
            rollup.refresh_invoice_seats(store, rollup.invoice_seat_span(store, invoice_id))
    except BaseException:
        if target is not None:
            target.unlink(missing_ok=True)
        raise
    sums = parsed.class_sums()
    return StoreResult(
        "stored", invoice_id, parsed.provider, parsed.invoice_number,
        f"{_name(parsed)}: stored {parsed.provider} {parsed.kind} {parsed.invoice_number} of {_iso(parsed.date)}, "
        f"Total {format_plain(parsed.total_nano)} {parsed.currency} (fixed {format_plain(sums['fixed_subscription'])}, "
        f"pool/top-up {format_plain(sums['pool_topup'])}, other {format_plain(sums['other'])})",
        relative,
    )  # fmt: skip


def _subtotal(parsed: ParsedInvoice) -> int:
    """The printed Subtotal; for a confirmed entry without one, what Total implies."""
    if parsed.subtotal_nano is not None:
        return parsed.subtotal_nano
    return parsed.total_nano - parsed.tax_nano + parsed.discount_nano


def _iso(day) -> str | None:
    return day.isoformat() if day is not None else None


def _write_private(directory: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``directory/name`` with mode 0600, atomically, never over an existing file."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = directory / name
    if target.exists():  # left behind by a removed row or a crash: keep it, pick another name
        stem, suffix = os.path.splitext(name)
        target = directory / f"{stem}-{hashlib.sha256(data).hexdigest()[:8]}{suffix}"
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".incoming-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


# -- reading and removing --------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredInvoice:
    """One stored invoice with its line items summed by class (what ``invoice list`` shows)."""

    id: int
    provider: str
    vendor: str
    kind: str
    invoice_number: str
    receipt_number: str | None
    issued_on: str
    due_on: str | None
    paid_on: str | None
    period_from: str | None
    period_to: str | None
    currency: str
    subtotal_nano: int
    discount_nano: int
    tax_nano: int
    total_nano: int
    applied_balance_nano: int
    amount_due_nano: int | None
    fixed_subscription_nano: int
    pool_topup_nano: int
    other_nano: int
    file: str | None
    confirmed_by_user: bool

    def as_json(self) -> dict:
        """The ``invoice list --format json`` object of cli.md."""
        return {
            "invoice_number": self.invoice_number,
            "provider": self.provider,
            "vendor": self.vendor,
            "kind": self.kind,
            "date": self.issued_on,
            "period": {"from": self.period_from, "to": self.period_to},
            "currency": self.currency,
            "subtotal": format_plain(self.subtotal_nano),
            "discount": format_plain(self.discount_nano),
            "tax": format_plain(self.tax_nano),
            "total": format_plain(self.total_nano),
            "amount_due": format_plain(self.amount_due_nano),
            "fixed_subscription": format_plain(self.fixed_subscription_nano),
            "pool_topup": format_plain(self.pool_topup_nano),
            "other": format_plain(self.other_nano),
            "file": self.file,
        }


_CLASS_SUMS = ", ".join(
    f"COALESCE((SELECT SUM(amount_nano) FROM invoice_lines l WHERE l.invoice_id = i.id AND l.class = '{c}'), 0)"
    for c in CLASSES
)


def list_invoices(store: Store, *, provider: str | None = None) -> list[StoredInvoice]:
    """Every stored invoice, oldest first (by date, then provider and number)."""
    where, params = ("WHERE i.provider = ?", (provider,)) if provider else ("", ())
    rows = store.query(
        f"""SELECT i.id, i.provider, i.vendor, i.kind, i.invoice_number, i.receipt_number, i.issued_on, i.due_on,
                   i.paid_on, i.period_from, i.period_to, i.currency, i.subtotal_nano, i.discount_nano, i.tax_nano,
                   i.total_nano, i.applied_balance_nano, i.amount_due_nano, {_CLASS_SUMS}, i.file, i.confirmed_by_user
            FROM invoices i {where} ORDER BY i.issued_on, i.provider, i.invoice_number""",
        params,
    )
    return [StoredInvoice(*row[:-1], bool(row[-1])) for row in rows]


def remove_invoice(store: Store, number: str, *, provider: str | None = None) -> StoredInvoice:
    """Delete an invoice (found by invoice or receipt number), its lines and its kept PDF."""
    store.require_writable("remove an invoice")
    matches = [
        inv
        for inv in list_invoices(store, provider=provider)
        if number in (inv.invoice_number, inv.receipt_number)
    ]
    if not matches:
        where = f" for {provider}" if provider else ""
        raise SpendtuiError(f"no stored invoice or receipt numbered {number!r}{where}")
    if len(matches) > 1:
        providers = ", ".join(sorted(inv.provider for inv in matches))
        raise UsageError(f"{number!r} is stored for several providers ({providers}); pass --provider")
    invoice = matches[0]
    with store.transaction() as conn:
        span = rollup.invoice_seat_span(store, invoice.id)  # the days its seat lines accrued on
        conn.execute("DELETE FROM invoice_lines WHERE invoice_id = ?", (invoice.id,))
        conn.execute("DELETE FROM invoices WHERE id = ?", (invoice.id,))
        rollup.refresh_invoice_seats(store, span)
    kept = kept_file(store, invoice)
    if kept is not None:
        kept.unlink(missing_ok=True)
    return invoice


def kept_file(store: Store, invoice: StoredInvoice) -> Path | None:
    """The kept PDF's path, only if the stored name really points inside the store's invoice folder."""
    if not invoice.file:
        return None
    folder = invoice_dir(store).resolve()
    path = (store.path.parent / invoice.file).resolve()
    return path if path.parent == folder else None
