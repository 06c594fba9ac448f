"""Per-source run outcomes, read for source health (judged in :mod:`crawler.health`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlite_utils import Database

from crawler.vocab.clock import CHINA_TZ
from crawler.vocab.records import RunOutcome
from crawler.vocab.words import HEALTH_WINDOW_DAYS


def load_outcomes(
    db: Database,
    *,
    now: datetime | None = None,
    sources: Iterable[str] | None = None,
    window_days: int = HEALTH_WINDOW_DAYS,
) -> dict[str, list[RunOutcome]]:
    """source id → its outcomes (any order): every run, or with ``now`` only the runs health is
    judged on.

    Health needs the runs of the window, the last success up to ``now`` and every run after it
    (the streak); older runs cannot change the judgement, and a year of daily runs of 100,000
    sources would otherwise be read after every scheduled run.  So the reduced history is read
    run by run, newest first, through the ``source_runs`` primary key: the window's runs, then
    older runs only for the sources (of ``sources``, when given) that have not shown a success
    yet.  ``crawler.health.judge`` over it equals ``judge`` over the whole history.
    """
    out: dict[str, list[RunOutcome]] = defaultdict(list)
    if now is None:
        for row in db.conn.execute(f"{_ROWS} where r.started_at is not null"):
            _add(out, row)
        return out
    now = now.astimezone(CHINA_TZ)
    since = (now - timedelta(days=window_days)).isoformat(timespec="seconds")
    until = now.isoformat(timespec="seconds")
    # times are stored as China-time ISO strings to the second, so they compare as text
    runs = db.conn.execute(
        "select id, started_at >= ? from runs where started_at is not null and started_at <= ? "
        "order by started_at desc, id desc",
        [since, until],
    ).fetchall()  # newest first
    ok_in_window = set()
    for row in _in_runs(db, [run_id for run_id, recent in runs if recent]):
        if _add(out, row):
            ok_in_window.add(row[0])
    pending = (set(sources) if sources is not None else set(out)) - ok_in_window
    older = [run_id for run_id, recent in runs if not recent]
    for i in range(0, len(older), _CHUNK):
        if not pending:
            break
        chunk = sorted(
            _in_runs(db, older[i : i + _CHUNK], sorted(pending)),
            key=lambda row: (row[4], row[1]),
            reverse=True,
        )
        found = set()
        for row in chunk:  # newest first: keep each source's rows back to its last success
            if row[0] not in found and _add(out, row):
                found.add(row[0])
        pending -= found
    return out


_ROWS = (
    "select sr.source_id, sr.run_id, sr.status, sr.reports_seen, r.started_at from source_runs sr "
    "join runs r on r.id = sr.run_id"
)
_CHUNK = 32  # runs per query
_IDS = 4000  # source ids per query (SQLite allows 32,766 parameters)


def _in_runs(db: Database, run_ids: list[int], only: list[str] | None = None):
    """The ``source_runs`` rows of these runs (of the ``only`` sources, when given), read through
    the (run_id, source_id) primary key."""
    for i in range(0, len(run_ids), _CHUNK):
        runs_part = run_ids[i : i + _CHUNK]
        for j in range(0, len(only) if only is not None else 1, _IDS):
            ids = only[j : j + _IDS] if only is not None else []
            where = f"sr.run_id in ({','.join('?' * len(runs_part))})"
            if only is not None:
                where += f" and sr.source_id in ({','.join('?' * len(ids))})"
            yield from db.conn.execute(f"{_ROWS} where {where}", [*runs_part, *ids])


def _add(out: dict[str, list[RunOutcome]], row: tuple) -> bool:
    """Append one ``_ROWS`` row to its source's outcomes; True when that run succeeded."""
    source_id, run_id, status, seen, started = row
    outcome = RunOutcome(run_id, datetime.fromisoformat(started), status or "", seen or 0)
    out[source_id].append(outcome)
    return outcome.succeeded


def latest_pages(db: Database, source_id: str) -> list[dict]:
    """The listing pages of the source's latest run (what a health flag shows)."""
    return list(
        db.query(
            "select fetch_id, url, fetched_at, status, items from listing_snapshots where source_id = ? and run_id = "
            "(select max(run_id) from listing_snapshots where source_id = ?) order by id",
            [source_id, source_id],
        )
    )
