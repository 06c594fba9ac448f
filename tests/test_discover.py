"""Discovery (issue 15): the pure recognisers on real and hand-made pages, listing confirmation
on the real corpus, ``nianbao discover`` on simulated portals against their truth, and
``sources add`` → ``run`` → ``check`` without editing TOML by hand."""

from __future__ import annotations

import json
import tomllib
from datetime import date

import pytest

from crawler.recognize.discovery import (
    ColumnCheck,
    Link,
    body_kind,
    body_name,
    confirm_column,
    endpoint_links,
    link_score,
    looks_like_body,
    page_links,
    same_site,
    site_name,
)
from crawler.recognize.encoding import decode_body
from crawler.registry.sources import load_sources
from portalsim import discovery_truth, start_server
from tests.corpus.corpus import load
from tests.simcrawl import nianbao, query

BASE = "http://www.example.gov.cn/zwgk/"


# -- links and scores --------------------------------------------------------------------------------


def test_page_links_read_anchors_script_menus_records_and_endpoints():
    html = """<html><body>
    <a href="../zfxxgk/" title="政府信息公开">政府信息公开</a>
    <a href="javascript:void(0)">x</a><a href="/logo.png">logo</a>
    <script>var menus = [{"name": "政府信息公开年报", "url": "/zfxxgknb/"}];
      fetch("/xxgk/bmnb.json").then(function (r) { return r.json(); });</script>
    <script type="text/xml"><datastore><recordset>
      <record><![CDATA[<li><a href="/a2/nb/" title="某市教育局">某市教育局</a></li>]]></record>
    </recordset></datastore></script>
    </body></html>"""
    links = {link.url: link for link in page_links(html, BASE + "index.html")}
    assert links["http://www.example.gov.cn/zfxxgk/"].text == "政府信息公开"
    assert links["http://www.example.gov.cn/zfxxgknb/"].text == "政府信息公开年报"
    assert links["http://www.example.gov.cn/xxgk/bmnb.json"].endpoint
    assert links["http://www.example.gov.cn/a2/nb/"].text == "某市教育局"
    assert not [u for u in links if u.endswith(".png") or "javascript" in u]


def test_endpoint_links_read_json_with_any_name_key_and_xml():
    body = json.dumps(
        {
            "total": 2,
            "rows": [
                {"unitName": "某县公安局", "url": "/a1/nb/"},
                {"title": "某县民政局", "href": "/a2/nb/"},
            ],
        }
    )
    links = endpoint_links(body, "http://h.gov.cn/x/bmnb.json")
    assert [(link.url, link.text) for link in links] == [
        ("http://h.gov.cn/a1/nb/", "某县公安局"),
        ("http://h.gov.cn/a2/nb/", "某县民政局"),
    ]
    xml = '<menu><item name="政府信息公开年报" url="/nb/"/><item><name>部门年报</name><url>/bmnb/</url></item></menu>'
    assert [link.text for link in endpoint_links(xml, "http://h.gov.cn/m.xml")] == [
        "政府信息公开年报",
        "部门年报",
    ]


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("政府信息公开年报", 100),
        ("政府信息公开工作年度报告", 100),
        ("信息公开年报", 100),
        ("本级政府年报", 100),
        ("部门年报", 80),
        ("乡镇（街道）年报", 80),
        ("政府信息公开", 60),
        ("法定主动公开内容", 60),
        # decoys and items are not followed
        ("统计公报", 0),
        ("政务公开工作要点", 0),
        ("政府工作报告", 0),
        ("政府信息公开工作年度报告格式", 0),
        ("关于印发政府信息公开工作年度报告格式的通知", 0),
        ("某市2023年政府信息公开工作年度报告", 0),
        ("政府信息公开指南", 0),
        ("", 0),
    ],
)
def test_link_scores_follow_anchor_text_not_slugs(text, score):
    assert link_score(Link("http://h.gov.cn/zfgzbg/", text)) == score


