"""Write and read originality results (``originality``: one row per report and comparison kind)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlite_utils import Database


def save_originality(db: Database, report_id: str, rows: list[dict], *, version: str, at: str) -> None:
    """Replace a report's originality rows (kind, compared_report_id, reuse, sections, passages,
    leaked_names) in one transaction."""
    with db.conn:
        db.conn.execute("delete from originality where report_id = ?", [report_id])
        db.conn.executemany(
            "insert into originality (report_id, kind, compared_report_id, reuse, sections, passages, "
            "leaked_names, computed_at, version) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    report_id,
                    r["kind"],
                    r["compared_report_id"],
                    r["reuse"],
                    json.dumps(r["sections"], ensure_ascii=False),
                    json.dumps(r["passages"], ensure_ascii=False),
                    json.dumps(r.get("leaked_names") or [], ensure_ascii=False),
                    at,
                    version,
                )
                for r in rows
            ],
        )


def comparable_reports(db: Database) -> Iterator[dict]:
    """Own reports of a known year with a text: id, source, agency, year, the date that orders
    copies (published_at, else first_seen_at), the text."""
    yield from db.query(
        "select r.id, r.source_id, r.agency, r.report_year, coalesce(r.published_at, r.first_seen_at) as published, "
        "t.text from reports r join report_texts t on t.report_id = r.id "
        "where r.own = 1 and r.report_year is not null order by r.source_id, r.report_year, r.first_seen_at"
    )


def _decode(row: dict) -> dict:
    return {
        **row,
        "sections": json.loads(row["sections"] or "{}"),
        "passages": json.loads(row["passages"] or "[]"),
        "leaked_names": json.loads(row["leaked_names"] or "[]"),
    }


def similar_reports(db: Database, *, minimum: float, year: int | None = None) -> list[dict]:
    """Rows with ``reuse`` ≥ ``minimum`` (and of report ``year``), with both reports' agency,
    year and title, highest reuse first."""
    where, args = "o.reuse >= ?", [minimum]
    if year is not None:
        where += " and r.report_year = ?"
        args.append(year)
    sql = f"""
        select o.report_id, o.kind, o.compared_report_id, o.reuse, o.leaked_names, r.source_id, r.agency,
               r.report_year, r.title, c.source_id as compared_source_id, c.agency as compared_agency,
               c.report_year as compared_year
        from originality o join reports r on r.id = o.report_id left join reports c on c.id = o.compared_report_id
        where {where} order by o.reuse desc, o.report_id, o.kind"""
    return [{**row, "leaked_names": json.loads(row["leaked_names"] or "[]")} for row in db.query(sql, args)]


def originality_of(db: Database, report_id: str) -> list[dict]:
    """A report's originality rows (sections and passages decoded), by kind."""
    rows = db.query("select * from originality where report_id = ? order by kind", [report_id])
    return [_decode(r) for r in rows]


def stale_count(db: Database, version: str) -> int:
    """Own reports with a text and no originality rows of ``version``."""
    return next(
        iter(
            db.query(
                "select count(*) n from reports r join report_texts t on t.report_id = r.id "
                "where r.own = 1 and r.report_year is not null and not exists "
                "(select 1 from originality o where o.report_id = r.id and o.version = ?)",
                [version],
            )
        )
    )["n"]


def copies(db: Database, *, other_body: float, previous_year: float) -> list[dict]:
    """Originality rows that claim a copy: another body's report reused at least ``other_body``,
    or the same body's previous report at least ``previous_year`` — with both reports' source,
    agency, year, title, URL, publication and first capture (the flag's evidence)."""
    sql = """
        select o.report_id, o.kind, o.compared_report_id, o.reuse, o.sections, o.passages, o.leaked_names,
               r.source_id, r.agency, r.report_year, r.title, r.url, r.published_at, r.published_at_source,
               r.first_fetch_id, r.first_seen_at,
               c.source_id as compared_source_id, c.agency as compared_agency, c.report_year as compared_year,
               c.title as compared_title, c.url as compared_url, c.published_at as compared_published_at,
               c.published_at_source as compared_published_at_source,
               c.first_fetch_id as compared_first_fetch_id, c.first_seen_at as compared_first_seen_at
        from originality o join reports r on r.id = o.report_id join reports c on c.id = o.compared_report_id
        where r.own = 1 and ((o.kind = 'other_body' and o.reuse >= ?) or (o.kind = 'previous_year' and o.reuse >= ?))
        order by r.source_id, r.report_year, o.kind"""
    return [_decode(row) for row in db.query(sql, [other_body, previous_year])]
