"""Detail (article) pages: title, issuing body, dated candidates, attachments, parts, body text.

Field rules follow portals.md §3 and docs/families.md "Common". The body text is a rough
first pass (the best-scoring body container as lines); a later stage does real extraction.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from parsel import Selector

from crawler.recognize.dates import DateCandidate, find_date, parse_date, url_date
from crawler.recognize.listing import detect_cms
from crawler.recognize.paging import file_stem, find_pagers
from crawler.recognize.text import clean_line, normalize_text, safe_join
from crawler.recognize.titles import ORG_END, recognize_title
from crawler.vocab.urls import clean_href

if TYPE_CHECKING:
    from lxml.etree import _Element

_BLOCK = frozenset(
    "p div li tr table tbody thead tfoot h1 h2 h3 h4 h5 h6 section article ul ol dl dt dd "
    "blockquote pre form header footer nav aside center hr title caption".split()
)
_SKIP = frozenset({"script", "style", "noscript", "template", "select", "option", "textarea", "head"})
BODY_SELECTORS = (
    "#ivs_content",
    ".TRS_Editor",
    ".trs_editor_view",
    "#webeditorview",
    "#zoom",
    "#Zoom",
    ".Custom_UnionStyle",
    "#article",
    "#articleContent",
    ".article-content",
    ".xxgk_content",
    ".zw-content",
    "#content",
)
_ROW_END = re.compile(r"(?:\s*\|\s*)+$")
_SPECIFIC_BODIES = BODY_SELECTORS[:-1]  # #content is too common to prove an article
ZJEG_CONTENT = re.compile(
    r"<!--\s*ZJEG_RSS\.content\.begin\s*-->(.*?)<!--\s*ZJEG_RSS\.content\.end\s*-->", re.S | re.I
)
_MARKERS = tuple(
    re.compile(p)
    for p in (
        r"一\s*[、.．]\s*(?:总体|概述|概况|工作概述)",
        r"二\s*[、.．]\s*(?:行政机关)?主动公开",
        r"三\s*[、.．]\s*(?:行政机关)?(?:收到和处理|依申请)",
        r"四\s*[、.．].{0,20}(?:行政复议|行政诉讼)",
        r"五\s*[、.．].{0,20}(?:问题|改进)",
        r"六\s*[、.．]\s*其他需要报告",
    )
)
_META_NAMES = {"pubdate", "publishdate"}
_GENERATED_NAMES = {"htmlgeneratetime", "maketime"}
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_EPOCH = re.compile(r"1970\s*[-/.年]\s*0?1\s*[-/.月]\s*0?1(?!\d)")
_PAGE_DATE = re.compile(
    r"(?P<label>(?:发布|公开|发文|上网)(?:日期|时间)|(?<![\u3400-\u9fff])(?:日期|时间))\s*[:：]\s*(?:\|\s*)?"
    r"(?P<v>[^|\n]{6,32})"
)
_AGENCY_LABELS = ("发布机构", "发文机关", "发布单位", "信息来源", "来源")
_AGENCY_VALUE = r"\s*[:：]\s*(?:\|\s*)?(?P<v>[^\s|:：]{2,40})"
_AGENCY_CUT = re.compile(r"(?:发布|公开|成文)?(?:日期|时间)|作者|浏览|点击|字号|阅读|索引号|文号")
_NOT_AGENCY = re.compile(r"^(?:我|本)|^(?:本站|本网|原创|网站)$")
_ATTACH_EXT = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|et|ofd|rar|zip)(?:[?#]|$)", re.I)
_ATTACH_PATH = re.compile(
    r"/P0\d{17,}\.(?:pdf|docx?)|/module/download/downfile\.jsp|/files/[0-9a-f]{32}\.|/attachment/\d+/|"
    r"/doc/ucap/",
    re.I,
)
_ATTACH_TEXT = re.compile(r"^(?:附件|下载)|\.(?:pdf|docx?|wps|xlsx?|ofd)$", re.I)
_VIEWER = re.compile(r"viewer(?:\.html?)?\?(?:.*&)?file=", re.I)
_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜]|\s[-–—]\s|-|—)\s*")
_DETAIL_URL = re.compile(
    r"/t\d{8}_\d+(?:_\d+)?\.s?html?$|/art/\d{4}/\d{1,2}/\d{1,2}/art_|/c\d{6}/\d{6}/\d+\.s?html$|"
    r"/content/(?:.*/)?m?post_\d+\.html$|/\d{8}/[0-9a-f]{32}\.s?html?$|content_\d+\.s?html?$"
)


@dataclass(frozen=True, slots=True)
class Link:
    """An attachment (or other) link: absolute URL and its visible text."""

    url: str
    text: str


@dataclass(frozen=True, slots=True)
class Detail:
    """What a detail page says about itself (``title_source``: meta|heading|title|none).

    ``is_article`` is True when the page carries article evidence (article metadata, a
    detail-style URL or a known body container), so a sidebar list cannot make it a listing.
    """

    title: str | None
    title_source: str
    agency: str | None
    date_candidates: list[DateCandidate]
    attachments: list[Link]
    continuation_pages: list[str]
    body_text: str
    cms: str
    is_article: bool = False


def element_text(root: _Element) -> str:
    """Text of an lxml element as lines: blocks and ``<br>`` break lines, a table row is one
    line with its cells joined by `` | ``, scripts/styles/comments are dropped. Iterative, so
    deeply nested (broken) markup is fine."""
    parts: list[str] = []
    cells = 0  # depth inside td/th: blocks there do not break the row's line
    stack: list[tuple[_Element, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        tail = el.tail if el is not root else None
        if closing or tag is None:
            if tag in ("td", "th"):
                cells -= 1
                parts.append(" | ")
            elif tag in _BLOCK:
                parts.append(" " if cells else "\n")
            if tail:
                parts.append(tail)
            continue
        if tag in _BLOCK or tag == "br":
            parts.append(" " if cells else "\n")
        if tag in ("td", "th"):
            cells += 1
        if el.text and tag not in _SKIP:
            parts.append(el.text)
        stack.append((el, True))
        if tag not in _SKIP:
            stack.extend((child, False) for child in reversed(el))
    lines = (_ROW_END.sub("", line).strip() for line in normalize_text("".join(parts)).split("\n"))
    return "\n".join(line for line in lines if line)


def _meta(sel: Selector, names: set[str]) -> list[str]:
    out = []
    for m in sel.xpath("//meta[@name or @property]"):
        name = (m.attrib.get("name") or m.attrib.get("property") or "").strip().lower()
        if name in names:
            out.append((m.attrib.get("content") or "").strip())
    return [c for c in out if c]


def _texts(el: Selector) -> str:
    return clean_line("\n".join(el.xpath(".//text()[not(ancestor::script)][not(ancestor::style)]").getall()))


def _title_parts(raw: str, hanweb: bool) -> list[str]:
    text = normalize_text(raw)
    parts = [p for p in _TITLE_SPLIT.split(text) if p.strip()]
    if hanweb and len(parts) == 1:  # "站名 栏目 标题" (the title last) or "栏目 站名"
        words = text.split()
        if len(words) >= 3:
            return [words[-1], *words[:-1]]
        return words
    return parts


def _title(sel: Selector, hanweb: bool) -> tuple[str | None, str]:
    meta = [clean_line(c) for c in _meta(sel, {"articletitle"})]
    if meta and meta[0]:
        return meta[0], "meta"
    tag_title = " ".join(sel.xpath("//title//text()").getall())
    parts = _title_parts(tag_title, hanweb)
    site = clean_line(parts[-1]) if len(parts) > 1 else ""
    query = "//h1 | //*[@id='title'] | //*[contains(concat(' ', normalize-space(@class), ' '), ' title ')]"
    heads = [t for t in (_texts(h) for h in sel.xpath(query)) if 2 <= len(t) <= 200]
    for text in heads:
        if recognize_title(text).is_report:
            return text, "heading"
    for text in heads:
        if text != site and len(text) >= 4:
            return text, "heading"
    cleaned = [clean_line(p) for p in parts]
    for text in cleaned:
        if recognize_title(text).is_report:
            return text, "title"
    if cleaned and cleaned[0]:
        return cleaned[0], "title"
    return None, "none"


def _flat_text(sel: Selector) -> str:
    """Every text node of the page on its own line (scripts and styles left out): what the
    label searches (发布机构：…, 发布日期：…) read."""
    nodes = (
        sel.root.xpath("//body//text()[not(ancestor::script or ancestor::style)]")
        if hasattr(sel.root, "xpath")
        else []
    )
    if not nodes and hasattr(sel.root, "xpath"):
        nodes = sel.root.xpath("//text()[not(ancestor::script or ancestor::style)]")
    return normalize_text("\n".join(str(n) for n in nodes))


def _page_text(sel: Selector) -> str:
    roots = sel.xpath("//body") or sel.xpath("/*")
    return element_text(roots[0].root) if roots else ""


def _agency(sel: Selector, flat: str) -> str | None:
    for content in _meta(sel, {"contentsource"}):
        value = clean_line(content)
        if value and not _NOT_AGENCY.search(value):
            return value
    for label in _AGENCY_LABELS:
        for m in re.finditer(re.escape(label) + _AGENCY_VALUE, flat):
            value = _AGENCY_CUT.split(m["v"])[0]
            if 2 <= len(value) and ORG_END.search(value) and not _NOT_AGENCY.search(value):
                return value
    return None


def _clock(raw: str) -> tuple[date | None, tuple[int, int] | None]:
    t = _TIME.search(raw)
    return parse_date(raw), ((int(t[1]), int(t[2])) if t else None)


def _meta_dates(sel: Selector) -> list[DateCandidate]:
    generated: list[tuple[str, str]] = []
    for content in _meta(sel, {"others"}):
        if "生成时间" in content:
            generated.append(("页面生成时间", content))
    for m in sel.xpath("//meta[@name]"):
        name = (m.attrib.get("name") or "").strip()
        if name.lower() in _GENERATED_NAMES and m.attrib.get("content"):
            generated.append((name, m.attrib["content"].strip()))
    out = []
    for raw in _meta(sel, _META_NAMES):
        if _EPOCH.search(raw):
            out.append(DateCandidate(date(1970, 1, 1), "meta", raw, False, "epoch"))
            continue
        day, clock = _clock(raw)
        if day is None:
            continue
        note = ""
        for label, gen_raw in generated:
            gen_day, gen_clock = _clock(gen_raw)
            if gen_day == day and (clock is None or gen_clock is None or clock == gen_clock):
                note = f"equals {label} {clean_line(gen_raw.replace('页面生成时间', ''))}"
                break
        out.append(DateCandidate(day, "meta", raw, not note, note))
    return out


def _page_dates(flat: str) -> list[DateCandidate]:
    labelled: list[DateCandidate] = []
    bare: list[DateCandidate] = []
    seen: set[date] = set()
    for m in _PAGE_DATE.finditer(flat):
        found = find_date(m["v"])
        if found is None or found[0] in seen:
            continue
        day, text = found
        seen.add(day)
        cand = DateCandidate(day, "page", f"{m['label']}：{text}")
        (labelled if m["label"][:2] in {"发布", "公开", "发文", "上网"} else bare).append(cand)
    return labelled + bare


def _attachment_url(href: str, base: str, text: Callable[[], str], embedded: bool) -> str | None:
    href = clean_href(href)  # an interior space is part of the name (2024年 报告.pdf)
    if not href or href.startswith("#") or href.lower().startswith(("javascript:", "mailto:")):
        return None
    if _VIEWER.search(href):
        files = parse_qs(urlsplit(href).query).get("file")
        return safe_join(base, unquote(files[0])) if files else None
    try:
        path = urlsplit(href).path
    except ValueError:
        return None
    if _ATTACH_EXT.search(path) or _ATTACH_PATH.search(href):
        return safe_join(base, href)
    if not embedded and _ATTACH_TEXT.search(text()):
        return safe_join(base, href)
    return None


def _attachments(sel: Selector, base: str) -> list[Link]:
    found: dict[str, str] = {}
    for el in sel.xpath("//a[@href] | //iframe[@src] | //embed[@src] | //object[@data]"):
        embedded = el.root.tag != "a"
        href = el.attrib.get("href") or el.attrib.get("src") or el.attrib.get("data") or ""
        text = functools.cache(
            lambda el=el, embedded=embedded: (
                clean_line(el.attrib.get("title", "")) if embedded else _texts(el)
            )
        )
        url = _attachment_url(href, base, text, embedded)
        if url and (url not in found or not found[url]):
            found[url] = text()
    return [Link(u, t) for u, t in found.items()]


def _continuation(html: str, url: str) -> list[str]:
    stem, _ = file_stem(url)
    for pager in find_pagers(html, url):
        if pager.prefix and (stem == pager.prefix or re.fullmatch(re.escape(pager.prefix) + r"_\d+", stem)):
            return pager.following(url)
    return []


def report_marker_count(text: str) -> int:
    """How many of the six report headings (一、总体情况 … 六、其他需要报告的事项) ``text`` has."""
    return sum(1 for marker in _MARKERS if marker.search(text))


def body_score(text: str, tables: int) -> int:
    return 10 * report_marker_count(text) + min(tables, 10)


def _body(sel: Selector, html: str) -> tuple[str, bool]:
    """(best body text, whether a specific body container was found)."""
    candidates: list[tuple[int, int, str]] = []  # (score, -rank, text)
    zjeg = ZJEG_CONTENT.search(html)
    if zjeg:
        frag = Selector(text=zjeg.group(1) or "<p></p>", type="html")
        text = _page_text(frag)
        if text:
            candidates.append((body_score(text, len(frag.xpath("//table"))), 0, text))
    specific = bool(zjeg)
    for rank, query in enumerate(BODY_SELECTORS, start=1):
        for el in sel.css(query):
            text = element_text(el.root)
            if not text:
                continue
            specific = specific or query in _SPECIFIC_BODIES
            candidates.append((body_score(text, len(el.xpath(".//table"))), -rank, text))
    if candidates:
        return max(candidates, key=lambda c: (c[0], c[1]))[2], specific
    return _page_text(sel), False


def parse_detail(html: str, url: str, *, with_body: bool = True) -> Detail:
    """Read a detail page: title (``meta ArticleTitle`` > h1/.title/#title > ``<title>``),
    agency (``meta ContentSource`` > 发布机构/发文机关/信息来源 cells), date candidates
    (``meta`` PubDate, untrusted when it is the page generation time or the epoch; visible
    发布日期/发布时间 as ``page``; the URL date as ``url``), attachments, the remaining parts of
    a split TRS article, and a rough body text (skipped with ``with_body=False``: the crawler
    only needs the links and metadata, and the body search is the costliest part)."""
    html = html or ""
    url = url or ""
    sel = Selector(text=html or "<html></html>", type="html")
    cms = detect_cms(html, url)
    title, title_source = _title(sel, cms == "hanweb")
    flat = _flat_text(sel)
    dates = _meta_dates(sel) + _page_dates(flat)
    from_url = url_date(url)
    if from_url is not None:
        dates.append(DateCandidate(from_url, "url", url))
    body, specific = _body(sel, html) if with_body else ("", False)
    has_meta = bool(_meta(sel, {"articletitle", "pubdate", "contentsource"}))
    is_article = has_meta or specific or bool(_DETAIL_URL.search(urlsplit(url).path))
    return Detail(
        title,
        title_source,
        _agency(sel, flat),
        dates,
        _attachments(sel, url),
        _continuation(html, url),
        body,
        cms,
        is_article,
    )
