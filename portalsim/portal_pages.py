"""Markup of the portal pages (:mod:`portalsim.portal`) per CMS family.

Pages share the family's ``<head>`` (:func:`portalsim.pages.head`), a top navigation (首页,
政务公开, sometimes 政府信息公开, and the robots-forbidden search) and a breadcrumb.  The links
to a page's children come as plain ``<a>`` (most portals) or through a script: an inline JS
menu, a ``fetch`` of a JSON/XML menu or unit list, a Hanweb ``<datastore>`` of records, or a
Hanweb ``dataproxy.jsp`` call.  Decoy columns are listings in the family's column markup.
"""

from __future__ import annotations

import json
from datetime import date
from html import escape

from portalsim.pages import SEARCH_HREF, head
from portalsim.portal import DATAPROXY, HTML, DecoyItem, Node, Portal, breadcrumb, decoy_items, decoy_routes
from portalsim.site import horizon_for
from portalsim.world import Agency, agency

CONTAINER = {"trs": "main", "trs6": "zwgk_main", "hanweb": "container", "plain": "content"}
KIND_LABELS = {"region": "本级政府", "dept": "政府部门", "township": "乡镇（街道）"}
GUIDE = (
    "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。",
    "一、主动公开。本机关主动公开的政府信息通过政府网站、政府公报、新闻发布会等途径公开。",
    "二、依申请公开。公民、法人或者其他组织可以向本机关申请获取相关政府信息。",
    "三、监督和救济。认为本机关在政府信息公开工作中侵犯其合法权益的，可以依法申请行政复议或者提起行政诉讼。",
)
RULES = (
    "政府信息公开保密审查制度",
    "政府信息公开申请办理制度",
    "政府信息发布协调机制",
    "政务公开工作考核制度",
)
YSQ = (
    "申请人可以通过当面、邮寄、传真或者网上申请等方式提出政府信息公开申请。",
    "申请时请填写《政府信息公开申请表》，并提供身份证明。",
)


def _site_title(gov: Agency, title: str) -> str:
    """The <title> in the family's convention (Hanweb: 站名 栏目 标题)."""
    if gov.family == "trs":
        return f"{title}_{gov.name}"
    if gov.family == "hanweb":
        return f"{gov.name} {title}"
    return f"{title}-{gov.name}"


def _a(node: Node) -> str:
    return f'<a href="{escape(node.href)}" title="{escape(node.label)}">{escape(node.label)}</a>'


def _home_link(p: Portal) -> str:
    return f'<a href="{escape(p.url("home"))}">首页</a>'


def _top(p: Portal) -> str:
    """The header and top navigation of every portal page."""
    gov = p.gov
    links = [_home_link(p), _a(p.node("zwgk"))]
    if p.layout.platform_depth == 1:
        links.append(_a(p.node("platform")))
    links.append(f'<a href="/{gov.slug}/{SEARCH_HREF}">站内搜索</a>')
    return (
        f'<div class="header"><div class="logo">{escape(gov.name)}</div></div>\n'
        f'<div class="nav">{" | ".join(links)}</div>\n'
    )


def _crumbs(p: Portal, key: str) -> str:
    parts = [_home_link(p) if k == "home" else _a(p.node(k)) for k in breadcrumb(p, key)]
    return f'<div class="position">当前位置：{" &gt; ".join([*parts, escape(p.node(key).title)])}</div>\n'


def _footer(gov: Agency) -> str:
    return (
        f'<div class="footer">主办：{escape(gov.name)}办公室　网站标识码：{gov.region}{gov.index:04d}'
        "　<span>ICP备案号：京ICP备00000000号</span></div>\n"
    )


def _page(p: Portal, key: str, main: str, metas: list[tuple[str, str]] | None = None) -> str:
    """A whole portal page around ``main``."""
    gov, node = p.gov, p.node(key)
    crumbs = "" if key == "home" else _crumbs(p, key)
    return (
        head(
            gov,
            gov.name if key == "home" else _site_title(gov, node.title),
            [("SiteName", gov.name), *(metas or [])],
        )
        + f'<body>\n{_top(p)}{crumbs}<div class="{CONTAINER[gov.family]}">\n{main}\n</div>\n'
        + _footer(gov)
        + "</body></html>\n"
    )


