"""The web UI in a real browser: Playwright drives the system Chromium against ``nianbao serve``.

One crawled simulator world (tests/webworld.py: seed 21, 40 agencies, the hostile report of
sim-00033 for 2021) is served by a real ``nianbao serve`` subprocess; the simulator is down by then,
so everything the browser loads must come from the web UI. The tests use the pages as a reader
does (selects that submit themselves, the search box, links, downloads) and check what they show
against the archive (SQL) and the CLI: the grid filters and their counts, a search for 复议 and
its click-through to the highlighted hit, a PDF opened from the archive, CSV exports equal to the
screen, a hostile title that stays text, and no request leaving the server's origin.

Screenshots of the main pages are kept in ``$NIANBAO_ARTIFACTS/web-screenshots`` when that is
set (CI), else in a pytest temporary directory; their paths are printed.

Like the other browser tests these skip without Chromium and fail when ``CI``,
``NIANBAO_REQUIRE_BROWSER`` or ``NIANBAO_REQUIRE_TOOLS`` is set (``requires_chromium``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.outputs.report_html import STATUS_COLOURS, STATUS_MARKS
from portalsim.world import HOSTILE_TITLE_SUFFIX
from tests.simcrawl import nianbao, query
from tests.tools import chromium_path, require, requires_chromium
from tests.webworld import HOSTILE_SOURCE, HOSTILE_YEAR, TODAY, build_archive, serve

pytestmark = [pytest.mark.slow]

TIMEOUT = 10_000  # ms, for Playwright's waits and expectations
# Chromium's own PDF viewer: not network, and not the page's doing.
BROWSER_SCHEMES = ("chrome-extension:", "chrome:", "about:", "data:", "blob:")


def _rgb(colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> tuple[Path, Path]:
    require("chromium")  # no 20-second crawl for tests that will skip
    return build_archive(tmp_path_factory.mktemp("webworld"))


@pytest.fixture(scope="module")
def data(world) -> Path:
    return world[0]


@pytest.fixture(scope="module")
def served(world):
    with serve(*world) as srv:
        yield srv
    assert not [line for line in srv.log if "Traceback" in line or "ERROR" in line], "".join(srv.log)[-4000:]


@pytest.fixture(scope="module")
def browser():
    require("chromium")  # the browser tests are also marked; this keeps the fixture safe on its own
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # Playwright passes --no-sandbox by default (chromium_sandbox=False): needed when running as root.
        chromium = pw.chromium.launch(executable_path=chromium_path(), headless=True)
        yield chromium
        chromium.close()


@dataclass
class Tab:
    """One browser context and page on the served archive, with everything it did recorded."""

    page: object
    base: str
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console: list[tuple[str, str, str]] = field(default_factory=list)  # (type, text, url)

    def go(self, path: str):
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        return response

    def args(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.page.url).query)

    def csp_violations(self) -> list[tuple[str, str, str]]:
        return [c for c in self.console if "Content Security Policy" in c[1]]


@pytest.fixture
def tab(browser, served):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    t = Tab(page, served.base)
    # every request of the context: pages, frames (the sandboxed archived copies), downloads
    context.on("request", lambda r: t.requests.append(r.url))
    page.on("dialog", lambda d: (t.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: t.errors.append(str(exc)))
    page.on("console", lambda m: t.console.append((m.type, m.text, (m.location or {}).get("url", ""))))
    yield t
    context.close()
    assert t.dialogs == [], f"a page opened a dialog (script ran): {t.dialogs}"
    assert t.errors == [], f"script errors: {t.errors}"


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    root = os.environ.get("NIANBAO_ARTIFACTS")
    path = Path(root) / "web-screenshots" if root else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


# -- archive look-ups ------------------------------------------------------------------------------


def _hostile_report(data: Path) -> dict:
    rows = query(data, "select * from reports where title like '%<script>%'")
    assert len(rows) == 1, rows
    assert (rows[0]["source_id"], rows[0]["report_year"]) == (HOSTILE_SOURCE, HOSTILE_YEAR)
    assert rows[0]["title"].endswith(HOSTILE_TITLE_SUFFIX)
    return rows[0]


def _pdf_attachments(data: Path) -> list[dict]:
    """Attachments whose last full capture (what the report page links) holds a PDF."""
    return query(
        data,
        "select a.report_id, a.url, f.id as fetch_id, f.payload_sha256 from attachments a "
        "join fetches f on f.id = (select max(id) from fetches where url = a.url and status = 200 "
        "and record_type in ('response', 'revisit')) "
        "where exists (select 1 from fetches o where o.payload_sha256 = f.payload_sha256 "
        "and o.record_type = 'response' and o.content_type like 'application/pdf%') "
        "order by a.report_id, a.id",
    )


def _pager_total(tab: Tab) -> int:
    text = tab.page.locator("nav.pager span").first.text_content()
    m = re.match(r"共 (\d+) 条", text.strip())
    assert m, text
    return int(m.group(1))


def _grid_cells(tab: Tab) -> dict[str, list[tuple[str, str, str]]]:
    """Per shown row (source id): its cells as (href, class, mark)."""
    return tab.page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#grid tbody tr[data-source]')].map(
             tr => [tr.dataset.source, [...tr.querySelectorAll('a.cell')].map(
               a => [a.getAttribute('href'), a.className, a.querySelector('.mark').textContent])]))"""
    )


