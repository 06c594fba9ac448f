"""Shared spider plumbing: the sources a spider crawls, the years it keeps, request helpers."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals

from crawler.registry import load_registry, select_enabled
from crawler.registry.sources import Source
from crawler.vocab import clock
from crawler.vocab.words import META_FETCH_ID, META_KIND, META_SOURCE
from crawler.vocab.years import parse_years
from storage.db import data_dir
from storage.locks import claim_sources


class NianbaoSpider(scrapy.Spider):
    """Base of nianbao spiders: ``sources`` (file), ``source_ids`` and ``years`` arguments."""

    def __init__(
        self,
        sources: str | None = None,
        source_ids: str | None = None,
        years: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sources_path = sources
        self.source_ids = [s for s in (source_ids or "").split(",") if s]
        self.years = years
        self.year_range = parse_years(years)
        self.sources: list[Source] = []

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        path = spider.sources_path or crawler.settings.get("NIANBAO_SOURCES")
        # The operator's `nianbao sources disable` state of this data directory applies to every crawl.
        registry = load_registry(path, crawler.settings.get("NIANBAO_DATA"))
        spider.sources = select_enabled(registry, spider.source_ids or None)
        if crawler.settings.getbool("NIANBAO_STORE_ENABLED"):
            spider.sources = spider.claim_sources(crawler)
        spider.by_id = {s.id: s for s in spider.sources}
        spider.revisit_after = timedelta(days=crawler.settings.getfloat("NIANBAO_REVISIT_DAYS"))
        spider.default_max_pages = crawler.settings.getint("NIANBAO_MAX_PAGES")
        spider.listing_conditional = crawler.settings.getbool("NIANBAO_LISTING_CONDITIONAL")
        return spider

    def claim_sources(self, crawler) -> list[Source]:
        """Claim the sources in the data directory; those another live process is crawling are
        left out (logged, counted in ``nianbao/sources_busy``).  Released when the engine stops."""
        data = data_dir(crawler.settings.get("NIANBAO_DATA"))
        claim = claim_sources(data, [s.id for s in self.sources], command=f"crawl (pid {os.getpid()})")
        crawler.signals.connect(lambda: claim.release(), signal=signals.engine_stopped, weak=False)
        for source_id, holder in claim.busy.items():
            self.logger.warning("%s: skipped, being crawled by %s", source_id, holder.describe())

        def count(spider) -> None:  # stats exist only once the crawl starts
            crawler.stats.set_value("nianbao/sources_busy", len(claim.busy))
            crawler.stats.set_value("nianbao/sources_claimed", len(claim.claimed))

        crawler.signals.connect(count, signal=signals.spider_opened, weak=False)
        self.claim = claim
        return [s for s in self.sources if s.id not in claim.busy]

    # -- helpers ---------------------------------------------------------------------------
    def wanted_year(self, year: int | None) -> bool:
        """Keep reports of this year? (unknown years are kept: the detail page may tell)."""
        if year is None or self.year_range is None:
            return True
        return self.year_range[0] <= year <= self.year_range[1]

    def source_of(self, response_or_request) -> Source:
        return self.by_id[response_or_request.meta[META_SOURCE]]

    @staticmethod
    def allowed(source: Source, url: str) -> bool:
        """Only follow links to the source's own hosts (spam mirrors and third parties stay out)."""
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and source.allows_host(parts.hostname or "")

    def request(self, url: str, source: Source, kind: str, callback, **meta: Any) -> scrapy.Request:
        """A request tagged with source and kind, with the shared errback."""
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta={META_SOURCE: source.id, META_KIND: kind, **meta},
        )

    def is_fresh(self, known: dict | None) -> bool:
        """Was this known document checked recently enough to skip it this run?"""
        if not known or not known.get("last_checked_at") or known.get("gone_since"):
            return False
        checked = datetime.fromisoformat(known["last_checked_at"])
        return clock.now() - checked < self.revisit_after

    @staticmethod
    def conditional_headers(known: dict | None) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for a known document."""
        headers = {}
        if known and known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known and known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        return headers

    @staticmethod
    def fetch_id(response) -> int | None:
        return response.meta.get(META_FETCH_ID)

    def on_error(self, failure):  # pragma: no cover - implemented by subclasses
        raise NotImplementedError("Must implement on_error")
