"""A report's page, its archived originals, and the list of reports with the numbers query."""

from __future__ import annotations

import difflib
import json

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crawler.outputs.evidence import document_name
from crawler.outputs.feed import render_reports_atom
from crawler.vocab import clock
from crawler.vocab.words import HEADLINE, LEVELS, RULE_NAMES
from crawler.web.lists import collect, export_format, export_response, html
from crawler.web.params import Params, check_report_id
from storage import browse, fetches
from storage.documents import document_id
from storage.originality import originality_of
from storage.reports import attachments_with_text, find_report
from storage.search import mark_terms, parse_query
from storage.stats import cells_for, checks_for
from storage.texts import stored_report_text
from storage.warc import decoded_payload, read_record

MAX_DIFF_LINES = 400
FORMATS = ("template2021", "template2019", "freeform")
REPORT_COLUMNS = (
    "id",
    "source_id",
    "agency",
    "level",
    "region",
    "report_year",
    "title",
    "url",
    "published_at",
    "published_at_source",
    "first_seen_at",
    "format",
    *HEADLINE,
)


def _tables(cells: list[dict]) -> list[dict]:
    """Parsed cells as tables: per table, its column names and rows of values in that order."""
    tables: dict[str, dict] = {}
    for c in cells:
        t = tables.setdefault(c["tbl"], {"name": c["tbl"], "cols": [], "rows": {}})
        col = c["col"] or ""
        if col not in t["cols"]:
            t["cols"].append(col)
        value = c["value"] if c["status"] in ("number", "approximate") else (c["raw"] or c["status"])
        t["rows"].setdefault(c["row"], {})[col] = (value, c["status"])
    return [{**t, "rows": list(t["rows"].items())} for t in tables.values()]


def _diffs(versions: list[dict]) -> list[dict]:
    out = []
    with_text = [v for v in versions if v.get("text")]
    for old, new in zip(with_text, with_text[1:], strict=False):
        lines = list(
            difflib.unified_diff(
                old["text"].splitlines(),
                new["text"].splitlines(),
                f"version {old['seq']}",
                f"version {new['seq']}",
                lineterm="",
                n=1,
            )
        )
        out.append(
            {"old": old, "new": new, "lines": lines[:MAX_DIFF_LINES], "cut": len(lines) > MAX_DIFF_LINES}
        )
    return out


def _text_with_hits(text: str, query: str | None) -> tuple[list[tuple[str, int | None]], int]:
    """The text in pieces, each match numbered from 1 (so the page can open at ``#hit-1``)."""
    if not query:
        return [(text, None)], 0
    out: list[tuple[str, int | None]] = []
    n = 0
    for piece, hit in mark_terms(text, parse_query(query).positive):
        if hit:
            n += 1
        out.append((piece, n if hit else None))
    return out, n


def report(request: Request):
    report_id = check_report_id(request.path_params["report"])
    p = Params(request.query_params)
    query = p.text("q")
    with request.app.state.archive.db() as db:
        row = find_report(db, report_id)
        if row is None:
            raise HTTPException(404, "no such report")
        text_row = stored_report_text(db, report_id) or {}
        attachments = attachments_with_text(db, report_id)
        for a in attachments:
            a["capture"] = fetches.last_full_capture(db, a["url"])
        documents = []
        for url, label in [(row["url"], "page"), *[(a["url"], "attachment") for a in attachments]]:
            doc = document_id(db, url)
            if doc is None:
                continue
            versions = browse.version_texts(db, doc)
            documents.append({"url": url, "label": label, "versions": versions, "diffs": _diffs(versions)})
        capture = fetches.last_full_capture(db, row["url"])
        cells, checks = cells_for(db, report_id), checks_for(db, report_id)
        originality = originality_of(db, report_id)
    text = text_row.get("text") or ""
    pieces, hits = _text_with_hits(text, query)
    return html(
        request,
        "report.html",
        title=row["title"] or report_id,
        r=row,
        candidates=json.loads(row.get("date_candidates") or "[]"),
        attachments=attachments,
        documents=documents,
        capture=capture,
        tables=_tables(cells),
        failed=[c for c in checks if c["result"] != "pass"],
        rule_names=RULE_NAMES,
        passed=sum(c["result"] == "pass" for c in checks),
        pieces=pieces,
        hits=hits,
        query=query,
        has_text=bool(text),
        originality=originality,
    )


def _sniff(payload: bytes, content_type: str | None) -> str:
    head = payload[:1024].lstrip().lower()
    ctype = (content_type or "").lower()
    if payload.startswith(b"%PDF"):
        return "pdf"
    if "html" in ctype or head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    return "file"


