"""``documents`` (URLs we know) and append-only ``versions`` (each content change)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from storage.fetches import insert_row, update_row


@dataclass(frozen=True, slots=True)
class Sighting:
    """What one successful fetch says about a document."""

    url: str
    kind: str
    source_id: str | None
    fetch_id: int
    seen_at: str
    sha256: str | None  # content fingerprint; None for 304 Not Modified (current version seen again)
    payload_sha256: str | None = None  # raw bytes as archived
    size: int | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class SightingResult:
    """The document id and whether the sighting created a document or a new version."""

    document_id: int
    new_document: bool
    new_version: bool


def record_sighting(db: Database, s: Sighting) -> SightingResult:
    """Upsert the document and append a version when its content fingerprint changed.

    A version row is never rewritten except to move its ``last_seen_at`` forward, so an edit
    after publication shows as a new row, never as an overwrite.
    """
    rows = list(db.query("select * from documents where url = ?", [s.url]))
    with db.atomic():
        if not rows:
            doc_id = insert_row(
                db,
                "documents",
                {
                    "url": s.url,
                    "kind": s.kind,
                    "source_id": s.source_id,
                    "first_seen_at": s.seen_at,
                    "last_seen_at": s.seen_at,
                    "last_checked_at": s.seen_at,
                    "etag": s.etag,
                    "last_modified": s.last_modified,
                    "sha256": s.sha256,
                    "payload_sha256": s.payload_sha256,
                    "content_type": s.content_type,
                    "last_fetch_id": s.fetch_id,
                },
            )
            if s.sha256:
                _append_version(db, doc_id, 1, s)
            return SightingResult(doc_id, True, bool(s.sha256))
        doc = rows[0]
        doc_id = doc["id"]
        update = {
            "last_seen_at": s.seen_at,
            "last_checked_at": s.seen_at,
            "gone_since": None,
            "last_fetch_id": s.fetch_id,
        }
        if s.etag or s.last_modified:
            update.update(etag=s.etag, last_modified=s.last_modified)
        new_version = False
        current = list(
            db.query("select * from versions where document_id = ? order by seq desc limit 1", [doc_id])
        )
        if s.sha256 and (not current or current[0]["sha256"] != s.sha256):
            _append_version(db, doc_id, (current[0]["seq"] + 1) if current else 1, s)
            update.update(sha256=s.sha256, payload_sha256=s.payload_sha256, content_type=s.content_type)
            new_version = True
        elif current:
            update_row(
                db, "versions", current[0]["id"], {"last_seen_at": s.seen_at, "last_fetch_id": s.fetch_id}
            )
        update_row(db, "documents", doc_id, update)
        return SightingResult(doc_id, False, new_version)


def _append_version(db: Database, doc_id: int, seq: int, s: Sighting) -> None:
    insert_row(
        db,
        "versions",
        {
            "document_id": doc_id,
            "seq": seq,
            "sha256": s.sha256,
            "payload_sha256": s.payload_sha256,
            "size": s.size,
            "content_type": s.content_type,
            "first_seen_at": s.seen_at,
            "last_seen_at": s.seen_at,
            "first_fetch_id": s.fetch_id,
            "last_fetch_id": s.fetch_id,
        },
    )


def mark_gone(db: Database, url: str, at: str) -> None:
    """Note that a known document answered 404/410 (first time only)."""
    db.execute(
        "update documents set gone_since = coalesce(gone_since, ?), last_checked_at = ? where url = ?",
        [at, at, url],
    )


def known_documents(db: Database, source_ids: list[str] | None = None) -> dict[str, dict]:
    """url → {id, kind, etag, last_modified, last_checked_at, gone_since, payload_sha256}."""
    sql = (
        "select id, url, kind, etag, last_modified, last_checked_at, gone_since, payload_sha256 "
        "from documents"
    )
    args: list = []
    if source_ids:
        sql += f" where source_id in ({', '.join('?' * len(source_ids))})"
        args = list(source_ids)
    return {r["url"]: r for r in db.query(sql, args)}


def document_id(db: Database, url: str) -> int | None:
    """The id of a known document URL."""
    rows = list(db.query("select id from documents where url = ?", [url]))
    return rows[0]["id"] if rows else None


def versions_of(db: Database, url: str) -> list[dict]:
    """The stored versions of a document (seq, first and last seen, payload hash), oldest first."""
    return list(
        db.query(
            "select v.seq, v.first_seen_at, v.last_seen_at, v.payload_sha256 from versions v "
            "join documents d on d.id = v.document_id where d.url = ? order by v.seq",
            [url],
        )
    )
