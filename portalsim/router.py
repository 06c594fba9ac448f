"""Map one HTTP request to one response of the simulated world, as of a date.

:class:`SimApp` is the whole simulator minus the socket: ``handle(method, target, headers,
body)`` returns a :class:`Response` with ``ETag``/``Last-Modified`` and answers conditional
requests with 304.  The server (:mod:`portalsim.server`) only moves bytes.

The date is fixed (``set_today``) or read from a provider once per request, and agencies can be
marked *redesigned* (``set_redesigned``): their column URLs then answer an empty new-template page.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from portalsim import listings, pages, portal_pages
from portalsim.content import article_document, body_document, cn_date, report_document
from portalsim.documents import docx_bytes, pdf_bytes, rtf_bytes
from portalsim.portal import portal
from portalsim.site import Route, Site, attachments, column_dir, horizon_for, other_body_index, site
from portalsim.troubles import Troubles, block_response
from portalsim.world import SERVER_HEADERS, Agency, agency, report_plan

ROBOTS = "User-agent: *\nDisallow: /*/search/\n"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_SLUG = re.compile(r"^/a(\d{5,})(/.*)?$")
_TRS_LIST = re.compile(r"(?:(gknb\d{4})/)?(?:index(?:_(\d+))?\.html)?")
_TRS6_LIST = re.compile(r"xlist(?:_(\d+))?\.shtml")
DATAPROXY = "/module/web/jpage/dataproxy.jsp"

DateProvider = Callable[[], date]


@dataclass
class Response:
    """Status, headers and body of one answer."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    transient: bool = True  # may suffer transient troubles (not robots.txt nor block pages)


def http_date(d: date, hour: int = 2) -> str:
    """An HTTP date for ``d`` at ``hour``:00 GMT."""
    return format_datetime(datetime.combine(d, time(hour), tzinfo=UTC), usegmt=True)


_ATTACHMENTS: dict[tuple, bytes] = {}
_ATTACHMENTS_LOCK = threading.Lock()
_ATTACHMENTS_MAX = 512


def attachment_bytes(seed: int, i: int, year: int, version: int, ext: str) -> bytes:
    """The bytes of a report attachment (bounded cache: PDFs take tens of milliseconds)."""
    key = (seed, i, year, version, ext)
    with _ATTACHMENTS_LOCK:
        cached = _ATTACHMENTS.get(key)
    if cached is not None:
        return cached
    doc = report_document(seed, i, year, version)
    data = {"pdf": pdf_bytes, "docx": docx_bytes, "doc": rtf_bytes}[ext](doc)
    with _ATTACHMENTS_LOCK:
        if len(_ATTACHMENTS) >= _ATTACHMENTS_MAX:
            _ATTACHMENTS.pop(next(iter(_ATTACHMENTS)))
        _ATTACHMENTS[key] = data
    return data


def is_listing_path(ag: Agency, path: str) -> bool:
    """Whether ``path`` is one of ``ag``'s column listing URLs: any page, year sub-column or records API."""
    if ag.family == "hanweb" and path == f"/{ag.slug}{DATAPROXY}":
        return True
    col = column_dir(ag)
    if not path.startswith(col):
        return False
    rest = path[len(col) :]
    if ag.family == "trs":
        return _TRS_LIST.fullmatch(rest) is not None
    if ag.family == "trs6":
        return _TRS6_LIST.fullmatch(rest) is not None
    if ag.family == "hanweb":
        return rest in ("", "index.html")
    return rest == "list.html"


def _fixed(d: date) -> DateProvider:
    return lambda: d


