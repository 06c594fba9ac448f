"""HTML of detail pages, home, search and error pages, per CMS family (docs/families.md).

Listing pages live in :mod:`portalsim.listings`.  Every function returns text; the router
encodes it in the site's charset (GBK for ``trs``, per site for ``plain``, else UTF-8).
"""

from __future__ import annotations

from datetime import date
from html import escape

from portalsim.documents import blocks_html
from portalsim.rng import h64
from portalsim.site import Attachment, Item, column_url_path
from portalsim.world import Agency

SEARCH_HREF = "search/?q=%E5%B9%B4%E6%8A%A5"
COLUMN_NAME = "政府信息公开年报"


def charset_label(ag: Agency) -> str:
    """The charset a site declares (GBK bytes are declared gb2312, as on real TRS sites)."""
    return "gb2312" if ag.encoding == "gbk" else "utf-8"


def nav(ag: Agency) -> str:
    """The navigation bar of every page: home, the column and the (robots-forbidden) search."""
    return (
        f'<div class="nav"><a href="/{ag.slug}/">首页</a> | <a href="{column_url_path(ag)}">{COLUMN_NAME}</a>'
        f' | <a href="/{ag.slug}/{SEARCH_HREF}">站内搜索</a></div>'
    )


def head(ag: Agency, title: str, metas: list[tuple[str, str]]) -> str:
    """<head> with the charset declaration, the title and the named metas."""
    tags = "".join(f'<meta name="{n}" content="{escape(v)}">\n' for n, v in metas)
    return (
        f'<!DOCTYPE html>\n<html><head>\n<meta http-equiv="Content-Type" content="text/html; '
        f'charset={charset_label(ag)}">\n<title>{escape(title)}</title>\n{tags}</head>\n'
    )


def _h1(title: str, split: bool) -> str:
    if not split:
        return escape(title)
    for tail in ("工作年度报告", "年度报告", "情况的报告"):
        if title.endswith(tail) and len(title) > len(tail) + 2:
            return escape(title[: -len(tail)]) + "<br>" + escape(tail)
    return escape(title)


def meta_table(ag: Agency, item: Item, source: str) -> str:
    """The 信息公开 metadata table (索引号/发布机构/成文日期/发布日期)."""
    written = item.posted.toordinal() - 1 - h64(ag.seed, "written", item.doc_id) % 8
    return (
        '<table class="xxgk_table"><tr><td>索引号：</td>'
        f"<td>{ag.region}{ag.index:05d}/{item.posted.year}-{item.doc_id % 100000:05d}</td>"
        f"<td>发布机构：</td><td>{escape(source)}</td></tr><tr><td>成文日期：</td>"
        f"<td>{date.fromordinal(written).isoformat()}</td><td>发布日期：</td>"
        f"<td>{item.posted.isoformat()}</td></tr></table>\n"
    )


def attachment_html(ag: Agency, atts: list[Attachment]) -> str:
    """The body of a stub page: one paragraph per attachment link."""
    return "\n".join(f'<p><a href="{escape(a.href)}" target="_blank">{escape(a.text)}</a></p>' for a in atts)


def _regen(ag: Agency, item: Item, today: date) -> tuple[str, str]:
    """(PubDate, 页面生成时间) of a trs6 page regenerated periodically (untrusted PubDate)."""
    last = today.toordinal() - (today.toordinal() + ag.index) % 45
    when = date.fromordinal(max(last, item.posted.toordinal()))
    h = h64(ag.seed, "regen", item.doc_id)
    if ag.untrusted_pubdate:
        stamp = f"{when.isoformat()} 0{h % 6}:{h % 60:02d}"
        return stamp, stamp + ":00"
    return "", f"{when.isoformat()} 0{h % 6}:{h % 60:02d}:{h // 60 % 60:02d}"


