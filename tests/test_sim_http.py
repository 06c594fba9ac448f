"""The simulator over real HTTP: family markup, reachability of every published report, caching."""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.request
import zipfile
from datetime import date, timedelta
from urllib.parse import quote, urljoin

import pytest

from portalsim import agency_truth, start_server, truth_records
from portalsim.site import column_url_path, report_path
from portalsim.world import agency, report_plan

SEED = 7
N = 120
TODAY = date(2025, 4, 10)


@pytest.fixture(scope="module")
def server():
    srv = start_server(SEED, N, TODAY, troubles=False)
    yield srv
    srv.shutdown()


def fetch(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    """(status, headers, body, final url) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read(), resp.url
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers, err.read(), url


def text(headers, body: bytes) -> str:
    """Decode like the crawler should (gb2312/gbk → gb18030)."""
    m = re.search(r"charset=([\w-]+)", headers.get("Content-Type", ""))
    charset = (m.group(1) if m else "utf-8").lower()
    return body.decode("gb18030" if charset in ("gb2312", "gbk") else charset)


def pick(family: str, pred=lambda ag: True):
    """The first unblocked agency of the family satisfying ``pred``."""
    return next(
        agency(SEED, i)
        for i in range(1, N + 1)
        if agency(SEED, i).family == family and not agency(SEED, i).block and pred(agency(SEED, i))
    )


def as_sent(url: str) -> str:
    """A link as an HTTP client sends it: a Chinese or spaced file name percent-encoded."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%")


def walk_column(base: str, ag) -> dict[str, str]:
    """Follow the column's paging like a crawler: {absolute item url: list date}."""
    start = base + column_url_path(ag)
    found: dict[str, str] = {}
    if ag.family == "trs":
        status, headers, body, _ = fetch(start)
        page = text(headers, body)
        columns = [start] + [urljoin(start, h) for h in re.findall(r'<a href="(\./gknb\d{4}/)">', page)]
        for col in columns:
            status, headers, body, _ = fetch(col)
            page = text(headers, body)
            count, current = map(
                int, re.search(r'createPageHTML\((\d+), (\d+), "index", "html"\)', page).groups()
            )
            assert current == 0
            for i in range(count):
                url = col if i == 0 else urljoin(col, f"index_{i}.html")
                status, headers, body, _ = fetch(url)
                assert status == 200
                for href, day in re.findall(
                    r'<li><a href="([^"]+)" title="[^"]+" target="_blank">[^<]+</a>'
                    r"<span>([\d-]+)</span>",
                    text(headers, body),
                ):
                    found[as_sent(urljoin(url, href))] = day
            assert fetch(urljoin(col, f"index_{count}.html"))[0] == 404
    elif ag.family == "trs6":
        status, headers, body, _ = fetch(start)
        count = int(
            re.search(
                r"createPageHTML\('page_div', (\d+), 1, 'xlist', 'shtml', \d+\);", text(headers, body)
            ).group(1)
        )
        for p in range(1, count + 1):
            url = start if p == 1 else urljoin(start, f"xlist_{p}.shtml")
            status, headers, body, _ = fetch(url)
            for href, day in re.findall(
                r'<a href="([^"]+)" title="[^"]+" target="_blank">[^<]+</a>'
                r'<span class="date">([\d-]+)</span>',
                text(headers, body),
            ):
                found[as_sent(urljoin(url, href))] = day
    elif ag.family == "hanweb":
        api = f"{base}/{ag.slug}/module/web/jpage/dataproxy.jsp"
        form = (
            f"col=1&appid=1&webid={ag.web_id}&path=/&columnid={ag.column_id}&sourceContentType=1"
            f"&unitid={ag.unit_id}&webname=x&permissiontype=0"
        ).encode()
        first, total = 1, None
        while total is None or first <= total:
            status, headers, body, _ = fetch(
                f"{api}?startrecord={first}&endrecord={first + 44}&perpage=15", form
            )
            xml = text(headers, body)
            total = int(re.search(r"<totalrecord>(\d+)</totalrecord>", xml).group(1))
            for href, day in re.findall(
                r'<a href="([^"]+)" title="[^"]+"[^>]*>[^<]*</a><span>([\d-]+)</span>', xml
            ):
                found[as_sent(urljoin(api, href))] = day
            first += 45
    else:
        url = start
        while url:
            status, headers, body, _ = fetch(url)
            page = text(headers, body)
            for href, day in re.findall(
                r'<tr><td><a href="([^"]+)"[^>]*>[^<]+</a></td><td>([\d/]+)</td></tr>', page
            ):
                found[as_sent(urljoin(url, href))] = day.replace("/", "-")
            nxt = re.search(r'<a href="(list\.html\?page=\d+)">下一页</a>', page)
            url = urljoin(url, nxt.group(1)) if nxt else None
    return found


