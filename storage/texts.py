"""``texts`` (extracted text per payload SHA-256) and ``report_texts`` (each report's full text).

The extract stage reads pending payloads here, extracts them in worker processes that never
touch the database, and writes the results back through these functions (DESIGN §9).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

from crawler.vocab.words import ATTACHMENT, DETAIL, PART_PAGE


def pending_payloads(db: Database, *, redo: bool = False, version: str | None = None) -> Iterator[dict]:
    """Payloads (current and earlier versions) of detail pages and attachments with no text yet.

    ``redo`` also returns those extracted by another extractor version (``nianbao extract --all``
    re-runs everything whose text came from an older version; with ``version=None`` everything).
    Rows: sha256, url, content_type, kind.
    """
    if redo and version:
        # another extractor version, or a failure worth retrying (timeout under load, memory cap)
        condition, args = (
            (
                "t.sha256 is null or t.extractor_version is not ? "
                "or t.status not in ('ok', 'empty', 'needs_ocr', 'needs_tool')"
            ),
            [version],
        )
    elif redo:
        condition, args = "1", []
    else:
        condition, args = "t.sha256 is null", []
    # every version's payload, not only the current one: an edit is judged by comparing texts
    sql = f"""
        with payloads as (
            select d.id, d.payload_sha256 as sha256, d.url, d.content_type, d.kind from documents d
            where d.kind in ('{DETAIL}', '{ATTACHMENT}') and d.payload_sha256 is not null
            union all
            select d.id, v.payload_sha256, d.url, coalesce(v.content_type, d.content_type), d.kind
            from versions v join documents d on d.id = v.document_id
            where d.kind in ('{DETAIL}', '{ATTACHMENT}') and v.payload_sha256 is not null
        )
        select p.sha256, min(p.url) as url, max(p.content_type) as content_type, min(p.kind) as kind
        from payloads p left join texts t on t.sha256 = p.sha256
        where ({condition})
        group by p.sha256 order by min(p.id)"""
    yield from db.query(sql, args)


def save_text(db: Database, sha256: str, row: dict[str, Any]) -> None:
    """Insert or replace the text of one payload."""
    db.table("texts").upsert({"sha256": sha256, **row}, pk="sha256")


def report_sources(db: Database, report_ids: list[str] | None = None) -> Iterator[dict]:
    """Reports with the payloads that make up their text, in reading order.

    Each row: report fields, the source's level/region are filled by the caller, and ``parts``:
    [{"url", "kind", "sha256", "file_type"}] — the detail page (or the file the listing linked),
    its continuation pages, then its attachments.
    """
    where = ""
    args: list = []
    if report_ids:
        where = f"where r.id in ({', '.join('?' * len(report_ids))})"
        args = list(report_ids)
    # materialised: the caller writes report_texts while iterating
    for report in list(db.query(f"select r.* from reports r {where} order by r.id", args)):
        parts = []
        page = list(
            db.query("select url, payload_sha256 from documents where id = ?", [report["document_id"]])
        )
        if page and page[0]["payload_sha256"]:
            parts.append(
                {
                    "url": page[0]["url"],
                    "kind": "page",
                    "sha256": page[0]["payload_sha256"],
                    "file_type": None,
                }
            )
        for att in db.query(
            "select a.url, a.file_type, d.payload_sha256 from attachments a "
            "left join documents d on d.url = a.url where a.report_id = ? "
            f"order by (a.file_type = '{PART_PAGE}') desc, a.id",
            [report["id"]],
        ):
            if att["payload_sha256"] and att["url"] != (page[0]["url"] if page else None):
                kind = "page" if att["file_type"] == PART_PAGE else "attachment"
                parts.append(
                    {
                        "url": att["url"],
                        "kind": kind,
                        "sha256": att["payload_sha256"],
                        "file_type": att["file_type"],
                    }
                )
        yield {**report, "parts": parts}


def texts_for(db: Database, shas: list[str]) -> dict[str, dict]:
    """sha256 → texts row for the given payloads."""
    if not shas:
        return {}
    rows = db.query(f"select * from texts where sha256 in ({', '.join('?' * len(shas))})", shas)
    return {r["sha256"]: r for r in rows}


def stored_report_text(db: Database, report_id: str) -> dict | None:
    """The ``report_texts`` row of a report, if any."""
    return next(iter(db.query("select * from report_texts where report_id = ?", [report_id])), None)


def delete_report_text(db: Database, report_id: str) -> bool:
    """Remove a report's text (none of its parts has text any more); True if there was one."""
    return db.conn.execute("delete from report_texts where report_id = ?", [report_id]).rowcount > 0


def save_report_text(db: Database, report_id: str, row: dict[str, Any]) -> None:
    """Insert or replace one report's full text (``parts`` stored as JSON)."""
    data = {"report_id": report_id, **row}
    if not isinstance(data.get("parts"), str):
        data["parts"] = json.dumps(data.get("parts") or [], ensure_ascii=False)
    db.table("report_texts").upsert(data, pk="report_id")
