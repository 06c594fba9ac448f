"""Progress: a live one-line display on a terminal, one summary line at the end.

Reads only stats (``nianbao/…`` keys).  ``NIANBAO_PROGRESS = False`` turns it off.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


def progress_line(stats: dict) -> str:
    """The progress text for a stats dict."""
    g = stats.get
    return (
        f"pages {g('nianbao/fetches', 0)} · reports {g('nianbao/reports_new', 0)} new"
        f" / {g('nianbao/reports_seen', 0)} seen · blocked pages {sum(v for k, v in stats.items() if k.startswith('nianbao/blocked/'))}"
        f" · errors {g('nianbao/fetch_errors', 0)} · {g('nianbao/bytes', 0) / 1e6:.1f} MB"
    )


class Progress:
    """Print progress to stderr every second when it is a terminal."""

    def __init__(self, crawler: Crawler, stream=None) -> None:
        self.crawler = crawler
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NIANBAO_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        if self.live:
            self.loop = task.LoopingCall(self.tick)
            self.loop.start(1.0, now=False)

    def tick(self) -> None:
        self.stream.write("\r\033[K" + progress_line(self.crawler.stats.get_stats()))
        self.stream.flush()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        prefix = "\r\033[K" if self.live else ""
        self.stream.write(f"{prefix}crawl {reason}: {progress_line(self.crawler.stats.get_stats())}\n")
        self.stream.flush()
