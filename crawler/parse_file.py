"""``nianbao parse FILE``: one saved file → the JSON object of DESIGN §7, whatever its format.

HTML pages go through page recognition (``crawler.recognize.page``) and get their main text
from the HTML extractor; other files (PDF, DOCX, DOC/WPS, RTF, spreadsheets, TXT) are
extracted in this process (a single file from the command line, not the crawl) and recognised
from their text (:mod:`crawler.recognize.report_text`: the report year from the 统计期限
sentence over the title, the agency from title, metadata, first sentence).  Reports then get
their format, tables, statistics and checks from :func:`crawler.stats.analyse`.
"""

from __future__ import annotations

from typing import Any

from crawler.extract import extract_bytes, sniff
from crawler.extract.cleaning import clean_text
from crawler.recognize.level import level_of
from crawler.recognize.page import parse_page
from crawler.recognize.report_text import ReportFacts, recognize_report
from crawler.stats import analyse


def parse_file(
    data: bytes, url: str | None = None, content_type: str | None = None, cms: str = "auto"
) -> dict[str, Any]:
    """Recognise one file; ``text`` is the clean (simplified) text, ``extraction`` how it was got."""
    kind = sniff(data, content_type, url)
    result = extract_bytes(data, content_type=content_type, url=url)
    cleaned = clean_text(result.text) if result.text else None
    extraction = {
        "status": result.status,
        "extractor": result.extractor,
        "file_type": result.file_type,
        "ocr": result.ocr,
        "pages": result.pages,
        "error": result.error,
    }
    if "html" in (kind, result.file_type):
        page = parse_page(data, url=url, content_type=content_type, cms=cms)
        if page["kind"] == "listing":
            return {**page, "extraction": extraction}
        if cleaned:
            page["text"] = cleaned.text
        facts = recognize_report(page["text"] or "", title=page["title"], page_agency=page["agency"])
        page.update(
            is_annual_report=facts.is_report,
            kind="report" if facts.is_report else "other",
            report_year=facts.year if facts.is_report else None,
            agency=facts.agency if facts.is_report else None,
            **_level(facts),
        )
        return {**page, **_statistics(page["text"] or "", result.tables, facts), "extraction": extraction}
    text = cleaned.text if cleaned else ""
    facts = recognize_report(text)
    return {
        "kind": "report" if facts.is_report else "other",
        "is_annual_report": facts.is_report,
        "report_year": facts.year if facts.is_report else None,
        "agency": facts.agency if facts.is_report else None,
        **_level(facts),
        "title": facts.title,
        "published_at": None,
        "published_at_source": "none",
        "date_candidates": [],
        **_statistics(text, result.tables, facts),
        "links": [],
        "next_pages": [],
        "attachments": [],
        "text": text,
        "extraction": extraction,
    }


def _level(facts: ReportFacts) -> dict[str, Any]:
    """``level`` of the body (else of the region-wide report's place) and which it came from."""
    if not facts.is_report:
        return {"level": None, "level_source": "none"}
    if facts.agency and (level := level_of(facts.agency)):
        return {"level": level, "level_source": "agency"}
    if facts.place and (level := level_of(facts.place)):
        return {"level": level, "level_source": "place"}
    return {"level": None, "level_source": "none"}


def _statistics(text: str, grids: list | None, facts) -> dict[str, Any]:
    """format, stats (+ stats_detail), tables and checks of a report (empty for anything else)."""
    if not facts.is_report:
        return {
            "format": None,
            "format_source": "none",
            "stats": None,
            "stats_detail": {},
            "tables": {},
            "checks": [],
        }
    analysis = analyse(text, grids or None, year=facts.year)
    return {
        "format": analysis.format,
        "format_source": analysis.format_source,
        "stats": analysis.stats,
        "stats_detail": analysis.detail,
        "tables": analysis.tables_json(),
        "checks": analysis.checks_json(),
    }
