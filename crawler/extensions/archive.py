"""The owner of a crawl's archive session: opened when the spider opens, closed when the engine stops.

Enabled as an extension (``EXTENSIONS``) with ``NIANBAO_STORE_ENABLED``; its settings
(``NIANBAO_DATA``, ``NIANBAO_WARC_MAX_BYTES``, ``NIANBAO_COMMIT_INTERVAL``) are read once, in
:meth:`ArchiveOwner.from_crawler`.  Every other component (the archive middleware, the store
pipeline, the run recorder, the spider) finds the session with :func:`archive_session`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.session import ArchiveSession
from crawler.vocab.text import one_line

logger = logging.getLogger(__name__)
DISK_FULL = "disk_full"  # the finish reason of a crawl stopped by a full disk

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

SPIDER_ARGS = ("source_ids", "years", "sources_path")  # recorded with the run (``runs.args``)


class ArchiveOwner:
    """Opens the :class:`~crawler.session.ArchiveSession` of the crawl and closes it once."""

    def __init__(
        self, crawler: Crawler, *, data: str | None, warc_max_bytes: int, commit_interval: float
    ) -> None:
        self.crawler = crawler
        self.data, self.warc_max_bytes, self.commit_interval = data, warc_max_bytes, commit_interval
        self._session: ArchiveSession | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NIANBAO_STORE_ENABLED"):
            raise NotConfigured
        owner = cls(
            crawler,
            data=settings.get("NIANBAO_DATA"),
            warc_max_bytes=settings.getint("NIANBAO_WARC_MAX_BYTES"),
            commit_interval=settings.getfloat("NIANBAO_COMMIT_INTERVAL"),
        )
        # connected before the other components' handlers (this extension is built first), so the
        # session exists when they first run
        crawler.signals.connect(owner.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(owner.close, signal=signals.engine_stopped)
        return owner

    @property
    def session(self) -> ArchiveSession:
        """The open session (opened now if a component needs it before the spider opened)."""
        if self._session is None:
            spider = self.crawler.spider
            args = {k: v for k, v in vars(spider).items() if k in SPIDER_ARGS} if spider else {}
            self._session = ArchiveSession(
                self.data,
                command=self.crawler.settings.get("NIANBAO_RUN_COMMAND") or "crawl",
                args=args,
                warc_max_bytes=self.warc_max_bytes,
                commit_interval=self.commit_interval,
            )
        return self._session

    def spider_opened(self, spider: Spider) -> None:
        self.session.on_disk_full = self.disk_full

    def disk_full(self, exc: BaseException) -> None:
        """The disk is full: stop the crawl (finish reason ``disk_full``), once, saying so in one
        line; what was committed before stays, the next run with space goes on from there."""
        stats = self.crawler.stats
        if stats.get_value("nianbao/disk_full"):
            return
        stats.set_value("nianbao/disk_full", one_line(exc, 200))
        logger.error("the disk is full (%s): stopping the crawl", one_line(exc, 200))
        spider, engine = self.crawler.spider, self.crawler.engine
        if spider is not None and engine is not None:
            engine.close_spider(spider, DISK_FULL)

    def close(self) -> None:
        """Close the session (idempotent)."""
        if self._session is not None:
            self._session.close()


def archive_session(crawler: Crawler) -> ArchiveSession | None:
    """The crawl's archive session, or None when the archive is switched off (``NIANBAO_STORE_ENABLED``)."""
    owner = crawler.get_extension(ArchiveOwner)
    return owner.session if owner is not None else None
