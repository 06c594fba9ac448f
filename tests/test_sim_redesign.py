"""The simulator's portal redesigns (a column that suddenly lists nothing) and its date provider, over HTTP."""

from __future__ import annotations

import re
import tomllib
import urllib.error
import urllib.request
from datetime import date, timedelta
from urllib.parse import urljoin, urlsplit

import pytest

from portalsim import SimServer, render_sources_toml, start_server, truth_records
from portalsim.world import agency

SEED = 7
N = 30
TODAY = date(2025, 4, 10)
HANWEB_FORM = "col=1&appid=1&path=/&sourceContentType=1&webname=x&permissiontype=0"

Request = tuple[str, bytes | None]


@pytest.fixture(scope="module")
def server():
    srv = start_server(SEED, N, TODAY, troubles=False)
    yield srv
    srv.shutdown()


@pytest.fixture
def sim(server: SimServer):
    """The module's server, with no redesigned agency again after each test."""
    server.set_redesigned(())
    yield server
    server.set_redesigned(())


def fetch(url: str, data: bytes | None = None) -> tuple[int, str, bytes]:
    """(status, Content-Type, body) of one request; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers.get("Content-Type", ""), err.read()


def decode(content_type: str, body: bytes) -> str:
    """Decode like a crawler (a declared gb2312/gbk is read as gb18030)."""
    m = re.search(r"charset=([\w-]+)", content_type)
    charset = (m.group(1) if m else "utf-8").lower()
    return body.decode("gb18030" if charset in ("gb2312", "gbk") else charset)


def column_urls(base_url: str) -> dict[int, str]:
    """{agency index: column URL} from the sources registry the simulator renders."""
    registry = tomllib.loads(render_sources_toml(SEED, N, base_url))
    return {int(src["id"].removeprefix("sim-")): src["urls"][0] for src in registry["source"]}


def report_names(base_url: str, index: int) -> list[str]:
    """The last path segment of every published report of agency ``index`` (what listings link to)."""
    return [
        urlsplit(rec["url"]).path.rsplit("/", 1)[1]
        for rec in truth_records(SEED, N, TODAY, base_url)
        if rec["source"] == agency(SEED, index).source_id and rec["url"]
    ]


def listing_requests(base_url: str, index: int, column: str) -> list[Request]:
    """The column URL and the listing requests it leads to: second page, year sub-columns, records API."""
    ag = agency(SEED, index)
    status, ctype, body = fetch(column)
    page = decode(ctype, body)
    requests: list[Request] = [(column, None)]
    if ag.family == "trs":
        count = int(re.search(r'createPageHTML\((\d+), 0, "index", "html"\)', page).group(1))
        if count > 1:
            requests.append((urljoin(column, "index_1.html"), None))
        requests += [(urljoin(column, sub), None) for sub in re.findall(r'<a href="(\./gknb\d{4}/)">', page)]
    elif ag.family == "trs6":
        if int(re.search(r"createPageHTML\('page_div', (\d+), 1,", page).group(1)) > 1:
            requests.append((urljoin(column, "xlist_2.shtml"), None))
    elif ag.family == "hanweb":
        nextgroup = re.search(r'<nextgroup><!\[CDATA\[<a href="([^"]+)">', page).group(1)
        window = "&startrecord=1&endrecord=45&perpage=15"
        form = f"{HANWEB_FORM}&webid={ag.web_id}&columnid={ag.column_id}&unitid={ag.unit_id}".encode()
        requests.append((urljoin(column, nextgroup) + window, form))  # POST, as jpage.js does
        requests.append(
            (f"{base_url}/{ag.slug}/module/web/jpage/dataproxy.jsp?{form.decode()}{window}", None)
        )
    else:
        nxt = re.search(r'<a href="(list\.html\?page=\d+)">下一页</a>', page)
        if nxt:
            requests.append((urljoin(column, nxt.group(1)), None))
    return requests


def snapshot(requests: list[Request]) -> dict[Request, tuple[int, str, bytes]]:
    """Every answer of ``requests``."""
    return {req: fetch(*req) for req in requests}


def pick(family: str, year_columns: bool = False) -> int:
    """The first unblocked agency of the world in ``family`` (TRS: with or without year sub-columns)."""
    return next(
        i
        for i in range(1, N + 1)
        if agency(SEED, i).family == family
        and not agency(SEED, i).block
        and agency(SEED, i).year_columns == year_columns
    )


CASES = [("trs", False), ("trs", True), ("trs6", False), ("hanweb", False), ("plain", False)]


def assert_lists_reports(answers: dict, names: list[str]) -> None:
    """The listing answers link to the agency's newest report (and have more than one request for paging)."""
    listed = "".join(decode(ctype, body) for status, ctype, body in answers.values())
    assert all(status == 200 for status, _, _ in answers.values())
    assert names and names[-1] in listed and "年度报告" in listed


