"""A tamper-evident archive: each crawl seals the WARC records and index rows it added in a
manifest chained to the one before (issue 13).

A manifest lists, for every indexed record not yet sealed (the run's own, and any a killed run
left behind), the fetch row's identity (id, URL, status, record type, WARC file, offset,
length) and the SHA-256 of the record's stored bytes (its gzip member).  Its **header** carries
its position ``seq``, the run, the time, the SHA-256 of that list and the previous header's
SHA-256; the header's own SHA-256 is the manifest's identity.  Headers alone form the chain, so
a published chain head lets anyone check a record against it: the record's bytes give its
digest, the manifest's list holds the digest, the list's digest is in the header, and the
headers link to the head.

Files: ``DATA/manifests/NNNNNN.json`` ({"header": …, "records": […]}, canonical JSON); rows in
``manifests``.  :func:`verify_chain` re-reads everything and names the first manifest (and
run) whose content no longer matches.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from crawler.vocab.errors import ArchiveError
from storage.db import WARC_DIR
from storage.fetches import ref_of
from storage.warc import read_span

MANIFEST_DIR = "manifests"
FORMAT = "nianbao-manifest/1"
_FIELDS = ("id", "url", "status", "record_type", "warc_file", "warc_offset", "warc_length")


def canonical(obj: Any) -> bytes:
    """The one byte form a manifest part is hashed in."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_path(data_root: str | os.PathLike, seq: int) -> Path:
    return Path(data_root) / MANIFEST_DIR / f"{seq:06d}.json"


def _entry(row: dict, warc_root: Path) -> list:
    return [*(row[f] for f in _FIELDS), sha256(read_span(warc_root, ref_of(row)))]


def head(db: Database) -> dict | None:
    """The last sealed manifest's row (the chain head), or None."""
    return next(iter(db.query("select * from manifests order by seq desc limit 1")), None)


def seal(db: Database, data_root: str | os.PathLike, run_id: int, now: str) -> dict | None:
    """Seal every indexed record not yet in a manifest; returns the new manifest row (None when
    there was nothing to seal).  The file is written (atomically) before its row."""
    root = Path(data_root)
    last = head(db)
    after = last["last_fetch_id"] if last else 0
    rows = list(
        db.query(
            f"select {', '.join(_FIELDS)} from fetches where warc_file is not null and id > ? order by id",
            [after],
        )
    )
    if not rows:
        return None
    records = [_entry(r, root / WARC_DIR) for r in rows]
    header = {
        "format": FORMAT,
        "seq": (last["seq"] + 1) if last else 1,
        "run_id": run_id,
        "created_at": now,
        "prev_sha256": last["sha256"] if last else "",
        "records_sha256": sha256(canonical(records)),
        "first_fetch_id": rows[0]["id"],
        "last_fetch_id": rows[-1]["id"],
        "records": len(records),
    }
    path = manifest_path(root, header["seq"])
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(canonical({"header": header, "records": records}))
    os.replace(partial, path)
    row = {k: v for k, v in header.items() if k != "format"} | {"sha256": sha256(canonical(header))}
    db.table("manifests").insert(row)
    return row


@dataclass
class ChainReport:
    """What :func:`verify_chain` found: problems in chain order (the first names the first
    manifest whose content no longer matches), records not sealed yet, the head."""

    manifests: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    head: str | None = None
    first_bad: tuple[int, int] | None = None  # (seq, run_id)


def _load(path: Path) -> dict | None:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def verify_chain(db: Database, data_root: str | os.PathLike) -> ChainReport:
    """Re-check every manifest: its file against its row, the link to the one before, its record
    list against its header, and every record's bytes and index row against the list."""
    root = Path(data_root)
    report = ChainReport()
    prev = ""
    fetch_rows = {
        r["id"]: r for r in db.query(f"select {', '.join(_FIELDS)} from fetches where warc_file is not null")
    }
    for row in db.query("select * from manifests order by seq"):
        report.manifests += 1
        where = f"manifest {row['seq']} (run {row['run_id']})"
        problems = []
        body = _load(manifest_path(root, row["seq"]))
        if body is None:
            problems.append(f"{where}: its file {manifest_path(root, row['seq'])} is missing or unreadable")
        else:
            header, records = body.get("header") or {}, body.get("records") or []
            if sha256(canonical(header)) != row["sha256"]:
                problems.append(f"{where}: its header no longer hashes to {row['sha256'][:16]}…")
            if header.get("prev_sha256") != prev or row["prev_sha256"] != prev:
                problems.append(f"{where}: it does not link to the manifest before it")
            if sha256(canonical(records)) != header.get("records_sha256"):
                problems.append(f"{where}: its record list no longer matches its header")
            for entry in records:
                fetch_id, digest = entry[0], entry[-1]
                current = fetch_rows.get(fetch_id)
                if current is None or [current[f] for f in _FIELDS] != entry[:-1]:
                    problems.append(f"{where}: the index row of fetch #{fetch_id} was changed or removed")
                    continue
                try:
                    actual = sha256(read_span(root / WARC_DIR, ref_of(current)))
                except ArchiveError as exc:
                    problems.append(f"{where}: the record of fetch #{fetch_id} cannot be read ({exc})")
                    continue
                if actual != digest:
                    problems.append(
                        f"{where}: the WARC record of fetch #{fetch_id} no longer matches its digest"
                    )
        if problems and report.first_bad is None:
            report.first_bad = (row["seq"], row["run_id"])
        report.errors.extend(problems)
        prev = row["sha256"]
        report.head = row["sha256"]
    last = head(db)
    unsealed = sum(1 for i in fetch_rows if last is None or i > last["last_fetch_id"])
    if unsealed:
        report.warnings.append(
            f"{unsealed} indexed records are not sealed in a manifest yet (a crawl running or killed)"
        )
    return report


def chain_for(db: Database, data_root: str | os.PathLike, fetch_ids: list[int]) -> dict:
    """What an evidence bundle needs to check its records against a published chain head: for
    each fetch, the manifest holding it; the headers from the oldest of those to the head; the
    manifests (files) holding them."""
    root = Path(data_root)
    rows = list(db.query("select * from manifests order by seq"))
    holding: dict[int, dict] = {}
    for fetch_id in fetch_ids:
        for row in rows:
            if row["first_fetch_id"] <= fetch_id <= row["last_fetch_id"]:
                holding[fetch_id] = row
                break
    oldest = min((r["seq"] for r in holding.values()), default=None)
    headers = []
    files: dict[int, bytes] = {}
    if oldest is not None:
        for row in rows:
            if row["seq"] >= oldest:
                body = _load(manifest_path(root, row["seq"]))
                headers.append((body or {}).get("header"))
        for row in holding.values():
            path = manifest_path(root, row["seq"])
            if path.exists():
                files[row["seq"]] = path.read_bytes()
    return {
        "head": rows[-1]["sha256"] if rows else None,
        "records": {
            fid: {"manifest_seq": r["seq"], "manifest_sha256": r["sha256"]} for fid, r in holding.items()
        },
        "headers": headers,
        "files": files,
    }