# -- 1. the grid ---------------------------------------------------------------------------------


@requires_chromium
@pytest.mark.parametrize("status", ["missing", "late"])
def test_grid_status_filter_submits_itself_and_counts_match(tab, data, status):
    from playwright.sync_api import expect

    page = tab.page
    tab.go("/grid")
    first, last = (
        int(page.input_value('form.filters input[name="from"]')),
        int(page.input_value('form.filters input[name="to"]')),
    )
    page.select_option("#f-status", status)  # no click: app.js submits the form on change
    page.wait_for_url(re.compile(rf"[?&]status={status}(&|$)"))
    assert tab.args()["status"] == [status]
    assert (int(tab.args()["from"][0]), int(tab.args()["to"][0])) == (first, last)
    expect(page.locator("#f-status")).to_have_value(status)

    expected = {
        r["source_id"]
        for r in query(
            data,
            "select distinct source_id from compliance where status = ? and year between ? and ?",
            (status, first, last),
        )
    }
    assert expected, f"the world has no {status} verdict in {first}-{last}: the test would prove nothing"
    assert _pager_total(tab) == len(expected)
    cells = _grid_cells(tab)
    assert set(cells) == expected  # fewer than a page of them
    for source, row in cells.items():
        assert any(f"status-{status}" in cls.split() for _, cls, _ in row), (source, row)
    # the stylesheet applies under the page CSP: the cell has its status colour
    colour = page.evaluate(
        f"getComputedStyle(document.querySelector('#grid a.cell.status-{status}')).backgroundColor"
    )
    assert colour == _rgb(STATUS_COLOURS[status])

    # a second filter on top: the level of the first agency shown; both stay in the URL
    source = next(iter(sorted(cells)))
    level = query(data, "select level from compliance_sources where source_id = ?", (source,))[0]["level"]
    page.select_option("#f-level", level)
    page.wait_for_url(re.compile(rf"[?&]level={level}(&|$)"))
    assert tab.args()["status"] == [status] and tab.args()["level"] == [level]
    narrowed = {
        r["source_id"]
        for r in query(
            data,
            "select distinct c.source_id from compliance c join compliance_sources s using (source_id) "
            "where c.status = ? and c.year between ? and ? and s.level = ?",
            (status, first, last, level),
        )
    }
    assert source in narrowed and narrowed <= expected
    assert _pager_total(tab) == len(narrowed)
    assert set(_grid_cells(tab)) == narrowed


@requires_chromium
def test_grid_cells_show_their_verdicts_and_unknown_is_never_missing(tab, data):
    span = query(data, "select min(year) lo, max(year) hi from compliance_rollup")[0]
    tab.go(f"/grid?from={span['lo']}&to={span['hi']}&per_page=200")
    truth = {(r["source_id"], r["year"]): r["status"] for r in query(data, "select * from compliance")}
    shown = {}
    for source, row in _grid_cells(tab).items():
        for href, cls, mark in row:
            m = re.fullmatch(r"/verdict/([^/]+)/(\d{4})", href)
            assert m and m.group(1) == source, href
            statuses = [c.removeprefix("status-") for c in cls.split() if c.startswith("status-")]
            assert len(statuses) == 1, cls
            shown[(source, int(m.group(2)))] = statuses[0]
            assert mark == STATUS_MARKS[statuses[0]], (href, cls, mark)
            if statuses[0] == "unknown":
                assert mark == "?" and "status-missing" not in cls
    assert shown == truth  # every verdict, each under its own status: unknown is never shown as missing
    # the legend's unknown badge: "?" on a hatched ground, not the missing colour
    badge = tab.page.locator("ul.legend .badge.status-unknown")
    assert badge.locator("[aria-hidden]").text_content() == "?"
    style = badge.evaluate("b => [getComputedStyle(b).backgroundImage, getComputedStyle(b).backgroundColor]")
    assert style[0].startswith("repeating-linear-gradient") and style[1] != _rgb(STATUS_COLOURS["missing"])
    # the unknown filter lists exactly the agencies with an unknown verdict (none is a missing one)
    tab.go(f"/grid?from={span['lo']}&to={span['hi']}&status=unknown&per_page=200")
    unknown = {s for (s, _), st in truth.items() if st == "unknown"}
    assert _pager_total(tab) == len(unknown) and set(_grid_cells(tab)) == unknown
    assert tab.page.locator("#grid a.cell.status-unknown").count() == sum(
        st == "unknown" for st in truth.values()
    )


