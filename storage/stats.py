"""Write and read report statistics: headline numbers on ``reports``, cells, checks."""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlite_utils import Database

from crawler.stats import HEADLINE, STATS_VERSION, Analysis


def save_analysis(db: Database, report_id: str, analysis: Analysis, cells: list[dict], at: str) -> None:
    """Replace a report's statistics, cells and checks (one transaction)."""
    with db.conn:
        db.conn.execute(
            f"update reports set format = ?, {', '.join(f'{k} = ?' for k in HEADLINE)}, stats_json = ?, "
            "analysed_at = ?, stats_version = ? where id = ?",
            [analysis.format, *(analysis.stats.get(k) for k in HEADLINE),
             json.dumps(analysis.detail, ensure_ascii=False), at, STATS_VERSION, report_id])
        db.conn.execute("delete from report_stats where report_id = ?", [report_id])
        db.conn.executemany(
            "insert or replace into report_stats (report_id, tbl, row, col, value, raw, status) values (?, ?, ?, ?, ?, ?, ?)",
            [(report_id, c["table"], c["row"], c["column"], c["value"], c["raw"], c["status"]) for c in cells])
        db.conn.execute("delete from checks where report_id = ?", [report_id])
        db.conn.executemany(
            "insert into checks (report_id, rule, result, severity, operands, message) values (?, ?, ?, ?, ?, ?)",
            [(report_id, c.rule, c.result, c.severity, json.dumps(c.operands, ensure_ascii=False, default=str),
              c.message) for c in analysis.checks])


def checks_for(db: Database, report_id: str) -> list[dict]:
    rows = db.query("select rule, result, severity, operands, message from checks where report_id = ? order by rule",
                    [report_id])
    return [{**r, "operands": json.loads(r["operands"] or "{}")} for r in rows]


def cells_for(db: Database, report_id: str) -> list[dict]:
    return list(db.query("select tbl, row, col, value, raw, status from report_stats where report_id = ? "
                         "order by tbl, row, col", [report_id]))


def failed_checks(db: Database) -> Iterator[dict]:
    """Failed checks of own reports, with the report's source, agency, year and title."""
    for row in db.query(
        "select c.*, r.source_id, r.agency, r.report_year, r.title, r.url, r.first_fetch_id, r.first_seen_at "
        "from checks c "
        "join reports r on r.id = c.report_id where c.result = 'fail' and r.own = 1 "
        "order by r.source_id, r.report_year, c.rule"):
        yield {**row, "operands": json.loads(row["operands"] or "{}")}
