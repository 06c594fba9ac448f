"""The archive session of one crawl: the database, the WARC writer and the run id.

Owned by one Scrapy component, :class:`crawler.extensions.archive.ArchiveOwner`, which opens it
when the spider opens and closes it when the engine stops; the archive middleware, the store
pipeline, the run recorder and the spider find it through the crawler
(:func:`crawler.extensions.archive.archive_session`), so they write to one place without
reaching into each other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from twisted.internet import task

from crawler import __version__
from crawler.vocab import clock
from crawler.vocab.errors import ArchiveError
from storage import documents, fetches, manifests, reports, runs
from storage.db import WARC_DIR, begin, commit, data_dir, is_disk_full, open_db, transaction
from storage.warc import Exchange, WarcArchive, read_record, sha256_hex, warc_date

if TYPE_CHECKING:
    from sqlite_utils import Database

logger = logging.getLogger(__name__)


class ArchiveSession:
    """The open database and WARC writer of one crawl run (its ``runs`` row is made on opening)."""

    def __init__(
        self,
        data: str | None,
        *,
        command: str,
        args: dict[str, Any],
        warc_max_bytes: int,
        commit_interval: float = 0.0,
    ) -> None:
        self.root = data_dir(data)
        self.db: Database = open_db(self.root)
        self.started = clock.now()
        self.run_id = runs.start_run(
            self.db,
            started_at=self.started.isoformat(timespec="seconds"),
            command=command,
            args=args,
            version=__version__,
        )
        stamp = self.started.strftime("%Y%m%d%H%M%S")
        self.warc = WarcArchive(
            self.root / WARC_DIR, prefix=f"nianbao-{stamp}-r{self.run_id:06d}", max_bytes=warc_max_bytes
        )
        self._known: dict[str, dict] | None = None
        self.closed = False
        self.full: BaseException | None = None  # the error of a full disk, once met
        self.on_disk_full: Callable[[BaseException], None] | None = None
        self._committer: task.LoopingCall | None = None
        if commit_interval > 0:
            self._committer = task.LoopingCall(self.commit)
            self._committer.start(commit_interval, now=False)

    # -- transactions ----------------------------------------------------------------------
    def begin(self) -> None:
        """Open the batch transaction if none is open (writes then nest as savepoints)."""
        if self._committer is not None:
            begin(self.db)

    def commit(self) -> None:
        """Commit the batch transaction (every ``NIANBAO_COMMIT_INTERVAL`` and at close); a full
        disk goes to ``on_disk_full`` (the owner stops the crawl) instead of raising."""
        if not self.closed:
            try:
                commit(self.db)
            except Exception as exc:
                if not is_disk_full(exc):
                    raise
                self.disk_full(exc)

    def disk_full(self, exc: BaseException) -> None:
        """Note a full disk (once) and tell the owner."""
        if self.full is None:
            self.full = exc
            if self.on_disk_full is not None:
                self.on_disk_full(exc)

    # -- what the spider needs to know --------------------------------------------------
    def known(self, url: str) -> dict | None:
        """What the archive knows of a document URL (loaded once per run)."""
        if self._known is None:
            self._known = documents.known_documents(self.db)
        return self._known.get(url)

    def report_parts(self, report_id: str, *, unfetched_only: bool = False) -> list[dict]:
        """Attachments/continuation pages of a stored report (optionally only never-fetched ones)."""
        return reports.report_parts(self.db, report_id, unfetched_only=unfetched_only)

    def report_exists(self, report_id: str) -> bool:
        """Is this report stored (not merely its page)?"""
        return reports.report_exists(self.db, report_id)

    def previous_capture(self, url: str) -> tuple[int, bytes] | None:
        """(fetch id, raw body) of the last full (200) capture of a URL, for a 304 to confirm."""
        row = fetches.last_full_capture(self.db, url)
        if row is None:
            return None
        try:
            return row["id"], read_record(self.warc.root, fetches.ref_of(row)).payload
        except ArchiveError:
            return None

    # -- archiving exchanges ------------------------------------------------------------
    def archive_response(self, ex: Exchange, row: dict[str, Any]) -> tuple[int, str]:
        """Write the exchange to WARC (a revisit record for a known payload) and index it."""
        self.begin()
        digest = sha256_hex(ex.body)
        original = fetches.first_response(self.db, digest) if ex.body else None
        revisit = None
        if original is not None:
            revisit = (original["url"], warc_date(datetime.fromisoformat(original["fetched_at"])))
        ref, digest = self.warc.write_exchange(ex, revisit_of=revisit)
        row = {
            **row,
            "run_id": self.run_id,
            "payload_sha256": digest,
            "size": len(ex.body),
            "record_type": "revisit" if revisit else "response",
        }
        return fetches.insert_fetch(self.db, row, ref), digest

    def archive_failure(self, ex: Exchange, row: dict[str, Any]) -> int:
        """Write a request that got no response (timeout, refused, TLS…) and index it."""
        self.begin()
        ref = self.warc.write_failure(ex, row.get("error") or "unknown error")
        return fetches.insert_fetch(self.db, {**row, "run_id": self.run_id, "record_type": "failure"}, ref)

    def close(self) -> None:
        """Close the WARC file, seal what this run archived in the manifest chain, close the
        database (idempotent).  A seal that fails is logged and left to the next run, which
        seals every record not sealed yet; ``nianbao verify`` counts them meanwhile."""
        if not self.closed:
            if self._committer is not None and self._committer.running:
                self._committer.stop()
            self.commit()
            self.closed = True
            try:
                self.warc.close()
            except OSError as exc:  # a full disk: the tail record may be torn (verify says so)
                logger.error("could not close the WARC file of run %s: %s", self.run_id, exc)
            if self.full is None:
                try:
                    with transaction(self.db):
                        manifests.seal(self.db, self.root, self.run_id, clock.now_iso())
                except Exception as exc:
                    if not (is_disk_full(exc) or isinstance(exc, (ArchiveError, OSError))):
                        raise
                    logger.error("could not seal run %s in the manifest chain: %s", self.run_id, exc)
            self.db.close()
