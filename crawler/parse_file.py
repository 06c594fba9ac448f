"""``nianbao parse FILE``: one saved file → the JSON object of DESIGN §7, whatever its format.

HTML pages go through page recognition (``crawler.recognize.page``) and get their main text
from the HTML extractor; other files (PDF, DOCX, DOC/WPS, RTF, spreadsheets, TXT) are
extracted in this process (a single file from the command line, not the crawl) and recognised
from their text: the report year from the 统计期限 sentence, the title from the first lines.
"""

from __future__ import annotations

from typing import Any

from crawler.cleaning import clean_text
from crawler.extract import extract_bytes, sniff
from crawler.recognize.detail import report_marker_count
from crawler.recognize.page import parse_page
from crawler.recognize.titles import period_year, recognize_title

_REPORT_MARKERS = 3


def parse_file(data: bytes, url: str | None = None, content_type: str | None = None,
               cms: str = "auto") -> dict[str, Any]:
    """Recognise one file; ``text`` is the clean (simplified) text, ``extraction`` how it was got."""
    kind = sniff(data, content_type, url)
    result = extract_bytes(data, content_type=content_type, url=url)
    cleaned = clean_text(result.text) if result.text else None
    extraction = {"status": result.status, "extractor": result.extractor, "file_type": result.file_type,
                  "ocr": result.ocr, "pages": result.pages, "error": result.error}
    if "html" in (kind, result.file_type):
        page = parse_page(data, url=url, content_type=content_type, cms=cms)
        if cleaned and page["kind"] != "listing":
            page["text"] = cleaned.text
        return {**page, "extraction": extraction}
    text = cleaned.text if cleaned else ""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:8]
    title = next((ln for ln in lines if recognize_title(ln).is_report), None)
    info = recognize_title(title or "")
    year = period_year(text) or info.year
    is_report = bool(title) or (report_marker_count(text) >= _REPORT_MARKERS and year is not None)
    return {
        "kind": "report" if is_report else "other", "is_annual_report": is_report, "report_year": year,
        "agency": info.agency, "title": title, "published_at": None, "published_at_source": "none",
        "date_candidates": [], "format": None, "stats": None, "tables": {}, "checks": [], "links": [],
        "next_pages": [], "attachments": [], "text": text, "extraction": extraction,
    }