# -- 2. search ---------------------------------------------------------------------------------


@requires_chromium
def test_search_fuyi_counts_like_the_cli_and_opens_at_the_hit(tab, data):
    from playwright.sync_api import expect

    cli = nianbao("search", "复议", "--data", str(data), "--json", "--limit", "1000", now=TODAY)
    hits = [json.loads(line) for line in cli.stdout.splitlines() if line.strip()]
    ids = list(dict.fromkeys(h["report_id"] for h in hits))
    assert 10 < len(ids) < 1000  # many matches, and the CLI's limit did not cut them

    page = tab.page
    tab.go("/")
    page.fill('form.quick input[name="q"]', "复议")
    page.press('form.quick input[name="q"]', "Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert tab.args()["q"] == ["复议"]
    expect(page.locator("#count b")).to_have_text(str(len(ids)))
    assert page.locator("#count").text_content().startswith(f"共 {len(ids)} 篇年报")

    links = page.locator("ol.results li.result a.title")
    hrefs = links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert 0 < len(hrefs) <= 50
    shown = [re.fullmatch(r"/report/(r-[0-9a-f]{16})\?q=(.+)#hit-1", h) for h in hrefs]
    assert all(shown), hrefs
    assert [m.group(1) for m in shown] == ids[: len(shown)]  # same ranking as the CLI
    assert _pager_total(tab) == len(ids)

    links.first.click()
    page.wait_for_url(re.compile(r"/report/r-[0-9a-f]{16}\?q=.+#hit-1$"))
    assert urlsplit(page.url).path == f"/report/{ids[0]}"
    assert page.evaluate("location.hash") == "#hit-1"
    mark = page.locator("mark#hit-1")
    expect(mark).to_have_text("复议")
    expect(mark).to_be_in_viewport()
    box, height = mark.bounding_box(), page.viewport_size["height"]
    assert box and -1 < box["y"] < height, box  # scrolled to the top: within a sub-pixel of 0
    n = page.locator("div.text mark").count()
    assert n >= 1 and page.locator(f"mark#hit-{n}").count() == 1
    expect(page.locator("h2#text small")).to_contain_text(f"{n} 处 matches")


# -- 3. a PDF from the archive -------------------------------------------------------------------


@requires_chromium
@pytest.mark.parametrize("which", ["plain", "hostile"])
def test_report_pdf_opens_from_the_archive(tab, data, which):
    from playwright.sync_api import expect

    pdfs = _pdf_attachments(data)
    if which == "hostile":  # served as download?id=…, named "../../<title with markup>.pdf"
        rid = _hostile_report(data)["id"]
        pdf = next(a for a in pdfs if a["report_id"] == rid)
    else:
        pdf = next(a for a in pdfs if a["url"].endswith(".pdf"))
    page = tab.page
    tab.go(f"/report/{pdf['report_id']}")
    href = f"/archive/{pdf['fetch_id']}"
    link = page.locator(f'#originals a.attachment[href="{href}"]')
    expect(link).to_have_count(1)

    with page.expect_response(lambda r: r.url == tab.base + href) as caught:
        link.click()
    response = caught.value
    headers = response.all_headers()
    assert response.status == 200
    assert headers["content-type"] == "application/pdf"
    csp = headers["content-security-policy"]
    assert csp.split(";")[0].strip() == "sandbox" and "default-src 'none'" in csp, csp
    assert headers["x-content-type-options"] == "nosniff"
    assert "content-encoding" not in headers
    assert headers["x-payload-sha256"] == pdf["payload_sha256"]
    disposition = headers["content-disposition"]
    assert re.fullmatch(r'inline; filename="[\x20-\x7e]+"', disposition) and "/" not in disposition, (
        disposition
    )
    # opened in the browser, in Chromium's PDF viewer, not turned into a download or an error page
    page.wait_for_load_state()
    assert page.url == tab.base + href
    deadline = time.monotonic() + TIMEOUT / 1000
    while not any(f.url.startswith("chrome-extension://") for f in page.frames):  # the viewer attaches
        assert time.monotonic() < deadline, f"no PDF viewer in {[f.url for f in page.frames]}"
        page.wait_for_timeout(50)

    body = page.request.get(tab.base + href).body()
    raw = nianbao("raw", pdf["payload_sha256"], "--data", str(data), text=False).stdout
    assert body.startswith(b"%PDF") and body == raw
    assert hashlib.sha256(body).hexdigest() == pdf["payload_sha256"]


# -- 4. exports equal the screen -----------------------------------------------------------------


def _download_csv(tab: Tab, name: str) -> list[dict]:
    link = tab.page.locator("p.exports a", has_text="CSV")
    with tab.page.expect_download() as caught:
        link.click()
    download = caught.value
    assert download.suggested_filename == f"{name}.csv"
    assert download.url == tab.base + link.get_attribute("href")
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]  # UTF-8 BOM: Excel reads the Chinese right
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


