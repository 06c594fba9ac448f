"""ArchiveMiddleware with real Scrapy components: every exchange archived, blocks stopped."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import TimeoutError as TxTimeoutError

from crawler.middlewares import ArchiveMiddleware, BackoffMiddleware, BlockedPage
from crawler.stages.crawl import build_settings
from crawler.vocab.words import META_FETCH_ID, META_KIND, META_SOURCE
from storage import fetches
from storage.warc import read_record

RUISHU = (
    b'<html><head><meta id="9DhefwqGPrzK" content="abc"><script>$_ts=window[\'$_ts\'];'
    b'if(!$_ts)$_ts={};$_ts.nsd=12345;</script><script src="/x.js"></script></head></html>'
)


@pytest.fixture
def mw(tmp_path):
    settings = build_settings({"NIANBAO_DATA": str(tmp_path)}).copy_to_dict()
    crawler = get_crawler(settings_dict=settings)
    middleware = ArchiveMiddleware.from_crawler(crawler)
    yield middleware
    middleware.owner.close()


def req(url="http://127.0.0.1:1/a/zfxxgknb/", kind="listing"):
    return Request(url, meta={META_KIND: kind, META_SOURCE: "s1"})


def test_response_is_archived_and_indexed(mw, tmp_path):
    request = req()
    body = "<html><body>政府信息公开工作年度报告".encode("gb18030") + b"x" * 600 + b"</body></html>"
    response = HtmlResponse(
        request.url,
        status=200,
        body=body,
        request=request,
        headers={"Content-Type": "text/html; charset=gb2312", "ETag": '"e1"'},
    )
    assert mw.process_response(request, response) is response
    row = mw.session.db.table("fetches").get(request.meta[META_FETCH_ID])
    assert (row["status"], row["kind"], row["etag"], row["block"]) == (200, "listing", '"e1"', None)
    assert read_record(tmp_path / "warc", fetches.ref_of(row)).payload == body
    # the same bytes again: a revisit record, not a second copy
    again = req()
    mw.process_response(again, HtmlResponse(again.url, status=200, body=body, request=again))
    assert mw.session.db.table("fetches").get(again.meta[META_FETCH_ID])["record_type"] == "revisit"


def test_block_page_is_archived_then_stopped(mw):
    request = req()
    response = HtmlResponse(request.url, status=412, body=RUISHU, request=request)
    with pytest.raises(BlockedPage) as info:
        mw.process_response(request, response)
    assert info.value.kind == "ruishu"
    assert mw.session.db.table("fetches").get(request.meta[META_FETCH_ID])["block"] == "ruishu"


def test_small_record_api_answer_is_not_a_block(mw):
    request = req("http://127.0.0.1:1/a/module/web/jpage/dataproxy.jsp?startrecord=1")
    xml = b'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>0</totalrecord></datastore>'
    response = Response(
        request.url,
        status=200,
        body=xml,
        request=request,
        headers={"Content-Type": "text/xml; charset=UTF-8"},
    )
    assert mw.process_response(request, response) is response


def test_tiny_html_page_is_a_block(mw):
    request = req()
    response = HtmlResponse(
        request.url,
        status=200,
        body=b"<html><body></body></html>",
        request=request,
        headers={"Content-Type": "text/html"},
    )
    with pytest.raises(BlockedPage, match="tiny"):
        mw.process_response(request, response)


def test_failure_without_response_is_archived(mw, tmp_path):
    request = req(kind="detail")
    assert mw.process_exception(request, TxTimeoutError("took too long")) is None
    row = mw.session.db.table("fetches").get(request.meta[META_FETCH_ID])
    assert row["record_type"] == "failure" and "TimeoutError" in row["error"] and row["status"] is None
    assert b"TimeoutError" in read_record(tmp_path / "warc", fetches.ref_of(row)).payload


def test_backoff_grows_and_is_capped():
    mw = BackoffMiddleware(base=1.0, cap=5.0)
    delays = [mw.delay(n) for n in (1, 2, 3, 10)]
    assert 0.8 <= delays[0] <= 1.2 and 1.6 <= delays[1] <= 2.4 and 3.2 <= delays[2] <= 4.8
    assert delays[3] <= 6.0


def test_block_detection_sees_through_gzip(mw):
    import gzip

    listing = (
        "<html><body><ul class='list'>"
        + "<li><a href='./a.html'>某县政府信息公开工作年度报告</a></li>" * 30
        + "</ul></body></html>"
    ).encode()
    request = req()
    ok = HtmlResponse(
        request.url,
        status=200,
        body=gzip.compress(listing),
        request=request,
        headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
    )
    assert len(ok.body) < 500 and mw.process_response(request, ok) is ok  # small when zipped, not "tiny"
    waf = "<html><head><title>安全验证</title></head><body>请稍候，正在进行安全验证…</body></html>".encode()
    request = req()
    blocked = HtmlResponse(
        request.url,
        status=200,
        body=gzip.compress(waf + b" " * 600),
        request=request,
        headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
    )
    with pytest.raises(BlockedPage, match="waf"):
        mw.process_response(request, blocked)
