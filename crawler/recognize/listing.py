"""Column (listing) pages: CMS detection, list items, pagination, year sub-columns, Hanweb API.

Families and their markup are described in docs/families.md; generic fallbacks follow
portals.md §2 "Listing selectors". Every function is pure and tolerant of broken HTML.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from crawler.recognize.dates import parse_date
from crawler.recognize.paging import MAX_PAGES, Pager, find_pagers
from crawler.recognize.text import clean_line, safe_join
from crawler.recognize.titles import TitleInfo, recognize_title
from crawler.vocab.text import fold_width
from crawler.vocab.urls import clean_href
from crawler.vocab.words import CMS_FAMILIES

CMS_NAMES = tuple(c for c in CMS_FAMILIES if c != "auto")

_HANWEB_URL = re.compile(r"/col/col\d+/")
_CALL_6 = re.compile(r"\bcreatePage(?:HTML)?\s*\(\s*'")
_CALL_ANY = re.compile(r"\bcreatePage(?:HTML)?\s*\(([^()]{0,300})\)")
_COUNT_PAGE = re.compile(r"\bvar\s+countPage\s*=")
_DOC_PREFIX = re.compile(r"^t\d{8}_\d+$")  # a long article's own pager, not a column pager
_RECORD = re.compile(r"<record\b[^>]*>(.*?)</record>", re.S | re.I)
_CDATA = re.compile(r"^\s*<!\[CDATA\[(.*?)\]\]>\s*$", re.S)
_NEXTGROUP = re.compile(r"<nextgroup\b[^>]*>(.*?)</nextgroup>", re.S | re.I)
_TOTALRECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_TOTALPAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>", re.I)
_PERPAGE = re.compile(r"\bperpage\s*[:=]\s*['\"]?(\d+)", re.I)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)
_HAS_YEAR = re.compile(r"(?:19|20)\d{2}")
_YEAR_TEXT = re.compile(r"^(?P<y>(?:19|20)\d{2})\s*年?度?(?:年报|报告)?$")
_NEXT_TEXT = re.compile(r"^(?:下一?页|后一?页|next|>|»|›)$", re.I)
_LAST_TEXT = re.compile(r"^(?:尾页|末页|最后一?页|last|»»|>>)$", re.I)
_PAGE_PARAM = re.compile(
    r"(?P<pre>[?&](?:page|pageNo|pageNum|pageIndex|cur_page|curPage|currentPage|p)=)(?P<n>\d+)", re.I
)
_PAGE_FILE = re.compile(r"(?P<pre>(?:^|/|_|-))(?P<n>\d+)(?=\.s?html?$)")
_DATAPROXY = "module/web/jpage/dataproxy.jsp"
_WINDOW_KEYS = ("startrecord", "endrecord", "perpage")
_FORM_ORDER = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
)
_DEFAULT_PERPAGE = 15
_WINDOW_PAGES = 3  # jpage fetches three pages of records per request (1..45 when perpage = 15)

_FAMILY_SELECTORS: dict[str, tuple[str, ...]] = {
    "trs": ("ul.list li",),
    "trs6": (".zwgk_list li",),
    "plain": (".gl_list tr",),
    "hanweb": (),
}
_GENERIC_SELECTORS = (
    "ul.list li",
    ".xxgk_list li",
    ".news_list li",
    ".gl_list tr",
    "xpath://table//tr[td//a[@href]][not(.//table)]",
    "dl dt",
    "div.list_model li",
    ".overview_right li",
)


@dataclass(frozen=True, slots=True)
class ListItem:
    """One link of a column list; ``title`` prefers ``@title`` over the (truncated) text."""

    url: str
    title: str
    text: str
    date: date | None
    info: TitleInfo


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """A records-API request to make (Hanweb dataproxy windows)."""

    url: str
    method: str
    formdata: dict[str, str]


@dataclass(frozen=True, slots=True)
class ChildColumn:
    """A year sub-column (``<a href="./gknb2023/">2023年</a>``)."""

    url: str
    year: int | None
    text: str


@dataclass(frozen=True, slots=True)
class Listing:
    """What a column page offers: items, the pages after it, child columns, API requests."""

    cms: str
    items: list[ListItem]
    next_pages: list[str]
    child_columns: list[ChildColumn]
    api_requests: list[ApiRequest]
    total_pages: int | None


def detect_cms(html: str, url: str) -> str:
    """The CMS family of a page: ``trs``, ``trs6``, ``hanweb`` or ``plain``.

    Order of portals.md §8: Hanweb (``/col/colN/`` URL, ``<datastore>``, a dataproxy
    response, an ``/art/Y/M/D/`` article or ZJEG_RSS markers) → six-argument
    ``createPageHTML('`` or a ``trs_editor_view`` body (trs6) → four-argument
    ``createPageHTML(``/``countPage`` or a ``TRS_Editor`` body or a ``tYYYYMMDD_`` URL (trs)
    → plain.
    """
    html = html or ""
    url = url or ""
    if (
        _HANWEB_URL.search(url)
        or "dataproxy.jsp" in url
        or "<datastore" in html
        or re.search(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_", url)
        or "ZJEG_RSS" in html
    ):
        return "hanweb"
    arities = [len(m.group(1).split(",")) for m in _CALL_ANY.finditer(html)]
    if 6 in arities or _CALL_6.search(html) or "trs_editor_view" in html:
        return "trs6"
    if (
        4 in arities
        or _COUNT_PAGE.search(html)
        or "TRS_Editor" in html
        or re.search(r"/t\d{8}_\d+(?:_\d+)?\.s?html?", url)
    ):
        return "trs"
    return "plain"


def _selector(html: str) -> Selector:
    return Selector(text=html or "<html></html>", type="html")


def _usable_href(href: str | None) -> str | None:
    if not href:
        return None
    href = clean_href(href)  # an interior space is part of the name (2024年 报告.pdf)
    if not href or href.startswith("#") or href.lower().startswith(("javascript:", "mailto:", "tel:")):
        return None
    return href


def _item(el: Selector, base: str) -> ListItem | None:
    root = el.root
    if not hasattr(root, "iter"):
        return None
    for a in root.iter("a"):
        href = _usable_href(a.get("href"))
        if href is None:
            continue
        text = clean_line("\n".join(a.itertext()))
        title = clean_line(a.get("title") or "") or text
        if not title:
            continue
        url = safe_join(base, href)
        if url is None:
            continue
        outside = " ".join(root.xpath(".//text()[not(ancestor::a)]"))
        day = parse_date(outside)
        return ListItem(url, title, text, day, recognize_title(title))
    return None


def _items_from(elements: list[Selector], base: str) -> list[ListItem]:
    items: list[ListItem] = []
    seen: set[str] = set()
    for el in elements:
        item = _item(el, base)
        if item is not None and item.url not in seen:
            seen.add(item.url)
            items.append(item)
    return items


def _select(sel: Selector, query: str) -> list[Selector]:
    return list(sel.xpath(query[6:]) if query.startswith("xpath:") else sel.css(query))


def _list_items(html: str, sel: Selector, cms: str, base: str) -> list[ListItem]:
    for query in _FAMILY_SELECTORS.get(cms, ()) + _GENERIC_SELECTORS:
        items = _items_from(_select(sel, query), base)
        if items:
            return items
    items = _items_from(_dated_records(sel), base)
    if items or "<!--" not in html:
        return items
    # Lists rendered by script from a commented-out block (Gansu platforms): read the comment.
    uncommented = html.replace("<!--", "").replace("-->", "")
    return _list_items(uncommented, _selector(uncommented), cms, base) if uncommented != html else []


# Elements that can hold one list record: a list item, a definition list (Fujian/Guangxi TRS
# platforms: <dl><dd><a title>…</a></dd><dd>date</dd></dl>), a table row, or a leaf block.
_RECORD_ELEMENTS = (
    "//li[.//a[@href]] | //dl[.//a[@href]] | //tr[.//a[@href]][not(.//table)]"
    " | //div[.//a[@href]][not(.//div or .//li or .//dl or .//table)] | //p[.//a[@href]]"
)


def _dated_records(sel: Selector) -> list[Selector]:
    """Records of a list whose markup no selector knows: elements with one link and a date
    outside it (a menu has no dates; a container of many records has many links)."""
    out = []
    for el in sel.xpath(_RECORD_ELEMENTS):
        hrefs = {h for h in (_usable_href(a) for a in el.xpath(".//a/@href").getall()) if h}
        if len(hrefs) == 1 and parse_date(" ".join(el.xpath(".//text()[not(ancestor::a)]").getall())):
            out.append(el)
    return out


def _record_fragments(html: str) -> list[str]:
    out = []
    for m in _RECORD.finditer(html):
        body = m.group(1)
        cdata = _CDATA.match(body)
        out.append(cdata.group(1) if cdata else html_lib.unescape(body))
    return out


def _hanweb_items(fragments: list[str], base: str) -> list[ListItem]:
    elements = [(_selector(f).xpath("//body") or [_selector(f)])[0] for f in fragments]
    return _items_from(elements, base)


def _api_base(url: str, nextgroup_href: str | None) -> str:
    """Absolute dataproxy.jsp URL without query: under the column's site prefix (the path
    before ``/col/``), or the nextgroup link's own path when that already carries a prefix."""
    parts = urlsplit(url)
    if nextgroup_href:
        path = urlsplit(nextgroup_href).path
        if path.endswith(_DATAPROXY) and not path.startswith("/" + _DATAPROXY):
            return urljoin(url, path)
    idx = parts.path.find("/col/")
    prefix = parts.path[:idx] if idx >= 0 else ""
    return urlunsplit((parts.scheme, parts.netloc, f"{prefix}/{_DATAPROXY}", "", ""))


def _window_url(base: str, start: int, end: int, perpage: int, extra: list[tuple[str, str]]) -> str:
    query = urlencode(
        [("startrecord", str(start)), ("endrecord", str(end)), ("perpage", str(perpage))] + extra
    )
    return f"{base}?{query}"


def _form_from_nextgroup(href: str) -> dict[str, str]:
    fields = dict(parse_qsl(urlsplit(html_lib.unescape(href)).query, keep_blank_values=True))
    fields.pop("page", None)
    fields.setdefault("col", "1")
    fields.setdefault("sourceContentType", "1")
    ordered = {k: fields[k] for k in _FORM_ORDER if k in fields}
    ordered.update((k, v) for k, v in fields.items() if k not in ordered)
    return ordered


def _hanweb_column(html: str, url: str) -> tuple[list[ListItem], list[ApiRequest]]:
    items = _hanweb_items(_record_fragments(html), url)
    requests: list[ApiRequest] = []
    group = _NEXTGROUP.search(html)
    href_m = _HREF.search(group.group(1)) if group else None
    if href_m:
        href = html_lib.unescape(href_m.group(1))
        perpage_m = _PERPAGE.search(html)
        perpage = int(perpage_m.group(1)) if perpage_m else _DEFAULT_PERPAGE
        perpage = perpage if 0 < perpage <= 1000 else _DEFAULT_PERPAGE
        api = _window_url(_api_base(url, href), 1, perpage * _WINDOW_PAGES, perpage, [])
        requests.append(ApiRequest(api, "POST", _form_from_nextgroup(href)))
    return items, requests


def _hanweb_api(html: str, url: str) -> tuple[list[ListItem], list[ApiRequest], int | None]:
    """A dataproxy XML response: its records, and the remaining windows when it is the first."""
    items = _hanweb_items(_record_fragments(html), url)
    total_m, pages_m = _TOTALRECORD.search(html), _TOTALPAGE.search(html)
    total_pages = int(pages_m.group(1)) if pages_m else None
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    window = {k: v for k, v in query if k in _WINDOW_KEYS}
    extra = [(k, v) for k, v in query if k not in _WINDOW_KEYS]
    start = int(window["startrecord"]) if window.get("startrecord", "").isdigit() else 1
    perpage = int(window["perpage"]) if window.get("perpage", "").isdigit() else _DEFAULT_PERPAGE
    perpage = perpage or _DEFAULT_PERPAGE
    end = int(window["endrecord"]) if window.get("endrecord", "").isdigit() else perpage * _WINDOW_PAGES
    requests: list[ApiRequest] = []
    if start == 1 and total_m and end >= start:
        total, size = int(total_m.group(1)), end - start + 1
        base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        nxt = end + 1
        while nxt <= total and len(requests) < MAX_PAGES:
            requests.append(
                ApiRequest(_window_url(base, nxt, nxt + size - 1, perpage, extra), "POST", dict(extra))
            )
            nxt += size
    return items, requests, total_pages


def _page_number(url: str) -> tuple[int | None, re.Match[str] | None]:
    parts = urlsplit(url)
    m = _PAGE_PARAM.search("?" + parts.query) if parts.query else None
    if m:
        return int(m["n"]), m
    m = _PAGE_FILE.search(parts.path)
    return (int(m["n"]), m) if m else (None, None)


def _with_page(url: str, n: int) -> str | None:
    parts = urlsplit(url)
    if parts.query and _PAGE_PARAM.search("?" + parts.query):
        query = _PAGE_PARAM.sub(lambda m: f"{m['pre']}{n}", "?" + parts.query, count=1)[1:]
        return urlunsplit(parts._replace(query=query))
    if _PAGE_FILE.search(parts.path):
        path = _PAGE_FILE.sub(lambda m: f"{m['pre']}{n}", parts.path, count=1)
        return urlunsplit(parts._replace(path=path))
    return None


def _link_pager(sel: Selector, url: str) -> tuple[list[str], int | None]:
    """Pages after the current one from 下一页 / numbered / 尾页 links (首页, 上一页 ignored)."""
    links: list[tuple[str, str, int | None]] = []  # (text, absolute url, page number)
    for a in sel.xpath("//a[@href][string-length(normalize-space(.)) < 16]"):
        href = _usable_href(a.attrib.get("href"))
        text = clean_line(" ".join(a.root.itertext()) or a.attrib.get("title", ""))
        target = safe_join(url, href) if href is not None and text else None
        if target is not None:
            links.append((text, target, _page_number(target)[0]))
    nxt = next(((u, n) for t, u, n in links if _NEXT_TEXT.match(t)), None)
    last_n = next((n for t, _, n in links if _LAST_TEXT.match(t) and n is not None), None)
    current = _page_number(url)[0]
    if current is None:  # the first page: 1-based (?page=2 next) or 0-based (index_1 next)
        current = nxt[1] - 1 if nxt and nxt[1] is not None else 1
    found: dict[int, str] = {}
    if nxt is not None:
        found[nxt[1] if nxt[1] is not None and nxt[1] > current else current + 1] = nxt[0]
    found.update(
        (n, u) for t, u, n in reversed(links) if t.isdigit() and len(t) <= 4 and n is not None and n > current
    )
    if nxt is not None and last_n is not None:
        for k in range(current + 1, min(last_n, current + MAX_PAGES) + 1):
            candidate = _with_page(nxt[0], k)
            if candidate:
                found.setdefault(k, candidate)
    pages = [u for _, u in sorted(found.items()) if u != url][:MAX_PAGES]
    return pages, last_n


def _column_pager(html: str, url: str) -> Pager | None:
    for pager in find_pagers(html, url):
        if not _DOC_PREFIX.match(pager.prefix):
            return pager
    return None


def _child_columns(sel: Selector, url: str, item_urls: set[str]) -> list[ChildColumn]:
    parts = urlsplit(url)
    directory = urlunsplit((parts.scheme, parts.netloc, parts.path[: parts.path.rfind("/") + 1], "", ""))
    out: list[ChildColumn] = []
    seen: set[str] = set()
    for a in sel.xpath("//a[@href][string-length(normalize-space(.)) < 16]"):
        raw = " ".join(a.root.itertext())
        if not _HAS_YEAR.search(fold_width(raw)):
            continue
        href = _usable_href(a.attrib.get("href"))
        text = clean_line(raw)
        m = _YEAR_TEXT.match(text)
        target = safe_join(url, href) if href is not None and m is not None else None
        if m is None or target is None:
            continue
        bare = urlunsplit(urlsplit(target)._replace(query="", fragment=""))
        if (
            not bare.startswith(directory)
            or len(bare) <= len(directory)
            or bare in seen
            or target in item_urls
            or target == url
        ):
            continue
        seen.add(bare)
        out.append(ChildColumn(target, int(m["y"]), text))
    return out


def _is_api_response(html: str, url: str) -> bool:
    head = html.lstrip()[:200].lower()
    return "dataproxy" in (url or "") or head.startswith(("<?xml", "<datastore")) or "<totalrecord>" in head


def parse_listing(html: str, url: str, cms: str = "auto") -> Listing:
    """Read a column page (or a Hanweb dataproxy XML response).

    ``items`` holds every item-like link of the list container, reports and non-reports,
    each with its :class:`TitleInfo`; ``next_pages`` the pages after this one, in order
    (TRS 0-based ``index_N``, trs6 1-based ``prefix_N``, or 下一页/numbered/尾页 links);
    ``child_columns`` year sub-columns under this column; ``api_requests`` the Hanweb
    dataproxy windows still to fetch (on a column page the first window; on a first-window
    response the remaining ones; a POST response's form is not in its URL, so the caller
    merges its own form data with ``formdata``). URLs are absolute.
    """
    html = html or ""
    url = url or ""
    family = cms if cms in CMS_NAMES else detect_cms(html, url)
    if family == "hanweb" and _is_api_response(html, url):
        items, requests, total = _hanweb_api(html, url)
        return Listing(family, items, [], [], requests, total)
    sel = _selector(html)
    requests = []
    items = []
    if family == "hanweb" and (_RECORD.search(html) or _NEXTGROUP.search(html)):
        items, requests = _hanweb_column(html, url)
    if not items:
        items = _list_items(html, sel, family, url)
    pager = _column_pager(html, url)
    total_pages: int | None
    if pager is not None:
        next_pages, total_pages = pager.following(url), pager.total
    elif family == "hanweb" and requests:
        next_pages, total_pages = [], None
    else:
        next_pages, total_pages = _link_pager(sel, url)
    children = _child_columns(sel, url, {i.url for i in items})
    return Listing(family, items, next_pages, children, requests, total_pages)