def test_every_published_report_is_reachable_from_its_column(server):
    records = truth_records(SEED, 40, TODAY, base_url=server.base_url)
    by_source: dict[str, list[dict]] = {}
    for rec in records:
        by_source.setdefault(rec["source"], []).append(rec)
    checked = 0
    for source, recs in by_source.items():
        ag = agency(SEED, int(source[4:]))
        if not recs[0]["reachable"]:
            assert fetch(server.base_url + column_url_path(ag))[0] in (200, 412, 521)
            continue
        listed = walk_column(server.base_url, ag)
        for rec in recs:
            if rec["status"] in ("on_time", "late"):
                assert listed.get(rec["url"]) == rec["published_on"], (rec, ag.family)
                status, headers, body, final = fetch(rec["url"])
                assert status == 200, rec
                checked += 1
            else:
                assert rec["url"] is None
    assert checked > 200


def test_trs_column_is_gbk_with_zero_based_paging(server):
    ag = pick("trs", lambda a: not a.year_columns and a.first_year == 2008)
    status, headers, body, _ = fetch(server.base_url + column_url_path(ag))
    assert status == 200 and headers["Content-Type"] == "text/html; charset=gb2312"
    assert headers["Server"] == "TRS WCM"
    page = body.decode("gb18030")
    assert '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' in page
    assert re.search(
        r"var currentPage = 0;var countPage = (\d+);createPageHTML\(\1, 0, \"index\", \"html\"\);", page
    )
    assert re.search(
        r'<ul class="list">\s*<li><a href="\./\d{6}/t\d{8}_\d+\.html" title="[^"]+" target="_blank">', page
    )
    assert fetch(server.base_url + column_url_path(ag) + "index.html")[2] == body
    assert fetch(server.base_url + column_url_path(ag) + "index_1.html")[0] == 200


def test_trs_year_sub_columns_appear_with_their_first_report():
    ag = next(
        agency(SEED, i)
        for i in range(1, 400)
        if agency(SEED, i).year_columns and not agency(SEED, i).block and report_plan(SEED, i, 2024).published
    )
    pub = report_plan(SEED, ag.index, 2024).published
    with start_server(SEED, ag.index, pub - timedelta(days=1), troubles=False) as srv:
        col = srv.base_url + column_url_path(ag)
        assert "./gknb2024/" not in text(*fetch(col)[1:3])
        assert fetch(col + "gknb2024/")[0] == 404
        srv.set_today(pub)
        assert '<a href="./gknb2024/">2024年</a>' in text(*fetch(col)[1:3])
        page = text(*fetch(col + "gknb2024/")[1:3])
        assert report_plan(SEED, ag.index, 2024).title in page


def test_trs6_column_uses_the_six_argument_pager(server):
    ag = pick("trs6", lambda a: a.first_year == 2008)
    col = server.base_url + column_url_path(ag)
    status, headers, body, _ = fetch(col)
    page = body.decode("utf-8")
    m = re.search(r"createPageHTML\('page_div', (\d+), 1, 'xlist', 'shtml', (\d+)\);", page)
    assert m and int(m.group(1)) >= 2
    assert re.search(
        rf'<div class="zwgk_list"><ul>\s*<li><a href="/{ag.slug}/c\d{{6}}/\d{{6}}/\d+\.shtml" title=', page
    )
    page2 = fetch(col.replace("xlist.shtml", "xlist_2.shtml"))[2].decode()
    assert f"createPageHTML('page_div', {m.group(1)}, 2, 'xlist', 'shtml', {m.group(2)});" in page2
    assert fetch(col.replace("xlist.shtml", f"xlist_{int(m.group(1)) + 1}.shtml"))[0] == 404


def test_trs6_untrusted_pubdate_equals_page_generation_time(server):
    ag = next(
        agency(SEED, i)
        for i in range(1, 2000)
        if agency(SEED, i).untrusted_pubdate
        and not agency(SEED, i).block
        and report_plan(SEED, i, 2021).published
    )
    with start_server(SEED, ag.index, TODAY, troubles=False) as srv:
        page = fetch(srv.base_url + report_path(ag, report_plan(SEED, ag.index, 2021)))[2].decode()
    pubdate = re.search(r'<meta name="PubDate" content="([^"]+)">', page).group(1)
    generated = re.search(r'<meta name="others" content="页面生成时间 ([^"]+)">', page).group(1)
    assert generated.startswith(pubdate) and pubdate > "2022-06"
    assert f'<span class="fbsj">发布时间：{report_plan(SEED, ag.index, 2021).published}</span>' in page


