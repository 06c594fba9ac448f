"""Hostile network behaviour is contained (issue 13), each case a column on a local server:
redirects off the source's hosts are refused before any request reaches the target, a redirect
loop stops at the limit, oversized bodies and gzip bombs are cut, a trickling server times out,
and a 200 page that is really a 页面不存在, a 验证码 form or a login form is recorded as such —
never read as an empty column."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.simcrawl import nianbao, query

pytestmark = pytest.mark.slow

TODAY = date(2025, 4, 10)
REPORT = "某县人民政府2024年政府信息公开工作年度报告"
# a portal's frame (navigation, footer) around each page: real pages are never a few bytes
FRAME = (
    '<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/login.html">用户登录</a> '
    '<a href="/hdjl/">互动交流</a> <a href="/bsfw/">办事服务</a></div>'
    + "<p>主办单位：某县人民政府办公室 承办单位：某县大数据中心 网站标识码：1234567890 ICP备案号：某ICP备12345678号</p>"
    * 3
)
LISTING = (
    f"<html><head><title>政府信息公开年报</title></head><body>{FRAME}<ul>"
    f'<li><a href="/r/2024.html" title="{REPORT}">{REPORT}</a><span>2025-01-20</span></li>'
    "</ul></body></html>"
)
SOFT_404 = (
    "<html><head><title>提示信息</title></head><body><div>抱歉，您访问的页面不存在！</div></body></html>"
)
CAPTCHA = (
    f'<html><head><title>安全访问</title></head><body>{FRAME}<form>请输入验证码：<input name="code">'
    '<img src="/c.jpg"></form></body></html>'
)
LOGIN = (
    f"<html><head><title>用户登录</title></head><body>{FRAME}<form>"
    '<input name="user"><input type="password" name="pw"></form></body></html>'
)


class Counting(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, routes: dict) -> None:
        self.routes, self.hits = routes, []
        super().__init__((host, 0), Handler)

    @property
    def base(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Counting

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.hits.append(self.path)
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        route(self)

    def log_message(self, *args) -> None:
        pass


def send(status: int, body: bytes = b"", headers: dict | None = None):
    def answer(h: Handler) -> None:
        h.send_response(status)
        for k, v in {"Content-Type": "text/html; charset=utf-8", **(headers or {})}.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return answer


def trickle(h: Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.end_headers()
    try:
        for _ in range(60):
            h.wfile.write(b"<p>")
            h.wfile.flush()
            time.sleep(0.25)
    except OSError:
        pass


@contextmanager
def serving(server: Counting) -> Iterator[Counting]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile-net")
    outside = Counting("127.0.0.2", {"/x/": send(200, LISTING.encode())})
    bomb = gzip.compress(b"\0" * (40 << 20))  # 40 MiB of zeros in ~40 KiB
    portal = Counting(
        "127.0.0.1",
        {
            "/ok/": send(200, LISTING.encode()),
            "/r/2024.html": send(
                200,
                f"<html><head><title>{REPORT}</title></head><body>{FRAME}<h1>{REPORT}</h1>"
                "<p>一、总体情况</p><p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p>"
                "</body></html>".encode(),
            ),
            "/moved/": send(301, headers={"Location": "/ok2/"}),
            "/ok2/": send(200, LISTING.encode()),
            "/loop-a/": send(302, headers={"Location": "/loop-b/"}),
            "/loop-b/": send(302, headers={"Location": "/loop-a/"}),
            "/private/": send(302, headers={"Location": "http://10.255.255.1/zfxxgknb/"}),
            "/soft404/": send(200, SOFT_404.encode()),
            "/captcha/": send(200, CAPTCHA.encode()),
            "/login/": send(200, LOGIN.encode()),
            "/big/": send(200, b"<html><body>" + b"x" * (3 << 20) + b"</body></html>"),
            "/bomb/": send(200, bomb, {"Content-Encoding": "gzip"}),
            "/trickle/": trickle,
        },
    )
    with serving(outside), serving(portal):
        portal.routes["/offsite/"] = send(302, headers={"Location": outside.base + "/x/"})
        for n in range(12):  # an endless chain of distinct URLs: the redirect limit stops it
            portal.routes[f"/chain/{n}/"] = send(302, headers={"Location": f"/chain/{n + 1}/"})
        columns = [
            "chain/0",
            "ok",
            "moved",
            "loop-a",
            "private",
            "offsite",
            "soft404",
            "captcha",
            "login",
            "big",
            "bomb",
            "trickle",
        ]
        sources = tmp / "sources.toml"
        sources.write_text(
            "".join(
                f'[[source]]\nid = "{c.replace("/", "-")}"\nagency = "某县人民政府"\nlevel = "county"\nkind = "region"\n'
                f'urls = ["{portal.base}/{c}/"]\n\n'
                for c in columns
            ),
            encoding="utf-8",
        )
        data = tmp / "data"
        settings = ("-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_MAXSIZE=1000000")
        proc = nianbao(
            "crawl",
            "--data",
            str(data),
            "--sources",
            str(sources),
            "--profile",
            "sim",
            *settings,
            now=TODAY,
            check=False,
        )
        status = {
            r["source_id"]: r["status"] for r in query(data, "select source_id, status from source_runs")
        }
        fetches = query(data, "select url, status, block, redirect_to, error from fetches")
        return {
            "proc": proc,
            "status": status,
            "fetches": fetches,
            "outside": list(outside.hits),
            "portal": list(portal.hits),
        }


def test_a_redirect_off_the_source_hosts_never_reaches_the_target(run):
    assert run["outside"] == []  # not the page, not its robots.txt
    assert run["status"]["offsite"] == "unreachable:redirect"
    hop = [f for f in run["fetches"] if f["url"].endswith("/offsite/")]
    assert hop and hop[0]["status"] == 302 and hop[0]["redirect_to"].endswith("/x/")
    assert "offsite: unreachable (redirected off the source's hosts (refused))" in run["proc"].stderr


def test_a_redirect_to_an_internal_address_is_refused(run):
    assert run["status"]["private"] == "unreachable:redirect"
    assert not [f for f in run["fetches"] if "10.255.255.1" in f["url"]]


def test_a_redirect_on_the_same_host_is_followed(run):
    assert run["status"]["moved"] == "ok" and run["status"]["ok"] == "ok"
    assert "/ok2/" in run["portal"]


def test_a_redirect_loop_or_chain_stops_at_the_limit(run):
    assert run["status"]["loop-a"].startswith("unreachable")
    assert sum(p.startswith("/loop-") for p in run["portal"]) <= 3
    assert run["status"]["chain-0"].startswith("unreachable")
    assert sum(p.startswith("/chain/") for p in run["portal"]) == 6  # the first request and 5 hops


def test_a_soft_404_captcha_or_login_page_is_never_an_empty_column(run):
    assert run["status"]["soft404"] == "unreachable:http-404"
    assert run["status"]["captcha"] == "blocked:captcha"
    assert run["status"]["login"] == "blocked:login"
    blocks = {f["url"].rsplit("/", 2)[-2]: f["block"] for f in run["fetches"] if f["block"]}
    assert blocks == {"soft404": "soft404", "captcha": "captcha", "login": "login"}
    assert not {"soft404", "captcha", "login"} & {k for k, v in run["status"].items() if v in ("ok", "empty")}


def test_oversized_bodies_gzip_bombs_and_trickles_are_cut_and_recorded(run):
    assert run["status"]["big"] == run["status"]["bomb"] == "unreachable:too-large"
    assert run["status"]["trickle"] == "unreachable:timeout"
    assert "larger than download max size" in next(
        f["error"] for f in run["fetches"] if f["url"].endswith("/big/")
    )


def test_the_crawl_goes_on_and_says_so(run):
    assert run["proc"].returncode == 0  # two sources were read
    assert "Traceback" not in run["proc"].stderr