def _records(nodes: list[Node]) -> str:
    """Hanweb ``<record>`` s of links, full title in @title."""
    return "\n".join(
        f'<record><![CDATA[<li><a href="{escape(n.href)}" title="{escape(n.label)}" target="_blank">'
        f"{escape(n.label)}</a></li>]]></record>"
        for n in nodes
    )


def children_html(p: Portal, node: Node) -> str:
    """The links to ``node``'s children, delivered the way the portal delivers them."""
    kids = [p.node(k) for k in node.children]
    box = f"list_{node.key}"
    if node.mode == HTML:
        return '<ul class="list">\n' + "\n".join(f"<li>{_a(n)}</li>" for n in kids) + "\n</ul>"
    if node.mode == "inline_js":
        data = json.dumps([{"name": n.label, "url": n.href} for n in kids], ensure_ascii=False)
        return (
            f'<ul id="{box}"></ul>\n<script type="text/javascript">\nvar menus = {data};\n'
            f'var ul = document.getElementById("{box}");\nfor (var k = 0; k < menus.length; k++) {{\n'
            "  ul.innerHTML += '<li><a href=\"' + menus[k].url + '\">' + menus[k].name + \"</a></li>\";\n}\n</script>"
        )
    if node.mode in ("json", "xml"):
        return (
            f'<ul id="{box}"></ul>\n<script type="text/javascript">\n'
            f'fetch("{node.endpoint}").then(function (r) {{ return r.{"json" if node.mode == "json" else "text"}(); }})'
            f'.then(function (d) {{ renderMenu("{box}", d); }});\n</script>'
        )
    if node.mode == "records":
        return (
            f'<div id="{p.gov.unit_id}"><script type="text/xml"><datastore>\n<recordset>\n'
            f"{_records(kids)}\n</recordset></datastore></script></div>"
        )
    return (  # api: Hanweb records fetched from dataproxy.jsp
        f'<div id="{box}"></div>\n<script type="text/javascript">\nvar proxyUrl = "{node.endpoint}";\n'
        f'loadRecords("{box}", proxyUrl);\n</script>\n'
        '<script language="javascript" src="/module/web/jpage/jpage.js"></script>'
    )


def home_html(p: Portal) -> str:
    """The portal's home page: name, navigation and the 政务公开 block."""
    main = (
        f"<h1>{escape(p.gov.name)}</h1>\n"
        f'<div class="intro"><p>欢迎访问{escape(p.gov.name)}门户网站。</p></div>\n'
        f'<div class="block"><h3>政务公开</h3>\n{children_html(p, p.node("home"))}\n</div>'
    )
    return _page(p, "home", main)


def section_html(p: Portal, key: str) -> str:
    """A navigation, hub or index page: its title and the links to its children."""
    node = p.node(key)
    if node.route.endswith(".jsp"):
        return _page(p, key, f"<h2>{escape(node.title)}</h2>\n{_units_table(p, node)}")
    cls = "tabs" if node.role == "hub" else "menu"
    main = f'<h2 class="column-title">{escape(node.title)}</h2>\n<div class="{cls}">\n{children_html(p, node)}\n</div>'
    return _page(p, key, main, [("ColumnName", node.title)])


def _units_table(p: Portal, node: Node) -> str:
    """Hanweb's annual-report app: one row per body (its kind, its name linking its column)."""
    rows = []
    for child in (p.node(k) for k in node.children):
        kind = agency(p.gov.seed, child.body or 0).kind
        rows.append(f"<tr><td>{KIND_LABELS[kind]}</td><td>{_a(child)}</td></tr>")
    return (
        '<table class="unit_list">\n<tr><th>类别</th><th>单位名称</th></tr>\n'
        + "\n".join(rows)
        + "\n</table>"
    )


