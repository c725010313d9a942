"""Chinese A4 PDF documents: receipts, certificates, statements.

One small builder on reportlab's platypus with its built-in CJK font (STSong-Light, so no font files ship with
the project) and segno for QR codes, drawn as vectors. Typical use::

    from shebao.core.pdf import PdfDocument, mono, pdf_response

    doc = PdfDocument(title="申报回执", subtitle="申报流水号 2026000123")
    doc.fields([("单位名称", employer.name), ("申报时间", "2026-01-05 10:21"), ("密码", mono(password))])
    doc.table(["身份证号", "姓名", "结果"], [[p.id_number, p.name, "通过"] for p in people])
    doc.paragraph("请携带以下材料到经办窗口办结：……")
    doc.qr("https://example.org/verify/abc", caption="扫码核验")
    return pdf_response(doc.render(), "回执.pdf")

or in one call: ``render_pdf(title=..., fields=[...], table=(headers, rows), notes=[...], qr=url)``.
Every text is escaped (no reportlab markup from user data); lazy translations are accepted anywhere;
``mono(value)`` prints a value in a fixed-width font (passwords, codes people type).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from urllib.parse import quote
from xml.sax.saxutils import escape

import segno
from django.http import HttpResponse
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GRID = colors.HexColor("#888888")
LABEL_BACKGROUND = colors.HexColor("#EEF2F6")
SEAL_SIZE = 38 * mm
# Where the seal and the signature field sit on a sealed document's first page (x1, y1, x2, y2 in points).
SEAL_BOX = (PAGE_WIDTH - MARGIN - SEAL_SIZE, 14 * mm, PAGE_WIDTH - MARGIN, 14 * mm + SEAL_SIZE)

_base = {"fontName": FONT, "wordWrap": "CJK"}
STYLES = {
    "title": ParagraphStyle(
        "title", fontSize=18, leading=24, alignment=TA_CENTER, spaceAfter=2 * mm, **_base
    ),
    "subtitle": ParagraphStyle(
        "subtitle",
        fontSize=10,
        leading=14,
        alignment=TA_CENTER,
        textColor=colors.HexColor("#444444"),
        **_base,
    ),
    "heading": ParagraphStyle(
        "heading", fontSize=12, leading=16, spaceBefore=4 * mm, spaceAfter=2 * mm, **_base
    ),
    "body": ParagraphStyle("body", fontSize=10.5, leading=16, spaceAfter=1.5 * mm, **_base),
    "cell": ParagraphStyle("cell", fontSize=9.5, leading=13, **_base),
    "label": ParagraphStyle("label", fontSize=9.5, leading=13, **_base),
    "caption": ParagraphStyle("caption", fontSize=8.5, leading=11, alignment=TA_CENTER, **_base),
    "footer": ParagraphStyle("footer", fontSize=8, leading=10, **_base),
}


class Mono(str):
    """A value printed in a fixed-width bold font, for things people must type exactly (passwords, codes)."""


def mono(value) -> Mono:
    return Mono(str(value))


# The CJK font has no glyph at U+00B7 (MIDDLE DOT, the 间隔号 in names such as 阿沛·阿旺晋美, and our own
# separators) but has the same dot at U+30FB, which GB 2312 maps it to: print that instead of a blank box.
GLYPH_SUBSTITUTES = str.maketrans({"\u00b7": "\u30fb"})


def printable(value) -> str:
    """Text the CJK font can draw (see GLYPH_SUBSTITUTES)."""
    return str(value).translate(GLYPH_SUBSTITUTES)


def _text(value) -> str:
    """Any value as escaped paragraph text; None and '' become a dash-free blank."""
    if value is None:
        return ""
    return escape(printable(value)).replace("\n", "<br/>")


def _para(value, style: str = "cell") -> Paragraph:
    if isinstance(value, Mono):
        return Paragraph(f'<font name="Courier-Bold" size="12">{_text(value)}</font>', STYLES[style])
    return Paragraph(_text(value), STYLES[style])


class QrCode(Flowable):
    """A QR code drawn as vector rectangles (sharp at any zoom, no image library), with an optional caption."""

    def __init__(self, data: str, *, size: float = 32 * mm, caption: str = ""):
        super().__init__()
        self.data = data
        self.size = size
        self.caption = str(caption) if caption else ""
        qr = segno.make(data, error="m")
        rows = [list(row) for row in qr.matrix_iter(border=2)]
        module = size / len(rows)
        drawing = Drawing(size, size)
        for y, row in enumerate(rows):
            x = 0
            while x < len(row):
                if row[x]:
                    start = x
                    while x < len(row) and row[x]:
                        x += 1
                    drawing.add(
                        Rect(
                            start * module,
                            size - (y + 1) * module,
                            (x - start) * module,
                            module,
                            fillColor=colors.black,
                            strokeColor=None,
                        )
                    )
                else:
                    x += 1
        self.drawing = drawing
        self._caption = _para(self.caption, "caption") if self.caption else None

    def wrap(self, available_width, available_height):
        self.width = available_width
        height = self.size
        if self._caption:
            _, caption_height = self._caption.wrap(max(self.size * 2, 50 * mm), available_height)
            height += caption_height + 1 * mm
        self.height = height
        return self.width, self.height

    def draw(self):
        left = (self.width - self.size) / 2
        top = self.height - self.size
        self.drawing.drawOn(self.canv, left, top)
        if self._caption:
            caption_width = max(self.size * 2, 50 * mm)
            _, caption_height = self._caption.wrap(caption_width, self.height)
            self._caption.drawOn(self.canv, (self.width - caption_width) / 2, top - 1 * mm - caption_height)


class PdfDocument:
    """An A4 document built top to bottom; `render()` returns the PDF bytes."""

    def __init__(self, *, title: str, subtitle: str = "", footer: str = "", author: str = "", seal: str = ""):
        """`seal`: the reason of the office's digital signature (certificates, receipts): the document is
        signed (core.signing) under a seal drawn at the foot of its first page."""
        self.seal = str(seal) if seal else ""
        self.title = str(title)
        self.footer = printable(footer) if footer else ""
        self.author = str(author) if author else ""
        self.story: list = [_para(title, "title")]
        if subtitle:
            self.story.append(_para(subtitle, "subtitle"))
        self.story.append(Spacer(1, 4 * mm))

    # --- building blocks -------------------------------------------------------------------------------

    def heading(self, text) -> PdfDocument:
        self.story.append(_para(text, "heading"))
        return self

    def paragraph(self, text) -> PdfDocument:
        self.story.append(_para(text, "body"))
        return self

    def paragraphs(self, texts: Iterable) -> PdfDocument:
        for text in texts:
            self.paragraph(text)
        return self

    def spacer(self, height_mm: float = 4) -> PdfDocument:
        self.story.append(Spacer(1, height_mm * mm))
        return self

    def fields(self, rows: Sequence[tuple], *, columns: int = 1) -> PdfDocument:
        """Label–value rows in a bordered grid, `columns` pairs a line (1 or 2)."""
        pairs = [(_para(label, "label"), _para(value)) for label, value in rows]
        if not pairs:
            return self
        lines = []
        for start in range(0, len(pairs), columns):
            chunk = pairs[start : start + columns]
            line = [cell for pair in chunk for cell in pair]
            line += [""] * (2 * columns - len(line))
            lines.append(line)
        label_width = 34 * mm
        value_width = CONTENT_WIDTH / columns - label_width
        table = Table(lines, colWidths=[label_width, value_width] * columns, hAlign="LEFT")
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        style += [("BACKGROUND", (2 * c, 0), (2 * c, -1), LABEL_BACKGROUND) for c in range(columns)]
        table.setStyle(TableStyle(style))
        self.story.append(table)
        self.story.append(Spacer(1, 3 * mm))
        return self

    def table(
        self,
        headers: Sequence,
        rows: Iterable[Sequence],
        *,
        col_widths: Sequence[float] | None = None,
        title: str = "",
    ) -> PdfDocument:
        """A grid with a shaded header row repeated on every page. col_widths are fractions of the width
        (they need not sum to 1) or None for equal columns."""
        if title:
            self.heading(title)
        data = [[_para(h, "label") for h in headers]]
        data += [[_para(cell) for cell in row] for row in rows]
        if col_widths:
            total = sum(col_widths)
            widths = [CONTENT_WIDTH * w / total for w in col_widths]
        else:
            widths = [CONTENT_WIDTH / len(headers)] * len(headers)
        table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                    ("BACKGROUND", (0, 0), (-1, 0), LABEL_BACKGROUND),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        self.story.append(table)
        self.story.append(Spacer(1, 3 * mm))
        return self

    def qr(self, data: str, *, caption: str = "", size_mm: float = 32, beside: Sequence = ()) -> PdfDocument:
        """A QR code of `data` (a verification URL, say) with a caption under it: centred on its own, or on the
        right of the paragraphs `beside` (instructions, a certificate's statement)."""
        code = QrCode(data, size=size_mm * mm, caption=caption)
        if not beside:
            self.story.append(KeepTogether([Spacer(1, 2 * mm), code]))
            return self
        text_width = CONTENT_WIDTH - (size_mm + 16) * mm
        table = Table(
            [[[_para(text, "body") for text in beside], code]],
            colWidths=[text_width, CONTENT_WIDTH - text_width],
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (0, 0), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        self.story.append(table)
        return self

    # --- output ----------------------------------------------------------------------------------------

    def _draw_seal(self, canvas) -> None:
        """The office's seal, red, where the signature field goes (SEAL_BOX)."""
        x1, y1, x2, y2 = SEAL_BOX
        cx, cy, r = (x1 + x2) / 2, (y1 + y2) / 2, (x2 - x1) / 2 - 1
        red = colors.HexColor("#C8102E")
        canvas.setStrokeColor(red)
        canvas.setFillColor(red)
        canvas.setLineWidth(1.6)
        canvas.circle(cx, cy, r, stroke=1, fill=0)
        canvas.setLineWidth(0.5)
        canvas.circle(cx, cy, r - 2.2, stroke=1, fill=0)
        star = canvas.beginPath()
        for i in range(10):
            radius = 5.2 * mm if i % 2 == 0 else 2.1 * mm
            angle = math.pi / 2 + i * math.pi / 5
            point = (cx + radius * math.cos(angle), cy + 1.5 * mm + radius * math.sin(angle))
            if i == 0:
                star.moveTo(*point)
            else:
                star.lineTo(*point)
        star.close()
        canvas.drawPath(star, stroke=0, fill=1)
        canvas.setFont(FONT, 7.5)
        canvas.drawCentredString(cx, cy + r - 7.5 * mm, "社会保险经办机构")
        canvas.setFont(FONT, 7)
        canvas.drawCentredString(cx, cy - 6.5 * mm, "电子签章")
        canvas.setFont(FONT, 5.5)
        canvas.drawCentredString(cx, cy - 9.5 * mm, "本文件已数字签名")

    def _decorate(self, canvas, doc) -> None:
        if self.seal and doc.page == 1:
            canvas.saveState()
            self._draw_seal(canvas)
            canvas.restoreState()
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        if self.footer:
            canvas.drawString(MARGIN, 10 * mm, self.footer)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 10 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    def render(self) -> bytes:
        buffer = io.BytesIO()
        template = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=(SEAL_BOX[3] + 2 * mm) if self.seal else MARGIN + 4 * mm,
            title=self.title,
            author=self.author,
            creator="shebao",
        )
        template.build(list(self.story), onFirstPage=self._decorate, onLaterPages=self._decorate)
        if not self.seal:
            return buffer.getvalue()
        from .signing import sign_pdf

        return sign_pdf(buffer.getvalue(), box=SEAL_BOX, reason=self.seal, location=self.author)


def render_pdf(
    *,
    title: str,
    subtitle: str = "",
    fields: Sequence[tuple] = (),
    table: tuple[Sequence, Iterable[Sequence]] | None = None,
    table_title: str = "",
    notes: Sequence = (),
    qr: str | None = None,
    qr_caption: str = "",
    footer: str = "",
) -> bytes:
    """The common shape in one call: title, label–value rows, one table, notes, an optional QR code."""
    doc = PdfDocument(title=title, subtitle=subtitle, footer=footer)
    doc.fields(fields)
    if table is not None:
        headers, rows = table
        doc.table(headers, rows, title=table_title)
    doc.paragraphs(notes)
    if qr:
        doc.qr(qr, caption=qr_caption)
    return doc.render()


def pdf_response(data: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """An HttpResponse for PDF bytes; a Chinese filename is sent RFC 6266-style with an ASCII fallback."""
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "ignore").decode() or "document.pdf"
    if not ascii_name.lower().endswith(".pdf"):
        ascii_name = "document.pdf"
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "no-store"
    return response
