"""The extract stage (``nianbao extract``): archived documents → clean text → report texts →
search index.

Raw bytes are read back from WARC here, in the parent; extraction runs in worker processes
(``crawler.extract.pool``) with a per-file timeout and a memory cap, never in the crawl's
reactor and never touching the database (DESIGN §9).  Results are written back by this single
writer: ``texts`` keyed by payload SHA-256, then each affected report's ``report_texts`` row
(page + continuation pages + attachments, in that order), then the search index.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from crawler import clock
from crawler.cleaning import clean_text
from crawler.exceptions import ArchiveError, ConfigError
from crawler.extract import EXTRACTOR_VERSION, ExtractResult
from crawler.extract.pool import extract_many
from crawler.sources import load_sources
from storage import fetches, search, texts
from storage.db import WARC_DIR, data_dir, open_db
from storage.warc import decoded_payload, read_record


@dataclass
class ExtractSummary:
    """What one extract run did."""

    payloads: int = 0
    statuses: Counter = field(default_factory=Counter)
    ocr_pages: int = 0
    reports: int = 0
    indexed: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        """One summary line."""
        by = ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items())) or "nothing pending"
        return (f"extract: {self.payloads} files ({by}); {self.reports} report texts, "
                f"{self.indexed} indexed; {self.seconds:.1f} s")


def _tasks(db, root, pending: list[dict], summary: ExtractSummary) -> Iterator[tuple[str, bytes, dict]]:
    for row in pending:
        original = fetches.first_response(db, row["sha256"])
        if original is None:
            summary.statuses["missing-from-archive"] += 1
            texts.save_text(db, row["sha256"], {"status": "error", "error": "payload not in the archive",
                                                "extracted_at": clock.now_iso()})
            continue
        try:
            data = decoded_payload(read_record(root, fetches.ref_of(original)))
        except ArchiveError as exc:
            texts.save_text(db, row["sha256"], {"status": "error", "error": str(exc), "extracted_at": clock.now_iso()})
            summary.statuses["error"] += 1
            continue
        yield row["sha256"], data, {"content_type": row["content_type"], "url": row["url"]}


def _text_row(result: ExtractResult) -> dict:
    cleaned = clean_text(result.text) if result.text else None
    return {
        "status": result.status, "error": result.error, "extractor": result.extractor,
        "extractor_version": EXTRACTOR_VERSION, "ocr": int(result.ocr), "pages": result.pages,
        "file_type": result.file_type, "text": cleaned.text if cleaned else "",
        "original": cleaned.original if cleaned else "", "chars": len(cleaned.text) if cleaned else 0,
        "tables": json.dumps(result.tables, ensure_ascii=False), "extracted_at": clock.now_iso(),
    }


def build_report_texts(db, report_ids: list[str] | None, registry: dict[str, dict]) -> list[str]:
    """(Re)build ``report_texts`` for these reports (all when None); returns the ids written."""
    written = []
    for report in texts.report_sources(db, report_ids):
        parts = report["parts"]
        by_sha = texts.texts_for(db, [p["sha256"] for p in parts])
        usable = [(p, by_sha[p["sha256"]]) for p in parts if by_sha.get(p["sha256"], {}).get("text")]
        if not usable:
            continue
        source = registry.get(report["source_id"], {})
        texts.save_report_text(db, report["id"], {
            "title": report["title"], "agency": report["agency"], "report_year": report["report_year"],
            "level": source.get("level"), "region": source.get("region"), "source_id": report["source_id"],
            "text": "\n\n".join(t["text"] for _, t in usable),
            "original": "\n\n".join(t["original"] for _, t in usable),
            "parts": [{"url": p["url"], "kind": p["kind"], "sha256": p["sha256"], "status": by_sha[p["sha256"]]["status"]}
                      for p in parts if p["sha256"] in by_sha],
            "updated_at": clock.now_iso(),
        })
        written.append(report["id"])
    return written


def affected_reports(db, shas: set[str]) -> list[str]:
    """Reports whose page or attachments have one of these payloads, plus reports never built."""
    ids = {r["id"] for r in db.query(
        "select r.id from reports r left join report_texts t on t.report_id = r.id where t.report_id is null")}
    for sha in shas:
        ids.update(r["id"] for r in db.query(
            "select r.id from reports r join documents d on d.id = r.document_id where d.payload_sha256 = ?", [sha]))
        ids.update(r["report_id"] for r in db.query(
            "select a.report_id from attachments a join documents d on d.url = a.url where d.payload_sha256 = ?",
            [sha]))
    return sorted(ids)


def run_extract(data: str | None, *, sources: str | None = None, redo: bool = False, workers: int = 2,
                timeout: float = 120.0, memory_mb: int = 1536, ocr: bool = True,
                progress: Callable[[int, int], None] | None = None) -> ExtractSummary:
    """Extract every pending archived document; rebuild affected report texts and the index."""
    started = time.monotonic()
    db = open_db(data, create=False)
    root = data_dir(data) / WARC_DIR
    try:
        registry = {s.id: {"level": s.level, "region": s.region} for s in load_sources(sources)}
    except ConfigError:
        registry = {}
    summary = ExtractSummary()
    pending = list(texts.pending_payloads(db, redo=redo, version=EXTRACTOR_VERSION if redo else None))
    done: set[str] = set()
    # each text is committed as it arrives: a killed run keeps what it finished
    for n, (sha, result) in enumerate(extract_many(_tasks(db, root, pending, summary), workers=workers,
                                                   timeout=timeout, memory_mb=memory_mb, ocr=ocr), 1):
        texts.save_text(db, sha, _text_row(result))
        summary.payloads += 1
        summary.statuses[result.status] += 1
        summary.ocr_pages += int(result.ocr)
        done.add(sha)
        if progress:
            progress(n, len(pending))
    written = build_report_texts(db, None if redo else affected_reports(db, done), registry)
    summary.reports = len(written)
    summary.indexed = search.index_reports(db, written) if written else 0
    summary.seconds = time.monotonic() - started
    db.close()
    return summary
