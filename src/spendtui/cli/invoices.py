"""``spendtui invoice add | list | remove``: vendor PDF invoices, and what they paid against usage."""

from __future__ import annotations

import json
from pathlib import Path

import click

from spendtui.cli.env import global_options, with_env
from spendtui.cli.output import emit_csv
from spendtui.config import PROVIDERS
from spendtui.errors import SpendtuiError
from spendtui.money import format_plain

FORMATS = click.Choice(["table", "json", "csv"])


@click.group("invoice")
@global_options
def invoice() -> None:
    """Vendor PDF invoices and receipts: store them, list them, reconcile them against usage."""


@invoice.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--provider", type=click.Choice(PROVIDERS), help="The vendor, when the PDF does not name it.")
@click.option("--confirm", is_flag=True,
              help="Store a file whose figures do not add up as read (after checking it against the PDF); "
                   "a missing number, date or total is never accepted.")  # fmt: skip
@global_options
@with_env
def add(env, files: tuple[Path, ...], provider: str | None, confirm: bool) -> None:
    """Parse and store vendor PDF invoices (the PDF is kept in the store dir).

    Each file is stored on its own; a file that cannot be read with confidence is not stored and
    the command exits 1 saying why. An invoice already stored, or the receipt of one (and the other
    way round), is the same purchase: nothing new, exit 0.
    """
    from spendtui.importers.invoices import parse_pdf
    from spendtui.store.invoices import InvoiceNotStored, store_invoice

    store = env.open_store(create=True, writable=True)
    failed = 0
    for path in files:
        try:
            result = store_invoice(store, parse_pdf(path, provider=provider), confirmed=confirm)
        except InvoiceNotStored as error:
            failed += 1
            reasons = error.reasons()
            if len(reasons) > 1:
                click.echo(f"spendtui: error: {error.name}: not stored:", err=True)
                for reason in reasons:
                    click.echo(f"  - {reason}", err=True)
            else:
                click.echo(f"spendtui: error: {error.name}: not stored: {reasons[0]}", err=True)
            if error.confirmable:
                click.echo("  (if the PDF really says so, --confirm stores it as read)", err=True)
            continue
        except SpendtuiError as error:
            if error.exit_code != 1:
                raise
            failed += 1
            click.echo(f"spendtui: error: {error}", err=True)
            continue
        env.info(result.message)
    if failed:
        raise SpendtuiError(f"{failed} of {len(files)} file{'s' if len(files) > 1 else ''} not stored")


@invoice.command("list")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--reconcile", is_flag=True, help="Print the per-provider-month reconciliation instead.")
@click.option("--provider", type=click.Choice(PROVIDERS), help="Only this provider's invoices.")
@global_options
@with_env
def list_(env, fmt: str, reconcile: bool, provider: str | None) -> None:
    """Stored invoices (amounts in each invoice's own currency); the table adds the reconciliation.

    With --reconcile: per provider and month, invoice totals by line class against usage spend,
    the pool balance, the difference and the capture rate, in USD (other currencies through [fx]).
    """
    from spendtui.store.invoices import list_invoices

    store = env.open_store()
    if reconcile:
        rows = _reconcile(env, store, provider)
        if fmt == "json":
            click.echo(json.dumps([r.as_json() for r in rows], indent=2))
        elif fmt == "csv":
            emit_csv([_flat_reconcile(r.as_json()) for r in rows], RECONCILE_COLUMNS)
        else:
            click.echo(_reconcile_table(rows, env.settings.fx))
        return
    invoices = list_invoices(store, provider=provider)
    if fmt == "json":
        click.echo(json.dumps([inv.as_json() for inv in invoices], indent=2))
    elif fmt == "csv":
        emit_csv([_flat_invoice(inv.as_json()) for inv in invoices], INVOICE_COLUMNS)
    else:
        click.echo(_invoice_table(invoices))
        if invoices:
            click.echo()
            click.echo(_reconcile_table(_reconcile(env, store, provider), env.settings.fx))


@invoice.command("remove")
@click.argument("invoice_number")
@click.option("--provider", type=click.Choice(PROVIDERS), help="Which vendor's invoice, when two share the number.")
@global_options
@with_env
def remove(env, invoice_number: str, provider: str | None) -> None:
    """Delete a stored invoice (by invoice or receipt number), its line items and its kept PDF."""
    from spendtui.store.invoices import remove_invoice

    store = env.open_store(writable=True)
    removed = remove_invoice(store, invoice_number, provider=provider)
    file_note = f" and {removed.file}" if removed.file else ""
    env.info(f"removed {removed.provider} {removed.kind} {removed.invoice_number}{file_note}")