@requires_chromium
def test_flags_csv_equals_the_list_on_screen(tab, data):
    tab.go("/flags?kind=late")
    total = _pager_total(tab)
    assert total == query(data, "select count(*) n from flags where kind = 'late' and state = 'open'")[0]["n"]
    assert 0 < total <= 50  # one page: the screen holds the whole list
    screen = tab.page.evaluate(
        """() => [...document.querySelectorAll('#flag-list tbody tr')].map(tr => {
             const td = tr.querySelectorAll('td'), a = s => td[s].querySelector('a');
             const report = td[4].querySelector('a[href^="/report/"]');
             return [td[0].querySelector('.kind').className.replace(/.*kind-/, ''), td[1].textContent,
                     a(2).getAttribute('href').replace('/agency/', ''), a(2).textContent, td[3].textContent,
                     a(3).getAttribute('href'), td[4].firstChild.textContent.replace(/ · $/, '').trim(),
                     report ? report.getAttribute('href').replace('/report/', '') : '',
                     td[5].textContent, td[6].textContent]; })"""
    )
    assert len(screen) == total
    rows = _download_csv(tab, "flags")
    exported = [
        [
            r["kind"],
            r["severity"],
            r["source_id"],
            r["agency"],
            r["year"],
            f"/verdict/{r['source_id']}/{r['year']}",
            r["summary_zh"].strip(),
            r["report_id"],
            r["state"],
            r["updated_at"],
        ]
        for r in rows
    ]
    assert len(exported) == len(screen)
    assert Counter(map(tuple, exported)) == Counter(map(tuple, screen))
    assert {r["kind"] for r in rows} == {"late"}
    hostile = [r for r in rows if r["source_id"] == HOSTILE_SOURCE and r["year"] == str(HOSTILE_YEAR)]
    assert len(hostile) == 1 and HOSTILE_TITLE_SUFFIX in hostile[0]["summary_zh"]


@requires_chromium
def test_grid_csv_equals_the_filtered_grid_on_screen(tab, data):
    tab.go("/grid?status=late&per_page=200")
    cells = _grid_cells(tab)
    assert cells and _pager_total(tab) == len(cells)
    screen = Counter()
    for source, row in cells.items():
        for href, cls, _ in row:
            year = int(href.rsplit("/", 1)[1])
            screen[(source, year, cls.split()[1].removeprefix("status-"))] += 1
    rows = _download_csv(tab, "grid")
    exported = Counter((r["source"], int(r["year"]), r["status"]) for r in rows)
    assert exported == screen  # every verdict of the listed agencies in the years shown, no other
    years = {y for _, y, _ in screen}
    first = int(tab.page.input_value('form.filters input[name="from"]'))
    last = int(tab.page.input_value('form.filters input[name="to"]'))
    assert years <= set(range(first, last + 1))


# -- 5. the hostile title ------------------------------------------------------------------------


