"""Summaries of the stored verdicts that the compliance grid reads (migration
``0010_compliance_rollups``): one row per source and counts by (year, level, province, kind,
status). Rebuilt from ``compliance`` after every save, in the same transaction."""

from __future__ import annotations

from sqlite_utils import Database

_SOURCES = """
insert or replace into compliance_sources
select source_id, max(agency), max(level), max(region), max(kind),
       sum(status = 'on_time'), sum(status = 'late'), sum(status = 'missing'), sum(status = 'not_online'),
       sum(status = 'pending'), sum(status = 'unknown'),
       sum(status in ('late', 'missing', 'not_online'))
from compliance {where} group by source_id
"""

_ROLLUP = """
insert into compliance_rollup
select year, level, substr(coalesce(region, ''), 1, 2), kind, status, count(*)
from compliance group by 1, 2, 3, 4, 5
"""


def refresh_rollups(db: Database, source_ids: list[str] | None = None) -> None:
    """Recompute the per-source rows of ``source_ids`` (all when None) and the whole roll-up."""
    conn = db.conn
    if source_ids is None:
        conn.execute("delete from compliance_sources")
        conn.execute(_SOURCES.format(where=""))
    else:
        for i in range(0, len(source_ids), 500):
            chunk = source_ids[i : i + 500]
            conn.execute(_SOURCES.format(where=f"where source_id in ({', '.join('?' * len(chunk))})"), chunk)
    conn.execute("delete from compliance_rollup")
    conn.execute(_ROLLUP)
