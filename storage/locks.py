"""Cross-process locks in the data directory, so two processes never write the same source.

A manual ``nianbao crawl`` and a scheduled run may overlap.  Each crawl *claims* its sources
before it fetches anything: a claim is a small JSON file under ``DATA/locks/`` naming the
sources, held with ``flock`` for as long as the claiming process lives.  A source claimed by a
live process is busy; a claim file whose lock is free belongs to a dead process (even one
killed with SIGKILL: the kernel drops the lock) and is removed.  Claims are made and read
under one short mutex, so a claim is never seen half-written.

Stages that work on the whole archive (extraction, the compliance check) take a named
:func:`stage_lock` instead and wait for each other.

``flock`` is per host: a data directory shared over NFS between machines is not protected.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from crawler.vocab import clock
from crawler.vocab.errors import NianbaoError

LOCK_DIR = "locks"
MUTEX = ".mutex"


class LockTimeout(NianbaoError):
    """A stage lock stayed taken longer than the caller would wait."""


@dataclass(frozen=True, slots=True)
class Holder:
    """The process holding a lock, as it described itself."""

    pid: int
    command: str
    since: str
    host: str

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host} ({self.command}, since {self.since})"


def _lock_dir(data: str | os.PathLike) -> Path:
    path = Path(data) / LOCK_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def _me(command: str) -> dict:
    return {"pid": os.getpid(), "command": command, "since": clock.now_iso(), "host": socket.gethostname()}


def _holder(info: dict) -> Holder:
    return Holder(
        int(info.get("pid", 0)),
        str(info.get("command", "?")),
        str(info.get("since", "?")),
        str(info.get("host", "?")),
    )


@contextlib.contextmanager
def _mutex(data: str | os.PathLike) -> Iterator[None]:
    with (_lock_dir(data) / MUTEX).open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _try_lock(fh: IO) -> bool:
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def live_claims(data: str | os.PathLike) -> list[tuple[Holder, list[str]]]:
    """Claims of live processes (removing the files of dead ones).  Call under the mutex."""
    out = []
    for path in sorted(_lock_dir(data).glob("claim-*.json")):
        try:
            fh = path.open("r+")
        except FileNotFoundError:
            continue
        with fh:
            if _try_lock(fh):  # nobody holds it: its process is gone
                path.unlink(missing_ok=True)
                continue
            try:
                info = json.loads(fh.read() or "{}")
            except json.JSONDecodeError:
                info = {}
            out.append((_holder(info), list(info.get("sources", []))))
    return out


class SourceClaim:
    """Sources this process claimed; held until :meth:`release` or the process ends."""

    def __init__(self, path: Path | None, fh: IO | None, claimed: list[str], busy: dict[str, Holder]) -> None:
        self.path = path
        self._fh = fh
        self.claimed = claimed
        self.busy = busy

    def release(self) -> None:
        """Give the sources back (idempotent)."""
        if self._fh is not None:
            assert self.path is not None
            self.path.unlink(missing_ok=True)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> SourceClaim:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def claim_sources(data: str | os.PathLike, source_ids: Iterable[str], *, command: str) -> SourceClaim:
    """Claim every source of ``source_ids`` that no live process holds (never waits).

    ``claimed`` lists the sources now held (in the order asked), ``busy`` maps each source
    left out to the process holding it.
    """
    wanted = list(dict.fromkeys(source_ids))
    with _mutex(data):
        busy: dict[str, Holder] = {}
        for holder, sources in live_claims(data):
            for source_id in sources:
                busy.setdefault(source_id, holder)
        busy = {s: busy[s] for s in wanted if s in busy}
        claimed = [s for s in wanted if s not in busy]
        if not claimed:
            return SourceClaim(None, None, [], busy)
        me = _me(command)
        path = _lock_dir(data) / f"claim-{me['pid']}-{time.monotonic_ns()}.json"
        fh = path.open("w")
        fcntl.flock(fh, fcntl.LOCK_EX)
        json.dump({**me, "sources": claimed}, fh, ensure_ascii=False)
        fh.flush()
        return SourceClaim(path, fh, claimed, busy)


def stage_holder(data: str | os.PathLike, name: str) -> Holder | None:
    """Who holds the stage lock ``name`` now (None when it is free)."""
    path = _lock_dir(data) / f"stage-{name}.lock"
    if not path.exists():
        return None
    with path.open("r") as fh:
        if _try_lock(fh):
            return None
        try:
            return _holder(json.loads(fh.read() or "{}"))
        except json.JSONDecodeError:
            return None


@contextlib.contextmanager
def stage_lock(
    data: str | os.PathLike, name: str, *, command: str, wait: float | None = None, on_wait=None
) -> Iterator[None]:
    """Hold the archive-wide lock ``name`` (``extract``, ``check``…), waiting for it if taken.

    ``wait`` bounds the wait in seconds (None: wait as long as it takes); past it,
    :class:`LockTimeout` names the holder.  ``on_wait(holder)`` is called once when the lock
    is taken, so a command can say what it is waiting for.
    """
    path = _lock_dir(data) / f"stage-{name}.lock"
    deadline = None if wait is None else time.monotonic() + wait
    with path.open("a+") as fh:
        told = False
        while not _try_lock(fh):
            holder = stage_holder(data, name)
            if deadline is not None and time.monotonic() >= deadline:
                who = holder.describe() if holder else "another process"
                raise LockTimeout(f"the {name} stage is held by {who}; gave up after {wait:g} s")
            if not told and on_wait is not None:
                on_wait(holder)
                told = True
            time.sleep(0.2)
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps(_me(command), ensure_ascii=False))
            fh.flush()
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)
