"""Finding annual-report columns on a portal (``nianbao discover``): pure functions over pages.

The route real portals give (portals.md §1): home → 政务公开 / 政府信息公开 platform → its fixed
sub-columns, one of them 政府信息公开年报; county and city platforms add index pages (部门年报,
乡镇（街道）年报) that list each body's own column by the body's name. Some menus are written by a
script or loaded from a JSON/XML endpoint; Hanweb index pages keep their links in a
``<datastore>``. So:

* :func:`page_links` — every link a person could follow from a page: anchors, URLs written in
  inline scripts, Hanweb records, and the data endpoints a script loads (``Link.endpoint``);
* :func:`endpoint_links` — the links inside such a JSON or XML endpoint;
* :func:`link_score` — how promising a link is, from its anchor text (never its slug: 梅江区 files
  its 年报 under ``zfgzbg``); decoys (统计公报, 工作要点, 政府工作报告, the template notice …)
  score 0 and are not followed;
* :func:`confirm_column` — is a page an annual-report listing: report titles (the same title
  recogniser the crawl uses) with their years, enough of them among its entries;
* :func:`body_name` / :func:`body_kind` — who a column belongs to: the name an index page gives
  it, else the name its reports carry, else the site's name; level and deadline kind from it.

Nothing here fetches; the discover spider (``spiders/discover.py``) walks with these.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from crawler.recognize.level import level_of
from crawler.recognize.listing import parse_listing
from crawler.vocab.urls import canonical_url
from crawler.vocab.words import KIND_OF_LEVEL

# Anchor texts, most specific first: (pattern, score, role).
ANNUAL = re.compile(
    r"(?:政府|政务)?信息公开(?:工作)?年(?:度报告|报)|公开年报|(?<!统计)年度报告$|(?<!统计)年报$"
)
INDEX = re.compile(
    r"(?:部门|单位|乡镇|街道|镇街|区县|县区|县（市、区）|各地)(?:（街道）)?(?:政府信息公开)?年(?:度报告|报)"
)
PLATFORM = re.compile(
    r"政府信息公开(?:专栏|平台)?$|^信息公开$|^政府信息公开目录|政务公开$|法定主动公开内容|^公开目录$"
)
# Words that make a link something else even when it says 年度报告: the template, its notice, a
# reading guide of a report.
NOT_A_COLUMN = re.compile(r"格式|模板|样本|解读|图解|一图读懂|通知|说明")
# What a menu entry ending like a body (…中心, …办) may still be: a document or a section.
_NOT_BODY = re.compile(
    r"公报|要点|总结|报告|年报|规划|计划|指南|制度|通知|公告|新闻|动态|目录|专栏|平台|信箱"
)
_ITEM_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")  # "2023年…报告": a report (an item), not a column
DECOY = re.compile(
    r"统计公报|统计年鉴|工作要点|工作总结|政府工作报告|规划|计划|格式|模板|解读|图解|通知|公告|"
    r"指南|制度|依申请|预决算|招标|采购|新闻|动态|信箱|留言|互动|English"
)
BODY_END = re.compile(
    r"(?:人民政府|政府|办公室|办公厅|委员会|局|厅|委|办|中心|院|街道办事处|街道|镇|乡|苏木|管委会|分局|支队|大队)$"
)
_SCRIPT_URL = re.compile(r"""["'](/[^"'\s<>]{1,300}|https?://[^"'\s<>]{1,300})["']""")
_SCRIPT_PAIR = re.compile(
    r"""["']?(?:name|title|text|label)["']?\s*:\s*["']([^"']{1,60})["'][^{}]{0,200}?["']?(?:url|href|link|path)["']?\s*:\s*["']([^"']{1,300})["']"""
    r"""|["']?(?:url|href|link|path)["']?\s*:\s*["']([^"']{1,300})["'][^{}]{0,200}?["']?(?:name|title|text|label)["']?\s*:\s*["']([^"']{1,60})["']""",
)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_ENDPOINT = re.compile(r"\.(?:json|xml)(?:\?|$)|dataproxy\.jsp|/api/", re.I)
_ASSET = re.compile(
    r"\.(?:js|css|png|jpe?g|gif|ico|svg|woff2?|ttf|pdf|docx?|xlsx?|zip|rar|wps|ofd)(?:\?|$)", re.I
)
_SEARCH = re.compile(r"/search|[?&](?:q|keyword|searchword)=", re.I)


@dataclass(frozen=True, slots=True)
class Link:
    """A link a person could follow: its absolute URL, its text (anchor text or title, or the name
    a menu gives it), and whether it is a data endpoint a script loads (costs no click)."""

    url: str
    text: str
    endpoint: bool = False


def _text(el) -> str:
    title = (el.attrib.get("title") or "").strip()
    body = " ".join("".join(el.itertext()).split())
    return title if len(title) > len(body) else body