def original(request: Request):
    """The archived bytes of one capture (``fetches`` id): a PDF inline, an HTML page only under
    ``Content-Security-Policy: sandbox`` (it can run nothing and load nothing), anything else as a
    download. Never executed in the application's origin."""
    value = request.path_params["fetch"]
    if not value.isdigit() or len(value) > 12:
        raise HTTPException(404, "no such capture")
    archive = request.app.state.archive
    with archive.db() as db:
        row = fetches.fetch_row(db, int(value))
        held = fetches.full_capture(db, row) if row else None
    if held is None or not held.get("warc_file"):
        raise HTTPException(404, "this capture holds no archived content")
    record = read_record(archive.warc_root, fetches.ref_of(held))
    payload = decoded_payload(record)
    kind = _sniff(payload, held.get("content_type"))
    disposition = next((v for k, v in record.http_headers if k.lower() == "content-disposition"), None)
    name = document_name(held["url"], disposition)
    headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Archived-Url": held["url"].encode("ascii", "backslashreplace").decode("ascii"),
        "X-Archived-At": held.get("fetched_at") or "",
        "X-Payload-Sha256": held.get("payload_sha256") or "",
        "Cache-Control": "private, max-age=3600",
    }
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace('"', "_")
    if kind == "pdf":
        headers["Content-Disposition"] = f'inline; filename="{ascii_name}"'
        headers["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; object-src 'self'; plugin-types application/pdf"
        )
        return Response(payload, media_type="application/pdf", headers=headers)
    if kind == "html":
        headers["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        )
        ctype = held.get("content_type") or "text/html"
        if "html" not in ctype.lower():
            ctype = "text/html"
        return Response(payload, media_type=None, headers={**headers, "Content-Type": ctype})
    headers["Content-Disposition"] = f'attachment; filename="{ascii_name}"'
    headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return Response(payload, media_type="application/octet-stream", headers=headers)


def report_filter(p: Params) -> tuple[browse.ReportFilter, str]:
    f = browse.ReportFilter(
        year=p.integer("year", 1990, 2100),
        level=p.choice("level", LEVELS),
        region=p.digits("region"),
        name=p.text("name"),
        source=p.source(),
        fmt=p.choice("format", FORMATS),
        field=p.choice("field", HEADLINE),
        op=p.choice("op", tuple(browse.NUMBER_OPS)),
        value=p.number("value"),
        since=p.text("since", 32),
    )
    return f, p.choice("order", browse.NUMBER_ORDERS, "desc") or "desc"


def reports(request: Request):
    p = Params(request.query_params)
    fmt = export_format(request, ("csv", "json", "atom"))
    f, order = report_filter(p)
    page, per, offset = p.page()
    archive = request.app.state.archive
    with archive.db() as db:
        if fmt in ("csv", "json"):
            total, rows = collect(
                lambda limit, off: browse.reports_page(db, f, order=order, limit=limit, offset=off)
            )
            return export_response(fmt, "reports", REPORT_COLUMNS, rows, total)
        if fmt == "atom":
            _, rows = browse.reports_page(db, f, order=order, limit=100, offset=0)
            return atom_response(request, rows, "年报 reports")
        total, rows = browse.reports_page(db, f, order=order, limit=per, offset=offset)
        years = browse.report_years(db)
    return html(
        request,
        "reports.html",
        title="年报与数字 Reports and numbers",
        p=p,
        f=f,
        order=order,
        rows=rows,
        total=total,
        page=page,
        per=per,
        pages=max(1, -(-total // per)),
        years=years,
        formats=FORMATS,
        ops=browse.NUMBER_OPS,
    )


def atom_response(request: Request, rows: list[dict], title: str) -> Response:
    """An Atom feed of report rows for the list at this URL (self link = this URL)."""
    base = str(request.base_url).rstrip("/")
    page_url = str(request.url).replace(".atom", "", 1)
    body = render_reports_atom(
        rows,
        feed_id=str(request.url),
        title=f"nianbao: {title}",
        updated=max((r.get("first_seen_at") or "" for r in rows), default="") or clock.now_iso(),
        self_url=str(request.url),
        page_url=page_url,
        link_of=lambda r: f"{base}/report/{r['id']}",
    )
    return Response(body, media_type="application/atom+xml")


routes = [
    Route("/report/{report}", report, name="report"),
    Route("/archive/{fetch}", original, name="original"),
    Route("/reports", reports, name="reports"),
    Route("/reports.{fmt}", reports, name="reports_export"),
]
