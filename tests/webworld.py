"""A crawled simulator world served by a real ``nianbao serve`` subprocess (for the web tests).

The world (seed 21, 40 agencies) holds the simulator's hostile report (sim-00033, 2021: a title
carrying ``<script>`` and ``<img onerror>`` payloads, judged late, with PDF attachments),
late/missing/not_online verdicts, inconsistency flags, and one registered source whose server
never answers (``dead-county``: unreachable, so its verdicts are unknown). It is crawled on two
days, extracted and checked; then the simulator stops, so nothing the browser loads can come
from anywhere but the web UI.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tests.simcrawl import crawl, nianbao, sim_world

SEED, AGENCIES = 21, 40
HOSTILE_SOURCE, HOSTILE_YEAR = "sim-00033", 2021
DEAD_SOURCE = "dead-county"
DAYS = (date(2025, 2, 5), date(2025, 4, 10))
TODAY = DAYS[-1]


@dataclass
class Served:
    base: str
    data: Path
    sources: Path
    proc: subprocess.Popen
    log: list[str]

    def get(self, path: str, *, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        """(status, headers with lower-case names, body) of one request."""
        req = urllib.request.Request(self.base + path, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()

    def post(
        self, path: str, form: dict[str, str], headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) of one form POST, redirects not followed."""
        import http.client
        from urllib.parse import urlencode, urlsplit

        netloc = urlsplit(self.base).netloc
        conn = http.client.HTTPConnection(netloc, timeout=60)
        try:
            conn.request(
                "POST",
                path,
                body=urlencode(form).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
            )
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def text(self, path: str) -> str:
        status, _, body = self.get(path)
        assert status == 200, (path, status, body[:500])
        return body.decode("utf-8")


def build_archive(tmp: Path) -> tuple[Path, Path]:
    """Crawl, extract and check the world into ``tmp/data``; returns (data, sources)."""
    data = tmp / "data"
    with sim_world(tmp, seed=SEED, agencies=AGENCIES, today=DAYS[0]) as world:
        # a source nobody answers for: its verdicts are unknown (never missing)
        world.add_source(DEAD_SOURCE, "无人应答县人民政府", "http://127.0.0.1:9/xxgk/ndbg/")
        for day in DAYS:
            world.server.set_today(day)
            crawl(world, data, day)
            nianbao("extract", "--data", str(data), "--sources", str(world.sources), now=day)
            nianbao("similar", "--data", str(data), "--sources", str(world.sources), now=day)
            nianbao("check", "--data", str(data), "--sources", str(world.sources), now=day)
        sources = world.sources
    return data, sources


def archive_digest(data: Path) -> str:
    """SHA-256 of archive.db and its WAL (what a read-only server must never change)."""
    h = hashlib.sha256()
    for name in ("archive.db", "archive.db-wal"):
        path = data / name
        h.update(path.read_bytes() if path.exists() else b"-")
    return h.hexdigest()


@contextmanager
def serve(data: Path, sources: Path, *extra: str) -> Iterator[Served]:
    """``nianbao serve --port 0`` on the archive; waits for the URL it prints."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NIANBAO_NOW": TODAY.isoformat()}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "serve",
            "--data",
            str(data),
            "--sources",
            str(sources),
            "--port",
            "0",
            *extra,
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    drain: threading.Thread | None = None
    try:
        deadline = time.monotonic() + 60
        base = None
        assert proc.stderr is not None
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            m = re.search(r"(http://[^/\s]+)/", line)
            if m:
                base = m.group(1)
                break
        assert base, f"nianbao serve did not start (exit {proc.poll()})"
        # keep reading its log so a chatty server never blocks on a full pipe
        log: list[str] = []
        drain = threading.Thread(target=lambda: log.extend(iter(proc.stderr.readline, "")), daemon=True)
        drain.start()
        yield Served(base, data, sources, proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if drain is not None:
            drain.join(10)
        if proc.stderr is not None:
            proc.stderr.close()