def assert_redesigned(answers: dict, index: int, names: list[str]) -> None:
    """Every listing answer is a 200 page of the site that lists nothing and pages nowhere."""
    ag = agency(SEED, index)
    for (url, _), (status, ctype, body) in answers.items():
        text = decode(ctype, body)
        assert status == 200, url
        assert not any(name in text for name in names), url
        assert "年度报告" not in text and "<record>" not in text and "<li>" not in text, url
        if "dataproxy.jsp" in url:
            assert ctype == "text/xml; charset=UTF-8"
            assert "<totalrecord>0</totalrecord>" in text and re.search(r"<recordset>\s*</recordset>", text)
            continue
        assert (
            ctype.startswith("text/html")
            and ag.name in text
            and f"<title>政府信息公开年报-{ag.name}</title>" in text
        )
        for pager in ("createPageHTML", "下一页", "index_1.html", "xlist_2", "page=", "datastore", "gknb20"):
            assert pager not in text, (url, pager)
        assert "网站改版升级中，栏目内容正在迁移" in text or '<div id="list"></div>' in text
        if ag.encoding == "gbk":
            assert ctype == "text/html; charset=gb2312" and ag.name.encode("gbk") in body


@pytest.mark.parametrize(("family", "year_columns"), CASES)
def test_redesigned_column_lists_nothing_until_restored(sim: SimServer, family: str, year_columns: bool):
    index = pick(family, year_columns)
    # a neighbour of the same family if the world has one (it has a single plain site)
    other = min(
        (i for i in range(1, N + 1) if i != index and not agency(SEED, i).block),
        key=lambda i: (agency(SEED, i).family != family, i),
    )
    columns = column_urls(sim.base_url)
    names = report_names(sim.base_url, index)
    requests = listing_requests(sim.base_url, index, columns[index])
    neighbour = listing_requests(sim.base_url, other, columns[other])
    detail = next(
        rec["url"]
        for rec in truth_records(SEED, N, TODAY, sim.base_url)
        if rec["source"] == agency(SEED, index).source_id and rec["url"]
    )
    home = f"{sim.base_url}/{agency(SEED, index).slug}/"
    before, neighbour_before = snapshot(requests), snapshot(neighbour)
    assert_lists_reports(before, names)
    assert len(requests) > 1  # the column pages on (or has its records API)
    home_before, detail_before = fetch(home), fetch(detail)

    sim.set_redesigned([index])
    assert sim.app.redesigned == {index}
    assert_redesigned(snapshot(requests), index, names)
    assert snapshot(neighbour) == neighbour_before
    assert fetch(home) == home_before and fetch(detail) == detail_before
    assert detail_before[0] == 200

    sim.set_redesigned([])
    assert snapshot(requests) == before


def test_both_redesign_styles_exist_and_hanweb_root_api_is_empty(sim: SimServer):
    columns = column_urls(sim.base_url)
    hanweb = pick("hanweb")
    requests = listing_requests(sim.base_url, hanweb, columns[hanweb])
    sim.set_redesigned(range(1, N + 1))
    pages = [decode(*fetch(url)[1:]) for i, url in columns.items() if not agency(SEED, i).block]
    assert any("网站改版升级中" in page for page in pages) and any(
        '<div id="list"></div>' in page for page in pages
    )
    root_api = next(req for req in requests if req[1] is not None)
    status, ctype, body = fetch(*root_api)
    assert status == 200 and "<totalrecord>0</totalrecord>" in body.decode()


