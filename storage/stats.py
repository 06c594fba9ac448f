"""Write and read report statistics: headline numbers on ``reports``, cells, checks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from sqlite_utils import Database

from crawler.vocab.words import HEADLINE


def save_analysis(
    db: Database,
    report_id: str,
    *,
    format: str | None,
    headline: dict,
    detail: dict,
    cells: list[dict],
    checks: list[dict],
    version: str,
    at: str,
) -> None:
    """Replace a report's statistics, cells and checks (one transaction).

    ``headline`` maps the :data:`~crawler.vocab.words.HEADLINE` columns to numbers; ``cells``
    are dicts of table, row, column, value, raw, status; ``checks`` dicts of rule, result,
    severity, operands, message.
    """
    with db.conn:
        db.conn.execute(
            f"update reports set format = ?, {', '.join(f'{k} = ?' for k in HEADLINE)}, stats_json = ?, "
            "analysed_at = ?, stats_version = ? where id = ?",
            [
                format,
                *(headline.get(k) for k in HEADLINE),
                json.dumps(detail, ensure_ascii=False),
                at,
                version,
                report_id,
            ],
        )
        db.conn.execute("delete from report_stats where report_id = ?", [report_id])
        db.conn.executemany(
            "insert or replace into report_stats (report_id, tbl, row, col, value, raw, status) values (?, ?, ?, ?, ?, ?, ?)",
            [
                (report_id, c["table"], c["row"], c["column"], c["value"], c["raw"], c["status"])
                for c in cells
            ],
        )
        db.conn.execute("delete from checks where report_id = ?", [report_id])
        db.conn.executemany(
            "insert into checks (report_id, rule, result, severity, operands, message) values (?, ?, ?, ?, ?, ?)",
            [
                (
                    report_id,
                    c["rule"],
                    c["result"],
                    c["severity"],
                    json.dumps(c["operands"], ensure_ascii=False, default=str),
                    c["message"],
                )
                for c in checks
            ],
        )


def analysed_reports_of(db: Database, source_id: str, year: int) -> list[str]:
    """Ids of the source's own analysed reports of ``year``, first seen first."""
    return [
        r["id"]
        for r in db.query(
            "select id from reports where own = 1 and source_id = ? and report_year = ? "
            "and analysed_at is not null order by first_seen_at",
            [source_id, year],
        )
    ]


def with_next_years(db: Database, report_ids: Iterable[str]) -> list[dict]:
    """The reports ``report_ids`` (id, source_id, report_year) and the next year's own report of
    each, in (source, year, id) order: what re-checking rule B5 across years needs."""
    ids = list(report_ids)
    rows: dict[str, dict] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ", ".join("?" * len(chunk))
        for r in db.query(f"select id, source_id, report_year from reports where id in ({marks})", chunk):
            rows[r["id"]] = r
        for r in db.query(
            f"select n.id, n.source_id, n.report_year from reports n join reports r on r.source_id = n.source_id "
            f"and n.report_year = r.report_year + 1 where r.id in ({marks}) and n.own = 1",
            chunk,
        ):
            rows.setdefault(r["id"], r)
    return sorted(rows.values(), key=lambda r: (r["source_id"], r["report_year"] or 0, r["id"]))


def checks_for(db: Database, report_id: str) -> list[dict]:
    rows = db.query(
        "select rule, result, severity, operands, message from checks where report_id = ? order by rule",
        [report_id],
    )
    return [{**r, "operands": json.loads(r["operands"] or "{}")} for r in rows]


def cells_for(db: Database, report_id: str) -> list[dict]:
    return list(
        db.query(
            "select tbl, row, col, value, raw, status from report_stats where report_id = ? "
            "order by tbl, row, col",
            [report_id],
        )
    )


def failed_checks(db: Database) -> Iterator[dict]:
    """Failed checks of own reports, with the report's source, agency, year and title."""
    for row in db.query(
        "select c.*, r.source_id, r.agency, r.report_year, r.title, r.url, r.first_fetch_id, r.first_seen_at "
        "from checks c "
        "join reports r on r.id = c.report_id where c.result = 'fail' and r.own = 1 "
        "order by r.source_id, r.report_year, c.rule"
    ):
        yield {**row, "operands": json.loads(row["operands"] or "{}")}


def stale_reports(db: Database, version: str | None) -> list[str]:
    """Reports with a text that were never analysed, or by another statistics ``version`` (every
    report with a text when ``version`` is None)."""
    condition = "1" if version is None else "r.analysed_at is null or r.stats_version is not ?"
    return [
        row["id"]
        for row in db.query(
            f"select r.id from reports r join report_texts t on t.report_id = r.id where {condition}",
            [] if version is None else [version],
        )
    ]


def dataset_reports(db: Database) -> Iterator[dict]:
    """Own reports of a known year with their headline numbers, compliance verdict and every check
    result (``checks``: "RULE=result …"), in (source, year, first seen) order."""
    sql = f"""
        select r.id as report_id, r.source_id, r.agency, r.report_year, r.title, r.url, r.published_at,
               r.published_at_source, r.first_seen_at, r.format, {", ".join(f"r.{k}" for k in HEADLINE)},
               c.status as compliance_status, c.deadline,
               (select group_concat(k.rule || '=' || k.result, ' ') from checks k where k.report_id = r.id) as checks
        from reports r left join compliance c on c.source_id = r.source_id and c.year = r.report_year
        where r.own = 1 and r.report_year is not null
        order by r.source_id, r.report_year, r.first_seen_at"""
    yield from db.query(sql)


def dataset_cells(db: Database) -> Iterator[dict]:
    """Every stored cell of own reports, in long form (report_id, table, row, column, value, raw, status)."""
    yield from db.query(
        "select s.report_id, s.tbl as [table], s.row, s.col as [column], s.value, s.raw, s.status "
        "from report_stats s join reports r on r.id = s.report_id where r.own = 1 "
        "order by s.report_id, s.tbl, s.row, s.col"
    )
