"""``nianbao backup DEST``: a consistent copy of a data directory, taken while crawls run.

The index is copied with SQLite's online backup (a snapshot of one moment, WAL included, while
writers go on); then each WARC file the snapshot refers to is copied up to the end of the last
record the snapshot indexes — records a running crawl appends later are not in the snapshot's
index, so the copy holds exactly the evidence the copied index points at — and the manifest
chain (storage.manifests) as far as the snapshot knows it.  ``--link`` hard-links
a WARC file instead when it is already complete (same size as its indexed end) and on the same
filesystem: WARC files are append-only, so a finished one never changes.  The copy is a data
directory like any other: ``nianbao verify --data DEST`` checks it, and every command reads it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from crawler.vocab import clock
from crawler.vocab.errors import ArchiveMissing, UsageError
from storage.db import DB_NAME, WARC_DIR, data_dir
from storage.manifests import manifest_path

MANIFEST = "BACKUP.json"
_CHUNK = 1 << 20


@dataclass
class BackupReport:
    """What a backup copied."""

    dest: Path
    files: int = 0
    linked: int = 0
    records: int = 0
    bytes: int = 0

    def line(self) -> str:
        linked = f" ({self.linked} hard-linked)" if self.linked else ""
        return (
            f"backup: {self.records} records in {self.files} WARC files{linked}, "
            f"{self.bytes / 1e6:.1f} MB, to {self.dest}"
        )


def _copy_prefix(src: Path, dst: Path, end: int) -> None:
    with src.open("rb") as fin, dst.open("wb") as fout:
        left = end
        while left > 0:
            chunk = fin.read(min(_CHUNK, left))
            if not chunk:
                raise ArchiveMissing(
                    f"{src} ends at {end - left} bytes, before its last indexed record ({end})"
                )
            fout.write(chunk)
            left -= len(chunk)
        fout.flush()
        os.fsync(fout.fileno())


def backup(data: str | os.PathLike | None, dest: str | os.PathLike, *, link: bool = False) -> BackupReport:
    """Copy the data directory ``data`` to ``dest`` (which must not hold an archive yet)."""
    root, out = data_dir(data), Path(dest)
    source_db = root / DB_NAME
    if not source_db.exists():
        raise ArchiveMissing(f"no archive at {source_db} (run a crawl first, or pass --data)")
    if (out / DB_NAME).exists():
        raise UsageError(f"{out} already holds an archive: back up into a new or empty directory")
    if out.resolve() == root.resolve():
        raise UsageError("the backup directory is the data directory itself")
    (out / WARC_DIR).mkdir(parents=True, exist_ok=True)
    report = BackupReport(out)
    with (
        sqlite3.connect(f"{source_db.resolve().as_uri()}?mode=ro", uri=True) as src,
        sqlite3.connect(out / DB_NAME) as dst,
    ):
        src.execute("PRAGMA busy_timeout = 30000")
        src.backup(dst)  # one consistent moment of the index, WAL included
    with sqlite3.connect(out / DB_NAME) as copied:
        ends = copied.execute(
            "select warc_file, max(warc_offset + warc_length), count(*) from fetches "
            "where warc_file is not null group by warc_file"
        ).fetchall()
    for name, end, records in ends:
        src_file, dst_file = root / WARC_DIR / name, out / WARC_DIR / name
        dst_file.parent.mkdir(parents=True, exist_ok=True)
        if link and src_file.stat().st_size == end:
            try:
                os.link(src_file, dst_file)
                report.linked += 1
            except OSError:  # another filesystem: copy after all
                _copy_prefix(src_file, dst_file, end)
        else:
            _copy_prefix(src_file, dst_file, end)
        report.files += 1
        report.records += records
        report.bytes += end
    with sqlite3.connect(out / DB_NAME) as copied:
        sealed = [seq for (seq,) in copied.execute("select seq from manifests order by seq")]
    for seq in sealed:  # the manifest chain the snapshot's index knows
        src_manifest, dst_manifest = manifest_path(root, seq), manifest_path(out, seq)
        dst_manifest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src_manifest, dst_manifest)
    manifest = {
        "taken_at": clock.now_iso(),
        "manifests": len(sealed),
        "from": str(root.resolve()),
        "files": report.files,
        "records": report.records,
        "bytes": report.bytes,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    shutil.copymode(source_db, out / DB_NAME)
    return report
