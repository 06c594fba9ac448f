"""After a check: refresh the Atom feed and deliver the new flag events, once each.

Events are the record; delivery follows them.  An event is marked delivered when at least one
target accepted the batch (a target that failed is reported, and misses it rather than making
every other target receive it twice); when every target fails the events stay pending and go
out with the next check.  With no target configured the feed is the only channel and events
are marked delivered, so configuring a target later does not replay years of history.
"""

from __future__ import annotations

import os
from pathlib import Path

from scrapy.settings import Settings
from sqlite_utils import Database

from crawler.outputs.feed import write_atom
from crawler.outputs.notify import deliver
from crawler.vocab import clock
from storage import compliance as store

FEED_FILE = "flags.atom"
FEED_EVENTS = 500
ENV_URLS = "NIANBAO_NOTIFY_URLS"


def notify_urls(settings: Settings) -> list[str]:
    """Apprise URLs from ``$NIANBAO_NOTIFY_URLS`` (whitespace-separated) or the setting."""
    env = os.environ.get(ENV_URLS)
    if env is not None:
        return env.split()
    value = settings.get("NIANBAO_NOTIFY_URLS") or []
    return value.split() if isinstance(value, str) else list(value)


def feed_path(data: Path) -> Path:
    """Where the Atom feed of flag events lives."""
    return Path(data) / FEED_FILE


def publish_events(db: Database, data: Path, settings: Settings, *, deliver_events: bool = True) -> list[str]:
    """Write the feed, deliver pending events; returns problems to report (empty: all fine)."""
    problems: list[str] = []
    now = clock.now_iso()
    write_atom(
        feed_path(data),
        store.recent_events(db, FEED_EVENTS),
        feed_id="tag:nianbao,2026:flags",
        title="nianbao flags",
        updated=now,
    )
    pending = store.pending_events(db)
    if not pending or not deliver_events:
        return problems
    urls = notify_urls(settings)
    if not urls:
        store.mark_notified(db, [e["id"] for e in pending], now)
        return problems
    results = deliver(urls, pending, run_label=f"check {now[:10]}")
    for r in results:
        if not r.ok:
            problems.append(f"notification to {r.url_redacted} failed: {r.error}")
    if any(r.ok for r in results):
        store.mark_notified(db, [e["id"] for e in pending], now)
    else:
        problems.append(f"{len(pending)} flag event(s) stay pending and will be sent with the next check")
    return problems
