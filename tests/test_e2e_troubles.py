"""Bad input ends as recorded fetches and the run finishes: timeouts, refused connections,
oversized files, and a --years backfill that keeps only the years asked for."""

from __future__ import annotations

import socket
from datetime import date

import pytest

from tests.simcrawl import crawl, nianbao, query, sim_world

pytestmark = pytest.mark.slow

TODAY = date(2025, 4, 10)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_timeouts_refusals_and_oversized_files_are_recorded(tmp_path):
    with sim_world(tmp_path, seed=4, agencies=40, today=TODAY) as world:
        world.add_source("refused", "无法连接县人民政府", f"http://127.0.0.1:{closed_port()}/zfxxgknb/")
        data = tmp_path / "data"
        crawl(
            world,
            data,
            TODAY,
            "-s",
            "DOWNLOAD_TIMEOUT=0.6",
            "-s",
            "RETRY_TIMES=1",
            "-s",
            "DOWNLOAD_MAXSIZE=15000",
        )
        errors = [r["error"] for r in query(data, "select error from fetches where error is not null")]
        assert any("Timeout" in e for e in errors), errors
        assert any("Refused" in e for e in errors), errors
        assert any("max" in e.lower() and "size" in e.lower() for e in errors), errors
        assert query(data, "select finish_reason from runs")[0]["finish_reason"] == "finished"
        refused = query(data, "select * from source_runs where source_id = 'refused'")[0]
        assert refused["status"] == "unreachable:refused" and "error:" in refused["detail"]
        # each failure is a WARC record too, and the archive verifies
        assert (
            query(data, "select count(*) n from fetches where record_type = 'failure' and warc_file is null")[
                0
            ]["n"]
            == 0
        )
        assert nianbao("verify", "--data", str(data)).stdout.startswith("ok:")


def test_years_restricts_the_crawl_to_those_report_years(tmp_path):
    with sim_world(tmp_path, seed=6, agencies=8, today=TODAY, troubles=False) as world:
        data = tmp_path / "data"
        crawl(world, data, TODAY, "--years", "2022-2023")
        years = {r["report_year"] for r in query(data, "select distinct report_year from reports")}
        assert years == {2022, 2023}
        truth = world.truth(TODAY)
        want = {
            (t["source"], t["year"])
            for t in truth
            if t["reachable"] and t["status"] in ("on_time", "late") and t["year"] in (2022, 2023)
        }
        got = {(r["source_id"], r["report_year"]) for r in query(data, "select * from reports where own = 1")}
        assert want == got
        # a full crawl the next day still finds every other year: pages seen during the backfill
        # without a report (other years) are not mistaken for known reports
        crawl(world, data, date(2025, 4, 11))
        everything = {
            (t["source"], t["year"]) for t in truth if t["reachable"] and t["status"] in ("on_time", "late")
        }
        got = {(r["source_id"], r["report_year"]) for r in query(data, "select * from reports where own = 1")}
        assert everything == got


def test_crawl_without_storage_runs(tmp_path):
    with sim_world(tmp_path, seed=6, agencies=3, today=TODAY, troubles=False) as world:
        data = tmp_path / "data"
        out = crawl(world, data, TODAY, "-s", "NIANBAO_STORE_ENABLED=False")
        assert "crawl finished" in out.stderr and not (data / "archive.db").exists()
