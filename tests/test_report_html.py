"""The static compliance report: HTML structure, escaping and CSV (plain), then the page in headless Chromium.

The browser tests drive the system Chromium (Debian ``chromium``, installed by ``.ci/run``) through
Playwright; they skip when it is missing, and fail when ``CI``, ``NIANBAO_REQUIRE_BROWSER`` or
``NIANBAO_REQUIRE_TOOLS`` is set (``requires_chromium``, tests/tools.py).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter

import lxml.html
import pytest

from crawler.outputs.report_html import (
    CSV_COLUMNS,
    STATUS_COLOURS,
    STATUS_MARKS,
    STATUSES,
    _script_json,
    render_csv,
    render_html,
)
from tests.tools import chromium_path, require, requires_chromium

AS_OF = "2025-03-20"
GENERATED_AT = "2025-03-20T08:00:00+08:00"
HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_AGENCY = '"><img src=x onerror=alert(1)>'
HOSTILE_URL = "javascript:alert(1)"

# (source, agency, level, region, kind, first year); years run to 2024, "hn-edu" has no 2022 verdict.
SOURCES = [
    ("gov-moe", "教育部", "state_council_dept", None, "dept", 2019),
    ("hn-gov", "湖南省人民政府", "province", "430000", "region", 2019),
    ("hn-edu", "湖南省教育厅", "province_dept", "430000", "dept", 2020),
    ("cs-gov", "长沙市人民政府", "city", "430100", "region", 2019),
    ("fr-gov", "长沙市芙蓉区人民政府", "county", "430102", "region", 2019),
    ("ly-gov", "浏阳市人民政府", "county", "430181", "region", 2021),
    ("dwt-town", "芙蓉区定王台街道办事处", "township", "430102", "township", 2022),
    ("cy-gov", HOSTILE_AGENCY, "county", "110105", "region", 2022),
]
CYCLE = ("on_time", "on_time", "late", "missing", "on_time", "unknown", "not_online")


def _verdict(k: int, source: str, agency: str, level: str, region, kind: str, year: int, fetch: int) -> dict:
    dept = kind == "dept"
    deadline = f"{year + 1}-01-31" if dept else f"{year + 1}-03-31"
    status = "pending" if year == 2024 and not dept else CYCLE[(k + year) % len(CYCLE)]
    published = {"on_time": f"{year + 1}-01-20", "late": f"{year + 1}-04-18"}.get(status)
    hostile = agency == HOSTILE_AGENCY
    url = HOSTILE_URL if hostile else f"http://www.{source}.gov.cn/xxgk/ndbg/{year}/t{fetch}.html"
    title = HOSTILE_TITLE if hostile else f"{agency}{year}年政府信息公开工作年度报告"
    listing = f"http://www.{source}.gov.cn/xxgk/ndbg/index.html"
    evidence = [
        {
            "fetch": fetch,
            "url": listing,
            "fetched_at": f"{year + 1}-02-01T09:00:00+08:00",
            "role": "latest_capture",
            "shows": "The report column as last fetched.",
            "shows_zh": "最近一次抓取的年报栏目。",
        },
        {
            "fetch": fetch + 1,
            "url": url,
            "fetched_at": f"{year + 1}-02-01T09:00:05+08:00",
            "role": "stated_date",
            "shows": f"The page states {published}.",
            "shows_zh": f"页面标注日期 {published}。",
        }
        if published
        else {
            "fetch": fetch + 1,
            "url": listing,
            "fetched_at": f"{year + 1}-02-01T09:00:05+08:00",
            "role": "absence",
            "shows": f"The column lists no {year} report.",
            "shows_zh": f"栏目中没有 {year} 年度报告。",
        },
    ]
    if k % 2:
        evidence.append(
            {
                "fetch": fetch + 2,
                "url": listing,
                "fetched_at": f"{year + 1}-04-01T09:00:00+08:00",
                "role": "first_capture",
                "shows": "First capture listing it.",
                "shows_zh": "首次抓取。",
            }
        )
    found = status in ("on_time", "late")
    return {
        "source": source,
        "agency": agency,
        "level": level,
        "region": region,
        "kind": kind,
        "year": year,
        "status": status,
        "deadline": deadline,
        "deadline_basis": "711号 Art.49¶1" if dept else "711号 Art.49¶2",
        "grace_days": 3,
        "published_at": published,
        "published_at_source": "page" if found else "none",
        "first_seen_at": f"{published}T10:00:00+08:00" if found else None,
        "confidence": "high" if found else ("low" if status == "unknown" else "medium"),
        "reason": f"{status} for {title}",
        "reason_zh": f"{title}：{status}",
        "report": f"{source}-{year}" if found else None,
        "report_url": url if found or hostile else None,
        "title": title if found or hostile else None,
        "as_of": AS_OF,
        "evidence": evidence,
    }


def _verdicts() -> list[dict]:
    out, fetch = [], 100
    for k, (source, agency, level, region, kind, first) in enumerate(SOURCES):
        for year in range(first, 2025):
            if source == "hn-edu" and year == 2022:
                continue
            out.append(_verdict(k, source, agency, level, region, kind, year, fetch))
            fetch += 3
    return out


VERDICTS = _verdicts()
TOTALS = Counter(v["status"] for v in VERDICTS)


@pytest.fixture(scope="module")
def page_html() -> str:
    return render_html(VERDICTS, generated_at=GENERATED_AT, as_of=AS_OF)


@pytest.fixture(scope="module")
def doc(page_html):
    return lxml.html.document_fromstring(page_html)


def test_fixture_covers_every_status():
    assert set(TOTALS) == set(STATUSES)
    assert all(2 <= len(v["evidence"]) <= 3 for v in VERDICTS)


def test_grid_has_a_row_per_source_and_a_column_per_year(doc):
    assert [th.text_content() for th in doc.cssselect("#grid thead th")][3:] == [
        str(y) for y in range(2019, 2025)
    ]
    rows = doc.cssselect("#grid tbody tr")
    assert sorted(r.get("data-source") for r in rows) == sorted(s[0] for s in SOURCES)
    assert [r.get("data-level") for r in rows][:2] == ["state_council_dept", "province"]  # LEVELS order
    cells = {
        (td.get("data-source"), int(td.get("data-year"))): td for td in doc.cssselect("#grid td[data-status]")
    }
    assert len(cells) == len(VERDICTS)
    for v in VERDICTS:
        td = cells[v["source"], v["year"]]
        assert td.get("class") == f"status-{v['status']}"
        assert td.get("data-status") == v["status"]
        assert td.text_content() == STATUS_MARKS[v["status"]]
        assert td.get("title").startswith(f"{v['year']}: ")
        (link,) = td.cssselect("a")
        (section,) = doc.cssselect(link.get("href"))
        assert section.get("class") == "ev" and str(v["year"]) in section.cssselect("h3")[0].text_content()
    empty = [td for r in rows for td in r.cssselect("td")[2:] if td.get("data-status") is None]
    assert len(empty) == len(rows) * 6 - len(VERDICTS)
    assert all(td.get("class") is None and td.text_content() == "" for td in empty)


def test_ids_are_safe_and_unique(doc):
    ids = [el.get("id") for el in doc.iter() if el.get("id") is not None]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_-]*", i) for i in ids), ids


def test_legend_counts_and_filter_options(doc):
    for s in STATUSES:
        (row,) = doc.cssselect(f'#legend tr[data-status="{s}"]')
        assert row.cssselect(f"#n-{s}")[0].text == str(TOTALS[s]) == row.cssselect(".total")[0].text
        assert row.cssselect(f".sw.status-{s}")[0].text == STATUS_MARKS[s]
    assert doc.cssselect("#n-rows")[0].text == str(len(SOURCES))
    levels = [o.get("value") for o in doc.cssselect("#f-level option")]
    assert levels == ["", "state_council_dept", "province", "province_dept", "city", "county", "township"]
    regions = [o.get("value") for o in doc.cssselect("#f-region option")]
    assert regions == [
        "",
        "~",
        "^11",
        "^1101",
        "=110105",
        "^43",
        "=430000",
        "^4301",
        "=430100",
        "=430102",
        "=430181",
    ]


def test_evidence_summary(doc):
    v = next(v for v in VERDICTS if v["status"] == "late" and len(v["evidence"]) == 3)
    href = doc.cssselect(f'#grid td[data-source="{v["source"]}"][data-year="{v["year"]}"] a')[0].get("href")
    (section,) = doc.cssselect(href)
    text = section.text_content()
    for part in (
        "late",
        "逾期",
        v["deadline"],
        v["deadline_basis"],
        "grace 3 days",
        v["published_at"],
        "page",
        v["first_seen_at"],
        v["confidence"],
        v["reason"],
        v["reason_zh"],
        v["title"],
        v["report"],
    ):
        assert part in text
    assert [a.get("href") for a in section.cssselect("dd a")] == [v["report_url"]]
    items = section.cssselect("ol li")
    assert len(items) == 3
    for li, e in zip(items, v["evidence"], strict=True):
        assert li.cssselect("time")[0].text == e["fetched_at"]
        assert f"fetch #{e['fetch']}" in li.text_content() and e["shows"] in li.text_content()
        assert li.cssselect("a")[0].get("href") == e["url"]
    assert section.cssselect("h3 a")[0].get("href") == "#" + doc.cssselect(
        f'tr[data-source="{v["source"]}"]'
    )[0].get("id")


def test_hostile_strings_are_text_only(page_html, doc):
    for raw in ("<img", "<script>alert", 'href="javascript', "onerror=alert(1)>"):
        assert raw not in page_html
    assert doc.cssselect("img") == []
    assert len(doc.cssselect("script")) == 2
    assert all(not name.startswith("on") for el in doc.iter() for name in el.attrib)
    assert all(a.get("href").startswith(("#", "http://", "https://")) for a in doc.cssselect("a"))
    body = doc.body.text_content()
    assert HOSTILE_TITLE in body and HOSTILE_AGENCY in body and HOSTILE_URL in body
    row = doc.cssselect('tr[data-source="cy-gov"]')[0]
    assert row.cssselect("th")[0].text_content() == HOSTILE_AGENCY


def test_link_only_for_http_urls():
    base = _verdict(0, "x", "机关", "county", "430102", "region", 2023, 1)
    base |= {"status": "on_time", "title": "T"}
    for url, linked in [
        ("https://a.gov.cn/1.html", True),
        ("HTTP://a.gov.cn/", True),
        (HOSTILE_URL, False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:x", False),
        ("http://a b", False),
        ("data:text/html,x", False),
        ("//evil.example/", False),
    ]:
        doc = lxml.html.document_fromstring(
            render_html([base | {"report_url": url}], generated_at=GENERATED_AT, as_of=AS_OF)
        )
        hrefs = [a.get("href") for a in doc.cssselect(".ev dd a")]
        assert hrefs == ([url] if linked else []), url
        assert linked or url in doc.cssselect(".ev dd code")[0].text_content()


def test_page_is_self_contained(doc, page_html):
    assert doc.cssselect("link, iframe, object, embed, img, [src]") == []
    assert "url(" not in page_html and "@import" not in page_html
    (csp,) = doc.cssselect('meta[http-equiv="Content-Security-Policy"]')
    assert "default-src 'none'" in csp.get("content") and "'sha256-" in csp.get("content")
    non_data = [a.get("href") for a in doc.cssselect("a") if a.get("href").startswith("http")]
    data_urls = {v["report_url"] for v in VERDICTS} | {e["url"] for v in VERDICTS for e in v["evidence"]}
    assert set(non_data) <= data_urls


def test_embedded_json_cannot_close_the_script():
    text = _script_json({"t": "</script><!--&\u2028x"})
    assert not set("<>&\u2028") & set(text)
    assert json.loads(text) == {"t": "</script><!--&\u2028x"}


def test_bad_status_and_empty_input():
    with pytest.raises(ValueError, match="unknown status"):
        render_html([VERDICTS[0] | {"status": 'x" onclick="1'}], generated_at="", as_of="")
    doc = lxml.html.document_fromstring(render_html([], generated_at=GENERATED_AT, as_of=AS_OF))
    assert doc.cssselect("#grid tbody tr") == [] and doc.cssselect("#n-on_time")[0].text == "0"


def test_csv_has_a_row_per_verdict():
    rows = list(csv.reader(io.StringIO(render_csv(VERDICTS))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(VERDICTS) + 1
    for row, v in zip(rows[1:], VERDICTS, strict=True):
        got = dict(zip(CSV_COLUMNS, row, strict=True))
        assert got["source"] == v["source"] and got["year"] == str(v["year"]) and got["status"] == v["status"]
        assert got["region"] == (v["region"] or "") and got["published_at"] == (v["published_at"] or "")
        assert got["evidence_fetches"] == " ".join(str(e["fetch"]) for e in v["evidence"])
        assert got["title"] == (v["title"] or "") or got["title"] == "'" + v["title"]


def test_csv_quotes_commas_quotes_and_newlines():
    v = VERDICTS[0] | {"agency": '教育部, "办公厅"', "reason": "line one\r\nline two", "title": "a;b\tc"}
    (row,) = list(csv.reader(io.StringIO(render_csv([v]))))[1:]
    got = dict(zip(CSV_COLUMNS, row, strict=True))
    assert (got["agency"], got["reason"], got["title"]) == (v["agency"], v["reason"], v["title"])


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("agency", '=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("title", "+86 10 1234", "'+86 10 1234"),
        ("title", "-2+3", "'-2+3"),
        ("reason", "@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("report_url", "=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("title", "\t=1+1", "'\t=1+1"),
        ("title", "2024年度报告 = 年报", "2024年度报告 = 年报"),
        ("deadline", "2025-03-31", "2025-03-31"),
        ("published_at", None, ""),
        ("year", 2024, "2024"),
        ("deadline_basis", "-", "-"),
    ],
)
def test_csv_neutralises_formulas_in_crawled_text(column, value, expected):
    (row,) = list(csv.reader(io.StringIO(render_csv([VERDICTS[0] | {column: value}]))))[1:]
    assert dict(zip(CSV_COLUMNS, row, strict=True))[column] == expected


# --- the page in headless Chromium -----------------------------------------------------------------------


def _hex_rgb(colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))


@pytest.fixture(scope="module")
def browser():
    require("chromium")  # the browser tests are also marked; this keeps the fixture safe on its own
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # Playwright passes --no-sandbox by default (chromium_sandbox=False): needed when running as root.
        chromium = pw.chromium.launch(executable_path=chromium_path(), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def report_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(VERDICTS, generated_at=GENERATED_AT, as_of=AS_OF), encoding="utf-8")
    return path.as_uri()


@pytest.fixture
def page(browser, report_url):
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    pg = context.new_page()
    dialogs, errors, requests = [], [], []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.on("console", lambda m: m.type == "error" and errors.append(m.text))
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("request", lambda r: requests.append(r.url))
    pg.goto(report_url)
    yield pg
    context.close()
    assert dialogs == [] and errors == []
    assert requests and all(u.split("#")[0] == report_url for u in requests), requests


def _shown_counts(pg) -> dict[str, int]:
    return {s: int(pg.text_content(f"#n-{s}")) for s in STATUSES}


@pytest.mark.slow
@requires_chromium
def test_browser_cells_and_colours(page):
    colours = page.evaluate(
        """() => { const out = {};
        for (const td of document.querySelectorAll('#grid td[data-status]')) {
          const s = td.dataset.status; (out[s] ||= []).push([getComputedStyle(td).backgroundColor, td.textContent]); }
        out.legend = Object.fromEntries([...document.querySelectorAll('#legend .sw')].map(
          sw => [sw.classList[1].slice(7), getComputedStyle(sw).backgroundColor]));
        out.empty = [...document.querySelectorAll('#grid tbody td:not([data-status])')].slice(2).map(
          td => getComputedStyle(td).backgroundColor);
        return out; }"""
    )
    for s in STATUSES:
        assert len(colours[s]) == TOTALS[s]
        assert {c for c, _ in colours[s]} == {colours["legend"][s]} == {_hex_rgb(STATUS_COLOURS[s])}
        assert {t for _, t in colours[s]} == {STATUS_MARKS[s]}
    assert len(set(colours["legend"].values())) == len(STATUSES)
    assert set(colours["empty"]) == {"rgba(0, 0, 0, 0)"}
    assert page.evaluate(
        "getComputedStyle(document.querySelector('td.status-unknown')).backgroundImage"
    ).startswith("repeating-linear-gradient")
    assert _shown_counts(page) == TOTALS


@pytest.mark.slow
@requires_chromium
def test_browser_filters_update_rows_and_counts(page):
    from playwright.sync_api import expect

    def visible():
        return page.evaluate(
            "[...document.querySelectorAll('#grid tbody tr')].filter(r => !r.hidden)"
            ".map(r => r.dataset.source)"
        )

    def expected(keep):
        sources = {s[0] for s in SOURCES if keep(s)}
        return sources, Counter(v["status"] for v in VERDICTS if v["source"] in sources)

    page.select_option("#f-level", "county")
    sources, counts = expected(lambda s: s[2] == "county")
    assert set(visible()) == sources == {"fr-gov", "ly-gov", "cy-gov"}
    assert page.locator('tr[data-source="hn-gov"]').is_hidden()
    assert _shown_counts(page) == {s: counts[s] for s in STATUSES}
    assert page.text_content("#n-rows") == "3"
    assert [page.text_content(f'#legend tr[data-status="{s}"] .total') for s in STATUSES] == [
        str(TOTALS[s]) for s in STATUSES
    ]

    page.select_option("#f-region", "^4301")  # Changsha roll-up, still county only
    sources, counts = expected(lambda s: s[2] == "county" and (s[3] or "").startswith("4301"))
    assert set(visible()) == sources == {"fr-gov", "ly-gov"}
    assert _shown_counts(page) == {s: counts[s] for s in STATUSES}

    page.select_option("#f-level", "")
    page.select_option("#f-region", "")
    page.fill("#f-name", "芙蓉")
    expect(page.locator("#n-rows")).to_have_text("2")  # the page's CSP forbids wait_for_function's eval
    assert set(visible()) == {"fr-gov", "dwt-town"}

    page.fill("#f-name", "")
    expect(page.locator("#n-rows")).to_have_text(str(len(SOURCES)))
    assert _shown_counts(page) == TOTALS


@pytest.mark.slow
@requires_chromium
def test_browser_cell_link_goes_to_evidence(page):
    v = next(v for v in VERDICTS if v["source"] == "ly-gov" and v["status"] == "unknown")
    cell = page.locator(f'#grid td[data-source="ly-gov"][data-year="{v["year"]}"]')
    href = cell.locator("a").get_attribute("href")
    cell.locator("a").click()
    assert page.evaluate("location.hash") == href
    target = page.locator(":target")
    assert "#" + target.get_attribute("id") == href
    assert target.is_visible() and -2 < target.bounding_box()["y"] < 800  # scrolled to the top
    assert f"浏阳市人民政府 · {v['year']}" in target.locator("h3").text_content()
    assert "unknown" in target.locator(".ev-status").text_content()
    assert target.locator("ol li").count() == len(v["evidence"])


@pytest.mark.slow
@requires_chromium
def test_browser_hostile_strings_stay_text(page):
    body = page.evaluate("document.body.textContent")
    assert HOSTILE_TITLE in body and HOSTILE_AGENCY in body and HOSTILE_URL in body
    assert page.evaluate("document.querySelectorAll('img[src=x], img').length") == 0
    assert page.evaluate("document.scripts.length") == 2
    assert page.evaluate("document.querySelectorAll('a[href^=\"javascript\" i]').length") == 0
    assert page.text_content('tr[data-source="cy-gov"] th') == HOSTILE_AGENCY
    page.click('#grid td[data-source="cy-gov"][data-year="2023"] a')
    assert HOSTILE_TITLE in page.locator(":target").text_content()
