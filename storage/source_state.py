"""The ``source_state`` table: operator switches that turn sources off (or on) per data directory.

The registry file says which sources exist and whether they are enabled; an operator who needs
to stop crawling a source (a portal that asked us to, a redesign being investigated) records it
here instead, with a reason; :mod:`crawler.registry.state` lays it over the registry.
"""

from __future__ import annotations

from sqlite_utils import Database

TABLE = "source_state"


def set_state(db: Database, source_id: str, *, enabled: bool, reason: str, at: str, by: str) -> None:
    """Record (insert or replace) the operator's switch for one source."""
    db.table(TABLE).upsert(
        {
            "source_id": source_id,
            "enabled": int(enabled),
            "reason": reason,
            "changed_at": at,
            "changed_by": by,
        },
        pk="source_id",
    )


def clear_state(db: Database, source_id: str) -> bool:
    """Forget the operator's switch for one source (the registry decides again); True if there was one."""
    with db.conn:
        return db.execute(f"delete from {TABLE} where source_id = ?", [source_id]).rowcount > 0


def load_state(db: Database) -> dict[str, dict]:
    """source id → its ``source_state`` row (``enabled`` as a bool); empty if the table does not exist."""
    if not db[TABLE].exists():  # an archive opened read-only before migration 0006
        return {}
    return {row["source_id"]: {**row, "enabled": bool(row["enabled"])} for row in db[TABLE].rows}
