"""Store pipeline: items → ``documents``/``versions``, ``reports``, ``attachments``,
``listing_snapshots``; when the spider closes, one ``source_runs`` row per source of the run.

Gated by ``NIANBAO_STORE_ENABLED``.  Counts go to stats under ``nianbao/…`` (the contract with
the run recorder and the health rules).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.extensions.archive import ArchiveOwner
from crawler.items import (
    AttachmentSeen,
    DocumentGone,
    DocumentSeen,
    ListingSnapshot,
    ReportItem,
    ReportSeen,
)
from crawler.vocab.words import (
    PAGE_ERROR,
    PAGE_HTTP,
    PAGE_OK,
    SOURCE_BLOCKED,
    SOURCE_EMPTY,
    SOURCE_INTERRUPTED,
    SOURCE_OK,
    SOURCE_PARTIAL,
    SOURCE_UNREACHABLE,
    unreachable_cause,
    with_detail,
)
from storage import documents, reports, runs
from storage.db import is_disk_full

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from sqlite_utils import Database


class StorePipeline:
    """Write crawl items to the archive index."""

    def __init__(self, crawler: Crawler, owner: ArchiveOwner) -> None:
        self.crawler = crawler
        self.owner = owner
        self.listings: dict[str, Counter] = defaultdict(Counter)
        self.listed_items: Counter = Counter()  # entries the listing parser found, per source
        self.reports_seen: dict[str, set[str]] = defaultdict(set)
        self.reports_new: Counter = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        owner = crawler.get_extension(ArchiveOwner)
        if owner is None:  # NIANBAO_STORE_ENABLED off: nothing is stored
            raise NotConfigured
        pipeline = cls(crawler, owner)
        # spider_closed, not close_spider: only the signal says why the spider closed
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    @property
    def db(self) -> Database:
        return self.owner.session.db

    async def process_item(self, item: Any) -> Any:
        try:
            return self.store(item)
        except Exception as exc:
            if is_disk_full(exc):  # the crawl stops (the session's owner is told); not a bug
                self.owner.session.disk_full(exc)
                return item
            self.crawler.stats.inc_value("nianbao/store_errors")  # makes `nianbao crawl` exit 1
            raise

    def store(self, item: Any) -> Any:
        """Write one item (synchronously: SQLite, in the session's batch transaction)."""
        stats = self.crawler.stats
        self.owner.session.begin()
        db = self.db
        if isinstance(item, DocumentSeen):
            self.record_document(item)
        elif isinstance(item, ReportItem):
            with db.atomic():
                if item.document is not None:
                    self.record_document(item.document)
                is_new = reports.upsert_report(
                    db,
                    item.report_id,
                    {
                        "source_id": item.source_id,
                        "agency": item.agency,
                        "agency_source": item.agency_source,
                        "own": int(item.own),
                        "report_year": item.report_year,
                        "title": item.title,
                        "url": item.url,
                        # a moved report's content lives at the URL it redirected to
                        "document_id": documents.document_id(
                            db, item.document.url if item.document else item.url
                        ),
                        "listing_url": item.listing_url,
                        "published_at": item.published_at,
                        "published_at_source": item.published_at_source,
                        "cms": item.cms,
                        "exclusion": item.exclusion,
                    },
                    seen_at=item.seen_at,
                    fetch_id=item.fetch_id,
                    date_candidates=item.date_candidates,
                )
                for att in item.attachments:
                    reports.add_attachment(
                        db, item.report_id, att["url"], att.get("text", ""), file_type=att.get("file_type")
                    )
            if item.own:
                self.reports_seen[item.source_id].add(item.report_id)
                self.reports_new[item.source_id] += int(is_new)
                stats.inc_value("nianbao/reports_new" if is_new else "nianbao/reports_seen")
            else:
                stats.inc_value("nianbao/reports_other_body")
        elif isinstance(item, ReportSeen):
            if reports.touch_report(db, item.report_id, item.seen_at):
                self.reports_seen[item.source_id].add(item.report_id)
                stats.inc_value("nianbao/reports_seen")
        elif isinstance(item, AttachmentSeen):
            reports.add_attachment(
                db,
                item.report_id,
                item.url,
                item.text,
                document_id=documents.document_id(db, item.url),
                file_type=item.file_type,
            )
        elif isinstance(item, DocumentGone):
            documents.mark_gone(db, item.url, item.at)
            stats.inc_value("nianbao/documents_gone")
        elif isinstance(item, ListingSnapshot):
            session = self.owner.session
            reports.add_listing_snapshot(
                db,
                {
                    "run_id": session.run_id,
                    "source_id": item.source_id,
                    "column_url": item.column_url,
                    "url": item.url,
                    "fetch_id": item.fetch_id,
                    "fetched_at": item.fetched_at,
                    "status": item.status,
                    "items": item.items,
                    "report_urls": item.report_urls,
                    "basis_fetch_id": item.basis_fetch_id or item.fetch_id,
                },
            )
            self.listings[item.source_id][item.status] += 1
            if item.status == PAGE_OK:
                self.listed_items[item.source_id] += item.items
            stats.inc_value(f"nianbao/listing/{item.status.split(':')[0]}")
        return item

    def record_document(self, item: DocumentSeen) -> None:
        """Upsert the document and append a version when its content changed."""
        stats = self.crawler.stats
        result = documents.record_sighting(
            self.db,
            documents.Sighting(
                url=item.url,
                kind=item.kind,
                source_id=item.source_id,
                fetch_id=item.fetch_id,
                seen_at=item.seen_at,
                sha256=item.sha256,
                payload_sha256=item.payload_sha256,
                size=item.size,
                content_type=item.content_type,
                etag=item.etag,
                last_modified=item.last_modified,
            ),
        )
        stats.inc_value("nianbao/documents_new" if result.new_document else "nianbao/documents_seen")
        if result.new_version and not result.new_document:
            stats.inc_value("nianbao/versions_new")
        if item.sha256 is None:
            stats.inc_value("nianbao/not_modified")

    def spider_closed(self, spider, reason: str) -> None:
        """One ``source_runs`` row per source; a run stopped early (SIGTERM, timeout) cannot tell
        a finished walk from a cut one, so its sources are ``interrupted`` unless blocked."""
        session = self.owner.session
        for source in getattr(spider, "sources", []):
            counts = self.listings.get(source.id, Counter())
            status, detail = source_status(counts, len(self.reports_seen.get(source.id, ())))
            if reason != "finished" and not status.startswith(SOURCE_BLOCKED):
                status, detail = SOURCE_INTERRUPTED, f"run closed ({reason}); {detail or 'nothing fetched'}"
            runs.record_source_run(
                session.db,
                session.run_id,
                source.id,
                {
                    "status": status,
                    "listing_pages": sum(counts.values()),
                    "listing_ok": counts.get(PAGE_OK, 0),
                    "blocked": sum(n for s, n in counts.items() if s.startswith(SOURCE_BLOCKED + ":")),
                    "errors": sum(
                        n for s, n in counts.items() if s.startswith((PAGE_HTTP + ":", PAGE_ERROR + ":"))
                    ),
                    "reports_seen": len(self.reports_seen.get(source.id, ())),
                    "reports_new": self.reports_new.get(source.id, 0),
                    "detail": detail,
                },
            )
            self.crawler.stats.inc_value(f"nianbao/sources/{status.split(':')[0]}")
            if status == SOURCE_EMPTY:
                # why a column read fine gave no report, for the operator (crawler.stages.crawl.empty_lines)
                empty = self.crawler.stats.get_value("nianbao/empty") or []
                cause = empty_cause(self.listed_items.get(source.id, 0))
                self.crawler.stats.set_value("nianbao/empty", [*empty, [source.id, cause, source.urls[0]]])
            if status.startswith((SOURCE_UNREACHABLE, SOURCE_BLOCKED)):
                # one line per unread source for the operator (crawler.stages.crawl.unread_lines)
                unread = self.crawler.stats.get_value("nianbao/unread") or []
                self.crawler.stats.set_value("nianbao/unread", [*unread, [source.id, status, source.urls[0]]])
        runs.save_stats(session.db, session.run_id, self.crawler.stats.get_stats())


EMPTY_NOT_A_LISTING = "not-a-listing"
EMPTY_NO_REPORTS = "no-reports"


def empty_cause(listed_items: int) -> str:
    """Why a column that was read gave no report: its pages showed no list of entries at all (the
    URL is likely a home page, an article or a menu, not the column), or a list none of whose
    entries is an annual report (another column, or one not yet filled)."""
    return EMPTY_NOT_A_LISTING if not listed_items else EMPTY_NO_REPORTS


def source_status(listing_counts: Counter, reports_seen: int) -> tuple[str, str]:
    """A source's outcome from its listing captures: ok, empty, partial, blocked:<kind> or
    unreachable.

    A column counts as crawled only when every listing page came back as content: a block page
    or an error never reads as "no report", and a walk cut short by one (paging is sequential,
    so the pages after it were never seen) is ``partial``, which cannot prove an absence.
    """
    detail = ", ".join(f"{k}={v}" for k, v in sorted(listing_counts.items()))
    failed = {s: n for s, n in listing_counts.items() if s != PAGE_OK}
    if listing_counts.get(PAGE_OK):
        if failed:
            return SOURCE_PARTIAL, detail
        return (SOURCE_OK if reports_seen else SOURCE_EMPTY), detail
    blocked = sorted((n, s) for s, n in failed.items() if s.startswith(SOURCE_BLOCKED + ":"))
    if blocked:
        return with_detail(SOURCE_BLOCKED, blocked[-1][1].split(":", 1)[1]), detail
    if not failed:
        return SOURCE_UNREACHABLE, "no listing page fetched"
    causes = Counter()
    for page_status, n in failed.items():
        causes[unreachable_cause(page_status)] += n
    return with_detail(SOURCE_UNREACHABLE, causes.most_common(1)[0][0]), detail
