"""Counts over the archive for summaries (the demo's closing lines, ``nianbao run``)."""

from __future__ import annotations

from collections import Counter

from sqlite_utils import Database


def crawl_summary(db: Database) -> dict:
    """What the archive holds after a crawl: sources and their outcomes, fetches, reports by year,
    versions, the sources not read, and the payload hash of the newest own report's page."""
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731 - a local shorthand
    sample = db.execute(
        "select f.payload_sha256 from reports r join fetches f on f.id = r.first_fetch_id "
        "where r.own = 1 order by r.report_year desc limit 1"
    ).fetchone()
    return {
        "sources": one("select count(distinct source_id) from source_runs"),
        "statuses": Counter(r["status"] for r in db.query("select status from source_runs")),
        "fetches": one("select count(*) from fetches"),
        "reports_by_year": {
            r["report_year"]: r["n"]
            for r in db.query(
                "select report_year, count(*) n from reports where own = 1 group by report_year order by report_year"
            )
        },
        "other_bodies": one("select count(*) from reports where own = 0"),
        "agency_years": one(
            "select count(*) from (select distinct source_id, report_year from reports where own = 1)"
        ),
        "versions": one("select count(*) from versions"),
        "not_read": [
            (r["source_id"], r["status"])
            for r in db.query(
                "select source_id, status from source_runs where status not in ('ok', 'empty') order by source_id"
            )
        ],
        "sample_sha256": sample[0] if sample else None,
    }


def analysis_summary(db: Database) -> tuple[int, Counter]:
    """(own reports analysed, Counter of (severity, result) over every consistency check)."""
    analysed = db.execute(
        "select count(*) from reports where own = 1 and analysed_at is not null"
    ).fetchone()[0]
    results = Counter(
        {
            (r["severity"], r["result"]): r["n"]
            for r in db.query("select severity, result, count(*) n from checks group by severity, result")
        }
    )
    return analysed, results


def own_report_keys(db: Database) -> set[tuple[str, int | None]]:
    """(source id, report year) of every own report in the archive."""
    return {
        (r["source_id"], r["report_year"])
        for r in db.query("select distinct source_id, report_year from reports where own = 1")
    }
