"""Numbered, idempotent schema migrations of ``archive.db`` (one place for the schema).

Applied at every open; an old archive opens with a new version.  Never edit a migration that
has shipped: add a new one.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("nianbao")


@migrations(name="0001_initial")
def initial(db: Database) -> None:
    """Runs, fetches (every HTTP exchange), documents, versions, reports, listing snapshots."""
    db["runs"].create(
        {
            "id": int, "started_at": str, "finished_at": str, "finish_reason": str,
            "command": str, "args": str, "stats": str, "version": str,
        },
        pk="id",
    )
    db["fetches"].create(
        {
            "id": int, "run_id": int, "source_id": str, "url": str, "method": str, "kind": str,
            "status": int, "fetched_at": str, "content_type": str, "size": int,
            "payload_sha256": str, "record_type": str, "warc_file": str, "warc_offset": int,
            "warc_length": int, "etag": str, "last_modified": str, "error": str, "block": str,
            "redirect_to": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["fetches"].create_index(["url"])
    db["fetches"].create_index(["payload_sha256"])
    db["fetches"].create_index(["source_id", "fetched_at"])
    db["fetches"].create_index(["run_id"])
    db["documents"].create(
        {
            "id": int, "url": str, "kind": str, "source_id": str, "first_seen_at": str,
            "last_seen_at": str, "last_checked_at": str, "gone_since": str, "etag": str,
            "last_modified": str, "sha256": str, "payload_sha256": str, "content_type": str,
            "last_fetch_id": int,
        },
        pk="id",
        not_null={"url", "kind", "first_seen_at"},
    )
    db["documents"].create_index(["url"], unique=True)
    db["documents"].create_index(["source_id"])
    db["versions"].create(
        {
            "id": int, "document_id": int, "seq": int, "sha256": str, "payload_sha256": str, "size": int,
            "content_type": str, "first_seen_at": str, "last_seen_at": str,
            "first_fetch_id": int, "last_fetch_id": int,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["versions"].create_index(["document_id", "seq"], unique=True)
    db["versions"].create_index(["sha256"])
    db["reports"].create(
        {
            "id": str, "source_id": str, "agency": str, "agency_source": str, "own": int,
            "report_year": int, "title": str, "url": str, "document_id": int,
            "listing_url": str, "published_at": str, "published_at_source": str,
            "date_candidates": str, "first_seen_at": str, "last_seen_at": str,
            "first_fetch_id": int, "format": str, "cms": str, "exclusion": str,
        },
        pk="id",
    )
    db["reports"].create_index(["source_id", "report_year"])
    db["reports"].create_index(["url"])
    db["attachments"].create(
        {"id": int, "report_id": str, "url": str, "text": str, "document_id": int, "file_type": str},
        pk="id",
    )
    db["attachments"].create_index(["report_id", "url"], unique=True)
    db["listing_snapshots"].create(
        {
            "id": int, "run_id": int, "source_id": str, "column_url": str, "url": str, "fetch_id": int,
            "fetched_at": str, "status": str, "items": int, "report_urls": str,
            "basis_fetch_id": int,
        },
        pk="id",
    )
    db["listing_snapshots"].create_index(["source_id", "fetched_at"])
    db["source_runs"].create(
        {
            "run_id": int, "source_id": str, "status": str, "listing_pages": int,
            "listing_ok": int, "blocked": int, "errors": int, "reports_seen": int,
            "reports_new": int, "detail": str,
        },
        pk=("run_id", "source_id"),
    )


@migrations(name="0002_texts")
def texts(db: Database) -> None:
    """Extracted text keyed by payload SHA-256, and each report's searchable full text."""
    db["texts"].create(
        {
            "sha256": str, "status": str, "error": str, "extractor": str, "extractor_version": str,
            "ocr": int, "pages": int, "chars": int, "file_type": str, "text": str, "original": str,
            "tables": str, "extracted_at": str,
        },
        pk="sha256",
    )
    db["texts"].create_index(["status"])
    db["report_texts"].create(
        {
            "report_id": str, "title": str, "agency": str, "report_year": int, "level": str,
            "region": str, "source_id": str, "text": str, "original": str, "parts": str,
            "updated_at": str,
        },
        pk="report_id",
    )
