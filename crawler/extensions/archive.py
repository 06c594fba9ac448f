"""The owner of a crawl's archive session: opened when the spider opens, closed when the engine stops.

Enabled as an extension (``EXTENSIONS``) with ``NIANBAO_STORE_ENABLED``; its settings
(``NIANBAO_DATA``, ``NIANBAO_WARC_MAX_BYTES``, ``NIANBAO_COMMIT_INTERVAL``) are read once, in
:meth:`ArchiveOwner.from_crawler`.  Every other component (the archive middleware, the store
pipeline, the run recorder, the spider) finds the session with :func:`archive_session`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.session import ArchiveSession

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
                command="crawl",
                args=args,
                warc_max_bytes=self.warc_max_bytes,
                commit_interval=self.commit_interval,
            )
        return self._session

    def spider_opened(self, spider: Spider) -> None:
        self.session  # noqa: B018 - opening is the point

    def close(self) -> None:
        """Close the session (idempotent)."""
        if self._session is not None:
            self._session.close()


def archive_session(crawler: Crawler) -> ArchiveSession | None:
    """The crawl's archive session, or None when the archive is switched off (``NIANBAO_STORE_ENABLED``)."""
    owner = crawler.get_extension(ArchiveOwner)
    return owner.session if owner is not None else None
