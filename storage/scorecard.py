"""Read what a scorecard rests on, per (source, year): the stored verdict, its report, the
report's checks, its originality rows and its open ``edited`` flag — in a few bulk queries."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

from sqlite_utils import Database

CHUNK = 500  # ids per IN list


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def verdict_rows(db: Database, source_ids: list[str] | None, years: list[int] | None) -> list[dict]:
    """Stored verdicts (``compliance`` rows, evidence decoded) of the given sources and years."""
    where, args = [], []
    if years:
        where.append(f"year in ({', '.join('?' * len(years))})")
        args.extend(years)
    sql = (
        "select * from compliance"
        + (f" where {' and '.join(where)}" if where else "")
        + " order by source_id, year"
    )
    wanted = set(source_ids) if source_ids is not None else None
    out = []
    for row in db.query(sql, args):
        if wanted is None or row["source_id"] in wanted:
            out.append({**row, "evidence": json.loads(row["evidence"] or "[]")})
    return out


def report_parts(db: Database, report_ids: list[str]) -> tuple[dict, dict, dict, dict]:
    """For the given reports: their rows (id, title, url, first capture), checks by rule,
    originality rows by kind (with the compared report's agency, year, URL and first capture)
    and open ``edited`` flags (evidence and detail decoded)."""
    reports: dict[str, dict] = {}
    checks: dict[str, dict[str, dict]] = defaultdict(dict)
    originality: dict[str, dict[str, dict]] = defaultdict(dict)
    edited: dict[str, dict] = {}
    for chunk in _chunks(report_ids):
        marks = ", ".join("?" * len(chunk))
        for row in db.query(
            "select id, source_id, title, url, published_at, published_at_source, first_fetch_id, first_seen_at, "
            f"format, requests_received, reconsideration_total from reports where id in ({marks})",
            chunk,
        ):
            reports[row["id"]] = row
        for row in db.query(
            f"select report_id, rule, result, severity, operands, message from checks where report_id in ({marks})",
            chunk,
        ):
            checks[row["report_id"]][row["rule"]] = {**row, "operands": json.loads(row["operands"] or "{}")}
        for row in db.query(
            "select o.*, c.agency as compared_agency, c.report_year as compared_year, c.url as compared_url, "
            "c.first_fetch_id as compared_first_fetch_id from originality o "
            f"left join reports c on c.id = o.compared_report_id where o.report_id in ({marks})",
            chunk,
        ):
            originality[row["report_id"]][row["kind"]] = {
                **row,
                "sections": json.loads(row["sections"] or "{}"),
                "passages": json.loads(row["passages"] or "[]"),
                "leaked_names": json.loads(row["leaked_names"] or "[]"),
            }
        for row in db.query(
            f"select * from flags where kind = 'edited' and state = 'open' and report_id in ({marks})", chunk
        ):
            edited[row["report_id"]] = {
                **row,
                "evidence": json.loads(row["evidence"] or "[]"),
                "detail": json.loads(row["detail"] or "{}"),
            }
    return reports, checks, originality, edited
