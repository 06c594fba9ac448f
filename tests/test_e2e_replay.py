"""End to end on real pages: a portal's saved annual-report columns replayed over HTTP and crawled
by the real spider (issue 12).

The pages are the corpus's raw files (tests/corpus/), served at their original paths by
:mod:`tests.replay`; each listing case becomes one source of the registry.  The crawl must follow
every report link its listing is labelled with, take nothing else for a report, and — where the
corpus holds the detail page (a page it does not hold answers 404, as one never saved) — find the
report with its labelled year, published date and attachments.
"""

from __future__ import annotations

import json

import pytest

from tests.corpus.corpus import Case
from tests.replay import Portal, path_of, portal, serve
from tests.simcrawl import nianbao, query

pytestmark = pytest.mark.slow

# Portals the archive of real pages covers (platform): 平潭 (Fujian provincial TRS, 动静结合 lists).
HOSTS = ("www.pingtan.gov.cn",)
NOW = "2026-06-01"
MIN_SAVED_REPORTS = 6  # labelled reports whose detail page the corpus holds (rw-0001..0003, rx-0006..0008)


def _registry(p: Portal, base_url: str) -> str:
    """One source per saved listing page, as an operator would register the column: its body,
    and the other names its reports in the column were published under (the listing's other_names)."""
    blocks = []
    for case in p.listings:
        former = case.data.get("other_names") or []
        blocks.append(
            f'[[source]]\nid = "{case.id}"\nagency = "{case.data["body"]}"\nlevel = "other"\n'
            f'kind = "dept"\nurls = ["{base_url}{path_of(case.url)}"]\nother_names = {json.dumps(former, ensure_ascii=False)}\n'
        )
    return "\n".join(blocks)


@pytest.fixture(scope="module", params=HOSTS)
def replayed(request, tmp_path_factory):
    p = portal(request.param)
    assert p.listings, f"no saved listing page of {request.param}"
    tmp = tmp_path_factory.mktemp("replay")
    data = tmp / "data"
    with serve(p) as replay:
        sources = tmp / "sources.toml"
        sources.write_text(_registry(p, replay.base_url), encoding="utf-8")
        nianbao("crawl", "--data", str(data), "--sources", str(sources), "--profile", "sim", now=NOW)
        reports = query(data, "SELECT source_id, url, report_year, published_at FROM reports")
        attachments = query(
            data, "SELECT r.url AS report, a.url FROM attachments a JOIN reports r ON r.id = a.report_id"
        )
    return p, replay, reports, attachments


def _expected(case: Case) -> set[tuple[str, int]]:
    return {(path_of(r["url"]), r["year"]) for r in case.data["labels"]["reports"]}


def test_every_labelled_report_link_is_followed(replayed):
    p, replay, _, _ = replayed
    for case in p.listings:
        assert {path for path, _ in _expected(case)} <= set(replay.served), case.id


def test_every_saved_labelled_report_is_found_with_its_year(replayed):
    p, replay, reports, _ = replayed
    saved = set(p.pages())
    checked = 0
    for case in p.listings:
        found = {(path_of(r["url"]), r["report_year"]) for r in reports if r["source_id"] == case.id}
        expected = {(path, year) for path, year in _expected(case) if path in saved}
        assert expected <= found, case.id
        checked += len(expected)
    assert checked >= MIN_SAVED_REPORTS


def test_nothing_else_is_taken_for_a_report(replayed):
    p, replay, reports, _ = replayed
    for case in p.listings:
        found = {path_of(r["url"]) for r in reports if r["source_id"] == case.id}
        assert found <= {path for path, _ in _expected(case)}, case.id


def test_the_listings_were_read_from_the_replay(replayed):
    p, replay, _, _ = replayed
    assert {path_of(c.url) for c in p.listings} <= set(replay.served)


def test_saved_detail_pages_give_their_labelled_date_and_attachments(replayed):
    p, replay, reports, attachments = replayed
    details = [c for c in p.reports if c.data["kind"] == "html" and c.data["labels"].get("is_annual_report")]
    by_path = {path_of(r["url"]): r for r in reports}
    checked = 0
    for case in details:
        row = by_path.get(path_of(case.url))
        if row is None:
            continue  # a report of a column whose listing page is not saved
        labels = case.data["labels"]
        if labels.get("published_at"):
            assert (row["published_at"] or "")[:10] == labels["published_at"], case.id
            checked += 1
        if "attachments" in labels:
            got = {path_of(a["url"]) for a in attachments if path_of(a["report"]) == path_of(case.url)}
            assert got == {path_of(u) for u in labels["attachments"]}, case.id
            checked += 1
    assert details and checked >= 2 * MIN_SAVED_REPORTS, "saved detail pages unchecked"
