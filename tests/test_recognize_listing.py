"""Column pages: CMS detection, items, pagination, year sub-columns and the Hanweb records API."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.recognize.listing import detect_cms, parse_listing
from crawler.recognize.paging import find_pagers

COL = "http://www.example.gov.cn/zwgk/zfxxgknb/"
REPORT = "安镕县人民政府2023年政府信息公开工作年度报告"


def _ul(*items: str) -> str:
    return '<ul class="list">' + "".join(items) + "</ul>"


def _li(
    href: str, title: str, day: str = "2024-01-15", attr_title: str | None = None, tag: str = "span"
) -> str:
    t = f' title="{attr_title}"' if attr_title else ""
    return f'<li><a href="{href}"{t}>{title}</a><{tag}>{day}</{tag}></li>'


@pytest.mark.parametrize(
    ("html", "url", "cms"),
    [
        ("<html></html>", "http://a.gov.cn/col/col1229140160/index.html", "hanweb"),
        ('<script type="text/xml"><datastore><recordset></recordset></datastore></script>', COL, "hanweb"),
        (
            "<datastore><totalrecord>3</totalrecord></datastore>",
            "http://a.gov.cn/module/web/jpage/dataproxy.jsp",
            "hanweb",
        ),
        ("<html></html>", "http://a.gov.cn/art/2024/1/15/art_1229_123.html", "hanweb"),
        ("<script>createPageHTML('page_div', 4, 1, 'xlist', 'shtml', 57);</script>", COL, "trs6"),
        ('<script>createPageHTML(3, 0, "index", "html");</script>', COL, "trs"),
        ("<script>var currentPage = 0;var countPage = 3</script>", COL, "trs"),
        ('<script>createPage(34,0,"index","html")</script>', COL, "trs"),
        ('<div class="TRS_Editor"></div>', "http://a.gov.cn/x/1.html", "trs"),
        ('<div class="trs_editor_view"></div>', "http://a.gov.cn/x/1.html", "trs6"),
        ("<html></html>", "http://a.gov.cn/zfxxgknb/202401/t20240115_1234567.html", "trs"),
        ('<a href="list.html?page=2">下一页</a>', "http://a.gov.cn/gknb/list.html", "plain"),
        ("", "", "plain"),
    ],
)
def test_detect_cms(html, url, cms):
    assert detect_cms(html, url) == cms


def test_trs_items_titles_dates_and_info():
    html = _ul(
        _li("./202403/t20240315_1.html", "安镕县人民政府2023年政府信息...", "2024-03-15", REPORT),
        _li("./202403/t20240318_2.html", REPORT + "解读", "2024-03-18"),
        _li("/zwgk/zfxxgknb/202401/t20240101_3.html", "无日期的新闻", ""),
        _li("./202403/t20240315_1.html", "duplicate"),
        '<li><a href="javascript:void(0)">js</a></li><li>no link</li>',
    )
    listing = parse_listing(html, COL)
    assert [(i.url, i.title, i.date, i.info.is_report, i.info.reason) for i in listing.items] == [
        (COL + "202403/t20240315_1.html", REPORT, date(2024, 3, 15), True, ""),
        (COL + "202403/t20240318_2.html", REPORT + "解读", date(2024, 3, 18), False, "excluded:解读"),
        (
            "http://www.example.gov.cn/zwgk/zfxxgknb/202401/t20240101_3.html",
            "无日期的新闻",
            None,
            False,
            "no report phrase",
        ),
    ]
    assert listing.items[0].text == "安镕县人民政府2023年政府信息..."
    assert listing.items[0].info.year == 2023


@pytest.mark.parametrize("tag", ["span", "b", "em", "td", "i"])
def test_item_date_from_any_inline_element(tag):
    html = f'<ul class="list"><li><a href="a.html">{REPORT}</a><{tag}>2024年1月15日</{tag}></li></ul>'
    assert parse_listing(html, COL).items[0].date == date(2024, 1, 15)


def test_title_split_by_br_in_anchor_text():
    html = '<ul class="list"><li><a href="a.html">高平市人民政府办公室<br>2022年政府信息公开工作年度报告</a></li></ul>'
    item = parse_listing(html, COL).items[0]
    assert (item.title, item.info.agency, item.info.year) == (
        "高平市人民政府办公室2022年政府信息公开工作年度报告",
        "高平市人民政府办公室",
        2022,
    )


@pytest.mark.parametrize(
    ("script", "url", "pages", "total"),
    [
        ('createPageHTML(3, 0, "index", "html");', COL, [COL + "index_1.html", COL + "index_2.html"], 3),
        ('createPageHTML(3, 1, "index", "html");', COL + "index_1.html", [COL + "index_2.html"], 3),
        ('createPageHTML(3, 2, "index", "html");', COL + "index_2.html", [], 3),
        ('createPageHTML(1, 0, "index", "html");', COL, [], 1),
        (
            'createPageHTML(4, 1, "index", "shtml");',
            COL + "index_1.shtml",
            [COL + "index_2.shtml", COL + "index_3.shtml"],
            4,
        ),
        (
            "createPageHTML(3,0,'index','htm')",
            COL + "index.htm",
            [COL + "index_1.htm", COL + "index_2.htm"],
            3,
        ),
        ('createPage(3,0,"index","html")', COL, [COL + "index_1.html", COL + "index_2.html"], 3),
        (
            "var currentPage = 0;var countPage = 3//共多少页",
            COL,
            [COL + "index_1.html", COL + "index_2.html"],
            3,
        ),
        ("var currentPage = 1;var countPage = 3", COL + "index_1.shtml", [COL + "index_2.shtml"], 3),
        ("var countPage = 3", COL + "index_1.html", [COL + "index_2.html"], 3),
        (
            "createPageHTML('page_div', 4, 1, 'xlist', 'shtml', 57);",
            COL + "xlist.shtml",
            [COL + "xlist_2.shtml", COL + "xlist_3.shtml", COL + "xlist_4.shtml"],
            4,
        ),
        (
            "createPageHTML('page_div', 4, 3, 'xlist', 'shtml', 57);",
            COL + "xlist_3.shtml",
            [COL + "xlist_4.shtml"],
            4,
        ),
        ("createPageHTML('page_div', 4, 4, 'zwgklist', 'shtml', 57);", COL + "zwgklist_4.shtml", [], 4),
        (
            "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}"
            'createPageHTML(2, 0, "index", "html");',
            COL,
            [COL + "index_1.html"],
            2,
        ),
        # a long article's own pager is not column pagination
        ('createPageHTML(3, 0, "t20240320_3456789", "html");', COL, [], None),
    ],
)
def test_script_pagination(script, url, pages, total):
    listing = parse_listing(_ul(_li("a.html", REPORT)) + f"<script>{script}</script>", url)
    assert (listing.next_pages, listing.total_pages) == (pages, total)


def test_page_cap():
    listing = parse_listing('<script>createPageHTML(5000, 0, "index", "html");</script>', COL)
    assert len(listing.next_pages) == 100 and listing.next_pages[-1] == COL + "index_100.html"


def test_pager_function_definitions_are_not_pagers():
    assert find_pagers("function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}") == []


PLAIN = "http://a.gov.cn/s/gknb/list.html"


@pytest.mark.parametrize(
    ("links", "url", "pages", "total"),
    [
        (
            '<a href="list.html">首页</a><a href="list.html">上一页</a><a href="list.html?page=2">下一页</a>'
            '<a href="list.html?page=4">尾页</a>',
            PLAIN,
            [PLAIN + "?page=2", PLAIN + "?page=3", PLAIN + "?page=4"],
            4,
        ),
        (
            '<a href="list.html?page=1">上一页</a><a href="list.html?page=3">下一页</a>',
            PLAIN + "?page=2",
            [PLAIN + "?page=3"],
            None,
        ),
        ('<a href="list.html?page=2">上一页</a>', PLAIN + "?page=3", [], None),
        (
            '<a href="2.html">下一页</a><a href="5.html">末页</a>',
            "http://a.gov.cn/czj/zfxxgknb/1.html",
            [f"http://a.gov.cn/czj/zfxxgknb/{n}.html" for n in range(2, 6)],
            5,
        ),
        (
            '<a href="?page=2">2</a><a href="?page=3">3</a>',
            PLAIN,
            [PLAIN + "?page=2", PLAIN + "?page=3"],
            None,
        ),
        ('<a href="list.html?pageNo=2">下页</a>', PLAIN, [PLAIN + "?pageNo=2"], None),
        (
            '<a href="index_1.html">下一页</a><a href="index_3.html">尾页</a>',
            "http://a.gov.cn/gknb/index.html",
            [f"http://a.gov.cn/gknb/index_{n}.html" for n in (1, 2, 3)],
            3,
        ),
        (
            '<a href="index_2.html">下一页</a><a href="index_3.html">尾页</a>',
            "http://a.gov.cn/gknb/index_1.html",
            ["http://a.gov.cn/gknb/index_2.html", "http://a.gov.cn/gknb/index_3.html"],
            3,
        ),
        ('<a href="javascript:next()">下一页</a>', PLAIN, [], None),
        ("", PLAIN, [], None),
    ],
)
def test_link_pagination(links, url, pages, total):
    html = f'<table class="gl_list"><tr><td><a href="/s/info/1.html">{REPORT}</a></td><td>2024/01/15</td></tr></table>{links}'
    listing = parse_listing(html, url)
    assert (listing.next_pages, listing.total_pages) == (pages, total)
    assert [i.date for i in listing.items] == [date(2024, 1, 15)]


def test_child_columns():
    html = (
        '<div class="subcol"><a href="./gknb2023/">2023年</a> <a href="./gknb2022/index.html">2022年度</a>'
        '<a href="2021nb/">2021</a><a href="/other/2020/">2020年</a><a href="../gknb2019/">2019年</a>'
        '<a href="./gknb2023/">2023年</a><a href="./x/">2023年工作</a><a href="./zt/">专题</a></div>'
    )
    listing = parse_listing(html, COL + "index.html")
    assert [(c.url, c.year, c.text) for c in listing.child_columns] == [
        (COL + "gknb2023/", 2023, "2023年"),
        (COL + "gknb2022/index.html", 2022, "2022年度"),
        (COL + "2021nb/", 2021, "2021"),
    ]


@pytest.mark.parametrize(
    "container",
    [
        '<div class="xxgk_list"><ul>{}</ul></div>',
        '<div class="news_list"><ul>{}</ul></div>',
        '<div class="list_model"><ul>{}</ul></div>',
        '<div class="overview_right"><ul>{}</ul></div>',
        '<div class="whatever"><ul>{}</ul></div>',
        "<!--<ul>{}</ul>-->",
    ],
)
def test_generic_containers(container):
    items = _li("a.html", REPORT) + _li("b.html", "安镕县2022年政府信息公开工作年度报告", "2023-01-15")
    listing = parse_listing(
        '<ul class="nav"><li><a href="/">首页</a></li></ul>' + container.format(items), COL
    )
    assert [i.url for i in listing.items] == [COL + "a.html", COL + "b.html"]


def test_table_rows_and_dl_lists():
    table = f'<table><tr><td><a href="a.html">{REPORT}</a></td><td>2024-01-15</td></tr></table>'
    assert [i.date for i in parse_listing(table, COL).items] == [date(2024, 1, 15)]
    dl = f'<dl><dt><a href="a.html" title="{REPORT}">...</a></dt></dl>'
    assert [i.title for i in parse_listing(dl, COL).items] == [REPORT]


HANWEB_COL = "http://127.0.0.1:8765/a00003/col/col12345/index.html"
NEXTGROUP = (
    '<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=10003&path=/'
    '&columnid=12345&unitid=567890&webname=%E7%9F%B3%E9%98%B3&permissiontype=0"></a>]]></nextgroup>'
)
RECORD = (
    '<record><![CDATA[<li><a href="/a00003/art/2024/1/15/art_12345_1.html" title="{t}" target="_blank">'
    "{short}</a><span>2024-01-15</span></li>]]></record>"
)
FORM = {
    "col": "1",
    "appid": "1",
    "webid": "10003",
    "path": "/",
    "columnid": "12345",
    "sourceContentType": "1",
    "unitid": "567890",
    "webname": "石阳",
    "permissiontype": "0",
}


def _hanweb_column(records: str, nextgroup: str = NEXTGROUP) -> str:
    return (
        f'<div id="567890"><script type="text/xml"><datastore>{nextgroup}<recordset>{records}'
        "</recordset></datastore></script></div>"
    )


@pytest.mark.parametrize(
    ("url", "api"),
    [
        (
            HANWEB_COL,
            "http://127.0.0.1:8765/a00003/module/web/jpage/dataproxy.jsp",
        ),  # simulator: under the site
        (
            "https://www.tonglu.gov.cn/col/col1229140160/index.html",
            "https://www.tonglu.gov.cn/module/web/jpage/dataproxy.jsp",
        ),  # real sites: at the root
    ],
)
def test_hanweb_column_page(url, api):
    html = _hanweb_column(RECORD.format(t=REPORT, short=REPORT[:18] + "..."))
    listing = parse_listing(html, url)
    assert listing.cms == "hanweb"
    assert [(i.title, i.text, i.date) for i in listing.items] == [
        (REPORT, REPORT[:18] + "...", date(2024, 1, 15))
    ]
    assert [(r.url, r.method, r.formdata) for r in listing.api_requests] == [
        (api + "?startrecord=1&endrecord=45&perpage=15", "POST", FORM)
    ]
    assert listing.next_pages == [] and listing.total_pages is None


def test_hanweb_nextgroup_with_site_prefix_is_kept():
    html = _hanweb_column("", NEXTGROUP.replace('href="/module', 'href="/a00003/module'))
    listing = parse_listing(html, "http://127.0.0.1:8765/a00003/col/col12345/index.html")
    assert listing.api_requests[0].url.startswith(
        "http://127.0.0.1:8765/a00003/module/web/jpage/dataproxy.jsp?"
    )


def test_hanweb_column_without_nextgroup_has_no_api_request():
    listing = parse_listing(_hanweb_column(RECORD.format(t=REPORT, short="x"), nextgroup=""), HANWEB_COL)
    assert len(listing.items) == 1 and listing.api_requests == []


API = "http://127.0.0.1:8765/a00003/module/web/jpage/dataproxy.jsp"


def _xml(total: int, n: int) -> str:
    recs = "".join(
        RECORD.format(t=f"新闻{k}", short=f"新闻{k}").replace("art_12345_1", f"art_12345_{k}")
        for k in range(n)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{total}</totalrecord>'
        f"<totalpage>{-(-total // 15)}</totalpage><recordset>{recs}</recordset></datastore>"
    )


def test_dataproxy_first_window_lists_the_remaining_windows():
    listing = parse_listing(_xml(97, 45), API + "?startrecord=1&endrecord=45&perpage=15")
    assert len(listing.items) == 45 and listing.total_pages == 7
    assert [(r.url, r.method, r.formdata) for r in listing.api_requests] == [
        (API + "?startrecord=46&endrecord=90&perpage=15", "POST", {}),
        (API + "?startrecord=91&endrecord=135&perpage=15", "POST", {}),
    ]


def test_dataproxy_get_fields_are_carried_over():
    url = API + "?startrecord=1&endrecord=45&perpage=15&col=1&columnid=12345&unitid=567890"
    listing = parse_listing(_xml(50, 45), url)
    assert [(r.url, r.formdata) for r in listing.api_requests] == [
        (
            API + "?startrecord=46&endrecord=90&perpage=15&col=1&columnid=12345&unitid=567890",
            {"col": "1", "columnid": "12345", "unitid": "567890"},
        )
    ]


@pytest.mark.parametrize(
    ("url", "total"),
    [
        (API + "?startrecord=46&endrecord=90&perpage=15", 97),  # not the first window
        (API + "?startrecord=1&endrecord=45&perpage=15", 37),  # everything fits
    ],
)
def test_dataproxy_without_more_windows(url, total):
    assert parse_listing(_xml(total, 3), url).api_requests == []


def test_dataproxy_escaped_records_without_cdata():
    xml = (
        "<datastore><totalrecord>1</totalrecord><recordset><record>&lt;li&gt;&lt;a href=&quot;/a/1.html&quot;"
        f"&gt;{REPORT}&lt;/a&gt;&lt;b&gt;2024-01-15&lt;/b&gt;&lt;/li&gt;</record></recordset></datastore>"
    )
    items = parse_listing(xml, API).items
    assert [(i.url, i.date) for i in items] == [("http://127.0.0.1:8765/a/1.html", date(2024, 1, 15))]


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<",
        "<<<>>>",
        "\x00\x01",
        "<ul class=list><li><a href=x>",
        "<datastore><record><![CDATA[",
        "<script>createPageHTML(</script>",
        "<script>createPageHTML('a', 'b', 'c', 'd', 'e', 'f')</script>",
        "<a href='list.html?page=99999999999999999999'>下一页</a>",
    ],
)
@pytest.mark.parametrize("cms", ["auto", "trs", "trs6", "hanweb", "plain", "nonsense"])
def test_broken_input_never_raises(html, cms):
    listing = parse_listing(html, "http://a.gov.cn/col/col1/index.html", cms)
    assert listing.cms in {"trs", "trs6", "hanweb", "plain"}


def test_one_malformed_href_costs_only_itself():
    html = (
        '<ul class="list"><li><a href="http://[bad/x">某县2023年政府信息公开工作年度报告</a><span>2024-01-02</span></li>'
        '<li><a href="./a.html">某县2022年政府信息公开工作年度报告</a><span>2023-01-02</span></li></ul>'
    )
    assert [i.url for i in parse_listing(html, "http://x.gov.cn/nb/").items] == ["http://x.gov.cn/nb/a.html"]