def test_bodies_and_their_kinds():
    assert (
        looks_like_body("某市财政局")
        and looks_like_body("城关镇人民政府")
        and looks_like_body("某街道办事处")
    )
    assert not looks_like_body("政府信息公开年报") and not looks_like_body("统计公报")
    assert body_kind("长沙市芙蓉区人民政府") == ("county", "region")
    assert body_kind("长沙市教育局") == ("city_dept", "dept")
    assert body_kind("城关镇人民政府") == ("township", "township")
    assert body_kind("某某") == (None, None)


def test_a_column_belongs_to_the_body_its_index_names_then_its_site():
    check = ColumnCheck(True, "", agencies=__import__("collections").Counter({"某省人民政府": 3}), reports=3)
    assert body_name(check, "某市审计局", "某市人民政府") == ("某市审计局", "index")
    # re-posts of a superior's reports do not make the column the superior's when the site says whose it is
    assert body_name(check, None, "某省人民政府") == ("某省人民政府", "site")
    office = ColumnCheck(
        True, "", agencies=__import__("collections").Counter({"某县人民政府办公室": 2}), reports=2
    )
    assert body_name(office, None, "某县人民政府") == ("某县人民政府", "site")
    assert body_name(check, None, None) == ("某省人民政府", "titles")


def test_site_names_and_same_site():
    html = "<html><head><title>部门年报_丰镕市人民政府</title></head></html>"
    assert site_name(html) == "丰镕市人民政府"
    assert site_name('<meta name="SiteName" content="某县人民政府">') == "某县人民政府"
    assert same_site("http://jyj.changsha.gov.cn/nb/", "http://www.changsha.gov.cn/")
    assert not same_site("http://www.hunan.gov.cn/", "http://www.changsha.gov.cn/")
    assert same_site("http://127.0.0.1:8000/a2/", "http://127.0.0.1:8000/a1/")
    assert not same_site("http://127.0.0.2:8000/", "http://127.0.0.1:8000/")


# -- listing confirmation on real pages ---------------------------------------------------------------


def test_real_columns_are_confirmed_and_real_detail_pages_are_not():
    """Every real annual-report column of the corpus (16 listing pages, one platform) is a column;
    no real detail page — a report or a negative that looks like one — is taken for one."""
    listings = [c for c in load("listings") if c.data.get("column", "annual_report") != "decoy"]
    assert len(listings) >= 16
    for case in listings:
        text, _ = decode_body(case.body(), case.data.get("content_type"))
        check = confirm_column(text, case.url)
        assert check.is_column, (case.id, check.reason)
        labelled = {r["year"] for r in case.data["labels"]["reports"]}
        # the years it saw are the column's (listing recognition itself is scored by test_truth)
        assert len(set(check.years) & labelled) >= 0.8 * len(labelled), case.id
    pages = [c for c in load("reports") if c.data.get("kind") == "html"]
    assert pages
    for case in pages:
        text, _ = decode_body(case.body(), case.data.get("content_type"))
        assert not confirm_column(text, case.url or BASE).is_column, case.id


def test_real_decoy_columns_are_not_confirmed():
    """Every real decoy column of the corpus — a listing page that looks like an annual-report
    column but is not one (统计公报, 政府工作报告, 规划计划, 预决算 …) — is rejected, even when a
    stray annual report is filed in it."""
    decoys = [c for c in load("listings") if c.data.get("column") == "decoy"]
    assert len(decoys) >= 9
    for case in decoys:
        text, _ = decode_body(case.body(), case.data.get("content_type"))
        check = confirm_column(text, case.url)
        assert not check.is_column, (case.id, case.data["decoy"], check.reason)


def test_a_template_notice_column_and_a_news_column_are_not_columns():
    items = "".join(
        f'<li><a href="./2024{m:02d}/t2024{m:02d}01_{m}.html" title="{t}">{t}</a><span>2024-{m:02d}-01</span></li>'
        for m, t in enumerate(
            [
                "关于印发政府信息公开工作年度报告格式的通知",
                "关于做好2023年度政府信息公开工作年度报告编制发布工作的通知",
                "2023年统计公报",
                "政务公开工作要点",
            ],
            1,
        )
    )
    html = f'<html><body><ul class="list">{items}</ul></body></html>'
    check = confirm_column(html, BASE)
    assert not check.is_column and check.reports == 0


