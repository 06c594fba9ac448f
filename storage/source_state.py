"""The ``source_state`` table: operator switches that turn sources off (or on) per data directory.

The registry file says which sources exist and whether they are enabled; an operator who needs
to stop crawling a source (a portal that asked us to, a redesign being investigated) records it
here instead, with a reason, and :func:`apply_state` lays that over the registry.
"""

from __future__ import annotations

from dataclasses import replace

from sqlite_utils import Database

from crawler.sources import Source

TABLE = "source_state"
OPERATOR_NOTE = "disabled by operator"  # how a note written by apply_state begins


def set_state(db: Database, source_id: str, *, enabled: bool, reason: str, at: str, by: str) -> None:
    """Record (insert or replace) the operator's switch for one source."""
    db[TABLE].upsert({"source_id": source_id, "enabled": int(enabled), "reason": reason,
                      "changed_at": at, "changed_by": by}, pk="source_id")


def clear_state(db: Database, source_id: str) -> bool:
    """Forget the operator's switch for one source (the registry decides again); True if there was one."""
    with db.conn:
        return db.execute(f"delete from {TABLE} where source_id = ?", [source_id]).rowcount > 0


def load_state(db: Database) -> dict[str, dict]:
    """source id → its ``source_state`` row (``enabled`` as a bool); empty if the table does not exist."""
    if not db[TABLE].exists():  # an archive opened read-only before migration 0006
        return {}
    return {row["source_id"]: {**row, "enabled": bool(row["enabled"])} for row in db[TABLE].rows}


def operator_note(row: dict, registry_note: str) -> str:
    """The note of a source the operator disabled: when and why, then the registry's own note."""
    note = f"{OPERATOR_NOTE} at {row['changed_at']}: {row['reason']}"
    return f"{note} — {registry_note}" if registry_note else note


def disabled_by_operator(source: Source) -> bool:
    """Was this source (as returned by :func:`apply_state`) switched off by the operator?"""
    return not source.enabled and source.note.startswith(OPERATOR_NOTE)


def apply_state(sources: list[Source], state: dict[str, dict]) -> list[Source]:
    """The registry with the operator's switches applied (pure; untouched sources are the same objects).

    A disabled state turns the source off with a note saying when and why; an enabled state turns
    a registry-disabled source on.  State of ids not in the registry is ignored.
    """
    out = []
    for source in sources:
        row = state.get(source.id)
        if row is None or (row["enabled"] and source.enabled):
            out.append(source)
        elif row["enabled"]:
            out.append(replace(source, enabled=True))
        else:
            out.append(replace(source, enabled=False, note=operator_note(row, source.note)))
    return out
