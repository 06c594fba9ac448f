"""End to end: crawl the simulator, extract every page and attachment, search the reports.

A few simulated PDF pages carry almost no text and go to OCR: without Tesseract (chi_sim) they
are ``needs_ocr`` and only the rest of the corpus is checked (NIANBAO_REQUIRE_TOOLS=1: fail)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.simcrawl import crawl, nianbao, query, sim_world
from tests.tools import have

pytestmark = pytest.mark.slow

TODAY = date(2025, 4, 10)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("extract")
    with sim_world(tmp, seed=11, agencies=12, today=TODAY, troubles=False) as world:
        data = tmp / "data"
        crawl(world, data, TODAY)
        first = nianbao("extract", "--data", str(data), "--sources", str(world.sources), now=TODAY)
        again = nianbao("extract", "--data", str(data), "--sources", str(world.sources), now=TODAY)
        yield world, data, first, again


def test_every_archived_report_file_gets_text(extracted):
    _, data, first, again = extracted
    statuses = {
        r["status"]: r["n"] for r in query(data, "select status, count(*) n from texts group by status")
    }
    assert statuses.get("ok", 0) > 50, statuses
    if have("tesseract"):
        assert not set(statuses) - {"ok", "empty"}, statuses  # the simulator's files are all readable
        assert query(data, "select count(*) n from texts where ocr = 1 and status = 'ok'")[0]["n"] > 0
    else:
        # PDF pages with (almost) no text layer go to OCR: without tesseract only those may wait,
        # marked needs_ocr with the reason; everything else must be readable all the same.
        assert not set(statuses) - {"ok", "empty", "needs_ocr"}, statuses
        waiting = query(data, "select file_type, error from texts where status = 'needs_ocr'")
        assert all(
            r["file_type"] == "pdf" and "no text layer" in r["error"] and "tesseract" in r["error"]
            for r in waiting
        ), waiting
    kinds = {r["file_type"] for r in query(data, "select distinct file_type from texts where status = 'ok'")}
    assert {"html", "pdf", "docx"} <= kinds, kinds
    assert "0 files" in again.stderr or "nothing pending" in again.stderr, again.stderr


def test_each_own_report_has_its_full_text(extracted):
    _, data, *_ = extracted
    missing = query(
        data,
        "select r.id, r.title from reports r left join report_texts t on t.report_id = r.id "
        "where r.own = 1 and t.report_id is null",
    )
    assert not missing, missing[:5]
    rows = query(data, "select text, parts from report_texts")
    assert all("信息公开" in r["text"] for r in rows)
    # stub pages carry their attachment's text
    assert any(any(p["kind"] == "attachment" for p in json.loads(r["parts"])) for r in rows)


def test_search_finds_two_character_terms_and_traditional_queries(extracted):
    _, data, *_ = extracted

    def hits(q, *extra):
        out = nianbao("search", q, "--data", str(data), "--json", "--limit", "1000", *extra).stdout
        return [json.loads(line) for line in out.splitlines()]

    short = hits("复议")
    assert short and all(
        "复议" in h["snippet"] or "复 议" in h["snippet"] or "复议" in h["title"] for h in short[:5]
    )
    assert {h["report_id"] for h in hits("行政复议")} <= {h["report_id"] for h in short}
    assert {h["report_id"] for h in hits("復議")} == {h["report_id"] for h in short}
    year = hits("主动公开", "--year", "2023")
    assert year and all(h["report_year"] == 2023 for h in year)


def test_show_prints_metadata_and_text(extracted):
    _, data, *_ = extracted
    rid = query(data, "select report_id from report_texts limit 1")[0]["report_id"]
    out = nianbao("show", rid, "--data", str(data)).stdout
    assert rid in out and "published" in out and "信息公开" in out
