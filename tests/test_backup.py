"""``nianbao backup`` (issue 13): a consistent copy taken while a crawl runs passes ``verify``, and
a restored copy gives the same search, check and export results as the original."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date

import pytest

from tests.simcrawl import crawl, nianbao, query, sim_world
from tests.test_e2e_reliability import fetch_count

pytestmark = pytest.mark.slow

TODAY = date(2025, 4, 10)


def test_a_backup_taken_during_a_crawl_verifies(tmp_path):
    data, dest = tmp_path / "data", tmp_path / "backup"
    with sim_world(tmp_path, seed=5, agencies=30, today=TODAY) as world:
        env = {**os.environ, "NIANBAO_NOW": str(TODAY)}
        args = ["crawl", "--data", str(data), "--sources", str(world.sources), "--profile", "sim"]
        crawler = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", *args], env=env, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if fetch_count(data) > 40:  # 0 while the archive is being created
                    break
                time.sleep(0.05)
            assert crawler.poll() is None, "the crawl ended before the backup could run during it"
            taken = nianbao("backup", str(dest), "--data", str(data))
        finally:
            crawler.wait(timeout=120)
    assert taken.stdout.startswith("backup: ")
    checked = nianbao("verify", "--data", str(dest), check=False)
    assert checked.returncode == 0 and checked.stdout.startswith("ok:"), checked.stdout + checked.stderr
    copied = query(dest, "select count(*) n from fetches where warc_file is not null")[0]["n"]
    final = query(data, "select count(*) n from fetches where warc_file is not null")[0]["n"]
    assert 40 < copied <= final  # a snapshot of a moment of the crawl, not of its end


def test_backup_refuses_a_directory_that_holds_an_archive(tmp_path):
    with sim_world(tmp_path, seed=5, agencies=3, today=TODAY, troubles=False) as world:
        crawl(world, tmp_path / "data", TODAY)
    first = nianbao("backup", str(tmp_path / "b"), "--data", str(tmp_path / "data"))
    assert first.returncode == 0
    again = nianbao("backup", str(tmp_path / "b"), "--data", str(tmp_path / "data"), check=False)
    assert again.returncode == 2 and "already holds an archive" in again.stderr
    missing = nianbao("backup", str(tmp_path / "c"), "--data", str(tmp_path / "none"), check=False)
    assert missing.returncode == 2 and "no archive" in missing.stderr


def test_a_restored_backup_answers_as_the_original(tmp_path):
    data, dest = tmp_path / "data", tmp_path / "backup"
    with sim_world(tmp_path, seed=8, agencies=12, today=TODAY, troubles=False) as world:
        crawl(world, data, TODAY)
        sources = str(world.sources)
        nianbao("extract", "--data", str(data), now=TODAY)
        nianbao("backup", str(dest), "--data", str(data), "--link", now=TODAY)

        def answers(root) -> dict:
            out = tmp_path / f"export-{root.name}"
            nianbao(
                "export",
                "--data",
                str(root),
                "--sources",
                sources,
                "--format",
                "json",
                "--out",
                str(out),
                now=TODAY,
            )
            return {
                "search": nianbao("search", "依申请 复议", "--data", str(root), "--json", now=TODAY).stdout,
                "check": nianbao(
                    "check", "--data", str(root), "--sources", sources, "--json", now=TODAY
                ).stdout,
                "export": (out / "reports.jsonl").read_text(encoding="utf-8"),
                "verify": nianbao("verify", "--data", str(root)).stdout.split(",")[0],
            }

        original, restored = answers(data), answers(dest)
    assert original["search"].count("\n") >= 3 and original["export"].count("\n") >= 10
    assert restored == original
