"""Whole portals in the simulator, over real HTTP: from a government's home page to the columns.

A small breadth-first walk over the served HTML (lxml) follows ``<a href>`` links and, like a
discovery crawler that reads scripts, the links a script carries inline (a JS menu, a Hanweb
``<datastore>``) or loads from the endpoint it names (JSON/XML menus, unit lists,
``dataproxy.jsp``).  Every body the discovery truth lists must be reached at its stated depth,
with plain links alone exactly when the truth says no script is needed; index pages name the
bodies; decoys are real listings of year-titled items; the pre-existing world is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from html import unescape
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from portalsim import discovery_truth, portal_entries, portal_truth, render_sources_toml, start_server
from portalsim.portal import layout_of, portal, portal_indices
from portalsim.router import ROBOTS, SimApp
from portalsim.site import site
from portalsim.world import agency

SEED = 7
N = 200
TODAY = date(2025, 4, 10)
YEAR_TITLE = re.compile(r"(19|20)\d{2}年")
ENDPOINT = re.compile(r"""["']([^"'\s]+\.(?:json|xml|jsp)(?:\?[^"'\s]*)?)["']""")
CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
JS_MENU = re.compile(r"var menus = (\[.*?\]);", re.S)
XML_ITEM = re.compile(r"<item><name>(.*?)</name><url>(.*?)</url></item>")
# sha256 of render_sources_toml(7, 200, "http://127.0.0.1:8000") before portals existed
REGISTRY_DIGEST = "6b985ecfbf6f8ba2ed0b474de28dc0ac7292de7dc3fad57bb9913e730cfc84e3"


@pytest.fixture(scope="module")
def server():
    srv = start_server(SEED, N, TODAY, troubles=False)
    yield srv
    srv.shutdown()


@pytest.fixture(scope="module")
def truth(server) -> dict:
    return discovery_truth(SEED, N, server.base_url)


def fetch(url: str) -> tuple[int, str, str]:
    """(status, content type, decoded text) of a GET (gb2312/gbk decoded as gb18030)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            status, ctype, body = resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as err:
        with err:
            status, ctype, body = err.code, err.headers.get("Content-Type", ""), err.read()
    m = re.search(r"charset=([\w-]+)", ctype)
    charset = (m.group(1) if m else "utf-8").lower()
    return status, ctype, body.decode("gb18030" if charset in ("gb2312", "gbk") else charset)


def _fragment_links(html: str) -> list[tuple[str, str]]:
    """(href, text) of the anchors of an HTML fragment (a Hanweb record)."""
    doc = lxml.html.fromstring(f"<div>{html}</div>")
    return [(a.get("href"), a.text_content().strip()) for a in doc.iter("a") if a.get("href")]


def _json_links(data: object) -> list[tuple[str, str]]:
    """(url, name) of every object with a ``url`` in a JSON answer."""
    if isinstance(data, list):
        return [pair for x in data for pair in _json_links(x)]
    if not isinstance(data, dict):
        return []
    out = [pair for v in data.values() for pair in _json_links(v)]
    if isinstance(data.get("url"), str):
        out.append((data["url"], data.get("name") or data.get("unitName") or ""))
    return out


def endpoint_links(ctype: str, text: str) -> list[tuple[str, str]]:
    """Links of a JSON/XML endpoint answer (menus, unit lists, Hanweb records)."""
    if "json" in ctype:
        return _json_links(json.loads(text))
    items = [(unescape(u), unescape(n)) for n, u in XML_ITEM.findall(text)]
    return items + [pair for chunk in CDATA.findall(text) for pair in _fragment_links(chunk)]


def script_links(script: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(links a script carries inline, endpoints it loads)."""
    links = [pair for chunk in CDATA.findall(script) for pair in _fragment_links(chunk)]
    for menu in JS_MENU.findall(script):
        links += [(m["url"], m["name"]) for m in json.loads(menu)]
    return links, ENDPOINT.findall(script)


@dataclass
class Walk:
    """What a breadth-first walk from a home page found."""

    depth: dict[str, int] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=dict)  # url → anchor texts seen
    pages: dict[str, str] = field(default_factory=dict)  # fetched url → text


