"""Per-source run outcomes, for source health (:mod:`crawler.health`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlite_utils import Database

from crawler.clock import CHINA_TZ
from crawler.constants import SOURCE_OK
from crawler.health import HealthPolicy, RunOutcome, judge
from crawler.sources import Source
from storage.source_state import disabled_by_operator


def load_outcomes(db: Database, *, now: datetime | None = None,
                  policy: HealthPolicy | None = None) -> dict[str, list[RunOutcome]]:
    """source id → its outcomes (oldest first): every run, or with ``now`` only the runs health
    is judged on.

    Health needs the runs of the window, the last success up to ``now`` and every run after it
    (the streak); older runs cannot change the judgement, and a year of daily runs of 100,000
    sources would otherwise be read after every scheduled run.  ``judge`` over the reduced
    history equals ``judge`` over the whole one.
    """
    out: dict[str, list[RunOutcome]] = defaultdict(list)
    base = ("select sr.source_id, sr.run_id, sr.status, sr.reports_seen, r.started_at from source_runs sr "
            "join runs r on r.id = sr.run_id")
    if now is None:
        rows = db.conn.execute(f"{base} where r.started_at is not null order by sr.source_id, sr.run_id")
    else:
        window = (policy or HealthPolicy()).window_days
        now = now.astimezone(CHINA_TZ)
        since = (now - timedelta(days=window)).isoformat(timespec="seconds")
        until = now.isoformat(timespec="seconds")
        # times are stored as China-time ISO strings, so they compare as text
        rows = db.conn.execute(
            f"with last_ok as (select sr.source_id, max(r.started_at) as at from source_runs sr "
            f"join runs r on r.id = sr.run_id where sr.status = ? and sr.reports_seen > 0 and r.started_at <= ? "
            f"group by sr.source_id) {base} left join last_ok l on l.source_id = sr.source_id "
            f"where r.started_at is not null and (r.started_at >= ? or l.at is null or r.started_at >= l.at) "
            f"order by sr.source_id, sr.run_id", [SOURCE_OK, until, since])
    for source_id, run_id, status, seen, started in rows:
        out[source_id].append(RunOutcome(run_id, datetime.fromisoformat(started), status or "", seen or 0))
    return out


def latest_pages(db: Database, source_id: str) -> list[dict]:
    """The listing pages of the source's latest run (what a health flag shows)."""
    return list(db.query(
        "select fetch_id, url, fetched_at, status, items from listing_snapshots where source_id = ? and run_id = "
        "(select max(run_id) from listing_snapshots where source_id = ?) order by id", [source_id, source_id]))


def health_rows(db: Database, registry: list[Source], now: datetime) -> list[dict]:
    """One row per source (in the registry and enabled or switched off by the operator, or with
    runs on record): its health, the facts behind it, and its latest outcome."""
    outcomes = load_outcomes(db, now=now)
    by_id = {s.id: s for s in registry}
    # Sources the operator switched off stay listed (as disabled) even if never crawled.
    shown = {s.id for s in registry if s.enabled or disabled_by_operator(s)}
    rows = []
    for source_id in sorted(set(outcomes) | shown):
        runs = outcomes.get(source_id, [])
        src = by_id.get(source_id)
        health = judge(runs, now, enabled=src.enabled if src else True).as_dict()
        if src is not None and disabled_by_operator(src):
            health["reason"] = src.note
        rows.append({"source": source_id, "agency": src.agency if src else None, **health,
                     "latest_status": runs[-1].status if runs else None,
                     "latest_run": runs[-1].at.isoformat() if runs else None, "in_registry": src is not None})
    return rows
