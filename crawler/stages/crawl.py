"""Run a crawl in this process: settings from ``crawler.settings`` plus overrides, one spider.

The scheduler and ``nianbao crawl``/``demo`` call :func:`run_crawl`; a Twisted reactor runs
once per process, so callers that crawl repeatedly (tests, the scheduler) start a subprocess.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.settings import user_agent

# Pacing for the local portal simulator only: it is one loopback host standing in for
# thousands of portals, so per-host politeness would serialise the whole world.
SIM_PROFILE: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_TIMEOUT": 20,
    "NIANBAO_RETRY_BACKOFF_BASE": 0.2,
}
PROFILES = {"polite": {}, "sim": SIM_PROFILE}


def build_settings(overrides: Mapping[str, Any] | None = None, profile: str = "polite") -> Settings:
    """nianbao's settings with a profile and explicit overrides applied (overrides win)."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    contact = os.environ.get("NIANBAO_CONTACT_URL")
    if contact:
        settings.set("NIANBAO_CONTACT_URL", contact, priority="project")
        settings.set("USER_AGENT", user_agent(contact), priority="project")
    settings.update(PROFILES[profile], priority="cmdline")
    if overrides:
        settings.update(dict(overrides), priority="cmdline")
    if "NIANBAO_CONTACT_URL" in (overrides or {}) and "USER_AGENT" not in (overrides or {}):
        settings.set("USER_AGENT", user_agent(overrides["NIANBAO_CONTACT_URL"]), priority="cmdline")
    return settings


def run_crawl(*, data: str | None, sources: str | None, source_ids: list[str] | None = None,
              years: str | None = None, profile: str = "polite",
              overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Crawl the selected sources into the data directory; returns the final Scrapy stats."""
    settings = build_settings({**(overrides or {}), "NIANBAO_DATA": data, "NIANBAO_SOURCES": sources}, profile)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("column")
    process.crawl(crawler, sources=sources, source_ids=",".join(source_ids or []), years=years)
    try:
        process.start()
    finally:
        # Scrapy's handlers only ask its (now stopped) reactor to stop: after the crawl, SIGTERM
        # and Ctrl-C must stop the extract and check stages again.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return crawler.stats.get_stats() if crawler.stats else {}
