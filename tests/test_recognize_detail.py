"""Detail pages: title, agency, date candidates, attachments, continuation parts, body text."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.recognize.detail import parse_detail, report_marker_count

URL = "http://www.example.gov.cn/zfxxgknb/202403/t20240315_1234567.html"
REPORT = "安镕县人民政府2023年政府信息公开工作年度报告"


def _page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("head", "body", "title", "source"),
    [
        (
            f'<meta name="ArticleTitle" content="{REPORT}"><title>x_y</title>',
            "<h1>其他标题</h1>",
            REPORT,
            "meta",
        ),
        (f'<meta name="articletitle" content=" {REPORT} ">', "", REPORT, "meta"),
        (
            "<title>站点</title>",
            "<h1>高平市人民政府办公室<br>2022年政府信息公开工作年度报告</h1>",
            "高平市人民政府办公室2022年政府信息公开工作年度报告",
            "heading",
        ),
        (
            "<title>x</title>",
            f'<h1><img alt="logo"></h1><div class="title">{REPORT}</div>',
            REPORT,
            "heading",
        ),
        ("<title>x</title>", f'<h1>安镕县人民政府</h1><div id="title">{REPORT}</div>', REPORT, "heading"),
        (
            f"<title>{REPORT}_安镕县人民政府</title>",
            "<h1>安镕县人民政府</h1><h1>关于开展工作的通知</h1>",
            "关于开展工作的通知",
            "heading",
        ),
        (f"<title>{REPORT}_安镕县人民政府</title>", "", REPORT, "title"),
        (f"<title>安镕县人民政府 | {REPORT}</title>", "", REPORT, "title"),
        (f"<title>{REPORT} - 安镕县人民政府门户网站</title>", "", REPORT, "title"),
        ("<title>关于开展工作的通知_安镕县人民政府</title>", "", "关于开展工作的通知", "title"),
        ("", "", None, "none"),
    ],
)
def test_title_precedence(head, body, title, source):
    detail = parse_detail(_page(head, body), URL)
    assert (detail.title, detail.title_source) == (title, source)


def test_hanweb_three_part_title():
    html = _page(f"<title>石阳镇人民政府 政府信息公开年报 {REPORT}</title>")
    detail = parse_detail(html, "http://a.gov.cn/art/2024/1/15/art_12345_1.html")
    assert (detail.title, detail.title_source, detail.cms) == (REPORT, "title", "hanweb")


@pytest.mark.parametrize(
    ("head", "body", "agency"),
    [
        (
            '<meta name="ContentSource" content="安镕县教育局">',
            "<p>发布机构：安镕县财政局</p>",
            "安镕县教育局",
        ),
        (
            "",
            '<table class="xxgk_table"><tr><td>索引号：</td><td>1</td><td>发布机构：</td><td>安镕县财政局</td></tr></table>',
            "安镕县财政局",
        ),
        ("", "<p>信息来源：安镕县人民政府办公室　发布时间：2024-01-01</p>", "安镕县人民政府办公室"),
        ("", "<p>来源:静海区人民政府办公室发布时间:2024-03-28 09:18</p>", "静海区人民政府办公室"),
        ("", "<p>发文机关：安镕县人民政府</p><p>来源：安镕县财政局</p>", "安镕县人民政府"),
        ('<meta name="ContentSource" content="我局">', "<p>来源：我局</p>", None),
        ("", "<p>来源：中国政府网</p>", None),
        ("", "<p>来源：本站原创</p>", None),
        ("", "<p>没有任何来源</p>", None),
    ],
)
def test_agency(head, body, agency):
    assert parse_detail(_page(head, body), URL).agency == agency


def _dates(html: str, url: str = URL) -> list[tuple[date, str, bool, str]]:
    return [(c.date, c.source, c.trusted, c.note) for c in parse_detail(html, url).date_candidates]


def test_meta_page_and_url_dates():
    html = _page(
        '<meta name="PubDate" content="2024-03-15 09:30">',
        "<table><tr><td>成文日期：</td><td>2024-03-10</td><td>发布日期：</td><td>2024-03-16</td></tr></table>"
        "<p>更新时间：2024-05-01</p><p>统计时间：2023-01-01</p>",
    )
    assert _dates(html) == [
        (date(2024, 3, 15), "meta", True, ""),
        (date(2024, 3, 16), "page", True, ""),
        (date(2024, 3, 15), "url", True, ""),
    ]


@pytest.mark.parametrize(
    ("generated", "trusted", "note"),
    [
        (
            '<meta name="others" content="页面生成时间 2025-06-03 02:15:47">',
            False,
            "equals 页面生成时间 2025-06-03 02:15:47",
        ),
        (
            '<meta name="HtmlGenerateTime" content="2025-06-03 02:15:00">',
            False,
            "equals HtmlGenerateTime 2025-06-03 02:15:00",
        ),
        ('<meta name="MakeTime" content="2025-06-03">', False, "equals MakeTime 2025-06-03"),
        ('<meta name="MakeTime" content="2026-09-16 10:00:00">', True, ""),  # MIIT: build time ≠ PubDate
        (
            '<meta name="others" content="页面生成时间 2025-06-03 11:00:00">',
            True,
            "",
        ),  # same day, other minute
        ("", True, ""),
    ],
)
def test_pubdate_trust(generated, trusted, note):
    html = _page(
        f'<meta name="PubDate" content="2025-06-03 02:15">{generated}', "<p>发布时间：2024-01-22</p>"
    )
    meta = parse_detail(html, "http://a.gov.cn/c100123/202401/1.shtml").date_candidates[0]
    assert (meta.source, meta.date, meta.trusted, meta.note) == ("meta", date(2025, 6, 3), trusted, note)


def test_epoch_pubdate_is_kept_untrusted():
    html = _page('<meta name="PubDate" content="1970-01-01 08:00">', "<span>发布时间：2020年3月27日</span>")
    assert _dates(html, "http://a.gov.cn/zfxxgknb/197001/t19700101_3441457.shtml") == [
        (date(1970, 1, 1), "meta", False, "epoch"),
        (date(2020, 3, 27), "page", True, ""),
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<span>发布时间：2024年1月15日</span>", [date(2024, 1, 15)]),
        ("<span>日期：2024/01/15</span>", [date(2024, 1, 15)]),
        ("<span>时间：20241月15日</span>", [date(2024, 1, 15)]),
        ("<span>公开日期：２０２４－０１－１５</span>", [date(2024, 1, 15)]),
        ("<p>日期：2024-01-10</p><p>发布日期：2024-01-15</p>", [date(2024, 1, 15), date(2024, 1, 10)]),
        ("<p>成文日期：2024-01-10</p><p>生成时间：2024-01-11</p>", []),
    ],
)
def test_visible_page_dates(body, expected):
    cands = parse_detail(_page("", body), "http://a.gov.cn/info/1.html").date_candidates
    assert [c.date for c in cands if c.source == "page"] == expected


ATTACHMENT_CASES = [
    (
        '<a href="./P020240201512345678901.pdf">报告</a>',
        "http://www.example.gov.cn/zfxxgknb/202403/P020240201512345678901.pdf",
    ),
    ('<a href="/files/report.DOCX">报告</a>', "http://www.example.gov.cn/files/report.DOCX"),
    ('<a href="a.wps?v=1">x</a>', "http://www.example.gov.cn/zfxxgknb/202403/a.wps?v=1"),
    ('<a href="a.ofd">x</a>', "http://www.example.gov.cn/zfxxgknb/202403/a.ofd"),
    (
        '<a href="/module/download/downfile.jsp?classid=0&amp;filename=9f8e.pdf&amp;showname=x">报告</a>',
        "http://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=9f8e.pdf&showname=x",
    ),
    (
        '<a href="/c100123/202401/files/0123456789abcdef0123456789abcdef.pdf">报告</a>',
        "http://www.example.gov.cn/c100123/202401/files/0123456789abcdef0123456789abcdef.pdf",
    ),
    (
        '<a href="/a00004/download?id=40001231">附件：年度报告</a>',
        "http://www.example.gov.cn/a00004/download?id=40001231",
    ),
    ('<a href="/getfile?id=7">下载</a>', "http://www.example.gov.cn/getfile?id=7"),
    ('<a href="/getfile?id=8">2023年年度报告.pdf</a>', "http://www.example.gov.cn/getfile?id=8"),
    ('<iframe src="/upload/report.pdf"></iframe>', "http://www.example.gov.cn/upload/report.pdf"),
    ('<embed src="/upload/r2.pdf">', "http://www.example.gov.cn/upload/r2.pdf"),
    (
        '<iframe src="/pdfjs/web/viewer.html?file=%2Fupload%2Fr3.pdf"></iframe>',
        "http://www.example.gov.cn/upload/r3.pdf",
    ),
    ('<a href="/pdfjs/viewer?file=/upload/r4.pdf">在线阅读</a>', "http://www.example.gov.cn/upload/r4.pdf"),
]


@pytest.mark.parametrize(("link", "url"), ATTACHMENT_CASES)
def test_attachments(link, url):
    assert [a.url for a in parse_detail(_page("", link), URL).attachments] == [url]


@pytest.mark.parametrize(
    "link",
    [
        '<a href="/getfile?id=7">阅读全文</a>',
        '<a href="javascript:download()">附件</a>',
        '<a href="#top">下载</a>',
        '<a href="/info/2.html">相关报告</a>',
        '<iframe src="/video/player.html"></iframe>',
        '<a href="mailto:a@b.pdf">x</a>',
    ],
)
def test_not_attachments(link):
    assert parse_detail(_page("", link), URL).attachments == []


def test_attachments_are_deduplicated_keeping_a_text():
    html = _page("", '<a href="a.pdf"></a><a href="a.pdf">报告全文</a><a href="./a.pdf">（点击下载）</a>')
    assert [(a.url, a.text) for a in parse_detail(html, URL).attachments] == [
        ("http://www.example.gov.cn/zfxxgknb/202403/a.pdf", "报告全文")
    ]


LONG = "http://a.gov.cn/zfxxgknb/202403/t20240320_3456789{}.html"


@pytest.mark.parametrize(
    ("url", "script", "pages"),
    [
        (
            LONG.format(""),
            'createPageHTML(3, 0, "t20240320_3456789", "html");',
            [LONG.format("_1"), LONG.format("_2")],
        ),
        (LONG.format("_1"), 'createPageHTML(3, 1, "t20240320_3456789", "html");', [LONG.format("_2")]),
        (LONG.format("_2"), 'createPageHTML(3, 2, "t20240320_3456789", "html");', []),
        (
            LONG.format(""),
            'createPageHTML(3, 0, "index", "html");',
            [],
        ),  # a column pager, not this document's
        (LONG.format(""), 'createPageHTML(3, 0, "t20240101_1111111", "html");', []),
        (LONG.format(""), "", []),
    ],
)
def test_continuation_pages(url, script, pages):
    assert parse_detail(_page("", f"<script>{script}</script>"), url).continuation_pages == pages


MARKED = (
    "<p>一、总体情况</p><p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p>"
    "<p>四、政府信息公开行政复议、行政诉讼情况</p><p>五、存在的主要问题及改进情况</p><p>六、其他需要报告的事项</p>"
)


def test_body_prefers_report_markers_over_rank():
    html = _page(
        "",
        f'<div id="content"><div class="TRS_Editor"><p>相关链接</p></div><div id="zoom">{MARKED}</div></div>',
    )
    detail = parse_detail(html, URL)
    assert detail.body_text.startswith("一、总体情况") and "相关链接" not in detail.body_text


def test_body_rank_breaks_ties_and_table_rows_are_lines():
    table = "<table><tr><td><p>规章</p></td><td>0</td><td><p>0</p></td></tr></table>"
    html = _page("", f'<div id="content"><p>导航</p><div class="TRS_Editor"><p>正文</p>{table}</div></div>')
    assert parse_detail(html, URL).body_text == "正文\n规章 | 0 | 0"


def test_body_from_zjeg_comments():
    html = _page(
        "", f"<div><p>导航</p><!--ZJEG_RSS.content.begin-->{MARKED}<!--ZJEG_RSS.content.end--></div>"
    )
    detail = parse_detail(html, "http://a.gov.cn/art/2024/1/15/art_1_2.html")
    assert report_marker_count(detail.body_text) == 6 and "导航" not in detail.body_text and detail.is_article


def test_body_falls_back_to_the_whole_page():
    html = _page(
        "<title>t</title><style>p{}</style>", "<p>甲<!-- 注释 -->乙</p><script>var x=1;</script><p>丙</p>"
    )
    detail = parse_detail(html, "http://a.gov.cn/x.html")
    assert (detail.body_text, detail.is_article) == ("甲乙\n丙", False)


@pytest.mark.parametrize(
    ("url", "head", "body", "article"),
    [
        (URL, "", "", True),  # TRS detail URL
        ("http://a.gov.cn/x.html", '<meta name="PubDate" content="2024-01-01">', "", True),
        ("http://a.gov.cn/x.html", "", '<div id="zoom">x</div>', True),
        ("http://a.gov.cn/x.html", "", '<div id="content">x</div>', False),
        ("http://a.gov.cn/gkmlpt/content/10/10099/post_10099135.html", "", "", True),
        ("http://a.gov.cn/zfxxgknb/", "", "<ul><li>x</li></ul>", False),
    ],
)
def test_is_article(url, head, body, article):
    assert parse_detail(_page(head, body), url).is_article is article


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<",
        "\x00\xff",
        "<html><body><div>" * 3000,
        "<table><tr><td><p>x" * 500,
        "<meta name=PubDate content=''><meta name=others>",
        "<iframe src='viewer.html?file='></iframe>",
        "<!--ZJEG_RSS.content.begin--><!--ZJEG_RSS.content.end-->",
    ],
)
def test_broken_input_never_raises(html):
    detail = parse_detail(html, URL)
    assert isinstance(detail.body_text, str)


def test_malformed_attachment_href_is_skipped():
    page = (
        '<html><body><a href="http://[bad/x.pdf">附件</a>'
        '<a href="./P020240115123456789012.pdf">附件</a></body></html>'
    )
    assert [a.url for a in parse_detail(page, "http://x.gov.cn/nb/t.html").attachments] == [
        "http://x.gov.cn/nb/P020240115123456789012.pdf"
    ]