def text_html(p: Portal, key: str) -> str:
    """A text page: 指南, 制度 (the rules' names, not linked), 依申请公开."""
    paragraphs = {"guide": GUIDE, "rules": RULES, "ysq": YSQ}[key]
    body = "\n".join(f'<p style="text-indent:2em;">{escape(t)}</p>' for t in paragraphs)
    return _page(p, key, f'<h2>{escape(p.node(key).title)}</h2>\n<div class="article">\n{body}\n</div>')


def endpoint_text(p: Portal, key: str) -> tuple[str, str]:
    """(content type, text) of the endpoint delivering node ``key``'s links."""
    node = p.node(key)
    kids = [p.node(k) for k in node.children]
    if node.mode == "json" and node.role == "index":
        rows = [
            {
                "unitName": n.label,
                "unitType": KIND_LABELS["dept" if key == "bm" else "township"],
                "url": n.href,
            }
            for n in kids
        ]
        return "application/json; charset=utf-8", json.dumps(
            {"total": len(rows), "rows": rows}, ensure_ascii=False
        )
    if node.mode == "json":
        data = [{"name": n.label, "url": n.href} for n in kids]
        return "application/json; charset=utf-8", json.dumps({"code": 200, "data": data}, ensure_ascii=False)
    if node.mode == "xml":
        items = "".join(
            f"<item><name>{escape(n.label)}</name><url>{escape(n.href)}</url></item>" for n in kids
        )
        return "text/xml; charset=UTF-8", f'<?xml version="1.0" encoding="UTF-8"?>\n<menu>{items}</menu>\n'
    return "text/xml; charset=UTF-8", (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore><totalrecord>{len(kids)}</totalrecord>'
        f"<totalpage>1</totalpage>\n<recordset>\n{_records(kids)}\n</recordset></datastore>\n"
    )


def decoy_listing_html(p: Portal, key: str, items: list[DecoyItem]) -> str:
    """A decoy column in the family's listing markup (one page: a few items a year)."""
    gov, node = p.gov, p.node(key)
    family = gov.family
    if family == "trs":
        lis = "\n".join(
            f'<li><a href="{escape(it.href)}" title="{escape(it.title)}" target="_blank">{escape(it.title)}</a>'
            f"<span>{it.posted.isoformat()}</span></li>"
            for it in items
        )
        body = (
            f'<ul class="list">\n{lis}\n</ul>\n<div class="page"><script>var currentPage = 0;var countPage = 1;'
            'createPageHTML(1, 0, "index", "html");</script></div>'
        )
    elif family == "trs6":
        lis = "\n".join(
            f'<li><a href="{escape(it.href)}" title="{escape(it.title)}" target="_blank">{escape(it.title)}</a>'
            f'<span class="date">{it.posted.isoformat()}</span></li>'
            for it in items
        )
        body = (
            f'<div class="zwgk_list"><ul>\n{lis}\n</ul></div>\n<div id="page_div"></div>\n'
            f"<script>createPageHTML('page_div', 1, 1, 'zwgklist', 'shtml', {len(items)});</script>"
        )
    elif family == "hanweb":
        records = "\n".join(
            f'<record><![CDATA[<li><a href="{escape(it.href)}" title="{escape(it.title)}" target="_blank">'
            f"{escape(it.title)}</a><span>{it.posted.isoformat()}</span></li>]]></record>"
            for it in items
        )
        body = (
            f'<div id="{gov.unit_id}"><script type="text/xml"><datastore>\n<recordset>\n{records}\n'
            "</recordset></datastore></script></div>"
        )
    else:
        rows = "\n".join(
            f'<tr><td><a href="{escape(it.href)}" target="_blank">{escape(it.title)}</a></td>'
            f"<td>{it.posted:%Y/%m/%d}</td></tr>"
            for it in items
        )
        body = (
            f'<table class="gl_list">\n{rows}\n</table>\n<div class="pages"><a href="list.html">首页</a> '
            f'<a href="list.html">尾页</a> 共{len(items)}条 第1/1页</div>'
        )
    main = f'<h2 class="column-title">{escape(node.title)}</h2>\n{body}'
    return _page(p, key, main, [("ColumnName", node.title)])


