"""``parse_page``: the ``nianbao parse --json`` object (DESIGN §7) and its robustness."""

from __future__ import annotations

import json
import time

import pytest

from crawler.recognize.page import parse_page

KEYS = [
    "kind",
    "is_annual_report",
    "report_year",
    "agency",
    "title",
    "published_at",
    "published_at_source",
    "date_candidates",
    "format",
    "stats",
    "tables",
    "checks",
    "links",
    "all_items",
    "next_pages",
    "child_columns",
    "api_requests",
    "continuation_pages",
    "attachments",
    "cms",
    "text",
    "encoding",
]
MARKED = (
    "<p>本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。</p><p>一、总体情况</p>"
    "<p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p>"
)


def _parse(html: str, url: str = "http://a.gov.cn/zfxxgknb/202401/t20240115_1.html") -> dict:
    return parse_page(html.encode("utf-8"), url, "text/html; charset=utf-8")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00" * 1000,
        bytes(range(256)) * 100,
        b"\xff\xfe\x00<\x00h\x00",
        b"<html><body><ul class=list><li><a href=x>unclosed",
        b"<?xml version='1.0' encoding='GBK'?><datastore><recordset><record><![CDATA[<li><a href=",
        b"<html><body>" + b"<div>" * 10000 + "年度报告".encode(),
    ],
)
def test_never_raises_and_is_json(body):
    result = parse_page(body, "http://a.gov.cn/zfxxgknb/")
    assert list(result) == KEYS
    json.dumps(result, ensure_ascii=False)


def test_url_is_optional():
    result = parse_page(b"<html><title>x</title></html>")
    assert (result["kind"], result["published_at_source"]) == ("other", "none")


def test_two_megabyte_page_is_quick():
    rows = "".join(
        f'<li><a href="./202401/t20240115_{i}.html" title="安阳县财政局{2000 + i % 25}年政府信息公开工作'
        f'年度报告">x</a><span>2024-01-15</span></li>'
        for i in range(14000)
    )
    html = f'<html><body><ul class="list">{rows}</ul><script>createPageHTML(9, 0, "index", "html");</script>'
    assert len(html.encode()) > 2_000_000
    start = time.perf_counter()
    result = parse_page(html.encode(), "http://a.gov.cn/zfxxgknb/")
    assert time.perf_counter() - start < 20
    assert (result["kind"], result["all_items"], len(result["links"])) == ("listing", 14000, 14000)


def test_report_year_falls_back_to_the_period_sentence():
    html = (
        '<html><head><meta name="ArticleTitle" content="安阳县教育局上一年度政府信息公开工作年度报告"></head>'
        f'<body><div class="TRS_Editor">{MARKED.format(y=2022)}</div></body></html>'
    )
    result = _parse(html)
    assert (result["kind"], result["report_year"], result["agency"]) == ("report", 2022, "安阳县教育局")


def test_title_year_wins_over_the_period_sentence():
    html = (
        f'<html><head><meta name="ArticleTitle" content="安阳县教育局2023年政府信息公开工作年度报告"></head>'
        f'<body><div class="TRS_Editor">{MARKED.format(y=2022)}</div></body></html>'
    )
    assert _parse(html)["report_year"] == 2023


def test_agency_from_the_page_when_the_title_has_none():
    html = (
        '<html><head><meta name="ArticleTitle" content="关于2023年度政府信息公开情况的报告">'
        '<meta name="ContentSource" content="安阳县教育局"></head><body></body></html>'
    )
    assert _parse(html)["agency"] == "安阳县教育局"


def test_fuller_page_agency_replaces_a_title_agency_lacking_its_place():
    html = (
        '<html><head><meta name="ArticleTitle" content="市人民政府办公室2025年政府信息公开工作年度报告">'
        '<meta name="ContentSource" content="天门市人民政府办公室"></head></html>'
    )
    assert _parse(html)["agency"] == "天门市人民政府办公室"


def test_title_agency_is_kept_when_the_page_names_another_body():
    html = (
        '<html><head><meta name="ArticleTitle" content="天门市人民政府2025年政府信息公开工作年度报告">'
        '<meta name="ContentSource" content="天门市人民政府办公室"></head></html>'
    )
    assert _parse(html)["agency"] == "天门市人民政府"


def test_title_less_page_with_report_body_is_a_report():
    html = f'<html><body><div id="zoom">{MARKED.format(y=2021)}</div></body></html>'
    result = _parse(html, "http://a.gov.cn/info/1.html")
    assert (result["kind"], result["is_annual_report"], result["report_year"]) == ("report", True, 2021)


def test_an_interpretation_page_is_other_even_with_report_headings():
    html = (
        f"<html><head><title>安阳县2023年政府信息公开工作年度报告解读</title></head>"
        f'<body><div id="zoom">{MARKED.format(y=2023)}</div></body></html>'
    )
    assert (_parse(html)["kind"], _parse(html)["report_year"]) == ("other", None)


def test_an_article_with_a_related_list_is_not_a_listing():
    rel = "".join(
        f'<li><a href="/r{i}.html">安阳县{2010 + i}年政府信息公开工作年度报告</a><span>2024-01-0{i}</span></li>'
        for i in range(1, 4)
    )
    html = (
        f'<html><head><meta name="ArticleTitle" content="安阳县2023年政府信息公开工作年度报告"></head>'
        f'<body><div class="TRS_Editor"><p>正文</p></div><ul class="list">{rel}</ul></body></html>'
    )
    result = _parse(html)
    assert (result["kind"], result["links"], result["all_items"]) == ("report", [], 0)


def test_listing_fields():
    html = (
        '<html><body><ul class="list"><li><a href="./202401/t20240115_1.html" title="安阳县2023年政府信息公开'
        '工作年度报告">安阳县2023年...</a><span>2024-01-15</span></li><li><a href="./n.html">新闻</a></li></ul>'
        '<a href="./gknb2023/">2023年</a></body></html>'
    )
    result = _parse(html, "http://a.gov.cn/zfxxgknb/index.html")
    assert result["kind"] == "listing" and result["all_items"] == 2
    assert result["links"] == [
        {
            "url": "http://a.gov.cn/zfxxgknb/202401/t20240115_1.html",
            "text": "安阳县2023年政府信息公开工作年度报告",
            "report_year": 2023,
        }
    ]
    assert result["child_columns"] == [
        {"url": "http://a.gov.cn/zfxxgknb/gknb2023/", "year": 2023, "text": "2023年"}
    ]
    assert (result["published_at"], result["date_candidates"], result["agency"]) == (None, [], None)


def test_waf_page_is_other_with_nothing_found():
    html = (
        '<html><head><meta charset="utf-8"><title>安全验证</title></head><body><h3>访问异常，请稍候……</h3>'
        "</body></html>"
    )
    result = _parse(html, "http://a.gov.cn/zfxxgknb/")
    assert (result["kind"], result["all_items"], result["next_pages"], result["is_annual_report"]) == (
        "other",
        0,
        [],
        False,
    )
