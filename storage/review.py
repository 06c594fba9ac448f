"""Review decisions: a person confirms or dismisses a finding (a flag, or a scorecard rule result)
before it is published.  Kept apart from the crawled archive, in ``DATA/review.db``: the archive
holds what was observed, this file what people decided about it; backing up, rebuilding or
re-checking the archive never touches a decision.

``decisions`` is append-only: every decision is a row (``confirmed``, ``dismissed`` or
``withdrawn``, which takes the previous one back), with its note, time and who made it; the
latest row of a target is its state.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from storage.db import data_dir

REVIEW_DB = "review.db"
CONFIRMED, DISMISSED, WITHDRAWN = "confirmed", "dismissed", "withdrawn"
DECISIONS = (CONFIRMED, DISMISSED, WITHDRAWN)


def review_path(data: str | os.PathLike | None) -> Path:
    return data_dir(data) / REVIEW_DB


def open_review(data: str | os.PathLike | None = None, *, readonly: bool = False) -> Database | None:
    """The review database of a data directory (created on first write); None when reading and
    nobody has reviewed anything yet."""
    path = review_path(data)
    if readonly:
        if not path.exists():
            return None
        return Database(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute(
        "create table if not exists decisions (id integer primary key, target text not null, "
        "decision text not null check (decision in ('confirmed', 'dismissed', 'withdrawn')), "
        "note text not null default '', decided_at text not null, decided_by text not null)"
    )
    db.execute("create index if not exists decisions_target on decisions(target, id)")
    return db


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a container
        return "unknown"


def decide(db: Database, target: str, decision: str, note: str, *, at: str, by: str) -> dict:
    """Record one decision; returns the row written."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
    row = {"target": target, "decision": decision, "note": note, "decided_at": at, "decided_by": by}
    with db.conn:
        cursor = db.conn.execute(
            "insert into decisions (target, decision, note, decided_at, decided_by) values (?, ?, ?, ?, ?)",
            list(row.values()),
        )
    return {"id": cursor.lastrowid, **row}


def latest(db: Database | None) -> dict[str, dict]:
    """The standing decision of every target (a withdrawn one leaves no decision)."""
    if db is None:
        return {}
    rows = db.query(
        "select d.* from decisions d join (select target, max(id) as id from decisions group by target) m "
        "on m.id = d.id"
    )
    return {r["target"]: r for r in rows if r["decision"] != WITHDRAWN}


def history(db: Database | None, target: str) -> list[dict]:
    """Every decision on ``target``, oldest first."""
    if db is None:
        return []
    return list(db.query("select * from decisions where target = ? order by id", [target]))
