"""Run :func:`crawler.extract.extract_bytes` in worker processes: never in the caller's process.

Each worker is a ``forkserver`` (else ``spawn``) process with ``RLIMIT_AS`` set to
``memory_mb`` and its own pipe, handling one task at a time. A task that runs past ``timeout``
gets status ``timeout`` and its worker is killed and replaced; a worker that dies (segfault in
PDFium, killed by the memory limit) gives its task status ``error`` with the reason; the pool
goes on with the next task either way.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from multiprocessing.connection import Connection, wait

from crawler.extract import ExtractResult, extract_bytes, sniff
from crawler.extract.result import failed

_POLL = 0.5

Extractor = Callable[
    ..., ExtractResult
]  # extract_bytes's signature: (data, *, content_type, url, ocr, max_bytes)


def _context() -> mp.context.ForkServerContext | mp.context.SpawnContext:
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["crawler.extract", "crawler.extract.pdf", "crawler.extract.office"])
        return ctx
    return mp.get_context("spawn")


def _worker(
    conn: Connection, memory_mb: int, ocr: bool, extractor: Extractor
) -> None:  # pragma: no cover - child
    import resource

    if memory_mb:
        limit = memory_mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        meta, data = task, conn.recv_bytes()
        try:
            result = extractor(
                data,
                content_type=meta.get("content_type"),
                url=meta.get("url"),
                ocr=ocr,
                max_bytes=meta["max_bytes"],
            )
        except Exception as exc:  # extract_bytes never raises; another extractor must not kill the worker
            result = failed("error", f"{type(exc).__name__}: {exc}"[:500])
        conn.send(asdict(result))


class _Worker:
    def __init__(
        self,
        ctx: mp.context.ForkServerContext | mp.context.SpawnContext,
        memory_mb: int,
        ocr: bool,
        extractor: Extractor,
    ) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, memory_mb, ocr, extractor), daemon=True)
        self.proc.start()
        child.close()
        self.key: str | None = None
        self.meta: dict = {}
        self.deadline = 0.0

    def submit(self, key: str, data: bytes, meta: dict, timeout: float) -> None:
        self.key, self.meta, self.deadline = key, meta, time.monotonic() + timeout
        self.conn.send(meta)
        self.conn.send_bytes(data)

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(2)
        self.kill()


def _death(proc: mp.process.BaseProcess) -> str:
    proc.join(5)
    code = proc.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (memory limit?)" if -code == signal.SIGKILL else ""
        return f"worker process died with {name}{hint}"
    return f"worker process exited with code {code}"


def extract_many(
    tasks: Iterable[tuple[str, bytes, dict]],
    *,
    workers: int = 2,
    timeout: float = 120,
    memory_mb: int = 1536,
    ocr: bool = True,
    max_bytes: int = 60_000_000,
    extractor: Extractor = extract_bytes,
) -> Iterator[tuple[str, ExtractResult]]:
    """Extract ``(key, data, {"content_type":…, "url":…})`` tasks in ``workers`` processes and
    yield ``(key, result)`` as each finishes (any order). Never raises for a bad document.

    ``extractor`` (a module-level function, as workers receive it by reference) replaces
    :func:`~crawler.extract.extract_bytes`: tests pass one that hangs, crashes or hogs memory.
    """
    ctx = _context()
    pending = iter(tasks)
    idle: deque[_Worker] = deque()
    busy: dict[Connection, _Worker] = {}
    size = max(1, workers)
    spawned = 0
    exhausted = False
    try:
        while True:
            while not exhausted and len(busy) < size:
                item = next(pending, None)
                if item is None:
                    exhausted = True
                    break
                key, data, meta = item
                meta = {
                    "content_type": meta.get("content_type"),
                    "url": meta.get("url"),
                    "max_bytes": max_bytes,
                }
                if len(data) > max_bytes:  # do not ship a huge body to a worker only to refuse it
                    yield (
                        key,
                        failed(
                            "too_large",
                            f"{len(data)} bytes > limit of {max_bytes} bytes",
                            file_type=sniff(data[:65536], meta["content_type"], meta["url"]),
                        ),
                    )
                    continue
                worker = idle.popleft() if idle else None
                if worker is None or not worker.proc.is_alive():
                    worker = _Worker(ctx, memory_mb, ocr, extractor)
                    spawned += 1
                try:
                    worker.submit(key, data, meta, timeout)
                except (OSError, ValueError) as exc:
                    worker.kill()
                    yield key, failed("error", f"could not hand the task to a worker: {exc}")
                    continue
                busy[worker.conn] = worker
            if not busy:
                return
            now = time.monotonic()
            wait_for = max(0.0, min(min(w.deadline for w in busy.values()) - now, _POLL))
            for conn in wait(list(busy), timeout=wait_for):
                assert isinstance(conn, Connection)  # wait() returns the objects it was given
                worker = busy.pop(conn)
                try:
                    fields = conn.recv()
                except (EOFError, OSError):
                    reason = _death(worker.proc)
                    worker.kill()
                    yield worker.key or "", failed("error", reason)
                    continue
                idle.append(worker)
                yield worker.key or "", ExtractResult(**fields)
            now = time.monotonic()
            for conn, worker in list(busy.items()):
                if now >= worker.deadline:
                    del busy[conn]
                    worker.kill()
                    yield (
                        worker.key or "",
                        failed("timeout", f"extraction took longer than {timeout:g} s; worker killed"),
                    )
    finally:
        for worker in idle:
            worker.stop()
        for worker in busy.values():
            worker.kill()
