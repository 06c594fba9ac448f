"""The ``fetches`` table: an index row for every HTTP exchange archived in WARC."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

from storage.warc import RecordRef

FETCH_COLUMNS = (
    "run_id",
    "source_id",
    "url",
    "method",
    "kind",
    "status",
    "fetched_at",
    "content_type",
    "size",
    "payload_sha256",
    "record_type",
    "warc_file",
    "warc_offset",
    "warc_length",
    "etag",
    "last_modified",
    "error",
    "block",
    "redirect_to",
)


def insert_fetch(db: Database, row: dict[str, Any], ref: RecordRef | None) -> int:
    """Index one archived exchange; returns the fetch id."""
    data = {k: row.get(k) for k in FETCH_COLUMNS}
    if ref is not None:
        data.update(warc_file=ref.file, warc_offset=ref.offset, warc_length=ref.length)
    return insert_row(db, "fetches", data)


def insert_row(db: Database, table: str, data: dict[str, Any]) -> int:
    """Plain INSERT returning the new rowid: the crawl's hot path, without sqlite-utils'
    per-call table introspection and savepoint (the caller's batch transaction covers it)."""
    columns = ", ".join(f"[{k}]" for k in data)
    cursor = db.conn.execute(
        f"insert into [{table}] ({columns}) values ({', '.join('?' * len(data))})", list(data.values())
    )
    assert cursor.lastrowid is not None  # always set after a successful INSERT
    return int(cursor.lastrowid)


def update_row(db: Database, table: str, row_id: int, data: dict[str, Any]) -> None:
    """Plain UPDATE of one row by id (hot path, like :func:`insert_row`)."""
    if data:
        db.conn.execute(
            f"update [{table}] set {', '.join(f'[{k}] = ?' for k in data)} where id = ?",
            [*data.values(), row_id],
        )


def first_response(db: Database, sha256: str) -> dict | None:
    """The first archived ``response`` record whose payload has this SHA-256 (for revisits/raw)."""
    rows = list(
        db.query(
            "select * from fetches where payload_sha256 = ? and record_type = 'response' order by id limit 1",
            [sha256],
        )
    )
    return rows[0] if rows else None


def last_full_capture(db: Database, url: str) -> dict | None:
    """The most recent 200 capture of a URL, resolved to the record holding its bytes."""
    rows = list(
        db.query(
            "select * from fetches where url = ? and status = 200 and record_type in "
            "('response', 'revisit') order by id desc limit 1",
            [url],
        )
    )
    if not rows:
        return None
    if rows[0]["record_type"] == "response":
        return rows[0]
    original = first_response(db, rows[0]["payload_sha256"])
    return {**original, "id": rows[0]["id"]} if original else None


def find_by_prefix(db: Database, prefix: str) -> list[str]:
    """Distinct payload digests starting with ``prefix`` (lets ``nianbao raw`` take a short hash)."""
    return [
        r["payload_sha256"]
        for r in db.query(
            "select distinct payload_sha256 from fetches where payload_sha256 like ? and record_type = 'response' "
            "limit 5",
            [prefix.lower() + "%"],
        )
    ]


def iter_archived(db: Database) -> Iterator[dict]:
    """Every fetch that points at a WARC record, in id order."""
    yield from db.query("select * from fetches where warc_file is not null order by id")


def ref_of(row: dict) -> RecordRef:
    """The WARC reference of a fetch row."""
    return RecordRef(row["warc_file"], row["warc_offset"], row["warc_length"])


def fetch_row(db: Database, fetch_id: int) -> dict | None:
    """The ``fetches`` row with this id."""
    return next(iter(db.query("select * from fetches where id = ?", [fetch_id])), None)


def full_capture(db: Database, row: dict) -> dict | None:
    """The fetch whose record holds the content ``row`` saw: itself, the original response of a
    revisit, or for a 304 the last full capture of the URL before it (None: not archived)."""
    if row["record_type"] == "revisit":
        return first_response(db, row["payload_sha256"] or "")
    if row["status"] == 304:
        earlier = next(
            iter(
                db.query(
                    "select * from fetches where url = ? and status = 200 and record_type in ('response', 'revisit') "
                    "and id < ? order by id desc limit 1",
                    [row["url"], row["id"]],
                )
            ),
            None,
        )
        return full_capture(db, earlier) if earlier else None
    return row if row["record_type"] == "response" else None
