"""Column listing pages per CMS family, as of a date (docs/families.md).

- ``trs``: ``<ul class="list">`` with 0-based ``createPageHTML(N, i, "index", "html")`` paging
  (``index.html``, ``index_1.html``…) and, on some sites, year sub-columns ``gknb{Y}/``.
- ``trs6``: ``<div class="zwgk_list">`` with the 1-based six-argument pager (``xlist_2.shtml``…).
- ``hanweb``: a ``<datastore>`` with the first 15 records inline; the rest come from
  ``dataproxy.jsp`` (:func:`hanweb_records`), by 45-record windows.
- ``plain``: ``<table class="gl_list">`` with 首页/上一页/下一页/尾页 links (``list.html?page=N``).

A redesigned site (:func:`redesigned_column`, :func:`hanweb_empty_records`) still answers its
column URLs with a normal page, but one that lists nothing: the items moved to a new template.
"""

from __future__ import annotations

from datetime import date
from html import escape
from math import ceil
from urllib.parse import quote

from portalsim.pages import COLUMN_NAME, head, nav
from portalsim.rng import h64
from portalsim.site import Item, Site
from portalsim.world import Agency

HANWEB_PERPAGE = 15


def visible(site: Site, today: date, column: str = "") -> list[Item]:
    """Items of ``column`` ("" = the column itself) posted on or before ``today``, newest first."""
    return [it for it in site.items if it.column == column and it.posted <= today]


def year_columns(site: Site, today: date) -> list[int]:
    """Years whose TRS sub-column exists as of ``today`` (its first item is posted), newest first."""
    years = {int(it.column[4:]) for it in site.items if it.column and it.posted <= today}
    return sorted(years, reverse=True)


def page_count(n: int, size: int) -> int:
    """Number of listing pages for ``n`` items (at least 1)."""
    return max(1, ceil(n / size))


def trs_listing(site: Site, today: date, column: str, page: int) -> str | None:
    """A TRS classic column page (``page`` 0-based); None past the last page."""
    ag = site.agency
    items = visible(site, today, column)
    count = page_count(len(items), ag.page_size)
    if page >= count:
        return None
    chunk = items[page * ag.page_size : (page + 1) * ag.page_size]
    lis = "\n".join(
        f'<li><a href="{escape(it.href)}" title="{escape(it.title)}" target="_blank">'
        f"{escape(it.title)}</a><span>{it.posted.isoformat()}</span></li>"
        for it in chunk
    )
    subcol = ""
    if ag.year_columns and not column:
        years = year_columns(site, today)
        if years:
            links = " ".join(f'<a href="./gknb{y}/">{y}年</a>' for y in years)
            subcol = f'<div class="subcol">{links}</div>\n'
    title = f"{COLUMN_NAME}_{ag.name}"
    return (
        head(ag, title, [("SiteName", ag.name), ("ColumnName", COLUMN_NAME)])
        + f'<body>\n{nav(ag)}\n{subcol}<ul class="list">\n{lis}\n</ul>\n<div class="page">'
        f"<script>var currentPage = {page};var countPage = {count};"
        f'createPageHTML({count}, {page}, "index", "html");</script></div>\n</body></html>\n'
    )


def trs6_listing(site: Site, today: date, page: int) -> str | None:
    """A trs6 column page (``page`` 1-based); None past the last page."""
    ag = site.agency
    items = visible(site, today)
    count = page_count(len(items), ag.page_size)
    if not 1 <= page <= count:
        return None
    chunk = items[(page - 1) * ag.page_size : page * ag.page_size]
    lis = "\n".join(
        f'<li><a href="{escape(it.href)}" title="{escape(it.title)}" target="_blank">'
        f'{escape(it.title)}</a><span class="date">{it.posted.isoformat()}</span></li>'
        for it in chunk
    )
    return (
        head(ag, f"{COLUMN_NAME}-{ag.name}", [("ColumnName", COLUMN_NAME)])
        + f'<body>\n{nav(ag)}\n<div class="zwgk_list"><ul>\n{lis}\n</ul></div>\n<div id="page_div"></div>\n'
        f"<script>createPageHTML('page_div', {count}, {page}, 'xlist', 'shtml', {len(items)});</script>\n"
        "</body></html>\n"
    )


def _truncate(title: str) -> str:
    return title if len(title) <= 18 else title[:18] + "..."


def hanweb_record(it: Item) -> str:
    """One Hanweb record: ``<li>`` with the full title in @title and truncated anchor text."""
    return (
        f'<record><![CDATA[<li><a href="{escape(it.href)}" title="{escape(it.title)}" target="_blank">'
        f"{escape(_truncate(it.title))}</a><span>{it.posted.isoformat()}</span></li>]]></record>"
    )


def hanweb_webname(site: Site) -> str:
    """The webname parameter of the site's Hanweb API calls."""
    return site.agency.name


