"""Open ``archive.db``: WAL mode, a busy timeout, and every pending migration applied."""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlite_utils import Database

from crawler.vocab.errors import ArchiveMissing, DiskFull, NianbaoError
from storage.migrations import migrations

DB_NAME = "archive.db"
WARC_DIR = "warc"


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """The data directory: ``path``, else ``$NIANBAO_DATA``, else ``./nianbao-data``."""
    return Path(path or os.environ.get("NIANBAO_DATA") or "nianbao-data")


def open_db(data: str | os.PathLike | None = None, *, create: bool = True) -> Database:
    """Open (and migrate) the archive database of a data directory.

    ``create=False`` raises :class:`ArchiveMissing` (a ``FileNotFoundError``) instead of creating an empty archive, for
    commands that only read.
    """
    root = data_dir(data)
    path = root / DB_NAME
    if not create and not path.exists():
        raise ArchiveMissing(f"no archive at {path} (run a crawl first, or pass --data)")
    root.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    migrations.apply(db)
    return db


@contextmanager
def open_readonly(data: str | os.PathLike | None = None) -> Iterator[Database | None]:
    """The archive of a data directory opened read-only and unmigrated (None when there is none):
    for readers that must neither create nor migrate an archive."""
    path = data_dir(data) / DB_NAME
    if not path.exists():
        yield None
        return
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        conn.execute("PRAGMA busy_timeout = 30000")
        yield Database(conn)


class QueryTimeout(NianbaoError):
    """A read-only query ran past its time limit (it was interrupted, nothing changed)."""


class Deadline:
    """A per-connection time limit: SQLite's progress handler interrupts a statement still running
    when the deadline passes (``sqlite3.OperationalError: interrupted``)."""

    def __init__(self) -> None:
        self.at: float | None = None

    def start(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def _check(self) -> int:
        return 1 if self.at is not None and time.monotonic() > self.at else 0


def connect_readonly(data: str | os.PathLike | None = None) -> tuple[Database, Deadline]:
    """The archive of a data directory for a server that only reads: opened ``mode=ro`` (nothing
    can create, migrate or write it), ``query_only`` on, usable from any one thread at a time,
    with a :class:`Deadline` each request starts. Raises :class:`ArchiveMissing` when there is none."""
    path = data_dir(data) / DB_NAME
    if not path.exists():
        raise ArchiveMissing(f"no archive at {path} (run a crawl first, or pass --data)")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA query_only = 1")
    deadline = Deadline()
    conn.set_progress_handler(deadline._check, 10_000)
    return Database(conn), deadline


def is_interrupted(exc: BaseException) -> bool:
    """Did ``exc`` come from a statement a :class:`Deadline` interrupted?"""
    return isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc)


def is_database_error(exc: BaseException) -> bool:
    """Is ``exc`` an error SQLite raised (corrupt file, locked, I/O)?"""
    return isinstance(exc, sqlite3.Error)


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One transaction: committed when the block ends, rolled back when it raises."""
    with db.conn:
        yield db


def begin(db: Database) -> None:
    """Open a transaction if none is open (later writes nest in it as savepoints)."""
    if not db.conn.in_transaction:
        db.conn.execute("BEGIN")


def commit(db: Database) -> None:
    """Commit the open transaction, if any."""
    if db.conn.in_transaction:
        db.conn.commit()


def memory_db() -> Database:
    """A migrated in-memory database (tests)."""
    db = Database(memory=True)
    migrations.apply(db)
    return db


def is_disk_full(exc: BaseException) -> bool:
    """Did ``exc`` come from a full disk (a file write's ENOSPC, SQLite's SQLITE_FULL)?"""
    if isinstance(exc, DiskFull):
        return True
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    return isinstance(exc, sqlite3.OperationalError) and "disk is full" in str(exc)
