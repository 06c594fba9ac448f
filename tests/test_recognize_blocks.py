"""Tests for crawler.recognize.blocks: anti-bot / WAF challenge pages (portals.md §5)."""

from __future__ import annotations

import pytest

from crawler.recognize.blocks import detect_block
from crawler.vocab.words import BLOCK_KINDS

HTML = {"Content-Type": "text/html; charset=utf-8"}

RUISHU_412 = (
    b'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    b'<meta http-equiv="X-UA-Compatible" content="IE=edge">'
    b'<meta id="9DhefwqGPrzR" content="' + b"qEl4.Pn0dXw7Z1kVfB3sRk" * 40 + b"\" r='m'>"
    b"<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=64721;"
    b'$_ts.cd="qhx3rrAlDkGWqGLtqqEhDGLlqqA3r1QmEGVqmAlQrc3tcaAlrGZ";</script>'
    b'<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/d.FxJzG50F.dfe1675.js" r=\'m\'>'
    b"</script></head><body></body></html>"
)
RUISHU_META_ONLY = RUISHU_412.replace(b"$_ts", b"$_xx")

JIASULE_521 = (
    b"<html><body><script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')"
    b"+('r')+('a')+('n')+('c')+('e')+('_')+('s')+('=')+(-~[]+'')+'677654'+'.'+'|0|'+'IfR'+"
    b"'Aw%3D';location.href=location.pathname+location.search</script></body></html>"
)

EDGEONE = (
    b'<!DOCTYPE html><html><head><meta charset="utf-8"><title></title></head><body>'
    b'<script>var WTKkN="a1b2c3";document.cookie="EO_Bot_Ssid="+WTKkN+"; path=/";'
    b"setTimeout(function(){location.reload()},100);</script></body></html>"
)

WZWS_BODY = (
    b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
    b'<script>var wzwschallenge="RANDOMCHALLENGE";var wzwsmethod="post";'
    b'location.href="/WZWSREL3p3Z2svemZ4eGdrbmIv?wzwschallenge="+wzwschallenge;</script></body></html>'
)

GBK_WAIT = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>提示</title>'
    '</head><body><div class="box"><p>请稍候，正在进行安全检查……</p>'
    '<p>如果长时间没有响应，请刷新页面。</p></div><script src="/waf/check.js"></script>'
    + "<!-- padding -->" * 40
    + "</body></html>"
).encode("gbk")

TITLE_WAF = (
    "<html><head><title>访问异常 - 安全验证</title></head><body>"
    + "<p>您的访问存在异常，请完成下方滑动验证后继续访问。</p>" * 300
    + "</body></html>"
).encode("utf-8")

TINY = b'<html><head><meta charset="utf-8"></head><body></body></html>'

REFRESH = b'<html><head><meta http-equiv="refresh" content="0;url=/zfxxgknb/index.html"></head></html>'


def report_page(encoding: str = "utf-8", script: str = "") -> bytes:
    """A normal ~30 KB annual-report detail page that mentions 安全验证 in its text."""
    paragraph = (
        "<p>本机关依法做好政府信息公开工作，强化网络安全验证与信息发布审核，"
        "全年主动公开政府信息1234条，受理政府信息公开申请56件。</p>"
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="{encoding}">{script}'
        "<title>北京市密云区人民政府2023年政府信息公开工作年度报告_密云区人民政府</title></head>"
        f'<body><div class="TRS_Editor"><h1>一、总体情况</h1>{paragraph * 170}'
        "<h1>六、其他需要报告的事项</h1></div></body></html>"
    ).encode(encoding)


BLOCKS = [
    pytest.param(412, HTML, RUISHU_412, "ruishu", id="ruishu-412"),
    pytest.param(200, HTML, RUISHU_412, "ruishu", id="ruishu-200-ts"),
    pytest.param(412, HTML, RUISHU_META_ONLY, "ruishu", id="ruishu-meta-412"),
    pytest.param(412, {"Set-Cookie": "FSSBBIl1UgzbN7N80S=abc; path=/"}, b"", "ruishu", id="ruishu-cookie"),
    pytest.param(521, HTML, JIASULE_521, "jiasule", id="jiasule-521"),
    pytest.param(
        200, HTML, b"<script>document.cookie='__jsluid_s=0a1b';</script>", "jiasule", id="jiasule-body"
    ),
    pytest.param(
        403, {"x-via-jsl": "8f3b6a1,-"}, b"<html>Forbidden</html>", "jiasule", id="jiasule-403-header"
    ),
    pytest.param(200, HTML, EDGEONE, "edgeone", id="edgeone-200"),
    pytest.param(
        403, {"Set-Cookie": "EO_Bot_Ssid=123; Path=/"}, b"<html></html>", "edgeone", id="edgeone-403-cookie"
    ),
    pytest.param(
        302,
        {"Location": "/WZWSREL3p3Z2svemZ4eGdrbmIv", "Set-Cookie": "wzws_cid=abc"},
        b"",
        "wzws",
        id="wzws-redirect",
    ),
    pytest.param(200, HTML, WZWS_BODY, "wzws", id="wzws-body"),
    pytest.param(200, {"Content-Type": "text/html"}, GBK_WAIT, "waf", id="waf-gbk-wait"),
    pytest.param(
        403, HTML, "<html><body>访问过于频繁，请稍后再试</body></html>".encode(), "waf", id="waf-403-rate"
    ),
    pytest.param(
        200,
        HTML,
        b"<html><body><noscript>Please enable JavaScript to view the page content."
        b"</noscript><script src='/c.js'></script>" + b" " * 600 + b"</body></html>",
        "waf",
        id="waf-enable-js",
    ),
    pytest.param(200, HTML, TITLE_WAF, "waf", id="waf-title-large"),
    pytest.param(200, HTML, TINY, "tiny", id="tiny"),
    pytest.param(200, {}, b"", "tiny", id="empty-200"),
]


