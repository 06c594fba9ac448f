"""``nianbao serve`` over HTTP: a real server subprocess on a crawled simulator world.

Every page answers, every list's CSV/JSON twin holds exactly the filtered set (checked against
SQL on the archive), search counts match the CLI, the numbers query sorts, the Atom feeds parse,
hostile crawled text stays inert, and the server never writes the archive."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
import zipfile
from urllib.parse import quote

import lxml.etree
import lxml.html
import pytest

from storage.db import Deadline, connect_readonly, is_interrupted
from tests.simcrawl import nianbao, query
from tests.webworld import DEAD_SOURCE, HOSTILE_SOURCE, HOSTILE_YEAR, archive_digest, build_archive, serve

pytestmark = pytest.mark.slow

PAYLOAD = "<script>alert(1)</script>"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data, sources = build_archive(tmp_path_factory.mktemp("web"))
    with serve(data, sources) as served:
        yield served


def doc(html: str):
    return lxml.html.document_fromstring(html)


def json_of(site, path: str) -> dict:
    status, headers, body = site.get(path)
    assert status == 200, (path, status, body[:300])
    assert headers["content-type"].startswith("application/json")
    return json.loads(body)


def csv_of(site, path: str) -> list[dict]:
    status, headers, body = site.get(path)
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert body.startswith("\ufeff".encode()), "CSV starts with a UTF-8 BOM (spreadsheets)"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


# -- pages ------------------------------------------------------------------------------------------


def test_home_counts_what_the_archive_holds(site):
    page = doc(site.text("/"))
    cards = [c.text_content() for c in page.cssselect(".card b")]
    reports = query(site.data, "select count(*) as n from reports where coalesce(exclusion, '') = ''")[0]["n"]
    sources = query(site.data, "select count(distinct source_id) as n from compliance")[0]["n"]
    assert cards[:2] == [str(sources), str(reports)]
    late = query(site.data, "select count(*) as n from compliance where status = 'late'")[0]["n"]
    assert late > 0
    assert f"{late}" in page.cssselect("ul.counts")[0].text_content()


def test_grid_filters_page_and_never_draws_unknown_as_missing(site):
    years = query(site.data, "select min(year) as a, max(year) as b from compliance")[0]
    url = f"/grid?from={years['a']}&to={years['b']}&status=late&per_page=200"
    page = doc(site.text(url))
    rows = page.cssselect("#grid tbody tr[data-source]")
    expected = {
        r["source_id"]
        for r in query(site.data, "select distinct source_id from compliance where status = 'late'")
    }
    assert {r.get("data-source") for r in rows} == expected
    for row in rows:
        assert row.cssselect("a.cell.status-late")
    assert all(c.text_content().strip().startswith("?") for c in page.cssselect(".cell.status-unknown"))
    assert not [c for c in page.cssselect(".cell.status-unknown") if "✗" in c.text_content()]
    # one page of 5: the pager says how many in all
    small = doc(site.text(f"/grid?from={years['a']}&to={years['b']}&per_page=5"))
    assert len(small.cssselect("#grid tbody tr[data-source]")) == 5
    total = query(site.data, "select count(distinct source_id) as n from compliance")[0]["n"]
    assert f"共 {total} 条" in small.cssselect(".pager")[0].text_content()
    # roll-ups: counts by level add up to the verdicts of those years
    rollup = small.cssselect("table.rollup")[0]
    cells = [int(td.text_content()) for tr in rollup.cssselect("tbody tr") for td in tr.cssselect("td")[:-1]]
    n = query(
        site.data, "select count(*) as n from compliance where year between ? and ?", (years["a"], years["b"])
    )[0]["n"]
    assert sum(cells) == n


def test_grid_exports_are_the_filtered_set(site):
    rows = json_of(site, "/grid.json?from=2015&to=2024&level=county&status=missing")["rows"]
    sources = {
        r["source_id"]
        for r in query(
            site.data,
            "select distinct source_id from compliance where level = 'county' and status = 'missing' "
            "and year between 2015 and 2024",
        )
    }
    assert {r["source"] for r in rows} == sources
    expected = query(
        site.data,
        "select count(*) as n from compliance where year between 2015 and 2024 and source_id in "
        f"({', '.join('?' * len(sources))})",
        tuple(sources),
    )[0]["n"]
    assert len(rows) == expected
    assert len(csv_of(site, "/grid.csv?from=2015&to=2024&level=county&status=missing")) == expected


def test_verdict_page_shows_the_deadline_rule_and_serves_every_capture(site):
    v = query(site.data, "select * from compliance where status = 'late' order by source_id, year limit 1")[0]
    page = doc(site.text(f"/verdict/{v['source_id']}/{v['year']}"))
    text = page.text_content()
    assert v["deadline"] in text and "第四十九条" in text or "第三十一条" in text
    evidence = json.loads(v["evidence"])
    links = {a.get("href") for a in page.cssselect("#evidence a")}
    for e in evidence:
        assert f"/archive/{e['fetch']}" in links
    fetch = query(site.data, "select * from fetches where id = ?", (evidence[0]["fetch"],))[0]
    status, headers, body = site.get(f"/archive/{evidence[0]['fetch']}")
    assert status == 200
    assert "sandbox" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    raw = nianbao("raw", fetch["payload_sha256"] or "", "--data", str(site.data), text=False).stdout
    assert body == raw or headers.get("x-payload-sha256") == hashlib.sha256(raw).hexdigest()
    # the evidence bundle downloads and holds this verdict
    status, headers, body = site.get(f"/verdict/{v['source_id']}/{v['year']}/evidence.zip")
    assert status == 200 and headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        verdict = json.loads(z.read(next(n for n in z.namelist() if n.endswith("verdict.json"))))
    assert verdict["status"] == "late" and verdict["source"] == v["source_id"]


def test_agency_page_lists_years_reports_runs(site):
    page = doc(site.text(f"/agency/{HOSTILE_SOURCE}"))
    years = {
        int(a.text_content()) for a in page.cssselect("a[href^='/verdict/']") if a.text_content().isdigit()
    }
    assert HOSTILE_YEAR in years
    n = query(site.data, "select count(*) as n from reports where source_id = ?", (HOSTILE_SOURCE,))[0]["n"]
    assert len(page.cssselect("a[href^='/report/']")) == n


def test_report_page_dates_versions_tables_and_the_pdf_original(site):
    rep = query(
        site.data,
        "select r.id, a.url from reports r join attachments a on a.report_id = r.id "
        "join documents d on d.url = a.url where d.content_type like 'application/pdf%' "
        "and exists (select 1 from fetches f where f.url = r.url and f.status = 200) order by r.id limit 1",
    )[0]
    page = doc(site.text(f"/report/{rep['id']}"))
    assert page.cssselect("#originals a#original-page")
    pdf_link = page.cssselect("#originals a.attachment")[0].get("href")
    status, headers, body = site.get(pdf_link)
    assert status == 200 and headers["content-type"] == "application/pdf" and body.startswith(b"%PDF")
    assert headers["content-disposition"].startswith("inline")
    # a document with two versions shows the change between them
    edited = query(
        site.data,
        "select r.id from reports r join documents d on d.url = r.url join versions v on v.document_id = d.id "
        "group by r.id having count(*) > 1 limit 1",
    )
    if edited:
        page = doc(site.text(f"/report/{edited[0]['id']}"))
        assert len(page.cssselect("table.data")) >= 3
        assert "version 1" in page.text_content()


def test_comparison_view_marks_reused_passages_in_both_reports_and_shows_value_changes(site):
    pair = query(
        site.data,
        "select o.report_id, o.compared_report_id, o.reuse from originality o "
        "where o.kind = 'previous_year' and o.compared_report_id is not null order by o.reuse desc limit 1",
    )[0]
    page = doc(site.text(f"/report/{pair['report_id']}"))
    links = [a.get("href") for a in page.cssselect("#originality ~ ul a.compare")]
    assert f"/compare/{pair['report_id']}?with={pair['compared_report_id']}" in links
    compare = doc(site.text(f"/compare/{pair['report_id']}"))  # default: the previous year
    hrefs = [a.get("href") for a in compare.cssselect("#compared a")]
    assert hrefs == [f"/report/{pair['report_id']}", f"/report/{pair['compared_report_id']}"]
    assert f"{pair['reuse'] * 100:.0f}%" in compare.cssselect("#reuse-overall b")[0].text_content()
    texts = {
        r["report_id"]: r["text"]
        for r in query(
            site.data,
            "select report_id, text from report_texts where report_id in (?, ?)",
            (pair["report_id"], pair["compared_report_id"]),
        )
    }
    rows = compare.cssselect("#sections tbody tr")
    assert rows
    marks_a = [m.text_content() for r in rows for m in r.cssselect("td.text")[0].cssselect("mark.reused")]
    marks_b = [m.text_content() for r in rows for m in r.cssselect("td.text")[1].cssselect("mark.reused")]
    assert marks_a and marks_b
    assert all(m in texts[pair["report_id"]] for m in marks_a)
    assert all(m in texts[pair["compared_report_id"]] for m in marks_b)
    a_cells = {
        (c["tbl"], c["row"], c["col"] or ""): c["value"]
        for c in query(
            site.data,
            "select * from report_stats where report_id = ? and status = 'number'",
            (pair["report_id"],),
        )
    }
    shown = compare.cssselect("#cell-changes tbody tr")
    assert len(shown) >= len(a_cells)
    assert site.get(f"/compare/{pair['report_id']}?with=no-such-report")[0] == 404
    assert site.get("/compare/no-such-report")[0] == 404


# -- search -----------------------------------------------------------------------------------------


def cli_hits(site, q: str) -> set[str]:
    out = nianbao("search", q, "--data", str(site.data), "--json", "--limit", "1000").stdout
    return {json.loads(line)["report_id"] for line in out.splitlines() if line.strip()}


def test_search_two_characters_counts_like_the_cli_and_marks_every_term(site):
    expected = cli_hits(site, "复议")
    assert len(expected) > 10
    page = doc(site.text("/search?q=" + quote("复议") + "&per_page=200"))
    assert page.cssselect("#count b")[0].text_content() == str(len(expected))
    ids = {a.get("href").split("?")[0].rsplit("/", 1)[1] for a in page.cssselect("li.result a.title")}
    assert ids <= expected and len(ids) == min(200, len(expected))
    for snippet in page.cssselect("li.result p.snippet"):
        assert [m.text_content() for m in snippet.cssselect("mark")][:1] == ["复议"]
    year_facet = page.cssselect("aside.facets ul")[0]
    assert sum(int(n.text_content()) for n in year_facet.cssselect(".n")) == len(expected)
    # the traditional spelling is the same search; the JSON twin the same set
    trad = doc(site.text("/search?q=" + quote("復議")))
    assert trad.cssselect("#count b")[0].text_content() == str(len(expected))
    rows = json_of(site, "/search.json?q=" + quote("复议"))["rows"]
    assert {r["id"] for r in rows} == expected


def test_search_operators_facet_filters_and_date_order(site):
    both = cli_hits(site, "复议 诉讼")
    either = cli_hits(site, "复议 OR 诉讼")
    without = cli_hits(site, "复议 -诉讼")
    assert both and either >= both and not (without & both)
    page = doc(site.text("/search?q=" + quote("复议 -诉讼")))
    assert "NOT" in page.cssselect("#how")[0].text_content()
    rows = json_of(site, "/search.json?q=" + quote("复议") + "&year=2023&sort=date")["rows"]
    assert rows and {r["report_year"] for r in rows} == {2023}
    dates = [r["published_at"] for r in rows if r["published_at"]]
    assert dates == sorted(dates, reverse=True)


def test_a_hit_opens_the_report_at_its_first_match(site):
    page = doc(site.text("/search?q=" + quote("复议")))
    href = page.cssselect("li.result a.title")[0].get("href")
    assert href.endswith("#hit-1")
    report = doc(site.text(href.split("#")[0]))
    first = report.get_element_by_id("hit-1")
    assert first.tag == "mark" and first.text_content() == "复议"


# -- numbers, flags, feeds --------------------------------------------------------------------------


def test_numbers_query_answers_who_reported_most_reconsiderations(site):
    year = query(
        site.data,
        "select report_year as y from reports where reconsideration_total is not null "
        "group by report_year order by count(*) desc limit 1",
    )[0]["y"]
    rows = json_of(site, f"/reports.json?year={year}&field=reconsideration_total&op=ge&value=1&order=desc")[
        "rows"
    ]
    expected = query(
        site.data,
        "select id, reconsideration_total as v from reports where report_year = ? and reconsideration_total >= 1 "
        "and coalesce(exclusion, '') = '' order by v desc",
        (year,),
    )
    assert [r["reconsideration_total"] for r in rows] == [e["v"] for e in expected]
    assert {r["id"] for r in rows} == {e["id"] for e in expected}
    page = doc(site.text(f"/reports?year={year}&field=reconsideration_total&op=ge&value=1&order=desc"))
    shown = [td.text_content() for td in page.cssselect("#report-list td.num")]
    assert shown[: len(expected)] == [str(int(e["v"])) for e in expected][: len(shown)]


def test_flags_filters_and_exports(site):
    expected = query(site.data, "select id from flags where state = 'open' and kind in ('late', 'missing')")
    rows = json_of(site, "/flags.json?kind=late&kind=missing")["rows"]
    assert sorted(r["id"] for r in rows) == sorted(e["id"] for e in expected)
    assert {r["severity"] for r in rows} == {"error"}
    assert len(csv_of(site, "/flags.csv?kind=late&kind=missing")) == len(expected)
    warnings = json_of(site, "/flags.json?severity=warning")["rows"]
    assert warnings and {r["kind"] for r in warnings} == {"inconsistent"}
    page = doc(site.text("/flags?kind=late"))
    assert len(page.cssselect("#flag-list tbody tr")) == min(
        50, len([e for e in rows if e["kind"] == "late"])
    )


@pytest.mark.parametrize(
    "path", ["/flags.atom?kind=late", "/search.atom?q=" + quote("复议"), "/reports.atom?year=2023"]
)
def test_every_list_has_an_atom_feed(site, path):
    status, headers, body = site.get(path)
    assert status == 200 and headers["content-type"].startswith("application/atom+xml")
    feed = lxml.etree.fromstring(body)
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        link = entry.find(f"{ATOM}link")
        if link is not None and "/report/" in link.get("href"):
            assert link.get("href").startswith(site.base)


# -- safety -----------------------------------------------------------------------------------------


def test_pages_carry_a_strict_csp_and_no_inline_script(site):
    for path in (
        "/",
        "/grid",
        "/search?q=" + quote("复议"),
        "/flags",
        "/reports",
        f"/agency/{HOSTILE_SOURCE}",
    ):
        status, headers, body = site.get(path)
        assert status == 200
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        page = doc(body.decode())
        assert all(s.get("src", "").startswith("/static/") for s in page.iter("script"))
        for el in page.iter():
            assert not [a for a in el.attrib if a.lower().startswith("on")], (path, el.tag, el.attrib)
        assert not [
            e
            for e in page.iter("link", "img", "iframe")
            if re.match(r"(https?:)?//", e.get("href") or e.get("src") or "")
        ]


def test_hostile_titles_stay_text_everywhere(site):
    rep = query(site.data, "select id, agency from reports where title like ?", (f"%{PAYLOAD}%",))[0]
    pages = [
        f"/report/{rep['id']}",
        f"/agency/{HOSTILE_SOURCE}",
        f"/verdict/{HOSTILE_SOURCE}/{HOSTILE_YEAR}",
        "/search?q=" + quote(rep["agency"] or "丰城区"),
        f"/reports?source={HOSTILE_SOURCE}",
        f"/flags?source={HOSTILE_SOURCE}&state=all",
    ]
    for path in pages:
        html = site.text(path)
        assert PAYLOAD not in html and "<img src=x" not in html, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in site.text(f"/report/{rep['id']}")
    assert PAYLOAD in json_of(site, f"/reports.json?source={HOSTILE_SOURCE}")["rows"][0]["title"] or any(
        PAYLOAD in r["title"] for r in json_of(site, f"/reports.json?source={HOSTILE_SOURCE}")["rows"]
    )


def test_archived_html_is_only_served_sandboxed(site):
    fetch = query(
        site.data,
        "select id from fetches where status = 200 and record_type = 'response' and content_type like 'text/html%' "
        "and kind = 'detail' limit 1",
    )[0]["id"]
    status, headers, _ = site.get(f"/archive/{fetch}")
    assert status == 200
    csp = headers["content-security-policy"]
    assert csp.startswith("sandbox") and "default-src 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/grid?from=abc", 400),
        ("/grid?level=" + quote("county' or 1=1 --"), 400),
        ("/grid?from=1990&to=2030", 400),
        ("/grid?per_page=100000", 400),
        ("/search?q=" + quote("复议") + "&region=11%25", 400),
        ("/reports?field=" + quote("id; drop table reports"), 400),
        ("/report/..%2f..%2farchive.db", 404),
        ("/report/r-zzzz", 404),
        ("/archive/-1", 404),
        ("/archive/99999999", 404),
        ("/static/../archive.db", 404),
        ("/static/%2e%2e/%2e%2e/storage/db.py", 404),
        ("/agency/..", 404),
        ("/verdict/sim-00001/abc", 404),
        ("/grid.xml", 404),
        ("/no/such/page", 404),
    ],
)
def test_bad_parameters_and_paths_are_refused(site, path, status):
    got, headers, body = site.get(path)
    assert got == status, (path, got, body[:200])
    assert b"Traceback" not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_only_get_is_answered(site, method):
    for path in ("/", "/grid", "/search", "/flags.csv"):
        assert site.get(path, method=method)[0] == 405


def test_the_server_never_writes_the_archive(site):
    """Nothing else touches the archive during this test (the CLI's own opens may checkpoint the WAL)."""
    before = archive_digest(site.data)
    v = query(site.data, "select source_id, year from compliance where status = 'late' limit 1")[0]
    rep = query(site.data, "select id from reports limit 1")[0]["id"]
    paths = [
        "/",
        "/grid",
        "/grid.csv",
        "/search?q=" + quote("复议"),
        "/search.json?q=" + quote("复议 -诉讼"),
        f"/report/{rep}?q=" + quote("复议"),
        f"/verdict/{v['source_id']}/{v['year']}",
        f"/verdict/{v['source_id']}/{v['year']}/evidence.zip",
        f"/agency/{v['source_id']}",
        "/flags.atom",
        "/reports.json?field=reconsideration_total",
    ]
    for path in paths:
        assert site.get(path)[0] == 200, path
    for method in ("POST", "DELETE"):
        site.get("/grid", method=method)
    assert archive_digest(site.data) == before


def test_the_server_binds_loopback_by_default(site):
    assert site.base.startswith("http://127.0.0.1:")


def test_a_query_past_its_time_limit_is_interrupted(site):
    db, deadline = connect_readonly(site.data)
    deadline.start(0.2)
    with pytest.raises(sqlite3.OperationalError) as err:
        db.execute(
            "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
        ).fetchone()
    assert is_interrupted(err.value)
    deadline.at = None
    assert db.execute("select count(*) from reports").fetchone()[0] > 0
    with pytest.raises(sqlite3.OperationalError):
        db.execute("create table t (x)")  # opened read-only
    assert isinstance(deadline, Deadline)
    db.close()


def test_an_unreachable_source_is_unknown_never_missing(site):
    page = doc(site.text(f"/grid?from=2019&to=2024&name={quote('无人应答')}"))
    rows = page.cssselect(f"#grid tbody tr[data-source='{DEAD_SOURCE}']")
    assert len(rows) == 1
    cells = rows[0].cssselect("a.cell")
    assert cells and all("status-unknown" in c.get("class") for c in cells)
    assert all(c.text_content().strip().startswith("?") for c in cells)


# -- the review desk (nianbao serve --review) -------------------------------------------------------


def test_review_desk_takes_decisions_with_its_token_only_and_never_writes_the_archive(site):
    """A second server on the same archive with --review: a form POST with this process's token
    records a decision in review.db (the flags page, its CSV and ``nianbao flags`` then show it);
    a POST without the token, from another origin or Host, for an unknown flag, or a dismissal
    without a note is refused and changes nothing; the archive's bytes never change."""
    assert site.post("/review", {"target": "x"})[0] in (404, 405)  # no desk on a plain server
    before = archive_digest(site.data)
    with serve(site.data, site.sources, "--review", "--reviewer", "ann") as desk:
        page = doc(desk.text("/flags?kind=missing&kind=late&kind=copied"))
        form = page.cssselect("form.review")[0]
        fields = {i.get("name"): i.get("value") for i in form.cssselect("input[type=hidden]")}
        token, target = fields["token"], fields["target"]
        assert token and target and fields["next"].startswith("/flags")
        good = {
            "token": token,
            "target": target,
            "decision": "confirmed",
            "note": "检查了存档 checked the captures",
            "next": "/flags",
        }
        host = desk.base.removeprefix("http://")
        refused = [
            desk.post("/review", {**good, "token": "forged"}),
            desk.post("/review", good, {"Origin": "http://evil.example"}),
            desk.post("/review", good, {"Host": "evil.example"}),
            desk.post("/review", {**good, "target": "compliance:nope:1999"}),
            desk.post("/review", {**good, "decision": "dismissed", "note": " "}),
            desk.post("/review", {**good, "decision": "approve"}),
            desk.post("/review", {**good, "next": "//evil.example/"}, {"Origin": "http://evil.example"}),
        ]
        assert [r[0] for r in refused] == [403, 403, 403, 400, 400, 400, 403]
        assert not (site.data / "review.db").exists() or not query_review(site.data)
        status, headers, _ = desk.post(
            "/review", {**good, "next": "//evil.example/"}, {"Origin": f"http://{host}"}
        )
        assert status == 303 and headers["location"] == "/flags"  # never redirected off the site
        status, headers, _ = desk.post("/review", good)
        assert status == 303 and headers["location"] == "/flags"
        shown = doc(desk.text("/flags?kind=missing&kind=late&kind=copied"))
        cells = [td.text_content() for td in shown.cssselect("#flag-list td.review")]
        assert any("已确认 confirmed" in c and "ann" in c and "检查了存档" in c for c in cells)
        assert "confirmed: 检查了存档" in desk.text("/flags.csv?kind=missing&kind=late&kind=copied")
    rows = query_review(site.data)
    assert [(r["target"], r["decision"], r["decided_by"]) for r in rows][-1] == (target, "confirmed", "ann")
    flags = json.loads(nianbao("flags", "--data", str(site.data), "--json").stdout)
    assert next(f for f in flags if f["key"] == target)["review"]["decision"] == "confirmed"
    # the plain server shows the decision too, and offers no form
    plain = doc(site.text("/flags?kind=missing&kind=late&kind=copied"))
    assert not plain.cssselect("form.review")
    assert archive_digest(site.data) == before


def query_review(data) -> list[dict]:
    import sqlite3

    path = data / "review.db"
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("select * from decisions order by id")]
