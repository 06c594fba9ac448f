"""What an operator watches: ``DATA/status.json`` and the optional ``/health`` endpoint.

The scheduler keeps one :class:`StatusBoard`: its own heartbeat, every job's next run and last
outcome, and the health of the sources.  The board is rewritten atomically (temp file and
rename) whenever something changes, so a monitoring script, ``cat`` or a file-age alarm always
reads a whole document.  ``--health-port`` serves the same JSON over HTTP on 127.0.0.1: status
200 when nothing needs a human, 503 with the ``problems`` listed otherwise.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections import deque
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

STATUS_NAME = "status.json"
TAIL_LINES = 20
STALE_AFTER = 120.0  # seconds without a rewrite of a running scheduler's status file
FAILED_OUTCOMES = ("failed", "timeout", "killed", "error")


def status_path(data: str | os.PathLike) -> Path:
    """Where the status file of a data directory lives."""
    return Path(data) / STATUS_NAME


def _iso(at: datetime | None) -> str | None:
    return at.isoformat(timespec="seconds") if at else None


class StatusBoard:
    """Thread-safe state of a running scheduler, mirrored to the status file."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.path: Path | None = None
        self.state: dict[str, Any] = {"daemon": {}, "jobs": {}, "sources": {}, "problems": []}

    def attach(self, path: Path, **daemon: Any) -> None:
        """Start mirroring to ``path`` with these daemon facts (pid, started_at, clock…)."""
        with self._lock:
            self.path = path
            self.state = {"daemon": dict(daemon), "jobs": {}, "sources": {}, "problems": []}
            self._write()

    def update_daemon(self, **facts: Any) -> None:
        with self._lock:
            self.state["daemon"].update(facts)
            self._write()

    def job(self, job_id: str) -> dict[str, Any]:
        return self.state["jobs"].setdefault(
            job_id, {"id": job_id, "running": False, "runs": 0, "skipped": 0}
        )

    def plan(self, job_id: str, **facts: Any) -> None:
        """Record a job's group, size and next run."""
        with self._lock:
            self.job(job_id).update(facts)
            self._write()

    def started(self, job_id: str, *, at: datetime, pid: int, log_hint: str = "") -> None:
        with self._lock:
            job = self.job(job_id)
            job.update(running=True, pid=pid, started_at=_iso(at), log=log_hint)
            self._write()

    def finished(
        self,
        job_id: str,
        *,
        at: datetime,
        exit_code: int | None,
        outcome: str,
        tail: deque[str] | list[str] = (),
    ) -> None:
        with self._lock:
            job = self.job(job_id)
            job["runs"] += 1
            job.update(
                running=False,
                pid=None,
                last={
                    "started_at": job.get("started_at"),
                    "finished_at": _iso(at),
                    "exit_code": exit_code,
                    "outcome": outcome,
                    "tail": list(tail)[-TAIL_LINES:] if outcome != "ok" else [],
                },
            )
            self._refresh_problems()
            self._write()

    def skipped(self, job_id: str, *, at: datetime, why: str) -> None:
        with self._lock:
            job = self.job(job_id)
            job["skipped"] += 1
            job["last_skip"] = {"at": _iso(at), "why": why}
            self._write()

    def set_sources(self, counts: dict[str, int], broken: list[str], blocked: list[str]) -> None:
        """Source health: counts per state and the ids that need attention."""
        with self._lock:
            self.state["sources"] = {"counts": counts, "broken": broken, "blocked": blocked}
            self._refresh_problems()
            self._write()

    def set_config_problem(self, problem: str | None) -> None:
        """A configuration error the daemon runs on despite (None: cleared)."""
        with self._lock:
            self.state["config_problem"] = problem
            self._refresh_problems()
            self._write()

    def _refresh_problems(self) -> None:
        problems = [self.state["config_problem"]] if self.state.get("config_problem") else []
        problems += [
            f"job {j['id']}: last run {j['last']['outcome']} (exit {j['last']['exit_code']})"
            for j in self.state["jobs"].values()
            if j.get("last", {}).get("outcome") in FAILED_OUTCOMES
        ]
        problems += [f"source {s} is broken" for s in self.state["sources"].get("broken", [])]
        self.state["problems"] = problems

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of the board (what the file and the endpoint show)."""
        with self._lock:
            return json.loads(json.dumps(self.state, default=str))

    def _write(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.state, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        os.replace(tmp, self.path)


def serve_health(board: StatusBoard, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Serve ``GET /health`` (200 ok / 503 problems, the board as JSON) in a daemon thread."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path.split("?")[0] not in ("/health", "/"):
                self.send_error(404)
                return
            snap = board.snapshot()
            down = snap["daemon"].get("state") != "running"
            body = json.dumps(snap, ensure_ascii=False, indent=1).encode()
            self.send_response(503 if snap["problems"] or down else 200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet: monitoring polls often."""

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="nianbao-health", daemon=True).start()
    return server


def describe_scheduler(data: str | os.PathLike, *, now: float | None = None) -> str | None:
    """One line on the scheduler of a data directory, from its status file (None: never ran).

    A status file saying ``running`` is checked against the process (same host) and the file's
    age: a scheduler that died or hangs must not look alive.
    """
    path = status_path(data)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        age = (now if now is not None else time.time()) - path.stat().st_mtime
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    daemon = state.get("daemon", {})
    pid, host = daemon.get("pid"), daemon.get("host")
    if daemon.get("state") == "stopped":
        line = f"scheduler: stopped at {daemon.get('stopped_at')}"
    elif pid and host == socket.gethostname() and not _alive(pid):
        line = (
            f"scheduler: NOT RUNNING — pid {pid} is gone without a clean stop (last heartbeat "
            f"{daemon.get('heartbeat_at')})"
        )
    elif age > STALE_AFTER:
        line = f"scheduler: NOT RESPONDING — its status file has not changed for {age:.0f} s (pid {pid})"
    else:
        line = f"scheduler: {daemon.get('state')} (pid {pid}, heartbeat {daemon.get('heartbeat_at')})"
    upcoming = sorted((j["next_run"], j["id"]) for j in state.get("jobs", {}).values() if j.get("next_run"))
    if upcoming and daemon.get("state") != "stopped":
        line += f"; next {upcoming[0][1]} at {upcoming[0][0]}"
    running = [j["id"] for j in state.get("jobs", {}).values() if j.get("running")]
    if running:
        line += f"; running {', '.join(running)}"
    if state.get("problems"):
        line += f"; problems: {'; '.join(state['problems'])}"
    return line


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True
