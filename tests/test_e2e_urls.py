"""One URL identity end to end (issue 13): a simulated world whose portals name report files in
Chinese with spaces — linked raw on some pages, percent-encoded on others — is crawled twice;
the second crawl fetches no report or attachment body again and adds no row."""

from __future__ import annotations

from datetime import date

import pytest

from tests.simcrawl import crawl, query, sim_world

pytestmark = pytest.mark.slow

TODAY = date(2025, 4, 10)
TABLES = ("documents", "reports", "attachments", "versions")
UNICODE = "url like '%\\%E5\\%%' escape '\\' or url like '%\\%20%' escape '\\'"


def _counts(data):
    return {t: query(data, f"select count(*) n from {t}")[0]["n"] for t in TABLES}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("urls")
    data = tmp / "data"
    with sim_world(tmp, seed=4, agencies=24, today=TODAY, troubles=False) as world:
        crawl(world, data, TODAY)
        first = _counts(data)
        crawl(world, data, TODAY)
    return data, first


def test_files_named_in_chinese_are_stored_once_in_the_form_fetched(crawled):
    data, _ = crawled
    named = query(data, f"select report_id, url from attachments where {UNICODE}")
    assert len(named) >= 10, "the world names too few files in Chinese to mean anything"
    assert not [
        r
        for r in query(data, "select url from attachments union select url from reports")
        if " " in r["url"] or not r["url"].isascii()
    ]
    requested = {
        r["url"]: r["status"]
        for r in query(data, f"select url, max(status) status from fetches where {UNICODE} group by 1")
    }
    assert {r["url"] for r in named} <= set(requested)  # each requested under its stored form
    assert sum(status == 200 for status in requested.values()) >= 10  # (a few are broken links: 404)


def test_a_recrawl_of_an_unchanged_world_fetches_no_body_again_and_adds_no_row(crawled):
    data, first = crawled
    assert _counts(data) == first
    runs = [r["id"] for r in query(data, "select id from runs order by id")]
    again = query(
        data,
        "select url, status from fetches where run_id = ? and kind in ('detail', 'attachment') and status = 200",
        (runs[-1],),
    )
    assert again == []
    sizes = {
        r["run_id"]: r["b"]
        for r in query(data, "select run_id, sum(coalesce(size, 0)) b from fetches group by 1")
    }
    assert sizes[runs[-1]] <= 0.10 * sizes[runs[0]]
