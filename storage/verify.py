"""Archive integrity: every indexed WARC record is re-read and its digest checked.

Records written after the last index row of a crawl that was killed (a torn tail, or a record
whose index row never landed) are reported as warnings: they are not evidence anyone relies on,
and the next crawl writes to a new file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from crawler.vocab.errors import ArchiveError
from storage import fetches
from storage.warc import iter_file, read_record, sha256_hex, warc_digest


@dataclass
class VerifyReport:
    """What ``nianbao verify`` found."""

    records: int = 0
    files: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def verify_archive(db: Database, warc_root: str | Path) -> VerifyReport:
    """Re-read every indexed record and compare digests; scan files for unindexed tails."""
    root = Path(warc_root)
    report = VerifyReport()
    indexed: dict[str, set[int]] = {}
    sizes: dict[str, int] = {}
    for row in fetches.iter_archived(db):
        report.records += 1
        indexed.setdefault(row["warc_file"], set()).add(row["warc_offset"])
        where = f"fetch {row['id']} ({row['url']}) at {row['warc_file']}:{row['warc_offset']}"
        if row["warc_file"] not in sizes:
            path = root / row["warc_file"]
            sizes[row["warc_file"]] = path.stat().st_size if path.is_file() else -1
        end = row["warc_offset"] + row["warc_length"]
        if 0 <= sizes[row["warc_file"]] < end:
            # a record cut short: a failure or revisit record may still half-decompress, so the
            # length is checked for every kind, not only through a response's payload digest
            report.errors.append(
                f"{where}: the file ends at {sizes[row['warc_file']]}, inside this record (to {end})"
            )
            continue
        try:
            rec = read_record(root, fetches.ref_of(row))
        except ArchiveError as exc:
            report.errors.append(f"{where}: {exc}")
            continue
        if rec.uri != row["url"]:
            report.errors.append(f"{where}: record is for {rec.uri}")
            continue
        kind = row["record_type"]
        if kind == "response":
            if rec.rec_type != "response" or sha256_hex(rec.payload) != row["payload_sha256"]:
                report.errors.append(f"{where}: payload digest mismatch")
            elif rec.warc_headers.get("WARC-Payload-Digest") != warc_digest(row["payload_sha256"]):
                report.errors.append(f"{where}: WARC-Payload-Digest header mismatch")
        elif kind == "revisit":
            if rec.rec_type != "revisit" or fetches.first_response(db, row["payload_sha256"]) is None:
                report.errors.append(f"{where}: revisit without an archived original")
        elif kind == "failure" and rec.rec_type != "metadata":
            report.errors.append(f"{where}: failure record is {rec.rec_type}")
    for path in sorted(root.glob("*.warc.gz")):
        report.files += 1
        known = indexed.get(path.name, set())
        scanned = list(iter_file(path))
        if any(rtype == "torn" for _, rtype, _ in scanned):
            report.warnings.append(f"{path.name}: torn record at the end (crawl killed while writing)")
        tail = [
            off
            for off, rtype, _ in scanned
            if rtype in ("response", "revisit", "metadata") and off not in known
        ]
        if tail:
            report.warnings.append(
                f"{path.name}: {len(tail)} record(s) not in the index (crawl interrupted?)"
            )
    return report
