"""Render a report document (see :mod:`portalsim.content`) as HTML, PDF, DOCX or "DOC".

- HTML: paragraphs and tables with real ``rowspan``/``colspan``, for detail pages.
- PDF: a real PDF drawn with reportlab in the CID font ``STSong-Light`` (UniGB-UCS2-H, no font
  file needed); tables become text lines, as PDF text extraction sees them.  ``invariant=1``
  keeps the bytes reproducible (no creation date or random document id).
- DOCX: an Office Open XML package built with :mod:`zipfile` (fixed timestamps), with
  paragraphs and tables using ``gridSpan``/``vMerge``.
- DOC: many ``.doc`` files on government sites are really RTF documents, so the simulator serves
  RTF (``{\\rtf1\\ansi\\ansicpg936 …}`` with ``\\uNNNN?`` escapes for Chinese) as
  ``application/msword`` under a ``.doc`` name.
"""

from __future__ import annotations

import io
import threading
import zipfile
from html import escape

from portalsim.tables import Table, text_lines

_FONT = "STSong-Light"
_registered = False
_PDF_LOCK = threading.Lock()  # reportlab keeps module-level state: draw one PDF at a time


def blocks_html(blocks: list) -> str:
    """The blocks as the HTML body of a detail page."""
    out: list[str] = []
    for kind, value in blocks:
        if kind == "h":
            out.append(f'<p style="text-indent:2em;"><strong>{escape(value)}</strong></p>')
        elif kind == "p":
            out.append(f'<p style="text-indent:2em;">{escape(value)}</p>')
        elif kind == "sign":
            out.append(f'<p style="text-align:right;">{escape(value)}</p>')
        elif kind == "img":  # a table given only as a picture (the file is never served)
            out.append(f'<p style="text-align:center;"><img src="{escape(value)}" alt=""></p>')
        else:
            out.append(_table_html(value))
    return "\n".join(out)


def _table_html(table: Table) -> str:
    rows = []
    for row in table:
        cells = []
        for text, rowspan, colspan in row:
            attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
                f' colspan="{colspan}"' if colspan > 1 else ""
            )
            cells.append(f"<td{attrs}><p>{escape(text)}</p></td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;">'
        "<tbody>" + "\n".join(rows) + "</tbody></table>"
    )


def plain_lines(doc: dict) -> list[tuple[str, str]]:
    """(style, line) pairs of the document: style is title, h, p, sign or row."""
    lines = [("title", doc["title"])]
    for kind, value in doc["blocks"]:
        if kind == "table":
            lines.extend(("row", line) for line in text_lines(value))
        elif kind == "img":
            continue  # a picture: no text in the PDF
        else:
            lines.append((kind, value))
    return lines


def pdf_bytes(doc: dict) -> bytes:
    """A text PDF of the document (reportlab, STSong-Light)."""
    global _registered
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    with _PDF_LOCK:
        if not _registered:
            pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
            _registered = True
        return _draw_pdf(doc, canvas.Canvas, A4, pdfmetrics.stringWidth)


def _draw_pdf(doc: dict, canvas_cls, page_size: tuple[float, float], measure) -> bytes:
    buf = io.BytesIO()
    cv = canvas_cls(buf, pagesize=page_size, invariant=1, pageCompression=1)
    cv.setTitle(doc["title"])
    cv.setAuthor(doc["agency"])
    width, height = page_size
    left, top, bottom = 60, height - 70, 60
    y = top
    for style, text in plain_lines(doc):
        size = {"title": 15, "h": 12}.get(style, 10.5)
        limit = width - 2 * left - (0 if style != "p" else 21)
        for line in _wrap(text, size, limit, measure):
            if y < bottom:
                cv.showPage()
                y = top
            cv.setFont(_FONT, size)
            if style == "title":
                cv.drawCentredString(width / 2, y, line)
            elif style == "sign":
                cv.drawRightString(width - left, y, line)
            else:
                cv.drawString(left + (21 if style == "p" else 0), y, line)
            y -= size * 1.7
        if style == "title":
            y -= 10
    cv.showPage()
    cv.save()
    return buf.getvalue()


