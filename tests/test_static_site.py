"""``nianbao report --out DIR``: the static site of the compliance grid (crawler.web.site).

One page per province with the evidence of its claims inline, a companion page with the rest,
and an index rolling everything up: every verdict appears once, every link resolves inside the
site, hostile strings stay text, no page can run or load anything, and a big registry does not
make one big page."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import lxml.html
import pytest

from crawler.web.site import province_of, render_site, write_site
from tests.simcrawl import nianbao
from tests.test_report_html import AS_OF, GENERATED_AT, HOSTILE_AGENCY, HOSTILE_TITLE, VERDICTS

CLAIMS = {"late", "missing", "not_online"}


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render_site(VERDICTS, generated_at=GENERATED_AT, as_of=AS_OF)


def doc(text: str):
    return lxml.html.document_fromstring(text)


def test_one_page_and_one_evidence_page_per_province(pages):
    provinces = {province_of(v["region"]) for v in VERDICTS}
    assert provinces == {"43", "11", "xx"}
    assert set(pages) == {"index.html"} | {
        f"region-{p}{s}.html" for p in provinces for s in ("", "-evidence")
    }
    index = doc(pages["index.html"])
    assert {a.get("href") for a in index.cssselect("#regions a")} == {f"region-{p}.html" for p in provinces}


def test_every_verdict_appears_once_and_its_evidence_where_its_cell_points(pages):
    cells = Counter()
    anchors: dict[str, set[str]] = {}
    for name, text in pages.items():
        anchors[name] = {e.get("id") for e in doc(text).iter() if e.get("id")}
    for name, text in pages.items():
        if not name.startswith("region-") or name.endswith("-evidence.html"):
            continue
        for row in doc(text).cssselect("#grid tbody tr"):
            for a in row.cssselect("a.cell"):
                status = next(c[7:] for c in a.get("class").split() if c.startswith("status-"))
                cells[status] += 1
                target, _, anchor = a.get("href").partition("#")
                assert anchor in anchors[target or name], (name, a.get("href"))
                # claims are on the page itself, every other verdict on the evidence page
                assert (target == "") == (status in CLAIMS)
    assert cells == Counter(v["status"] for v in VERDICTS)


def test_index_rolls_up_every_verdict(pages):
    index = doc(pages["index.html"])
    total = index.cssselect("#regions tbody tr")[-1]
    numbers = [int(td.text_content()) for td in total.cssselect("td")[1:-1]]
    assert sum(numbers) == len(VERDICTS)


def test_hostile_strings_are_text_and_pages_load_nothing(pages):
    for name, text in pages.items():
        assert HOSTILE_TITLE not in text and "<img src=x" not in text, name
        page = doc(text)
        assert not list(page.iter("script")), name
        csp = page.cssselect("meta[http-equiv='Content-Security-Policy']")[0].get("content")
        assert "default-src 'none'" in csp and "script-src" not in csp
        for el in page.iter():
            assert not [a for a in el.attrib if a.lower().startswith("on")]
            href = el.get("href") or ""
            assert not href.startswith(("http", "javascript", "//")), (name, href)
    assert HOSTILE_AGENCY in doc(pages["region-11.html"]).text_content()


def test_a_big_registry_is_split_into_pages_of_bounded_size(tmp_path):
    verdicts = []
    for i in range(3000):
        for year in range(2019, 2025):
            v = dict(VERDICTS[i % len(VERDICTS)])
            v.update(source=f"s{i:05d}", agency=f"机关{i}", region=f"{11 + i % 31:02d}0100", year=year)
            verdicts.append(v)
    pages = render_site(verdicts, generated_at=GENERATED_AT, as_of=AS_OF)
    size = write_site(tmp_path / "site", pages)
    largest = max(len(t.encode()) for t in pages.values())
    assert len(pages) == 1 + 2 * 31
    assert largest < size / 20, "no page holds a large share of the site"
    assert (tmp_path / "site" / "index.html").exists()


@pytest.mark.slow
def test_the_report_command_writes_the_site_from_stored_verdicts(tmp_path):
    from tests.webworld import build_archive

    data, _ = build_archive(tmp_path)
    out = tmp_path / "site"
    proc = nianbao("report", "--data", str(data), "--out", str(out))
    assert "index.html" in proc.stderr
    names = {p.name for p in Path(out).iterdir()}
    assert "index.html" in names and any(n.startswith("region-") for n in names)