# -- output ---------------------------------------------------------------------------------------
INVOICE_COLUMNS = [
    "invoice_number", "provider", "vendor", "kind", "date", "period_from", "period_to", "currency", "subtotal",
    "discount", "tax", "total", "amount_due", "fixed_subscription", "pool_topup", "other", "file",
]  # fmt: skip
RECONCILE_COLUMNS = [
    "provider", "month", "invoices", "invoice_total", "fixed_subscription", "pool_topup", "other",
    "subscription_paid", "seat_fees", "usage", "usage_estimated", "pool_balance", "difference", "capture_rate_pct", "open",
    "daily_average", "projected_usage", "projected_difference", "projected_capture_rate_pct", "not_converted",
]  # fmt: skip


def _reconcile(env, store, provider: str | None):
    from spendtui.analytics.reconcile import reconcile

    rows = reconcile(env.query(store), env.settings.fx)
    return [r for r in rows if provider is None or r.provider == provider]


def _flat_invoice(item: dict) -> dict:
    period = item.pop("period")
    return item | {"period_from": period["from"], "period_to": period["to"]}


def _flat_reconcile(item: dict) -> dict:
    item["not_converted"] = ";".join(f"{n['currency']} {n['total']}" for n in item["not_converted"])
    return item


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]

    def line(cells) -> str:
        return "  ".join(
            str(c).rjust(w) if i in right else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _money(nano) -> str:
    return format_plain(nano) if nano is not None else "\u2014"


def _invoice_table(invoices) -> str:
    if not invoices:
        return "No invoices stored. Add some with `spendtui invoice add FILE.pdf`."
    headers = ["Date", "Provider", "Kind", "Number", "Period", "Cur", "Total", "Amount due", "Fixed", "Pool/top-up",
               "Other", "File"]  # fmt: skip
    rows = [
        [inv.issued_on, inv.provider, inv.kind, inv.invoice_number,
         f"{inv.period_from or '?'}..{inv.period_to or '?'}", inv.currency, _money(inv.total_nano),
         _money(inv.amount_due_nano), _money(inv.fixed_subscription_nano), _money(inv.pool_topup_nano),
         _money(inv.other_nano), inv.file or "\u2014"]
        for inv in invoices
    ]  # fmt: skip
    return _table(headers, rows, right={6, 7, 8, 9, 10})


def _reconcile_table(rows, fx) -> str:
    title = "Reconciliation per provider and month (USD" + (
        f"; {', '.join(f'1 {c} = {r} USD' for c, r in sorted(fx.items()))})" if fx else ")"
    )
    if not rows:
        return title + "\nNothing to reconcile: no invoices stored."
    headers = ["Provider", "Month", "Invoices", "Paid", "Fixed", "Seat fees", "Pool/top-up", "Other", "Subscr. paid",
               "Usage", "Pool balance", "Difference", "Capture", "Projected usage"]  # fmt: skip
    body = []
    notes = []
    for r in rows:
        capture = f"{r.capture_rate_pct:.2f}%" if r.capture_rate_pct is not None else "\u2014"
        usage = ("~" if r.usage_estimated else "") + _money(r.usage)
        projected = _money(r.projected_usage) + (f" ({_money(r.daily_average)}/day)" if r.open else "")
        body.append([r.provider, r.month + (" (open)" if r.open else ""), str(r.paid.invoices), _money(r.paid.total),
                     _money(r.paid.fixed_subscription), _money(r.seat_fees), _money(r.paid.pool_topup),
                     _money(r.paid.other),
                     _money(r.subscription_paid), usage, _money(r.pool_balance), _money(r.difference), capture,
                     projected if r.open else "\u2014"])  # fmt: skip
        for code, paid in sorted(r.not_converted.items()):
            notes.append(f"{r.provider} {r.month}: {paid.invoices} invoice(s) in {code} totalling "
                         f"{_money(paid.total)} {code} left out (no [fx] rate for {code})")  # fmt: skip
    text = title + "\n" + _table(headers, body, right=set(range(2, 14)))
    return text + ("\n" + "\n".join(notes) if notes else "")
