"""Crash campaigns (issue 13): SIGKILL a stage at a random point, then check that the archive
is intact and that the next run ends exactly where an uninterrupted one does.

Used by ``bench/chaos.py`` (20 kills per stage) and, in a short version, by
``tests/test_chaos.py``.  Every command is the real CLI in a subprocess, killed with its whole
process group (workers included), on a simulated world served over HTTP.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from portalsim.server import start_server
from portalsim.truth import render_sources_toml

TODAY = date(2025, 4, 10)
STAGES = ("crawl", "extract", "check", "run")


@dataclass
class World:
    root: Path
    sources: Path
    seconds: dict[str, float] = field(default_factory=dict)  # how long each stage takes, uninterrupted
    reference: dict | None = None
    crawled: Path | None = None  # a data directory crawled, not extracted
    extracted: Path | None = None  # crawled and extracted, not checked


def command(stage: str, data: Path, sources: Path) -> list[str]:
    args = {
        "crawl": ["crawl", "--profile", "sim"],
        "extract": ["extract"],
        "check": ["check"],
        "run": ["run", "--profile", "sim"],
        "verify": ["verify"],
    }[stage]
    needs_sources = stage not in ("extract", "verify")
    return [
        sys.executable,
        "-m",
        "crawler.cli",
        *args,
        "--data",
        str(data),
        *(["--sources", str(sources)] if needs_sources else []),
    ]


def nianbao(stage: str, data: Path, sources: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "NIANBAO_NOW": TODAY.isoformat()}
    return subprocess.run(
        command(stage, data, sources), env=env, capture_output=True, text=True, timeout=timeout
    )


def snapshot(data: Path) -> dict:
    """What must come out the same: the reports, their texts, the verdicts."""
    con = sqlite3.connect(f"file:{data / 'archive.db'}?mode=ro", uri=True)
    try:
        reports = sorted(con.execute("select id, url, report_year, agency, own from reports"))
        texts = sorted(
            (rid, hashlib.sha256((text or "").encode()).hexdigest())
            for rid, text in con.execute("select report_id, text from report_texts")
        )
        verdicts = sorted(con.execute("select source_id, year, status from compliance"))
    finally:
        con.close()
    return {"reports": reports, "texts": texts, "verdicts": verdicts}


@contextmanager
def world(root: Path, *, seed: int = 3, agencies: int = 16) -> Iterator[World]:
    """A simulated world, its registry, and the reference archive of an uninterrupted run."""
    server = start_server(seed, agencies, TODAY, troubles=False)
    try:
        sources = root / "sources.toml"
        sources.write_text(render_sources_toml(seed, agencies, server.base_url), encoding="utf-8")
        w = World(root, sources)
        data = root / "reference"
        for stage in ("crawl", "extract", "check"):
            started = time.monotonic()
            done = nianbao(stage, data, sources)
            assert done.returncode == 0, done.stderr[-2000:]
            w.seconds[stage] = time.monotonic() - started
            if stage == "crawl":
                w.crawled = root / "crawled"
                shutil.copytree(data, w.crawled)
            elif stage == "extract":
                w.extracted = root / "extracted"
                shutil.copytree(data, w.extracted)
        w.seconds["run"] = sum(w.seconds.values())
        w.reference = snapshot(data)
        yield w
    finally:
        server.shutdown()


@dataclass
class Trial:
    stage: str
    killed_after: float
    killed: bool  # False: the stage ended before the kill
    integrity: bool
    verified: bool
    same: bool
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.integrity and self.verified and self.same


def trial(w: World, stage: str, n: int, rng: random.Random) -> Trial:
    """Kill one run of ``stage`` at a random point, check the archive, run on, compare."""
    data = w.root / f"{stage}-{n}"
    shutil.rmtree(data, ignore_errors=True)
    start_from = {"extract": w.crawled, "check": w.extracted}.get(stage)
    if start_from is not None:
        shutil.copytree(start_from, data)
    delay = rng.uniform(0.05, max(0.2, 0.9 * w.seconds[stage]))  # mostly before it would end
    env = {**os.environ, "NIANBAO_NOW": TODAY.isoformat()}
    proc = subprocess.Popen(
        command(stage, data, w.sources),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes its workers too
    )
    try:
        proc.wait(timeout=delay)
        killed = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        killed = True
    integrity, verified, detail = True, True, ""
    if (data / "archive.db").exists():
        con = sqlite3.connect(data / "archive.db")
        try:
            integrity = con.execute("pragma integrity_check").fetchone()[0] == "ok"
        finally:
            con.close()
        out = nianbao("verify", data, w.sources)
        verified = out.returncode == 0
        if not verified:
            detail = (out.stdout + out.stderr)[-600:]
    # the next run: what the scheduler would do after a crash
    follow = {"crawl": ["run"], "run": ["run"], "extract": ["extract", "check"], "check": ["check"]}[stage]
    for step in follow:
        done = nianbao(step, data, w.sources)
        if done.returncode != 0:
            return Trial(
                stage,
                delay,
                killed,
                integrity,
                verified,
                False,
                f"next {step} exited {done.returncode}: {done.stderr[-600:]}",
            )
    got = snapshot(data)
    same = got == w.reference
    if not same:
        diff = {k: (len(got[k]), len(w.reference[k])) for k in got if got[k] != w.reference[k]}
        detail += f" differs from the uninterrupted run: {diff}"
    shutil.rmtree(data, ignore_errors=True)
    return Trial(stage, delay, killed, integrity, verified, same, detail.strip())


def campaign(w: World, per_stage: int, seed: int = 1) -> list[Trial]:
    rng = random.Random(seed)
    return [trial(w, stage, n, rng) for stage in STAGES for n in range(per_stage)]
