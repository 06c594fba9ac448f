"""Helpers for end-to-end tests: a simulator on 127.0.0.1 and ``nianbao crawl`` in a subprocess.

The crawl runs as a real subprocess (a Twisted reactor runs once per process) with its clock
pinned by ``NIANBAO_NOW``; the simulator runs in this process on a background thread.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from portalsim import render_sources_toml, start_server, truth_records


@dataclass
class World:
    """A running simulated world and the registry written for it."""

    seed: int
    agencies: int
    server: object
    sources: Path

    def add_source(self, source_id: str, agency: str, url: str) -> None:
        """Append a county-government source outside the simulated world to the registry."""
        with self.sources.open("a", encoding="utf-8") as fh:
            fh.write(
                f'\n[[source]]\nid = "{source_id}"\nagency = "{agency}"\nlevel = "county"\n'
                f'kind = "region"\nurls = ["{url}"]\n'
            )

    def truth(self, today: date) -> list[dict]:
        return list(truth_records(self.seed, self.agencies, today, base_url=self.server.base_url))


@contextmanager
def sim_world(tmp: Path, *, seed: int, agencies: int, today: date, troubles: bool = True) -> Iterator[World]:
    """Start a simulator and write its sources registry next to the data directory."""
    server = start_server(seed, agencies, today, troubles=troubles)
    try:
        sources = tmp / "sources.toml"
        sources.write_text(render_sources_toml(seed, agencies, server.base_url), encoding="utf-8")
        yield World(seed, agencies, server, sources)
    finally:
        server.shutdown()


def nianbao(
    *args: str,
    now: date | str | None = None,
    timeout: float = 300,
    check: bool = True,
    text: bool = True,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run the ``nianbao`` CLI in a subprocess (optionally with a pinned clock and extra environment)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    if now is not None:
        env["NIANBAO_NOW"] = str(now)
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=text, env=env, timeout=timeout
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"nianbao {' '.join(args)} exited {proc.returncode}\n{proc.stderr[-4000:]!r}")
    return proc


def crawl(
    world: World, data: Path, now: date, *extra: str, check: bool = True
) -> subprocess.CompletedProcess:
    """Crawl the whole world into ``data`` as of ``now``."""
    return nianbao(
        "crawl",
        "--data",
        str(data),
        "--sources",
        str(world.sources),
        "--profile",
        "sim",
        *extra,
        now=now,
        check=check,
    )


def query(data: Path, sql: str, args: tuple = ()) -> list[dict]:
    """Rows of a read-only query on the archive."""
    con = sqlite3.connect(f"file:{data / 'archive.db'}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql, args)]
    finally:
        con.close()


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1, default=str)