def detail_html(
    ag: Agency,
    item: Item,
    *,
    title: str,
    source: str,
    body: str,
    today: date,
    h1_break: bool = False,
    with_meta_table: bool = False,
    pager: str = "",
    epoch_pubdate: bool = False,
) -> str:
    """A detail page (report, stub or article) in the family's template."""
    d = item.posted
    t = h64(ag.seed, "time", item.doc_id)
    pubdate = "1970-01-01 08:00" if epoch_pubdate else f"{d.isoformat()} {8 + t % 10:02d}:{t % 60:02d}"
    xxgk = meta_table(ag, item, source) if with_meta_table else ""
    h1 = _h1(title, h1_break)
    if ag.family == "trs":
        metas = [
            ("SiteName", ag.name),
            ("SiteIDCode", f"{ag.region}{ag.index:04d}"),
            ("ColumnName", COLUMN_NAME),
            ("ArticleTitle", title),
            ("PubDate", pubdate),
            ("ContentSource", source),
        ]
        return (
            head(ag, f"{title}_{ag.name}", metas) + f'<body>\n{nav(ag)}\n<div class="main">\n{xxgk}'
            f'<h1 class="title">{h1}</h1>\n<div class="info">发布日期：{d.isoformat()}　来源：{escape(source)}'
            f'</div>\n<div class="TRS_Editor">\n{body}\n</div>\n{pager}</div>\n</body></html>\n'
        )
    if ag.family == "trs6":
        regen_pub, regen = _regen(ag, item, today)
        metas = [
            ("ArticleTitle", title),
            ("PubDate", regen_pub or pubdate),
            ("ContentSource", source),
            ("others", f"页面生成时间 {regen}"),
        ]
        return (
            head(ag, f"{title}-{ag.name}", metas) + f'<body>\n{nav(ag)}\n<div class="zwgk_detail">\n{xxgk}'
            f'<h1 class="title">{h1}</h1>\n<div class="info"><span class="fbsj">发布时间：{d.isoformat()}</span>'
            f' <span class="ly">来源：{escape(source)}</span></div>\n<div class="trs_editor_view">\n{body}\n</div>'
            "\n</div>\n</body></html>\n"
        )
    if ag.family == "hanweb":
        metas = [("ArticleTitle", title), ("PubDate", pubdate), ("ContentSource", source)]
        return (
            head(ag, f"{ag.name} {COLUMN_NAME} {title}", metas) + f'<body>\n{nav(ag)}\n<div class="main">\n'
            f'<h1 class="title">{h1}</h1>\n<div class="info">发布日期：{d.isoformat()}　信息来源：'
            f"{escape(source)}</div>\n{xxgk}<!--ZJEG_RSS.content.begin-->\n{body}\n"
            "<!--ZJEG_RSS.content.end-->\n</div>\n</body></html>\n"
        )
    return (
        head(ag, f"{title}-{ag.name}", []) + f'<body>\n{nav(ag)}\n<div class="content">\n'
        f'<h1 class="title">{h1}</h1>\n<div class="info">发布时间：{d.year}年{d.month}月{d.day}日　来源：'
        f'{escape(source)}</div>\n{xxgk}<div id="zoom">\n{body}\n</div>\n</div>\n</body></html>\n'
    )


def split_blocks(blocks: list, parts: int) -> list[list]:
    """A long report cut into ``parts`` pages before the 三、 (and 四、) headings."""
    cuts = [k for k, (kind, value) in enumerate(blocks) if kind == "h" and value[:2] in ("三、", "四、")]
    cuts = cuts[: parts - 1] if parts == 3 else cuts[:1]
    bounds = [0, *cuts, len(blocks)]
    return [blocks[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def trs_pager(count: int, current: int, name: str) -> str:
    """The TRS 4-argument pager script (0-based)."""
    return (
        f"<script>var currentPage = {current};var countPage = {count};"
        f'createPageHTML({count}, {current}, "{name}", "html");</script>\n'
    )


def report_body(blocks: list) -> str:
    """Report blocks as detail-page HTML."""
    return blocks_html(blocks)


def home_html(ag: Agency) -> str:
    """The site's home page (links to the column and the search)."""
    return (
        head(ag, ag.name, [("SiteName", ag.name)]) + f"<body>\n{nav(ag)}\n<h1>{escape(ag.name)}</h1>\n"
        f'<ul><li><a href="{column_url_path(ag)}">{COLUMN_NAME}</a></li></ul>\n</body></html>\n'
    )


def search_html(ag: Agency, items: list[Item]) -> str:
    """A search result page (robots.txt forbids crawlers from fetching it)."""
    rows = "".join(f'<li><a href="{escape(it.path)}">{escape(it.title)}</a></li>' for it in items[:10])
    return head(ag, f"搜索结果-{ag.name}", []) + f"<body>\n{nav(ag)}\n<ul>{rows}</ul>\n</body></html>\n"


def not_found_html() -> str:
    """A small 404 page."""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>404 Not Found</title></head>'
        "<body><h1>404 Not Found</h1><p>您访问的页面不存在或已删除。</p></body></html>\n"
    )
