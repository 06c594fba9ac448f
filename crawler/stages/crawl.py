"""The crawl stage: settings from ``crawler.settings`` plus overrides, one column spider, in this process.

``nianbao crawl``/``run`` and the demo call :func:`run_crawl`; a Twisted reactor runs once per
process, so callers that crawl repeatedly (tests, the scheduler) start a subprocess.
:func:`crawl_problem` reads Scrapy's final stats for why a crawl failed.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.cadence import select_group
from crawler.logs import LOG_DIR
from crawler.registry import load_registry, select_enabled
from crawler.registry.memory import remember, resolve_sources
from crawler.settings import user_agent
from crawler.vocab import clock
from crawler.vocab.errors import ConfigError
from crawler.vocab.text import one_line
from crawler.vocab.words import SOURCE_EMPTY, SOURCE_OK, SOURCE_PARTIAL, SOURCE_UNREACHABLE, describe_cause
from storage.db import data_dir

CRAWL_LOG = "crawl.log"

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


def run_crawl(
    *,
    data: str | None,
    sources: str | None,
    source_ids: list[str] | None = None,
    years: str | None = None,
    profile: str = "polite",
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Crawl the selected sources into the data directory; returns the final Scrapy stats.

    The registry is resolved once (:func:`~crawler.registry.memory.resolve_sources`); a registry
    named explicitly (``--sources`` or ``$NIANBAO_SOURCES``) becomes the data directory's own, the
    default of every later command on it."""
    resolved = resolve_sources(sources, data)
    sources = resolved.path
    changed = remember(data, sources) if resolved.origin in ("--sources", "$NIANBAO_SOURCES") else None
    if changed:
        sys.stderr.write(f"nianbao: {changed}\n")
    settings = build_settings(
        {**(overrides or {}), "NIANBAO_DATA": data, "NIANBAO_SOURCES": sources}, profile
    )
    log_into_data(settings, data)
    process = CrawlerProcess(settings)
    # a log line that cannot be written (a full disk) is dropped quietly, during the crawl only
    raise_exceptions, logging.raiseExceptions = logging.raiseExceptions, False
    console = _console_handler()
    logging.getLogger().addHandler(console)
    crawler = process.create_crawler("column")
    process.crawl(crawler, sources=sources, source_ids=",".join(source_ids or []), years=years)
    try:
        process.start()
    finally:
        logging.getLogger().removeHandler(console)
        logging.raiseExceptions = raise_exceptions
        # Scrapy's handlers only ask its (now stopped) reactor to stop: after the crawl, SIGTERM
        # and Ctrl-C must stop the extract and check stages again.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return crawler.stats.get_stats() if crawler.stats else {}


def log_into_data(settings: Settings, data: str | os.PathLike | None) -> None:
    """Scrapy's own lines (retries, tracebacks) go to the data directory's crawl log, unless a
    LOG_FILE is set; the terminal gets the progress line, nianbao's warnings and one line per
    source that needs attention."""
    if settings.get("LOG_FILE"):
        return
    log = crawl_log_path(data)
    log.parent.mkdir(parents=True, exist_ok=True)
    settings.set("LOG_FILE", str(log), priority="cmdline")
    settings.set("LOG_FILE_APPEND", True, priority="cmdline")
    settings.set("LOG_LEVEL", "INFO", priority="cmdline")


def crawl_log_path(data: str | os.PathLike | None) -> Path:
    """Where a crawl's full log (Scrapy's lines, tracebacks included) is appended."""
    return data_dir(data) / LOG_DIR / CRAWL_LOG


