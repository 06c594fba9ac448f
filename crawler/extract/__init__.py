"""Text extraction: a pure function from a fetched body (bytes) to text and tables.

Nothing here touches the database or the crawl's reactor; :mod:`crawler.extract.pool` runs
:func:`extract_bytes` in worker processes with a timeout and a memory limit, and a task queue
could run it on other machines (DESIGN.md §9). Per file type:

========  ==========================================================================
html      CMS body containers ranked by report markers, widgets removed, tables as grids
pdf       PDFium text layer per page, tesseract OCR for pages without text (``\\f`` between pages)
docx      lxml over word/document.xml in body order, gridSpan/vMerge expanded
rtf       striprtf with the document's code page (GBK ``\\'xx`` escapes)
doc/wps   LibreOffice headless → DOCX → the DOCX reader
xlsx/xls  openpyxl / xlrd, each sheet a table
ofd       lxml over OFD.xml → Document.xml → page Content.xml, text codes in reading order (``\\f``)
image     tesseract
txt       decoded like HTML bytes (BOM, charset, sniff)
========  ==========================================================================

In ``text`` a table is one line per row, each cell once (where it starts), cells joined by
`` | ``; ``tables`` holds the full grids with spanned cells repeated in every slot.
"""

from __future__ import annotations

from crawler.extract.html import extract_html, join_html_pages
from crawler.extract.result import EXTRACTOR_VERSION, ExtractResult, failed, finish
from crawler.extract.sniff import sniff
from crawler.recognize.encoding import decode_body

__all__ = ["EXTRACTOR_VERSION", "ExtractResult", "extract_bytes", "extract_html_pages", "sniff"]


def _dispatch(data: bytes, kind: str | None, content_type: str | None, ocr: bool) -> ExtractResult:
    if kind == "html":
        return extract_html(data, content_type)
    if kind == "pdf":
        from crawler.extract.pdf import extract_pdf

        return extract_pdf(data, ocr=ocr)
    if kind == "docx":
        from crawler.extract.office import extract_docx

        return extract_docx(data)
    if kind == "rtf":
        from crawler.extract.office import extract_rtf

        return extract_rtf(data)
    if kind in ("doc", "wps"):
        from crawler.extract.office import extract_doc

        return extract_doc(data, kind)
    if kind == "xlsx":
        from crawler.extract.sheet import extract_xlsx

        return extract_xlsx(data)
    if kind == "xls":
        from crawler.extract.sheet import extract_xls

        return extract_xls(data)
    if kind == "ofd":
        from crawler.extract.ofd import extract_ofd

        return extract_ofd(data)
    if kind == "image":
        from crawler.extract.ocr import extract_image

        return extract_image(data, ocr=ocr)
    if kind == "txt":
        text, encoding = decode_body(data, content_type)
        return finish(text, extractor="text", version=f"decode_body ({encoding})", file_type="txt")
    what = kind or "unknown binary"
    return failed("unsupported", f"no extractor for file type {what!r}", file_type=kind)


def extract_bytes(
    data: bytes,
    *,
    content_type: str | None = None,
    url: str | None = None,
    ocr: bool = True,
    max_bytes: int = 60_000_000,
) -> ExtractResult:
    """Extract text (and tables) from one fetched body. Never raises: every failure is a
    status with a readable ``error``. Runs in the calling process: use
    :func:`crawler.extract.pool.extract_many` for isolation, timeouts and memory limits."""
    try:
        kind = sniff(data, content_type, url)
        if not data:
            return failed("empty", "empty file (0 bytes)", file_type=kind)
        if len(data) > max_bytes:
            return failed("too_large", f"{len(data)} bytes > limit of {max_bytes} bytes", file_type=kind)
        result = _dispatch(data, kind, content_type, ocr)
        return result if result.file_type else result.with_(file_type=kind)
    except MemoryError:
        return failed("error", "out of memory (MemoryError)", file_type=None)
    except RecursionError:
        return failed("error", "document nested too deeply (RecursionError)")
    except Exception as exc:  # the contract: never raise
        return failed("error", f"{type(exc).__name__}: {exc}"[:500])


def extract_html_pages(
    pages: list[bytes], *, url: str | None = None, content_type: str | None = None
) -> ExtractResult:
    """A TRS article split over ``t…_1.html`` pages: the main text of each, joined in order
    (``pages`` = number of pages). Never raises."""
    try:
        return join_html_pages(pages, content_type)
    except Exception as exc:
        return failed("error", f"{type(exc).__name__}: {exc}"[:500], file_type="html")
