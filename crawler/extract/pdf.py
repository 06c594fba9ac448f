"""PDF: the PDFium text layer per page; pages without text are rendered and OCR'd."""

from __future__ import annotations

from functools import cache

from crawler.extract.ocr import OcrError, ocr_image, ocr_unavailable, tesseract_version
from crawler.extract.result import ExtractResult, failed, finish

MIN_PAGE_CHARS = 10  # a page with fewer non-space characters in its text layer is a scan
OCR_DPI = 200
PAGE_SEP = "\f"  # pages are joined with a form feed (pdftotext's convention)


@cache
def pdfium_version() -> str:
    """``"pypdfium2 5.15.2 (PDFium 159.0.8149.0)"``."""
    import pypdfium2.version as v

    return f"pypdfium2 {v.PYPDFIUM_INFO} (PDFium {str(v.PDFIUM_INFO).split('@')[0]})"


def _open(data: bytes):  # -> (PdfDocument | None, error | None)
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        return pdfium.PdfDocument(data), None
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == raw.FPDF_ERR_PASSWORD or "password" in str(exc).lower():
            return None, "encrypted PDF (a password is needed; the empty password did not open it)"
        if code == raw.FPDF_ERR_SECURITY:
            return None, "encrypted PDF (unsupported security handler)"
        return None, f"truncated or damaged PDF: {exc}"


def extract_pdf(data: bytes, *, ocr: bool = True) -> ExtractResult:
    """Text of a PDF, page by page (pages joined by ``\\f``), OCR for pages without a text layer.

    Statuses: ``needs_ocr`` when scanned pages could not be OCR'd (OCR off or tesseract
    missing; the text of the other pages is kept), ``error`` for damaged, truncated or
    encrypted files (a truncated file's recoverable text is kept).
    """
    base: dict = {"extractor": "pdfium", "version": pdfium_version(), "file_type": "pdf"}
    if not data:
        return failed("empty", "empty file (0 bytes)", **base)
    if b"%PDF-" not in data[:1024]:
        return failed("error", "not a PDF (no %PDF- header)", **base)
    pdf, error = _open(data)
    if pdf is None:
        return failed("error", error or "cannot open PDF", **base)
    truncated = data.rfind(b"%%EOF") < len(data) - 2048
    texts: list[str] = []
    scanned: list[int] = []
    ocr_used = False
    ocr_error = None
    try:
        n = len(pdf)
        for i in range(n):
            page = pdf[i]
            try:
                textpage = page.get_textpage()
                text = textpage.get_text_range()
                textpage.close()
                if sum(1 for ch in text if not ch.isspace()) < MIN_PAGE_CHARS:
                    scanned.append(i)
                    if ocr and ocr_error is None and not ocr_unavailable():
                        image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
                        try:
                            text = ocr_image(image)
                            ocr_used = True
                        except OcrError as exc:
                            ocr_error = str(exc)
                texts.append(text.replace("\r\n", "\n").replace("\r", "\n").strip())
            finally:
                page.close()
    finally:
        pdf.close()
    if ocr_used:
        base.update(extractor="pdfium+tesseract", version=f"{base['version']}; {tesseract_version()}")
    text = PAGE_SEP.join(texts)
    fields = {**base, "pages": n, "ocr": ocr_used}
    if truncated:
        return failed(
            "error",
            "truncated or damaged PDF: no %%EOF at the end (file cut short?)",
            text=text.strip(),
            **fields,
        )
    if scanned and not ocr_used:
        reason = ocr_error or ("OCR disabled" if not ocr else ocr_unavailable())
        return failed(
            "needs_ocr",
            f"{len(scanned)} of {n} pages have no text layer; {reason}",
            text=text.strip(),
            **fields,
        )
    if ocr_error:
        return failed("error", f"OCR failed on some pages: {ocr_error}", text=text.strip(), **fields)
    return finish(text, **fields)