DECOY_TEXT = {
    "tjgb": "{y}年，全县（市、区）经济运行总体平稳，地区生产总值比上年增长{n}%。",
    "zfgzbg": "各位代表：现在，我代表{name}，向大会报告政府工作，请予审议。",
    "ghjh": "本计划根据国民经济和社会发展规划纲要编制，提出{y}年经济社会发展的主要预期目标。",
    "gzyd": "为深入贯彻落实上级政务公开工作部署，现将{y}年政务公开工作要点印发给你们，请认真抓好落实。",
    "gzzj": "{y}年，{name}认真贯彻落实《中华人民共和国政府信息公开条例》，政务公开工作取得新成效。",
    "nbgs": "各有关单位：现就政府信息公开工作年度报告编制和发布有关事项通知如下，请按照统一格式编制。",
}


def decoy_detail_html(p: Portal, item: DecoyItem) -> str:
    """The detail page of a decoy item in the family's article template."""
    gov, d = p.gov, item.posted
    column = p.node(f"decoy:{item.kind}").title
    text = DECOY_TEXT[item.kind].format(
        y=d.year - (item.kind in ("tjgb", "gzzj")), n=4 + item.doc_id % 5, name=gov.name
    )
    body = (
        f'<p style="text-indent:2em;">{escape(text)}</p>\n<p style="text-align:right;">{escape(gov.name)}</p>'
    )
    metas = [("ColumnName", column), ("ArticleTitle", item.title), ("PubDate", f"{d.isoformat()} 09:00")]
    wrap = {
        "trs": ("TRS_Editor", "发布日期："),
        "trs6": ("trs_editor_view", "发布时间："),
        "hanweb": ("zoom", "发布日期："),
        "plain": ("zoom", "发布时间："),
    }[gov.family]
    main = (
        f'<h1 class="title">{escape(item.title)}</h1>\n<div class="info">{wrap[1]}{d.isoformat()}</div>\n'
        f'<div class="{wrap[0]}" id="{wrap[0]}">\n{body}\n</div>'
    )
    return (
        head(gov, _site_title(gov, item.title), [("SiteName", gov.name), *metas])
        + f'<body>\n{_top(p)}<div class="{CONTAINER[gov.family]}">\n{main}\n</div>\n{_footer(gov)}</body></html>\n'
    )


def _visible(p: Portal, kind: str, today: date) -> list[DecoyItem]:
    items = decoy_items(p.gov.seed, p.gov.index, p.agencies, kind, horizon_for(today))
    return [it for it in items if it.posted <= today]


def serve(p: Portal, path: str, params: dict[str, str], today: date) -> tuple[str, str, date] | None:
    """(kind ``html``/``json``/``xml``, text, last change) of a portal URL; None: not the portal's."""
    since = date(p.gov.first_year, 1, 1)
    key = p.endpoints.get("api:" + params.get("columnid", "")) if path.endswith(DATAPROXY) else None
    key = key or p.endpoints.get(path)
    if key is not None:
        ctype, text = endpoint_text(p, key)
        return ("json" if "json" in ctype else "xml"), text, since
    key = p.routes.get(path)
    if key is not None and key.startswith("decoy:"):
        items = _visible(p, key.split(":", 1)[1], today)
        return "html", decoy_listing_html(p, key, items), items[0].posted if items else since
    if key is not None:
        return "html", page_html(p, key), since
    item = decoy_routes(p.gov.seed, p.gov.index, p.agencies, horizon_for(today)).get(path)
    if item is None or item.posted > today:
        return None
    return "html", decoy_detail_html(p, item), item.posted


def page_html(p: Portal, key: str) -> str:
    """The HTML of portal page ``key`` (not a decoy listing: those depend on the date)."""
    node = p.node(key)
    if node.role == "home":
        return home_html(p)
    if node.role == "text":
        return text_html(p, key)
    return section_html(p, key)