# -- end to end on simulated portals ------------------------------------------------------------------

TODAY = date(2025, 4, 10)
SEED, AGENCIES = 3, 120


@pytest.fixture(scope="module")
def portals():
    server = start_server(SEED, AGENCIES, TODAY, troubles=False)
    try:
        yield server, discovery_truth(SEED, AGENCIES, base_url=server.base_url)
    finally:
        server.shutdown()


@pytest.mark.slow
def test_discover_finds_the_columns_of_simulated_portals_and_no_decoy(portals, tmp_path):
    server, truth = portals
    urls = [p["url"] for p in truth["portals"] if p["reachable"]]
    proc = nianbao(
        "discover", *urls, "--data", str(tmp_path / "data"), "--profile", "sim", "--json", now=TODAY
    )
    proposals = json.loads(proc.stdout)
    sure = {p["urls"][0]: p for p in proposals if not p["doubt"]}
    bodies = {u: b for b in truth["bodies"] if b["reachable"] and not b.get("blocked") for u in b["urls"]}
    decoys = {d["url"] for d in truth["decoys"]}
    found = set(sure) & set(bodies)
    assert len(found) >= 0.98 * len(bodies), sorted(set(bodies) - found)[:5]
    assert not set(sure) & decoys
    assert len(set(sure) - set(bodies)) <= 0.01 * len(sure)
    named = sum(
        sure[u]["agency"] == bodies[u]["agency"] and sure[u]["level"] == bodies[u]["level"] for u in found
    )
    assert named >= 0.98 * len(found)
    # every page was archived like a crawl, under a run recorded as discover
    runs = query(tmp_path / "data", "select command from runs")
    assert [r["command"] for r in runs] == ["discover"]
    kinds = {r["kind"] for r in query(tmp_path / "data", "select distinct kind from fetches")}
    assert "discovery" in kinds
    # the TOML it prints is a valid registry of the sure ones
    toml = nianbao(
        "discover", urls[0], "--data", str(tmp_path / "data"), "--profile", "sim", now=TODAY
    ).stdout
    path = tmp_path / "proposed.toml"
    path.write_text(toml, encoding="utf-8")
    registry = load_sources(path)
    assert registry and all(s.urls[0] in bodies for s in registry)
    assert len(tomllib.loads(toml)["source"]) == len(registry)


@pytest.mark.slow
def test_sources_add_then_run_and_check_without_editing_toml(portals, tmp_path):
    server, truth = portals
    portal = next(p for p in truth["portals"] if p["reachable"])
    mine, data = tmp_path / "mine.toml", tmp_path / "data"
    out = nianbao(
        "sources", "add", portal["url"], "--to", str(mine), "--data", str(data), "--profile", "sim", now=TODAY
    ).stdout
    added = load_sources(mine)
    expected = {
        u
        for b in truth["bodies"]
        if b["portal"] == portal["portal"] and not b.get("blocked")
        for u in b["urls"]
    }
    assert {s.urls[0] for s in added} == expected
    assert "report(s) listed" in out
    # the registry written is the data directory's own: run and check need no --sources
    nianbao("run", "--data", str(data), "--profile", "sim", now=TODAY)
    verdicts = json.loads(nianbao("check", "--data", str(data), "--json", now=TODAY).stdout)
    assert {v["source"] for v in verdicts} == {s.id for s in added}
    assert {v["status"] for v in verdicts} - {
        "on_time",
        "late",
        "missing",
        "not_online",
        "pending",
        "unknown",
    } == set()
    # adding again adds nothing
    again = nianbao(
        "sources", "add", portal["url"], "--to", str(mine), "--data", str(data), "--profile", "sim", now=TODAY
    ).stdout
    assert "added 0 of" in again and len(load_sources(mine)) == len(added)