def page_links(
    url: str, ctype: str, text: str, scripts: bool, fetched: dict[str, str]
) -> list[tuple[str, str]]:
    """Absolute (url, anchor text) links of a page; with ``scripts``, also those scripts deliver."""
    doc = lxml.html.fromstring(text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    links = [(a.get("href"), a.text_content().strip()) for a in doc.iter("a") if a.get("href")]
    if scripts:
        for script in doc.iter("script"):
            inline, endpoints = script_links(script.text or "")
            links += inline
            for ep in endpoints:
                status, ep_type, ep_text = fetch(urljoin(url, ep))
                assert status == 200, (url, ep, status)
                fetched[urljoin(url, ep)] = ep_text
                links += endpoint_links(ep_type, ep_text)
    return [(urljoin(url, href), name) for href, name in links if not href.startswith(("javascript:", "#"))]


def walk(home: str, stop: set[str], scripts: bool = True, max_depth: int = 5) -> Walk:
    """Breadth-first over the portal's pages (script endpoints cost no click); URLs in ``stop``
    and URLs off the portal's site are recorded, not fetched."""
    prefix = urlsplit(home).path
    out = Walk(depth={home: 0})
    layer = [home]
    for depth in range(1, max_depth + 1):
        following = []
        for url in layer:
            status, ctype, text = fetch(url)
            assert status == 200, (url, status)
            out.pages[url] = text
            for link, name in page_links(url, ctype, text, scripts, out.pages):
                out.names.setdefault(link, set()).add(name)
                if link in out.depth or "/search/" in link:
                    continue
                out.depth[link] = depth
                if link not in stop and urlsplit(link).path.startswith(prefix):
                    following.append(link)
        layer = following
    return out


def _stop(one: dict) -> set[str]:
    return {u for b in one["bodies"] for u in b["urls"]} | {d["url"] for d in one["decoys"]}


def reachable_portals(base: str) -> list[dict]:
    return [portal_truth(SEED, N, i, base) for i in portal_indices(SEED, N) if not agency(SEED, i).block]


def test_every_body_column_is_reached_from_its_portal_at_the_stated_depth(server):
    problems = []
    for one in reachable_portals(server.base_url):
        found = walk(one["portal"]["url"], _stop(one))
        for rec in [*one["bodies"], *one["decoys"]]:
            url = rec["urls"][0] if "urls" in rec else rec["url"]
            if found.depth.get(url) != rec["depth"]:
                problems.append((one["portal"]["portal"], url, rec["depth"], found.depth.get(url)))
    assert problems == []


def test_plain_links_reach_exactly_what_needs_no_script(server):
    kinds: Counter = Counter()
    for one in reachable_portals(server.base_url):
        found = walk(one["portal"]["url"], _stop(one), scripts=False)
        for rec in [*one["bodies"], *one["decoys"]]:
            url = rec["urls"][0] if "urls" in rec else rec["url"]
            assert (url in found.depth) == (not rec["needs"]), (url, rec["needs"])
            kinds.update(rec["needs"])
    # the reachable portals of the world of 200 have all but the rare XML menus
    assert set(kinds) == {"inline_js", "json", "records", "api"}


@pytest.mark.parametrize("mode", ["inline_js", "json", "xml", "records", "api"])
def test_every_kind_of_script_link_is_followed(mode):
    """The first reachable portal delivering links by ``mode`` (a world of 1000 has each)."""
    agencies = 1000
    gov = next(
        i
        for i in portal_indices(SEED, agencies)
        if not agency(SEED, i).block
        and mode in (layout_of(agency(SEED, i)).menu, layout_of(agency(SEED, i)).index)
    )
    with start_server(SEED, agencies, TODAY, troubles=False) as srv:
        one = portal_truth(SEED, agencies, gov, srv.base_url)
        needing = [b for b in one["bodies"] if mode in b["needs"]]
        assert needing
        found = walk(one["portal"]["url"], _stop(one))
        plain = walk(one["portal"]["url"], _stop(one), scripts=False)
    for body in one["bodies"]:
        assert found.depth.get(body["urls"][0]) == body["depth"]
        assert (body["urls"][0] in plain.depth) == (not body["needs"])


def test_index_pages_name_the_bodies_as_the_truth_says(server):
    checked = Counter()
    for one in reachable_portals(server.base_url):
        found = walk(one["portal"]["url"], _stop(one))
        for body in one["bodies"]:
            url = body["urls"][0]
            assert body["anchor"] in found.names[url], (url, body["anchor"], found.names[url])
            if body["kind"] != "region":
                assert body["agency"] in found.names[url]
                checked[body["kind"]] += 1
            assert body["linked_from"] in found.pages
        home = found.pages[one["portal"]["url"]]
        assert one["portal"]["agency"] in home  # the government names itself on its home page
    assert checked["dept"] > 100 and checked["township"] > 3


def test_decoys_are_listings_of_year_titled_items(server, truth):
    blocked = {p["portal"] for p in truth["portals"] if not p["reachable"]}
    assert Counter(d["kind"] for d in truth["decoys"]) == {
        k: len(truth["portals"]) for k in ("tjgb", "zfgzbg", "ghjh", "gzyd", "gzzj", "nbgs")
    }
    for decoy in truth["decoys"]:
        if decoy["portal"] in blocked:
            continue
        status, _, text = fetch(decoy["url"])
        assert status == 200
        doc = lxml.html.fromstring(text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
        anchors = [(a.get("href"), a.get("title") or a.text_content()) for a in doc.iter("a")]
        for script in doc.iter("script"):
            anchors += script_links(script.text or "")[0]  # Hanweb records
        items = [(href, title) for href, title in anchors if YEAR_TITLE.search(title)]
        assert len(items) >= 3, decoy["url"]
        href, title = items[0]
        status, _, detail = fetch(urljoin(decoy["url"], href))
        assert status == 200 and title in unescape(detail), (decoy["url"], href)


def test_truth_of_a_world_of_200(truth):
    assert len(truth["portals"]) == 25 and truth["unlinked"] == []
    sources = [b["source"] for b in truth["bodies"]]
    assert len(sources) == len(set(sources)) == N
    govs = [b for b in truth["bodies"] if b["kind"] == "region"]
    assert len(govs) == 25 and all(2 <= b["depth"] <= 3 for b in govs)
    assert all(3 <= b["depth"] <= 4 for b in truth["bodies"] if b["kind"] != "region")
    assert {b["level"] for b in truth["bodies"]} == {"city", "county", "city_dept", "county_dept", "township"}
    scripted = {b["portal"] for b in truth["bodies"] if b["needs"]}
    assert 0 < len(scripted) < len(truth["portals"]) / 2  # a minority of portals
    assert sum(not p["reachable"] for p in truth["portals"]) < 5


def test_bodies_beyond_the_world_are_not_linked():
    agencies = N + 3
    truth = discovery_truth(SEED, agencies)
    last_place = range(N + 1, agencies + 1)
    gov = next((i for i in range(N + 1, N + 9) if agency(SEED, i).kind == "region"), None)
    expected = [] if gov is not None and gov <= agencies else [agency(SEED, i).source_id for i in last_place]
    assert truth["unlinked"] == expected
    assert len(truth["bodies"]) == agencies - len(expected)


def test_portal_pages_are_deterministic(server, truth):
    fresh = SimApp(SEED, N, TODAY, troubles=False)
    other = SimApp(SEED + 1, N, TODAY, troubles=False)
    one = reachable_portals(server.base_url)[0]
    found = walk(one["portal"]["url"], _stop(one))
    pages = dict(found.pages)
    pages.update((d["url"], fetch(d["url"])[2]) for d in one["decoys"])
    assert len(pages) >= 14
    for url, text in pages.items():
        resp = fresh.handle("GET", url[len(server.base_url) :], {})
        assert resp.status == 200
        ctype = resp.headers["Content-Type"]
        assert resp.body.decode("gb18030" if "gb" in ctype else "utf-8") == text, url
    assert discovery_truth(SEED, N, server.base_url) == truth
    home = one["portal"]["url"][len(server.base_url) :]
    assert other.handle("GET", home, {}).body != fresh.handle("GET", home, {}).body


def test_the_world_before_portals_is_unchanged(truth, server):
    registry = render_sources_toml(SEED, N, "http://127.0.0.1:8000")
    assert hashlib.sha256(registry.encode()).hexdigest() == REGISTRY_DIGEST, "the sources registry changed"
    sources = {s["id"]: s for s in tomllib.loads(render_sources_toml(SEED, N, server.base_url))["source"]}
    for body in truth["bodies"]:
        src = sources[body["source"]]
        assert body["urls"] == src["urls"]
        assert (body["agency"], body["level"], body["kind"], body["region"]) == (
            src["agency"],
            src["level"],
            src["kind"],
            src["region"],
        )
    assert fetch(server.base_url + "/robots.txt")[2] == ROBOTS
    all_urls = [d["url"] for d in truth["decoys"]] + [b["linked_from"] for b in truth["bodies"]]
    assert not any("/search/" in u for u in all_urls)


def test_portals_are_built_lazily():
    portal.cache_clear()
    site.cache_clear()
    app = SimApp(SEED, 10_000, TODAY, troubles=False)
    gov = next(e for e in portal_entries(SEED, 40) if e["reachable"])
    assert app.handle("GET", gov["url"], {}).status == 200
    assert portal.cache_info().currsize == 1 and site.cache_info().currsize == 0