class SimApp:
    """The simulated portals of one world, served as of a settable date.

    ``today`` is a date or a zero-argument callable returning one (a date provider, read once per
    request), so a test can make the world follow another clock, e.g. the crawl being run.
    """

    def __init__(self, seed: int, agencies: int, today: date | DateProvider, troubles: bool = True) -> None:
        self.seed = seed
        self.agencies = agencies
        self._lock = threading.Lock()
        if not isinstance(today, date) and not callable(today):
            raise TypeError(f"today must be a date or a date provider, not {type(today).__name__}")
        self._today: DateProvider = _fixed(today) if isinstance(today, date) else today
        self._redesigned: frozenset[int] = frozenset()
        self._pruned: dict[int, int] = {}
        self._moved: frozenset[int] = frozenset()
        self.troubles = Troubles(seed, troubles)

    @property
    def today(self) -> date:
        """The simulated date the world is served as of (the provider's answer, read now)."""
        with self._lock:
            provider = self._today
        d = provider()  # outside the lock: a provider may read a file
        return d.date() if isinstance(d, datetime) else d

    def set_today(self, d: date) -> None:
        """Serve the world as of ``d`` from now on (replaces any date provider)."""
        with self._lock:
            self._today = _fixed(d)

    @property
    def redesigned(self) -> frozenset[int]:
        """Indices (1-based) of the agencies whose column is redesigned, hence lists nothing."""
        with self._lock:
            return self._redesigned

    def set_redesigned(self, indices: Iterable[int]) -> None:
        """Redesign the columns of agencies ``indices`` from now on (replaces the set; empty restores all).

        A redesigned column still answers 200 with a page of the site, but lists no item and has no
        pager (Hanweb's records API returns no record); detail pages and attachments still serve.
        """
        chosen = frozenset(int(i) for i in indices)
        with self._lock:
            self._redesigned = chosen

    def set_pruned(self, before: dict[int, int]) -> None:
        """Prune columns from now on: agency index → the oldest report year its column still
        lists (a redesign that dropped older items; their pages still answer).  Replaces the
        mapping; empty restores every column."""
        chosen = {int(i): int(y) for i, y in before.items()}
        with self._lock:
            self._pruned = chosen

    def set_moved(self, indices: Iterable[int]) -> None:
        """Move the columns of agencies ``indices`` from now on: every listing URL answers 404
        (the column lives elsewhere now, with no redirect); report pages still answer."""
        chosen = frozenset(int(i) for i in indices)
        with self._lock:
            self._moved = chosen

    def _changes(self, i: int) -> tuple[bool, bool, int | None]:
        with self._lock:
            return i in self._redesigned, i in self._moved, self._pruned.get(i)

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes = b"") -> Response:
        """Answer one request (``target`` is the request line's path and query)."""
        today = self.today
        split = urlsplit(target)
        path = unquote(split.path)  # routes are keyed by the decoded path (file names in Chinese)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        if method == "POST" and body:
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        resp = self._route(path, params, today)
        resp.headers.setdefault("Server", "nginx")
        resp.headers["Date"] = http_date(today, 4)
        if resp.status == 200 and resp.transient:
            burst = self.troubles.burst_status(target)
            if burst:
                resp = Response(
                    burst,
                    {
                        "Server": resp.headers["Server"],
                        "Date": resp.headers["Date"],
                        "Content-Type": "text/html; charset=utf-8",
                        "Retry-After": "1",
                    },
                    f"<html><body><h1>{burst} Service Unavailable</h1></body></html>".encode(),
                )
            resp.delay = self.troubles.delay(target)
        resp.headers.setdefault("ETag", '"' + hashlib.blake2b(resp.body, digest_size=10).hexdigest() + '"')
        resp.headers.setdefault("Last-Modified", http_date(today))
        if resp.status == 200 and _not_modified(resp.headers, headers):
            return Response(
                304,
                {k: v for k, v in resp.headers.items() if k in ("ETag", "Last-Modified", "Date", "Server")},
            )
        return resp

    def _route(self, path: str, params: dict[str, str], today: date) -> Response:
        if path == "/robots.txt":
            return Response(200, {"Content-Type": "text/plain"}, ROBOTS.encode(), transient=False)
        if path == DATAPROXY:
            i = _int(params.get("webid", "")) - 10000
            if 1 <= i <= self.agencies and agency(self.seed, i).family == "hanweb":
                path = f"/{agency(self.seed, i).slug}{path}"
        m = _SLUG.match(path)
        if not m or not 1 <= int(m.group(1)) <= self.agencies:
            return _not_found()
        i = int(m.group(1))
        ag = agency(self.seed, i)
        if ag.block:
            status, headers, body = block_response(self.seed, ag.slug, ag.block)
            return Response(status, headers, body, transient=False)
        if ag.kind == "region":
            resp = self._portal(ag, path, params, today)
            if resp is not None:
                resp.headers.setdefault("Server", SERVER_HEADERS[ag.family])
                return resp
        st = site(self.seed, i, horizon_for(today))
        redesigned, moved, pruned_before = self._changes(i)
        if moved and is_listing_path(ag, path):
            return _not_found()
        if pruned_before is not None:
            st = replace(st, items=tuple(it for it in st.items if it.year >= pruned_before))
        resp = self._serve_site(st, m.group(2) or "/", path, params, today, redesigned=redesigned)
        resp.headers.setdefault("Server", SERVER_HEADERS[ag.family])
        return resp

    def _portal(self, ag: Agency, path: str, params: dict[str, str], today: date) -> Response | None:
        """A page or endpoint of the government's portal (:mod:`portalsim.portal`); None: not one."""
        p = portal(self.seed, ag.index, self.agencies)
        served = portal_pages.serve(p, path, params, today) if p is not None else None
        if served is None:
            return None
        kind, text, changed = served
        if kind == "html":
            return _encoded(ag, text, changed)
        ctype = "application/json; charset=utf-8" if kind == "json" else "text/xml; charset=UTF-8"
        return Response(
            200, {"Content-Type": ctype, "Last-Modified": http_date(changed)}, text.encode("utf-8")
        )

    def _html(self, st: Site, text: str | None, changed: date) -> Response:
        if text is None:
            return _not_found()
        return _encoded(st.agency, text, changed)

    def _serve_site(
        self, st: Site, rest: str, path: str, params: dict[str, str], today: date, redesigned: bool = False
    ) -> Response:
        ag = st.agency
        if rest in ("/", "/index.html"):
            return self._html(st, pages.home_html(ag), date(ag.first_year, 1, 1))
        if rest.startswith("/search/"):
            return self._html(st, pages.search_html(ag, listings.visible(st, today)), today)
        if is_listing_path(ag, path):
            if redesigned:
                return self._redesigned_listing(st, path, today)
            listing = self._listing(st, path, params, today)
            if listing is not None:
                return listing
        if path.endswith("/module/download/downfile.jsp"):
            key = "dl:" + params.get("filename", "")
        elif rest == "/download":
            key = "id:" + params.get("id", "")
        else:
            key = path
        route = st.routes.get(key)
        if route is None or route.item.posted > today:
            return _not_found()
        return self._serve_route(st, route, path, today)

    def _redesigned_listing(self, st: Site, path: str, today: date) -> Response:
        # Last-Modified today, not the old listing's date: an If-Modified-Since crawler must not
        # get a 304 and miss that the column changed.
        if path.endswith(DATAPROXY):
            return Response(
                200,
                {"Content-Type": "text/xml; charset=UTF-8", "Last-Modified": http_date(today)},
                listings.hanweb_empty_records().encode("utf-8"),
            )
        return self._html(st, listings.redesigned_column(st.agency), today)

    def _listing(self, st: Site, path: str, params: dict[str, str], today: date) -> Response | None:
        """The column page at ``path`` (a listing path, see :func:`is_listing_path`); None: not served."""
        ag = st.agency
        rest = path[len(column_dir(ag)) :]
        changed = listings.listing_last_change(st, today)
        if ag.family == "trs":
            m = _TRS_LIST.fullmatch(rest)
            if not m:
                return None
            column = m.group(1) or ""
            if column and int(column[4:]) not in listings.year_columns(st, today):
                return _not_found()
            page = int(m.group(2) or 0)
            if m.group(2) == "0":
                return _not_found()
            changed = listings.listing_last_change(st, today, column)
            return self._html(st, listings.trs_listing(st, today, column, page), changed)
        if ag.family == "trs6":
            m = _TRS6_LIST.fullmatch(rest)
            if not m:
                return None
            if m.group(1) in ("0", "1"):
                return _not_found()
            return self._html(st, listings.trs6_listing(st, today, int(m.group(1) or 1)), changed)
        if ag.family == "hanweb":
            if path == f"/{ag.slug}{DATAPROXY}":
                xml = listings.hanweb_records(st, today, params).encode("utf-8")
                return Response(
                    200, {"Content-Type": "text/xml; charset=UTF-8", "Last-Modified": http_date(changed)}, xml
                )
            if rest in ("", "index.html"):
                return self._html(st, listings.hanweb_column(st, today), changed)
            return None
        if rest == "list.html":
            return self._html(st, listings.plain_listing(st, today, _int(params.get("page", "1"))), changed)
        return None

    def _serve_route(self, st: Site, route: Route, path: str, today: date) -> Response:
        ag, item = st.agency, route.item
        if item.kind not in ("report", "repost"):
            return self._article(st, route, today)
        plan = report_plan(self.seed, ag.index, item.year)
        version = 1 if plan.edit_date and plan.edit_date <= today else 0
        changed = max(item.posted, plan.edit_date) if version else item.posted
        if route.what == "moved_from" and plan.move_date and plan.move_date <= today:
            new = next(p for p, r in st.routes.items() if r.what == "moved_to" and r.item == item)
            return Response(
                301,
                {"Location": new, "Content-Type": "text/html; charset=utf-8"},
                b"<html><body>301 Moved Permanently</body></html>",
            )
        if route.what == "moved_to" and (plan.move_date is None or plan.move_date > today):
            return _not_found()
        if route.what in ("attachment", "direct"):
            ext = route.attachment.ext if route.attachment else "pdf"
            data = attachment_bytes(self.seed, ag.index, item.year, version, ext)
            headers = {"Content-Type": CONTENT_TYPES[ext], "Last-Modified": http_date(changed)}
            att = route.attachment
            if att is not None and (att.key.startswith("dl:") or att.key.startswith("id:")):
                if att.key.startswith("dl:"):
                    headers["Content-Type"] = "application/octet-stream"
                headers["Content-Disposition"] = _disposition(att.filename, ag.gbk_disposition)
            return Response(200, headers, data)
        doc = report_document(self.seed, ag.index, item.year, version)
        pager = ""
        if plan.delivery in ("html", "split"):
            blocks = doc["blocks"]
            if plan.split_parts:
                blocks = pages.split_blocks(blocks, plan.split_parts)[route.part]
                name = item.path.rsplit("/", 1)[1][: -len(".html")]
                pager = pages.trs_pager(plan.split_parts, route.part, name)
            body = pages.report_body(blocks)
        else:
            page_path = path if route.what == "moved_to" else item.path
            body = pages.attachment_html(ag, attachments(ag, item, plan, page_path))
            if version and plan.edit_date:
                body = (
                    f'<p style="text-indent:2em;">（{cn_date(plan.edit_date)}更正：原附件中主动公开政府信息数量有误，'
                    f"已重新上传更正后的报告。）</p>\n{body}"
                )
        html = pages.detail_html(
            ag,
            item,
            title=plan.title,
            source=ag.name,
            body=body,
            today=today,
            h1_break=plan.h1_break,
            with_meta_table=plan.meta_table,
            pager=pager,
            epoch_pubdate=item.url_date.year == 1970,
        )
        return self._html(st, html, changed)

    def _article(self, st: Site, route: Route, today: date) -> Response:
        ag, item = st.agency, route.item
        other_index = other_body_index(ag, item.kind) if item.kind in ("superior", "sibling") else None
        if other_index is not None:
            doc = report_document(self.seed, other_index, item.year, 0)
            source, meta = agency(self.seed, other_index).name, True
        elif item.kind in ("superior", "sibling"):
            doc = body_document(self.seed, ag.superior, "region", "city", item.year, item.posted)
            source, meta = ag.superior, True
        else:
            doc = article_document(self.seed, item.kind, item.title, ag.name, item.year, item.posted)
            source, meta = ag.name, False
        html = pages.detail_html(
            ag,
            item,
            title=item.title,
            source=source,
            body=pages.report_body(doc["blocks"]),
            today=today,
            with_meta_table=meta,
        )
        return self._html(st, html, item.posted)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


def _encoded(ag: Agency, text: str, changed: date) -> Response:
    """An HTML page of ``ag``'s site, encoded in the site's charset."""
    body = text.encode("gbk" if ag.encoding == "gbk" else "utf-8", "xmlcharrefreplace")
    return Response(
        200,
        {
            "Content-Type": f"text/html; charset={pages.charset_label(ag)}",
            "Last-Modified": http_date(changed),
        },
        body,
    )


def _not_found() -> Response:
    return Response(404, {"Content-Type": "text/html; charset=utf-8"}, pages.not_found_html().encode("utf-8"))


def _disposition(filename: str, gbk: bool) -> str:
    if gbk:
        return 'attachment; filename="' + filename.encode("gbk", "replace").decode("latin-1") + '"'
    return "attachment; filename*=UTF-8''" + quote(filename)


def _not_modified(resp_headers: dict[str, str], req_headers: dict[str, str]) -> bool:
    inm = req_headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or resp_headers["ETag"] in tags
    ims = req_headers.get("if-modified-since")
    if ims:
        try:
            return parsedate_to_datetime(resp_headers["Last-Modified"]) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False
