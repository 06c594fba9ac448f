"""Run recorder: writes Scrapy's stats and the finish reason to the ``runs`` row at close.

Gated by ``NIANBAO_STORE_ENABLED``.  Health rules read the ``runs`` and ``source_runs`` tables,
never spider internals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.extensions.archive import archive_session
from crawler.vocab import clock
from storage import runs

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

    from crawler.session import ArchiveSession


class RunRecorder:
    """Put the run id in the stats when the spider opens; record the run when it closes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NIANBAO_STORE_ENABLED"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _session(self) -> ArchiveSession:
        session = archive_session(self.crawler)
        assert session is not None, "ArchiveOwner is enabled with NIANBAO_STORE_ENABLED, like this extension"
        return session

    def spider_opened(self, spider: Spider) -> None:
        self.crawler.stats.set_value("nianbao/run_id", self._session().run_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        session = self._session()
        runs.finish_run(
            session.db,
            session.run_id,
            finished_at=clock.now_iso(),
            finish_reason=reason,
            stats=self.crawler.stats.get_stats(),
        )
