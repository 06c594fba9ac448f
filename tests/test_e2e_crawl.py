"""End to end over real HTTP: crawl the simulator and score the archive against its truth."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import pytest

from crawler.recognize.titles import recognize_title
from tests.simcrawl import crawl, dumps, nianbao, query, sim_world

pytestmark = pytest.mark.slow

SEED, AGENCIES = 11, 40
TODAY = date(2025, 4, 10)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    with sim_world(tmp, seed=SEED, agencies=AGENCIES, today=TODAY) as world:
        data = tmp / "data"
        first = crawl(world, data, TODAY)
        runs_after_first = {
            k: query(data, f"select count(*) n from {k}")[0]["n"]
            for k in ("reports", "versions", "documents")
        }
        second = crawl(world, data, date(2025, 4, 11))
        yield world, data, first, second, runs_after_first


def published(truth):
    return {(t["source"], t["year"]) for t in truth if t["reachable"] and t["status"] in ("on_time", "late")}


def test_every_published_report_on_a_reachable_source_is_found(crawled):
    world, data, *_ = crawled
    truth = world.truth(TODAY)
    found = {(r["source_id"], r["report_year"]) for r in query(data, "select * from reports where own = 1")}
    missed = published(truth) - found
    assert not missed, f"{len(missed)} published reports not found: {sorted(missed)[:20]}"


def test_no_news_commentary_or_other_body_item_is_taken_for_the_agencys_report(crawled):
    world, data, *_ = crawled
    truth = world.truth(TODAY)
    expected = published(truth)
    own = query(data, "select source_id, report_year, title, url, agency from reports where own = 1")
    wrong = [r for r in own if (r["source_id"], r["report_year"]) not in expected]
    assert not wrong, dumps(wrong[:10])
    for row in own:
        assert not recognize_title(row["title"]).reason.startswith("excluded"), row
    # the columns do carry other bodies' reports: they are recorded, but never as own
    assert query(data, "select count(*) n from reports where own = 0")[0]["n"] > 0


def test_blocked_sources_are_recorded_as_blocked(crawled):
    world, data, *_ = crawled
    truth = world.truth(TODAY)
    unreachable = {t["source"] for t in truth if not t["reachable"]}
    assert unreachable, "the world should have blocked sites"
    status = {r["source_id"]: r["status"] for r in query(data, "select * from source_runs where run_id = 1")}
    for source in unreachable:
        assert status[source].startswith("blocked:"), (source, status[source])
    reachable = {t["source"] for t in truth} - unreachable
    assert all(status[s] in ("ok", "empty") for s in reachable), {
        s: status[s] for s in reachable if status[s] not in ("ok", "empty")
    }
    blocks = query(data, "select block, count(*) n from fetches where block is not null group by block")
    assert blocks and all(
        b["block"] in ("ruishu", "jiasule", "waf", "edgeone", "wzws", "tiny") for b in blocks
    )


def test_every_trouble_ends_as_a_recorded_fetch(crawled):
    _, data, first, *_ = crawled
    statuses = Counter(r["status"] for r in query(data, "select status from fetches where run_id = 1"))
    assert statuses[503] > 0 and statuses[404] > 0 and statuses[301] > 0, statuses
    assert statuses[200] > 100
    # every fetch points at a WARC record, and the archive verifies
    assert query(data, "select count(*) n from fetches where warc_file is null")[0]["n"] == 0
    out = nianbao("verify", "--data", str(data))
    assert out.stdout.startswith("ok:"), out.stdout


def test_gbk_pages_are_archived_raw_and_decoded(crawled):
    _, data, *_ = crawled
    rows = query(
        data, "select payload_sha256 from fetches where content_type like '%gb2312%' and status = 200 limit 1"
    )
    assert rows
    digest = rows[0]["payload_sha256"]
    raw = nianbao("raw", digest[:12], "--data", str(data), text=False).stdout
    assert hashlib.sha256(raw).hexdigest() == digest  # the bytes as served, not re-encoded
    url = query(data, "select url from fetches where payload_sha256 = ? and status = 200 limit 1", (digest,))[
        0
    ]["url"]
    parts = urlsplit(url)
    shouted = urlunsplit(parts._replace(netloc=parts.netloc.upper(), fragment="page2"))
    by_url = nianbao("raw", shouted, "--data", str(data), text=False)
    assert by_url.stdout == raw  # by URL too, whatever the host's case
    missing = nianbao("raw", url + "-nothing", "--data", str(data), check=False)
    assert missing.returncode == 1 and "no archived capture of this URL" in missing.stderr
    assert "年度报告" in raw.decode("gb18030") and b"charset=gb2312" in raw
    titles = [
        r["title"] for r in query(data, "select title from reports where cms = 'trs' and own = 1 limit 5")
    ]
    assert titles and all("年度报告" in t or "情况的报告" in t for t in titles)


def test_dates_keep_their_provenance(crawled):
    _, data, *_ = crawled
    sources = Counter(
        r["published_at_source"] for r in query(data, "select published_at_source from reports where own = 1")
    )
    assert sources["meta"] > 0 and sources["page"] > 0, sources
    untrusted = query(
        data, "select date_candidates from reports where date_candidates like '%\"trusted\": false%'"
    )
    assert untrusted, "the world has PubDate = regeneration time pages; they must be marked untrusted"


def test_recrawl_of_unchanged_world_adds_no_versions_or_reports(crawled):
    _, data, _, _, after_first = crawled
    after_second = {k: query(data, f"select count(*) n from {k}")[0]["n"] for k in ("reports", "versions")}
    assert after_second["reports"] == after_first["reports"]
    assert after_second["versions"] == after_first["versions"]
    bytes_by_run = {
        r["run_id"]: r["b"] for r in query(data, "select run_id, sum(size) b from fetches group by run_id")
    }
    assert bytes_by_run[2] <= 0.10 * bytes_by_run[1], bytes_by_run
    # a re-crawl that mostly confirms (304, skipped as fresh) keeps every source's status
    status = {(r["run_id"], r["source_id"]): r["status"] for r in query(data, "select * from source_runs")}
    for (run, source), value in status.items():
        if run == 1:
            assert status[(2, source)] == value, (source, value, status[(2, source)])
    # redirected detail URLs are known too, so they are not re-fetched inside the revisit interval
    assert not query(data, "select url from fetches where run_id = 2 and status = 301")


def test_unchanged_listings_are_confirmed_by_304_and_replayed_from_the_archive(crawled):
    _, data, *_ = crawled
    first = {
        (r["source_id"], r["url"]): r
        for r in query(data, "select * from listing_snapshots where run_id = 1 and status = 'ok'")
    }
    second = query(
        data,
        "select s.*, f.status http from listing_snapshots s join fetches f on f.id = s.fetch_id "
        "where s.run_id = 2 and s.status = 'ok'",
    )
    replayed = [s for s in second if s["http"] == 304]
    assert len(replayed) >= 0.5 * len(second) > 0
    for snap in replayed:
        before = first.get((snap["source_id"], snap["url"]))
        if before is None:  # Hanweb record windows are POSTs, fetched in full
            continue
        assert snap["basis_fetch_id"] != snap["fetch_id"]
        assert snap["report_urls"] == before["report_urls"], snap["url"]
    # every report the first crawl saw is still seen (listed) by the second
    stale = query(data, "select id from reports where own = 1 and last_seen_at < '2025-04-11'")
    assert not stale, stale[:5]
