"""``nianbao discover``: walk portals with the discover spider, archive what it fetched, and
turn the columns it confirmed into proposed registry entries (:mod:`crawler.registry.proposals`)."""

from __future__ import annotations

import logging
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import CrawlerProcess

from crawler.stages.crawl import build_settings, log_into_data


@dataclass(slots=True)
class DiscoverResult:
    """What a discovery walk found: the columns, pages fetched per start, failures, Scrapy stats."""

    found: list = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)
    sites: dict[str, str | None] = field(default_factory=dict)
    rejected: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


def run_discover(
    urls: Sequence[str],
    *,
    data: str | None,
    depth: int = 4,
    max_pages: int = 60,
    strategy: str = "best",
    profile: str = "polite",
    overrides: Mapping[str, Any] | None = None,
) -> DiscoverResult:
    """Walk each portal URL (best first, at most ``depth`` clicks and ``max_pages`` pages each),
    archiving every exchange into ``data``; returns what was found."""
    settings = build_settings(
        {**(overrides or {}), "NIANBAO_DATA": data, "NIANBAO_RUN_COMMAND": "discover"}, profile
    )
    log_into_data(settings, data)
    process = CrawlerProcess(settings)
    raise_exceptions, logging.raiseExceptions = logging.raiseExceptions, False
    crawler = process.create_crawler("discover")
    process.crawl(crawler, urls="\n".join(urls), depth=depth, max_pages=max_pages, strategy=strategy)
    try:
        process.start()
    finally:
        logging.raiseExceptions = raise_exceptions
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    spider = crawler.spider
    out = DiscoverResult(stats=crawler.stats.get_stats() if crawler.stats else {})
    if spider is not None:
        out.found = spider.found
        out.pages = {s: st.pages for s, st in spider.state.items()}
        out.sites = {s: st.site for s, st in spider.state.items()}
        out.rejected = {s: dict(st.rejected) for s, st in spider.state.items()}
        out.failures = list(spider.failures)
    return out
