"""The column spider: walks each source's annual-report columns and archives what it finds.

listing page → (pagination, year sub-columns, record APIs) → detail pages → continuation pages
and attachments.  Report links are recognised by title (domain.md §5, portals.md §6); news,
解读/图解 pages and other bodies' reports are not taken for the agency's report.  Known detail
pages and attachments are re-fetched only every ``NIANBAO_REVISIT_DAYS``, with conditional
requests, while listing pages are re-read on every run.

Run it with ``nianbao crawl`` or ``scrapy crawl column -a sources=FILE -a source_ids=a,b
-a years=2019-2025``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.extensions.archive import archive_session
from crawler.items import (
    AttachmentSeen,
    DocumentGone,
    DocumentSeen,
    ListingSnapshot,
    ReportItem,
    ReportSeen,
    report_id,
)
from crawler.middlewares import BlockedPage
from crawler.recognize.dates import DateCandidate, choose_published, url_date
from crawler.recognize.detail import parse_detail
from crawler.recognize.encoding import decode_body
from crawler.recognize.fingerprint import content_fingerprint, visible_text
from crawler.recognize.headers import is_document_response
from crawler.recognize.listing import ListItem, parse_listing
from crawler.recognize.titles import agency_matches, period_year, recognize_title
from crawler.registry.sources import Source
from crawler.session import ArchiveSession
from crawler.vocab import clock
from crawler.vocab.words import (
    ATTACHMENT,
    DATE_NONE,
    DETAIL,
    LISTING,
    META_FETCH_ID,
    META_KIND,
    META_SHA256,
    META_SOURCE,
    OTHER_BODY,
    PAGE_ERROR,
    PAGE_HTTP,
    PAGE_OK,
    PAGE_ROBOTS,
    PART_PAGE,
    SOURCE_BLOCKED,
    with_detail,
)
from spiders.base import NianbaoSpider
from spiders.platforms import platform_for
from spiders.platforms.base import ColumnState


def _header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


_TLS_WORDS = ("SSL", "TLS", "certificate")
_TOO_LARGE = re.compile(r"max(?:imum)?\s*size|DOWNLOAD_MAXSIZE", re.I)


def error_name(exc: BaseException) -> str:
    """The name a download failure is recorded under: its class, ``TooLarge`` when the size cap
    cut it (the body, or a gzip bomb's decompressed form), or ``TLSError`` when a generic failure
    (DownloadFailedError, ResponseNeverReceived) wraps a TLS handshake or certificate error, so
    the source's outcome can say why (``unreachable:too-large``, ``unreachable:tls``)."""
    name, message = type(exc).__name__, str(exc)
    if _TOO_LARGE.search(message):
        return "TooLarge"  # the size cap (DOWNLOAD_MAXSIZE) cut the body, or its decompressed form
    if any(word in name for word in _TLS_WORDS):
        return name
    return "TLSError" if any(word in message for word in _TLS_WORDS) else name


def listing_candidates(list_date: date | None, url: str) -> list[DateCandidate]:
    """Date candidates a listing gives for an item: its date span (``list``) and its URL (``url``)."""
    cands = [DateCandidate(list_date, "list", list_date.isoformat())] if list_date else []
    if (d := url_date(url)) is not None:
        cands.append(DateCandidate(d, "url", url))
    return cands


def _cand(c: DateCandidate) -> dict:
    return {
        "date": c.date.isoformat(),
        "source": c.source,
        "raw": c.raw,
        "trusted": c.trusted,
        "note": c.note,
    }


class ColumnSpider(NianbaoSpider):
    """Configuration-driven spider for annual-report columns of every supported CMS family."""

    name = "column"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns: dict[str, ColumnState] = {}

    async def start(self):
        for source in self.sources:
            for url in source.urls:
                yield self.listing_request(source, url, column=url)

    # -- listings ----------------------------------------------------------------------------
    def listing_request(
        self, source: Source, url: str, *, column: str, api=None, conditional: bool = True
    ) -> scrapy.Request:
        state = self.columns.setdefault(
            column, ColumnState(column, min(source.max_pages, self.default_max_pages))
        )
        state.requested.add(url if api is None else f"{api.method} {api.url} {sorted(api.formdata.items())}")
        meta = {META_SOURCE: source.id, META_KIND: LISTING, "column": column}
        if api is not None and api.method.upper() == "POST":
            meta["api_form"] = api.formdata
            return scrapy.FormRequest(
                api.url,
                formdata=api.formdata,
                callback=self.parse_listing,
                errback=self.on_error,
                meta=meta,
                dont_filter=True,
            )
        request = scrapy.Request(
            api.url if api else url,
            callback=self.parse_listing,
            errback=self.on_error,
            meta=meta,
            dont_filter=not conditional,
        )
        if conditional and self.listing_conditional:
            # Re-read every run, but let the server say "unchanged" (304): the earlier capture
            # is then replayed from the archive, so paging and evidence work as on a 200.
            return self.conditional(request, self.session_known(request.url))
        return request

    def parse_listing(self, response):
        source = self.source_of(response)
        state = self.columns[response.meta["column"]]
        if is_document_response(
            _header(response, "Content-Type"), _header(response, "Content-Disposition"), response.url
        ):  # a column URL that serves a file is a broken column
            yield ListingSnapshot(
                source.id,
                response.url,
                self.fetch_id(response),
                clock.now_iso(),
                "error:not-a-listing",
                column_url=state.url,
            )
            return
        body, basis = response.body, self.fetch_id(response)
        if response.status == 304:
            previous = self.session().previous_capture(response.url)
            if previous is None:  # nothing to replay: read the page in full
                yield self.listing_request(source, response.url, column=state.url, conditional=False)
                return
            basis, body = previous
            self.crawler.stats.inc_value("nianbao/listing_not_modified")
        state.pages += 1
        text, _ = decode_body(body, _header(response, "Content-Type"))
        try:
            listing = parse_listing(text, response.url, cms=source.cms)
        except Exception as exc:  # a parser bug must cost this page, recorded, not the run
            self.logger.error("cannot parse listing %s: %r", response.url, exc, exc_info=True)
            self.crawler.stats.inc_value("nianbao/parse_errors")
            yield ListingSnapshot(
                source.id,
                response.url,
                self.fetch_id(response),
                clock.now_iso(),
                "error:parse",
                column_url=state.url,
            )
            return
        new_items = [it for it in listing.items if it.url not in state.seen_items]
        state.seen_items.update(it.url for it in listing.items)
        now = clock.now_iso()
        yield self.document_seen(response, LISTING, text if response.status != 304 else None)
        # Report links, and truncated titles that may be one (decided on the detail page): a
        # snapshot errs towards "listed", never towards a false absence.
        reports = [it for it in listing.items if self.candidate(it)]
        yield ListingSnapshot(
            source.id,
            response.url,
            self.fetch_id(response),
            now,
            PAGE_OK,
            items=len(listing.items),
            report_urls=[it.url for it in reports],
            basis_fetch_id=basis,
            column_url=state.url,
        )
        self.crawler.stats.inc_value("nianbao/items_excluded", len(listing.items) - len(reports))
        for item in new_items:
            if self.candidate(item):
                yield from self.follow_item(source, item, response.url)
        platform = platform_for(listing.cms)
        for url in platform.next_pages(listing, state, len(new_items)):
            yield self.listing_request(source, url, column=state.url)
        for api in platform.api_requests(listing, state, len(new_items)):
            # later record windows are parsed from a POST response whose form is not in its URL
            api = replace(api, formdata={**response.meta.get("api_form", {}), **api.formdata})
            yield self.listing_request(source, api.url, column=state.url, api=api)
        if state.pages >= state.max_pages and new_items and platform.has_more(listing, state):
            # the page cap cut the walk short: the older pages were never seen, so this run
            # cannot prove an absence (the source is recorded ``partial``)
            yield ListingSnapshot(
                source.id, response.url, None, now, "truncated:max_pages", column_url=state.url
            )
        for child in listing.child_columns:
            if (
                child.url not in self.columns
                and self.wanted_year(child.year)
                and self.allowed(source, child.url)
            ):
                yield self.listing_request(source, child.url, column=child.url)

    @staticmethod
    def candidate(item: ListItem) -> bool:
        """A listing item worth a detail fetch: a report title, or one cut short by the site."""
        return item.info.is_report or item.info.reason == "truncated"

    def follow_item(self, source: Source, item: ListItem, listing_url: str):
        """A report link on a listing: fetch its detail page (or note it as still listed)."""
        if not self.wanted_year(item.info.year) or not self.allowed(source, item.url):
            return
        if item.info.agency and not any(agency_matches(item.info.agency, name) for name in source.names):
            # Another body's report re-posted in this column: keep it on record, never as ours.
            yield self.report_item(
                source,
                item.url,
                item.title,
                item.info.year,
                item.info.agency,
                "title",
                own=False,
                listing_url=listing_url,
                fetch_id=None,
                candidates=listing_candidates(item.date, item.url),
                exclusion=OTHER_BODY,
            )
            return
        known = self.session_known(item.url)
        rid = report_id(source.id, item.url)
        stored = known is not None and self.session().report_exists(rid)
        if stored and self.is_fresh(known):
            yield ReportSeen(rid, clock.now_iso(), source.id)
            for part in self.session().report_parts(rid, unfetched_only=True):  # an interrupted crawl's
                yield from self.follow_part(source, rid, part["url"], part["text"], part["file_type"])
            return
        meta = {
            "list_title": item.title,
            "list_year": item.info.year,
            "list_agency": item.info.agency,
            "list_date": item.date,
            "listing_url": listing_url,
            "report_url": item.url,
        }
        req = self.request(item.url, source, DETAIL, self.parse_detail, **meta)
        # a page known without its report (first seen for another source, or with a year
        # outside --years) is read in full: a 304 would leave nothing to recognise
        yield self.conditional(req, known) if stored else req.replace(dont_filter=True)

    def session(self) -> ArchiveSession | None:
        return archive_session(self.crawler)

    def session_known(self, url: str) -> dict | None:
        session = self.session()
        return session.known(url) if session else None

    def conditional(self, request: scrapy.Request, known: dict | None) -> scrapy.Request:
        headers = self.conditional_headers(known)
        if not headers:
            return request
        request.headers.update(headers)
        request.meta["handle_httpstatus_list"] = [304]
        return request

    # -- details -----------------------------------------------------------------------------
    def document_seen(self, response, kind: str, text: str | None = None) -> DocumentSeen:
        """The sighting of the fetched document (``text``: its body already decoded)."""
        not_modified = response.status == 304
        ctype = _header(response, "Content-Type")
        return DocumentSeen(
            url=response.url,
            kind=kind,
            source_id=response.meta[META_SOURCE],
            fetch_id=response.meta.get(META_FETCH_ID),
            seen_at=clock.now_iso(),
            sha256=None if not_modified else content_fingerprint(response.body, ctype, text),
            payload_sha256=None if not_modified else response.meta.get(META_SHA256),
            size=None if not_modified else len(response.body),
            content_type=ctype,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
        )

    def parse_detail(self, response):
        source = self.source_of(response)
        meta = response.meta
        url = meta["report_url"]
        rid = report_id(source.id, url)
        ctype = _header(response, "Content-Type")
        file_type = is_document_response(ctype, _header(response, "Content-Disposition"), response.url)
        text = decode_body(response.body, ctype)[0] if response.status != 304 and not file_type else None
        doc = self.document_seen(response, DETAIL, text)
        if response.request.url != url:  # redirected: remember the listed URL too (no content)
            yield DocumentSeen(
                url=url,
                kind=DETAIL,
                source_id=source.id,
                fetch_id=doc.fetch_id or 0,
                seen_at=doc.seen_at,
                sha256=None,
                content_type="redirect",
            )
        if response.status == 304:
            yield doc
            yield ReportSeen(rid, clock.now_iso(), source.id)
            # the page is unchanged, but its PDF may have been replaced: re-check the parts
            for part in self.session().report_parts(rid):
                yield from self.follow_part(source, rid, part["url"], part["text"], part["file_type"])
            return
        list_cands = listing_candidates(meta["list_date"], url)
        if file_type:  # the listing linked the report file itself
            info = recognize_title(meta["list_title"])
            doc.kind = ATTACHMENT
            yield self.report_item(
                source,
                url,
                meta["list_title"],
                info.year or meta["list_year"],
                info.agency,
                "title" if info.agency else "registry",
                own=True,
                listing_url=meta["listing_url"],
                fetch_id=self.fetch_id(response),
                candidates=list_cands,
                document=doc,
                attachments=[{"url": response.url, "text": meta["list_title"], "file_type": file_type}],
            )
            return
        detail = parse_detail(text, response.url, with_body=False)
        title = detail.title or meta["list_title"]
        info = recognize_title(title)
        if not info.is_report:  # a stub's own title can be odd: trust the listing's
            title, info = meta["list_title"], recognize_title(meta["list_title"])
        year = info.year or meta.get("list_year") or period_year(visible_text(text))
        if not self.wanted_year(year):
            yield doc
            return
        agency, agency_source = info.agency, "title"
        if not agency and detail.agency:
            agency, agency_source = detail.agency, "meta"
        if not agency:
            agency, agency_source = source.agency, "registry"
        own = agency_source == "registry" or any(agency_matches(agency, name) for name in source.names)
        parts = [
            {"url": a.url, "text": a.text, "file_type": None}
            for a in detail.attachments
            if self.allowed(source, a.url)
        ]
        parts += [
            {"url": u, "text": "", "file_type": PART_PAGE}
            for u in platform_for(detail.cms).continuation_pages(detail)
            if self.allowed(source, u)
        ]
        yield self.report_item(
            source,
            url,
            title,
            year,
            agency,
            agency_source,
            own=own,
            listing_url=meta["listing_url"],
            fetch_id=self.fetch_id(response),
            candidates=detail.date_candidates + list_cands,
            cms=detail.cms,
            attachments=parts,
            exclusion="" if own else OTHER_BODY,
            document=doc,
        )
        if own:
            for part in parts:
                yield from self.follow_part(source, rid, part["url"], part["text"], part["file_type"])

    def report_item(
        self,
        source: Source,
        url: str,
        title: str,
        year: int | None,
        agency: str | None,
        agency_source: str,
        *,
        own: bool,
        listing_url: str | None,
        fetch_id: int | None,
        candidates: list[DateCandidate],
        cms: str | None = None,
        attachments: list[dict] | None = None,
        exclusion: str = "",
        document: DocumentSeen | None = None,
    ) -> ReportItem:
        chosen = choose_published(candidates)
        return ReportItem(
            report_id=report_id(source.id, url),
            source_id=source.id,
            url=url,
            title=title,
            report_year=year,
            agency=agency,
            agency_source=agency_source,
            own=own,
            listing_url=listing_url,
            published_at=chosen.date.isoformat() if chosen else None,
            published_at_source=chosen.source if chosen else DATE_NONE,
            date_candidates=[_cand(c) for c in candidates],
            fetch_id=fetch_id,
            seen_at=clock.now_iso(),
            cms=cms,
            attachments=attachments or [],
            exclusion=exclusion,
            document=document,
        )

    def parse_continuation(self, response):
        source = self.source_of(response)
        yield self.document_seen(response, DETAIL)
        if response.status == 304:
            return
        text, _ = decode_body(response.body, _header(response, "Content-Type"))
        detail = parse_detail(text, response.url, with_body=False)
        for link in detail.attachments:
            if self.allowed(source, link.url):
                yield from self.follow_part(source, response.meta["report_id"], link.url, link.text, None)

    # -- attachments and continuation pages -----------------------------------------------------
    def follow_part(self, source: Source, rid: str, url: str, text: str, file_type: str | None):
        """Fetch an attachment or a continuation page of a report unless checked recently."""
        known = self.session_known(url)
        if self.is_fresh(known):
            return
        if file_type == PART_PAGE:
            req = self.request(url, source, DETAIL, self.parse_continuation, report_id=rid)
        else:
            req = self.request(url, source, ATTACHMENT, self.parse_attachment, report_id=rid, link_text=text)
        yield self.conditional(req, known)

    def parse_attachment(self, response):
        yield self.document_seen(response, ATTACHMENT)
        file_type = is_document_response(
            _header(response, "Content-Type"), _header(response, "Content-Disposition"), response.url
        )
        if response.status == 304:  # unchanged: keep the type learnt when it was read
            file_type = None
        elif file_type is None:
            file_type = "html"
        yield AttachmentSeen(
            response.meta["report_id"], response.request.url, response.meta["link_text"], file_type
        )

    # -- failures ------------------------------------------------------------------------------
    def on_error(self, failure):
        request = failure.request
        meta = request.meta
        source_id = meta.get(META_SOURCE)
        exc = failure.value
        now = clock.now_iso()
        if isinstance(exc, BlockedPage):
            status = with_detail(SOURCE_BLOCKED, exc.kind)
        elif isinstance(exc, HttpError):
            code = exc.response.status
            status = with_detail(PAGE_HTTP, code)
            if code in (404, 410) and meta.get(META_KIND) != LISTING:
                yield DocumentGone(request.url, now)
        elif isinstance(exc, scrapy.exceptions.IgnoreRequest) and "robots" in str(exc).lower():
            status = PAGE_ROBOTS
        else:
            status = with_detail(PAGE_ERROR, error_name(exc))
        self.crawler.stats.inc_value(f"nianbao/failures/{status.split(':')[0]}")
        self.logger.info("%s %s (%s)", status, request.url, exc)
        if meta.get(META_KIND) == LISTING and source_id:
            yield ListingSnapshot(
                source_id, request.url, meta.get(META_FETCH_ID), now, status, column_url=meta.get("column")
            )