def _wrap(text: str, size: float, limit: float, measure) -> list[str]:
    lines, current, used = [], "", 0.0
    for ch in text:
        w = measure(ch, _FONT, size)
        if used + w > limit and current:
            lines.append(current)
            current, used = "", 0.0
        current += ch
        used += w
    return [*lines, current] if current else lines or [""]


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.'
    'core-properties+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/></Relationships>'
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w_par(text: str, bold: bool = False, align: str | None = None) -> str:
    ppr = f'<w:pPr><w:jc w:val="{align}"/></w:pPr>' if align else ""
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{escape(text, quote=False)}</w:t></w:r></w:p>'


def _w_table(table: Table) -> str:
    placed: dict[tuple[int, int], tuple[int, int, int, int, str]] = {}
    width = 0
    for r, row in enumerate(table):
        col = 0
        for text, rowspan, colspan in row:
            while (r, col) in placed:
                col += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    placed[(r + dr, col + dc)] = (r, col, rowspan, colspan, text)
            col += colspan
            width = max(width, col)
    border = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    out = [
        f"<w:tbl><w:tblPr><w:tblBorders>{border}</w:tblBorders></w:tblPr><w:tblGrid>"
        + '<w:gridCol w:w="800"/>' * width
        + "</w:tblGrid>"
    ]
    for r in range(len(table)):
        cells = []
        for col in range(width):
            origin_r, origin_c, rowspan, colspan, text = placed.get((r, col), (r, col, 1, 1, ""))
            if origin_c != col:
                continue
            props = f'<w:gridSpan w:val="{colspan}"/>' if colspan > 1 else ""
            if rowspan > 1:
                props += '<w:vMerge w:val="restart"/>' if origin_r == r else "<w:vMerge/>"
            body = _w_par(text) if origin_r == r else "<w:p/>"
            cells.append(f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>")
        out.append("<w:tr>" + "".join(cells) + "</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def docx_bytes(doc: dict) -> bytes:
    """A minimal, valid .docx of the document (word/document.xml with paragraphs and tables)."""
    parts = [_w_par(doc["title"], bold=True, align="center")]
    for kind, value in doc["blocks"]:
        if kind == "table":
            parts.append(_w_table(value))
        elif kind == "img":
            continue  # a picture: no text
        else:
            parts.append(_w_par(value, bold=kind == "h", align="right" if kind == "sign" else None))
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{_W}">'
        f"<w:body>{''.join(parts)}<w:sectPr/></w:body></w:document>"
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(doc['title'])}</dc:title><dc:creator>{escape(doc['agency'])}</dc:creator>"
        "</cp:coreProperties>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _RELS),
            ("docProps/core.xml", core),
            ("word/document.xml", document),
        ):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data.encode("utf-8"))
    return buf.getvalue()


def _rtf_text(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\\{}":
            out.append("\\" + ch)
        elif code < 128:
            out.append(ch)
        elif code > 0xFFFF:
            code -= 0x10000
            for unit in (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)):
                out.append(f"\\u{unit - 0x10000}?")
        else:
            out.append(f"\\u{code if code < 0x8000 else code - 0x10000}?")
    return "".join(out)


def rtf_bytes(doc: dict) -> bytes:
    """The document as RTF (what many government ``.doc`` files really are)."""
    out = [
        "{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}",
        "{\\info{\\title " + _rtf_text(doc["title"]) + "}{\\author " + _rtf_text(doc["agency"]) + "}}",
        "\\uc1\\f0\\fs24",
        "\\pard\\qc\\b\\fs32 " + _rtf_text(doc["title"]) + "\\b0\\fs24\\par",
    ]
    for kind, value in doc["blocks"]:
        if kind == "img":
            continue  # a picture: no text
        if kind == "table":
            for row in value:
                step = 9000 // max(1, len(row))
                cells = "".join(f"\\cellx{step * (k + 1)}" for k in range(len(row)))
                texts = "".join(f"\\pard\\intbl {_rtf_text(t)}\\cell " for t, _, _ in row)
                out.append(f"\\trowd\\trgaph108{cells}{texts}\\row")
            out.append("\\pard")
        elif kind == "h":
            out.append("\\pard\\b " + _rtf_text(value) + "\\b0\\par")
        elif kind == "sign":
            out.append("\\pard\\qr " + _rtf_text(value) + "\\par")
        else:
            out.append("\\pard\\fi480 " + _rtf_text(value) + "\\par")
    out.append("}")
    return "\n".join(out).encode("ascii")