def test_hanweb_datastore_and_records_api(server):
    ag = pick("hanweb", lambda a: a.first_year == 2008)
    col = server.base_url + column_url_path(ag)
    page = fetch(col)[2].decode()
    assert f'<div id="{ag.unit_id}"><script type="text/xml"><datastore>' in page
    assert (
        f"/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={ag.web_id}&path=/&columnid={ag.column_id}"
        in page
    )
    assert page.count("<record>") == 15 and "totalrecord" not in page
    form = (
        f"col=1&appid=1&webid={ag.web_id}&path=/&columnid={ag.column_id}&sourceContentType=1"
        f"&unitid={ag.unit_id}&webname=x&permissiontype=0"
    ).encode()
    api = f"{server.base_url}/{ag.slug}/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15"
    status, headers, body, _ = fetch(api, form)
    assert headers["Content-Type"] == "text/xml; charset=UTF-8"
    xml = body.decode()
    total = int(re.search(r"<totalrecord>(\d+)</totalrecord>", xml).group(1))
    assert re.search(rf"<totalpage>{-(-total // 15)}</totalpage>", xml)
    assert xml.count("<record>") == min(45, total)
    pairs = re.findall(r'title="([^"]+)" target="_blank">([^<]+)</a>', xml)
    assert any(len(t) > 18 and a == t[:18] + "..." for t, a in pairs)
    assert all(a == t or a == t[:18] + "..." for t, a in pairs)
    assert fetch(api.replace("?", "?" + form.decode() + "&"))[2] == body  # GET works too
    assert fetch(col.replace("index.html", "index_1.html"))[0] == 404


def test_plain_next_page_chain(server):
    ag = pick("plain", lambda a: a.first_year == 2008)
    page = text(*fetch(server.base_url + column_url_path(ag))[1:3])
    assert '<table class="gl_list">' in page and '<a href="list.html?page=2">下一页</a>' in page
    assert "createPageHTML" not in page and "上一页" not in page
    assert len(walk_column(server.base_url, ag)) > ag.page_size


