"""Synthetic Stripe-style invoice PDFs for the parser tests (invoices.md §7 and our own variants).

The tests read the committed PDFs in ``tests/data/invoices/``, so font rendering never changes
what they see. Regenerate with ``.venv/bin/python tests/invoice_pdfs.py`` (needs fpdf2, Pillow,
pypdf and DejaVuSans.ttf, which carries the en dash, minus sign, euro and middle dot Stripe prints).

Every cell is placed by coordinates, so pypdf's layout mode can rebuild the rows. A ``torn`` document
writes its cells column by column (all labels, then all values; all descriptions, then all
quantities, then all amounts; summary values before their labels), which is the content-stream order
that makes plain-mode extraction tear the table apart, as invoices.md §2.1 describes.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
OUT = Path(__file__).resolve().parent / "data" / "invoices"
CENT = Decimal("0.01")


@dataclass
class Row:
    description: str
    qty: str = ""
    unit: str = ""
    amount: str = ""
    period: str | None = None


@dataclass
class Doc:
    name: str
    fields: list[tuple[str, str]]
    seller: list[str]
    rows: list[Row]
    summary: list[tuple[str, str]]
    title: str = "Invoice"
    bill_to: list[str] = field(default_factory=lambda: ["Bill to", "Example Corp", "billing@example.com"])
    headline: str | None = None
    memo: str | None = None
    header: tuple[str, str, str, str] = ("Description", "Qty", "Unit price", "Amount")
    footer: str | None = None
    trailer: list[str] = field(default_factory=list)
    page_word: str = "Page {page} of {nb}"
    torn: bool = False


@dataclass
class Cell:
    page: int
    x: float
    y: float
    w: float
    text: str
    align: str = "L"
    size: float = 9
    block: str = ""
    col: int = 0


def render(doc: Doc) -> bytes:
    """Lay the document out as cells, then write them in row order or, for a torn one, column order."""
    from fpdf import FPDF

    cells = _layout(doc)
    pages = max(c.page for c in cells)
    pdf = FPDF(format="letter", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_creation_date(_FIXED_DATE)
    for page in range(1, pages + 1):
        pdf.add_page()
        on_page = [c for c in cells if c.page == page]
        if doc.torn:
            blocks: list[str] = []
            for c in on_page:
                if c.block not in blocks:
                    blocks.append(c.block)
            on_page = sorted(on_page, key=lambda c: (blocks.index(c.block), c.col))  # stable within a column
        for c in on_page:
            pdf.set_font("DejaVu", size=c.size)
            pdf.set_xy(c.x, c.y)
            pdf.cell(c.w, 5, c.text.replace("{nb}", str(pages)), align=c.align)
    return bytes(pdf.output())


def _layout(doc: Doc) -> list[Cell]:
    cells: list[Cell] = []
    page, y = 1, 18.0

    def put(x, w, text, align="L", size=9, block="", col=0, dy=0.0):
        cells.append(Cell(page, x, y + dy, w, text, align, size, block, col))

    def footer():
        word = doc.page_word.format(page=page, nb="{nb}")
        put(15, 110, doc.footer or "", block="footer", dy=255 - y)
        put(150, 50, word, align="R", block="footer", dy=255 - y)

    def table_header():
        nonlocal y
        for col, (x, w, align) in enumerate(_COLUMNS):
            put(x, w, doc.header[col], align, block="thead", col=col)
        y += 7

    put(15, 60, doc.title, size=16, block="title")
    y += 12
    for label, value in doc.fields:
        put(15, 40, label, block="fields", col=0)
        put(55, 60, value, block="fields", col=1)
        y += 5
    y += 4
    for i in range(max(len(doc.seller), len(doc.bill_to))):
        if i < len(doc.seller):
            put(15, 80, doc.seller[i], block="parties", col=0)
        if i < len(doc.bill_to):
            put(110, 80, doc.bill_to[i], block="parties", col=1)
        y += 5
    y += 4
    if doc.headline:
        put(15, 150, doc.headline, size=12, block="headline")
        y += 10
    if doc.memo:
        put(15, 150, doc.memo, block="memo")
        y += 7
    table_header()
    for row in doc.rows:
        if y > 235:
            footer()
            page, y = page + 1, 18.0
            table_header()
        for col, (x, w, align) in enumerate(_COLUMNS):
            put(x, w, [row.description, row.qty, row.unit, row.amount][col], align, block="rows", col=col)
        y += 5
        if row.period:
            put(15, 95, row.period, size=8, block="rows", col=0)
            y += 5
        y += 1.5
    y += 4
    for label, value in doc.summary:
        put(95, 60, label, block="summary", col=1)
        put(160, 40, value, align="R", block="summary", col=0)  # torn: values come out before labels
        y += 5.5
    y += 4
    for line in doc.trailer:
        put(15, 150, line, block="trailer")
        y += 5
    footer()
    return cells


_COLUMNS = ((15, 95, "L"), (110, 15, "R"), (125, 30, "R"), (160, 40, "R"))
_FIXED_DATE = datetime(2026, 11, 1, tzinfo=timezone.utc)  # byte-identical output on every run


def usd(value: Decimal, prefix: str = "$") -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}{prefix}{abs(value):,.2f}"


def eur_de(value: Decimal) -> str:
    text = f"{abs(value):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{'-' if value < 0 else ''}{text} €"


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# -- the documents ---------------------------------------------------------------------------
ANTHROPIC_TEAM = Doc(
    name="anthropic-team.pdf",
    fields=[("Invoice number", "QZ7KD2RA-0012"), ("Date of issue", "October 1, 2026"), ("Date due", "October 1, 2026")],
    seller=["Anthropic, PBC", "548 Market Street", "San Francisco, CA 94104", "United States"],
    headline="$1,140.00 USD due October 1, 2026",
    rows=[
        Row("Claude Team - Standard seat", "8", "$30.00", "$240.00", "Oct 1 \u2013 Nov 1, 2026"),
        Row("Claude Team - Premium seat", "4", "$150.00", "$600.00", "Oct 1 \u2013 Nov 1, 2026"),
        Row("Extra usage credits", "1", "$300.00", "$300.00"),
    ],
    summary=[("Subtotal", "$1,140.00"), ("Total excluding tax", "$1,140.00"), ("Total", "$1,140.00"),
             ("Amount due", "$1,140.00")],  # fmt: skip
    footer="QZ7KD2RA-0012 \u00b7 $1,140.00 USD due October 1, 2026",
)

ANTHROPIC_TEAM_RECEIPT = replace(
    ANTHROPIC_TEAM,
    name="anthropic-team-receipt.pdf",
    title="Receipt",
    fields=[("Invoice number", "QZ7KD2RA-0012"), ("Receipt number", "2554-1935-9612"),
            ("Date paid", "October 1, 2026"), ("Payment method", "Visa - 4242")],  # fmt: skip
    headline="$1,140.00 paid on October 1, 2026",
    summary=[("Subtotal", "$1,140.00"), ("Total", "$1,140.00"), ("Amount paid", "$1,140.00")],
    footer="2554-1935-9612 \u00b7 $1,140.00 paid on October 1, 2026",
)

ANTHROPIC_TEAM_TORN = replace(ANTHROPIC_TEAM, name="anthropic-team-torn.pdf", torn=True)

ANTHROPIC_API_RECEIPT = Doc(
    name="anthropic-api-credits-receipt.pdf",
    title="Receipt",
    fields=[("Invoice number", "OKBBHMMB-0145"), ("Receipt number", "2101-8832"), ("Date paid", "Oct 3, 2026"),
            ("Payment method", "Mastercard - 5454")],  # fmt: skip
    seller=["Anthropic, PBC", "548 Market Street", "San Francisco, CA 94104"],
    headline="$90.28 paid on October 3, 2026",
    rows=[Row("Auto-recharge credits", "1", "$90.28", "$90.28")],
    summary=[("Subtotal", "$90.28"), ("Total", "$90.28"), ("Amount paid", "$90.28")],
    footer="2101-8832 \u00b7 $90.28 paid on October 3, 2026",
)

OPENAI_BUSINESS = Doc(
    name="openai-business.pdf",
    fields=[("Invoice number", "8F3A21C9-0003"), ("Date of issue", "October 5, 2026"), ("Date due", "October 5, 2026")],
    seller=["OpenAI"],
    headline="$4,780.00 USD due October 5, 2026",
    rows=[
        Row("ChatGPT Business", "20", "$240.00", "$4,800.00", "Oct 5, 2026 \u2013 Oct 5, 2027"),
        Row("Workspace credits", "1", "$500.00", "$500.00"),
    ],
    summary=[("Subtotal", "$5,300.00"), ("Total", "$5,300.00"), ("Applied balance", "-$520.00"),
             ("Amount due", "$4,780.00")],  # fmt: skip
)

OPENAI_API_IE = Doc(
    name="openai-api-credits-ie.pdf",
    fields=[("Invoice number", "ZK2P9QWE-0041"), ("Date of issue", "1 October 2026"), ("Date due", "1 October 2026")],
    seller=["OpenAI Ireland Limited", "1st Floor, The Liffey Trust Centre", "Dublin 1, Ireland", "VAT IE3835658SH"],
    bill_to=["Bill to", "Beispiel GmbH", "DE 123456789"],
    headline="US$500.00 due 1 October 2026",
    rows=[Row("API credit purchase", "1", "US$500.00", "US$500.00")],
    summary=[("Subtotal", "US$500.00"), ("Total excluding tax", "US$500.00"),
             ("VAT - Ireland (0% on US$500.00)", "US$0.00"), ("Total", "US$500.00"), ("Amount due", "US$500.00")],
    trailer=["Tax to be paid on reverse charge basis"],
    footer="ZK2P9QWE-0041 \u00b7 US$500.00 due 1 October 2026",
)  # fmt: skip

CURSOR_USAGE = Doc(
    name="cursor-usage.pdf",
    fields=[("Invoice number", "C4T9PLQ2-0021"), ("Date of issue", "November 1, 2026"),
            ("Date due", "November 1, 2026")],  # fmt: skip
    seller=["Cursor"],
    headline="$212.47 USD due November 1, 2026",
    memo="Cursor Usage for October 2026",
    rows=[
        Row("On-demand usage - claude-sonnet-5", "1", "$158.92", "$158.92"),
        Row("On-demand usage - gpt-5", "1", "$49.05", "$49.05"),
        Row("Cursor Token Rate", "1", "$4.50", "$4.50"),
    ],
    summary=[("Subtotal", "$212.47"), ("Total", "$212.47"), ("Amount due", "$212.47")],
    trailer=["Anysphere, Inc."],
)

CURSOR_USAGE_BALANCE = Doc(
    name="cursor-usage-balance.pdf",
    fields=[("Invoice number", "E1A2B3C4-0007"), ("Date of issue", "February 1, 2025"),
            ("Date due", "February 1, 2025")],  # fmt: skip
    seller=["Cursor"],
    headline="US$0.00 due February 1, 2025",
    memo="Cursor Usage for January 2025",
    rows=[Row("1 o1 request * 40 cents per such request", "1", "US$0.40", "US$0.40")],
    summary=[("Subtotal", "US$0.40"), ("Total", "US$0.40"), ("Applied balance", "-US$0.40"),
             ("Amount due", "US$0.00")],  # fmt: skip
    trailer=["Anysphere, Inc."],
)


def _cursor_teams_multipage() -> Doc:
    """Seats plus a member added almost every day: proration lines spill onto a second page."""
    seat = Decimal("40.00")
    rows = [Row("Cursor Teams", "12", "$40.00", "$480.00", "Oct 1 \u2013 Nov 1, 2026")]
    for day in range(2, 27):
        amount = _cents(seat * (32 - day) / 31)
        description = f"Remaining time on 1 \u00d7 Cursor Teams after {day} Oct 2026"
        if day % 2:
            rows.append(Row(description, amount=usd(amount), period=f"Oct {day} \u2013 Nov 1, 2026"))
        else:
            rows.append(Row(description, "1", usd(amount), usd(amount), f"Oct {day} \u2013 Nov 1, 2026"))
    unused = -_cents(seat * 12 / 31)
    rows.append(Row("Unused time on Cursor Teams after 20 Oct 2026", amount=usd(unused)))
    rows.append(Row("Courtesy credit", amount=usd(Decimal("-25.00"))))
    subtotal = sum((Decimal(r.amount.replace("$", "").replace(",", "")) for r in rows), Decimal(0))
    discount = _cents(subtotal * Decimal("0.20"))
    excluding = subtotal - discount
    tax = _cents(excluding * Decimal("0.0725"))
    total = excluding + tax
    return Doc(
        name="cursor-teams-multipage.pdf",
        fields=[("Invoice number", "7HX2KD9Q-0031"), ("Date of issue", "Oct 31, 2026"), ("Date due", "Nov 30, 2026")],
        seller=["Cursor", "Anysphere, Inc."],
        headline=f"{usd(total)} USD due November 30, 2026",
        rows=rows,
        summary=[("Subtotal", usd(subtotal)), ("Startup program (20% off)", usd(-discount)),
                 ("Total excluding tax", usd(excluding)),
                 (f"Sales Tax - California (7.25% on {usd(excluding)})", usd(tax)), ("Total", usd(total)),
                 ("Amount due", usd(total))],  # fmt: skip
        footer=f"7HX2KD9Q-0031 \u00b7 {usd(total)} USD due November 30, 2026",
    )


def _cursor_teams_de() -> Doc:
    seats, price = 40, Decimal("36.00")
    net = price * seats
    tax = _cents(net * Decimal("0.19"))
    return Doc(
        name="cursor-teams-de.pdf",
        title="Rechnung",
        fields=[("Rechnungsnummer", "9D2C71AB-0004"), ("Rechnungsdatum", "1. Oktober 2026"),
                ("Fälligkeitsdatum", "15. Oktober 2026")],  # fmt: skip
        seller=["Cursor", "Anysphere, Inc."],
        bill_to=["Rechnung an", "Beispiel GmbH", "USt-IdNr. DE123456789"],
        headline=f"{eur_de(net + tax)} fällig am 15. Oktober 2026",
        header=("Beschreibung", "Menge", "Stückpreis", "Betrag"),
        rows=[Row("Cursor Teams", str(seats), eur_de(price), eur_de(net), "1. Okt. \u2013 1. Nov. 2026")],
        summary=[("Zwischensumme", eur_de(net)), ("Summe ohne Steuern", eur_de(net)),
                 (f"USt. - Deutschland (19 % auf {eur_de(net)})", eur_de(tax)), ("Gesamt", eur_de(net + tax)),
                 ("Fälliger Betrag", eur_de(net + tax))],  # fmt: skip
        page_word="Seite {page} von {nb}",
    )


def _openai_es() -> Doc:
    return Doc(
        name="openai-chatgpt-es.pdf",
        title="Factura",
        fields=[("Número de factura", "5RT8WQ1Z-0002"), ("Fecha de emisión", "5 de octubre de 2026"),
                ("Fecha de vencimiento", "5 de octubre de 2026")],  # fmt: skip
        seller=["OpenAI, LLC", "1455 3rd Street", "San Francisco, CA 94158"],
        bill_to=["Facturar a", "Ejemplo S.L."],
        headline="90,00 US$ pagadero el 5 de octubre de 2026",
        header=("Descripción", "Cantidad", "Precio unitario", "Importe"),
        rows=[Row("ChatGPT Business", "3", "30,00 US$", "90,00 US$", "5 oct 2026 \u2013 5 nov 2026")],
        summary=[("Subtotal", "90,00 US$"), ("Total", "90,00 US$"), ("Importe adeudado", "90,00 US$")],
        page_word="Página {page} de {nb}",
    )


RESELLER = Doc(
    name="reseller-enterprise.pdf",
    fields=[("Invoice number", "RS-2026-0410"), ("Date of issue", "October 1, 2026"), ("Date due", "October 31, 2026")],
    seller=["Northwind Software Reseller Ltd", "12 Harbour Road", "Leeds, United Kingdom"],
    headline="$1,200.00 USD due October 31, 2026",
    rows=[Row("Claude Enterprise seat", "20", "$60.00", "$1,200.00", "Oct 1 \u2013 Nov 1, 2026")],
    summary=[("Subtotal", "$1,200.00"), ("Total", "$1,200.00"), ("Amount due", "$1,200.00")],
)

ARITHMETIC_OFF = replace(
    ANTHROPIC_TEAM,
    name="arithmetic-off.pdf",
    rows=[replace(ANTHROPIC_TEAM.rows[0], amount="$250.00"), *ANTHROPIC_TEAM.rows[1:]],
)

NOT_AN_INVOICE = Doc(
    name="unknown-layout.pdf",
    title="Meeting notes",
    fields=[("Date", "October 2, 2026"), ("Attendees", "Finance, Platform")],
    seller=["Agenda: budget review for Q4", "Decision: keep the current plan"],
    bill_to=[],
    rows=[],
    summary=[],
    header=("", "", "", ""),
)


def image_only() -> bytes:
    """A 'scanned' invoice: one page holding a picture and no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    picture = Image.new("L", (850, 1100), 255)
    draw = ImageDraw.Draw(picture)
    for top in range(80, 1000, 38):
        draw.rectangle((70, top, 70 + (top * 7) % 600 + 120, top + 14), fill=40)
    pdf = FPDF(format="letter", unit="mm")
    pdf.set_creation_date(_FIXED_DATE)
    pdf.add_page()
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    pdf.image(buffer, x=0, y=0, w=215.9)
    return bytes(pdf.output())


def encrypted(plain: bytes) -> bytes:
    """The Anthropic invoice behind a user password (RC4: pypdf needs no extra package to read it)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


DOCS = [
    ANTHROPIC_TEAM, ANTHROPIC_TEAM_TORN, ANTHROPIC_TEAM_RECEIPT, ANTHROPIC_API_RECEIPT, OPENAI_BUSINESS,
    OPENAI_API_IE, CURSOR_USAGE, CURSOR_USAGE_BALANCE, RESELLER, ARITHMETIC_OFF, NOT_AN_INVOICE,
]  # fmt: skip


def write_all(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for doc in [*DOCS, _cursor_teams_multipage(), _cursor_teams_de(), _openai_es()]:
        written[doc.name] = render(doc)
    written["image-only.pdf"] = image_only()
    written["encrypted.pdf"] = encrypted(written["anthropic-team.pdf"])
    written["truncated.pdf"] = written["anthropic-team.pdf"][: len(written["anthropic-team.pdf"]) * 6 // 10]
    written["not-a-pdf.pdf"] = b"email,amount\nalice@example.com,12.00\n"
    paths = []
    for name, data in written.items():
        path = out / name
        path.write_bytes(data)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written_path in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(written_path, written_path.stat().st_size)