def test_redesign_is_not_answered_304_to_an_old_validator(sim: SimServer):
    column = column_urls(sim.base_url)[pick("trs")]
    with urllib.request.urlopen(column, timeout=10) as resp:
        last_modified, etag = resp.headers["Last-Modified"], resp.headers["ETag"]
    sim.set_redesigned([pick("trs")])
    for header, value in (("If-Modified-Since", last_modified), ("If-None-Match", etag)):
        with urllib.request.urlopen(
            urllib.request.Request(column, headers={header: value}), timeout=10
        ) as resp:
            assert resp.status == 200


def test_date_provider_is_read_per_request():
    # the newest report of a column without year sub-columns: on the column page from its publication day
    rec = max(
        (
            r
            for r in truth_records(SEED, N, TODAY)
            if r["published_on"]
            and not agency(SEED, int(r["source"][4:])).year_columns
            and not agency(SEED, int(r["source"][4:])).block
        ),
        key=lambda r: r["published_on"],
    )
    index, published = int(rec["source"][4:]), date.fromisoformat(rec["published_on"])
    box = [published - timedelta(days=1)]
    with start_server(SEED, N, lambda: box[0], troubles=False) as srv:
        column = column_urls(srv.base_url)[index]
        name = urlsplit(rec["url"] or "").path.rsplit("/", 1)[1]
        assert name not in decode(*fetch(column)[1:])
        box[0] = published
        assert srv.app.today == published
        assert name in decode(*fetch(column)[1:])
        srv.set_today(published - timedelta(days=1))  # a fixed date replaces the provider
        box[0] = TODAY
        assert name not in decode(*fetch(column)[1:])


@pytest.fixture
def pruned_or_moved(server: SimServer):
    server.set_pruned({})
    server.set_moved(())
    yield server
    server.set_pruned({})
    server.set_moved(())


@pytest.mark.parametrize(("family", "year_columns"), CASES)
def test_a_pruned_column_lists_only_recent_reports_and_old_pages_still_answer(
    pruned_or_moved, family, year_columns
):
    index = pick(family, year_columns)
    base, column = pruned_or_moved.base_url, column_urls(pruned_or_moved.base_url)[index]
    records = [
        rec
        for rec in truth_records(SEED, N, TODAY, base)
        if rec["source"] == agency(SEED, index).source_id and rec["url"]
    ]
    years = sorted({r["year"] for r in records})
    cutoff = years[len(years) // 2]  # prune the older half
    old = [urlsplit(r["url"]).path.rsplit("/", 1)[1] for r in records if r["year"] < cutoff]
    recent = [urlsplit(r["url"]).path.rsplit("/", 1)[1] for r in records if r["year"] >= cutoff]
    assert old and recent
    pruned_or_moved.set_pruned({index: cutoff})
    listed = b"".join(body for _, _, body in snapshot(listing_requests(base, index, column)).values())
    text = listed.decode("utf-8", "replace") + listed.decode("gb18030", "replace")
    assert all(name not in text for name in old)
    assert any(name in text for name in recent)
    assert fetch(next(r["url"] for r in records if r["year"] < cutoff))[0] == 200  # unlinked, not deleted


@pytest.mark.parametrize(("family", "year_columns"), CASES)
def test_a_moved_column_answers_404_but_its_reports_still_answer(pruned_or_moved, family, year_columns):
    index = pick(family, year_columns)
    base, column = pruned_or_moved.base_url, column_urls(pruned_or_moved.base_url)[index]
    requests = listing_requests(base, index, column)
    pruned_or_moved.set_moved([index])
    assert {status for status, _, _ in snapshot(requests).values()} == {404}
    report = next(
        r["url"]
        for r in truth_records(SEED, N, TODAY, base)
        if r["source"] == agency(SEED, index).source_id and r["url"]
    )
    assert fetch(report)[0] == 200