@requires_chromium
def test_hostile_title_stays_text_everywhere(tab, data):
    from playwright.sync_api import expect

    report = _hostile_report(data)
    title = report["title"]
    agency = report["agency"]
    page = tab.page

    def inert() -> None:
        assert page.locator("img[src=x], img[onerror]").count() == 0
        assert page.evaluate("[...document.scripts].map(s => s.getAttribute('src'))") == ["/static/app.js"]

    tab.go(f"/report/{report['id']}")
    expect(page.locator("h1")).to_have_text(title)  # the literal <script> and <img> as text
    assert page.title().startswith(title)
    inert()
    # the archived page itself, in its sandboxed frame: decoded from GB2312, its markup text too
    page.locator("details", has=page.locator("iframe.archived")).locator("summary").click()
    frame = page.frame_locator("iframe.archived")
    expect(frame.locator("h1")).to_have_text(title)
    assert page.locator("iframe.archived").get_attribute("sandbox") == ""

    # the search for its agency (submit button of the search form), then its result
    tab.go("/search")
    page.fill('form.filters input[name="q"]', agency)
    page.click('form.filters button[type="submit"]')
    page.wait_for_url(re.compile(r"/search\?"))
    result = page.locator(f'ol.results a.title[href^="/report/{report["id"]}?"]')
    expect(result).to_have_text(title)
    inert()

    tab.go(f"/flags?kind=late&name={agency}")
    expect(page.locator("#flag-list tbody")).to_contain_text(title)
    inert()
    tab.go(f"/verdict/{HOSTILE_SOURCE}/{HOSTILE_YEAR}")
    expect(page.locator("dl.facts a[href^='/report/']")).to_have_text(title)
    expect(page.locator("p.verdict .badge.status-late")).to_have_count(1)
    inert()
    tab.go("/")
    inert()
    assert tab.dialogs == []


# -- 6. nothing leaves the server's origin --------------------------------------------------------


@requires_chromium
def test_no_request_leaves_the_server(tab, data, served):
    page = tab.page
    hostile = _hostile_report(data)
    for path in (
        "/",
        "/grid",
        f"/verdict/{HOSTILE_SOURCE}/{HOSTILE_YEAR}",
        "/search?q=复议",
        "/flags",
        "/reports",
    ):
        tab.go(path)
    assert not tab.csp_violations(), tab.csp_violations()  # the app's own script and style are allowed
    # a report page and its archived copy, opened in the sandboxed frame
    tab.go(f"/report/{hostile['id']}")
    page.locator("details", has=page.locator("iframe.archived")).locator("summary").click()
    page.frame_locator("iframe.archived").locator("h1").wait_for()
    # an archived listing page loading a script from its site (a relative src, so this origin's
    # /module/…): under the archive's sandbox CSP it is not even requested
    listings = query(
        data,
        "select id from fetches where kind = 'listing' and status = 200 and record_type = 'response' "
        "and content_type like 'text/html%' order by id",
    )
    scripted = None
    for row in listings[:80]:
        status, headers, body = served.get(f"/archive/{row['id']}")
        if status == 200 and re.search(rb"<script[^>]+src=", body):
            scripted, script_src = row["id"], re.search(rb"<script[^>]+src=\"([^\"]+)\"", body).group(1)
            break
    assert scripted, "no archived listing loads a script: the sandbox check would prove nothing"
    assert headers["content-security-policy"].startswith("sandbox")
    tab.go(f"/archive/{scripted}")
    page.wait_for_load_state("load")

    origin = tab.base + "/"
    network = [u for u in tab.requests if not u.startswith(BROWSER_SCHEMES)]
    assert network and all(u.startswith(origin) for u in network), [
        u for u in network if not u.startswith(origin)
    ]
    assert not [u for u in network if script_src.decode() in u], script_src
    # …because the browser refused to run anything in the sandboxed copy (it did see the script)
    assert any("sandboxed" in text for _, text, _ in tab.console), tab.console
    assert {urlsplit(u).hostname for u in tab.requests if u.startswith("http")} == {"127.0.0.1"}


# -- 7. screenshots ------------------------------------------------------------------------------


@requires_chromium
def test_screenshots_of_the_main_pages(tab, data, shots):
    from playwright.sync_api import expect

    page = tab.page
    hostile = _hostile_report(data)
    taken = []

    def shot(name: str, path: str, ready: str) -> None:
        tab.go(path)
        expect(page.locator(ready).first).to_be_visible()
        out = shots / f"{name}.png"
        page.screenshot(path=str(out), full_page=True)
        taken.append(out)

    shot("home", "/", "section.cards")
    shot("grid", "/grid", "#grid a.cell")
    shot("verdict", f"/verdict/{HOSTILE_SOURCE}/{HOSTILE_YEAR}", "#evidence")
    shot("search", "/search?q=复议", "ol.results li.result")
    page.locator("ol.results li.result a.title").first.click()
    page.wait_for_url(re.compile(r"#hit-1$"))
    expect(page.locator("mark#hit-1")).to_be_in_viewport()
    out = shots / "report-hit.png"
    page.screenshot(path=str(out), full_page=True)
    taken.append(out)
    shot("report-hostile", f"/report/{hostile['id']}", "#originals")
    shot("flags", "/flags", "#flag-list tbody tr")
    for out in taken:
        size = out.stat().st_size
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and size > 10_000, (out, size)
        print(f"screenshot: {out} ({size} bytes)")
