"""Per-source run outcomes, read for source health (judged in :mod:`crawler.health`)."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlite_utils import Database

from crawler.vocab.clock import CHINA_TZ
from crawler.vocab.records import RunOutcome, RunSummary
from crawler.vocab.words import HEALTH_WINDOW_DAYS, SOURCE_INTERRUPTED


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


# -- per-source summaries, kept by the crawl ----------------------------------------------------
TAIL_RUNS = 10  # statuses kept of the last runs: more than any policy's "last N runs"


def _fresh() -> dict:
    return {
        "judged": None,  # [run_id, at, status, seen] of the newest run that is not interrupted
        "last_success": None,
        "streak": 0,
        "tail": [],
        "times": [],
        "ok": "",
        "latest": None,  # the newest run of any kind
    }


_COLUMNS = (
    "judged_run, judged_at, judged_status, judged_seen, last_success, streak, tail, times, ok, "
    "latest_run, latest_at, latest_status, latest_seen"
)


def _to_row(state: dict) -> tuple:
    judged, latest = state["judged"] or [None] * 4, state["latest"] or [None] * 4
    return (
        *judged,
        state["last_success"],
        state["streak"],
        "\n".join(state["tail"]),
        " ".join(state["times"]),
        state["ok"],
        *latest,
    )


def _from_row(row: tuple) -> dict:
    judged, latest = list(row[0:4]), list(row[9:13])
    return {
        "judged": judged if judged[0] is not None else None,
        "last_success": row[4],
        "streak": row[5],
        "tail": row[6].split("\n") if row[6] else [],
        "times": row[7].split(" ") if row[7] else [],
        "ok": row[8],
        "latest": latest if latest[0] is not None else None,
    }


def _save(db: Database, rows: list[tuple]) -> None:
    marks = ", ".join("?" * 14)
    db.conn.executemany(
        f"insert or replace into source_summary (source_id, {_COLUMNS}) values ({marks})", rows
    )


def _succeeded(status: str, seen: int) -> bool:
    return RunOutcome(0, datetime.min, status, seen).succeeded


def _fold(state: dict, entry: list, window_days: int) -> None:
    """Fold the newest outcome ``[run_id, at, status, seen]`` into a source's summary."""
    state["latest"] = entry
    run_id, at, status, seen = entry
    if status == SOURCE_INTERRUPTED:
        return
    state["judged"] = entry
    ok = _succeeded(status, seen)
    if ok:
        state["last_success"], state["streak"] = at, 0
    else:
        state["streak"] += 1
    state["tail"] = [*state["tail"], status][-TAIL_RUNS:]
    horizon = (datetime.fromisoformat(at) - timedelta(days=window_days)).isoformat(timespec="seconds")
    keep = bisect_left(state["times"], horizon)
    state["times"] = [*state["times"][keep:], at]
    state["ok"] = state["ok"][keep:] + ("1" if ok else "0")


def _newer(entry: list, than: list | None) -> bool:
    return than is None or (entry[1], entry[0]) > (than[1], than[0])


def update_summary(
    db: Database,
    source_id: str,
    run_id: int,
    status: str,
    reports_seen: int,
    *,
    started_at: str | None = None,
    window_days: int = HEALTH_WINDOW_DAYS,
) -> None:
    """Fold one source's outcome in one run into its summary (called with every ``source_runs``
    write).  Runs are recorded in time order; a run recorded again, or one older than the
    summary's newest, rebuilds that source's summary from its runs."""
    if started_at is None:
        found = db.conn.execute("select started_at from runs where id = ?", [run_id]).fetchone()
        started_at = found[0] if found else None
    if started_at is None:
        return
    row = db.conn.execute(
        f"select {_COLUMNS} from source_summary where source_id = ?", [source_id]
    ).fetchone()
    state = _from_row(row) if row else _fresh()
    entry = [run_id, started_at, status or "", reports_seen or 0]
    if _newer(entry, state["latest"]):
        _fold(state, entry, window_days)
    else:
        state = _from_runs(db, source_id, window_days)
    _save(db, [(source_id, *_to_row(state))])


def _from_runs(db: Database, source_id: str, window_days: int) -> dict:
    state = _fresh()
    for _, run_id, status, seen, started in db.conn.execute(
        f"{_ROWS} where sr.source_id = ? and r.started_at is not null order by r.started_at, sr.run_id",
        [source_id],
    ):
        _fold(state, [run_id, started, status or "", seen or 0], window_days)
    return state


def rebuild_summaries(db: Database, window_days: int = HEALTH_WINDOW_DAYS) -> int:
    """Every source's summary from its runs (a migration's backfill, a benchmark's history);
    returns the number of sources."""
    db.conn.execute("delete from source_summary")
    current, state, count = None, _fresh(), 0
    rows = db.conn.execute(
        f"{_ROWS} where r.started_at is not null order by sr.source_id, r.started_at, sr.run_id"
    )
    batch: list[tuple] = []
    for source_id, run_id, status, seen, started in rows:
        if source_id != current:
            if current is not None:
                batch.append((current, *_to_row(state)))
            current, state, count = source_id, _fresh(), count + 1
        _fold(state, [run_id, started, status or "", seen or 0], window_days)
        if len(batch) >= 5000:
            _save(db, batch)
            batch = []
    if current is not None:
        batch.append((current, *_to_row(state)))
    _save(db, batch)
    return count


def _outcome(entry: list | None) -> RunOutcome | None:
    if entry is None:
        return None
    run_id, at, status, seen = entry
    return RunOutcome(run_id, datetime.fromisoformat(at), status, seen)


def load_summaries(db: Database, *, now: datetime) -> dict[str, RunSummary] | None:
    """Every source's summary, or None when they cannot answer for ``now``: an archive with runs
    but no summaries, or a ``now`` earlier than some source's newest run (a judgement as of the
    past needs the history itself)."""
    until = now.astimezone(CHINA_TZ).isoformat(timespec="seconds")
    rows = db.conn.execute(f"select source_id, {_COLUMNS} from source_summary").fetchall()
    if not rows:
        has_runs = db.conn.execute("select 1 from source_runs limit 1").fetchone()
        return None if has_runs else {}
    if max((r[11] or "" for r in rows), default="") > until:
        return None
    out = {}
    for sid, jrun, jat, jstatus, jseen, success, streak, tail, times, ok, lrun, lat, lstatus, lseen in rows:
        judged = (jrun, jat, jstatus, jseen) if jrun is not None else None
        same = (lrun, lat) == (jrun, jat)
        out[sid] = RunSummary(
            judged=judged,
            last_success=success,
            streak=streak,
            tail=tail,
            times=times,
            successes=ok,
            latest=judged if same else ((lrun, lat, lstatus, lseen) if lrun is not None else None),
        )
    return out


def seen_source_ids(db: Database, source_ids: Iterable[str]) -> set[str]:
    """Those of ``source_ids`` this archive has a crawl or a report of (a source never crawled
    into it has nothing a verdict could rest on). One summary read, then an index seek per
    source the summaries do not name."""
    wanted = set(source_ids)
    seen = {r[0] for r in db.conn.execute("select source_id from source_summary")} & wanted
    seen.update(r[0] for r in db.conn.execute("select distinct source_id from reports") if r[0] in wanted)
    for source_id in wanted - seen:
        if db.conn.execute(
            "select exists(select 1 from listing_snapshots where source_id = ?) "
            "or exists(select 1 from fetches where source_id = ?)",
            [source_id, source_id],
        ).fetchone()[0]:
            seen.add(source_id)
    return seen