@pytest.mark.parametrize(("status", "headers", "body", "kind"), BLOCKS)
def test_block_pages(status: int, headers: dict[str, str], body: bytes, kind: str) -> None:
    assert kind in BLOCK_KINDS
    assert detect_block(status, headers, body) == kind


NOT_BLOCKS = [
    pytest.param(200, HTML, report_page(), True, id="report-mentions-anquan-yanzheng"),
    pytest.param(200, HTML, report_page("gbk"), True, id="gbk-report-mentions-anquan-yanzheng"),
    pytest.param(
        200,
        HTML,
        report_page(script="<script r='m'>$_ts=window['$_ts'];</script>"),
        True,
        id="ruishu-script-in-real-page",
    ),
    pytest.param(
        200,
        {"X-Via-JSL": "8f3b6a1,-", "Set-Cookie": "__jsluid_s=0a1b; path=/"},
        report_page(),
        True,
        id="jiasule-cdn-real-page",
    ),
    pytest.param(
        404,
        {"X-Via-JSL": "8f3b6a1,-"},
        b"<html><head><title>404 Not Found</title></head>"
        b"<body><h1>404</h1><p>\xe9\xa1\xb5\xe9\x9d\xa2\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8</p></body></html>",
        True,
        id="404-page",
    ),
    pytest.param(
        200, {"Content-Type": "application/pdf"}, b"%PDF-1.7\n" + b"\x00" * 300, False, id="pdf-small"
    ),
    pytest.param(
        200,
        {"Content-Type": "application/pdf"},
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"x" * 50_000,
        False,
        id="pdf-large",
    ),
    pytest.param(200, {"Content-Type": "application/pdf"}, b"%PDF-1.7\n", True, id="pdf-when-html-expected"),
    pytest.param(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow:\n", False, id="robots"),
    pytest.param(200, HTML, REFRESH, True, id="meta-refresh"),
    pytest.param(200, {"Location": "/a/"}, b"", True, id="200-with-location"),
    pytest.param(301, {"Location": "https://www.bjmy.gov.cn/zwgk/"}, b"", True, id="plain-redirect"),
    pytest.param(500, HTML, b"<html><body>Internal Server Error</body></html>", True, id="500"),
]


@pytest.mark.parametrize(("status", "headers", "body", "expect_html"), NOT_BLOCKS)
def test_not_blocks(status: int, headers: dict[str, str], body: bytes, expect_html: bool) -> None:
    assert detect_block(status, headers, body, expect_html=expect_html) is None


def test_headers_case_insensitive_and_scrapy_style() -> None:
    scrapy_like = {b"Set-Cookie": [b"a=1", b"wzws_cid=abc; path=/"]}
    assert detect_block(503, scrapy_like, b"") == "wzws"
    assert detect_block(302, {"LOCATION": "http://x.gov.cn/WZWSREabc"}, b"") == "wzws"


@pytest.mark.parametrize(
    "junk",
    [
        (None, None, None),
        ("412", {"a": None}, "$_ts"),
        (200, object(), 12),
        (-1, {1: [2, b"\xff"]}, bytearray(b"x")),
    ],
)
def test_never_raises(junk: tuple) -> None:
    status, headers, body = junk
    result = detect_block(status, headers, body)
    assert result is None or result in BLOCK_KINDS


# -- 200 pages that are not the page asked for (issue 13) --------------------------------------
from pathlib import Path  # noqa: E402

from crawler.recognize.blocks import detect_soft_failure  # noqa: E402
from crawler.recognize.encoding import decode_body  # noqa: E402

FRAME = (
    '<div><a href="/login.html">用户登录</a> <a href="/">首页</a></div>'
    + "<p>主办单位：某县人民政府办公室</p>" * 5
)


@pytest.mark.parametrize(
    ("html", "kind"),
    [
        (f"<html><head><title>404</title></head><body>{FRAME}</body></html>", "soft404"),
        (
            f"<html><head><title>提示</title></head><body>{FRAME}您访问的页面不存在或已被删除</body></html>",
            "soft404",
        ),
        (
            f"<html><head><title>页面未找到 - 某县人民政府</title></head><body>{FRAME}</body></html>",
            "soft404",
        ),
        (
            f'<html><head><title>访问验证</title></head><body>{FRAME}请输入验证码<input name="c"></body></html>',
            "captcha",
        ),
        (
            '<html><head><title>统一身份认证 用户登录</title></head><body><input type="password"></body></html>',
            "login",
        ),
        # a real page links 用户登录 and may mention 验证码 or 页面不存在 in a big body: never one
        (
            f"<html><head><title>某县2024年政府信息公开工作年度报告</title></head><body>{FRAME}"
            + "<p>依申请公开政府信息，申请人在网上填写验证码后提交；信息不存在的，告知申请人。</p>" * 60
            + "</body></html>",
            None,
        ),
    ],
)
def test_soft_failures(html, kind):
    assert detect_soft_failure(200, html) == kind
    assert detect_soft_failure(404, html) is None  # only a 2xx is a *soft* failure


def test_no_real_corpus_page_is_a_soft_failure():
    files = sorted((Path(__file__).parent / "corpus" / "files").glob("*.html"))
    assert len(files) >= 20
    said = {f.name: k for f in files if (k := detect_soft_failure(200, decode_body(f.read_bytes())[0]))}
    assert said == {}
