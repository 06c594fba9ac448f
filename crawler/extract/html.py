"""HTML pages: the article body (CMS containers ranked by report markers, as in
:mod:`crawler.recognize.detail`), widgets removed, tables as expanded grids rendered in place."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from parsel import Selector

from crawler.extract.result import ExtractResult, finish, lib_version
from crawler.extract.tables import expand_grid, render_rows
from crawler.recognize.detail import BODY_SELECTORS, ZJEG_CONTENT, body_score, element_text
from crawler.recognize.encoding import decode_body
from crawler.recognize.text import clean_line

if TYPE_CHECKING:
    from lxml.etree import _Element

_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "iframe",
    "form",
    "select",
    "button",
    "object",
    "embed",
    "svg",
)
_WIDGET_ATTR = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|header|footer|foot|breadcrumb|crumbs?|position|location|share|"
    r"bdsharebuttonbox|sidebar|side|copyright|jiucuo|ideconac|conac|toolbar|tools|print|fontsize|"
    r"font-size|zoomfont|related|xgxx|xgwz|pager|page-turn|comment|qrcode|ewm)(?:$|[\s_-])",
    re.I,
)
_WIDGET_TEXT = re.compile(
    r"我要纠错|网站纠错|打印本页|【打印|关闭窗口|【关闭|分享到|字号[:：]|【大|\[大\]|收藏本页|返回顶部|"
    r"扫一扫|当前位置[:：]|您现在的位置|您当前的位置|党政机关|政府网站找错"
)
_WIDGET_MAX_TEXT = 60
_WIDGET_ATTR_MAX_TEXT = 1000  # a long 'side' block may be the article itself
_MARK = "@@nbtable{}@@"
_MARK_LINE = re.compile(r"^@@nbtable(\d+)@@$")


def _classes(el: _Element) -> str:
    return f"{el.get('id') or ''} {el.get('class') or ''}"


def _drop(el: _Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _short_text(el: _Element, limit: int) -> str | None:
    """The element's text, or None as soon as it is longer than ``limit``."""
    parts, size = [], 0
    for piece in el.itertext():
        size += len(piece)
        if size > limit:
            return None
        parts.append(piece)
    return "".join(parts)


def _clean(root: _Element) -> None:
    """Remove scripts, navigation, header/footer and small widgets (纠错, print, share, badges)."""
    for el in list(root.iter(*_DROP_TAGS)):
        if el is not root:
            _drop(el)
    for el in list(root.iter()):
        if el is root or not isinstance(el.tag, str) or el.getparent() is None:
            continue
        tag = el.tag.lower()
        if tag in ("table", "tr", "td", "th", "tbody"):
            continue
        attrs = _classes(el)
        if (
            attrs.strip()
            and _WIDGET_ATTR.search(attrs)
            and _short_text(el, _WIDGET_ATTR_MAX_TEXT) is not None
        ):
            _drop(el)
            continue
        if tag in ("a", "span", "div", "p", "li", "ul", "dl"):
            text = _short_text(el, _WIDGET_MAX_TEXT)
            if text is not None and _WIDGET_TEXT.search(text):
                _drop(el)


def _cell_text(cell: _Element) -> str:
    return clean_line(element_text(cell).replace("\n", " "))


def _span(value: str | None) -> int:
    m = re.match(r"\s*(\d+)", value or "")
    return int(m.group(1)) if m else 1


def _table_rows(table: _Element) -> list[list[tuple[str, int, int]]]:
    rows = []
    for tr in table.iter("tr"):
        # rows of this table only, not of a nested one
        owner = next((a for a in tr.iterancestors("table")), None)
        if owner is not table:
            continue
        cells = [
            (_cell_text(td), _span(td.get("rowspan")), _span(td.get("colspan")))
            for td in tr
            if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")
        ]
        rows.append(cells)
    return rows


def _render(root: _Element) -> tuple[str, list[list[list[str]]]]:
    """Text of ``root`` with each data table (one holding no other table) replaced by its rows.

    Layout tables (those holding tables) are read as plain blocks.
    """
    tables: list[list[list[str]]] = []
    rendered: list[list[str]] = []
    for table in list(root.iter("table")):
        if next(table.iterdescendants("table"), None) is None:
            continue
        own = [
            el
            for el in table.iter("tr", "td", "th", "tbody", "thead", "tfoot")
            if next(el.iterancestors("table"), None) is table
        ]
        for el in [table, *own]:
            el.tag = "div"
    for table in list(root.iter("table")):
        rows = _table_rows(table)
        grid, origin = expand_grid(rows)
        lines = render_rows(grid, origin)
        if not lines:
            _drop(table)
            continue
        marker = table.makeelement("p", {})
        marker.text = _MARK.format(len(rendered))
        marker.tail = table.tail
        parent = table.getparent()
        if parent is None:  # the table is the root itself
            return "\n".join(lines), [grid]
        parent.replace(table, marker)
        tables.append(grid)
        rendered.append(lines)
    out = []
    for line in element_text(root).split("\n"):
        m = _MARK_LINE.match(line.strip())
        out.extend(rendered[int(m.group(1))] if m else [line])
    return "\n".join(out), tables


def _body_root(sel: Selector, html: str) -> _Element:
    """The best body container (same ranking as ``recognize.detail``), else the whole body."""
    best: tuple[int, int] | None = None
    root: _Element | None = None
    zjeg = ZJEG_CONTENT.search(html)
    if zjeg and zjeg.group(1).strip():
        frag = Selector(text=zjeg.group(1), type="html")
        body = frag.xpath("//body")
        if body:
            best, root = (
                (body_score(element_text(body[0].root), len(body[0].xpath(".//table"))), 0),
                body[0].root,
            )
    for rank, query in enumerate(BODY_SELECTORS, start=1):
        for el in sel.css(query):
            text = element_text(el.root)
            if not text:
                continue
            key = (body_score(text, len(el.xpath(".//table"))), -rank)
            if best is None or key > best:
                best, root = key, el.root
    if root is not None:
        return root
    body = sel.xpath("//body") or sel.xpath("/*")
    return body[0].root if body else sel.root


def html_result(html: str) -> tuple[str, list[list[list[str]]]]:
    """(main text, tables) of an HTML page given as text."""
    sel = Selector(text=html or "<html></html>", type="html")
    root = _body_root(sel, html)
    _clean(root)
    return _render(root)


def extract_html(data: bytes, content_type: str | None = None) -> ExtractResult:
    """Main text and tables of an HTML page given as bytes (decoded per portals.md §4)."""
    html, _encoding = decode_body(data, content_type)
    text, tables = html_result(html)
    return finish(text, tables=tables, extractor="html", version=f"{lib_version('lxml')}", file_type="html")


def join_html_pages(pages: list[bytes], content_type: str | None = None) -> ExtractResult:
    """A TRS article split over ``t…_1.html`` pages: main text of each, joined in order."""
    texts: list[str] = []
    tables: list[list[list[str]]] = []
    for data in pages:
        html, _encoding = decode_body(data, content_type)
        text, found = html_result(html)
        texts.append(text)
        tables.extend(found)
    return finish(
        "\n".join(t for t in texts if t),
        tables=tables,
        extractor="html",
        version=lib_version("lxml"),
        pages=len(pages),
        file_type="html",
    )
