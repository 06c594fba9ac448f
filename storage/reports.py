"""``reports``, their ``attachments`` and the ``listing_snapshots`` that prove what a column showed."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from crawler.vocab.urls import canonical_url
from storage.fetches import insert_row, update_row

REPORT_FIELDS = (
    "source_id",
    "agency",
    "agency_source",
    "own",
    "report_year",
    "title",
    "url",
    "document_id",
    "listing_url",
    "published_at",
    "published_at_source",
    "format",
    "cms",
    "exclusion",
)


def _merge_candidates(old: list[dict], new: list[dict]) -> list[dict]:
    seen = {(c["source"], c["date"], c.get("trusted", True)) for c in old}
    merged = list(old)
    for c in new:
        key = (c["source"], c["date"], c.get("trusted", True))
        if key not in seen:
            seen.add(key)
            merged.append(c)
    return merged


def upsert_report(
    db: Database,
    report_id: str,
    row: dict[str, Any],
    *,
    seen_at: str,
    fetch_id: int | None,
    date_candidates: list[dict],
) -> bool:
    """Insert or refresh a report; returns True when it is new.

    ``first_seen_at`` and ``first_fetch_id`` never move; date candidates accumulate (each with
    its provenance), so later re-posts or edits cannot erase what an earlier capture showed.
    """
    existing = list(db.query("select date_candidates from reports where id = ?", [report_id]))
    data = {k: row.get(k) for k in REPORT_FIELDS}
    if not existing:
        insert_row(
            db,
            "reports",
            {
                "id": report_id,
                **data,
                "first_seen_at": seen_at,
                "last_seen_at": seen_at,
                "first_fetch_id": fetch_id,
                "date_candidates": json.dumps(date_candidates, ensure_ascii=False),
            },
        )
        return True
    old = existing[0]
    merged = _merge_candidates(json.loads(old["date_candidates"] or "[]"), date_candidates)
    update = {k: v for k, v in data.items() if v is not None}
    update.update(last_seen_at=seen_at, date_candidates=json.dumps(merged, ensure_ascii=False))
    db.conn.execute(
        f"update reports set {', '.join(f'[{k}] = ?' for k in update)} where id = ?",
        [*update.values(), report_id],
    )
    return False


def touch_report(db: Database, report_id: str, seen_at: str) -> bool | None:
    """A listing still shows the report (its detail page was not re-fetched).

    Returns whether it is the source's own report, or None when no such report is stored."""
    rows = list(db.query("select own from reports where id = ?", [report_id]))
    if not rows:
        return None
    db.execute("update reports set last_seen_at = ? where id = ?", [seen_at, report_id])
    return bool(rows[0]["own"])


def report_exists(db: Database, report_id: str) -> bool:
    """Is a report with this id stored?"""
    return bool(list(db.query("select 1 from reports where id = ?", [report_id])))


def add_attachment(
    db: Database,
    report_id: str,
    url: str,
    text: str,
    *,
    document_id: int | None = None,
    file_type: str | None = None,
) -> None:
    """Link an attachment URL to its report (idempotent; fills in document/file type when known)."""
    rows = list(db.query("select id from attachments where report_id = ? and url = ?", [report_id, url]))
    if rows:
        update_row(
            db,
            "attachments",
            rows[0]["id"],
            {k: v for k, v in {"document_id": document_id, "file_type": file_type}.items() if v is not None},
        )
        return
    insert_row(
        db,
        "attachments",
        {
            "report_id": report_id,
            "url": url,
            "text": text,
            "document_id": document_id,
            "file_type": file_type,
        },
    )


def report_parts(db: Database, report_id: str, *, unfetched_only: bool = False) -> list[dict]:
    """Attachments and continuation pages of a report (url, text, file_type); with
    ``unfetched_only``, those never fetched (e.g. a crawl was killed after the report was stored)."""
    sql = (
        "select a.url, a.text, a.file_type from attachments a left join documents d on d.url = a.url "
        "where a.report_id = ?" + (" and d.id is null" if unfetched_only else "") + " order by a.id"
    )
    return list(db.query(sql, [report_id]))


def add_listing_snapshot(db: Database, row: dict[str, Any]) -> None:
    """Record what one capture of a listing page showed (the evidence of absence, later)."""
    data = dict(row)
    data["report_urls"] = json.dumps(data.get("report_urls") or [], ensure_ascii=False)
    insert_row(db, "listing_snapshots", data)


def reports_for_sources(
    db: Database, source_ids: list[str] | None = None, own_only: bool = True
) -> list[dict]:
    """Report rows (own reports by default), ordered by source and year."""
    where, args = [], []
    if own_only:
        where.append("own = 1")
    if source_ids:
        where.append(f"source_id in ({', '.join('?' * len(source_ids))})")
        args.extend(source_ids)
    sql = "select * from reports" + (" where " + " and ".join(where) if where else "")
    return list(db.query(sql + " order by source_id, report_year, first_seen_at", args))


def find_report(db: Database, report: str) -> dict | None:
    """The ``reports`` row whose id or URL is ``report`` (a URL in any spelling: it is looked up in
    its canonical form, as stored)."""
    url = canonical_url(report) if "://" in report else report
    return next(iter(db.query("select * from reports where id = ? or url = ?", [report, url])), None)


def attachments_with_text(db: Database, report_id: str) -> list[dict]:
    """A report's attachments (URL, link text, file type) with their extraction status and OCR flag."""
    return list(
        db.query(
            "select a.url, a.text, a.file_type, t.status, t.ocr from attachments a left join documents d on d.url = a.url "
            "left join texts t on t.sha256 = d.payload_sha256 where a.report_id = ? order by a.id",
            [report_id],
        )
    )


def report_source_ids(db: Database) -> set[str]:
    """Every source id some stored report belongs to."""
    return {r["source_id"] for r in db.query("select distinct source_id from reports")}


def first_attachment_captures(db: Database, report_ids: list[str]) -> list[dict]:
    """The first stored version of each attachment of these reports (report_id, url,
    first_fetch_id, first_seen_at), in attachment order."""
    if not report_ids:
        return []
    return list(
        db.query(
            "select a.report_id, a.url, v.first_fetch_id, v.first_seen_at "
            "from attachments a join versions v on v.document_id = a.document_id "
            f"where a.report_id in ({', '.join('?' * len(report_ids))}) "
            "and v.seq = (select min(seq) from versions where document_id = a.document_id) order by a.id",
            report_ids,
        )
    )


def sources_with_year(db: Database, year: int) -> set[str]:
    """The sources with an own report of ``year`` on record (coverage: reported this season)."""
    sql = "select distinct source_id from reports where own = 1 and report_year = ?"
    return {r["source_id"] for r in db.query(sql, [year])}
