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

from crawler.extract import EXTRACTOR_VERSION, ExtractResult
from crawler.extract.cleaning import clean_text
from crawler.extract.pool import extract_many
from crawler.registry.memory import resolve_sources
from crawler.registry.sources import load_sources
from crawler.stages.analyse import analyse_reports
from crawler.stages.originality import compute_originality, originality_needed
from crawler.vocab import clock
from crawler.vocab.errors import ArchiveError, ConfigError
from storage import fetches, search, texts
from storage.db import WARC_DIR, data_dir, open_db
from storage.reports import report_source_ids
from storage.stats import stale_reports
from storage.warc import decoded_payload, read_record

MAX_BYTES = 60_000_000  # the pool's default size cap


@dataclass
class ExtractSummary:
    """What one extract run did."""

    payloads: int = 0
    statuses: Counter = field(default_factory=Counter)
    ocr_pages: int = 0
    reports: int = 0
    indexed: int = 0
    analysed: int = 0
    compared: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One summary line."""
        by = ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items())) or "nothing pending"
        warn = "".join(f"\n  warning: {w}" for w in self.warnings)
        return (
            f"extract: {self.payloads} files ({by}); {self.reports} report texts changed, "
            f"{self.indexed} indexed, {self.analysed} analysed, {self.compared} compared for originality; "
            f"{self.seconds:.1f} s{warn}"
        )


def _tasks(db, root, pending: list[dict], summary: ExtractSummary) -> Iterator[tuple[str, bytes, dict]]:
    for row in pending:
        original = fetches.first_response(db, row["sha256"])
        if original is None:
            summary.statuses["missing-from-archive"] += 1
            summary.payloads += 1
            texts.save_text(
                db,
                row["sha256"],
                {"status": "error", "error": "payload not in the archive", "extracted_at": clock.now_iso()},
            )
            continue
        try:
            # decode at most one byte past the pool's size cap: too_large is decided there
            data = decoded_payload(read_record(root, fetches.ref_of(original)), limit=MAX_BYTES + 1)
        except ArchiveError as exc:
            texts.save_text(
                db, row["sha256"], {"status": "error", "error": str(exc), "extracted_at": clock.now_iso()}
            )
            summary.statuses["error"] += 1
            summary.payloads += 1
            continue
        yield row["sha256"], data, {"content_type": row["content_type"], "url": row["url"]}


def _text_row(result: ExtractResult) -> dict:
    cleaned = clean_text(result.text) if result.text else None
    return {
        "status": result.status,
        "error": result.error,
        "extractor": result.extractor,
        "extractor_version": EXTRACTOR_VERSION,
        "ocr": int(result.ocr),
        "pages": result.pages,
        "file_type": result.file_type,
        "text": cleaned.text if cleaned else "",
        "original": cleaned.original if cleaned else "",
        "chars": len(cleaned.text) if cleaned else 0,
        "tables": json.dumps(result.tables, ensure_ascii=False),
        "extracted_at": clock.now_iso(),
    }


def build_report_texts(db, registry: dict[str, dict]) -> list[str]:
    """Bring ``report_texts`` in line with the reports' current parts; returns the ids changed.

    A report is rewritten when its parts (page, continuation pages, attachments and the
    payload each now has), their extraction status or its registry metadata differ from what
    was stored — so a page that went back to an older, already-extracted version, a newly
    linked attachment or a registry change all reach the text and the index.  A report none of
    whose parts has text any more loses its row (and its index entry).
    """
    changed = []
    for report in texts.report_sources(db, None):
        parts = report["parts"]
        by_sha = texts.texts_for(db, [p["sha256"] for p in parts])
        source = registry.get(report["source_id"], {})
        summary_parts = [
            {
                "url": p["url"],
                "kind": p["kind"],
                "sha256": p["sha256"],
                "status": by_sha[p["sha256"]]["status"],
            }
            for p in parts
            if p["sha256"] in by_sha
        ]
        usable = [by_sha[p["sha256"]] for p in parts if by_sha.get(p["sha256"], {}).get("text")]
        stored = texts.stored_report_text(db, report["id"])
        if not usable:
            if stored is not None and texts.delete_report_text(db, report["id"]):
                changed.append(report["id"])
            continue
        row = {
            "title": report["title"],
            "agency": report["agency"],
            "report_year": report["report_year"],
            "level": source.get("level"),
            "region": source.get("region"),
            "source_id": report["source_id"],
            "parts": json.dumps(summary_parts, ensure_ascii=False),
        }
        if stored is not None and all(stored.get(k) == v for k, v in row.items()):
            continue
        texts.save_report_text(
            db,
            report["id"],
            {
                **row,
                "text": "\n\n".join(t["text"] for t in usable),
                "original": "\n\n".join(t["original"] for t in usable),
                "updated_at": clock.now_iso(),
            },
        )
        changed.append(report["id"])
    return changed


def _unanalysed(db, changed: list[str], redo: bool) -> list[str]:
    """Reports whose text changed, plus those never analysed (or by an older version; all with
    ``redo``) that have a text."""
    from crawler.stats import STATS_VERSION

    stale = stale_reports(db, None if redo else STATS_VERSION)
    return list(dict.fromkeys([*changed, *stale]))


def run_extract(
    data: str | None,
    *,
    sources: str | None = None,
    redo: bool = False,
    workers: int = 2,
    timeout: float = 120.0,
    memory_mb: int = 1536,
    ocr: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ExtractSummary:
    """Extract every pending archived document; bring report texts and the index up to date."""
    started = time.monotonic()
    summary = ExtractSummary()
    try:
        registry = {
            s.id: {"level": s.level, "region": s.region, "kind": s.kind, "agency": s.agency}
            for s in load_sources(resolve_sources(sources, data).path)
        }
    except ConfigError as exc:
        registry = {}
        summary.warnings.append(f"no level/region for reports: {exc}")
    db = open_db(data, create=False)
    try:
        root = data_dir(data) / WARC_DIR
        pending = list(texts.pending_payloads(db, redo=redo, version=EXTRACTOR_VERSION))
        # each text is committed as it arrives: a killed run keeps what it finished
        tasks = _tasks(db, root, pending, summary)
        for n, (sha, result) in enumerate(
            extract_many(
                tasks, workers=workers, timeout=timeout, memory_mb=memory_mb, ocr=ocr, max_bytes=MAX_BYTES
            ),
            1,
        ):
            texts.save_text(db, sha, _text_row(result))
            summary.payloads += 1
            summary.statuses[result.status] += 1
            summary.ocr_pages += int(result.ocr)
            if progress:
                progress(n, len(pending))
        unknown = report_source_ids(db) - set(registry)
        if registry and unknown:
            summary.warnings.append(
                f"{len(unknown)} source(s) not in the registry: no level/region for their reports"
            )
        written = build_report_texts(db, registry)
        summary.reports = len(written)
        summary.indexed = search.index_reports(db, written) if written else 0
        summary.analysed = analyse_reports(db, _unanalysed(db, written, redo), registry)
        # originality compares the whole archive (a new text can be an older copy's original);
        # only when texts changed or stored rows are of an older version (bench/similar.py)
        if originality_needed(db, len(written)):
            summary.compared = compute_originality(db, registry)
    finally:
        db.close()
    summary.seconds = time.monotonic() - started
    return summary
