"""``nianbao parse FILE --json``: one saved page → the JSON object of DESIGN §7.

Recognition only: ``format``, ``stats``, ``tables`` and ``checks`` stay empty until the
extraction and table stages exist.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.recognize.dates import DateCandidate, choose_published
from crawler.recognize.detail import Detail, parse_detail, report_marker_count
from crawler.recognize.encoding import decode_body
from crawler.recognize.listing import Listing, parse_listing
from crawler.recognize.titles import TitleInfo, agency_matches, period_year, recognize_title

_MARKER_MIN = 3
_FEED = re.compile(
    r"\s*(?:<\?xml[^>]*>\s*)?<datastore\b", re.I
)  # report section headings needed to call a title-less page a report


def _candidate_json(c: DateCandidate) -> dict[str, Any]:
    return {
        "date": c.date.isoformat(),
        "source": c.source,
        "raw": c.raw,
        "trusted": c.trusted,
        "note": c.note,
    }


def _is_record_feed(text: str) -> bool:
    """A records-API response (Hanweb dataproxy XML): a listing whatever its item count."""
    return bool(_FEED.match(text)) and "<recordset" in text


def _kind(listing: Listing, detail: Detail, info: TitleInfo, feed: bool) -> str:
    """An article is a report or other; anything else with list signals is a listing."""
    paged = listing.total_pages is not None or bool(listing.next_pages)
    if (
        feed
        or not detail.is_article
        and (len(listing.items) >= 2 or paged or listing.child_columns or listing.api_requests)
    ):
        return "listing"
    return "report" if info.is_report else "other"


def _title_info(detail: Detail) -> TitleInfo:
    info = recognize_title(detail.title or "")
    if (
        detail.title is None
        and report_marker_count(detail.body_text) >= _MARKER_MIN
        and period_year(detail.body_text) is not None
    ):
        return TitleInfo(True, None, None, "")
    return info


def parse_page(
    body: bytes, url: str | None = None, content_type: str | None = None, cms: str = "auto"
) -> dict[str, Any]:
    """Recognise one saved page and return the ``nianbao parse --json`` object.

    ``kind`` is ``listing`` for a records-API response, or when the page is not an article (no
    article metadata, detail URL or body container) and has ≥ 2 list items, a pager (even on its
    last page), child columns or API requests;
    otherwise ``report`` when the title is an annual report (or, with no title at all, the
    body has the report headings and a 统计期限), else ``other``. ``report_year`` comes from the title, else the body's 统计期限; ``agency`` from
    the title (replaced by the page's 发布机构 when that is the same body, more fully named),
    else the page's 发布机构/ContentSource. Keys come in a fixed order; dates are ISO strings.
    """
    text, encoding = decode_body(body or b"", content_type)
    page_url = url or ""
    listing = parse_listing(text, page_url, cms)
    detail = parse_detail(text, page_url)
    info = _title_info(detail)
    feed = _is_record_feed(text)
    kind = _kind(listing, detail, info, feed)
    is_report = kind == "report"
    report_year = (info.year or period_year(detail.body_text)) if is_report else None
    agency: str | None = None
    if kind != "listing":
        agency = info.agency or detail.agency
        if (
            info.agency
            and detail.agency
            and len(detail.agency) > len(info.agency)
            and agency_matches(info.agency, detail.agency)
        ):
            agency = detail.agency
    dates = detail.date_candidates if kind != "listing" else []
    chosen = choose_published(dates)
    is_listing = kind == "listing"
    return {
        "kind": kind,
        "is_annual_report": is_report,
        "report_year": report_year,
        "agency": agency,
        "title": detail.title,
        "published_at": chosen.date.isoformat() if chosen else None,
        "published_at_source": chosen.source if chosen else "none",
        "date_candidates": [_candidate_json(c) for c in dates],
        "format": None,
        "stats": None,
        "tables": {},
        "checks": [],
        "links": [
            {"url": i.url, "text": i.title, "report_year": i.info.year}
            for i in listing.items
            if i.info.is_report
        ]
        if is_listing
        else [],
        "all_items": len(listing.items) if is_listing else 0,
        "next_pages": list(listing.next_pages) if is_listing else [],
        "child_columns": [{"url": c.url, "year": c.year, "text": c.text} for c in listing.child_columns]
        if is_listing
        else [],
        "api_requests": [
            {"url": r.url, "method": r.method, "formdata": dict(r.formdata)} for r in listing.api_requests
        ]
        if is_listing
        else [],
        "continuation_pages": list(detail.continuation_pages) if not is_listing else [],
        "attachments": [{"url": a.url, "text": a.text} for a in detail.attachments] if not is_listing else [],
        "cms": listing.cms,
        "text": "\n".join(f"{i.title} {i.date or ''}".strip() for i in listing.items)
        if feed
        else detail.body_text,
        "encoding": encoding,
    }
