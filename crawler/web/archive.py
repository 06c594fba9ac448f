"""The archive as the web application sees it: one read-only connection per worker thread, a time
limit per request, and the source-health judgement cached for a minute."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from crawler.vocab import clock
from storage.db import DB_NAME, WARC_DIR, Deadline, connect_readonly, data_dir

HEALTH_TTL = 60.0


class ServingArchive:
    """A data directory opened for reading by many request threads."""

    def __init__(
        self, data: str | os.PathLike | None, *, sources: str | None = None, time_limit: float = 5.0
    ) -> None:
        self.root = data_dir(data).resolve()
        self.sources = sources
        self.time_limit = time_limit
        if not (self.root / DB_NAME).exists():
            connect_readonly(self.root)  # raises ArchiveMissing with the path
        self._local = threading.local()
        self._health: tuple[float, dict[str, dict]] | None = None
        self._health_lock = threading.Lock()

    @property
    def warc_root(self) -> Path:
        return self.root / WARC_DIR

    def _connection(self) -> tuple[Database, Deadline]:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect_readonly(self.root)
        return conn

    @contextmanager
    def db(self, *, limited: bool = True) -> Iterator[Database]:
        """This thread's connection, its deadline started: every statement of the block must end
        within the request's time limit (else ``sqlite3.OperationalError: interrupted``)."""
        db, deadline = self._connection()
        if limited:
            deadline.start(self.time_limit)
        try:
            yield db
        finally:
            deadline.at = None

    def now(self) -> datetime:
        return clock.now()

    def health(self) -> dict[str, dict]:
        """Source health rows (as ``nianbao status --json``) by source id. Judging 100,000 sources
        takes about two seconds, so a judgement is kept and, once older than a minute, renewed in
        the background while pages go on showing the previous one (with its time, ``health_at``)."""
        cached = self._health
        if cached is None:
            with self._health_lock:  # the first judgement (started with the server) may be running
                if self._health is None:
                    self._judge()
            cached = self._health
        elif time.monotonic() - cached[0] >= HEALTH_TTL:
            self._refresh_in_background()
        assert cached is not None
        return cached[1]

    def _judge(self) -> None:
        from crawler.health import health_rows
        from crawler.registry import load_registry

        try:
            registry = load_registry(self.sources, self.root)
        except Exception:  # noqa: BLE001 - no readable registry: health is judged from the runs alone
            registry = []
        with self.db(limited=False) as db:  # a whole-registry judgement may outlast a page's limit
            rows = {r["source"]: r for r in health_rows(db, registry, self.now())}
        self._health = (time.monotonic(), rows)

    def _refresh_in_background(self) -> None:
        if not self._health_lock.acquire(blocking=False):
            return  # a judgement is already being made

        def run() -> None:
            try:
                self._judge()
            finally:
                self._health_lock.release()

        threading.Thread(target=run, name="nianbao-health", daemon=True).start()

    def warm(self) -> None:
        """Start the first health judgement in the background (the server calls this at start)."""
        self._refresh_in_background()
