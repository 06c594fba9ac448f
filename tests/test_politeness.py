"""Polite by default: robots.txt obeyed, ≤ 2 concurrent requests per host, a descriptive UA."""

from __future__ import annotations

from datetime import date

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.stages.crawl import build_settings
from tests.simcrawl import nianbao, query, sim_world

pytestmark = pytest.mark.slow

TODAY = date(2025, 4, 10)


def test_default_settings_are_polite():
    s = build_settings()
    assert s.getbool("ROBOTSTXT_OBEY")
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert s.getbool("AUTOTHROTTLE_ENABLED") and s.getfloat("DOWNLOAD_DELAY") >= 1
    assert s.getint("RETRY_TIMES") >= 1 and s.getint("DOWNLOAD_MAXSIZE") > 0
    assert "nianbao/" in s["USER_AGENT"] and s["NIANBAO_CONTACT_URL"] in s["USER_AGENT"]
    custom = build_settings({"NIANBAO_CONTACT_URL": "mailto:ops@example.org"})
    assert "+mailto:ops@example.org" in custom["USER_AGENT"]


def test_polite_crawl_obeys_robots_and_per_host_concurrency(tmp_path):
    with sim_world(tmp_path, seed=2, agencies=3, today=TODAY, troubles=False) as world:
        base = world.server.base_url
        # one extra source whose column sits under a path robots.txt disallows
        world.add_source("robots-test", "禁止抓取县人民政府", f"{base}/a00001/search/?q=年报")
        data = tmp_path / "data"
        nianbao(
            "crawl",
            "--data",
            str(data),
            "--sources",
            str(world.sources),
            "-s",
            "DOWNLOAD_DELAY=0.02",
            "-s",
            "AUTOTHROTTLE_START_DELAY=0.02",
            "-s",
            "NIANBAO_CONTACT_URL=mailto:ops@example.org",
            now=TODAY,
        )
        stats = world.server.stats()
        assert stats["max_in_flight"] <= 2, stats
        assert not query(data, "select url from fetches where url like '%/search/%'")
        status = {r["source_id"]: r for r in query(data, "select * from source_runs")}
        assert (
            status["robots-test"]["status"] == "unreachable:robots"
            and "robots" in status["robots-test"]["detail"]
        )
        assert (
            query(data, "select count(*) n from fetches where kind = 'robots' and status = 200")[0]["n"] == 1
        )
        agents = set()
        for path in (data / "warc").glob("*.warc.gz"):
            with open(path, "rb") as fh:
                for rec in ArchiveIterator(fh):
                    if rec.rec_type == "request":
                        agents.add(rec.http_headers.get_header("User-Agent"))
        assert agents and all("+mailto:ops@example.org" in a for a in agents), agents
