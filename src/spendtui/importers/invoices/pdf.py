"""Getting text out of an invoice PDF with pypdf, and saying clearly why when we cannot.

Layout mode is read first: it places text by position and keeps a row's columns on one line.
Plain mode (content-stream order) is read only when the layout reading leaves problems, and its
reading is kept only if it has fewer of them.
"""

from __future__ import annotations

import hashlib
import io
import logging
from contextlib import contextmanager
from pathlib import Path

from spendtui.errors import SpendtuiError
from spendtui.importers.invoices.model import ParsedInvoice, Problem
from spendtui.importers.invoices.text import parse_text


class InvoiceFileError(SpendtuiError):
    """A file that is not a PDF we can open: missing, not a PDF, damaged or encrypted."""


@contextmanager
def _quiet_pypdf():
    """pypdf logs repairs of damaged files as warnings; we report our own error instead."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _reader(path: Path, data: bytes):
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    name = path.name
    if b"%PDF-" not in data[:1024]:
        raise InvoiceFileError(f"{name}: not a PDF file")
    if b"%%EOF" not in data[-2048:]:
        raise InvoiceFileError(f"{name}: damaged PDF: it ends early (an interrupted download?)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # owner-password-only files open with an empty user password
            except (DependencyError, NotImplementedError):
                opened = 0
            if not opened:
                raise InvoiceFileError(f"{name}: the PDF is encrypted with a password; save an unprotected copy")
        if not len(reader.pages):  # a body torn by bytes gone astray: nothing to read, not a scan
            raise InvoiceFileError(f"{name}: damaged PDF: no page can be read (download it again)")
    except InvoiceFileError:
        raise
    except Exception as exc:  # pypdf meets untrusted bytes: any failure means a damaged file
        raise InvoiceFileError(f"{name}: damaged PDF: {exc}") from None
    return reader


def _page_texts(path: Path, reader, mode: str) -> list[str]:
    texts = []
    for number, page in enumerate(reader.pages, 1):
        try:
            texts.append(page.extract_text(extraction_mode=mode) or "")
        except Exception as exc:  # pypdf raises many types on broken content streams
            raise InvoiceFileError(f"{path.name}: damaged PDF: page {number} cannot be read ({exc})") from None
    return texts


def parse_pdf(path: Path | str, *, provider: str | None = None) -> ParsedInvoice:
    """Read one invoice or receipt PDF. Unreadable files raise InvoiceFileError naming the file;
    anything read with less than full confidence comes back with ``problems`` set.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvoiceFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with _quiet_pypdf():
        reader = _reader(path, data)
        layout = _page_texts(path, reader, "layout")
        if not "".join(layout).strip():
            parsed = ParsedInvoice(provider=provider, text_mode="none")
            parsed.reading_problems.append(
                Problem(None, "the PDF has no text layer (a scan or a picture): download the invoice from the vendor's billing portal as a PDF")
            )
        else:
            parsed = parse_text("\n".join(layout), provider=provider, mode="layout")
            if parsed.problems:
                plain = parse_text("\n".join(_page_texts(path, reader, "plain")), provider=provider, mode="plain")
                if len(plain.problems) < len(parsed.problems):
                    parsed = plain
    parsed.source = path
    parsed.sha256 = hashlib.sha256(data).hexdigest()
    parsed.pages = len(reader.pages)
    return parsed