class _OwnWarnings(logging.Filter):
    """nianbao's own warnings and errors, not Scrapy's or Twisted's (those are in the log file)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(("scrapy", "twisted", "py.warnings", "asyncio", "urllib3"))


class _OneLine(logging.Formatter):
    """The message alone, on one line: a traceback belongs in the log file."""

    def format(self, record: logging.LogRecord) -> str:
        return one_line(record.getMessage())


def _console_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.addFilter(_OwnWarnings())
    handler.setFormatter(_OneLine())
    return handler


def select_for_crawl(
    source_ids: Sequence[str],
    data: str | None,
    sources: str | None,
    group: str | None,
    overrides: Mapping[str, Any] | None = None,
) -> list[str]:
    """The source ids a crawl asks for: the explicit ids, those of them (or of every enabled
    source) in ``group``, or [] for every enabled source.  Raises :class:`ConfigError` for an
    unknown or disabled id, or a group none of them is in."""
    registry = load_registry(sources, data)
    selected = select_enabled(registry, list(source_ids) or None)
    if not group:
        return list(source_ids)
    township = build_settings(overrides).get("NIANBAO_TOWNSHIP_DEADLINE")
    members = {
        s.id for s in select_group(registry, group, year=clock.today().year - 1, township_default=township)
    }
    chosen = [s.id for s in selected if s.id in members]
    if not chosen:
        raise ConfigError(f"none of the named sources is in group {group!r}")
    return chosen


def interrupted(stats: Mapping[str, Any]) -> bool:
    """Was the crawl stopped by a signal (its sources recorded ``interrupted``)?"""
    return stats.get("finish_reason") in (None, "shutdown")  # None: a second signal forced Scrapy down


def all_busy(stats: Mapping[str, Any]) -> bool:
    """Did every selected source belong to another process's crawl (nothing was crawled)?"""
    return bool(stats.get("nianbao/sources_busy")) and not stats.get("nianbao/sources_claimed")


def unread_lines(stats: Mapping[str, Any]) -> list[str]:
    """One line per source the crawl could not read: its id, why, and its column URL."""
    out = []
    for source_id, status, url in stats.get("nianbao/unread") or []:
        word, _, cause = status.partition(":")
        why = describe_cause(cause) if word == SOURCE_UNREACHABLE and cause else cause or "no page fetched"
        out.append(f"{source_id}: {word} ({why}): {url}")
    return out


EMPTY_WORDS = {
    "not-a-listing": "read, but its pages list no entries at all: the URL may be a home page, an article or a "
    "menu rather than the annual-report column (nianbao parse the page, or find the column on the portal)",
    "no-reports": "read, but none of the entries it lists is an annual report: another column, or one not yet "
    "filled",
}


def empty_lines(stats: Mapping[str, Any]) -> list[str]:
    """One line per source whose column was read but gave no report, with the likely cause."""
    return [
        f"{source_id}: empty ({EMPTY_WORDS.get(cause, cause)}): {url}"
        for source_id, cause, url in stats.get("nianbao/empty") or []
    ]


def crawl_problem(stats: Mapping[str, Any]) -> str | None:
    """Why a finished crawl should exit 1 (None: it went fine)."""
    reason = stats.get("finish_reason")
    if stats.get("nianbao/disk_full"):
        return (
            f"the disk is full ({stats['nianbao/disk_full']}): the crawl stopped; what it archived "
            "before is kept — free space and run again"
        )
    if reason != "finished":
        return f"crawl ended: {reason or 'did not start'}"
    if all_busy(stats):
        return "every selected source is being crawled by another process (see the warnings above)"
    read = sum(stats.get(f"nianbao/sources/{w}", 0) for w in (SOURCE_OK, SOURCE_EMPTY, SOURCE_PARTIAL))
    unread = stats.get("nianbao/unread") or []
    if unread and not read:
        return f"no source could be read ({len(unread)} unreachable or blocked; full log in DATA/{LOG_DIR}/{CRAWL_LOG})"
    if read and read == stats.get(f"nianbao/sources/{SOURCE_EMPTY}", 0):
        return f"every source came back empty ({read} read, no report found in any): see the lines above"
    bugs = (
        sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
        + stats.get("nianbao/parse_errors", 0)
        + stats.get("nianbao/store_errors", 0)
    )
    if bugs:
        return f"crawl finished with {bugs} processing error(s); see the log above"
    return None