def hanweb_column(site: Site, today: date) -> str:
    """A Hanweb column page: the datastore with the first records inline (no totalrecord)."""
    ag = site.agency
    items = visible(site, today)
    records = "\n".join(hanweb_record(it) for it in items[:HANWEB_PERPAGE])
    nextgroup = (
        f'<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={ag.web_id}&path=/'
        f"&columnid={ag.column_id}&unitid={ag.unit_id}&webname={quote(hanweb_webname(site))}"
        '&permissiontype=0"></a>'
    )
    return (
        head(ag, f"{COLUMN_NAME} {ag.name}", [("ColumnName", COLUMN_NAME)])
        + f'<body>\n{nav(ag)}\n<div id="{ag.unit_id}"><script type="text/xml"><datastore>\n'
        f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n<recordset>\n{records}\n</recordset>"
        f"</datastore></script></div>\n"
        f'<script language="javascript" src="/module/web/jpage/jpage.js"></script>\n</body></html>\n'
    )


def hanweb_records(site: Site, today: date, params: dict[str, str]) -> str:
    """The ``dataproxy.jsp`` XML answer for a window of records (1-based, inclusive)."""
    ag = site.agency
    items = visible(site, today)
    if params.get("columnid") != str(ag.column_id):  # like real JCMS: no column, no records
        items = []

    def num(key: str, default: int) -> int:
        try:
            return int(params.get(key, default))
        except ValueError:
            return default

    perpage = max(1, num("perpage", HANWEB_PERPAGE))
    start = max(1, num("startrecord", 1))
    end = max(start, num("endrecord", start + 3 * perpage - 1))
    return _records_xml(items, start, end, perpage)


def hanweb_empty_records() -> str:
    """The ``dataproxy.jsp`` answer of a redesigned site: the usual shape, ``totalrecord`` 0."""
    return _records_xml([], 1, HANWEB_PERPAGE, HANWEB_PERPAGE)


def _records_xml(items: list[Item], start: int, end: int, perpage: int) -> str:
    window = "\n".join(hanweb_record(it) for it in items[start - 1 : end])
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>'
        f"<totalrecord>{len(items)}</totalrecord><totalpage>{page_count(len(items), perpage)}</totalpage>\n"
        f"<recordset>\n{window}\n</recordset></datastore>\n"
    )


def plain_listing(site: Site, today: date, page: int) -> str | None:
    """A plain site's column page (``page`` 1-based); None past the last page."""
    ag = site.agency
    items = visible(site, today)
    count = page_count(len(items), ag.page_size)
    if not 1 <= page <= count:
        return None
    chunk = items[(page - 1) * ag.page_size : page * ag.page_size]
    rows = "\n".join(
        f'<tr><td><a href="{escape(it.href)}" target="_blank">{escape(it.title)}</a></td>'
        f"<td>{it.posted:%Y/%m/%d}</td></tr>"
        for it in chunk
    )
    links = ['<a href="list.html">首页</a>']
    if page > 1:
        links.append(f'<a href="list.html?page={page - 1}">上一页</a>')
    if page < count:
        links.append(f'<a href="list.html?page={page + 1}">下一页</a>')
    links.append(f'<a href="list.html?page={count}">尾页</a>')
    return (
        head(ag, f"{COLUMN_NAME}-{ag.name}", [])
        + f'<body>\n{nav(ag)}\n<table class="gl_list">\n{rows}\n</table>\n<div class="pages">'
        f"{' '.join(links)} 共{len(items)}条 第{page}/{count}页</div>\n</body></html>\n"
    )


REDESIGN_NOTICE = "网站改版升级中，栏目内容正在迁移，敬请谅解。"


def redesigned_column(ag: Agency) -> str:
    """The column page of a redesigned site: header, title, footer and no item nor pager.

    Half the sites show a notice, the other half an empty container filled by a script (the new
    template loads its items by JavaScript), so only the missing items tell the two apart.
    """
    if h64(ag.seed, "redesign", ag.index) % 2:
        main = f'<div class="notice"><p>{REDESIGN_NOTICE}</p></div>'
    else:
        main = (
            f'<div id="list"></div>\n<script src="/{ag.slug}/js/newlist.js"></script>\n'
            "<noscript>请启用JavaScript后浏览本栏目。</noscript>"
        )
    name = escape(ag.name)
    return (
        head(ag, f"{COLUMN_NAME}-{ag.name}", [("SiteName", ag.name), ("ColumnName", COLUMN_NAME)])
        + f'<body>\n<div class="header"><a href="/{ag.slug}/">{name}</a></div>\n'
        f'<div class="container"><h2 class="column-title">{COLUMN_NAME}</h2>\n{main}\n</div>\n'
        f'<div class="footer">主办单位：{name}</div>\n</body></html>\n'
    )


def listing_last_change(site: Site, today: date, column: str = "") -> date:
    """The date a listing last changed (its newest visible item; for a column root with year
    sub-columns, the newest item anywhere, since a new sub-column changes the root), for Last-Modified."""
    items = visible(site, today, column) if column else [it for it in site.items if it.posted <= today]
    return items[0].posted if items else date(site.agency.first_year, 1, 1)