def _absolute(base: str, href: str) -> str | None:
    href = unescape(href or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    url = urljoin(base, href)
    return canonical_url(url) if url.startswith(("http://", "https://")) else None


def page_links(html: str, url: str) -> list[Link]:
    """Every followable link of a page, in page order, without duplicates (first text kept)."""
    out: dict[str, Link] = {}

    def add(href: str, text: str, endpoint: bool = False) -> None:
        absolute = _absolute(url, href)
        if absolute and absolute not in out and not _ASSET.search(absolute):
            out[absolute] = Link(absolute, " ".join(text.split())[:80], endpoint)

    try:
        root = etree.HTML(html or "<html/>")
    except (ValueError, etree.ParserError):
        root = None
    if root is not None:
        for a in root.iter("a"):
            add(a.attrib.get("href", ""), _text(a))
    for fragment in _RECORD.findall(html or ""):  # Hanweb <datastore> records
        sel = Selector(text=fragment)
        for a in sel.css("a[href]"):
            add(a.attrib["href"], a.attrib.get("title") or " ".join(a.css("::text").getall()))
    for script in Selector(text=html or "<html/>").css("script:not([src])::text").getall():
        for m in _SCRIPT_PAIR.finditer(script):
            name, href = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            add(href, name)
        for m in _SCRIPT_URL.finditer(script):
            href = m.group(1)
            add(href, "", endpoint=bool(_ENDPOINT.search(href)))
    return list(out.values())


def endpoint_links(body: str, url: str) -> list[Link]:
    """The (name, URL) pairs inside a JSON or XML menu/list endpoint (Hanweb dataproxy records
    included)."""
    body = body or ""
    out: dict[str, Link] = {}

    def add(href: str, text: str) -> None:
        absolute = _absolute(url, href)
        if absolute and absolute not in out and not _ASSET.search(absolute):
            out[absolute] = Link(absolute, " ".join((text or "").split())[:80])

    stripped = body.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            _walk_json(json.loads(stripped), add)
        except ValueError:
            pass
        return list(out.values())
    for fragment in _RECORD.findall(body):
        sel = Selector(text=fragment)
        for a in sel.css("a[href]"):
            add(a.attrib["href"], a.attrib.get("title") or " ".join(a.css("::text").getall()))
    if not out:
        try:
            root = etree.fromstring(stripped.encode("utf-8"), etree.XMLParser(recover=True))
        except (ValueError, etree.XMLSyntaxError):
            root = None
        if root is not None:
            for el in root.iter():
                href = (
                    el.attrib.get("url") or el.attrib.get("href") or _child_text(el, ("url", "href", "link"))
                )
                if href and (
                    el.attrib.get("name") or el.attrib.get("title") or _child_text(el, ("name", "title"))
                ):
                    add(
                        href,
                        el.attrib.get("name") or el.attrib.get("title") or _child_text(el, ("name", "title")),
                    )
    return list(out.values())


def _child_text(el, names: tuple[str, ...]) -> str:
    for child in el:
        if isinstance(child.tag, str) and child.tag.lower() in names and (child.text or "").strip():
            return child.text.strip()
    return ""


def _json_name(obj: dict) -> str:
    """The name a JSON record gives its link: ``name``/``title``/``text``/``label``, else any key
    ending in name or title (``unitName``, ``chnlTitle``)."""
    for key in ("name", "title", "text", "label"):
        if isinstance(obj.get(key), str):
            return obj[key]
    return next(
        (v for k, v in obj.items() if isinstance(v, str) and k.lower().endswith(("name", "title"))), ""
    )


def _walk_json(obj, add) -> None:
    if isinstance(obj, dict):
        href = next((obj[k] for k in ("url", "href", "link", "path") if isinstance(obj.get(k), str)), None)
        name = _json_name(obj)
        if href:
            add(href, name)
        for value in obj.values():
            _walk_json(value, add)
    elif isinstance(obj, list):
        for value in obj:
            _walk_json(value, add)


def link_score(link: Link) -> int:
    """How promising a link is for reaching annual-report columns: 100 an annual-report anchor,
    90 a body named on an index page (the caller says so), 80 an index of bodies' reports, 60 the
    disclosure platform, 0 anything else (decoys included: not followed). Endpoints score 50."""
    text = re.sub(r"\s+", "", link.text or "")
    if link.endpoint:
        return 50
    if not text or _SEARCH.search(link.url):
        return 0
    if NOT_A_COLUMN.search(text) or _ITEM_YEAR.search(text):
        return 0
    if INDEX.search(text):
        return 80
    if DECOY.search(text) and not ANNUAL.search(text):
        return 0
    if ANNUAL.search(text):
        return 100
    if PLATFORM.search(text):
        return 60
    return 0


def looks_like_body(text: str) -> bool:
    """Does an anchor text name a publishing body (丰镕市审计局, 城关镇人民政府, 教育局)?"""
    text = re.sub(r"\s+", "", text or "")
    return 2 <= len(text) <= 40 and bool(BODY_END.search(text)) and not _NOT_BODY.search(text)


@dataclass(slots=True)
class ColumnCheck:
    """Whether a page is an annual-report column, and what it shows."""

    is_column: bool
    reason: str
    cms: str = "auto"
    items: int = 0
    reports: int = 0
    years: list[int] = field(default_factory=list)
    agencies: Counter = field(default_factory=Counter)
    confidence: str = "low"
    next_pages: list[str] = field(default_factory=list)  # the listing's following pages
    pages: int | None = None  # the column's page count, when its pager says


def confirm_column(html: str, url: str, *, linked_as_column: bool = False) -> ColumnCheck:
    """Is this page a listing of annual reports? Its entries are read with the crawl's listing
    parser and title recogniser (decoys — 统计公报, 工作要点, the template's notice — are not
    reports). Real 年报 columns are often polluted with news and re-posts, so the share of reports
    matters less than their years: ``high`` with reports of two or more years, ``medium`` with
    two reports of one year, or one that is a third of the entries, or any report on a page the
    portal links as a 年报 column (``linked_as_column``: an index page named a body for it, or
    its anchor said 年报); one report lost among many entries otherwise is ``low``, not a column."""
    listing = parse_listing(html, url)
    items = listing.items
    reports = [i for i in items if i.info.is_report]
    years = sorted({i.info.year for i in reports if i.info.year}, reverse=True)
    agencies = Counter(i.info.agency for i in reports if i.info.agency)
    check = ColumnCheck(
        False, "", listing.cms, len(items), len(reports), years, agencies, next_pages=listing.next_pages
    )
    if not items and not listing.child_columns:
        check.reason = "no list of entries"
        return check
    if not reports:
        excluded = Counter(i.info.reason for i in items if i.info.reason.startswith("excluded:"))
        check.reason = f"no annual report among {len(items)} entries" + (
            f" ({', '.join(r for r, _ in excluded.most_common(2))})" if excluded else ""
        )
        return check
    share = len(reports) / max(1, len(items))
    if len(years) >= 2:
        check.is_column, check.confidence = True, "high"
        check.reason = f"{len(reports)} reports of {len(years)} years among {len(items)} entries"
    elif len(reports) >= 2 or share >= 1 / 3 or linked_as_column:
        check.is_column, check.confidence = True, "medium"
        check.reason = f"{len(reports)} report(s) of {len(years) or 'no'} year(s) among {len(items)} entries"
    else:
        check.reason = f"only {len(reports)} of {len(items)} entries is a report"
    return check


def site_name(html: str) -> str | None:
    """The site's own name: ``<meta name=SiteName>``, else the part of ``<title>`` naming a body."""
    sel = Selector(text=html or "<html/>")
    meta = sel.css("meta[name=SiteName]::attr(content), meta[name=sitename]::attr(content)").get()
    if meta and looks_like_body(meta.strip()):
        return meta.strip()
    title = " ".join(sel.css("title::text").getall()).strip()
    for part in re.split(r"[_\-|｜—\s]+", title):
        if looks_like_body(part):
            return part
    return None


def body_name(check: ColumnCheck, anchor: str | None, site: str | None) -> tuple[str | None, str]:
    """Who a column belongs to, and where that came from: the body an index page links it by
    (``index``); else the site's own body when its reports do not name another one — its office
    signing them is no other one (``site``); else the body its reports name most (``titles``). Columns carry re-posts of superior
    governments' reports, so the titles come last."""
    if anchor and looks_like_body(anchor):
        return re.sub(r"\s+", "", anchor), "index"
    top = check.agencies.most_common(1)[0][0] if check.agencies else None
    if site and (top is None or site in check.agencies or top.startswith(site)):
        # a people's government's column whose reports its office signs is still the government's
        return site, "site"
    if check.agencies:
        return check.agencies.most_common(1)[0][0], "titles"
    if site:
        return site, "site"
    return None, "none"


def body_kind(name: str | None) -> tuple[str | None, str | None]:
    """(level, deadline kind) of a body from its name (:data:`~crawler.vocab.words.KIND_OF_LEVEL`);
    (None, None) when the level cannot be read."""
    level = level_of(name)
    return (level, KIND_OF_LEVEL.get(level)) if level else (None, None)


def same_site(url: str, start: str) -> bool:
    """May discovery follow ``url`` from a portal starting at ``start``: the same host, or a host
    under the same registrable government domain (``*.changsha.gov.cn``)."""
    a, b = urlsplit(url).hostname or "", urlsplit(start).hostname or ""
    if a == b:
        return True
    return bool(a and b) and _site_key(a) is not None and _site_key(a) == _site_key(b)


def _site_key(host: str) -> str | None:
    labels = host.split(".")
    if host.replace(".", "").isdigit() or len(labels) < 3:
        return None
    if labels[-2:] == ["gov", "cn"]:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
