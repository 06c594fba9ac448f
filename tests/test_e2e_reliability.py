"""A crawl SIGKILLed mid-run leaves a readable, verifiable archive; the next crawl completes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date

import pytest

from tests.simcrawl import nianbao, query, sim_world

pytestmark = pytest.mark.slow

TODAY = date(2025, 4, 10)


def fetch_count(data) -> int:
    try:
        con = sqlite3.connect(f"file:{data / 'archive.db'}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("select count(*) from fetches").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def test_sigkill_mid_crawl_then_verify_and_resume(tmp_path):
    with sim_world(tmp_path, seed=3, agencies=40, today=TODAY) as world:
        data = tmp_path / "data"
        args = [
            sys.executable,
            "-m",
            "crawler.cli",
            "crawl",
            "--data",
            str(data),
            "--sources",
            str(world.sources),
            "--profile",
            "sim",
        ]
        env = {**os.environ, "NIANBAO_NOW": TODAY.isoformat()}
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while fetch_count(data) < 150 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "the crawl finished before it could be killed; use a bigger world"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        killed_at = fetch_count(data)
        assert killed_at >= 150

        out = nianbao("verify", "--data", str(data))
        assert out.stdout.startswith("ok:"), out.stdout + out.stderr
        run1 = query(data, "select finished_at from runs where id = 1")[0]
        assert run1["finished_at"] is None  # the killed run is visibly unfinished

        nianbao(
            "crawl",
            "--data",
            str(data),
            "--sources",
            str(world.sources),
            "--profile",
            "sim",
            now=TODAY.isoformat() + "T18:00:00+08:00",
        )
        assert query(data, "select finish_reason from runs where id = 2")[0]["finish_reason"] == "finished"
        dup = query(data, "select url, count(*) n from reports group by source_id, url having n > 1")
        assert not dup
        assert (
            query(data, "select count(*) n from documents")[0]["n"]
            == query(data, "select count(distinct url) n from documents")[0]["n"]
        )
        truth = world.truth(TODAY)
        want = {
            (t["source"], t["year"]) for t in truth if t["reachable"] and t["status"] in ("on_time", "late")
        }
        got = {(r["source_id"], r["report_year"]) for r in query(data, "select * from reports where own = 1")}
        assert want <= got, sorted(want - got)[:10]
        assert nianbao("verify", "--data", str(data)).stdout.startswith("ok:")