def test_conditional_requests_get_304(server):
    url = server.base_url + column_url_path(pick("trs"))
    status, headers, body, _ = fetch(url)
    assert headers["ETag"] and headers["Last-Modified"] and headers["Date"]
    assert fetch(url, headers={"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(url, headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(url, headers={"If-None-Match": '"other"'})[0] == 200
    status, head_headers, head_body, _ = fetch(url, method="HEAD")
    assert status == 200 and head_body == b"" and head_headers["Content-Length"] == str(len(body))


@pytest.mark.parametrize("deliveries", [("html", "split"), ("pdf", "pdf_docx", "doc"), ("direct",)])
def test_edited_report_changes_after_its_edit_date(deliveries):
    plan = next(
        report_plan(SEED, i, y)
        for i in range(1, 3000)
        for y in range(2010, 2024)
        if report_plan(SEED, i, y).edit_date
        and report_plan(SEED, i, y).delivery in deliveries
        and not agency(SEED, i).block
        and y >= agency(SEED, i).first_year
    )
    ag = agency(SEED, plan.index)
    with start_server(SEED, ag.index, plan.edit_date - timedelta(days=1), troubles=False) as srv:
        url = srv.base_url + report_path(ag, plan)
        before = fetch(url)
        assert not any(
            r["edited"] for r in srv.truth() if r["source"] == ag.source_id and r["year"] == plan.year
        )
        srv.set_today(plan.edit_date)
        after = fetch(url)
        record = next(r for r in srv.truth() if r["year"] == plan.year and r["source"] == ag.source_id)
    assert record["edited"] is True and record["url"] == url
    assert before[0] == after[0] == 200 and before[2] != after[2]
    assert before[1]["ETag"] != after[1]["ETag"]
    assert before[1]["Last-Modified"] != after[1]["Last-Modified"]
    if "html" in after[1]["Content-Type"]:
        assert "更正" in text(after[1], after[2]) and "更正" not in text(before[1], before[2])


@pytest.mark.parametrize(
    ("block", "status", "marker"),
    [("ruishu", 412, "$_ts=window['$_ts']"), ("jiasule", 521, "__jsluid_s="), ("waf", 200, "安全验证")],
)
def test_blocked_sites_answer_every_url_with_their_challenge(block, status, marker):
    ag = next(agency(SEED, i) for i in range(1, 3000) if agency(SEED, i).block == block)
    with start_server(SEED, ag.index, TODAY) as srv:
        for path in (column_url_path(ag), f"/{ag.slug}/", f"/{ag.slug}/info/1.html"):
            got, headers, body, _ = fetch(srv.base_url + path)
            assert got == status and marker in body.decode()
        if block == "jiasule":
            assert headers["X-Via-JSL"]
        if block == "ruishu":
            assert 1000 < len(body) < 2500 and '<meta id="' in body.decode()


def test_robots_search_and_unknown_paths(server):
    status, headers, body, _ = fetch(server.base_url + "/robots.txt")
    assert body.decode() == "User-agent: *\nDisallow: /*/search/\n"
    ag = pick("plain")
    page = text(*fetch(server.base_url + column_url_path(ag))[1:3])
    search = re.search(r'<a href="(/a\d{5}/search/\?q=[^"]+)">', page).group(1)
    assert fetch(server.base_url + search)[0] == 200
    assert fetch(server.base_url + "/nowhere")[0] == 404
    assert fetch(server.base_url + f"/a{N + 1:05d}/")[0] == 404
    assert fetch(server.base_url + f"/{ag.slug}/info/123.html")[0] == 404


def _report_with(delivery: str, family: str | None = None, pred=lambda plan: True):
    for i in range(1, N + 1):
        ag = agency(SEED, i)
        if ag.block or (family and ag.family != family):
            continue
        for y in range(max(2019, ag.first_year), 2024):
            plan = report_plan(SEED, i, y)
            if plan.delivery == delivery and plan.published and not plan.move_date and pred(plan):
                return ag, plan
    raise AssertionError(delivery)


def _attachment_links(server, ag, plan) -> list[tuple[str, str]]:
    url = server.base_url + report_path(ag, plan)
    page = text(*fetch(url)[1:3])
    return [
        (urljoin(url, h.replace("&amp;", "&")), t)
        for h, t in re.findall(r'<a href="([^"]+)" target="_blank">([^<]+)</a>', page)
        if "search" not in h
    ]


def test_pdf_attachment_is_a_real_pdf(server):
    ag, plan = _report_with("pdf", "trs")
    ((url, anchor),) = _attachment_links(server, ag, plan)
    assert re.search(r"/P0\d{17,}\.pdf$", url) and anchor == plan.title
    status, headers, body, _ = fetch(url)
    assert headers["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    assert b"STSong-Light" in body and b"startxref" in body and b"/Type /Page" in body


def test_docx_attachment_is_a_valid_package(server):
    ag, plan = _report_with("pdf_docx", pred=lambda p: not p.broken_duplicate)
    links = _attachment_links(server, ag, plan)
    assert len(links) == 2
    status, headers, body, _ = fetch(links[1][0])
    assert status == 200
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        assert zf.testzip() is None
        xml = zf.read("word/document.xml").decode()
    assert "<w:tbl>" in xml and ag.name in xml
    docx = pytest.importorskip("docx")
    assert len(docx.Document(io.BytesIO(body)).tables) == 3


def test_broken_duplicate_attachment_is_404_but_the_pdf_serves(server):
    ag, plan = _report_with("pdf_docx", pred=lambda p: p.broken_duplicate)
    (pdf, _), (docx, _) = _attachment_links(server, ag, plan)
    assert fetch(pdf)[0] == 200 and fetch(docx)[0] == 404


def test_doc_attachment_is_rtf_served_as_msword(server):
    ag, plan = _report_with("doc")
    ((url, _),) = _attachment_links(server, ag, plan)
    status, headers, body, _ = fetch(url)
    assert headers["Content-Type"] in ("application/msword", "application/octet-stream")
    assert body.startswith(b"{\\rtf1\\ansi\\ansicpg936") and body.rstrip().endswith(b"}")
    decoded = re.sub(rb"\\u(-?\d+)\?", lambda m: chr(int(m.group(1)) % 65536).encode(), body).decode()
    assert plan.title in decoded


def test_opaque_download_has_content_disposition(server):
    ag, plan = _report_with("pdf", "plain")
    ((url, anchor),) = _attachment_links(server, ag, plan)
    assert re.search(r"/download\?id=\d+$", url) and anchor.startswith("附件")
    headers = fetch(url)[1]
    assert headers["Content-Disposition"].startswith("attachment; filename")


def test_split_trs_report_has_continuation_pages(server):
    ag, plan = _report_with("split", "trs")
    url = server.base_url + report_path(ag, plan)
    name = url.rsplit("/", 1)[1][:-5]
    for k in range(plan.split_parts):
        page = text(*fetch(url if k == 0 else url[:-5] + f"_{k}.html")[1:3])
        assert f'createPageHTML({plan.split_parts}, {k}, "{name}", "html")' in page


def test_transient_troubles_and_in_flight_stats():
    from portalsim.rng import unit

    ag = next(
        agency(SEED, i)
        for i in range(1, 200)
        if not agency(SEED, i).block and agency(SEED, i).first_year == 2008
    )
    paths = [report_path(ag, report_plan(SEED, ag.index, y)) for y in range(2008, 2024)]
    paths = [p for p in paths if p]
    with start_server(SEED, ag.index + 5, TODAY, troubles=True) as srv:
        candidates = [f"/{ag.slug}/search/?q={k}" for k in range(400)]
        burst = next(p for p in candidates if unit(SEED, "burst", p) < 0.03 and unit(SEED, "slow", p) >= 0.01)
        first = fetch(srv.base_url + burst)[0]
        assert first in (502, 503)
        statuses = [fetch(srv.base_url + burst)[0] for _ in range(2)]
        assert statuses[-1] == 200
        slow = next(p for p in candidates if unit(SEED, "slow", p) < 0.01 and unit(SEED, "burst", p) >= 0.03)
        import threading

        threads = [threading.Thread(target=fetch, args=(srv.base_url + slow,)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stats = srv.stats()
    assert stats["max_in_flight"] >= 2
    assert stats["by_status"].get(200, 0) >= 4 and stats["requests"] >= 6 and stats["bytes_sent"] > 0
    with start_server(SEED, ag.index + 5, TODAY, troubles=False) as quiet:
        assert fetch(quiet.base_url + burst)[0] == 200
        for path in paths:
            fetch(quiet.base_url + path)
        assert quiet.stats()["max_in_flight"] == 1  # sequential requests never overlap


def test_deep_agency_in_a_5000_world_serves():
    with start_server(SEED, 5000, TODAY, troubles=False) as srv:
        ag = next(agency(SEED, i) for i in range(4321, 5000) if not agency(SEED, i).block)
        listed = walk_column(srv.base_url, ag)
        reports = [r for r in agency_truth(SEED, ag.index, TODAY, srv.base_url) if r["published_on"]]
        assert reports and all(r["url"] in listed for r in reports)


DETAIL_MARKERS = {
    "trs": [
        r'<meta name="ArticleTitle" content="[^"]+">',
        r'<meta name="PubDate" content="\d{4}-\d\d-\d\d \d\d:\d\d">',
        r'<meta name="ContentSource" content="[^"]+">',
        r'<div class="TRS_Editor">',
        r"发布日期：\d{4}-\d\d-\d\d",
    ],
    "trs6": [
        r'<span class="fbsj">发布时间：\d{4}-\d\d-\d\d</span>',
        r'<div class="trs_editor_view">',
        r'<meta name="others" content="页面生成时间 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d">',
    ],
    "hanweb": [
        r"<title>\S+ 政府信息公开年报 \S+</title>",
        r"<!--ZJEG_RSS.content.begin-->[\s\S]+<!--ZJEG_RSS.content.end-->",
        r'<meta name="ArticleTitle" content="[^"]+">',
    ],
    "plain": [r'<h1 class="title">', r"发布时间：\d{4}年\d{1,2}月\d{1,2}日", r'<div id="zoom">'],
}


@pytest.mark.parametrize("family", sorted(DETAIL_MARKERS))
def test_detail_pages_carry_the_family_markup(server, family):
    ag, plan = _report_with("html", family, pred=lambda p: p.template == "template2021")
    status, headers, body, _ = fetch(server.base_url + report_path(ag, plan))
    page = text(headers, body)
    for marker in DETAIL_MARKERS[family]:
        assert re.search(marker, page), marker
    assert ("PubDate" in page) == (family != "plain")
    assert "本年制发件数" in page and 'rowspan="' in page and 'colspan="' in page
    assert plan.published.isoformat() in page or f"{plan.published.year}年{plan.published.month}月" in page


def test_gbk_only_names_are_served_as_gbk_bytes():
    ag = next(
        agency(SEED, i)
        for i in range(1, 5000)
        if agency(SEED, i).family == "trs"
        and not agency(SEED, i).block
        and any(ch in agency(SEED, i).name for ch in "镕堃喆")
    )
    with start_server(SEED, ag.index, TODAY, troubles=False) as srv:
        body = fetch(srv.base_url + column_url_path(ag))[2]
    assert ag.name.encode("gbk") in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
