"""The ``runs`` and ``source_runs`` tables: one row per crawl run, one per (run, source)."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from storage import health


def start_run(db: Database, *, started_at: str, command: str, args: dict[str, Any], version: str) -> int:
    """Insert a run row and return its id."""
    table = db.table("runs")
    table.insert(
        {
            "started_at": started_at,
            "command": command,
            "args": json.dumps(args, ensure_ascii=False, sort_keys=True),
            "version": version,
        }
    )
    assert table.last_pk is not None  # set by the insert just above
    return int(table.last_pk)


def finish_run(
    db: Database, run_id: int, *, finished_at: str, finish_reason: str, stats: dict[str, Any]
) -> None:
    """Record how a run ended and its Scrapy stats."""
    db.table("runs").update(run_id, {"finished_at": finished_at, "finish_reason": finish_reason})
    save_stats(db, run_id, stats)


def save_stats(db: Database, run_id: int, stats: dict[str, Any]) -> None:
    """Store (again) the Scrapy stats of a run: handlers closing after the recorder add to them."""
    db.table("runs").update(
        run_id, {"stats": json.dumps(stats, ensure_ascii=False, sort_keys=True, default=str)}
    )


def record_source_run(db: Database, run_id: int, source_id: str, row: dict[str, Any]) -> None:
    """Upsert the outcome of one source in one run."""
    db.table("source_runs").upsert(
        {"run_id": run_id, "source_id": source_id, **row}, pk=("run_id", "source_id")
    )
    # the per-source summary health reads (its cost grows with the sources, not the history)
    health.update_summary(db, source_id, run_id, row.get("status") or "", row.get("reports_seen") or 0)


def latest_runs(db: Database, limit: int = 10) -> list[dict]:
    """The most recent runs, newest first."""
    return list(db.query("select * from runs order by id desc limit ?", [limit]))
