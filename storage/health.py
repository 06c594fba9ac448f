"""Per-source run outcomes, for source health (:mod:`crawler.health`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlite_utils import Database

from crawler.health import RunOutcome


def load_outcomes(db: Database) -> dict[str, list[RunOutcome]]:
    """source id → its outcome in every run that crawled it (oldest first)."""
    out: dict[str, list[RunOutcome]] = defaultdict(list)
    sql = ("select sr.source_id, sr.run_id, sr.status, sr.reports_seen, r.started_at from source_runs sr "
           "join runs r on r.id = sr.run_id where r.started_at is not null order by sr.source_id, sr.run_id")
    for source_id, run_id, status, seen, started in db.conn.execute(sql):
        out[source_id].append(RunOutcome(run_id, datetime.fromisoformat(started), status or "", seen or 0))
    return out


def latest_pages(db: Database, source_id: str) -> list[dict]:
    """The listing pages of the source's latest run (what a health flag shows)."""
    return list(db.query(
        "select fetch_id, url, fetched_at, status, items from listing_snapshots where source_id = ? and run_id = "
        "(select max(run_id) from listing_snapshots where source_id = ?) order by id", [source_id, source_id]))
